"""Remote dates and date-only input_datetimes."""

from __future__ import annotations

from datetime import date

from homeassistant.components.date import DateEntity
from homeassistant.const import Platform
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteDate(MirroredEntity, DateEntity):
    """date.set_value, or input_datetime.set_datetime with a date."""

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_native_value = dt_util.parse_date(state.state)

    async def async_set_value(self, value: date) -> None:
        """Set the remote date."""
        service = "set_datetime" if self.mirror.domain == "input_datetime" else "set_value"
        await self._async_call(service, {"date": value})


async_setup_entry = mirrored_platform(Platform.DATE, RemoteDate)
