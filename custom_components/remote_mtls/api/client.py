"""REST client for a remote Home Assistant through one mTLS-capable aiohttp session."""

from __future__ import annotations

from dataclasses import dataclass
import json
import ssl
from typing import Any, Final
from urllib.parse import urlsplit, urlunsplit

import aiohttp
from aiohttp import hdrs

from . import images
from .diagnose import diagnose_exception, diagnose_status
from .errors import (
    CertificateRequired,
    HttpsRequired,
    InvalidToken,
    NotHomeAssistant,
    ResponseTooLarge,
)

DEFAULT_TIMEOUT: Final = aiohttp.ClientTimeout(total=15, connect=10)
# Largest REST (JSON) answer read from the remote: 16 MiB. /api/states of a large installation
# is a few MiB; a remote that sends more is refused instead of filling memory.
MAX_REST_BODY: Final = 16 * 1024 * 1024
# Of an error answer only the start is read: enough to tell the proxy's and HA's messages apart.
ERROR_BODY_BYTES: Final = 4096
_CHUNK: Final = 64 * 1024


def normalize_url(url: str) -> str:
    """Return the canonical URL: lower-case scheme and host, no default port, no trailing /."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    default_port = 443 if scheme == "https" else 80
    netloc = host if parts.port in (None, default_port) else f"{host}:{parts.port}"
    return urlunsplit((scheme, netloc, parts.path.rstrip("/"), "", ""))


async def read_at_most(content: aiohttp.StreamReader, size: int) -> bytes:
    """Read up to `size` bytes of a body (fewer only at its end), never the rest."""
    chunks: list[bytes] = []
    remaining = size
    while remaining > 0 and (chunk := await content.read(min(remaining, _CHUNK))):
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


async def read_limited(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    """Read a whole body of at most `limit` bytes; a larger one raises ResponseTooLarge.

    A Content-Length over the limit is refused before anything is read; without one (chunked)
    the body is read as it streams in, and refused at the first byte past the limit.
    """
    if resp.content_length is not None and resp.content_length > limit:
        resp.close()
        raise ResponseTooLarge("The answer is too large", detail="content_length")
    body = await read_at_most(resp.content, limit + 1)
    if len(body) > limit:
        resp.close()
        raise ResponseTooLarge("The answer is too large", detail="body")
    return body


@dataclass(frozen=True, slots=True)
class ProbeResult:
    """What an unauthenticated look at the URL found."""

    certificate_required: bool


class RemoteClient:
    """Calls a remote Home Assistant's REST API; every request goes through the same SSL context."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        url: str,
        token: str,
        ssl_context: ssl.SSLContext | None,
        *,
        sent_certificate: bool,
        timeout: aiohttp.ClientTimeout = DEFAULT_TIMEOUT,
    ) -> None:
        """Keep the injected session; the caller owns and closes it."""
        self.url = normalize_url(url)
        if sent_certificate and not self.url.startswith("https://"):
            raise HttpsRequired("A client certificate needs an https:// URL")
        self.session = session
        self.ssl_context = ssl_context
        self.sent_certificate = sent_certificate
        self.timeout = timeout
        self._token = token

    @property
    def websocket_url(self) -> str:
        """ws(s):// URL of the remote's websocket API."""
        return "ws" + self.url.removeprefix("http") + "/api/websocket"

    @property
    def token(self) -> str:
        """The access token (kept out of repr and logs)."""
        return self._token

    def _ssl(self) -> ssl.SSLContext | bool:
        return self.ssl_context if self.ssl_context is not None else True

    async def _request(
        self,
        method: str,
        path: str,
        *,
        auth: bool = True,
        raw: bool = False,
        limit: int | None = None,
        ok_statuses: tuple[int, ...] = (200, 201),
    ) -> Any:
        """Send one request; the JSON answer, or with `raw` the body and its Content-Type header.

        The body is read up to `limit` bytes (MAX_REST_BODY unless given); more raises
        ResponseTooLarge.
        """
        if auth and not self._token.isprintable():
            # aiohttp refuses control characters in headers (a pasted line end, a NUL).
            raise InvalidToken("The access token contains characters a token cannot have")
        headers = {"Authorization": f"Bearer {self._token}"} if auth else {}
        try:
            async with self.session.request(
                method,
                self.url + path,
                headers=headers,
                ssl=self._ssl(),
                timeout=self.timeout,
                allow_redirects=False,
            ) as resp:
                if resp.status not in ok_statuses:
                    body = await read_at_most(resp.content, ERROR_BODY_BYTES)
                    text = body.decode(errors="replace")
                    raise diagnose_status(resp.status, text, sent_certificate=self.sent_certificate)
                body = await read_limited(resp, MAX_REST_BODY if limit is None else limit)
                if raw:
                    return body, resp.headers.get(hdrs.CONTENT_TYPE)
        except (aiohttp.ClientError, OSError, TimeoutError) as err:
            raise diagnose_exception(err, sent_certificate=self.sent_certificate) from err
        if not body.strip():
            return None  # as aiohttp's resp.json() answers an empty body
        try:
            return json.loads(body)
        except ValueError:
            raise NotHomeAssistant("The answer is not JSON", detail="not_json") from None

    async def probe(self) -> ProbeResult:
        """Check, without a token, that this is Home Assistant and whether it wants a certificate.

        `/auth/providers` answers without authentication on every Home Assistant; `/api/`
        answers 401 without a token. A proxy may want the certificate only below `/api`
        (Apache's per-location `SSLVerifyClient`), so both are asked.
        """
        try:
            result = await self._request("GET", "/auth/providers", auth=False)
            if not isinstance(result, dict | list):
                raise NotHomeAssistant("Unexpected answer from /auth/providers")
            await self._request("GET", "/api/", auth=False, raw=True, ok_statuses=(401,))
        except CertificateRequired:
            return ProbeResult(certificate_required=True)
        return ProbeResult(certificate_required=False)

    async def event_types(self) -> list[str]:
        """GET /api/events: the event types somebody listens to on the remote."""
        result = await self._request("GET", "/api/events")
        if not isinstance(result, list):
            raise NotHomeAssistant("Unexpected answer from /api/events")
        return sorted(
            str(item["event"]) for item in result if isinstance(item, dict) and item.get("event")
        )

    async def get_api_status(self) -> str:
        """GET /api/ (checks the token); returns the API's message."""
        result = await self._request("GET", "/api/")
        if not isinstance(result, dict) or "message" not in result:
            raise NotHomeAssistant("Unexpected answer from /api/")
        return str(result["message"])

    async def get_image(self, path: str) -> tuple[bytes, str]:
        """GET an image of the remote (an entity_picture path, a proxy) and its content type.

        The content type is the one of the bytes (JPEG, PNG, GIF, WebP or AVIF), never the
        remote's header. Anything else (HTML, SVG), or bytes that are not what the remote
        declared, raise UnsafeImage; more than MAX_IMAGE_BYTES raise ResponseTooLarge.
        """
        if not path.startswith("/"):
            raise ValueError("Only paths on the remote can be fetched")
        body, declared = await self._request("GET", path, raw=True, limit=images.MAX_IMAGE_BYTES)
        return images.checked_image(body, declared)
