"""A stable identity of the remote Home Assistant instance, whatever address it is reached at.

No API returns the instance's own UUID (only zeroconf announces it). The owner's user id is
random per instance and outlives address, proxy and token changes; a token that may not list
users falls back to its own user's id.
"""

from __future__ import annotations

from .errors import CommandError, NotHomeAssistant
from .websocket import WebSocketSession


async def remote_instance_id(websocket: WebSocketSession) -> str:
    """Return `owner:<id>` of the remote's owner, or `user:<id>` of the token's own user."""
    try:
        users = await websocket.command({"type": "config/auth/list"})
    except CommandError:
        users = []
    for user in users if isinstance(users, list) else []:
        if isinstance(user, dict) and user.get("is_owner") and user.get("id"):
            return f"owner:{user['id']}"
    current = await websocket.command({"type": "auth/current_user"})
    if not isinstance(current, dict) or not current.get("id"):
        raise NotHomeAssistant("The remote does not say who its users are")
    return f"user:{current['id']}"
