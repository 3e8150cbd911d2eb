"""Odd and hostile remote entity data, one case per entity, and how to read the log about it."""

from __future__ import annotations

from collections.abc import Iterable
import logging
import re
from typing import Any

BLOB = "x" * 2_000_000  # one 2 MB attribute (the remote's frames exceed aiohttp's 4 MiB default)


def case(domain: str, label: str, state: str, **attributes: Any) -> dict[str, Any]:
    """One remote entity with odd data; its object id names the case."""
    return {"entity_id": f"{domain}.odd_{label}", "state": state, "attributes": attributes}


def light(label: str, mode: str, **attributes: Any) -> dict[str, Any]:
    """A light that is on in one colour mode."""
    return case("light", label, "on", color_mode=mode, supported_color_modes=[mode], **attributes)


# Data a local platform may reject: each entity must be mirrored, or skipped with one warning.
WRONG_TYPES = [
    light("hs_short", "hs", hs_color=[1]),
    light("rgb_text", "rgb", rgb_color="red"),
    light("xy_long", "xy", xy_color=[1, 2, 3]),
    case("light", "modes_text", "on", supported_color_modes="hs", color_mode="bogus"),
    light("brightness_text", "brightness", brightness="bright"),
    light("kelvin_text", "color_temp", min_color_temp_kelvin="x", max_color_temp_kelvin=[1]),
    case("light", "effects_int", "on", effect_list=5, supported_features=4),
    case("light", "features_text", "on", supported_features="lots"),
    case("climate", "types", "heat", temperature="hot", hvac_modes="heat", min_temp="x"),
    case("climate", "fan_modes_int", "cool", fan_modes=5, supported_features=8),
    case("cover", "types", "open", current_position="half", is_closed="maybe", supported_speeds=5),
    case("fan", "types", "on", percentage="x", percentage_step="x", preset_modes=5),
    case("humidifier", "types", "on", humidity="x", available_modes=5),
    case("water_heater", "types", "eco", temperature="x", operation_list=5, away_mode=5),
    case("valve", "types", "open", current_position="x"),
    case("vacuum", "types", "cleaning", fan_speed_list=5, fan_speed=[1]),
    case("lock", "types", "locked", code_format=5),
    case("siren", "types", "on", available_tones=5),
    case("alarm_control_panel", "types", "armed_home", code_format=5, code_arm_required="x"),
    case("media_player", "types", "playing", volume_level="loud", group_members=5, source_list=5),
    case("media_player", "position", "playing", media_position_updated_at=5),
    case("input_number", "input_types", "3", min="x", mode="weird", step=0),
    case("number", "types", "x", min=[1], max="y"),
    case("select", "types", "a", options=5),
    case("input_select", "input_types", "a", options="abc"),
    case("text", "types", "abc", mode="weird", min="x"),
    case("input_datetime", "input_types", "x", has_date=True, has_time=True, timestamp="x"),
    case("input_text", "input_types", "hello", pattern=5, max="x"),
    case("date", "types", "not-a-date"),
    case("time", "types", "25:99"),
    case("datetime", "types", "x"),
    case("camera", "types", "idle", entity_picture=5, access_token=5),
    case("image", "types", "x", entity_picture=5),
    case("calendar", "types", "on", start_time="x", end_time=5, all_day="x"),
    case("todo", "types", "x", supported_features="x"),
    case("scene", "types", "x", entity_id=5),
    case("button", "types", "x"),
    case("input_button", "input_types", "x"),
    case("notify", "types", "x", supported_features=[1]),
    case("remote", "types", "on", activity_list=5),
    case("lawn_mower", "types", "mowing", supported_features="x"),
    case("update", "types", "on", installed_version=5, latest_version=[1], in_progress="x"),
    case("event", "types", "x", event_types=5),
    case("device_tracker", "types", "home", latitude="x", longitude=[1], source_type="gps"),
    case("device_tracker", "far", "home", latitude=91, longitude=0, source_type="gps"),
    case("device_tracker", "nan", "home", latitude="nan", longitude=0, source_type="gps"),
    case("weather", "types", "sunny", temperature="x", forecast=5),
    case("sensor", "types", "12", unit_of_measurement=5, state_class="sometimes", options=5),
    case("binary_sensor", "types", "maybe", device_class=5),
    case("switch", "features_negative", "on", supported_features=-1),
]
# Data every local platform can show: these must be mirrored and available.
MIRRORABLE = [
    light("future_bits", "onoff", supported_features=2**40 + 4),
    case("sensor", "blob", "1", blob=BLOB),
    case("sensor", "unicode", "ok", friendly_name="Küche 🔥 灯 \u202e ünïcödé"),
    case("zz_unknown_domain", "thing", "weird", nested=[1, {"deep": [None, True]}]),
]
# The same entities with data they can show again.
USABLE_AGAIN = [
    light("hs_short", "hs", hs_color=[30, 50]),
    case("select", "types", "a", options=["a", "b"]),
    case("input_number", "input_types", "3", min=0, max=10, step=1, mode="box"),
]


def about(records: Iterable[logging.LogRecord], *entity_ids: str) -> list[logging.LogRecord]:
    """Warnings and errors naming one of the entity ids."""
    patterns = [re.compile(rf"(?<![\w.]){re.escape(eid)}(?![\w])") for eid in entity_ids if eid]
    return [
        record
        for record in records
        if record.levelno >= logging.WARNING
        and any(pattern.search(record.getMessage()) for pattern in patterns)
    ]
