"""Remote alarm control panels: state, code format and requirement; arm, disarm and trigger."""

from __future__ import annotations

from typing import Any

from homeassistant.components.alarm_control_panel import AlarmControlPanelEntity
from homeassistant.components.alarm_control_panel.const import (
    AlarmControlPanelEntityFeature,
    AlarmControlPanelState,
    CodeFormat,
)
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


def _code_format(value: Any) -> CodeFormat:
    """Return the code format; an unknown one still asks for a code, as text."""
    try:
        return CodeFormat(value)
    except ValueError:
        return CodeFormat.TEXT


def _code(code: str | None) -> dict[str, Any]:
    return {"code": code} if code else {}


class RemoteAlarmPanel(MirroredEntity, AlarmControlPanelEntity):
    """A remote alarm panel; the local check for a required arm code runs first."""

    feature_type = AlarmControlPanelEntityFeature
    mirrored_attributes = (
        Attr("code_format", convert=_code_format),
        Attr("changed_by"),
        Attr("code_arm_required", keep_default=True),
    )

    def _apply_state(self, state: RemoteState) -> None:
        try:
            self._attr_alarm_state = AlarmControlPanelState(state.state)
        except ValueError:
            self._attr_alarm_state = None

    async def async_alarm_disarm(self, code: str | None = None) -> None:
        """Disarm the remote panel."""
        await self._async_call("alarm_disarm", _code(code))

    async def async_alarm_arm_home(self, code: str | None = None) -> None:
        """Arm the remote panel in home mode."""
        await self._async_call("alarm_arm_home", _code(code))

    async def async_alarm_arm_away(self, code: str | None = None) -> None:
        """Arm the remote panel in away mode."""
        await self._async_call("alarm_arm_away", _code(code))

    async def async_alarm_arm_night(self, code: str | None = None) -> None:
        """Arm the remote panel in night mode."""
        await self._async_call("alarm_arm_night", _code(code))

    async def async_alarm_arm_vacation(self, code: str | None = None) -> None:
        """Arm the remote panel in vacation mode."""
        await self._async_call("alarm_arm_vacation", _code(code))

    async def async_alarm_arm_custom_bypass(self, code: str | None = None) -> None:
        """Arm the remote panel with its custom bypass."""
        await self._async_call("alarm_arm_custom_bypass", _code(code))

    async def async_alarm_trigger(self, code: str | None = None) -> None:
        """Trigger the remote alarm."""
        await self._async_call("alarm_trigger", _code(code))


async_setup_entry = mirrored_platform(Platform.ALARM_CONTROL_PANEL, RemoteAlarmPanel)
