"""Content-addressed image cache: an image whose inputs are unchanged is never built again.

Layout under the cache directory (``$STOREFLEET_CACHE/images`` or ``~/.cache/storefleet/images``)::

    <name>/<tag>/image.oci.tar   the image, ready for ``ctr images import``
    <name>/<tag>/inputs.txt      the input lines the tag was computed from
    <name>/<tag>/build.json      image id, build seconds, archive size
    logs/<name>-<tag>.log        the build's output
    debs/                        downloaded Debian packages, shared by every mmdebstrap run
    rootfs/<role>-<key>.tar      the last mmdebstrap tree of each Debian image (a script change
                                 rebuilds the image from it in seconds)
    work/<role>/                 scratch space of a build

The orchestration is pure over a ``Backend`` (what actually builds), so tests drive it with a fake.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

from .hashing import InputSet, changed_inputs
from .recipes import DebianRecipe, DockerfileRecipe, ImageSpec, StaticRecipe

# Bumped when the way images are assembled changes, so every cached image is rebuilt once.
BUILDER_REVISION = "1"
ARCHIVE = "image.oci.tar"


@dataclass(frozen=True)
class BuiltImage:
    """One image in the cache. ``reused`` is true when nothing was built this time."""

    role: str
    repository: str
    tag: str
    archive: Path
    image_id: str
    size_bytes: int
    reused: bool
    seconds: float

    @property
    def ref(self) -> str:
        return f"{self.repository}:{self.tag}"


class Backend(Protocol):
    """What builds: ``BuildahBackend`` on a real machine, a recording fake in unit tests."""

    def add_inputs(self, spec: ImageSpec, inputs: InputSet) -> None: ...

    def build(self, spec: ImageSpec, ref: str, parents: dict[str, str], work: Path, log: Path) -> str: ...

    def save(self, ref: str, archive: Path, log: Path) -> None: ...

    def ensure_loaded(self, ref: str, archive: Path, log: Path) -> None: ...


def default_cache_dir() -> Path:
    root = os.environ.get("STOREFLEET_CACHE")
    base = Path(root) if root else Path.home() / ".cache" / "storefleet"
    return base / "images"


def recipe_text(spec: ImageSpec, repo_root: Path) -> str:
    """The recipe as canonical JSON, host paths made relative to the repository (file contents are
    separate inputs), so the same checkout anywhere gives the same tags."""

    def portable(value: object) -> object:
        if isinstance(value, Path):
            return value.relative_to(repo_root).as_posix() if value.is_relative_to(repo_root) else value.name
        if isinstance(value, dict):
            return {k: portable(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [portable(v) for v in value]
        return value

    body = {"role": spec.role, "name": spec.name, "version": spec.version, "parents": list(spec.parents),
            "kind": type(spec.recipe).__name__, "recipe": portable(asdict(spec.recipe))}  # fmt: skip
    return json.dumps(body, sort_keys=True)


def spec_inputs(spec: ImageSpec, repo_root: Path, parent_tags: dict[str, str], backend: Backend) -> InputSet:
    inputs = InputSet()
    inputs.add_text("builder", BUILDER_REVISION)
    inputs.add_text("recipe", recipe_text(spec, repo_root))
    for role, tag in parent_tags.items():
        inputs.add_image(role, tag)
    recipe = spec.recipe
    if isinstance(recipe, DebianRecipe):
        for copy in recipe.copies:
            inputs.add_file(f"copy:{copy.dest}", copy.source)
    elif isinstance(recipe, StaticRecipe):
        inputs.add_file("source", recipe.source)
    elif isinstance(recipe, DockerfileRecipe):
        inputs.add_file("Dockerfile", recipe.dockerfile)
    backend.add_inputs(spec, inputs)
    return inputs


@contextmanager
def locked(cache_dir: Path) -> Iterator[None]:
    """One build at a time per cache (two helpers may share ~/.cache)."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    with (cache_dir / ".lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def build_all(
    specs: Sequence[ImageSpec],
    cache_dir: Path,
    repo_root: Path,
    backend: Backend,
    *,
    rebuild: Sequence[str] = (),
    progress: Callable[[str], None] = lambda _: None,
) -> dict[str, BuiltImage]:
    """Build (or reuse) every spec in order; a spec's parents must come before it."""
    built: dict[str, BuiltImage] = {}
    with locked(cache_dir):
        for spec in specs:
            missing = [role for role in spec.parents if role not in built]
            if missing:
                raise ValueError(f"image {spec.role} needs {missing} built first: list its parents before it")
            parents = {role: built[role] for role in spec.parents}
            built[spec.role] = _build_one(spec, cache_dir, repo_root, backend, parents, spec.role in rebuild, progress)
    return built


def _build_one(
    spec: ImageSpec,
    cache_dir: Path,
    repo_root: Path,
    backend: Backend,
    parents: dict[str, BuiltImage],
    force: bool,
    progress: Callable[[str], None],
) -> BuiltImage:
    started = time.monotonic()
    inputs = spec_inputs(spec, repo_root, {role: image.tag for role, image in parents.items()}, backend)
    tag = f"{spec.version}-{inputs.digest()}"
    ref = f"{spec.repository}:{tag}"
    home = cache_dir / spec.name / tag
    archive = home / ARCHIVE
    record = home / "build.json"
    if record.is_file() and archive.is_file() and not force:
        saved = json.loads(record.read_text())
        image = BuiltImage(spec.role, spec.repository, tag, archive, saved["image_id"], archive.stat().st_size,
                           reused=True, seconds=time.monotonic() - started)  # fmt: skip
        progress(f"{spec.role}: reused {ref} ({image.size_bytes / 1e6:.0f} MB)")
        return image
    progress(f"{spec.role}: building {ref}" + _why(cache_dir / spec.name, inputs.manifest()))
    log = cache_dir / "logs" / f"{spec.name}-{tag}.log"
    log.unlink(missing_ok=True)
    for parent in parents.values():
        backend.ensure_loaded(parent.ref, parent.archive, log)
    work = cache_dir / "work" / spec.role
    work.mkdir(parents=True, exist_ok=True)
    image_id = backend.build(spec, ref, {role: image.ref for role, image in parents.items()}, work, log)
    home.mkdir(parents=True, exist_ok=True)
    backend.save(ref, archive, log)
    (home / "inputs.txt").write_text(inputs.manifest())
    seconds = time.monotonic() - started
    size = archive.stat().st_size
    record.write_text(json.dumps({"ref": ref, "image_id": image_id, "build_seconds": round(seconds, 1),
                                  "archive_bytes": size, "built_at": time.time()}, indent=2))  # fmt: skip
    progress(f"{spec.role}: built {ref} in {seconds:.0f} s ({size / 1e6:.0f} MB)")
    return BuiltImage(spec.role, spec.repository, tag, archive, image_id, size, reused=False, seconds=seconds)


def _why(name_dir: Path, manifest: str) -> str:
    """Which inputs differ from the newest cached build of the same image, for the build log."""
    previous = sorted(name_dir.glob("*/inputs.txt"), key=lambda p: p.stat().st_mtime)
    if not previous:
        return " (first build)"
    changed = changed_inputs(previous[-1].read_text(), manifest)
    if not changed:
        return " (forced)"
    shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
    return f" (changed: {shown})"
