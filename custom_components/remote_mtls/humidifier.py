"""Remote humidifiers and dehumidifiers: on/off, mode, target and current humidity, action."""

from __future__ import annotations

from homeassistant.components.humidifier import HumidifierEntity
from homeassistant.components.humidifier.const import HumidifierAction, HumidifierEntityFeature
from homeassistant.const import Platform

from .api import RemoteState
from .climate import HUMIDITY_ATTRIBUTES
from .entity import Attr, RemoteOnOff, as_list, mirrored_platform, on_off

PARALLEL_UPDATES = 0
_ACTIONS = {action.value: action for action in HumidifierAction}


class RemoteHumidifier(RemoteOnOff, HumidifierEntity):
    """A remote humidifier."""

    feature_type = HumidifierEntityFeature
    mirrored_attributes = (
        Attr("action", convert=_ACTIONS.get),
        *HUMIDITY_ATTRIBUTES,
        Attr("mode"),
        Attr("available_modes", convert=as_list),
    )

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)

    async def async_set_humidity(self, humidity: int) -> None:
        """Set the remote target humidity."""
        await self._async_call("set_humidity", {"humidity": humidity})

    async def async_set_mode(self, mode: str) -> None:
        """Set the remote mode."""
        await self._async_call("set_mode", {"mode": mode})


async_setup_entry = mirrored_platform(Platform.HUMIDIFIER, RemoteHumidifier)
