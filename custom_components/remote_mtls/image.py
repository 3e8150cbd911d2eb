"""Remote image entities: the picture is fetched from the remote's image proxy."""

from __future__ import annotations

from urllib.parse import quote

from homeassistant.components.image import ImageEntity
from homeassistant.const import Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .api import RemoteError, RemoteState
from .const import DOMAIN
from .coordinator import Mirror, RemoteCoordinator
from .entity import RemoteEntity, mirrored_platform
from .errors import form_error

PARALLEL_UPDATES = 0


async def async_fetch_image(coordinator: RemoteCoordinator, path: str) -> tuple[bytes, str | None]:
    """GET an image from the remote; client errors become Home Assistant errors."""
    try:
        return await coordinator.client.get_image(path)
    except RemoteError as err:
        raise HomeAssistantError(
            translation_domain=DOMAIN,
            translation_key=form_error(err),
            translation_placeholders={"error": str(err)},
        ) from err


class RemoteImage(RemoteEntity, ImageEntity):
    """State is the remote's image_last_updated; bytes come from its /api/image_proxy."""

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror) -> None:
        """Set up the image entity, then follow the remote."""
        ImageEntity.__init__(self, coordinator.hass)
        RemoteEntity.__init__(self, coordinator, mirror)

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_image_last_updated = dt_util.parse_datetime(state.state)

    async def async_image(self) -> bytes | None:
        """Return the remote image, keeping its content type."""
        path = f"/api/image_proxy/{quote(self.remote_entity_id)}"
        content, content_type = await async_fetch_image(self.coordinator, path)
        if content_type:
            self._attr_content_type = content_type
        return content


async_setup_entry = mirrored_platform(Platform.IMAGE, RemoteImage)
