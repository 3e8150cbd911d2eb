"""Device automations of the remote: list them, ask their extra fields, run them there.

The remote's own configs travel unchanged; translating device and entity ids between the two
homes is the caller's job. Answers that are not what Home Assistant sends are dropped here.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
import json
from typing import Any, Literal

from .errors import CommandError
from .websocket import Subscription, WebSocketSession

type AutomationKind = Literal["trigger", "condition", "action"]

# Keys every listed automation must have (Home Assistant's device automation base schema).
_REQUIRED_KEYS = ("domain", "device_id")
MAX_AUTOMATIONS = 500  # per device and kind; a remote listing more is not a device
MAX_EXTRA_FIELDS = 50  # per automation; Home Assistant's own have a handful
MAX_FIELD_BYTES = 16 * 1024  # one extra field as JSON (a select's options, a selector's config)
MAX_FIELD_NAME = 255


def _decoded(answer: Any) -> list[dict[str, Any]]:
    if not isinstance(answer, list):
        return []
    return [
        dict(item)
        for item in answer[:MAX_AUTOMATIONS]
        if isinstance(item, dict) and all(isinstance(item.get(k), str) for k in _REQUIRED_KEYS)
    ]


async def list_device_automations(
    session: WebSocketSession, kind: AutomationKind, device_id: str
) -> list[dict[str, Any]]:
    """Return the remote's triggers, conditions or actions of one of its devices."""
    message = {"type": f"device_automation/{kind}/list", "device_id": device_id}
    answer = await session.command(message)
    return _decoded(answer)


async def device_automation_capabilities(
    session: WebSocketSession, kind: AutomationKind, config: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Return the serialized extra fields of one remote automation (empty when it has none)."""
    answer = await session.command(
        {"type": f"device_automation/{kind}/capabilities", kind: dict(config)}
    )
    return extra_fields(answer.get("extra_fields") if isinstance(answer, dict) else None)


def extra_fields(fields: Any) -> list[dict[str, Any]]:
    """Return the usable serialized extra fields: named, not too large, not too many."""
    if not isinstance(fields, list):
        return []
    usable = [
        field
        for field in fields
        if isinstance(field, dict)
        and isinstance(name := field.get("name"), str)
        and 0 < len(name) <= MAX_FIELD_NAME
        and len(json.dumps(field)) <= MAX_FIELD_BYTES
    ]
    return usable[:MAX_EXTRA_FIELDS]


async def subscribe_trigger(
    session: WebSocketSession, trigger: Mapping[str, Any], fired: Callable[[Any], None]
) -> Subscription:
    """Run a trigger on the remote; `fired` gets each firing's event (again after reconnects)."""
    return await session.subscribe({"type": "subscribe_trigger", "trigger": dict(trigger)}, fired)


async def execute_action(session: WebSocketSession, action: Mapping[str, Any]) -> None:
    """Run one action on the remote, as a one-step script."""
    await session.command({"type": "execute_script", "sequence": [dict(action)]})


async def test_condition(session: WebSocketSession, condition: Mapping[str, Any]) -> bool:
    """Evaluate one condition on the remote."""
    answer = await session.command({"type": "test_condition", "condition": dict(condition)})
    result = answer.get("result") if isinstance(answer, dict) else None
    if not isinstance(result, bool):
        raise CommandError("test_condition answered without a result", code="invalid_format")
    return result
