"""Remote events fired locally: only the chosen types, never core ones, at a bounded rate.

The remote is authenticated but not trusted: each event is checked against the type its own
subscription asked for, core and internal types are refused whatever the options say, oversized
data is dropped, and a flood is cut off with one warning.
"""

from __future__ import annotations

from collections.abc import Iterable
import logging
from typing import Any, Final

from homeassistant.core import EventOrigin, HomeAssistant
from homeassistant.helpers.json import json_bytes
from homeassistant.util import dt as dt_util

from .const import ORIGIN_MARKER
from .rate_limit import TokenBucket

_LOGGER = logging.getLogger(__name__)

# Types that only Home Assistant itself may fire: lifecycle, state machine, services, registries,
# configuration. A remote firing one of them here could stop the server or fake local changes.
FORBIDDEN_EVENT_TYPES: Final = frozenset(
    {
        "state_changed",
        "state_reported",
        "call_service",
        "service_registered",
        "service_removed",
        "component_loaded",
        "core_config_updated",
        "themes_updated",
        "panels_updated",
        "lovelace_updated",
        "user_added",
        "user_updated",
        "user_removed",
        "logging_changed",
        "config_entry_discovered",
        "persistent_notifications_updated",
        "automation_reloaded",
        "automation_triggered",
        "script_started",
        "scene_reloaded",
        "logbook_entry",
        "labs_updated",
    }
)
FORBIDDEN_PREFIXES: Final = ("homeassistant_", "recorder_", "data_entry_flow", "config_entry_")
FORBIDDEN_SUFFIXES: Final = ("_registry_updated",)

MAX_EVENT_DATA_BYTES: Final = 64 * 1024  # JSON size of one event's data
EVENT_RATE: Final = 20.0  # forwarded events per second, sustained, per link
EVENT_BURST: Final = 100.0  # events that may arrive at once


def forbidden_event_type(event_type: str) -> bool:
    """Whether an event type is core or internal, never forwarded from a remote."""
    return (
        event_type in FORBIDDEN_EVENT_TYPES
        or event_type.startswith(FORBIDDEN_PREFIXES)
        or event_type.endswith(FORBIDDEN_SUFFIXES)
    )


def forwardable_event_types(chosen: Iterable[str]) -> list[str]:
    """Return the chosen types that may be forwarded (older options may hold forbidden ones)."""
    return [event_type for event_type in chosen if not forbidden_event_type(event_type)]


class EventForwarder:
    """Fires one link's remote events locally, after checking each of them."""

    def __init__(self, hass: HomeAssistant, entry_id: str, title: str) -> None:
        """Start with a full bucket."""
        self._hass = hass
        self._entry_id = entry_id
        self._title = title
        self._limit = TokenBucket(EVENT_RATE, EVENT_BURST)
        self._warned: set[tuple[str, str]] = set()

    def forward(self, subscribed_type: str, event: Any) -> None:
        """Fire `event` locally if it is what `subscribed_type` asked for."""
        if not isinstance(event, dict) or event.get("event_type") != subscribed_type:
            self._refuse("an event of another type than its subscription", subscribed_type)
            return
        if forbidden_event_type(subscribed_type):
            self._refuse("a core event type", subscribed_type)
            return
        data = event.get("data")
        if not isinstance(data, dict):
            data = {}
        if ORIGIN_MARKER in data:
            return  # forwarded to the remote by a link: never bounce it back
        if len(json_bytes(data)) > MAX_EVENT_DATA_BYTES:
            self._refuse(f"data over {MAX_EVENT_DATA_BYTES} bytes", subscribed_type)
            return
        if not self._limit.take(self._warn_flood):
            return
        context = event.get("context")
        context_id = context.get("id") if isinstance(context, dict) else None
        data = {**data, ORIGIN_MARKER: {"entry_id": self._entry_id, "context_id": context_id}}
        fired = dt_util.parse_datetime(str(event.get("time_fired") or ""))
        self._hass.bus.async_fire(
            subscribed_type,
            data,
            origin=EventOrigin.remote,
            time_fired=fired.timestamp() if fired else None,
        )

    def _warn_flood(self) -> None:
        _LOGGER.warning(
            "%s sends more than %.0f events per second; events are dropped until it slows down",
            self._title,
            EVENT_RATE,
        )

    def _refuse(self, what: str, subscribed_type: str) -> None:
        """Warn once per kind of refusal and subscription."""
        if (what, subscribed_type) in self._warned:
            return
        self._warned.add((what, subscribed_type))
        _LOGGER.warning(
            "%s sent %s on the %s subscription; it was not fired here",
            self._title,
            what,
            subscribed_type[:100],
        )
