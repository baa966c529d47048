"""Content-hash caching of the local images, driven through a recording fake of buildah.

What a person notices: an unchanged checkout builds nothing the second time; changing one image's
input rebuilds that image and the images built on it, and nothing else.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from storefleet_localcluster.localimages.cache import build_all
from storefleet_localcluster.localimages.hashing import InputSet, changed_inputs
from storefleet_localcluster.localimages.recipes import (
    Copy,
    DebianRecipe,
    DockerfileRecipe,
    ImageConfig,
    ImageSpec,
    StaticRecipe,
)

pytestmark = pytest.mark.unit


@dataclass
class FakeBackend:
    """Writes an archive per image and records what it was asked to build and load."""

    extra_inputs: dict[str, str] = field(default_factory=dict)
    built: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    parents_seen: dict[str, dict[str, str]] = field(default_factory=dict)

    def add_inputs(self, spec: ImageSpec, inputs: InputSet) -> None:
        if spec.role in self.extra_inputs:
            inputs.add_text("context", self.extra_inputs[spec.role])

    def build(self, spec: ImageSpec, ref: str, parents: dict[str, str], work: Path, log: Path) -> str:
        self.built.append(spec.role)
        self.parents_seen[spec.role] = parents
        return f"sha256:{spec.role}"

    def save(self, ref: str, archive: Path, log: Path) -> None:
        archive.write_text(ref)

    def ensure_loaded(self, ref: str, archive: Path, log: Path) -> None:
        self.loaded.append(ref)


def make_specs(root: Path) -> list[ImageSpec]:
    for name, text in {"pause.c": "int main(void){}", "node": "node-v20", "Dockerfile": "FROM x"}.items():
        if not (root / name).exists():
            (root / name).write_text(text)
    base = ImageSpec(
        "base", "node-base", "bookworm",
        DebianRecipe(("libstdc++6",), ImageConfig(), copies=(Copy(root / "node", "/usr/local/bin/node"),)),
    )  # fmt: skip
    pause = ImageSpec("pause", "pause", "1", StaticRecipe(root / "pause.c", "/pause", ImageConfig()))
    postgres = ImageSpec("postgres", "postgres", "15", DebianRecipe(packages=("postgresql-15",), config=ImageConfig()))
    medusa = ImageSpec(
        "medusa", "medusa", "1.20.11",
        DockerfileRecipe(root / "Dockerfile", "medusa", parent_args=(("BASE", "base"),)), parents=("base",),
    )  # fmt: skip
    return [base, pause, postgres, medusa]


def test_second_build_with_unchanged_inputs_builds_nothing(tmp_path: Path) -> None:
    specs, cache = make_specs(tmp_path), tmp_path / "cache"
    first = FakeBackend()
    built = build_all(specs, cache, tmp_path, first)
    assert first.built == ["base", "pause", "postgres", "medusa"]
    assert not any(image.reused for image in built.values())

    again = FakeBackend()
    reused = build_all(make_specs(tmp_path), cache, tmp_path, again)
    assert again.built == []
    assert all(image.reused for image in reused.values())
    assert {r: i.ref for r, i in reused.items()} == {r: i.ref for r, i in built.items()}


@pytest.mark.parametrize(
    ("change", "rebuilt"),
    [
        pytest.param(
            lambda root: (root / "pause.c").write_text("int main(void){return 1;}"), ["pause"], id="pause-source"
        ),
        pytest.param(lambda root: (root / "Dockerfile").write_text("FROM y"), ["medusa"], id="medusa-dockerfile"),
        pytest.param(
            lambda root: (root / "node").write_text("node-v20.1"), ["base", "medusa"], id="base-copy-and-child"
        ),
    ],
)
def test_a_changed_input_rebuilds_that_image_and_its_children_only(tmp_path: Path, change, rebuilt) -> None:  # type: ignore[no-untyped-def]
    cache = tmp_path / "cache"
    before = build_all(make_specs(tmp_path), cache, tmp_path, FakeBackend())
    change(tmp_path)
    backend = FakeBackend()
    after = build_all(make_specs(tmp_path), cache, tmp_path, backend)
    assert backend.built == rebuilt
    for role, image in after.items():
        assert (image.tag != before[role].tag) == (role in rebuilt), role
        assert image.reused == (role not in rebuilt)


def test_a_changed_context_rebuilds_only_that_image(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_all(make_specs(tmp_path), cache, tmp_path, FakeBackend(extra_inputs={"medusa": "lock-1"}))
    backend = FakeBackend(extra_inputs={"medusa": "lock-2"})
    build_all(make_specs(tmp_path), cache, tmp_path, backend)
    assert backend.built == ["medusa"]


def test_a_changed_package_list_changes_the_tag(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    specs = make_specs(tmp_path)
    before = build_all(specs, cache, tmp_path, FakeBackend())
    postgres = specs[2]
    specs[2] = ImageSpec(
        "postgres", "postgres", "15", DebianRecipe(packages=("postgresql-15", "less"), config=ImageConfig())
    )
    backend = FakeBackend()
    after = build_all(specs, cache, tmp_path, backend)
    assert backend.built == ["postgres"]
    assert after["postgres"].tag != before[postgres.role].tag
    assert after["postgres"].tag.startswith("15-")


def test_children_build_from_the_parent_ref_and_it_is_loaded_first(tmp_path: Path) -> None:
    backend = FakeBackend()
    built = build_all(make_specs(tmp_path), tmp_path / "cache", tmp_path, backend)
    assert backend.parents_seen["medusa"] == {"base": built["base"].ref}
    assert backend.loaded == [built["base"].ref]


def test_rebuild_forces_one_image(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    build_all(make_specs(tmp_path), cache, tmp_path, FakeBackend())
    backend = FakeBackend()
    build_all(make_specs(tmp_path), cache, tmp_path, backend, rebuild=["postgres"])
    assert backend.built == ["postgres"]


def test_cache_records_inputs_and_build_facts(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    built = build_all(make_specs(tmp_path), cache, tmp_path, FakeBackend())
    pause = built["pause"]
    home = cache / "pause" / pause.tag
    assert pause.archive == home / "image.oci.tar"
    assert pause.ref == f"localhost/storefleet/pause:{pause.tag}"
    record = json.loads((home / "build.json").read_text())
    assert record["image_id"] == "sha256:pause"
    assert "file- source " in (home / "inputs.txt").read_text()


def test_parents_must_come_first(tmp_path: Path) -> None:
    specs = make_specs(tmp_path)
    with pytest.raises(ValueError, match="needs \\['base'\\] built first"):
        build_all([specs[3], specs[0]], tmp_path / "cache", tmp_path, FakeBackend())


def test_input_set_ignores_order_and_build_products(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.js").write_text("a")
    (tmp_path / "node_modules").mkdir()
    (tmp_path / "node_modules" / "x.js").write_text("x")
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "index.html").write_text("<html>")
    one, two = InputSet(), InputSet()
    one.add_tree("p", tmp_path)
    one.add_text("k", "v")
    two.add_text("k", "v")
    two.add_tree("p", tmp_path)
    assert one.digest() == two.digest()
    assert sorted(line.split()[1] for line in one.manifest().splitlines()) == ["k", "p/src/a.js"]
    (tmp_path / "node_modules" / "x.js").write_text("changed")
    three = InputSet()
    three.add_text("k", "v")
    three.add_tree("p", tmp_path)
    assert three.digest() == one.digest()


def test_changed_inputs_names_what_differs() -> None:
    old = "file Dockerfile aaa\nfile data/seed.json bbb\ntext recipe ccc\n"
    new = "file Dockerfile aaa\nfile data/seed.json bbb2\nfile bin/x ddd\n"
    assert changed_inputs(old, new) == ["bin/x", "data/seed.json", "recipe"]
