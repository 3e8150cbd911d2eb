"""The state store of a link: one Mirror per remote entity, changed in order from one queue.

Remote changes come in through `on_entity_changes` (the subscribe_entities callback) and
nowhere else. Small changes are written at once; snapshots and bursts are written in batches
that take turns with every other link (write_turns.py), so the local Home Assistant never
falls behind its own websocket clients, however many links it has. Entities read their mirror
and are told through their listener when it changed.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers import entity_registry as er

from .api import EntityChanges, RegistryEntity, RemoteState
from .const import DOMAIN, REMOVAL_GRACE, WRITE_BATCH
from .filters import MirrorFilter
from .limits import bounded_state
from .platform_map import local_platform
from .remote_registries import RemoteRegistries
from .scoped_ids import remote_id_of, scoped_id
from .write_turns import write_turns

_LOGGER = logging.getLogger(__name__)

# A reconnect snapshot may come from a remote that is still starting: removals wait longer.
RECONNECT_REMOVAL_GRACE = 30.0
_REFRESH_REGISTRIES = object()
_AVAILABILITY_CHANGED = object()

type PlatformAdder = Callable[[list[Mirror]], Awaitable[None]]


@dataclass(eq=False, slots=True)
class Mirror:
    """One mirrored remote entity. `key` is stable across remote entity_id renames."""

    key: str
    entity_id: str
    platform: Platform
    state: RemoteState
    registry: RegistryEntity | None

    @property
    def domain(self) -> str:
        """The remote domain (service calls go there)."""
        return self.entity_id.partition(".")[0]


def mirror_key(entity_id: str, registry_entry: RegistryEntity | None) -> str:
    """Remote domain, platform and unique id when registered, else the remote entity id."""
    if registry_entry is not None and registry_entry.unique_id:
        domain = entity_id.partition(".")[0]
        return f"{domain}.{registry_entry.platform}.{registry_entry.unique_id}"
    return entity_id


class MirrorStore:
    """The mirrors of one link, their listeners and the queue that changes them."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry[Any],
        registries: RemoteRegistries,
        mirror_filter: MirrorFilter,
        max_entities: int,
        *,
        refresh_registries: Callable[[], Awaitable[None]],
        notify_status: Callable[[], None],
    ) -> None:
        """Empty until the first snapshot."""
        self.hass = hass
        self.entry = entry
        self.registries = registries
        self.filter = mirror_filter
        self.max_entities = max_entities
        self._refresh_registries = refresh_registries
        self._notify_status = notify_status
        self.mirrors: dict[str, Mirror] = {}
        self._key_by_entity_id: dict[str, str] = {}
        self._listeners: dict[str, CALLBACK_TYPE] = {}
        self._adders: dict[Platform, PlatformAdder] = {}
        self._waiting: dict[Platform, list[Mirror]] = {}
        self._removals: dict[str, asyncio.TimerHandle] = {}
        self._queue: deque[Any] = deque()
        self._drain_task: asyncio.Task[None] | None = None
        self._snapshot = asyncio.Event()
        self._link_up = False  # up once a snapshot is applied; down when the websocket drops
        self._warned_limits: set[str] = set()
        self._turns = write_turns(hass)

    @property
    def link_up(self) -> bool:
        """Whether the remote's current states are applied (and the link not lost since)."""
        return self._link_up

    async def async_wait_snapshot(self) -> None:
        """Wait for the first full snapshot and everything it brought."""
        await self._snapshot.wait()
        await self.async_wait_idle()

    async def async_wait_idle(self) -> None:
        """Wait until every received change is applied and every new entity added."""
        while (task := self._drain_task) is not None:
            await task

    def stop(self) -> None:
        """Stop processing."""
        for handle in self._removals.values():
            handle.cancel()
        self._removals.clear()
        if self._drain_task is not None:
            self._drain_task.cancel()
        self._queue.clear()

    # Entities -----------------------------------------------------------------------------

    @callback
    def async_add_platform(self, platform: Platform, adder: PlatformAdder) -> None:
        """Hand a ready platform what it mirrors now and everything that appears later."""
        self._adders[platform] = adder
        self._ensure_draining()

    @callback
    def async_add_listener(self, key: str, update: CALLBACK_TYPE) -> CALLBACK_TYPE:
        """Call `update` whenever the mirror of `key` changes or availability flips."""
        self._listeners[key] = update
        # A partial, not a closure marked as a callback: about 0.3 kB instead of 0.5 kB per
        # mirrored entity (tracemalloc, script/bench hub --profile).
        return partial(self._remove_listener, key, update)

    @callback
    def _remove_listener(self, key: str, update: CALLBACK_TYPE) -> None:
        if self._listeners.get(key) is update:
            del self._listeners[key]

    def key_for(self, remote_entity_id: str) -> str:
        """Return the mirror key of a remote entity id (KeyError when not mirrored)."""
        return self._key_by_entity_id[remote_entity_id]

    def local_entity_id(self, remote_entity_id: str) -> str | None:
        """Return the local entity mirroring a remote one (None: not mirrored, or not added yet)."""
        if (key := self._key_by_entity_id.get(remote_entity_id)) is None:
            return None
        return self._registered_id(key, self.mirrors[key].platform)

    def _registered_id(self, key: str, platform: str) -> str | None:
        unique_id = scoped_id(self.entry.entry_id, key)
        return er.async_get(self.hass).async_get_entity_id(platform, DOMAIN, unique_id)

    def forget_device(self, remote_device_id: str, mirror_filter: MirrorFilter) -> None:
        """Drop the mirrors of a remote device the user deleted here; filter it from now on."""
        self.filter = mirror_filter
        for key, mirror in list(self.mirrors.items()):
            if mirror.registry is not None and mirror.registry.device_id == remote_device_id:
                del self.mirrors[key]
                self._key_by_entity_id.pop(mirror.entity_id, None)

    def remove_stale_registry_entries(self) -> None:
        """Remove local entities whose remote entity is gone (or now filtered out)."""
        entity_registry = er.async_get(self.hass)
        for entry in er.async_entries_for_config_entry(entity_registry, self.entry.entry_id):
            key = remote_id_of(self.entry.entry_id, entry.unique_id)
            if key is not None and key not in self.mirrors:
                entity_registry.async_remove(entry.entity_id)

    # The one way in -----------------------------------------------------------------------

    @callback
    def on_entity_changes(self, changes: EntityChanges) -> None:
        """Apply what the remote's subscribe_entities stream says changed."""
        if changes.snapshot and self._snapshot.is_set():
            # A reconnect: registries may have changed while we were away.
            self._queue.append(_REFRESH_REGISTRIES)
        if (
            not self._queue
            and self._drain_task is None
            and len(changes.changed) + len(changes.removed) <= WRITE_BATCH
        ):
            self._apply_changes(changes, changes.changed.values())
            if self._waiting:
                self._ensure_draining()
            return
        self._queue.append(changes)
        self._ensure_draining()

    @callback
    def on_registry_changed(self, _event: Any = None) -> None:
        """Refresh the remote registries (once for a run of registry events)."""
        if not self._queue or self._queue[-1] is not _REFRESH_REGISTRIES:
            self._queue.append(_REFRESH_REGISTRIES)
        self._ensure_draining()

    @callback
    def on_link_lost(self) -> None:
        """Mark the link down: every mirror is unavailable until a new snapshot."""
        self._link_up = False

    @callback
    def on_link_down(self) -> None:
        """Mark the link down and write every mirror unavailable (in batches)."""
        self._link_up = False
        self._queue.append(_AVAILABILITY_CHANGED)
        self._ensure_draining()

    def reapply(self) -> None:
        """After a registry refresh: filters and registry entries may now differ."""
        self._apply_states([mirror.state for mirror in self.mirrors.values()], snapshot=False)
        for mirror in list(self.mirrors.values()):
            if (entry := self.registries.entities.get(mirror.entity_id)) != mirror.registry:
                mirror.registry = entry
                if (update := self._listeners.get(mirror.key)) is not None:
                    update()

    # Applying -----------------------------------------------------------------------------

    def _ensure_draining(self) -> None:
        if self._drain_task is None:
            # Not eager: the task must be registered before it can finish.
            self._drain_task = self.entry.async_create_background_task(
                self.hass, self._drain(), "remote_mtls apply remote changes", eager_start=False
            )

    async def _drain(self) -> None:
        try:
            while True:
                await self._async_add_waiting()
                if not self._queue:
                    if self._waiting.keys() & self._adders.keys():
                        continue  # a platform became ready meanwhile
                    break
                item = self._queue.popleft()
                if item is _REFRESH_REGISTRIES:
                    await self._refresh_registries()
                elif item is _AVAILABILITY_CHANGED:
                    for updates in _batches(list(self._listeners.values())):
                        async with self._turns.turn():
                            for update in updates:
                                update()
                            self._turns.wrote(len(updates))
                else:
                    await self._apply_in_batches(item)
        finally:
            self._drain_task = None

    async def _apply_in_batches(self, changes: EntityChanges) -> None:
        states = list(changes.changed.values())
        first = states[:WRITE_BATCH]
        async with self._turns.turn():
            self._turns.wrote(self._apply_changes(changes, first))
        for batch in _batches(states[WRITE_BATCH:]):
            await self._async_add_waiting()
            async with self._turns.turn():
                self._turns.wrote(self._apply_states(batch, snapshot=changes.snapshot))

    async def _async_add_waiting(self) -> None:
        """Add new entities to their platforms, one batch at a time."""
        for platform, adder in list(self._adders.items()):
            for batch in _batches(self._waiting.pop(platform, [])):
                async with self._turns.turn():
                    await adder(batch)
                    self._turns.wrote(len(batch))

    def _apply_changes(self, changes: EntityChanges, states: Iterable[RemoteState]) -> int:
        """Apply a change set; return how many entity states were written."""
        reconnect = changes.snapshot and self._snapshot.is_set()
        grace = RECONNECT_REMOVAL_GRACE if reconnect else REMOVAL_GRACE
        for entity_id in changes.removed:
            if (key := self._key_by_entity_id.get(entity_id)) is not None:
                self._schedule_removal(key, grace)
        if changes.snapshot:
            self._link_up = True  # entities are written available from this snapshot on
            self._snapshot.set()
        written = self._apply_states(states, snapshot=changes.snapshot)
        if reconnect:
            self._notify_status()
        return written

    def _apply_states(self, states: Iterable[RemoteState], *, snapshot: bool) -> int:
        """Apply remote states; return how many entity states were written."""
        registries = self.registries
        written = 0
        for state in states:
            registry_entry = registries.entities.get(state.entity_id)
            key = mirror_key(state.entity_id, registry_entry)
            device_id = registry_entry.device_id if registry_entry is not None else None
            device = registries.devices.get(device_id) if device_id else None
            if not self.filter.wanted(registry_entry, device):
                if key in self.mirrors:
                    self._schedule_removal(key, 0)
                continue
            if (handle := self._removals.pop(key, None)) is not None:
                handle.cancel()
            bounded = self._within_limits(key, state)
            mirror = self.mirrors.get(key)
            if mirror is None:
                if len(self.mirrors) >= self.max_entities:
                    self._warn_limit(
                        "entities",
                        "%s offers more entities than the limit of %d; the rest are not "
                        "mirrored (raise it in the link's options)",
                        self.entry.title,
                        self.max_entities,
                    )
                    continue
                mirror = Mirror(
                    key, state.entity_id, local_platform(state), bounded, registry_entry
                )
                self.mirrors[key] = mirror
                self._key_by_entity_id[state.entity_id] = key
                self._waiting.setdefault(mirror.platform, []).append(mirror)
                continue
            if mirror.entity_id != state.entity_id:
                self._key_by_entity_id.pop(mirror.entity_id, None)
                self._key_by_entity_id[state.entity_id] = key
                mirror.entity_id = state.entity_id
            if mirror.state == bounded and not snapshot:
                continue
            mirror.state = bounded
            mirror.registry = registry_entry
            if (update := self._listeners.get(key)) is not None:
                update()
                written += 1
        return written

    def _within_limits(self, key: str, state: RemoteState) -> RemoteState:
        bounded, dropped = bounded_state(state)
        if dropped:
            self._warn_limit(
                key,
                "%s: attributes %s of %s are too large and are not mirrored",
                self.entry.title,
                ", ".join(name[:50] for name in dropped[:5]),
                state.entity_id,
            )
        return bounded

    def _warn_limit(self, what: str, message: str, *args: Any) -> None:
        """Warn once per link and limit hit (a remote could otherwise flood the log)."""
        if what not in self._warned_limits:
            self._warned_limits.add(what)
            _LOGGER.warning(message, *args)

    def _schedule_removal(self, key: str, delay: float) -> None:
        if key not in self._removals:
            self._removals[key] = self.hass.loop.call_later(delay, self._remove, key)

    @callback
    def _remove(self, key: str) -> None:
        self._removals.pop(key, None)
        if (mirror := self.mirrors.pop(key, None)) is None:
            return
        if self._key_by_entity_id.get(mirror.entity_id) == key:
            del self._key_by_entity_id[mirror.entity_id]
        if entity_id := self._registered_id(key, mirror.platform):
            er.async_get(self.hass).async_remove(entity_id)


def _batches[T](items: list[T]) -> Iterator[list[T]]:
    """Batches of WRITE_BATCH items."""
    for start in range(0, len(items), WRITE_BATCH):
        yield items[start : start + WRITE_BATCH]
