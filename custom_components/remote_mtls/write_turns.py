"""Turns for writing remote changes: one batch at a time across every link of this Home Assistant.

Links share the turns, so ten links mirroring at once write no faster than one. Before each turn
the event loop runs whatever is ready; after every WRITE_BATCH state writes it also pauses
BATCH_PAUSE, so the local websocket clients receive what the writes produced. The pause follows
the writes, not the batches: a link with thirty platforms does not wait thirty times for thirty
entities, and changes to mirrors that have no entity yet (a first snapshot) do not wait at all.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib

from homeassistant.core import HomeAssistant
from homeassistant.util.hass_dict import HassKey

from .const import BATCH_PAUSE, DOMAIN, WRITE_BATCH

_WRITE_TURNS: HassKey[WriteTurns] = HassKey(f"{DOMAIN}_write_turns")


class WriteTurns:
    """The turns of one Home Assistant, shared by its links."""

    def __init__(self) -> None:
        """No writes yet."""
        self._lock = asyncio.Lock()
        self._since_pause = 0

    @contextlib.asynccontextmanager
    async def turn(self) -> AsyncIterator[None]:
        """Wait for the turn of one batch; the batch reports its writes with `wrote`."""
        async with self._lock:
            if self._since_pause >= WRITE_BATCH:
                await asyncio.sleep(BATCH_PAUSE)
                self._since_pause = 0
            else:
                await asyncio.sleep(0)
            yield

    def wrote(self, writes: int) -> None:
        """Count state writes (and entity additions) made in the current turn."""
        self._since_pause += writes


def write_turns(hass: HomeAssistant) -> WriteTurns:
    """Return the turns shared by every link of `hass`."""
    return hass.data.setdefault(_WRITE_TURNS, WriteTurns())
