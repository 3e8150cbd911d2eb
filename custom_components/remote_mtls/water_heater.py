"""Remote water heaters: operation mode, away mode and target temperatures."""

from __future__ import annotations

from typing import Any

from homeassistant.components.water_heater import WaterHeaterEntity
from homeassistant.components.water_heater.const import WaterHeaterEntityFeature
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .climate import (
    native_temperatures,
    remote_temperature_unit,
    set_temperature_unit,
    temperature_attributes,
)
from .entity import Attr, RemoteOnOff, as_list, mirrored_platform, on_off

PARALLEL_UPDATES = 0
_NATIVE = native_temperatures(WaterHeaterEntity)


class RemoteWaterHeater(RemoteOnOff, WaterHeaterEntity):
    """A remote water heater; its state is the current operation."""

    feature_type = WaterHeaterEntityFeature
    mirrored_attributes = (
        Attr("operation_list", convert=as_list),
        *temperature_attributes(_NATIVE),
        Attr("is_away_mode_on", "away_mode", convert=on_off),
    )

    def _apply_state(self, state: RemoteState) -> None:
        set_temperature_unit(self, _NATIVE, remote_temperature_unit(self.coordinator))
        unknown = state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE)
        self._attr_current_operation = None if unknown else state.state

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set the remote target temperature (in the remote's unit) and optional mode."""
        await self._async_call("set_temperature", kwargs)

    async def async_set_operation_mode(self, operation_mode: str) -> None:
        """Set the remote operation mode."""
        await self._async_call("set_operation_mode", {"operation_mode": operation_mode})

    async def async_turn_away_mode_on(self) -> None:
        """Turn remote away mode on."""
        await self._async_call("set_away_mode", {"away_mode": True})

    async def async_turn_away_mode_off(self) -> None:
        """Turn remote away mode off."""
        await self._async_call("set_away_mode", {"away_mode": False})


async_setup_entry = mirrored_platform(Platform.WATER_HEATER, RemoteWaterHeater)
