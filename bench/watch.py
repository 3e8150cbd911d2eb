"""Wait for an entity to reach a state, as seen by one websocket subscriber."""

from __future__ import annotations

import asyncio
from typing import Any


class StateWatch:
    """Resolves armed (entity_id, state) pairs with the arrival time of the first match."""

    def __init__(self) -> None:
        self._armed: dict[tuple[str, str], asyncio.Future[float]] = {}

    def arm(self, entity_id: str, state: str) -> asyncio.Future[float]:
        """Arm before causing the change; the future gets the arrival time."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._armed[(entity_id, state)] = future
        return future

    def on_event(self, event: dict[str, Any], arrived: float) -> None:
        """state_changed handler for WsClient.subscribe_events."""
        data = event["data"]
        if (new_state := data.get("new_state")) is None:
            return
        future = self._armed.pop((data["entity_id"], new_state["state"]), None)
        if future is not None and not future.done():
            future.set_result(arrived)
