"""One clock for every timestamp, shared by all processes of the machine (CLOCK_MONOTONIC), so
arrival times taken in the receiver processes compare with send times taken here.
"""

from __future__ import annotations

import time


def now() -> float:
    """Seconds on the machine-wide monotonic clock."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)
