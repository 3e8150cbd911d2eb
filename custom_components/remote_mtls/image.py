"""Remote image entities: the picture is fetched from the remote's image proxy."""

from __future__ import annotations

import logging
from typing import Final
from urllib.parse import quote

from homeassistant.components.image import ImageEntity
from homeassistant.const import Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import RemoteError, RemoteState, ResponseTooLarge, UnsafeImage
from .const import DOMAIN
from .coordinator import Mirror, RemoteCoordinator
from .entity import RemoteEntity, mirrored_platform
from .errors import form_error

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)
# The remote's answer is no image this integration serves locally (HTML, SVG, too large).
REFUSED_IMAGE_ERRORS: Final = (UnsafeImage, ResponseTooLarge)


class RefusedImages:
    """Per entity: a refused remote image is warned about once, until a good image arrives.

    The log names the entity and the reason code, never the remote's URL or host.
    """

    __slots__ = ("warned",)

    def __init__(self) -> None:
        """Nothing refused yet."""
        self.warned = False

    def refused(self, entity_id: str, err: RemoteError) -> None:
        """Log a refused image: a warning the first time, at debug level after that."""
        code = err.reason if err.detail is None else f"{err.reason}/{err.detail}"
        _LOGGER.log(
            logging.DEBUG if self.warned else logging.WARNING,
            "%s: the remote's image was refused (%s); no image is served",
            entity_id,
            code,
        )
        self.warned = True

    def accepted(self) -> None:
        """Note a good image: the next refusal is warned about again."""
        self.warned = False

    async def async_fetch(
        self, coordinator: RemoteCoordinator, entity_id: str, path: str
    ) -> tuple[bytes, str] | None:
        """GET an image from the remote: bytes and their own raster type; None when refused.

        Other client errors are raised as they are.
        """
        try:
            image = await coordinator.client.get_image(path)
        except REFUSED_IMAGE_ERRORS as err:
            self.refused(entity_id, err)
            return None
        self.accepted()
        return image


async def async_fetch_image(
    coordinator: RemoteCoordinator, path: str, entity_id: str, refusals: RefusedImages
) -> tuple[bytes | None, str | None]:
    """GET an image from the remote; refused images give (None, None), other errors raise.

    A refused image (not a JPEG, PNG, GIF, WebP or AVIF, or too large) is logged once per entity
    through `refusals`; other client errors become Home Assistant errors.
    """
    try:
        image = await refusals.async_fetch(coordinator, entity_id, path)
    except RemoteError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=form_error(err),
            translation_placeholders={"error": str(err)},
        ) from err
    return (None, None) if image is None else image


class RemoteImage(RemoteEntity, ImageEntity):
    """State is the remote's image_last_updated; bytes come from its /api/image_proxy."""

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror) -> None:
        """Set up the image entity, then follow the remote."""
        ImageEntity.__init__(self, coordinator.hass)
        RemoteEntity.__init__(self, coordinator, mirror)
        self._refused_images = RefusedImages()

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_image_last_updated = dt_util.parse_datetime(state.state)

    async def async_image(self) -> bytes | None:
        """Return the remote image with the content type of its bytes; None when refused."""
        path = f"/api/image_proxy/{quote(self.remote_entity_id)}"
        content, content_type = await async_fetch_image(
            self.coordinator, path, self.entity_id, self._refused_images
        )
        if content_type:
            self._attr_content_type = content_type
        return content


async_setup_entry = mirrored_platform(Platform.IMAGE, RemoteImage)
