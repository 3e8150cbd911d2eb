"""Refuse every HTTP redirect, websocket upgrades included.

aiohttp's `ws_connect` follows 30x answers to any host and scheme before the upgrade, and the
access token is sent right after it: a redirect to `http://` would carry the token in clear, one
to another https host would receive the client certificate. Sessions that talk to a remote must
be created with `middlewares=(refuse_redirects,)`; it runs for every hop of a request.
"""

from __future__ import annotations

import aiohttp
from yarl import URL

from .errors import RedirectRefused

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})


async def refuse_redirects(
    request: aiohttp.ClientRequest, handler: aiohttp.ClientHandlerType
) -> aiohttp.ClientResponse:
    """Raise RedirectRefused instead of returning a redirect (so nothing follows it)."""
    response = await handler(request)
    if response.status in REDIRECT_STATUSES:
        target = URL(response.headers.get("Location", ""))
        response.close()
        if target.is_absolute() and target.scheme in ("http", "ws"):
            detail = "to_plain_http"
        elif target.is_absolute() and target.host != request.url.host:
            detail = "to_other_host"
        else:
            detail = "same_host"
        raise RedirectRefused(
            f"The remote answered HTTP {response.status} (a redirect); it was not followed",
            detail=detail,
        )
    return response
