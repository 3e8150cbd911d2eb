"""Remote locks: every lock state, code format, changed_by; lock, unlock and open with a code."""

from __future__ import annotations

from typing import Any

from homeassistant.components.lock import LockEntity
from homeassistant.components.lock.const import LockEntityFeature, LockState
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOCK_STATES = frozenset(LockState)


class RemoteLock(MirroredEntity, LockEntity):
    """A remote lock; the local code check (code_format) runs before the call is forwarded."""

    feature_type = LockEntityFeature
    mirrored_attributes = (Attr("code_format"), Attr("changed_by"))

    def _apply_state(self, state: RemoteState) -> None:
        value = state.state
        self._attr_is_jammed = value == LockState.JAMMED
        self._attr_is_opening = value == LockState.OPENING
        self._attr_is_locking = value == LockState.LOCKING
        self._attr_is_open = value == LockState.OPEN
        self._attr_is_unlocking = value == LockState.UNLOCKING
        # Any other known lock state means "not locked"; anything else stays unknown.
        self._attr_is_locked = value == LockState.LOCKED if value in _LOCK_STATES else None

    async def async_lock(self, **kwargs: Any) -> None:
        """Lock the remote lock (with the code, if any)."""
        await self._async_call("lock", kwargs)

    async def async_unlock(self, **kwargs: Any) -> None:
        """Unlock the remote lock (with the code, if any)."""
        await self._async_call("unlock", kwargs)

    async def async_open(self, **kwargs: Any) -> None:
        """Open the remote lock's latch (with the code, if any)."""
        await self._async_call("open", kwargs)


async_setup_entry = mirrored_platform(Platform.LOCK, RemoteLock)
