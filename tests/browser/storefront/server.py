"""What the storefront image serves, on a loopback port: the built SPA, the config.js its entrypoint
renders, and ``/store`` + ``/admin`` proxied to Medusa on the same origin.

In a cluster the Ingress routes ``/store``, ``/admin`` and ``/app`` to Medusa and the rest to nginx,
which answers unknown paths with ``index.html``; this server reproduces those rules with the standard
library so the browser tests reach the SPA exactly as a shopper does (no CORS, one origin).
"""

from __future__ import annotations

import http.client
import mimetypes
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from storefleet_localcluster.cluster import free_port

MEDUSA_PREFIXES = ("/store", "/admin", "/app")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "proxy-authorization"}


def _handler(dist: Path, config_js: Path, backend: tuple[str, int]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_GET(self) -> None:
            self._route()

        def do_POST(self) -> None:
            self._route()

        def do_DELETE(self) -> None:
            self._route()

        def _route(self) -> None:
            path = urlsplit(self.path).path
            if any(path == p or path.startswith(p + "/") for p in MEDUSA_PREFIXES):
                self._proxy()
            elif path == "/config.js":
                self._file(config_js, "no-cache")
            else:
                target = (dist / path.lstrip("/")).resolve()
                inside = target.is_relative_to(dist.resolve()) and target.is_file()
                self._file(target if inside else dist / "index.html", "no-cache")

        def _file(self, file: Path, cache: str) -> None:
            body = file.read_bytes()
            self.send_response(200)
            self.send_header("content-type", mimetypes.guess_type(file.name)[0] or "application/octet-stream")
            self.send_header("content-length", str(len(body)))
            self.send_header("cache-control", cache)
            self.end_headers()
            self.wfile.write(body)

        def _proxy(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
            conn = http.client.HTTPConnection(*backend, timeout=60)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
            finally:
                conn.close()
            self.send_response(response.status)
            for key, value in response.getheaders():
                if key.lower() not in _HOP_BY_HOP and key.lower() != "content-length":
                    self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


class StorefrontServer:
    def __init__(self, dist: Path, config_js: Path, medusa_url: str) -> None:
        backend = urlsplit(medusa_url)
        assert backend.hostname and backend.port
        self.port = free_port()
        self._httpd = ThreadingHTTPServer(
            ("127.0.0.1", self.port), _handler(dist, config_js, (backend.hostname, backend.port))
        )
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="storefront-server", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> StorefrontServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)
