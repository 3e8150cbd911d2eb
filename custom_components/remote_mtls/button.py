"""Remote buttons and input_buttons."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.const import Platform

from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteButton(MirroredEntity, ButtonEntity):
    """Pressing it presses the remote button."""

    async def async_press(self) -> None:
        """Press the remote button."""
        await self._async_call("press")


async_setup_entry = mirrored_platform(Platform.BUTTON, RemoteButton)
