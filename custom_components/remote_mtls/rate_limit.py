"""A token bucket: what a remote may make happen here (events, trigger firings) is bounded."""

from __future__ import annotations

import time


class TokenBucket:
    """Allows `rate` per second on average and `burst` at once; tells when a flood starts."""

    def __init__(self, rate: float, burst: float) -> None:
        """Start with a full bucket."""
        self._rate = rate
        self._burst = burst
        self._tokens = burst
        self._refilled = time.monotonic()
        self.flooding = False

    def take(self) -> bool:
        """Take one token; False (and `flooding`) when the bucket is empty."""
        now = time.monotonic()
        self._tokens = min(self._burst, self._tokens + (now - self._refilled) * self._rate)
        self._refilled = now
        if self._tokens < 1:
            self.flooding = True
            return False
        self._tokens -= 1
        if self.flooding and self._tokens >= self._burst / 2:
            self.flooding = False
        return True
