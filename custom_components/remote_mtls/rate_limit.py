"""A token bucket: what a remote may make happen here (events, trigger firings) is bounded."""

from __future__ import annotations

from collections.abc import Callable
import time


class TokenBucket:
    """Allows `rate` per second on average and `burst` at once; says once when a flood starts."""

    def __init__(self, rate: float, burst: float) -> None:
        """Start with a full bucket."""
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._refilled = time.monotonic()
        self._flooding = False

    def take(self, flood_started: Callable[[], None]) -> bool:
        """Take one token; False when the bucket is empty (`flood_started` runs the first time)."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            if not self._flooding:
                self._flooding = True
                flood_started()
            return False
        self._tokens -= 1
        if self._flooding and self._tokens >= self._burst / 2:
            self._flooding = False
        return True
