"""Remote numbers and input_numbers: range, step, mode, unit and value."""

from __future__ import annotations

import logging

from homeassistant.components.number import NumberEntity, NumberMode
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)


def parse_number(value: str) -> float | None:
    """Return the remote state as a number: `500` stays an int so the state reads the same."""
    if value in (STATE_UNKNOWN, STATE_UNAVAILABLE):
        return None
    try:
        return int(value)
    except ValueError:
        pass
    try:
        return float(value)
    except ValueError:
        _LOGGER.debug("Non-numeric number state %r shown as unknown", value)
        return None


class RemoteNumber(MirroredEntity, NumberEntity):
    """set_value of the remote domain (number or input_number) in the remote's unit."""

    mirrored_attributes = (
        Attr("native_min_value", "min", keep_default=True),
        Attr("native_max_value", "max", keep_default=True),
        Attr("native_step", "step", keep_default=True),
        Attr("mode", convert=NumberMode, keep_default=True),
        Attr("native_unit_of_measurement", "unit_of_measurement"),
    )

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_native_value = parse_number(state.state)

    async def async_set_native_value(self, value: float) -> None:
        """Set the remote value (already in the remote's unit)."""
        await self._async_call("set_value", {"value": value})


async_setup_entry = mirrored_platform(Platform.NUMBER, RemoteNumber)
