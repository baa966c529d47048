"""Two tiny images made from the host's static busybox, for the real node until the images module
(``images.py``, built with mmdebstrap + buildah) provides its own pause image:

- ``PAUSE``: the sandbox ("pause") image: a shell that sleeps until it is told to stop;
- ``PROBE``: busybox with its applets (``httpd``, ``nc``, ``wget``, ``nslookup``) for the node tests.

Written directly as an OCI image layout archive (a tar of blobs, manifests and an index) that
``ctr images import`` reads; no registry, no daemon. Deterministic: the same busybox gives the same
digests.
"""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path
from typing import Any

BUSYBOX = Path("/bin/busybox")
PAUSE = "localhost/storefleet/pause-standin:1"
PROBE = "localhost/storefleet/probe:1"
APPLETS = ("sh", "sleep", "httpd", "nc", "wget", "nslookup", "cat", "echo", "ls", "mkdir", "hostname", "true",
           "timeout", "id", "env")
_PAUSE_SCRIPT = "trap 'exit 0' TERM INT; while true; do sleep 3600 & wait $!; done"


def _add(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o644) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, 0
    tar.addfile(info, io.BytesIO(data))


def _layer() -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for d in ("bin", "tmp", "www", "etc"):
            info = tarfile.TarInfo(d)
            info.type, info.mode, info.mtime = tarfile.DIRTYPE, 0o1777 if d == "tmp" else 0o755, 0
            tar.addfile(info)
        _add(tar, "bin/busybox", BUSYBOX.read_bytes(), 0o755)
        for applet in APPLETS:
            info = tarfile.TarInfo(f"bin/{applet}")
            info.type, info.linkname, info.mtime = tarfile.SYMTYPE, "busybox", 0
            tar.addfile(info)
        _add(tar, "www/index.html", b"ok\n")
        _add(tar, "etc/passwd", b"root:x:0:0:root:/:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/sh\n")
    return buf.getvalue()


def _blob(tar: tarfile.TarFile, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()
    _add(tar, f"blobs/sha256/{digest}", data)
    return f"sha256:{digest}"


def write_archive(path: Path) -> dict[str, str]:
    """Write both images into one OCI archive at ``path``; returns {"pause": ref, "probe": ref}."""
    layer = _layer()
    configs: dict[str, dict[str, Any]] = {
        PAUSE: {"Entrypoint": ["/bin/sh", "-c", _PAUSE_SCRIPT]},
        PROBE: {"Cmd": ["/bin/sh"], "WorkingDir": "/"},
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w") as tar:
        layer_digest = _blob(tar, layer)
        manifests = []
        for ref, cfg in configs.items():
            config = {"architecture": "amd64", "os": "linux",
                      "config": {"Env": ["PATH=/bin"], **cfg},
                      "rootfs": {"type": "layers", "diff_ids": [layer_digest]}}
            config_bytes = json.dumps(config, sort_keys=True).encode()
            manifest = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                        "config": {"mediaType": "application/vnd.oci.image.config.v1+json",
                                   "digest": _blob(tar, config_bytes), "size": len(config_bytes)},
                        "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar",
                                    "digest": layer_digest, "size": len(layer)}]}
            manifest_bytes = json.dumps(manifest, sort_keys=True).encode()
            manifests.append({"mediaType": manifest["mediaType"], "digest": _blob(tar, manifest_bytes),
                              "size": len(manifest_bytes),
                              "annotations": {"io.containerd.image.name": ref,
                                              "org.opencontainers.image.ref.name": ref.rsplit(":", 1)[1]}})
        _add(tar, "oci-layout", json.dumps({"imageLayoutVersion": "1.0.0"}).encode())
        _add(tar, "index.json", json.dumps({"schemaVersion": 2, "manifests": manifests}).encode())
    return {"pause": PAUSE, "probe": PROBE}
