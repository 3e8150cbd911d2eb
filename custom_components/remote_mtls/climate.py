"""Remote climate entities: HVAC, fan, preset and swing modes, temperatures and humidity."""

from __future__ import annotations

from typing import Any

from homeassistant.components.climate import ClimateEntity
from homeassistant.components.climate.const import ClimateEntityFeature, HVACAction, HVACMode
from homeassistant.const import Platform, UnitOfTemperature
from homeassistant.helpers.entity import Entity

from .api import RemoteState
from .coordinator import RemoteCoordinator
from .entity import Attr, RemoteOnOff, as_list, mirrored_platform

PARALLEL_UPDATES = 0
_HVAC_MODES = {mode.value: mode for mode in HVACMode}
_HVAC_ACTIONS = {action.value: action for action in HVACAction}


def remote_temperature_unit(coordinator: RemoteCoordinator) -> str:
    """Return the remote's temperature unit: every remote temperature is shown in it."""
    unit_system = coordinator.remote_config.get("unit_system") or {}
    return str(unit_system.get("temperature") or UnitOfTemperature.CELSIUS)


def native_temperatures(platform_entity: type[Entity]) -> bool:
    """Whether the platform takes `native_*` temperatures (Home Assistant 2026.11 and later)."""
    return hasattr(platform_entity, "native_temperature_unit")


def temperature_attributes(native: bool) -> tuple[Attr, ...]:
    """Return the temperature attributes under the names the platform uses."""
    prefix = "native_" if native else ""
    return (
        Attr(f"{prefix}current_temperature", "current_temperature"),
        Attr(f"{prefix}target_temperature", "temperature"),
        Attr(f"{prefix}target_temperature_high", "target_temp_high"),
        Attr(f"{prefix}target_temperature_low", "target_temp_low"),
        Attr("target_temperature_step", "target_temp_step"),
        Attr("min_temp", keep_default=True),
        Attr("max_temp", keep_default=True),
    )


def set_temperature_unit(entity: Entity, native: bool, unit: str) -> None:
    """Set the unit the remote's temperatures are in, under the platform's attribute name."""
    setattr(entity, "_attr_native_temperature_unit" if native else "_attr_temperature_unit", unit)


_NATIVE = native_temperatures(ClimateEntity)

# Current and target humidity, as climate and humidifier entities name them.
HUMIDITY_ATTRIBUTES = (
    Attr("current_humidity"),
    Attr("target_humidity", "humidity"),
    Attr("target_humidity_step"),
    Attr("min_humidity", keep_default=True),
    Attr("max_humidity", keep_default=True),
)


class RemoteClimate(RemoteOnOff, ClimateEntity):
    """A remote climate entity; its state is the HVAC mode."""

    feature_type = ClimateEntityFeature
    mirrored_attributes = (
        Attr("hvac_action", convert=_HVAC_ACTIONS.get),
        *temperature_attributes(_NATIVE),
        *HUMIDITY_ATTRIBUTES,
        Attr("fan_mode"),
        Attr("fan_modes", convert=as_list),
        Attr("preset_mode"),
        Attr("preset_modes", convert=as_list),
        Attr("swing_mode"),
        Attr("swing_modes", convert=as_list),
        Attr("swing_horizontal_mode"),
        Attr("swing_horizontal_modes", convert=as_list),
    )

    def _apply_state(self, state: RemoteState) -> None:
        set_temperature_unit(self, _NATIVE, remote_temperature_unit(self.coordinator))
        self._attr_hvac_mode = _HVAC_MODES.get(state.state)
        modes = state.attributes.get("hvac_modes") or ()
        self._attr_hvac_modes = [_HVAC_MODES[mode] for mode in modes if mode in _HVAC_MODES]

    async def async_set_hvac_mode(self, hvac_mode: HVACMode) -> None:
        """Set the remote HVAC mode."""
        await self._async_call("set_hvac_mode", {"hvac_mode": hvac_mode})

    async def async_set_temperature(self, **kwargs: Any) -> None:
        """Set remote target temperatures (already in the remote's unit) and optional mode."""
        await self._async_call("set_temperature", kwargs)

    async def async_set_humidity(self, humidity: int) -> None:
        """Set the remote target humidity."""
        await self._async_call("set_humidity", {"humidity": humidity})

    async def async_set_fan_mode(self, fan_mode: str) -> None:
        """Set the remote fan mode."""
        await self._async_call("set_fan_mode", {"fan_mode": fan_mode})

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the remote preset mode."""
        await self._async_call("set_preset_mode", {"preset_mode": preset_mode})

    async def async_set_swing_mode(self, swing_mode: str) -> None:
        """Set the remote vertical swing mode."""
        await self._async_call("set_swing_mode", {"swing_mode": swing_mode})

    async def async_set_swing_horizontal_mode(self, swing_horizontal_mode: str) -> None:
        """Set the remote horizontal swing mode."""
        await self._async_call(
            "set_swing_horizontal_mode", {"swing_horizontal_mode": swing_horizontal_mode}
        )


async_setup_entry = mirrored_platform(Platform.CLIMATE, RemoteClimate)
