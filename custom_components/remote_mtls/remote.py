"""Remote remotes: on/off, activities; send, learn and delete commands."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from homeassistant.components.remote import RemoteEntity as RemoteControlEntity
from homeassistant.components.remote.const import RemoteEntityFeature
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, RemoteOnOff, as_list, mirrored_platform, on_off

PARALLEL_UPDATES = 0


class RemoteControl(RemoteOnOff, RemoteControlEntity):
    """A remote control; every action goes to the remote with the arguments given."""

    feature_type = RemoteEntityFeature
    mirrored_attributes = (Attr("activity_list", convert=as_list), Attr("current_activity"))

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)

    async def async_send_command(self, command: Iterable[str], **kwargs: Any) -> None:
        """Send commands (device, num_repeats, delay_secs, hold_secs)."""
        await self._async_call("send_command", {"command": list(command), **kwargs})

    async def async_learn_command(self, **kwargs: Any) -> None:
        """Learn commands (device, command, command_type, alternative, timeout)."""
        await self._async_call("learn_command", kwargs)

    async def async_delete_command(self, **kwargs: Any) -> None:
        """Delete learned commands (command, device)."""
        await self._async_call("delete_command", kwargs)


async_setup_entry = mirrored_platform(Platform.REMOTE, RemoteControl)
