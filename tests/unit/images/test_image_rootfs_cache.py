"""The mmdebstrap tree of a Debian image is made once per key and replaces the role's older tree."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from storefleet_localcluster.localimages import builders
from storefleet_localcluster.localimages.recipes import DebianRecipe, ImageConfig

pytestmark = pytest.mark.unit


@pytest.fixture
def mmdebstrap_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    runs: list[list[str]] = []
    sources = tmp_path / "debian.sources"
    sources.write_text("Types: deb\n")

    def fake_run_step(argv: Sequence[str], log: Path, what: str, **_: object) -> str:
        runs.append(list(argv))
        Path(argv[-2]).write_text("tree")  # mmdebstrap's TARGET
        return ""

    monkeypatch.setattr(builders, "run_step", fake_run_step)
    monkeypatch.setattr(builders, "sources_file", lambda: sources)
    return runs


def test_a_tree_is_made_once_and_a_new_key_replaces_the_old(tmp_path: Path, mmdebstrap_runs: list[list[str]]) -> None:
    trees, debs, log = tmp_path / "rootfs", tmp_path / "debs", tmp_path / "log"
    first = builders.debian_rootfs(DebianRecipe(("nginx",), ImageConfig()), "nginx", trees, debs, log)
    again = builders.debian_rootfs(DebianRecipe(("nginx",), ImageConfig()), "nginx", trees, debs, log)
    assert first == again and first.is_file() and len(mmdebstrap_runs) == 1
    changed = builders.debian_rootfs(DebianRecipe(("nginx", "curl"), ImageConfig()), "nginx", trees, debs, log)
    assert changed != first and changed.is_file() and not first.exists()
    assert sorted(p.name for p in trees.iterdir()) == [changed.name]
    assert mmdebstrap_runs[-1][-1] == "-"  # apt sources come on stdin, never named
