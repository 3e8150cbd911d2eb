"""A real local Home Assistant restarted: its link comes back, and picture URLs from before die.

Picture tokens live in memory only (remote_pictures.py); a restart makes new ones. The link's
setup after the restart reads its saved identity (tests/components/test_saved_identity.py).
"""

from __future__ import annotations

from http import HTTPStatus

import aiohttp
import pytest

from ..testbed.bed import P12_PASSWORD, TestBed
from ..testbed.linking import async_link
from ..testbed.remote_ha import RemoteHomeAssistant
from .health import wait_until_async

PICTURED = "sensor.picture_for_restart"


async def _local_picture(peer: RemoteHomeAssistant) -> str | None:
    """The entity_picture of the peer's mirror of PICTURED (None until it is mirrored)."""
    states = await peer.async_rest("GET", "/api/states")
    for state in states:
        if state["entity_id"].startswith("sensor.picture_for_restart"):
            picture = state["attributes"].get("entity_picture")
            return picture if isinstance(picture, str) else None
    return None


async def _status(peer: RemoteHomeAssistant, path: str) -> int:
    """GET as an <img> does: no Authorization header."""
    async with aiohttp.ClientSession() as session, session.get(f"{peer.url}{path}") as response:
        await response.read()
        return response.status


@pytest.mark.slow
async def test_after_a_restart_the_link_returns_and_old_picture_urls_are_dead(
    testbed: TestBed, peer: RemoteHomeAssistant
) -> None:
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": PICTURED,
                "state": "1",
                "attributes": {"entity_picture": "/api/camera_proxy/camera.demo_camera"},
            }
        ]
    )
    try:
        await async_link(peer, testbed.url("on"), testbed.p12(), P12_PASSWORD, testbed.token)
        pictures: list[str | None] = [None]

        async def picture_seen() -> bool:
            pictures[0] = await _local_picture(peer)
            return pictures[0] is not None

        await wait_until_async(picture_seen, 30)
        before = pictures[0]
        assert before is not None and before.startswith("/api/remote_mtls/picture/")
        assert await _status(peer, before) == HTTPStatus.OK

        peer.restart()

        async def renewed() -> bool:
            pictures[0] = await _local_picture(peer)
            return pictures[0] is not None and pictures[0] != before

        await wait_until_async(renewed, 60)
        after = pictures[0]
        assert after is not None
        assert await _status(peer, before) == HTTPStatus.NOT_FOUND
        assert await _status(peer, after) == HTTPStatus.OK
    finally:
        await testbed.remote.async_rest(
            "POST", "/api/services/testbed/remove_states", {"entity_ids": [PICTURED]}
        )
