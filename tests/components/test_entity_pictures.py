"""Entity pictures through the link: remote paths served locally by token, public URLs kept."""

from __future__ import annotations

from collections.abc import AsyncIterator
from http import HTTPStatus

from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator

from ..testbed.bed import TestBed
from .conftest import loaded_link, local_entity_id, wait_for

PICTURES = {
    "sensor.picture_remote_path": "/api/camera_proxy/camera.demo_camera",
    "sensor.picture_public": "https://example.invalid/photo.png",
    "sensor.picture_markup": "/api/",  # JSON, not an image: refused
    "sensor.picture_script": "javascript:alert(1)",
    "sensor.picture_other_host": "//example.invalid/photo.png",
}


@pytest.fixture
async def pictured(hass: HomeAssistant, testbed: TestBed) -> AsyncIterator[MockConfigEntry]:
    """Remote entities with pictures of every kind, and a link to them."""
    await testbed.remote.async_set_states(
        [
            {"entity_id": entity_id, "state": "1", "attributes": {"entity_picture": picture}}
            for entity_id, picture in PICTURES.items()
        ]
    )
    async with loaded_link(hass, testbed) as entry:
        yield entry
    await testbed.remote.async_rest(
        "POST", "/api/services/testbed/remove_states", {"entity_ids": list(PICTURES)}
    )


def picture(hass: HomeAssistant, entry: MockConfigEntry, remote_entity_id: str) -> str | None:
    """The local entity_picture of a mirrored entity."""
    state = hass.states.get(local_entity_id(hass, entry, remote_entity_id))
    assert state is not None
    return state.attributes.get("entity_picture")


async def test_remote_pictures_are_served_through_the_link(
    hass: HomeAssistant,
    pictured: MockConfigEntry,
    testbed: TestBed,
    hass_client_no_auth: ClientSessionGenerator,
) -> None:
    served = picture(hass, pictured, "sensor.picture_remote_path")
    assert served is not None and served.startswith("/api/remote_mtls/picture/")
    assert picture(hass, pictured, "sensor.picture_public") == PICTURES["sensor.picture_public"]
    assert picture(hass, pictured, "sensor.picture_script") is None
    assert picture(hass, pictured, "sensor.picture_other_host") is None

    client = await hass_client_no_auth()  # as an <img> asks: no Authorization header
    response = await client.get(served)
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/jpeg"
    assert (await response.read()).startswith(b"\xff\xd8\xff")
    assert response.headers["X-Content-Type-Options"] == "nosniff"

    guessed = await client.get("/api/remote_mtls/picture/not-a-token")
    assert guessed.status == HTTPStatus.NOT_FOUND
    markup = await client.get(picture(hass, pictured, "sensor.picture_markup") or "")
    assert markup.status == HTTPStatus.NOT_FOUND

    # A new picture on the remote gets a new token; the old URL stops working.
    await testbed.remote.async_set_states(
        [
            {
                "entity_id": "sensor.picture_remote_path",
                "state": "2",
                "attributes": {"entity_picture": "/api/camera_proxy/camera.demo_camera_png"},
            }
        ]
    )
    await wait_for(lambda: picture(hass, pictured, "sensor.picture_remote_path") != served)
    assert (await client.get(served)).status == HTTPStatus.NOT_FOUND
    renewed = picture(hass, pictured, "sensor.picture_remote_path") or ""
    response = await client.get(renewed)
    assert response.status == HTTPStatus.OK
    assert response.content_type == "image/png"

    # Unloaded, the link serves nothing.
    await hass.config_entries.async_unload(pictured.entry_id)
    assert (await client.get(renewed)).status == HTTPStatus.NOT_FOUND
