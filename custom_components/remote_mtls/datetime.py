"""Remote datetimes and input_datetimes with both a date and a time."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.datetime import DateTimeEntity
from homeassistant.const import Platform
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .entity import MirroredEntity, by_remote_domain, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteDateTime(MirroredEntity, DateTimeEntity):
    """A remote datetime: its state is an ISO timestamp with an offset."""

    def _apply_state(self, state: RemoteState) -> None:
        value = dt_util.parse_datetime(state.state)
        self._attr_native_value = value if value is None or value.tzinfo else None

    async def async_set_value(self, value: datetime) -> None:
        """Set the remote datetime (an aware datetime)."""
        await self._async_call("set_value", {"datetime": value})


class RemoteInputDateTime(RemoteDateTime):
    """A remote input_datetime: its state is the remote's naive local time; read `timestamp`."""

    def _apply_state(self, state: RemoteState) -> None:
        timestamp = state.attributes.get("timestamp")
        self._attr_native_value = (
            None if timestamp is None else dt_util.utc_from_timestamp(float(timestamp))
        )

    async def async_set_value(self, value: datetime) -> None:
        """Send the wall-clock time in the remote's time zone, as input_datetime expects."""
        name = self.coordinator.remote_config.get("time_zone")
        zone = await dt_util.async_get_time_zone(name) if name else None
        if zone is None:  # a zone this side does not know: the remote converts a timestamp
            await self._async_call("set_datetime", {"timestamp": value.timestamp()})
            return
        local = value.astimezone(zone).replace(tzinfo=None)
        await self._async_call("set_datetime", {"datetime": local})


async_setup_entry = mirrored_platform(
    Platform.DATETIME, by_remote_domain({"input_datetime": RemoteInputDateTime}, RemoteDateTime)
)
