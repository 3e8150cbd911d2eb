"""Decode `subscribe_entities` events (compressed adds, +/- diffs, removes) into plain states.

A malformed entry (not what Home Assistant sends) is skipped with one warning; the rest of
the event still applies.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
import logging
from typing import Any

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RemoteState:
    """One remote entity's state as the remote sees it."""

    entity_id: str
    state: str
    attributes: Mapping[str, Any]
    last_changed: float
    last_updated: float
    context_id: str | None = None


@dataclass(frozen=True, slots=True)
class EntityChanges:
    """What one event changed; `snapshot` marks the full set sent after (re)subscribing."""

    snapshot: bool
    changed: dict[str, RemoteState] = field(default_factory=dict)
    removed: tuple[str, ...] = ()


def _context_id(context: Any) -> str | None:
    if isinstance(context, str):
        return context
    if isinstance(context, Mapping):
        value = context.get("id")
        return str(value) if value is not None else None
    return None


def _from_compressed(entity_id: str, data: Mapping[str, Any]) -> RemoteState:
    last_changed = float(data.get("lc", 0.0))
    return RemoteState(
        entity_id=entity_id,
        state=str(data.get("s", "")),
        attributes=dict(data.get("a") or {}),
        last_changed=last_changed,
        last_updated=float(data.get("lu", last_changed)),
        context_id=_context_id(data.get("c")),
    )


def _apply_diff(current: RemoteState, diff: Mapping[str, Any]) -> RemoteState:
    additions: Mapping[str, Any] = diff.get("+") or {}
    removals: Mapping[str, Any] = diff.get("-") or {}
    attributes = current.attributes
    if additions.get("a") or removals.get("a"):
        attributes = {**current.attributes, **(additions.get("a") or {})}
        for name in removals.get("a") or ():
            attributes.pop(name, None)
    changes: dict[str, Any] = {"attributes": attributes}
    if "s" in additions:
        changes["state"] = str(additions["s"])
    if "lc" in additions:
        changes["last_changed"] = changes["last_updated"] = float(additions["lc"])
    elif "lu" in additions:
        changes["last_updated"] = float(additions["lu"])
    if "c" in additions:
        context = additions["c"]
        if isinstance(context, str) or (isinstance(context, Mapping) and "id" in context):
            changes["context_id"] = _context_id(context)
    return replace(current, **changes)


class EntityStateTracker:
    """Keeps the remote's current states from a stream of `subscribe_entities` events."""

    def __init__(self) -> None:
        """Start empty, expecting a snapshot."""
        self.states: dict[str, RemoteState] = {}
        self._expect_snapshot = True

    def expect_snapshot(self) -> None:
        """Treat the next add event as a full snapshot (after a (re)subscribe)."""
        self._expect_snapshot = True

    def apply(self, event: Mapping[str, Any]) -> EntityChanges:
        """Apply one event and return what changed."""
        snapshot = self._expect_snapshot and "a" in event
        changed: dict[str, RemoteState] = {}
        removed: list[str] = []
        added = _decoded(event.get("a") or {}, _from_compressed)
        if snapshot:
            self._expect_snapshot = False
            removed = [eid for eid in self.states if eid not in added]
            self.states = added
            changed = dict(added)
        else:
            for entity_id, state in added.items():
                changed[entity_id] = self.states[entity_id] = state
        current = self.states
        diffs = {eid: diff for eid, diff in (event.get("c") or {}).items() if eid in current}
        updated = _decoded(diffs, lambda eid, diff: _apply_diff(current[eid], diff))
        for entity_id, state in updated.items():
            changed[entity_id] = current[entity_id] = state
        for entity_id in event.get("r") or ():
            if self.states.pop(entity_id, None) is not None:
                removed.append(entity_id)
                changed.pop(entity_id, None)
        return EntityChanges(snapshot=snapshot, changed=changed, removed=tuple(removed))


def _decoded(
    entries: Mapping[str, Any], decode: Callable[[str, Any], RemoteState]
) -> dict[str, RemoteState]:
    """Decode each entry; skip (with a warning) what is not shaped as Home Assistant sends."""
    states: dict[str, RemoteState] = {}
    for entity_id, data in entries.items():
        try:
            states[entity_id] = decode(entity_id, data)
        except (AttributeError, TypeError, ValueError) as err:
            _LOGGER.warning("Skipped malformed data of remote entity %s: %s", entity_id, err)
    return states
