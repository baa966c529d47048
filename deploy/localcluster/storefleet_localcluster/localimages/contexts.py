"""Build contexts of the two project images, made on the host so no build step needs the network:
npm installs from the committed lockfiles here (like ``make medusa-deps``), and the storefront SPA is
built here by Vite. Also what their content hashes cover: the sources and lockfiles, never the
installed ``node_modules`` (the lockfile pins them) or a build output.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path

from .builders import remove_tree, run_step
from .hashing import InputSet

# Same stamp file and meaning as tests/medusa/npm_once.py, so tests and images share one install.
NPM_STAMP = ".storefleet-lockfile.sha256"


def _lockfile_hash(project: Path) -> str:
    return hashlib.sha256((project / "package-lock.json").read_bytes()).hexdigest()


def npm_ci_once(project: Path, log: Path) -> None:
    """``npm ci`` in ``project`` unless node_modules already matches its lockfile."""
    stamp = project / "node_modules" / NPM_STAMP
    if stamp.is_file() and stamp.read_text().strip() == _lockfile_hash(project):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH: the local images install npm packages on the host (Node.js 20)")
    run_step([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], log, f"npm ci in {project}", cwd=project)
    stamp.write_text(_lockfile_hash(project) + "\n")


def medusa_inputs(project: Path, inputs: InputSet) -> None:
    for name in ("package.json", "package-lock.json", "medusa-config.js"):
        inputs.add_file(name, project / name)
    inputs.add_tree("data", project / "data")
    inputs.add_tree("bin", project / "bin")


def medusa_context(project: Path, stage: Path, log: Path) -> Path:
    """deploy/images/medusa with node_modules installed from its lockfile, staged (hard links) without
    the directory's .dockerignore, which keeps node_modules out of upstream builds that run npm ci."""
    npm_ci_once(project, log)
    remove_tree(stage)
    stage.mkdir(parents=True)
    for name in ("package.json", "package-lock.json", "medusa-config.js"):
        os.link(project / name, stage / name)
    for name in ("data", "bin", "node_modules"):
        shutil.copytree(project / name, stage / name, symlinks=True, copy_function=os.link)
    return stage


def storefront_inputs(repo_root: Path, inputs: InputSet) -> None:
    inputs.add_tree("storefront-medusa", repo_root / "storefront-medusa")
    inputs.add_file("default.conf.template", repo_root / "deploy/images/storefront/default.conf.template")


def storefront_context(repo_root: Path, stage: Path, log: Path) -> Path:
    """A directory laid out like the repository root, holding only what the Dockerfile copies with
    DIST=prebuilt: the built SPA, the config renderer and the nginx template."""
    project = repo_root / "storefront-medusa"
    npm_ci_once(project, log)
    remove_tree(stage)
    (stage / "deploy/images/storefront").mkdir(parents=True)
    (stage / "storefront-medusa/docker").mkdir(parents=True)
    vite = project / "node_modules" / ".bin" / "vite"
    out = stage / "storefront-medusa" / "dist"
    run_step([str(vite), "build", "--outDir", str(out), "--emptyOutDir"], log, "vite build", cwd=project)
    shutil.copy2(project / "docker" / "render-config.sh", stage / "storefront-medusa/docker/render-config.sh")
    shutil.copy2(
        repo_root / "deploy/images/storefront/default.conf.template",
        stage / "deploy/images/storefront/default.conf.template",
    )
    return stage
