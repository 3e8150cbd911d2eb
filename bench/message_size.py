"""Largest websocket message a link receives from a big remote: `python -m bench.message_size`.

Starts a real remote Home Assistant (demo + testbed component) on 127.0.0.1 and measures, with a
bare aiohttp client on the remote's own port (`max_msg_size=0`), the size of every text frame
of the messages a link depends on: the `subscribe_entities` snapshot, `get_states` and the
registry lists. Two phases on the same remote:

1. demo entities only: the registry lists, whose size grows with *registered* entities; the
   bytes per entry are projected to --entities registered entities;
2. after --entities extra states with realistic attributes (set via `testbed.set_states`, so
   they are states only: not in the registry).

Prints a table and writes bench/results/message_size.json.
"""

from __future__ import annotations

import argparse
import asyncio
from dataclasses import dataclass, field
import json
from pathlib import Path
import random
import shutil
import sys
import tempfile
import time
from typing import Any

import aiohttp

from tests.testbed.remote_ha import RemoteHomeAssistant

RESULTS = Path(__file__).parent / "results"
MIB = 2**20
TIMEOUT = 300.0

# Commands sent one at a time after the snapshot, by message id.
COMMANDS: dict[int, str] = {
    3: "config/entity_registry/list",
    4: "config/device_registry/list",
    5: "get_states",
    6: "config/area_registry/list",
    7: "config/label_registry/list",
}
# The registry lists as the link's coordinator fetches them: all four at once (asyncio.gather).
GATHERED: dict[int, str] = {
    8: "config/entity_registry/list",
    9: "config/device_registry/list",
    10: "config/area_registry/list",
    11: "config/label_registry/list",
}
GATHERED_KIND = "4 registry lists gathered (coalesced)"
SNAPSHOT = "subscribe_entities snapshot"

# Realistic entities ------------------------------------------------------------------------

ROOMS = (
    "Living Room", "Kitchen", "Master Bedroom", "Guest Bedroom", "Kids Room", "Bathroom",
    "Hallway", "Office", "Garage", "Garden", "Attic", "Basement", "Dining Room", "Laundry",
)  # fmt: skip
SENSOR_KINDS: tuple[tuple[str, str | None, str | None, str, str], ...] = (
    # (name, unit, device_class, state_class, icon)
    ("Temperature", "°C", "temperature", "measurement", "mdi:thermometer"),
    ("Humidity", "%", "humidity", "measurement", "mdi:water-percent"),
    ("Power", "W", "power", "measurement", "mdi:flash"),
    ("Energy", "kWh", "energy", "total_increasing", "mdi:lightning-bolt"),
    ("Illuminance", "lx", "illuminance", "measurement", "mdi:brightness-5"),
    ("Battery", "%", "battery", "measurement", "mdi:battery"),
    ("Voltage", "V", "voltage", "measurement", "mdi:sine-wave"),
    ("Signal Strength", "dBm", "signal_strength", "measurement", "mdi:wifi"),
    ("CO2", "ppm", "carbon_dioxide", "measurement", "mdi:molecule-co2"),
    ("Link Quality", "lqi", None, "measurement", "mdi:signal"),
)
BINARY_CLASSES = ("motion", "door", "window", "occupancy", "moisture", "smoke", "connectivity")
EFFECTS = [
    "None", "Colorloop", "Rainbow", "Candle", "Fireplace", "Sunrise", "Sunset", "Party",
    "Breathe", "Strobe",
]  # fmt: skip
HVAC_MODES = ["off", "heat", "cool", "heat_cool", "auto", "dry", "fan_only"]
PRESET_MODES = ["none", "eco", "away", "boost", "comfort", "home", "sleep", "activity"]
FAN_MODES = ["auto", "low", "medium", "high", "diffuse", "on", "off"]
SOURCES = [
    "TV", "HDMI 1", "HDMI 2", "HDMI 3", "HDMI 4", "Optical", "Bluetooth", "AirPlay", "Spotify",
    "Tidal", "Deezer", "Apple Music", "YouTube Music", "Internet Radio", "TuneIn", "Line In",
    "USB", "Phono", "Network Drive", "Chromecast",
]  # fmt: skip
# (share, domain), in order; the rest up to 100 % is media players.
MIX = ((0.40, "sensor"), (0.20, "light"), (0.15, "binary_sensor"), (0.10, "switch"))
MIX_CLIMATE = 0.10


def _domains(total: int) -> list[str]:
    """The domain of each of `total` entities, in blocks, shares as in MIX."""
    domains: list[str] = []
    for share, domain in MIX:
        domains += [domain] * round(share * total)
    domains += ["climate"] * min(round(MIX_CLIMATE * total), total - len(domains))
    return (domains + ["media_player"] * total)[:total]


def _sensor(rng: random.Random, room: str, index: int) -> tuple[str, dict[str, Any]]:
    name, unit, device_class, state_class, icon = SENSOR_KINDS[index % len(SENSOR_KINDS)]
    attributes: dict[str, Any] = {"state_class": state_class}
    if unit is not None:
        attributes["unit_of_measurement"] = unit
    if device_class is not None:
        attributes["device_class"] = device_class
    attributes["icon"] = icon
    attributes["friendly_name"] = f"{room} {name} {index}"
    return f"{rng.uniform(0, 1000):.2f}", attributes


def _light(rng: random.Random, room: str, index: int) -> tuple[str, dict[str, Any]]:
    hue, saturation = round(rng.uniform(0, 360), 3), round(rng.uniform(0, 100), 3)
    return "on", {
        "min_color_temp_kelvin": 2000,
        "max_color_temp_kelvin": 6535,
        "effect_list": EFFECTS,
        "supported_color_modes": ["color_temp", "hs", "xy"],
        "effect": rng.choice(EFFECTS),
        "color_mode": "hs",
        "brightness": rng.randint(1, 255),
        "hs_color": [hue, saturation],
        "rgb_color": [rng.randint(0, 255), rng.randint(0, 255), rng.randint(0, 255)],
        "xy_color": [round(rng.random(), 3), round(rng.random(), 3)],
        "color_temp_kelvin": None,
        "friendly_name": f"{room} Ceiling Light {index}",
        "supported_features": 44,
    }


def _binary_sensor(rng: random.Random, room: str, index: int) -> tuple[str, dict[str, Any]]:
    device_class = BINARY_CLASSES[index % len(BINARY_CLASSES)]
    return rng.choice(("on", "off")), {
        "device_class": device_class,
        "friendly_name": f"{room} {device_class.title()} {index}",
    }


def _switch(rng: random.Random, room: str, index: int) -> tuple[str, dict[str, Any]]:
    return rng.choice(("on", "off")), {
        "icon": "mdi:power-socket-eu",
        "friendly_name": f"{room} Smart Plug {index}",
    }


def _climate(rng: random.Random, room: str, index: int) -> tuple[str, dict[str, Any]]:
    return rng.choice(HVAC_MODES[1:]), {
        "hvac_modes": HVAC_MODES,
        "min_temp": 7,
        "max_temp": 35,
        "target_temp_step": 0.5,
        "fan_modes": FAN_MODES,
        "preset_modes": PRESET_MODES,
        "current_temperature": round(rng.uniform(15, 25), 1),
        "temperature": round(rng.uniform(18, 23) * 2) / 2,
        "target_temp_high": None,
        "target_temp_low": None,
        "current_humidity": rng.randint(30, 70),
        "fan_mode": rng.choice(FAN_MODES),
        "hvac_action": rng.choice(("idle", "heating", "cooling")),
        "preset_mode": rng.choice(PRESET_MODES),
        "friendly_name": f"{room} Thermostat {index}",
        "supported_features": 411,
    }


def _media_player(rng: random.Random, room: str, index: int) -> tuple[str, dict[str, Any]]:
    entity = f"media_player.{_slug(room)}_speaker_{index}"
    return "playing", {
        "source_list": SOURCES,
        "volume_level": round(rng.random(), 2),
        "is_volume_muted": False,
        "media_content_id": f"spotify:track:{rng.getrandbits(110):022x}",
        "media_content_type": "music",
        "media_duration": rng.randint(120, 420),
        "media_position": rng.randint(0, 120),
        "media_position_updated_at": "2026-01-01T12:00:00.000000+00:00",
        "media_title": f"A Fairly Typical Song Title Number {index} (Remastered 2011)",
        "media_artist": "Some Band Name",
        "media_album_name": "Greatest Hits: The Collection",
        "source": rng.choice(SOURCES),
        "entity_picture": (
            f"/api/media_player_proxy/{entity}?token={rng.getrandbits(256):064x}"
            f"&cache={rng.getrandbits(64):016x}"
        ),
        "device_class": "speaker",
        "friendly_name": f"{room} Speaker {index}",
        "supported_features": 4127679,
    }


GENERATORS = {
    "sensor": _sensor,
    "light": _light,
    "binary_sensor": _binary_sensor,
    "switch": _switch,
    "climate": _climate,
    "media_player": _media_player,
}


def _slug(text: str) -> str:
    return text.lower().replace(" ", "_")


def realistic_states(count: int, seed: int = 20000) -> list[dict[str, Any]]:
    """`count` states for testbed.set_states, domains mixed as in a real (big) home."""
    rng = random.Random(seed)
    states = []
    for index, domain in enumerate(_domains(count)):
        room = ROOMS[index % len(ROOMS)]
        state, attributes = GENERATORS[domain](rng, room, index)
        object_id = _slug(attributes["friendly_name"])
        states.append(
            {"entity_id": f"{domain}.{object_id}", "state": state, "attributes": attributes}
        )
    return states


def domain_counts(states: list[dict[str, Any]]) -> dict[str, int]:
    """Number of states per domain."""
    counts: dict[str, int] = {}
    for item in states:
        domain = item["entity_id"].split(".", 1)[0]
        counts[domain] = counts.get(domain, 0) + 1
    return counts


# Measuring ---------------------------------------------------------------------------------


@dataclass
class Frames:
    """Text frames received, by message kind (a coalesced frame counts for each kind in it)."""

    largest: dict[str, int] = field(default_factory=dict)
    count: int = 0
    total_bytes: int = 0
    entries: dict[str, int] = field(default_factory=dict)  # result lengths / snapshot entities

    def add(self, kind: str, size: int) -> None:
        self.largest[kind] = max(self.largest.get(kind, 0), size)


def _kind(message: dict[str, Any]) -> str:
    kind = message.get("type", "?")
    if kind == "event":
        event = message.get("event", {})
        return SNAPSHOT if "a" in event else "subscribe_entities change"
    if kind == "result":
        message_id = message.get("id", 0)
        if message_id in GATHERED:
            return GATHERED_KIND
        name = {1: "supported_features", 2: "subscribe_entities", **COMMANDS}
        return f"result {name.get(message_id, message_id)}"
    return str(kind)


async def _read(ws: aiohttp.ClientWebSocketResponse, frames: Frames) -> list[dict[str, Any]]:
    """Receive one text frame, record its size under each kind in it, return its messages."""
    msg = await ws.receive()
    if msg.type is not aiohttp.WSMsgType.TEXT:
        raise RuntimeError(f"websocket ended: {msg.type.name} {msg.data!r} {msg.extra!r}")
    size = len(msg.data.encode())
    frames.count += 1
    frames.total_bytes += size
    payload = json.loads(msg.data)
    messages: list[dict[str, Any]] = payload if isinstance(payload, list) else [payload]
    for message in messages:
        frames.add(_kind(message), size)
        if message.get("type") == "result" and message.get("success") is False:
            raise RuntimeError(f"command {message.get('id')} failed: {message.get('error')}")
    return messages


async def _answers(
    ws: aiohttp.ClientWebSocketResponse, frames: Frames, commands: dict[int, str]
) -> None:
    """Send `commands` at once and read until each has its result."""
    for message_id, command in commands.items():
        await ws.send_json({"id": message_id, "type": command})
    pending = set(commands)
    while pending:
        for message in await _read(ws, frames):
            if message.get("type") == "result" and message.get("id") in pending:
                pending.discard(message["id"])
                frames.entries.setdefault(_kind(message), len(message["result"]))


async def measure(url: str, token: str) -> Frames:
    """Connect like a link, subscribe, fetch the registries and states; record frame sizes."""
    frames = Frames()
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{url}/api/websocket", max_msg_size=0) as ws,
        asyncio.timeout(TIMEOUT),
    ):
        await _read(ws, frames)  # auth_required
        await ws.send_json({"type": "auth", "access_token": token})
        if (await _read(ws, frames))[0]["type"] != "auth_ok":
            raise RuntimeError("remote refused the token")
        await ws.send_json(
            {"id": 1, "type": "supported_features", "features": {"coalesce_messages": 1}}
        )
        await ws.send_json({"id": 2, "type": "subscribe_entities"})
        snapshot = False
        while not snapshot:
            for message in await _read(ws, frames):
                if _kind(message) == SNAPSHOT:
                    snapshot = True
                    frames.entries[SNAPSHOT] = len(message["event"]["a"])
        # One at a time: each answer in a frame of its own (exact size per command).
        for message_id, command in COMMANDS.items():
            await _answers(ws, frames, {message_id: command})
        # Then the registry lists at once, as the link's coordinator gathers them: the remote
        # coalesces answers that are ready together into one frame.
        await _answers(ws, frames, GATHERED)
    return frames


async def set_states(remote: RemoteHomeAssistant, states: list[dict[str, Any]], chunk: int) -> None:
    """Send the states to the remote's REST API in chunks (testbed.set_states)."""
    async with aiohttp.ClientSession(
        headers={"Authorization": f"Bearer {remote.token}"},
        timeout=aiohttp.ClientTimeout(total=TIMEOUT),
    ) as session:
        for start in range(0, len(states), chunk):
            async with session.post(
                f"{remote.url}/api/services/testbed/set_states",
                json={"states": states[start : start + chunk]},
            ) as resp:
                resp.raise_for_status()
                await resp.read()


# Report ------------------------------------------------------------------------------------


def _phase(frames: Frames, extra: int) -> dict[str, Any]:
    snapshot_bytes = frames.largest[SNAPSHOT]
    snapshot_entities = frames.entries[SNAPSHOT]
    return {
        "extra_entities": extra,
        "snapshot_entities": snapshot_entities,
        "frames": frames.count,
        "frame_bytes_total": frames.total_bytes,
        "largest_frame_bytes": dict(sorted(frames.largest.items(), key=lambda kv: -kv[1])),
        "result_entries": {
            kind: entries
            for kind, entries in frames.entries.items()
            if kind not in (SNAPSHOT, GATHERED_KIND)
        },
        "snapshot_bytes_per_entity": round(snapshot_bytes / max(snapshot_entities, 1), 1),
    }


def _per_extra_entity(demo: dict[str, Any], full: dict[str, Any], kind: str) -> float:
    """Bytes a frame grows by per extra entity (between the two phases)."""
    grown: int = full["largest_frame_bytes"][kind] - demo["largest_frame_bytes"][kind]
    extra: int = max(full["extra_entities"], 1)
    return round(grown / extra, 1)


def _projection(demo: dict[str, Any], registered: int) -> dict[str, Any]:
    projection: dict[str, Any] = {"registered_entities": registered}
    for command, key in (
        ("config/entity_registry/list", "entity_registry"),
        ("config/device_registry/list", "device_registry"),
    ):
        kind = f"result {command}"
        entries = demo["result_entries"][kind]
        size = demo["largest_frame_bytes"][kind]
        projection[f"demo_{key}_entries"] = entries
        projection[f"demo_{key}_bytes"] = size
        projection[f"{key}_bytes_per_entry"] = round(size / max(entries, 1), 1)
    per_entry = projection["entity_registry_bytes_per_entry"]
    projection["entity_registry_list_bytes"] = round(per_entry * registered)
    # The gathered frame: the other three lists as in the demo, the entity list projected.
    others = demo["largest_frame_bytes"][GATHERED_KIND] - projection["demo_entity_registry_bytes"]
    projection["gathered_registry_frame_bytes"] = others + projection["entity_registry_list_bytes"]
    return projection


def _mib(size: float) -> str:
    return f"{size:,.0f} B ({size / MIB:.2f} MiB)"


def _table(results: dict[str, Any]) -> str:
    demo, full = results["demo"], results["with_extra"]
    kinds = sorted(
        set(demo["largest_frame_bytes"]) | set(full["largest_frame_bytes"]),
        key=lambda kind: -full["largest_frame_bytes"].get(kind, 0),
    )
    total = full["snapshot_entities"]
    header = (
        f"{'largest frame per kind':<40} {'demo only':>11} {f'{total} entities':>15} {'MiB':>7}"
    )
    lines = [header, "-" * len(header)]
    for kind in kinds:
        small = demo["largest_frame_bytes"].get(kind, 0)
        big = full["largest_frame_bytes"].get(kind, 0)
        lines.append(f"{kind:<40} {small:>11,} {big:>15,} {big / MIB:>7.2f}")
    projection = results["registry_projection"]
    registered = projection["registered_entities"]
    growth = results["bytes_per_extra_entity"]
    lines += [
        "",
        f"snapshot entities: demo {demo['snapshot_entities']}, with extra {total}",
        f"snapshot bytes per entity: demo {demo['snapshot_bytes_per_entity']}, "
        f"with extra {full['snapshot_bytes_per_entity']}; "
        f"per extra entity {growth['snapshot']}",
        f"get_states bytes per extra entity: {growth['get_states']}",
        f"entity registry: {projection['demo_entity_registry_entries']} demo entries, "
        f"{projection['entity_registry_bytes_per_entry']} B/entry -> "
        f"{_mib(projection['entity_registry_list_bytes'])} for {registered} registered",
        f"4 registry lists gathered, projected for {registered} registered: "
        f"{_mib(projection['gathered_registry_frame_bytes'])}",
        f"device registry: {projection['demo_device_registry_entries']} demo entries, "
        f"{projection['device_registry_bytes_per_entry']} B/entry",
        f"largest frame measured: {_mib(results['largest_frame_bytes'])}",
    ]
    return "\n".join(lines)


def _log(message: str) -> None:
    print(f"[message_size {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.message_size", description=__doc__)
    parser.add_argument("--entities", type=int, default=20_000, help="extra remote states")
    parser.add_argument("--chunk", type=int, default=1000, help="states per set_states call")
    parser.add_argument("--keep", action="store_true", help="keep the remote's directory")
    args = parser.parse_args(argv)
    directory = Path(tempfile.mkdtemp(prefix="remote_mtls_msgsize_"))
    # RemoteHomeAssistant gives the process its own TMPDIR under its config dir.
    remote = RemoteHomeAssistant(directory / "remote")
    finished = False
    try:
        _log(f"starting remote HA in {directory}")
        remote.setup()
        _log(f"remote on {remote.url}; phase 1: demo entities only")
        demo = _phase(asyncio.run(measure(remote.url, remote.token)), 0)
        states = realistic_states(args.entities)
        _log(f"phase 2: setting {len(states)} realistic states {domain_counts(states)}")
        started = time.monotonic()
        asyncio.run(set_states(remote, states, args.chunk))
        _log(f"states set in {time.monotonic() - started:.1f} s; measuring")
        full = _phase(asyncio.run(measure(remote.url, remote.token)), args.entities)
        finished = True
    finally:
        remote.stop()
        if finished and not args.keep:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            _log(f"remote directory kept: {directory}")
    payload_sizes = [len(json.dumps(item["attributes"])) for item in states]
    results: dict[str, Any] = {
        "entities": args.entities,
        "domains": domain_counts(states),
        "attribute_json_bytes_mean": round(sum(payload_sizes) / max(len(payload_sizes), 1), 1),
        "largest_frame_bytes": max(full["largest_frame_bytes"].values()),
        "demo": demo,
        "with_extra": full,
        "bytes_per_extra_entity": {
            "snapshot": _per_extra_entity(demo, full, SNAPSHOT),
            "get_states": _per_extra_entity(demo, full, "result get_states"),
        },
        "registry_projection": _projection(demo, args.entities),
    }
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "message_size.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    print(_table(results))
    _log(f"written {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
