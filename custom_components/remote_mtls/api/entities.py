"""Decode `subscribe_entities` events (compressed adds, +/- diffs, removes) into plain states."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any


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
        if snapshot:
            self._expect_snapshot = False
            fresh = {eid: _from_compressed(eid, data) for eid, data in event["a"].items()}
            removed = [eid for eid in self.states if eid not in fresh]
            self.states = fresh
            changed = dict(fresh)
        else:
            for entity_id, data in (event.get("a") or {}).items():
                changed[entity_id] = self.states[entity_id] = _from_compressed(entity_id, data)
        for entity_id, diff in (event.get("c") or {}).items():
            if (current := self.states.get(entity_id)) is not None:
                changed[entity_id] = self.states[entity_id] = _apply_diff(current, diff)
        for entity_id in event.get("r") or ():
            if self.states.pop(entity_id, None) is not None:
                removed.append(entity_id)
                changed.pop(entity_id, None)
        return EntityChanges(snapshot=snapshot, changed=changed, removed=tuple(removed))
