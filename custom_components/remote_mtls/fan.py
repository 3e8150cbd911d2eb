"""Remote fans: speed percentage and steps, preset modes, oscillation and direction."""

from __future__ import annotations

from typing import Any

from homeassistant.components.fan import FanEntity
from homeassistant.components.fan.const import FanEntityFeature
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, MirroredEntity, as_list, mirrored_platform, on_off

PARALLEL_UPDATES = 0


def _speed_count(percentage_step: Any) -> int:
    """Return the number of speeds that gives the remote's percentage step."""
    step = float(percentage_step)
    return max(1, round(100 / step)) if step > 0 else 100


def _step(percentage_step: int | None) -> dict[str, Any]:
    return {} if percentage_step is None else {"percentage_step": percentage_step}


class RemoteFan(MirroredEntity, FanEntity):
    """A remote fan; on/off is the remote state, not derived from the speed."""

    feature_type = FanEntityFeature
    mirrored_attributes = (
        Attr("percentage"),
        Attr("speed_count", "percentage_step", convert=_speed_count, keep_default=True),
        Attr("preset_mode"),
        Attr("preset_modes", convert=as_list),
        Attr("oscillating"),
        Attr("current_direction", "direction"),
    )

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)

    @property
    def is_on(self) -> bool | None:
        """Return the remote on/off state."""
        return self._attr_is_on

    async def async_turn_on(
        self, percentage: int | None = None, preset_mode: str | None = None, **kwargs: Any
    ) -> None:
        """Turn the remote fan on, optionally at a speed or preset."""
        data: dict[str, Any] = {}
        if percentage is not None:
            data["percentage"] = percentage
        if preset_mode is not None:
            data["preset_mode"] = preset_mode
        await self._async_call("turn_on", data)

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Turn the remote fan off."""
        await self._async_call("turn_off")

    async def async_toggle(self, **kwargs: Any) -> None:
        """Toggle the remote fan."""
        await self._async_call("toggle")

    async def async_set_percentage(self, percentage: int) -> None:
        """Set the remote speed (0 turns it off)."""
        await self._async_call("set_percentage", {"percentage": percentage})

    async def async_increase_speed(self, percentage_step: int | None = None) -> None:
        """Raise the remote speed by one step or by `percentage_step`."""
        await self._async_call("increase_speed", _step(percentage_step))

    async def async_decrease_speed(self, percentage_step: int | None = None) -> None:
        """Lower the remote speed by one step or by `percentage_step`."""
        await self._async_call("decrease_speed", _step(percentage_step))

    async def async_set_preset_mode(self, preset_mode: str) -> None:
        """Set the remote preset mode."""
        await self._async_call("set_preset_mode", {"preset_mode": preset_mode})

    async def async_oscillate(self, oscillating: bool) -> None:
        """Start or stop the remote oscillation."""
        await self._async_call("oscillate", {"oscillating": oscillating})

    async def async_set_direction(self, direction: str) -> None:
        """Set the remote direction."""
        await self._async_call("set_direction", {"direction": direction})


async_setup_entry = mirrored_platform(Platform.FAN, RemoteFan)
