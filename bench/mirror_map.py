"""Which local entity mirrors which remote entity, found through the local entity registry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from custom_components.remote_mtls.api import RegistryEntity
from custom_components.remote_mtls.coordinator import mirror_key

from .wsclient import WsClient

if TYPE_CHECKING:
    from .rig import Rig


async def remote_keys(remote: WsClient) -> dict[str, str]:
    """Every remote entity id with its mirror key (the integration's unique id rule)."""
    states, registry = await states_and_registry(remote)
    by_id = {entry["entity_id"]: RegistryEntity.from_dict(entry) for entry in registry}
    return {eid: mirror_key(eid, by_id.get(eid)) for eid in states}


async def still_at_the_remote(rig: Rig, keys: dict[str, str]) -> dict[str, str]:
    """The entries of `keys` whose remote entity still exists (the demo's geolocation events
    come and go: one removed before it was mirrored is never mirrored)."""
    async with rig.driver() as driver:
        present = await remote_keys(driver)
    return {remote_id: key for remote_id, key in keys.items() if remote_id in present}


async def local_mirrors(
    local: WsClient, entry_id: str, keys: dict[str, str]
) -> tuple[dict[str, str], dict[str, str]]:
    """Map remote entity ids to local entity ids, and local entity ids to their states.

    Only mirrors that are registry entities of the entry appear in the first map.
    """
    states, registry = await states_and_registry(local)
    return mirrors_of(registry, entry_id, keys), states


def mirrors_of(
    registry: list[dict[str, Any]], entry_id: str, keys: dict[str, str]
) -> dict[str, str]:
    """Map remote entity ids to the local entity ids of the entry's registry entities."""
    by_unique_id = {
        entry["unique_id"]: entry["entity_id"]
        for entry in registry
        if entry.get("config_entry_id") == entry_id
    }
    return {
        remote_id: local_id
        for remote_id, key in keys.items()
        if (local_id := by_unique_id.get(f"{entry_id}-{key}")) is not None
    }


async def states_and_registry(client: WsClient) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """Every state (entity id -> state) and the entity registry list."""
    states = await client.command({"type": "get_states"})
    registry = await client.command({"type": "config/entity_registry/list"})
    return {state["entity_id"]: state["state"] for state in states}, registry
