"""Listeners that only record what reaches them: proof that a token or certificate went nowhere."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
import socket
import ssl
from typing import Any

from .background import BackgroundLoop

NOT_FOUND = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"


def client_cert_context(cert: str, key: str, client_ca: str) -> ssl.SSLContext:
    """A server context that asks for a client certificate (CERT_OPTIONAL: it also records
    connections without one) and verifies it against `client_ca`."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=client_ca)
    context.load_cert_chain(cert, key)
    context.verify_mode = ssl.CERT_OPTIONAL
    return context


@dataclass
class RecordedConnection:
    """One accepted TCP connection."""

    data: bytearray = field(default_factory=bytearray)  # decrypted when TLS
    handshake: bool = False  # a TLS handshake completed
    peercert: dict[str, Any] | None = None  # the verified client certificate, if one was sent
    error: str | None = None  # why the TLS handshake failed


class Recorder:
    """A listener on 127.0.0.1 that keeps every byte; plain TCP, or TLS with `tls`.

    After a request's headers (an empty line) it answers `reply` and closes; with
    `reply=None` it stays silent and keeps reading until the peer closes.
    """

    def __init__(
        self,
        background: BackgroundLoop,
        *,
        tls: ssl.SSLContext | None = None,
        reply: bytes | None = NOT_FOUND,
    ) -> None:
        """Nothing listens until start()."""
        self.background = background
        self.tls = tls
        self.reply = reply
        self.port = 0
        self.connections: list[RecordedConnection] = []
        self._server: asyncio.Server | None = None

    @property
    def url(self) -> str:
        """http:// or https:// URL of the listener."""
        return f"{'https' if self.tls else 'http'}://127.0.0.1:{self.port}"

    @property
    def data(self) -> bytes:
        """Every byte received on every connection, in order of connection."""
        return b"".join(bytes(connection.data) for connection in list(self.connections))

    @property
    def peercerts(self) -> list[dict[str, Any]]:
        """Client certificates that arrived."""
        return [c.peercert for c in list(self.connections) if c.peercert is not None]

    def start(self) -> None:
        """Listen on a free port (blocking; call outside an event loop)."""
        self.background.run(self._start())

    def stop(self) -> None:
        """Close the listener and every connection."""
        self.background.run(self._stop())

    async def _start(self) -> None:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        self.port = sock.getsockname()[1]
        self._server = await asyncio.start_server(self._handle, sock=sock)

    async def _stop(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server.abort_clients()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        record = RecordedConnection()
        self.connections.append(record)
        try:
            if self.tls is not None:
                try:
                    await writer.start_tls(self.tls, ssl_handshake_timeout=10.0)
                except (ssl.SSLError, OSError, TimeoutError) as err:
                    record.error = repr(err)
                    return
                record.handshake = True
                record.peercert = writer.get_extra_info("peercert") or None
            while chunk := await reader.read(65536):
                record.data += chunk
                if self.reply is not None and b"\r\n\r\n" in record.data:
                    writer.write(self.reply)
                    await writer.drain()
                    break
        except OSError as err:
            record.error = record.error or repr(err)
        finally:
            writer.close()
