"""The remote's entity, device, area and label registries, as the link last fetched them."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from .api import (
    RegistryDevice,
    RegistryEntity,
    RegistryName,
    WebSocketSession,
    decode_registry,
)


@dataclass
class RemoteRegistries:
    """Typed entries by entity id, device id, area id and label id."""

    entities: dict[str, RegistryEntity] = field(default_factory=dict)
    devices: dict[str, RegistryDevice] = field(default_factory=dict)
    areas: dict[str, RegistryName] = field(default_factory=dict)
    labels: dict[str, RegistryName] = field(default_factory=dict)
    _entity_ids_by_id: dict[str, str] = field(default_factory=dict, repr=False)

    async def async_fetch(self, websocket: WebSocketSession) -> None:
        """Fetch all four registries at once."""
        entities, devices, areas, labels = await asyncio.gather(
            websocket.command({"type": "config/entity_registry/list"}),
            websocket.command({"type": "config/device_registry/list"}),
            websocket.command({"type": "config/area_registry/list"}),
            websocket.command({"type": "config/label_registry/list"}),
        )
        self.entities = decode_registry(
            entities, RegistryEntity.from_dict, lambda entry: entry.entity_id
        )
        self.devices = decode_registry(devices, RegistryDevice.from_dict, lambda d: d.id)
        self.areas = decode_registry(areas, RegistryName.decoder("area_id"), lambda a: a.id)
        self.labels = decode_registry(labels, RegistryName.decoder("label_id"), lambda la: la.id)
        self._entity_ids_by_id = {e.id: e.entity_id for e in self.entities.values() if e.id}

    def entity_id_of(self, reference: str) -> str:
        """Return the entity id of a remote entity named by entity id or registry id."""
        if reference in self.entities:
            return reference
        return self._entity_ids_by_id.get(reference, reference)
