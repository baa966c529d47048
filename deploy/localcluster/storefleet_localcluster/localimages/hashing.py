"""Content hashes of an image's inputs: the tag of an image is the hash of everything it is built from.

An input set is a sorted list of lines ``<kind> <name> <sha256>``; the image tag is a prefix of the
sha256 of those lines. The lines are kept beside the cached archive, so ``explain`` can say which
input changed when an image is rebuilt.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path

# Directories that are build products or tool state, never inputs of an image.
SKIPPED_DIRS = frozenset({"node_modules", "dist", ".git", "test-results", "playwright-report", "coverage", ".vite"})
TAG_HEX_DIGITS = 16


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def text_sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def tree_files(root: Path) -> list[Path]:
    """Every file under ``root`` (symlinks as links), sorted, skipping build products."""
    found: list[Path] = []
    for current, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIPPED_DIRS)
        found.extend(Path(current) / name for name in files)
    return sorted(found)


@dataclass
class InputSet:
    """What one image is built from; ``tag`` is stable for an unchanged set, whatever the order added."""

    lines: set[str] = field(default_factory=set)

    def add_text(self, name: str, text: str) -> None:
        self.lines.add(f"text {name} {text_sha256(text)}")

    def add_file(self, name: str, path: Path) -> None:
        mode = "x" if os.access(path, os.X_OK) else "-"
        self.lines.add(f"file{mode} {name} {file_sha256(path)}")

    def add_tree(self, name: str, root: Path) -> None:
        for path in tree_files(root):
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                self.add_text(f"{name}/{rel}@link", str(path.readlink()))
            else:
                self.add_file(f"{name}/{rel}", path)

    def add_image(self, role: str, tag: str) -> None:
        """A parent image, by its own content tag (which already covers all of its inputs)."""
        self.lines.add(f"image {role} {tag}")

    def manifest(self) -> str:
        return "".join(f"{line}\n" for line in sorted(self.lines))

    def digest(self) -> str:
        return text_sha256(self.manifest())[:TAG_HEX_DIGITS]


def changed_inputs(old_manifest: str, new_manifest: str) -> list[str]:
    """Names of inputs added, removed or changed between two manifests (for build logs)."""

    def by_name(manifest: str) -> dict[str, str]:
        entries: dict[str, str] = {}
        for line in manifest.splitlines():
            kind, rest = line.split(" ", 1)
            name, digest = rest.rsplit(" ", 1)
            entries[name] = f"{kind} {digest}"
        return entries

    old, new = by_name(old_manifest), by_name(new_manifest)
    return sorted(name for name in old.keys() | new.keys() if old.get(name) != new.get(name))
