"""Service data values Home Assistant's schemas produce are sent as JSON."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
import json

import pytest

from custom_components.remote_mtls.api.encoding import json_default


class Mode(StrEnum):
    """An enum as HA uses them."""

    HEAT = "heat"


def test_values_of_service_data() -> None:
    data = {
        "when": datetime(2026, 11, 26, 10, 0, tzinfo=UTC),
        "day": date(2026, 11, 26),
        "at": time(7, 30),
        "for": timedelta(minutes=5),
        "mode": Mode.HEAT,
        "members": {"b", "a"},
    }
    assert json.loads(json.dumps(data, default=json_default)) == {
        "when": "2026-11-26T10:00:00+00:00",
        "day": "2026-11-26",
        "at": "07:30:00",
        "for": "0:05:00",
        "mode": "heat",
        "members": ["a", "b"],
    }


def test_other_objects_are_refused() -> None:
    with pytest.raises(TypeError, match="object"):
        json.dumps({"x": object()}, default=json_default)
