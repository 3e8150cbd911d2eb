"""A TLS server with CERT_REQUIRED in its own process (like Apache or HA's ssl_peer_certificate).

It uses blocking `ssl` sockets, so a refused handshake sends its TLS alert as those servers do.
Run as `python -m tests.testbed.tls_server CERT KEY CLIENT_CA PORT [--tls12]`.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, HTTPServer
import json
from pathlib import Path
import signal
import socket
import ssl
import subprocess
import sys
from typing import Any

from .ports import wait_for_port

GOOD_TOKEN = "good-token"


class _Handler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path == "/auth/providers":
            self._answer(200, {"providers": [{"type": "homeassistant"}]})
        elif self.headers.get("Authorization") != f"Bearer {GOOD_TOKEN}":
            self._answer(401, None)
        else:
            self._answer(200, {"message": "API running."})

    def _answer(self, status: int, body: object) -> None:
        data = json.dumps(body).encode() if body is not None else b"401: Unauthorized"
        self.send_response(status)
        self.send_header("Content-Type", "application/json" if body is not None else "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        return


class _LingeringTlsServer(HTTPServer):
    """Handshake per connection; after a refused handshake, drain before closing (as Apache does)
    so the client reads the alert instead of a connection reset."""

    context: ssl.SSLContext

    def get_request(self) -> tuple[socket.socket, Any]:
        raw, address = self.socket.accept()
        tls = self.context.wrap_socket(raw, server_side=True, do_handshake_on_connect=False)
        try:
            tls.do_handshake()
            return tls, address
        except ssl.SSLError, OSError:
            raw = socket.socket(fileno=tls.detach())
            raw.settimeout(1.0)
            with contextlib.suppress(OSError):
                raw.shutdown(socket.SHUT_WR)
                while raw.recv(4096):
                    pass
            raw.close()
            raise

    def handle_error(self, request: Any, client_address: Any) -> None:
        return


def serve(cert: str, key: str, client_ca: str, port: int, tls12: bool) -> None:
    """Serve forever on 127.0.0.1:port."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=client_ca)
    context.load_cert_chain(cert, key)
    context.verify_mode = ssl.CERT_REQUIRED
    if tls12:
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    server = _LingeringTlsServer(("127.0.0.1", port), _Handler)
    server.context = context
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    server.serve_forever()


@dataclass
class CertRequiredServer:
    """The server as a child process of the tests."""

    cert: Path
    key: Path
    client_ca: Path
    port: int
    tls12: bool = False
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """Base URL."""
        return f"https://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start and wait until it listens."""
        args = [
            sys.executable,
            "-m",
            __name__,
            str(self.cert),
            str(self.key),
            str(self.client_ca),
            str(self.port),
        ]
        self.process = subprocess.Popen(
            [*args, *(["--tls12"] if self.tls12 else [])], cwd=Path(__file__).parents[2]
        )
        wait_for_port(self.port, 15)

    def stop(self) -> None:
        """Stop the process."""
        if self.process is not None:
            self.process.terminate()
            self.process.wait(10)
            self.process = None


if __name__ == "__main__":
    serve(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), "--tls12" in sys.argv)
