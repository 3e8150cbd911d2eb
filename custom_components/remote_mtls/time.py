"""Remote times and time-only input_datetimes."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .coordinator import RemoteMtlsConfigEntry
from .entity import RemoteEntity, async_setup_mirrors

PARALLEL_UPDATES = 0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Mirror remote times."""
    async_setup_mirrors(entry.runtime_data, Platform.TIME, async_add_entities, RemoteTime)


class RemoteTime(RemoteEntity, TimeEntity):
    """time.set_value, or input_datetime.set_datetime with a time."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_native_value = dt_util.parse_time(state.state)

    async def async_set_value(self, value: time) -> None:
        """Set the remote time."""
        service = "set_datetime" if self.mirror.domain == "input_datetime" else "set_value"
        await self._async_call(service, {"time": value})
