"""Trivial sensors shaped like the remote's bulk sensors (name, unit W, state 0)."""

from __future__ import annotations

import asyncio
from typing import Any

from homeassistant.components.sensor import SensorEntity
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import (
    AddEntitiesCallback,
    async_get_current_platform,
)
from homeassistant.helpers.typing import ConfigType

PAUSE = 0.005  # the integration's pause between batches


class TrivialSensor(SensorEntity):
    """A registry entity with a constant state."""

    _attr_should_poll = False
    _attr_native_unit_of_measurement = "W"
    _attr_native_value = 0

    def __init__(self, index: int) -> None:
        """Name and ids from the index."""
        self._attr_unique_id = f"reference-{index}"
        self._attr_name = f"Reference {index}"
        self.entity_id = f"sensor.reference_{index}"


async def async_setup_platform(
    hass: HomeAssistant,
    config: ConfigType,
    async_add_entities: AddEntitiesCallback,
    discovery_info: dict[str, Any] | None = None,
) -> None:
    """Add the requested sensors, one batch at a time, then signal the service."""
    assert discovery_info is not None
    platform = async_get_current_platform()
    count, batch = discovery_info["count"], discovery_info["batch"]
    for start in range(0, count, batch):
        await platform.async_add_entities(
            [TrivialSensor(index) for index in range(start, min(count, start + batch))]
        )
        await asyncio.sleep(PAUSE)
    discovery_info["done"].set()
