"""Entity pictures of the remote, served by the local Home Assistant through the link.

A remote `entity_picture` that is a path on the remote (a person's photo, an image's picture)
means nothing to the local browser. It becomes `/api/remote_mtls/picture/<token>`: the token
is random, made when the picture is first seen (again when it changes, and at every start), so
the URL works in an `<img>` (which sends no Authorization header) and cannot be guessed, as
Home Assistant's own camera and media pictures work. The view fetches the picture with the
link's client: only raster images whose bytes match their type, up to 10 MiB, are served.
Public https URLs stay as they are; anything else (other schemes, markup) is no picture.
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
import secrets
from typing import Final

from aiohttp import web
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.http import HomeAssistantView
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN
from .remote_images import RemoteImages

PICTURE_URL: Final = "/api/remote_mtls/picture/{token}"
MAX_PICTURE_URL: Final = 2048
SOURCES: Final[HassKey[dict[str, PictureSource]]] = HassKey(f"{DOMAIN}_pictures")


@dataclass(frozen=True, slots=True)
class PictureSource:
    """Where a local picture URL's bytes come from."""

    images: RemoteImages
    entity_id: str  # the remote entity, for the log
    path: str


class RemotePictures:
    """One link's pictures: remote paths and their local tokens."""

    def __init__(self, hass: HomeAssistant, images: RemoteImages) -> None:
        """No picture yet."""
        self._sources = hass.data.setdefault(SOURCES, {})
        self._images = images
        self._tokens: dict[str, tuple[str, str]] = {}  # mirror key -> (remote path, token)

    def local_url(self, key: str, remote_entity_id: str, picture: object) -> str | None:
        """Return what the local entity shows for the remote's `entity_picture`."""
        if not isinstance(picture, str) or len(picture) > MAX_PICTURE_URL:
            picture = None
        elif picture.startswith(("https://", "http://")):
            self._forget(key)
            return picture
        elif not picture.startswith("/") or picture.startswith("//"):
            picture = None
        known = self._tokens.get(key)
        if picture is None or (known is not None and known[0] != picture):
            self._forget(key)
            known = None
        if picture is None:
            return None
        if known is None:
            known = (picture, secrets.token_urlsafe(24))
            self._tokens[key] = known
            self._sources[known[1]] = PictureSource(self._images, remote_entity_id, picture)
        return PICTURE_URL.format(token=known[1])

    def _forget(self, key: str) -> None:
        if (known := self._tokens.pop(key, None)) is not None:
            self._sources.pop(known[1], None)

    def forget_all(self) -> None:
        """Stop serving every picture of the link (it unloads)."""
        for key in list(self._tokens):
            self._forget(key)


class RemotePictureView(HomeAssistantView):
    """Serves a remote picture to whoever holds its token."""

    url = PICTURE_URL
    name = "api:remote_mtls:picture"
    requires_auth = False  # the token is the credential, as in camera and media proxies

    def __init__(self, hass: HomeAssistant) -> None:
        """Serve this Home Assistant's links."""
        self._hass = hass

    async def get(self, request: web.Request, token: str) -> web.StreamResponse:
        """Fetch the picture from the remote and pass on its checked bytes."""
        source = self._hass.data.get(SOURCES, {}).get(token)
        if source is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        try:
            image = await source.images.async_fetch(source.entity_id, source.path)
        except HomeAssistantError:
            return web.Response(status=HTTPStatus.BAD_GATEWAY)
        if image is None:
            return web.Response(status=HTTPStatus.NOT_FOUND)
        body, content_type = image
        return web.Response(
            body=body,
            content_type=content_type,
            headers={"Cache-Control": "private, max-age=300", "X-Content-Type-Options": "nosniff"},
        )
