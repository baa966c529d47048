"""deploy/helm/storefleet is the one source of truth for installing the platform; this module writes
(or checks) the forms generated from it.

- ``deploy/helm/storefleet/crds/``: the Store and Tenant CRDs exactly as ``storefleet_operator.crdgen``
  writes them to ``crds/`` (the models stay their source), plus kopf's peering CRD (kept here by hand).
- ``deploy/operator/`` and ``deploy/gateway/``: the chart rendered by ``helm template`` with
  ``ci/kustomize-values.yaml``, split back into one file per template, plus a ``kustomization.yaml``,
  for people who install with ``kubectl apply -k`` (and for the cluster tests, which apply them).

    python -m storefleet_localcluster.platformchart --write   # regenerate
    python -m storefleet_localcluster.platformchart --check   # exit 1 with a diff when stale
"""

from __future__ import annotations

import argparse
import difflib
import re
import subprocess
import sys
from pathlib import Path

import yaml

from storefleet_operator import crdgen

from .platform import PLATFORM_NAMESPACE
from .toolchain import REPO_ROOT, binary

CHART = REPO_ROOT / "deploy" / "helm" / "storefleet"
RELEASE = "storefleet"
PEERING_CRD = "clusterkopfpeerings.kopf.dev.yaml"
HEADER = (
    "# Generated from deploy/helm/storefleet by `python -m storefleet_localcluster.platformchart --write`.\n"
    "# Do not edit by hand: change the chart and regenerate (a unit test checks they agree).\n"
)
_SOURCE = re.compile(r"^# Source: storefleet/templates/(?P<path>\S+)$", re.MULTILINE)

# Which generated folder each template goes to. The namespace goes to both, so either folder
# applies on its own; the peering object is applied after the peering CRD is established, so it is
# written but not listed in the kustomization (as before the chart existed).
_FOLDERS = {"operator": REPO_ROOT / "deploy" / "operator", "gateway": REPO_ROOT / "deploy" / "gateway"}
_NOT_IN_KUSTOMIZATION = {"peering-object.yaml"}


def chart_crds() -> dict[Path, str]:
    """Chart crds/ file → content: crdgen's output verbatim (the peering CRD is the chart's own)."""
    return {CHART / "crds" / name: text for name, text in crdgen.generated_files().items()}


def render_templates() -> dict[str, str]:
    """Template path (relative to templates/) → the YAML ``helm template`` rendered from it."""
    done = subprocess.run(
        [str(binary("helm")), "template", RELEASE, str(CHART), "--namespace", PLATFORM_NAMESPACE,
         "-f", str(CHART / "ci" / "kustomize-values.yaml"), "--skip-tests"],
        capture_output=True, text=True, timeout=120, check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"helm template {CHART} failed:\n{done.stderr}")
    rendered: dict[str, str] = {}
    matches = list(_SOURCE.finditer(done.stdout))
    for match, following in zip(matches, [*matches[1:], None], strict=True):
        end = following.start() if following else len(done.stdout)
        body = done.stdout[match.start():end].strip().removesuffix("---").strip() + "\n"
        # helm repeats the Source line for every document of a template: keep them in one file.
        rendered[match["path"]] = f"{rendered[match['path']]}---\n{body}" if match["path"] in rendered else body
    return rendered


def kustomize_files() -> dict[Path, str]:
    """Every generated file of deploy/operator and deploy/gateway → its content."""
    files: dict[Path, str] = {}
    for template, text in render_templates().items():
        if template == "namespace.yaml":
            targets = [folder / "namespace.yaml" for folder in _FOLDERS.values()]
        else:
            component, _, name = template.partition("/")
            if component not in _FOLDERS:
                continue  # servicemonitor.yaml and NOTES: chart-only
            targets = [_FOLDERS[component] / name]
        for target in targets:
            files[target] = HEADER + text
    peering = (CHART / "crds" / PEERING_CRD).read_text(encoding="utf-8")
    files[_FOLDERS["operator"] / "peering.yaml"] = HEADER + peering
    for component, folder in _FOLDERS.items():
        listed = sorted(p.name for p in files if p.parent == folder and p.name not in _NOT_IN_KUSTOMIZATION)
        # CRDs first, so `kubectl apply -k` creates the kinds before objects of them.
        crds = ["../../crds", "peering.yaml"] if component == "operator" else []
        resources = crds + [name for name in listed if name != "peering.yaml"]
        kustomization = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization",
                         "resources": resources}
        files[folder / "kustomization.yaml"] = HEADER + yaml.safe_dump(kustomization, sort_keys=False)
    return files


def generated() -> dict[Path, str]:
    return {**chart_crds(), **kustomize_files()}


def stale_files() -> list[Path]:
    """Files on disk in the generated folders that the chart no longer produces."""
    wanted = set(generated())
    return sorted(p for folder in _FOLDERS.values() for p in folder.glob("*.yaml") if p not in wanted)


def differences() -> list[str]:
    diffs = []
    for path, wanted in generated().items():
        current = path.read_text(encoding="utf-8") if path.exists() else ""
        if current != wanted:
            name = str(path.relative_to(REPO_ROOT))
            diffs.append("".join(difflib.unified_diff(
                current.splitlines(keepends=True), wanted.splitlines(keepends=True),
                fromfile=f"{name} (committed)", tofile=f"{name} (from the chart)")))
    diffs.extend(f"{p.relative_to(REPO_ROOT)}: not produced by the chart any more\n" for p in stale_files())
    return diffs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storefleet_localcluster.platformchart",
                                     description=__doc__.split("\n")[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--write", action="store_true", help="regenerate the files")
    action.add_argument("--check", action="store_true", help="exit 1 if a generated file is stale")
    args = parser.parse_args(argv)
    if args.check:
        diffs = differences()
        sys.stdout.write("".join(diffs))
        if diffs:
            print("run: python -m storefleet_localcluster.platformchart --write", file=sys.stderr)
        return 1 if diffs else 0
    for path in stale_files():
        path.unlink()
    for path, text in generated().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
