"""Remote dates and date-only input_datetimes."""

from __future__ import annotations

from datetime import date

from homeassistant.components.date import DateEntity
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
    """Mirror remote dates."""
    async_setup_mirrors(entry.runtime_data, Platform.DATE, async_add_entities, RemoteDate)


class RemoteDate(RemoteEntity, DateEntity):
    """date.set_value, or input_datetime.set_datetime with a date."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_native_value = dt_util.parse_date(state.state)

    async def async_set_value(self, value: date) -> None:
        """Set the remote date."""
        service = "set_datetime" if self.mirror.domain == "input_datetime" else "set_value"
        await self._async_call(service, {"date": value})
