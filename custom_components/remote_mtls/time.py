"""Remote times and time-only input_datetimes."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity
from homeassistant.const import Platform
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteTime(MirroredEntity, TimeEntity):
    """time.set_value, or input_datetime.set_datetime with a time."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_native_value = dt_util.parse_time(state.state)

    async def async_set_value(self, value: time) -> None:
        """Set the remote time."""
        service = "set_datetime" if self.mirror.domain == "input_datetime" else "set_value"
        await self._async_call(service, {"time": value})


async_setup_entry = mirrored_platform(Platform.TIME, RemoteTime)
