"""Which local platform mirrors each remote domain; anything unlisted becomes a read-only sensor."""

from __future__ import annotations

from typing import Final

from homeassistant.const import Platform

from .api import RemoteState

ROUTES: Final[dict[str, Platform]] = {
    "alarm_control_panel": Platform.ALARM_CONTROL_PANEL,
    "automation": Platform.SWITCH,
    "binary_sensor": Platform.BINARY_SENSOR,
    "button": Platform.BUTTON,
    "calendar": Platform.CALENDAR,
    "camera": Platform.CAMERA,
    "climate": Platform.CLIMATE,
    "cover": Platform.COVER,
    "date": Platform.DATE,
    "datetime": Platform.DATETIME,
    "device_tracker": Platform.DEVICE_TRACKER,
    "event": Platform.EVENT,
    "fan": Platform.FAN,
    "humidifier": Platform.HUMIDIFIER,
    "image": Platform.IMAGE,
    "input_boolean": Platform.SWITCH,
    "input_button": Platform.BUTTON,
    "input_number": Platform.NUMBER,
    "input_select": Platform.SELECT,
    "input_text": Platform.TEXT,
    "lawn_mower": Platform.LAWN_MOWER,
    "light": Platform.LIGHT,
    "lock": Platform.LOCK,
    "media_player": Platform.MEDIA_PLAYER,
    "notify": Platform.NOTIFY,
    "number": Platform.NUMBER,
    "remote": Platform.REMOTE,
    "scene": Platform.SCENE,
    "script": Platform.SWITCH,
    "select": Platform.SELECT,
    "sensor": Platform.SENSOR,
    "siren": Platform.SIREN,
    "switch": Platform.SWITCH,
    "text": Platform.TEXT,
    "time": Platform.TIME,
    "todo": Platform.TODO,
    "update": Platform.UPDATE,
    "vacuum": Platform.VACUUM,
    "valve": Platform.VALVE,
    "water_heater": Platform.WATER_HEATER,
    "weather": Platform.WEATHER,
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
