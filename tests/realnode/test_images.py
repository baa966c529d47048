"""The local images really work: built here (mmdebstrap + buildah), imported into a private containerd
with ``ctr``, and run with runc in a network namespace of their own, the way a pod runs them.

- PostgreSQL initialises an empty PGDATA as uid 999 (the chart's runAsUser with the values file) and
  accepts a login with POSTGRES_PASSWORD (and refuses a wrong one);
- Medusa runs its migrations against it (``storefleet-medusa migrate``, the chart's init container),
  then starts and answers ``/health``;
- the storefront serves ``/``, renders its branding into ``/config.js`` and proxies ``/store`` to Medusa;
- the pause image runs and exits on SIGTERM; a second build builds nothing.

The containerd is private (its own root, state, socket and config with ``restrict_oom_score_adj``,
CRI off) and removed afterwards, so it never meets the real node's. Needs root, Linux, buildah,
mmdebstrap, containerd and the host's PostgreSQL client tools; a cold build takes many minutes.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import tempfile
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from storefleet_localcluster.images import MEDUSA_STORE_ROLES, LocalImages, build_local_images, import_images

pytestmark = [
    pytest.mark.realnode,
    pytest.mark.timeout(3600),
    pytest.mark.skipif(
        os.geteuid() != 0 or not all(shutil.which(t) for t in ("buildah", "mmdebstrap", "containerd", "ctr", "ip")),
        reason="needs root, buildah, mmdebstrap, containerd, ctr and ip",
    ),
]

NAMESPACE = "storefleet-image-test"
CONTAINERD_CONFIG = """\
version = 2
root = "{root}/root"
state = "{root}/state"
disabled_plugins = ["io.containerd.grpc.v1.cri"]

[grpc]
  address = "{root}/containerd.sock"

[ttrpc]
  address = "{root}/containerd.sock.ttrpc"

[plugins."io.containerd.internal.v1.opt"]
  path = "{root}/opt"

# Lowering an OOM score needs CAP_SYS_RESOURCE, which this VM's root lacks (reference/real-node.md).
[plugins."io.containerd.grpc.v1.cri"]
  restrict_oom_score_adj = true
"""


class PrivateContainerd:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.address = root / "containerd.sock"
        self.config = root / "config.toml"
        self.config.write_text(CONTAINERD_CONFIG.format(root=root))
        self.log = (root / "containerd.log").open("wb")
        self.proc = subprocess.Popen(["containerd", "--config", str(self.config)], stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 30
        while self.ctr("version", check=False).returncode != 0:
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"private containerd did not start; see {root / 'containerd.log'}")
            time.sleep(0.3)

    def ctr(self, *args: str, check: bool = True, timeout: float = 600) -> subprocess.CompletedProcess[str]:
        argv = ["ctr", "--address", str(self.address), "--namespace", NAMESPACE, *args]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, check=False)
        if check and result.returncode != 0:
            raise AssertionError(f"{' '.join(args[:3])} failed: {result.stderr.strip()}")
        return result

    def run(self, ref: str, name: str, netns: str, env: dict[str, str], *argv: str, detach: bool = True,
            mounts: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:  # fmt: skip
        """``ctr run`` in the network namespace; the environment goes through a file, never argv."""
        env_file = self.root / f"{name}.env"
        env_file.write_text("".join(f"{k}={v}\n" for k, v in env.items()))
        env_file.chmod(0o600)
        args = ["run", "--env-file", str(env_file), "--with-ns", f"network:/var/run/netns/{netns}"]
        for mount in mounts:
            args += ["--mount", mount]
        args += ["-d", "--log-uri", f"file://{self.root}/{name}.log"] if detach else ["--rm"]
        return self.ctr(*args, ref, name, *argv, check=not detach)

    def remove(self, name: str) -> None:
        self.ctr("task", "kill", "--signal", "SIGKILL", name, check=False)
        deadline = time.monotonic() + 20
        while self.ctr("task", "delete", name, check=False).returncode != 0 and time.monotonic() < deadline:
            if name not in self.ctr("task", "list", "--quiet", check=False).stdout.split():
                break
            time.sleep(0.3)
        self.ctr("container", "delete", name, check=False)

    def stop(self) -> None:
        for line in self.ctr("container", "list", "--quiet", check=False).stdout.split():
            self.remove(line)
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()
        # Snapshot mounts of containers that did not stop cleanly would keep the tree busy.
        for mount in reversed(Path("/proc/self/mounts").read_text().splitlines()):
            target = mount.split()[1]
            if target.startswith(str(self.root)):
                subprocess.run(["umount", "-l", target], capture_output=True, check=False)


def in_netns(
    netns: str, *argv: str, env: dict[str, str] | None = None, timeout: float = 30
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["ip", "netns", "exec", netns, *argv], capture_output=True, text=True, timeout=timeout, check=False,
        env={**os.environ, **(env or {})},
    )  # fmt: skip


def wait_for(what: str, probe, timeout: float = 180) -> str:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    last = ""
    while time.monotonic() < deadline:
        result = probe()
        if result.returncode == 0:
            return str(result.stdout)
        last = result.stdout + result.stderr
        time.sleep(1)
    raise AssertionError(f"{what} did not happen in {timeout:.0f} s; last output: {last[-1500:]}")


@pytest.fixture(scope="module")
def images() -> LocalImages:
    return build_local_images(roles=MEDUSA_STORE_ROLES, progress=print)


@pytest.fixture(scope="module")
def containerd(images: LocalImages) -> Iterator[PrivateContainerd]:
    root = Path(tempfile.mkdtemp(prefix="sf-img-ctrd-", dir="/var/tmp"))
    daemon = PrivateContainerd(root)
    try:
        yield daemon
    finally:
        daemon.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(scope="module")
def netns() -> Iterator[str]:
    """One network namespace shared by the containers, like a pod's: they talk over its loopback."""
    name = f"sf-img-{secrets.token_hex(3)}"
    subprocess.run(["ip", "netns", "add", name], check=True)
    subprocess.run(["ip", "-n", name, "link", "set", "lo", "up"], check=True)
    try:
        yield name
    finally:
        subprocess.run(["ip", "netns", "delete", name], check=False)


@pytest.fixture(scope="module")
def imported(images: LocalImages, containerd: PrivateContainerd) -> list[str]:
    return import_images(images, containerd.address, namespace=NAMESPACE)


@pytest.fixture(scope="module")
def database(
    containerd: PrivateContainerd, imported: list[str], images: LocalImages, netns: str
) -> Iterator[dict[str, str]]:
    """The postgres image on an empty data directory, as uid 999 (what the chart's values say)."""
    data = containerd.root / "pgdata"
    data.mkdir()
    os.chown(data, 999, 999)
    password = secrets.token_hex(16)
    env = {"POSTGRES_USER": "medusa", "POSTGRES_DB": "medusa", "POSTGRES_PASSWORD": password,
           "PGDATA": "/var/lib/postgresql/data/pgdata"}  # fmt: skip
    containerd.run(
        images.ref("postgres"), "postgres", netns, env,
        # runAsUser/runAsGroup 999: the chart's securityContext, done here as the runtime would.
        "setpriv", "--reuid=999", "--regid=999", "--clear-groups", "docker-entrypoint.sh", "postgres",
        mounts=(f"type=bind,src={data},dst=/var/lib/postgresql/data,options=rbind:rw",),
    )  # fmt: skip
    wait_for("postgres ready", lambda: in_netns(netns, "pg_isready", "-h", "127.0.0.1", "-p", "5432", "-U", "medusa"))
    yield {"password": password, "data": str(data)}
    containerd.remove("postgres")


def test_import_loads_every_image_once(images: LocalImages, containerd: PrivateContainerd, imported: list[str]) -> None:
    assert sorted(imported) == sorted(image.ref for image in images.images.values())
    listed = containerd.ctr("images", "list", "--quiet").stdout.split()
    assert set(imported) <= set(listed)
    assert import_images(images, containerd.address, namespace=NAMESPACE) == []


def test_postgres_initialises_as_uid_999_and_checks_the_password(database: dict[str, str], netns: str) -> None:
    pgdata = Path(database["data"]) / "pgdata"
    assert (pgdata / "PG_VERSION").read_text().strip() == "15"
    assert pgdata.stat().st_uid == 999
    login = ["psql", "-h", "127.0.0.1", "-U", "medusa", "-d", "medusa", "-tAc", "select current_user, version()"]
    ok = in_netns(netns, *login, env={"PGPASSWORD": database["password"]})
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("medusa|PostgreSQL 15.")
    wrong = in_netns(netns, *login, env={"PGPASSWORD": "not-the-password"})
    assert wrong.returncode != 0 and "password authentication failed" in wrong.stderr


def test_medusa_migrates_then_answers_health(
    database: dict[str, str], containerd: PrivateContainerd, images: LocalImages, netns: str
) -> None:
    env = {
        "DATABASE_URL": f"postgres://medusa:{urllib.parse.quote(database['password'])}@127.0.0.1:5432/medusa",
        "JWT_SECRET": secrets.token_hex(16),
        "COOKIE_SECRET": secrets.token_hex(16),
    }
    migrate = containerd.run(images.ref("medusa"), "medusa-migrate", netns, env, "storefleet-medusa", "migrate",
                             detach=False)  # fmt: skip
    assert migrate.returncode == 0, migrate.stdout[-2000:] + migrate.stderr[-2000:]
    tables = in_netns(netns, "psql", "-h", "127.0.0.1", "-U", "medusa", "-d", "medusa", "-tAc",
                      "select count(*) from information_schema.tables where table_name in ('product', 'region')",
                      env={"PGPASSWORD": database["password"]})  # fmt: skip
    assert tables.stdout.strip() == "2", tables.stderr
    containerd.run(images.ref("medusa"), "medusa", netns, env)
    body = wait_for("medusa /health", lambda: in_netns(netns, "curl", "-sf", "http://127.0.0.1:9000/health"), 240)
    assert body == "OK"


def test_storefront_serves_the_app_and_its_config(
    containerd: PrivateContainerd, images: LocalImages, imported: list[str], netns: str
) -> None:
    env = {"MEDUSA_BACKEND_URL": "http://127.0.0.1:9000", "STOREFRONT_NAME": "Images & Co",
           "STOREFRONT_PRIMARY_COLOR": "#123456"}  # fmt: skip
    containerd.run(images.ref("storefront"), "storefront", netns, env)
    try:
        page = wait_for("storefront /", lambda: in_netns(netns, "curl", "-sf", "http://127.0.0.1:8080/"))
        assert '<div id="root">' in page or 'id="root"' in page
        deep = in_netns(netns, "curl", "-sf", "http://127.0.0.1:8080/products/some-handle")
        assert deep.returncode == 0 and deep.stdout == page  # client-side routes get the app shell
        config = in_netns(netns, "curl", "-sf", "http://127.0.0.1:8080/config.js")
        assert config.returncode == 0
        assert '"Images & Co"' in config.stdout and "#123456" in config.stdout
        # /store goes to MEDUSA_BACKEND_URL through nginx (502 when Medusa is not up in this module run).
        proxied = in_netns(netns, "curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                           "http://127.0.0.1:8080/store/regions")  # fmt: skip
        assert proxied.stdout in {"200", "502"}
    finally:
        containerd.remove("storefront")


def test_pause_runs_and_stops_on_sigterm(
    containerd: PrivateContainerd, images: LocalImages, imported: list[str], netns: str
) -> None:
    containerd.run(images.ref("pause"), "pause", netns, {})
    try:
        wait_for("pause running", lambda: _task_status(containerd, "pause", "RUNNING"), 30)
        containerd.ctr("task", "kill", "--signal", "SIGTERM", "pause")
        wait_for("pause stopped", lambda: _task_status(containerd, "pause", "STOPPED"), 30)
    finally:
        containerd.remove("pause")


def _task_status(containerd: PrivateContainerd, name: str, status: str) -> subprocess.CompletedProcess[str]:
    listed = containerd.ctr("task", "list", check=False)
    lines = [line for line in listed.stdout.splitlines() if line.split()[:1] == [name]]
    ok = bool(lines) and lines[0].split()[-1] == status
    return subprocess.CompletedProcess([], 0 if ok else 1, listed.stdout, "")


def test_a_second_build_builds_nothing(images: LocalImages) -> None:
    started = time.monotonic()
    again = build_local_images(roles=MEDUSA_STORE_ROLES)
    assert not [image.role for image in again.images.values() if not image.reused]
    assert {r: i.ref for r, i in again.images.items()} == {r: i.ref for r, i in images.images.items()}
    assert time.monotonic() - started < 60


def test_mariadb_initialises_as_uid_999_and_passes_the_charts_healthcheck(
    containerd: PrivateContainerd, netns: str
) -> None:
    """The WooCommerce store's database (its WordPress image comes from elsewhere)."""
    mariadb = build_local_images(roles=("mariadb",))
    import_images(mariadb, containerd.address, namespace=NAMESPACE)
    data = containerd.root / "mariadb"
    data.mkdir()
    os.chown(data, 999, 999)
    password = secrets.token_hex(16)
    env = {"MARIADB_DATABASE": "wordpress", "MARIADB_USER": "wordpress", "MARIADB_PASSWORD": password,
           "MARIADB_ROOT_PASSWORD": secrets.token_hex(16), "MARIADB_AUTO_UPGRADE": "1"}  # fmt: skip
    containerd.run(
        mariadb.ref("mariadb"), "mariadb", netns, env,
        "setpriv", "--reuid=999", "--regid=999", "--clear-groups", "docker-entrypoint.sh", "mariadbd",
        mounts=(f"type=bind,src={data},dst=/var/lib/mysql,options=rbind:rw",),
    )  # fmt: skip
    try:
        probe = ("task", "exec", "--user", "999", "mariadb", "healthcheck.sh", "--connect", "--innodb_initialized")
        try:
            wait_for(
                "mariadb healthcheck",
                lambda: containerd.ctr(*probe[:2], "--exec-id", secrets.token_hex(4), *probe[2:], check=False),
                180,
            )
        except AssertionError as failed:  # the container's own output says why; the temp root goes
            log = (containerd.root / "mariadb.log").read_text(errors="replace")[-3000:]
            raise AssertionError(f"{failed}\n--- mariadb's output:\n{log}") from None
        assert (data / "mysql").is_dir() and (data / "mysql").stat().st_uid == 999
        assert ((data / ".my-healthcheck.cnf").stat().st_mode & 0o777) == 0o600

        def sql(user: str, secret: str, query: str) -> subprocess.CompletedProcess[str]:
            # Over TCP, as WordPress connects; the password in an options file (ctr 1.6's exec has no --env).
            options = data / f".test-{secrets.token_hex(4)}.cnf"
            options.write_text(f"[client]\nuser={user}\npassword={secret}\n")
            os.chown(options, 999, 999)
            options.chmod(0o600)
            try:
                return containerd.ctr("task", "exec", "--exec-id", secrets.token_hex(4), "--user", "999", "mariadb",
                                      "mariadb", f"--defaults-extra-file=/var/lib/mysql/{options.name}",
                                      "--protocol=tcp", "-h127.0.0.1", "-N", "-e", query, check=False)  # fmt: skip
            finally:
                options.unlink()

        # MARIADB_USER/MARIADB_PASSWORD own MARIADB_DATABASE; MARIADB_ROOT_PASSWORD is root's.
        own = sql("wordpress", password, "CREATE TABLE wordpress.t (i INT); SELECT DATABASE() IS NULL, CURRENT_USER()")
        assert own.returncode == 0 and "wordpress@%" in own.stdout, own.stderr
        assert sql("wordpress", password, "CREATE DATABASE other").returncode != 0  # only its own database
        assert sql("root", env["MARIADB_ROOT_PASSWORD"], "SELECT 1").returncode == 0
        wrong = sql("wordpress", "not-the-password", "SELECT 1")
        assert wrong.returncode != 0 and "Access denied" in wrong.stderr
    finally:
        containerd.remove("mariadb")
