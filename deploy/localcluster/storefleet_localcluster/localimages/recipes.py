"""What each local image is built from: plain data, no I/O.

Roles (the names the rest of the project uses): ``base`` (Debian + the host's Node 20; the Medusa
image's ``BASE`` and the chart's helm-test image), ``pause`` (containerd's sandbox image), ``postgres``,
``mariadb``, ``nginx`` (the storefront's ``NGINX_IMAGE``), ``medusa`` and ``storefront``. Debian images
come from mmdebstrap with the host's own apt sources; the two project images are the project's own
Dockerfiles built by buildah with local bases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

REGISTRY = "localhost"
NAMESPACE = "storefleet"
SUITE = "bookworm"
DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

# Every Debian image leaves out documentation, manuals and translations (about a third of a minbase
# tree); copyright files stay.
DPKG_EXCLUDES = (
    "path-exclude=/usr/share/doc/*",
    "path-include=/usr/share/doc/*/copyright",
    "path-exclude=/usr/share/man/*",
    "path-exclude=/usr/share/info/*",
    "path-exclude=/usr/share/locale/*",
    "path-include=/usr/share/locale/locale.alias",
    "path-exclude=/usr/share/lintian/*",
)


@dataclass(frozen=True)
class SystemUser:
    """A user made before any package is installed, so the package's own maintainer script finds it
    and keeps its uid: the uid the chart's securityContext names (999 for both databases, as the
    upstream images use)."""

    name: str
    uid: int
    home: str
    shell: str = "/usr/sbin/nologin"


@dataclass(frozen=True)
class ImageConfig:
    entrypoint: tuple[str, ...] = ()
    cmd: tuple[str, ...] = ()
    user: str = ""
    workdir: str = ""
    env: tuple[tuple[str, str], ...] = ()
    ports: tuple[int, ...] = ()
    stop_signal: str = ""


@dataclass(frozen=True)
class Copy:
    """A host file copied into the image after the packages (scripts and configuration)."""

    source: Path
    dest: str
    mode: int = 0o644


@dataclass(frozen=True)
class DebianRecipe:
    packages: tuple[str, ...]
    config: ImageConfig
    users: tuple[SystemUser, ...] = ()
    copies: tuple[Copy, ...] = ()
    # Shell commands mmdebstrap runs after installing, with "$1" the root of the new tree.
    customize: tuple[str, ...] = ()


@dataclass(frozen=True)
class StaticRecipe:
    """One C program linked statically, alone on an empty image."""

    source: Path
    dest: str
    config: ImageConfig


@dataclass(frozen=True)
class DockerfileRecipe:
    dockerfile: Path
    # How the build context is made: medusa = deploy/images/medusa with node_modules installed on the
    # host from its lockfile; storefront = a staged directory with the SPA built on the host.
    context: Literal["medusa", "storefront"]
    build_args: tuple[tuple[str, str], ...] = ()
    # Build arguments that name a parent image: (ARG name, parent role).
    parent_args: tuple[tuple[str, str], ...] = ()


Recipe = DebianRecipe | StaticRecipe | DockerfileRecipe


@dataclass(frozen=True)
class ImageSpec:
    role: str
    name: str
    # Human-readable front of the tag; the content hash follows it (``15-<hash>``).
    version: str
    recipe: Recipe
    parents: tuple[str, ...] = field(default=())

    @property
    def repository(self) -> str:
        return f"{REGISTRY}/{NAMESPACE}/{self.name}"


def _mkdir(path: str, owner: int, mode: str) -> str:
    return f'mkdir -p "$1{path}" && chown {owner}:{owner} "$1{path}" && chmod {mode} "$1{path}"'


def default_specs(repo_root: Path, node_binary: Path) -> tuple[ImageSpec, ...]:
    """The images a Medusa store needs on the local real node (and MariaDB), in build order."""
    images = repo_root / "deploy" / "images"
    path_env = ("PATH", DEFAULT_PATH)
    base = ImageSpec(
        role="base",
        name="node-base",
        version="bookworm-node20",
        recipe=DebianRecipe(
            # libstdc++6 is all the host's Node binary links besides libc; wget and sh serve the chart's
            # helm-test pod, which runs `sh -c '... wget ...'`.
            packages=("ca-certificates", "libstdc++6", "wget", "tzdata"),
            users=(SystemUser("node", 1000, "/home/node", "/bin/bash"),),
            copies=(Copy(node_binary, "/usr/local/bin/node", 0o755),),
            customize=(_mkdir("/home/node", 1000, "0755"),),
            config=ImageConfig(cmd=("node",), env=(path_env,)),
        ),
    )
    pause = ImageSpec(
        role="pause",
        name="pause",
        version="1",
        recipe=StaticRecipe(
            source=images / "pause" / "pause.c",
            dest="/pause",
            config=ImageConfig(entrypoint=("/pause",), user="65535:65535"),
        ),
    )
    postgres = ImageSpec(
        role="postgres",
        name="postgres",
        version="15",
        recipe=DebianRecipe(
            packages=("postgresql-15",),
            users=(SystemUser("postgres", 999, "/var/lib/postgresql", "/bin/bash"),),
            copies=(Copy(images / "postgres" / "docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh", 0o755),),
            customize=(
                # Debian's package made a cluster under /var/lib/postgresql/15/main: not ours.
                'rm -rf "$1/var/lib/postgresql/15" "$1/etc/postgresql/15"',
                _mkdir("/var/lib/postgresql/data", 999, "0700"),
                _mkdir("/var/run/postgresql", 999, "3777"),
            ),
            config=ImageConfig(
                entrypoint=("docker-entrypoint.sh",),
                cmd=("postgres",),
                env=(
                    ("PATH", f"/usr/lib/postgresql/15/bin:{DEFAULT_PATH}"),
                    ("PGDATA", "/var/lib/postgresql/data"),
                    ("LANG", "C.UTF-8"),
                ),
                ports=(5432,),
                stop_signal="SIGINT",
            ),
        ),
    )
    mariadb = ImageSpec(
        role="mariadb",
        name="mariadb",
        version="10.11",
        recipe=DebianRecipe(
            packages=("mariadb-server", "mariadb-client"),
            users=(SystemUser("mysql", 999, "/nonexistent"),),
            copies=(
                Copy(images / "mariadb" / "docker-entrypoint.sh", "/usr/local/bin/docker-entrypoint.sh", 0o755),
                Copy(images / "mariadb" / "healthcheck.sh", "/usr/local/bin/healthcheck.sh", 0o755),
                Copy(images / "mariadb" / "90-storefleet.cnf", "/etc/mysql/mariadb.conf.d/90-storefleet.cnf"),
            ),
            customize=(
                'rm -rf "$1/var/lib/mysql"',
                _mkdir("/var/lib/mysql", 999, "0755"),
                _mkdir("/run/mysqld", 999, "0755"),
            ),
            config=ImageConfig(
                entrypoint=("docker-entrypoint.sh",),
                cmd=("mariadbd",),
                env=(path_env, ("LANG", "C.UTF-8")),
                ports=(3306,),
            ),
        ),
    )
    nginx = ImageSpec(
        role="nginx",
        name="nginx",
        version="1.22",
        recipe=DebianRecipe(
            packages=("nginx", "gettext-base"),
            users=(SystemUser("nginx", 101, "/nonexistent"),),
            copies=(
                Copy(images / "nginx" / "nginx.conf", "/etc/nginx/nginx.conf"),
                Copy(images / "nginx" / "docker-entrypoint.sh", "/docker-entrypoint.sh", 0o755),
                Copy(
                    images / "nginx" / "20-envsubst-on-templates.sh",
                    "/docker-entrypoint.d/20-envsubst-on-templates.sh",
                    0o755,
                ),
            ),
            customize=(
                'rm -rf "$1/etc/nginx/sites-enabled" "$1/etc/nginx/sites-available" "$1/var/www/html"',
                'rm -f "$1"/etc/nginx/conf.d/*',
                _mkdir("/etc/nginx/conf.d", 101, "0755"),
                _mkdir("/etc/nginx/templates", 0, "0755"),
                _mkdir("/docker-entrypoint.d", 0, "0755"),
                _mkdir("/usr/share/nginx/html", 0, "0755"),
            ),
            config=ImageConfig(
                entrypoint=("/docker-entrypoint.sh",),
                cmd=("nginx", "-g", "daemon off;"),
                user="101",
                env=(path_env,),
                ports=(8080,),
                stop_signal="SIGQUIT",
            ),
        ),
    )
    medusa = ImageSpec(
        role="medusa",
        name="medusa",
        version="1.20.11",
        parents=("base",),
        recipe=DockerfileRecipe(
            dockerfile=images / "medusa" / "Dockerfile",
            context="medusa",
            build_args=(("DEPS", "prebuilt"),),
            parent_args=(("BASE", "base"),),
        ),
    )
    storefront = ImageSpec(
        role="storefront",
        name="storefront-medusa",
        version="0.2.0",
        parents=("base", "nginx"),
        recipe=DockerfileRecipe(
            dockerfile=images / "storefront" / "Dockerfile",
            context="storefront",
            build_args=(("DIST", "prebuilt"),),
            parent_args=(("NODE_IMAGE", "base"), ("NGINX_IMAGE", "nginx")),
        ),
    )
    return (base, pause, medusa, postgres, nginx, storefront, mariadb)
