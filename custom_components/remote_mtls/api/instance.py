"""A stable identity of the remote Home Assistant instance, whatever address it is reached at.

No API returns the instance's own UUID (only zeroconf announces it). The owner's user id is
random per instance and outlives address, proxy and token changes; a token that may not list
users falls back to its own user's id.
"""

from __future__ import annotations

import re
from typing import Any

from .errors import CommandError, NotHomeAssistant
from .websocket import WebSocketSession

# Home Assistant's user ids are 32 hex digits; the id becomes the link's unique id, so a remote
# cannot make it anything else (a huge or odd string stored in the local configuration).
USER_ID = re.compile(r"[0-9a-zA-Z_-]{1,64}")


def _user_id(user: Any) -> str | None:
    value = user.get("id") if isinstance(user, dict) else None
    return value if isinstance(value, str) and USER_ID.fullmatch(value) else None


async def remote_instance_id(websocket: WebSocketSession) -> str:
    """Return `owner:<id>` of the remote's owner, or `user:<id>` of the token's own user."""
    try:
        users = await websocket.command({"type": "config/auth/list"})
    except CommandError:
        users = []
    for user in users if isinstance(users, list) else []:
        if isinstance(user, dict) and user.get("is_owner") and (owner := _user_id(user)):
            return f"owner:{owner}"
    current = _user_id(await websocket.command({"type": "auth/current_user"}))
    if current is None:
        raise NotHomeAssistant("The remote does not say who its users are")
    return f"user:{current}"
