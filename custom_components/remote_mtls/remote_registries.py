"""The remote's entity, device, area and label registries, as the link last fetched them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any

from .api import WebSocketSession

type Registry = dict[str, dict[str, Any]]


@dataclass
class RemoteRegistries:
    """Entries by entity id, device id, area id and label id."""

    entities: Registry = field(default_factory=dict)
    devices: Registry = field(default_factory=dict)
    areas: Registry = field(default_factory=dict)
    labels: Registry = field(default_factory=dict)

    async def async_fetch(self, websocket: WebSocketSession) -> None:
        """Fetch all four registries at once."""
        entities, devices, areas, labels = await asyncio.gather(
            websocket.command({"type": "config/entity_registry/list"}),
            websocket.command({"type": "config/device_registry/list"}),
            websocket.command({"type": "config/area_registry/list"}),
            websocket.command({"type": "config/label_registry/list"}),
        )
        self.entities = {entry["entity_id"]: entry for entry in entities}
        self.devices = {device["id"]: device for device in devices}
        self.areas = {area["area_id"]: area for area in areas}
        self.labels = {label["label_id"]: label for label in labels}
