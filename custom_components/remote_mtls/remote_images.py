"""Pictures from the remote (camera stills, image entities, artwork), for local entities.

Only raster images whose bytes match their type come through (the client checks); a refused
one is no picture, warned about once per entity until a good one arrives. Other failures are
translated Home Assistant errors. The log names the entity and the reason, never an address.
"""

from __future__ import annotations

import logging
from typing import Final

from .api import RemoteClient, RemoteError, ResponseTooLarge, UnsafeImage
from .errors import translated_errors

_LOGGER = logging.getLogger(__name__)
REFUSED: Final = (UnsafeImage, ResponseTooLarge)


class RemoteImages:
    """Fetches the remote's pictures for one link."""

    def __init__(self, client: RemoteClient) -> None:
        """Use the link's client; nothing refused yet."""
        self._client = client
        self._warned: set[str] = set()

    async def async_fetch(self, entity_id: str, path: str) -> tuple[bytes, str] | None:
        """Return the bytes and their own raster type; None when the remote's answer is refused."""
        with translated_errors(f"GET {path.partition('?')[0]}"):
            try:
                image = await self._client.get_image(path)
            except REFUSED as err:
                self._refused(entity_id, err)
                return None
        self._warned.discard(entity_id)
        return image

    def _refused(self, entity_id: str, err: RemoteError) -> None:
        code = err.reason if err.detail is None else f"{err.reason}/{err.detail}"
        _LOGGER.log(
            logging.DEBUG if entity_id in self._warned else logging.WARNING,
            "%s: the remote's image was refused (%s); no image is served",
            entity_id,
            code,
        )
        self._warned.add(entity_id)
