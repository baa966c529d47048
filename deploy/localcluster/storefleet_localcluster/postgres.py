"""A throwaway PostgreSQL 15 server from Debian's packages, on loopback, in a directory of its own.

The server runs as the ``postgres`` system user when the tests run as root (``initdb`` refuses root),
listens on 127.0.0.1 only with its socket inside the data directory, and is stopped and removed by the
caller. Passwords travel in files and on stdin, never in argv.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from storefleet_localcluster.cluster import free_port

PG_BIN = Path(os.environ.get("STOREFLEET_PG_BIN", "/usr/lib/postgresql/15/bin"))


def _as_owner(root: Path) -> dict[str, Any]:
    """subprocess arguments that run a command as the owner of ``root`` (``postgres`` under root)."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres", "extra_groups": []}


@dataclass
class Postgres:
    root: Path
    port: int

    @property
    def data(self) -> Path:
        return self.root / "data"

    @classmethod
    def start(cls, root: Path, superuser_password: str) -> Postgres:
        for tool in ("initdb", "pg_ctl", "postgres", "psql"):
            if not (PG_BIN / tool).exists() and not shutil.which(tool):
                raise RuntimeError(
                    f"{tool} not found in {PG_BIN}: install postgresql-15 (deploy/scripts/install-system-deps.sh)"
                )
        root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(root, entry.pw_uid, entry.pw_gid)
        root.chmod(0o700)
        pwfile = root / "pwfile"
        pwfile.write_text(superuser_password + "\n")
        if os.geteuid() == 0:
            os.chown(pwfile, pwd.getpwnam("postgres").pw_uid, -1)
        pg = cls(root=root, port=free_port())
        pg._run(
            str(PG_BIN / "initdb"), "-D", str(pg.data), "-U", "postgres", "-E", "UTF8", "--locale=C",
            "--auth-local=trust", "--auth-host=scram-sha-256", f"--pwfile={pwfile}",
        )  # fmt: skip
        pwfile.unlink()
        options = f"-h 127.0.0.1 -p {pg.port} -k {root} -c fsync=off -c full_page_writes=off"
        pg._run(str(PG_BIN / "pg_ctl"), "-D", str(pg.data), "-l", str(root / "postgres.log"), "-o", options,
                "-w", "-t", "60", "start")  # fmt: skip
        return pg

    def _run(self, *argv: str, stdin: str | None = None) -> str:
        result = subprocess.run(
            argv, input=stdin, capture_output=True, text=True, timeout=120, check=False, cwd=self.root,
            **_as_owner(self.root),
        )  # fmt: skip
        if result.returncode != 0:
            raise RuntimeError(f"{Path(argv[0]).name} failed (exit {result.returncode}): {result.stderr[-2000:]}")
        return str(result.stdout)

    def sql(self, statements: str, database: str = "postgres") -> str:
        """Run SQL over the local socket as the superuser; the SQL goes on stdin."""
        psql = PG_BIN / "psql" if (PG_BIN / "psql").exists() else Path(shutil.which("psql") or "psql")
        return self._run(
            str(psql), "-X", "-q", "-t", "-A", "-v", "ON_ERROR_STOP=1", "-h", str(self.root), "-p", str(self.port),
            "-U", "postgres", "-d", database, stdin=statements,
        )  # fmt: skip

    def create_owned_database(self, name: str, role: str, password: str) -> str:
        """A role that owns a new database (Medusa's migrations CREATE EXTENSION in it); its URL."""
        quoted = password.replace("'", "''")
        self.sql(f"CREATE ROLE {role} LOGIN PASSWORD '{quoted}';\nCREATE DATABASE {name} OWNER {role};\n")
        return f"postgres://{role}:{password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            subprocess.run(
                [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"],
                capture_output=True, timeout=60, check=False, **_as_owner(self.root),
            )  # fmt: skip
