"""Remote notify entities: send_message (with title) goes to notify.send_message there."""

from __future__ import annotations

from typing import Any

from homeassistant.components.notify import NotifyEntity
from homeassistant.components.notify.const import NotifyEntityFeature
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteNotify(MirroredEntity, NotifyEntity):
    """The state is the local time of the last message, sent here or on the remote."""

    feature_type = NotifyEntityFeature
    _remote_stamp: str | None = None
    _own_messages = 0

    def _apply_state(self, state: RemoteState) -> None:
        stamp = state.state
        if stamp == STATE_UNAVAILABLE:
            return
        sent = self._remote_stamp is not None and stamp not in (self._remote_stamp, STATE_UNKNOWN)
        self._remote_stamp = stamp
        if not sent:
            return
        if self._own_messages:  # recorded by Home Assistant once our call returns
            self._own_messages -= 1
        else:
            self._async_record_notification()

    async def async_send_message(self, message: str, title: str | None = None) -> None:
        """Send the message through the remote entity."""
        data: dict[str, Any] = {"message": message}
        if title is not None:
            data["title"] = title
        self._own_messages += 1
        try:
            await self._async_call("send_message", data)
        except Exception:
            self._own_messages -= 1
            raise


async_setup_entry = mirrored_platform(Platform.NOTIFY, RemoteNotify)
