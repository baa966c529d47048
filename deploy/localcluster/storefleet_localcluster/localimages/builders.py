"""The only module that runs mmdebstrap, gcc and buildah: each function turns one recipe into an image
in buildah's local storage and returns its image id. Long steps run under ``nice`` (builds share the
machine with tests); output goes to a log file whose tail is put in the error when a step fails.
"""

from __future__ import annotations

import hashlib
import json
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from .recipes import DPKG_EXCLUDES, SUITE, DebianRecipe, DockerfileRecipe, ImageConfig, StaticRecipe

HOST_SOURCES = Path("/etc/apt/sources.list.d/debian.sources")
STEP_TIMEOUT = 3600


class ImageBuildError(RuntimeError):
    """A build step failed; the message names the image, the step and the end of its log."""


def run_step(argv: Sequence[str], log: Path, what: str, *, stdin: Path | None = None, cwd: Path | None = None) -> str:
    """Run one build command (argv list, never a shell), appending its output to ``log``; return stdout."""
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as out:
        out.write(f"$ {shlex.join(argv)}\n".encode())
        out.flush()
        stdin_stream = stdin.open("rb") if stdin else subprocess.DEVNULL
        try:
            result = subprocess.run(
                ["nice", "-n", "10", *argv], stdin=stdin_stream, stdout=subprocess.PIPE, stderr=out,
                cwd=cwd, timeout=STEP_TIMEOUT, check=False,
            )  # fmt: skip
        finally:
            if stdin and not isinstance(stdin_stream, int):
                stdin_stream.close()
        out.write(result.stdout)
    if result.returncode != 0:
        tail = log.read_text(errors="replace")[-2500:]
        raise ImageBuildError(f"{what} failed (exit {result.returncode}); log {log}:\n{tail}")
    return result.stdout.decode(errors="replace").strip()


def sources_file() -> Path:
    """The host's deb822 apt sources, handed to mmdebstrap on stdin: the images use whatever the host
    uses, and no mirror is written down anywhere in the project."""
    if HOST_SOURCES.is_file():
        return HOST_SOURCES
    found = sorted(Path("/etc/apt/sources.list.d").glob("*.sources"))
    if not found:
        raise ImageBuildError("no deb822 apt sources in /etc/apt/sources.list.d: mmdebstrap needs the host's")
    return found[0]


def _config_args(config: ImageConfig) -> list[str]:
    args: list[str] = []
    if config.entrypoint:
        args += ["--entrypoint", json.dumps(list(config.entrypoint))]
    if config.cmd:
        args += ["--cmd", json.dumps(list(config.cmd))]
    if config.user:
        args += ["--user", config.user]
    if config.workdir:
        args += ["--workingdir", config.workdir]
    for key, value in config.env:
        args += ["--env", f"{key}={value}"]
    for port in config.ports:
        args += ["--port", f"{port}/tcp"]
    if config.stop_signal:
        args += ["--stop-signal", config.stop_signal]
    return args


def _commit(container: str, config: ImageConfig, ref: str, log: Path, labels: dict[str, str]) -> str:
    label_args = [arg for key, value in labels.items() for arg in ("--label", f"{key}={value}")]
    run_step(["buildah", "config", *_config_args(config), *label_args, container], log, f"configure {ref}")
    with tempfile.TemporaryDirectory() as tmp:
        iid = Path(tmp) / "iid"
        run_step(
            ["buildah", "commit", "--quiet", "--format", "oci", "--rm", "--iidfile", str(iid), container, ref],
            log, f"commit {ref}",
        )  # fmt: skip
        return iid.read_text().strip()


def _user_hook(recipe: DebianRecipe) -> list[str]:
    """Append users to the fresh tree's passwd/group before the packages' scripts run (mmdebstrap's
    essential hook runs after the Essential:yes set, which makes /etc/passwd, and before the rest)."""
    hooks: list[str] = []
    for user in recipe.users:
        passwd = f"{user.name}:x:{user.uid}:{user.uid}::{user.home}:{user.shell}"
        group = f"{user.name}:x:{user.uid}:"
        hooks.append(
            f'printf "%s\\n" {shlex.quote(passwd)} >> "$1/etc/passwd" && '
            f'printf "%s\\n" {shlex.quote(group)} >> "$1/etc/group"'
        )
    return hooks


def _rootfs_key(argv: Sequence[str]) -> str:
    """What a Debian tree depends on: the mmdebstrap arguments (packages, users, hooks) and the apt
    sources. Scripts copied on top are not part of it, so changing one reuses the tree."""
    digest = hashlib.sha256("\0".join(argv).encode())
    digest.update(sources_file().read_bytes())
    return digest.hexdigest()[:16]


def debian_rootfs(recipe: DebianRecipe, role: str, rootfs_cache: Path, deb_cache: Path, log: Path) -> Path:
    """A minbase tree with the recipe's packages as a tarball, made by mmdebstrap once per key."""
    deb_cache.mkdir(parents=True, exist_ok=True)
    rootfs_cache.mkdir(parents=True, exist_ok=True)
    options = [
        "--quiet", "--mode=root", "--variant=minbase", "--format=tar",
        f"--include={','.join(recipe.packages)}",
        *(f"--dpkgopt={opt}" for opt in DPKG_EXCLUDES),
        *(f"--essential-hook={hook}" for hook in _user_hook(recipe)),
        *(f"--customize-hook={hook}" for hook in recipe.customize),
    ]  # fmt: skip
    rootfs = rootfs_cache / f"{role}-{_rootfs_key(options)}.tar"
    if rootfs.is_file():
        return rootfs
    partial = rootfs.with_name(rootfs.name + ".partial")  # not matched by the pruning glob below
    argv = [
        "mmdebstrap", *options,
        # Downloaded .debs are kept between builds (mmdebstrap's documented cache idiom), so a rebuild
        # fetches only what changed upstream.
        "--skip=download/empty", "--skip=essential/unlink",
        '--setup-hook=mkdir -p "$1/var/cache/apt/archives/"',
        f"--setup-hook=sync-in {deb_cache} /var/cache/apt/archives/",
        f"--customize-hook=sync-out /var/cache/apt/archives {deb_cache}",
        SUITE, str(partial), "-",
    ]  # fmt: skip
    run_step(argv, log, f"mmdebstrap for {role}", stdin=sources_file())
    for old in rootfs_cache.glob(f"{role}-*.tar"):
        old.unlink()
    partial.replace(rootfs)
    return rootfs


def build_debian(recipe: DebianRecipe, ref: str, rootfs: Path, log: Path, labels: dict[str, str]) -> str:
    """One buildah layer of the Debian tree, plus the recipe's copies and image config."""
    container = run_step(["buildah", "from", "--quiet", "scratch"], log, f"new container for {ref}")
    try:
        run_step(["buildah", "add", "--quiet", container, str(rootfs), "/"], log, f"add rootfs to {ref}")
        for copy in recipe.copies:
            run_step(
                ["buildah", "copy", "--quiet", "--chmod", f"{copy.mode:o}", container, str(copy.source), copy.dest],
                log, f"copy {copy.source} into {ref}",
            )  # fmt: skip
        return _commit(container, recipe.config, ref, log, labels)
    except BaseException:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
        raise


def build_static(recipe: StaticRecipe, ref: str, work: Path, log: Path, labels: dict[str, str]) -> str:
    binary = work / Path(recipe.dest).name
    run_step(["gcc", "-static", "-O2", "-Wall", "-Wextra", "-s", "-o", str(binary), str(recipe.source)], log, "gcc")
    container = run_step(["buildah", "from", "--quiet", "scratch"], log, f"new container for {ref}")
    try:
        run_step(["buildah", "copy", "--quiet", "--chmod", "755", container, str(binary), recipe.dest], log, "copy")
        return _commit(container, recipe.config, ref, log, labels)
    except BaseException:
        subprocess.run(["buildah", "rm", container], capture_output=True, check=False)
        raise


def build_dockerfile(
    recipe: DockerfileRecipe, ref: str, context: Path, build_args: dict[str, str], log: Path, labels: dict[str, str]
) -> str:
    """``buildah bud`` of a project Dockerfile; RUN steps run in runc with no network (none needs it)."""
    with tempfile.TemporaryDirectory() as tmp:
        iid = Path(tmp) / "iid"
        # The staged contexts hold exactly what the build copies; the Dockerfile's own .dockerignore
        # (written for upstream builds, it leaves prebuilt outputs out) must not apply to them.
        no_ignores = Path(tmp) / "ignore"
        no_ignores.write_text("")
        argv = ["buildah", "bud", "--layers=false", "--network=none", "--pull=never", "--iidfile", str(iid)]
        argv += ["--ignorefile", str(no_ignores)]
        for key, value in build_args.items():
            argv += ["--build-arg", f"{key}={value}"]
        for key, value in labels.items():
            argv += ["--label", f"{key}={value}"]
        argv += ["-f", str(recipe.dockerfile), "-t", ref, str(context)]
        run_step(argv, log, f"buildah bud {recipe.dockerfile.parent.name}")
        return iid.read_text().strip()


def image_present(ref: str) -> bool:
    result = subprocess.run(["buildah", "inspect", "--type", "image", ref], capture_output=True, check=False)
    return result.returncode == 0


def save_archive(ref: str, archive: Path, log: Path) -> None:
    """An OCI archive whose ref.name is the full reference, for ``ctr images import``."""
    partial = archive.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    run_step(["buildah", "push", "--quiet", ref, f"oci-archive:{partial}:{ref}"], log, f"save {ref}")
    partial.replace(archive)


def load_archive(ref: str, archive: Path, log: Path) -> None:
    """Put a cached archive back into buildah's storage (a child image builds FROM it)."""
    image_id = run_step(["buildah", "pull", "--quiet", f"oci-archive:{archive}"], log, f"load {archive}")
    run_step(["buildah", "tag", image_id.splitlines()[-1], ref], log, f"tag {ref}")


def remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
