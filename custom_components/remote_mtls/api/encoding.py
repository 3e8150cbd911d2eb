"""JSON encoding of service data: the values Home Assistant's service schemas produce."""

from __future__ import annotations

from datetime import date, time, timedelta
from enum import Enum
from typing import Any


def json_default(value: Any) -> Any:
    """Encode what `json` cannot: dates and times, timedeltas, enums, sets."""
    if isinstance(value, (date, time)):  # datetime is a date
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, (set, frozenset)):
        return sorted(value, key=str)
    raise TypeError(f"{type(value).__name__} is not JSON serializable")
