"""Remote texts and input_texts: length limits, pattern, mode and value."""

from __future__ import annotations

import logging

from homeassistant.components.text import TextEntity, TextMode
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)


class RemoteText(MirroredEntity, TextEntity):
    """set_value of the remote domain (text or input_text)."""

    mirrored_attributes = (
        Attr("native_min", "min", keep_default=True),
        Attr("native_max", "max", keep_default=True),
        Attr("pattern"),
        Attr("mode", convert=TextMode, keep_default=True),
    )

    def _apply_state(self, state: RemoteState) -> None:
        unset = state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE)
        self._attr_native_value = None if unset else state.state
        try:
            _ = self.state  # validates length and pattern
        except ValueError as err:
            # A value the remote's own limits reject would fail every write: shown as unknown.
            _LOGGER.debug("%s: %s", self.remote_entity_id, err)
            self._attr_native_value = None

    async def async_set_value(self, value: str) -> None:
        """Set the remote text."""
        await self._async_call("set_value", {"value": value})


async_setup_entry = mirrored_platform(Platform.TEXT, RemoteText)
