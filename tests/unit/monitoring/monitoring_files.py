"""Where the platform's alert rules and Grafana dashboard live, the metric names they query, and the
pinned promtool (built from Go modules by deploy/toolchain/build.sh, cached by module version)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

from storefleet_localcluster.toolchain import BUILD_SCRIPT, REPO_ROOT

FILES = REPO_ROOT / "deploy" / "helm" / "storefleet" / "files"
ALERTS = FILES / "alerts.yaml"
ALERT_TESTS = FILES / "alerts_test.yaml"
DASHBOARD = FILES / "dashboard.json"
PROMTOOL_MODULE = REPO_ROOT / "deploy" / "toolchain" / "prometheus" / "go.mod"

_STOREFLEET_METRIC = re.compile(r"\bstorefleet_[a-z_]+\b")


def promtool() -> Path:
    """The pinned promtool; builds it (with the rest of the toolchain, once) when it is missing."""
    version = re.search(r"github.com/prometheus/prometheus v([0-9.]+)", PROMTOOL_MODULE.read_text())
    assert version is not None, f"{PROMTOOL_MODULE} pins no github.com/prometheus/prometheus"
    cache = Path(os.environ.get("STOREFLEET_CACHE", Path.home() / ".cache" / "storefleet"))
    path = cache / "toolchain" / f"promtool-{version[1]}" / "promtool"
    if not path.exists():
        subprocess.run(["bash", str(BUILD_SCRIPT)], check=True, stdout=subprocess.DEVNULL)
    return path


def alert_expressions() -> dict[str, str]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return {rule["alert"]: rule["expr"] for group in groups for rule in group["rules"]}


def dashboard_expressions() -> dict[str, str]:
    panels = json.loads(DASHBOARD.read_text())["panels"]
    return {f"{p['title']} [{t['refId']}]": t["expr"] for p in panels for t in p.get("targets", [])}


def storefleet_metrics(expressions: dict[str, str]) -> dict[str, set[str]]:
    """storefleet_* series name → where it is queried."""
    used: dict[str, set[str]] = {}
    for where, expr in expressions.items():
        for name in _STOREFLEET_METRIC.findall(expr):
            used.setdefault(name, set()).add(where)
    return used


def exposed_series(exposition: str) -> set[str]:
    """Every series name a Prometheus text exposition can produce, from its # TYPE lines (present even
    before a labelled metric has a sample): histograms add _bucket/_sum/_count."""
    names: set[str] = set()
    for line in exposition.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            names.add(name)
            if kind == "histogram":
                names.update({f"{name}_bucket", f"{name}_sum", f"{name}_count"})
            if kind == "counter" and not name.endswith("_total"):
                names.add(f"{name}_total")
    return names
