"""Container images for the local real node, built here from Debian packages and npm, no registry.

``build_local_images()`` builds (or reuses, by content hash) every image a Medusa store needs, plus
containerd's pause image and MariaDB, as OCI archives; ``import_images()`` loads them into a containerd;
the generated values file points the ``ecommerce-store`` chart at them with ``pullPolicy: Never``.

    python -m storefleet_localcluster.images build [--role medusa ...] [--rebuild ROLE ...]
    python -m storefleet_localcluster.images import --address /run/containerd/containerd.sock

Recipes live in ``localimages.recipes``, hashing and the cache in ``localimages.cache``, and every
mmdebstrap/buildah call in ``localimages.builders``.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .localimages import builders, contexts
from .localimages.cache import BuiltImage, build_all, default_cache_dir
from .localimages.hashing import InputSet
from .localimages.recipes import DebianRecipe, DockerfileRecipe, ImageSpec, StaticRecipe, default_specs
from .toolchain import REPO_ROOT

__all__ = [
    "MEDUSA_STORE_ROLES",
    "BuiltImage",
    "LocalImages",
    "build_local_images",
    "chart_values",
    "default_cache_dir",
    "import_images",
]

# Everything a Medusa store with its storefront runs (base also serves the chart's helm-test pod),
# plus MariaDB for a WooCommerce store whose WordPress image comes from elsewhere.
ALL_ROLES = ("base", "pause", "medusa", "postgres", "nginx", "storefront", "mariadb")
MEDUSA_STORE_ROLES = ("base", "pause", "postgres", "nginx", "medusa", "storefront")
VALUES_FILE = "values-localimages.yaml"
# The database images run as uid/gid 999, like the upstream Debian-based postgres and mariadb.
DB_UID = 999


@dataclass(frozen=True)
class LocalImages:
    """What ``build_local_images`` made: images by role and the chart values file naming them."""

    images: Mapping[str, BuiltImage]
    values_file: Path

    def ref(self, role: str) -> str:
        return self.images[role].ref

    @property
    def archives(self) -> list[Path]:
        return [image.archive for image in self.images.values()]


class BuildahBackend:
    """Builds with mmdebstrap, gcc and buildah (root, Linux); see ``localimages.builders``."""

    def __init__(self, repo_root: Path, cache_dir: Path) -> None:
        self.repo_root = repo_root
        self.cache_dir = cache_dir

    def add_inputs(self, spec: ImageSpec, inputs: InputSet) -> None:
        recipe = spec.recipe
        if isinstance(recipe, DebianRecipe):
            inputs.add_file("apt-sources", builders.sources_file())
        elif isinstance(recipe, DockerfileRecipe) and recipe.context == "medusa":
            contexts.medusa_inputs(recipe.dockerfile.parent, inputs)
        elif isinstance(recipe, DockerfileRecipe):
            contexts.storefront_inputs(self.repo_root, inputs)

    def build(self, spec: ImageSpec, ref: str, parents: dict[str, str], work: Path, log: Path) -> str:
        labels = {"org.opencontainers.image.title": f"storefleet {spec.name}", "io.storefleet.role": spec.role}
        recipe = spec.recipe
        if isinstance(recipe, DebianRecipe):
            debs, trees = self.cache_dir / "debs", self.cache_dir / "rootfs"
            rootfs = builders.debian_rootfs(recipe, spec.role, trees, debs, log)
            return builders.build_debian(recipe, ref, rootfs, log, labels)
        if isinstance(recipe, StaticRecipe):
            return builders.build_static(recipe, ref, work, log, labels)
        if recipe.context == "medusa":
            context = contexts.medusa_context(recipe.dockerfile.parent, work / "context", log)
        else:
            context = contexts.storefront_context(self.repo_root, work / "context", log)
        args = dict(recipe.build_args) | {arg: parents[role] for arg, role in recipe.parent_args}
        return builders.build_dockerfile(recipe, ref, context, args, log, labels)

    def save(self, ref: str, archive: Path, log: Path) -> None:
        builders.save_archive(ref, archive, log)

    def ensure_loaded(self, ref: str, archive: Path, log: Path) -> None:
        if not builders.image_present(ref):
            builders.load_archive(ref, archive, log)


def _image_values(image: BuiltImage) -> dict[str, str]:
    return {"repository": image.repository, "tag": image.tag, "pullPolicy": "Never"}


def chart_values(images: Mapping[str, BuiltImage]) -> dict[str, Any]:
    """Values for helm/ecommerce-store that run a store from these images and never pull one.

    Repositories carry their ``localhost/`` host, so ``global.imageRegistry`` stays empty. The
    PostgreSQL image runs as uid 999 (the chart's default of 70 is the Alpine upstream's), so its
    security context follows the image. WordPress and WP-CLI have no local image; they keep theirs.
    """
    values: dict[str, Any] = {"global": {"imageRegistry": ""}}
    medusa: dict[str, Any] = {}
    if "medusa" in images:
        medusa["image"] = _image_values(images["medusa"])
    if "storefront" in images:
        medusa["storefront"] = {"image": _image_values(images["storefront"])}
    if "postgres" in images:
        medusa["postgres"] = {
            "image": _image_values(images["postgres"]),
            "podSecurityContext": {"fsGroup": DB_UID},
            "containerSecurityContext": {"runAsUser": DB_UID, "runAsGroup": DB_UID},
        }
    if medusa:
        values["medusa"] = medusa
    if "mariadb" in images:
        values["woocommerce"] = {
            "mariadb": {
                "image": _image_values(images["mariadb"]),
                "podSecurityContext": {"fsGroup": DB_UID},
                "containerSecurityContext": {"runAsUser": DB_UID, "runAsGroup": DB_UID},
            }
        }
    if "base" in images:
        values["tests"] = {"image": _image_values(images["base"])}
    return values


def write_values_file(images: Mapping[str, BuiltImage], path: Path) -> Path:
    header = (
        "# Generated by storefleet_localcluster.images: the chart's images for the local real node,\n"
        "# built here and imported into containerd (never pulled). Layer it after values-local.yaml.\n"
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(header + yaml.safe_dump(chart_values(images), sort_keys=True))
    return path


def build_local_images(
    cache_dir: Path | None = None,
    *,
    roles: Sequence[str] = ALL_ROLES,
    rebuild: Sequence[str] = (),
    repo_root: Path = REPO_ROOT,
    progress: Callable[[str], None] = lambda _: None,
) -> LocalImages:
    """Build or reuse the images of ``roles`` (and their parents); write the chart values file."""
    cache = (cache_dir or default_cache_dir()).resolve()
    node = shutil.which("node")
    if node is None:
        raise RuntimeError("node is not on PATH: the local base image carries the host's Node.js 20")
    specs = default_specs(repo_root, Path(node).resolve())
    wanted = roles_with_parents(specs, roles)
    chosen = [spec for spec in specs if spec.role in wanted]
    built = build_all(chosen, cache, repo_root, BuildahBackend(repo_root, cache), rebuild=rebuild, progress=progress)
    return LocalImages(images=built, values_file=write_values_file(built, cache / VALUES_FILE))


def roles_with_parents(specs: Sequence[ImageSpec], roles: Sequence[str]) -> set[str]:
    by_role = {spec.role: spec for spec in specs}
    unknown = sorted(set(roles) - by_role.keys())
    if unknown:
        raise ValueError(f"unknown image roles {unknown}; known: {sorted(by_role)}")
    wanted: set[str] = set()
    pending = list(roles)
    while pending:
        role = pending.pop()
        if role not in wanted:
            wanted.add(role)
            pending.extend(by_role[role].parents)
    return wanted


def import_images(
    images: LocalImages,
    containerd_address: str | Path,
    namespace: str = "k8s.io",
    ctr: str = "ctr",
    roles: Sequence[str] | None = None,
) -> list[str]:
    """Import every archive not yet in that containerd namespace; return the refs imported."""
    base = [ctr, "--address", str(containerd_address), "--namespace", namespace]
    listed = subprocess.run([*base, "images", "list", "--quiet"], capture_output=True, text=True, check=False)
    if listed.returncode != 0:
        raise RuntimeError(f"cannot list images in containerd at {containerd_address}: {listed.stderr.strip()}")
    present = set(listed.stdout.split())
    imported: list[str] = []
    for role, image in images.images.items():
        if (roles is not None and role not in roles) or image.ref in present:
            continue
        result = subprocess.run(
            [*base, "images", "import", str(image.archive)],
            capture_output=True, text=True, check=False, timeout=900,
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"ctr import of {image.ref} ({image.archive}) failed: {result.stderr.strip()}")
        imported.append(image.ref)
    return imported


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m storefleet_localcluster.images")
    parser.add_argument("--cache", type=Path, default=None, help="cache directory (default ~/.cache/storefleet/images)")
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="build or reuse the local images; print what and how long")
    build.add_argument("--role", action="append", choices=ALL_ROLES, help="only these images (and parents)")
    build.add_argument("--rebuild", action="append", default=[], choices=ALL_ROLES, help="build again anyway")
    load = sub.add_parser("import", help="build or reuse, then import into a containerd")
    load.add_argument("--address", required=True, help="containerd socket")
    load.add_argument("--namespace", default="k8s.io")
    args = parser.parse_args(argv)
    started = time.monotonic()
    images = build_local_images(
        args.cache, roles=tuple(getattr(args, "role", None) or ALL_ROLES), rebuild=getattr(args, "rebuild", ()),
        progress=lambda line: print(line, flush=True),
    )  # fmt: skip
    print(f"values file: {images.values_file}")
    for image in images.images.values():
        state = "reused" if image.reused else "built"
        print(f"  {image.role:<11} {state:<6} {image.seconds:6.1f} s {image.size_bytes / 1e6:7.1f} MB  {image.ref}")
    if args.command == "import":
        for ref in import_images(images, args.address, args.namespace):
            print(f"imported {ref}")
    print(f"done in {time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
