"""Climate, water heaters, humidifiers, fans, covers and valves: local actions reach the remote."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
import logging
import re
from typing import Any

from homeassistant.const import UnitOfTemperature
from homeassistant.core import Event, EventStateChangedData, HomeAssistant, callback
from homeassistant.helpers.event import async_track_state_change_event
from homeassistant.util.unit_conversion import TemperatureConverter
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from ..testbed.bed import TestBed
from .conftest import call_local, local_entity_id, remote_state, wait_for

DOMAINS = ("climate", "water_heater", "humidifier", "fan", "cover", "valve")
MENTIONS_OURS = re.compile(rf"\b({'|'.join(DOMAINS)})\b")

type RemoteCheck = Callable[[dict[str, Any]], bool]


def other(options: Sequence[Any], current: Any) -> Any:
    """Return an option that is not the current one."""
    return next(option for option in options if option != current)


def nudge(value: float, low: float, high: float, step: float) -> float:
    """Return `value` moved by one step, staying within [low, high]."""
    return value + step if value + step <= high else value - step


def differences(hass: HomeAssistant, entity_id: str, remote: dict[str, Any]) -> dict[str, Any]:
    """Return what differs between the local state and the remote one: {name: (local, remote)}."""
    local = hass.states.get(entity_id)
    assert local is not None, entity_id
    diff = {
        name: (local.attributes.get(name), value)
        for name, value in remote["attributes"].items()
        if local.attributes.get(name) != value
    }
    if local.state != remote["state"]:
        diff["state"] = (local.state, remote["state"])
    return diff


async def mirrors(hass: HomeAssistant, entity_id: str, remote: dict[str, Any]) -> None:
    """Wait until the local state and every remote attribute equal the remote's."""
    try:
        await wait_for(lambda: not differences(hass, entity_id, remote))
    except TimeoutError:
        pytest.fail(f"{entity_id} differs from the remote: {differences(hass, entity_id, remote)}")


async def remote_until(
    testbed: TestBed, entity_id: str, check: RemoteCheck, timeout: float = 15.0
) -> dict[str, Any]:
    """Poll the remote until `check(state)` holds; return that state."""
    remote = await remote_state(testbed, entity_id)
    try:
        async with asyncio.timeout(timeout):
            while not check(remote):
                await asyncio.sleep(0.1)
                remote = await remote_state(testbed, entity_id)
    except TimeoutError:
        pytest.fail(f"remote {entity_id} never matched; last state {remote}")
    return remote


def attr(name: str, value: Any) -> RemoteCheck:
    """Check: the remote attribute `name` equals `value`."""
    return lambda remote: remote["attributes"].get(name) == value


def tilt_moved(start: int, direction: int) -> RemoteCheck:
    """Check: the remote tilt moved from `start` in `direction` (+1 opens, -1 closes)."""
    return lambda remote: (remote["attributes"]["current_tilt_position"] - start) * direction > 0


def state_is(*states: str) -> RemoteCheck:
    """Check: the remote state is one of `states`."""
    return lambda remote: remote["state"] in states


class Mirrored:
    """A remote entity, its local mirror, and shortcuts to act and check."""

    def __init__(
        self, hass: HomeAssistant, testbed: TestBed, entry: MockConfigEntry, remote_id: str
    ) -> None:
        """Find the local mirror of `remote_id`."""
        self.hass = hass
        self.testbed = testbed
        self.remote_id = remote_id
        self.entity_id = local_entity_id(hass, entry, remote_id)
        self.domain = remote_id.partition(".")[0]
        self.seen: list[str] = []  # every local state written, to catch short moving states

        @callback
        def _record(event: Event[EventStateChangedData]) -> None:
            if (new := event.data["new_state"]) is not None:
                self.seen.append(new.state)

        async_track_state_change_event(hass, self.entity_id, _record)

    async def remote(self) -> dict[str, Any]:
        """Return the remote state, read directly from the remote."""
        return await remote_state(self.testbed, self.remote_id)

    async def call(self, service: str, **data: Any) -> None:
        """Call a local service on the mirror (it waits for the remote's answer)."""
        await call_local(self.hass, self.domain, service, self.entity_id, **data)

    async def until(self, check: RemoteCheck, timeout: float = 15.0) -> dict[str, Any]:
        """Wait for the remote to satisfy `check`, then for the mirror to equal the remote."""
        remote = await remote_until(self.testbed, self.remote_id, check, timeout)
        await mirrors(self.hass, self.entity_id, remote)
        return remote

    async def saw(self, *states: str) -> None:
        """Wait until the mirror has written one of `states`."""
        await wait_for(lambda: set(states) & set(self.seen))

    async def settled(self, timeout: float = 15.0) -> dict[str, Any]:
        """Wait until the remote stops moving and the mirror equals it."""
        return await self.until(state_is("open", "closed"), timeout)


@pytest.fixture
def entity(
    hass: HomeAssistant, testbed: TestBed, mirrored: MockConfigEntry
) -> Callable[[str], Mirrored]:
    """Return a factory of `Mirrored` for remote entity ids."""
    return lambda remote_id: Mirrored(hass, testbed, mirrored, remote_id)


async def test_every_entity_is_added_and_equals_the_remote(
    hass: HomeAssistant,
    testbed: TestBed,
    mirrored: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    remotes = [
        remote
        for remote in await testbed.remote.async_rest("GET", "/api/states")
        if remote["entity_id"].partition(".")[0] in DOMAINS
    ]
    assert {remote["entity_id"].partition(".")[0] for remote in remotes} == set(DOMAINS)
    for remote in remotes:
        entity_id = local_entity_id(hass, mirrored, remote["entity_id"])
        # Same platform; same state string and attributes (temperatures too: both use °C).
        assert entity_id.partition(".")[0] == remote["entity_id"].partition(".")[0]
        await mirrors(hass, entity_id, remote)
    records = caplog.get_records("setup") + caplog.get_records("call")
    # The capture covers the setup: it holds the registration of our entities.
    assert any("Registered new climate.remote_mtls" in r.getMessage() for r in records)
    formatter = logging.Formatter()
    for record in records:
        text = record.getMessage()
        if record.exc_info:
            text += formatter.formatException(record.exc_info)
        broken = "Error adding entit" in text or "Traceback" in text or record.exc_info
        assert not (broken and MENTIONS_OURS.search(text)), text


async def test_climate_modes_humidity_and_temperature(
    entity: Callable[[str], Mirrored],
) -> None:
    hvac = entity("climate.hvac")
    before = (await hvac.remote())["attributes"]
    assert hvac.hass.states.get(hvac.entity_id).attributes["supported_features"] == 943
    for service, name, options in (
        ("set_fan_mode", "fan_mode", "fan_modes"),
        ("set_swing_mode", "swing_mode", "swing_modes"),
        ("set_swing_horizontal_mode", "swing_horizontal_mode", "swing_horizontal_modes"),
    ):
        value = other(before[options], before[name])
        await hvac.call(service, **{name: value})
        await hvac.until(attr(name, value))
    humidity = nudge(
        before["humidity"],
        before["min_humidity"],
        before["max_humidity"],
        before["target_humidity_step"],
    )
    await hvac.call("set_humidity", humidity=humidity)
    await hvac.until(attr("humidity", int(humidity)))
    mode = other(["heat", "cool"], (await hvac.remote())["state"])
    target = nudge(before["temperature"], before["min_temp"], before["max_temp"], 1)
    await hvac.call("set_temperature", temperature=target, hvac_mode=mode)
    remote = await hvac.until(state_is(mode))
    assert remote["attributes"]["temperature"] == pytest.approx(target)
    await hvac.call("set_hvac_mode", hvac_mode="off")
    await hvac.until(state_is("off"))
    await hvac.call("set_hvac_mode", hvac_mode=mode)
    await hvac.until(state_is(mode))


async def test_climate_range_and_preset(entity: Callable[[str], Mirrored]) -> None:
    ecobee = entity("climate.ecobee")
    before = (await ecobee.remote())["attributes"]
    low = nudge(before["target_temp_low"], before["min_temp"], before["target_temp_high"], 1)
    high = nudge(before["target_temp_high"], low, before["max_temp"], 1)
    await ecobee.call("set_temperature", target_temp_low=low, target_temp_high=high)
    remote = await ecobee.until(attr("target_temp_low", pytest.approx(low)))
    assert remote["attributes"]["target_temp_high"] == pytest.approx(high)
    preset = other(before["preset_modes"], before["preset_mode"])
    await ecobee.call("set_preset_mode", preset_mode=preset)
    await ecobee.until(attr("preset_mode", preset))


async def test_climate_turn_on_off_and_toggle(entity: Callable[[str], Mirrored]) -> None:
    heatpump = entity("climate.heatpump")
    await heatpump.call("turn_off")
    await heatpump.until(state_is("off"))
    await heatpump.call("turn_on")
    await heatpump.until(state_is("heat"))
    await heatpump.call("toggle")
    await heatpump.until(state_is("off"))
    await heatpump.call("toggle")
    await heatpump.until(state_is("heat"))


async def test_temperatures_convert_to_the_local_unit_system(
    hass: HomeAssistant, entity: Callable[[str], Mirrored]
) -> None:
    celsius, fahrenheit = UnitOfTemperature.CELSIUS, UnitOfTemperature.FAHRENHEIT

    def to_f(value: float) -> int:
        return round(TemperatureConverter.convert(value, celsius, fahrenheit))

    async def set_in_fahrenheit(mirror: Mirrored) -> None:
        before = (await mirror.remote())["attributes"]
        low, high = to_f(before["min_temp"]) + 1, to_f(before["max_temp"]) - 1
        target = nudge(to_f(before["temperature"]), low, high, 2)
        await mirror.call("set_temperature", temperature=target)
        # The local call was in °F; the remote got, and shows, °C.
        expected = round(TemperatureConverter.convert(target, fahrenheit, celsius), 1)
        remote = await remote_until(mirror.testbed, mirror.remote_id, attr("temperature", expected))
        await wait_for(
            lambda: hass.states.get(mirror.entity_id).attributes["temperature"] == target
        )
        local = hass.states.get(mirror.entity_id)
        for name in ("min_temp", "max_temp"):
            assert local.attributes[name] == to_f(remote["attributes"][name]), name

    hass.config.units = US_CUSTOMARY_SYSTEM
    await set_in_fahrenheit(entity("climate.hvac"))
    await set_in_fahrenheit(entity("water_heater.demo_water_heater_celsius"))


async def test_water_heater_modes_away_and_temperature(entity: Callable[[str], Mirrored]) -> None:
    heater = entity("water_heater.demo_water_heater")  # a °F device on a °C remote
    before = await heater.remote()
    attributes = before["attributes"]
    mode = other(attributes["operation_list"], before["state"])
    await heater.call("set_operation_mode", operation_mode=mode)
    await heater.until(state_is(mode))
    target = nudge(attributes["temperature"], attributes["min_temp"], attributes["max_temp"], 1)
    # The remote turns °C into the device's °F and back: allow for its rounding.
    await heater.call("set_temperature", temperature=target)
    await heater.until(attr("temperature", pytest.approx(target, abs=0.05)))
    away = attributes["away_mode"] == "on"
    await heater.call("set_away_mode", away_mode=not away)
    await heater.until(attr("away_mode", "off" if away else "on"))
    await heater.call("set_away_mode", away_mode=away)
    await heater.until(attr("away_mode", "on" if away else "off"))
    await heater.call("turn_off")
    await heater.until(state_is("off"))
    await heater.call("turn_on")
    await heater.until(state_is("eco"))


async def test_humidifier_modes_humidity_and_power(entity: Callable[[str], Mirrored]) -> None:
    hygrostat = entity("humidifier.hygrostat")
    before = (await hygrostat.remote())["attributes"]
    mode = other(before["available_modes"], before["mode"])
    await hygrostat.call("set_mode", mode=mode)
    await hygrostat.until(attr("mode", mode))
    humidifier = entity("humidifier.humidifier")
    before = (await humidifier.remote())["attributes"]
    target = nudge(
        before["humidity"],
        before["min_humidity"],
        before["max_humidity"],
        before["target_humidity_step"],
    )
    await humidifier.call("set_humidity", humidity=target)
    await humidifier.until(attr("humidity", target))
    await humidifier.call("turn_off")
    await humidifier.until(attr("action", "off"))
    await humidifier.call("turn_on")
    await humidifier.until(attr("action", "humidifying"))
    for expected in ("off", "on"):
        await humidifier.call("toggle")
        await humidifier.until(state_is(expected))


async def test_fan_speed_presets_oscillation_and_direction(
    entity: Callable[[str], Mirrored],
) -> None:
    fan = entity("fan.percentage_full_fan")
    await fan.call("turn_on", percentage=33)
    remote = await fan.until(attr("percentage", 33))
    assert remote["state"] == "on"
    await fan.call("set_percentage", percentage=67)
    await fan.until(attr("percentage", 67))
    await fan.call("increase_speed")
    await fan.until(attr("percentage", 100))
    await fan.call("decrease_speed", percentage_step=50)
    await fan.until(attr("percentage", 50))
    await fan.call("set_preset_mode", preset_mode="smart")
    await fan.until(attr("preset_mode", "smart"))
    for oscillating in (True, False):
        await fan.call("oscillate", oscillating=oscillating)
        await fan.until(attr("oscillating", oscillating))
    for direction in ("reverse", "forward"):
        await fan.call("set_direction", direction=direction)
        await fan.until(attr("direction", direction))
    await fan.call("toggle")
    await fan.until(state_is("off"))
    await fan.call("turn_on", preset_mode="sleep")
    await fan.until(attr("preset_mode", "sleep"))
    await fan.call("turn_off")
    await fan.until(state_is("off"))


async def test_cover_open_close_stop_toggle(entity: Callable[[str], Mirrored]) -> None:
    kitchen = entity("cover.kitchen_window")  # no position: moves at once
    for service, expected in (("close_cover", "closed"), ("open_cover", "open")):
        await kitchen.call(service)
        await kitchen.until(state_is(expected))
    await kitchen.call("toggle")
    await kitchen.until(state_is("closed"))
    garage = entity("cover.garage_door")
    start = (await garage.remote())["state"]
    for _ in range(2):
        await garage.call("toggle")
        start = (await garage.until(state_is(other(["open", "closed"], start))))["state"]


async def stays(mirror: Mirrored, stopped: dict[str, Any]) -> None:
    """Assert the remote does not move any more (the demo moves once a second)."""
    await asyncio.sleep(1.2)
    assert await mirror.remote() == stopped
    await mirrors(mirror.hass, mirror.entity_id, stopped)


async def test_cover_position_speed_and_tilt(entity: Callable[[str], Mirrored]) -> None:
    window = entity("cover.living_room_window")
    before = await window.settled()
    assert before["attributes"]["supported_speeds"] == ["slow", "default"]
    position = before["attributes"]["current_position"]
    target = int(nudge(position, 20, 80, 20))
    await window.call("set_cover_position", position=target, speed="slow")
    await window.until(attr("current_position", target))
    assert ("opening" if target > position else "closing") in window.seen
    await window.settled()
    for service, moving in (("open_cover", "opening"), ("close_cover", "closing")):
        await window.call(service, speed="default")
        await window.saw(moving)
        await window.call("stop_cover")
        await stays(window, stopped := await window.settled())
        assert 0 < stopped["attributes"]["current_position"] < 100
    roof = entity("cover.pergola_roof")  # tilt only
    tilt = (await roof.remote())["attributes"]["current_tilt_position"]
    target = 40 if tilt > 40 else 60
    await roof.call("set_cover_tilt_position", tilt_position=target)
    await roof.until(attr("current_tilt_position", target))
    for service, direction in (
        ("open_cover_tilt", 1),
        ("toggle_cover_tilt", -1),  # not closed: toggling closes
        ("close_cover_tilt", -1),
    ):
        start = (await roof.remote())["attributes"]["current_tilt_position"]
        await roof.call(service)
        await roof.until(tilt_moved(start, direction))
        await roof.call("stop_cover_tilt")
        await stays(roof, stopped := await roof.remote())
        assert 0 < stopped["attributes"]["current_tilt_position"] < 100


async def test_valve_open_close_position_stop_toggle(entity: Callable[[str], Mirrored]) -> None:
    garden = entity("valve.front_garden")  # open/close only, takes 2 s
    for service, expected in (("close_valve", "closed"), ("open_valve", "open")):
        await garden.call(service)
        await garden.until(state_is(expected))
    await garden.call("toggle")
    await garden.until(state_is("closed"))
    await garden.call("toggle")
    await garden.until(state_is("open"))
    assert "closing" in garden.seen
    trees = entity("valve.trees")  # reports its position
    before = await trees.settled()
    position = before["attributes"]["current_position"]
    target = int(nudge(position, 20, 80, 20))
    await trees.call("set_valve_position", position=target)
    await trees.until(attr("current_position", target))
    assert ("opening" if target > position else "closing") in trees.seen
    await trees.settled()
    trees.seen.clear()
    await trees.call("set_valve_position", position=0 if target > 50 else 100)
    await trees.saw("opening", "closing")
    await trees.call("stop_valve")
    await stays(trees, stopped := await trees.settled())
    assert 0 < stopped["attributes"]["current_position"] < 100
