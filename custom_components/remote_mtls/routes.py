"""Which local platform mirrors each remote domain; anything unlisted becomes a read-only sensor."""

from __future__ import annotations

from typing import Final

from homeassistant.const import Platform

from .api import RemoteState

ROUTES: Final[dict[str, Platform]] = {
    "automation": Platform.SWITCH,
    "binary_sensor": Platform.BINARY_SENSOR,
    "button": Platform.BUTTON,
    "input_boolean": Platform.SWITCH,
    "input_button": Platform.BUTTON,
    "light": Platform.LIGHT,
    "script": Platform.SWITCH,
    "sensor": Platform.SENSOR,
    "switch": Platform.SWITCH,
}

PLATFORMS: Final = sorted(set(ROUTES.values()) | {Platform.SENSOR})


def local_platform(state: RemoteState) -> Platform:
    """Return the local platform for a remote entity."""
    domain = state.entity_id.partition(".")[0]
    if domain == "input_datetime":
        has_date = bool(state.attributes.get("has_date"))
        has_time = bool(state.attributes.get("has_time"))
        if has_date and has_time:
            return Platform.DATETIME
        return Platform.DATE if has_date else Platform.TIME
    return ROUTES.get(domain, Platform.SENSOR)
