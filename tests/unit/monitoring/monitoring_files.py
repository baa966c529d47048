"""Where the platform's alert rules and Grafana dashboard live, and the metric names they query."""

from __future__ import annotations

import json
import re
from typing import Any

import yaml

from storefleet_localcluster.toolchain import REPO_ROOT

FILES = REPO_ROOT / "deploy" / "helm" / "storefleet" / "files"
ALERTS = FILES / "alerts.yaml"
ALERT_TESTS = FILES / "alerts_test.yaml"
DASHBOARD = FILES / "dashboard.json"

_STOREFLEET_METRIC = re.compile(r"\bstorefleet_[a-z_]+\b")


def alert_rules() -> dict[str, dict[str, Any]]:
    groups = yaml.safe_load(ALERTS.read_text())["groups"]
    return {rule["alert"]: rule for group in groups for rule in group["rules"]}


def alert_expressions() -> dict[str, str]:
    """Each alert's expression, and the query its runbook tells a person to run."""
    rules = alert_rules()
    return {
        **{name: rule["expr"] for name, rule in rules.items()},
        **{f"{name} [runbook]": rule["annotations"]["runbook"] for name, rule in rules.items()},
    }


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
