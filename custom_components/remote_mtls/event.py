"""Remote events: each new remote event fires the local event entity."""

from __future__ import annotations

import logging

from homeassistant.components.event import EventEntity
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .entity import COMMON_ATTRIBUTES, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)
EVENT_TYPE = "event_type"
EVENT_TYPES = "event_types"


class RemoteEvent(MirroredEntity, EventEntity):
    """Fires when the remote's state (the time of its last event) changes.

    The event already shown by the first snapshot is not fired again, so the local state is
    the local time of the last event received, not the remote's.
    """

    _remote_stamp: str | None = None

    def _apply_state(self, state: RemoteState) -> None:
        attributes = state.attributes
        self._attr_event_types = [str(name) for name in attributes.get(EVENT_TYPES) or ()]
        stamp = state.state
        if stamp == STATE_UNAVAILABLE:
            return
        fired = self._remote_stamp is not None and stamp not in (self._remote_stamp, STATE_UNKNOWN)
        self._remote_stamp = stamp
        event_type = attributes.get(EVENT_TYPE)
        if not fired or event_type is None:
            return
        data = {
            name: value
            for name, value in attributes.items()
            if name not in COMMON_ATTRIBUTES and name not in (EVENT_TYPE, EVENT_TYPES)
        }
        try:
            self._trigger_event(str(event_type), data)
        except ValueError as err:
            _LOGGER.warning("%s: %s", self.remote_entity_id, err)


async_setup_entry = mirrored_platform(Platform.EVENT, RemoteEvent)
