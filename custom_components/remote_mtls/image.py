"""Remote image entities: the picture is fetched from the remote's image proxy."""

from __future__ import annotations

from urllib.parse import quote

from homeassistant.components.image import ImageEntity
from homeassistant.const import Platform
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .coordinator import Mirror, RemoteCoordinator
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteImage(MirroredEntity, ImageEntity):
    """State is the remote's image_last_updated; bytes come from its /api/image_proxy."""

    mirrors_picture = False

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror) -> None:
        """Set up the image entity, then follow the remote."""
        ImageEntity.__init__(self, coordinator.hass)
        MirroredEntity.__init__(self, coordinator, mirror)

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_image_last_updated = dt_util.parse_datetime(state.state)

    async def async_image(self) -> bytes | None:
        """Return the remote image with the content type of its bytes; None when refused."""
        path = f"/api/image_proxy/{quote(self.remote_entity_id)}"
        if (image := await self.coordinator.images.async_fetch(self.entity_id, path)) is None:
            return None
        content, self._attr_content_type = image
        return content


async_setup_entry = mirrored_platform(Platform.IMAGE, RemoteImage)
