"""Install an npm project from its committed lockfile once, and again only when the lockfile changes.

``npm ci`` deletes and rebuilds ``node_modules`` every time (about a minute for Medusa), so a stamp
holding the lockfile's SHA-256 is written into ``node_modules`` after a successful install; a matching
stamp means the tree is exactly what the lockfile pins. Used by the Makefile targets
(``python tests/medusa/npm_once.py <dir>``) and by the test fixtures, so both install the same way.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import time
from pathlib import Path

STAMP = ".storefleet-lockfile.sha256"


def lockfile_hash(project: Path) -> str:
    return hashlib.sha256((project / "package-lock.json").read_bytes()).hexdigest()


def is_current(project: Path) -> bool:
    stamp = project / "node_modules" / STAMP
    return stamp.is_file() and stamp.read_text().strip() == lockfile_hash(project)


def npm_ci_once(project: Path) -> float | None:
    """Run ``npm ci`` in ``project`` unless its stamp matches; return the seconds it took, or None."""
    if is_current(project):
        return None
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is not on PATH: install Node.js 20 (deploy/scripts/install-system-deps.sh)")
    started = time.monotonic()
    result = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(f"npm ci in {project} failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    (project / "node_modules" / STAMP).write_text(lockfile_hash(project) + "\n")
    return time.monotonic() - started


def main(argv: list[str]) -> int:
    for arg in argv:
        took = npm_ci_once(Path(arg))
        print(f"{arg}: " + ("node_modules match the lockfile" if took is None else f"npm ci took {took:.0f} s"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
