"""Answers of a hostile remote: bodies are read with a cap, images only as raster images."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import io
import json
import logging
from typing import Any

import aiohttp
from aiohttp import web
from aiohttp.test_utils import TestServer
from PIL import Image
import pytest

from custom_components.remote_mtls.api import (
    InvalidToken,
    NotHomeAssistant,
    RemoteClient,
    ResponseTooLarge,
    UnsafeImage,
    client as client_module,
    images,
)
from custom_components.remote_mtls.remote_images import RemoteImages

LIMIT = 4096  # the tests' cap for JSON and images alike: small, so the tests are fast


def _png(size: int = 4) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (size, size), (10, 200, 10)).save(buffer, "PNG")
    return buffer.getvalue()


PNG = _png()
BIG_PNG = PNG + b"\x00" * LIMIT  # trailing bytes after IEND: still starts as a PNG
HTML = b"<html><body><script>fetch('/api/states')</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
BIG_JSON = json.dumps([{"entity_id": f"sensor.s{i}", "state": "x" * 50} for i in range(200)])


async def _chunked(request: web.Request, body: bytes, content_type: str) -> web.StreamResponse:
    """Stream the body in small chunks with no Content-Length."""
    resp = web.StreamResponse(headers={"Content-Type": content_type})
    resp.enable_chunked_encoding()
    await resp.prepare(request)
    for start in range(0, len(body), 512):
        await resp.write(body[start : start + 512])
    await resp.write_eof()
    return resp


def _routes() -> web.Application:
    def fixed(body: bytes | str, content_type: str, status: int = 200) -> Any:
        async def handler(_request: web.Request) -> web.Response:
            data = body.encode() if isinstance(body, str) else body
            return web.Response(body=data, status=status, headers={"Content-Type": content_type})

        return handler

    def chunked(body: bytes | str, content_type: str) -> Any:
        async def handler(request: web.Request) -> web.StreamResponse:
            data = body.encode() if isinstance(body, str) else body
            return await _chunked(request, data, content_type)

        return handler

    async def compressed(_request: web.Request) -> web.Response:
        # A few hundred bytes on the wire that inflate to far more than the limit.
        resp = web.Response(text=json.dumps({"message": " " * (50 * LIMIT)}))
        resp.enable_compression()
        return resp

    async def endless(request: web.Request) -> web.StreamResponse:
        # Streams until the client hangs up: only a reader that stops at the cap gets through.
        resp = web.StreamResponse(headers={"Content-Type": "image/png"})
        resp.enable_chunked_encoding()
        await resp.prepare(request)
        await resp.write(PNG)
        with contextlib.suppress(ConnectionError):
            while True:
                await resp.write(b"\x00" * 65536)
        return resp

    app = web.Application()
    app.router.add_get("/img/endless", endless)
    app.router.add_get("/api/events", fixed(BIG_JSON, "application/json"))
    app.router.add_get("/api/states/chunked", chunked(BIG_JSON, "application/json"))
    app.router.add_get("/api/", fixed('{"message": "API running."}', "application/json"))
    app.router.add_get("/api/exact", fixed(b"[" + b" " * (LIMIT - 2) + b"]", "application/json"))
    app.router.add_get("/api/compressed", compressed)
    app.router.add_get("/api/big_error", fixed(b"x" * (10 * LIMIT), "text/plain", 401))
    app.router.add_get("/img/big", fixed(BIG_PNG, "image/png"))
    app.router.add_get("/img/big_chunked", chunked(BIG_PNG, "image/png"))
    app.router.add_get("/img/html", fixed(HTML, "text/html"))
    app.router.add_get("/img/html_as_png", fixed(HTML, "image/png"))
    app.router.add_get("/img/svg", fixed(SVG, "image/svg+xml"))
    app.router.add_get("/img/png_as_jpeg", fixed(PNG, "image/jpeg"))
    app.router.add_get("/img/png", fixed(PNG, "image/png"))
    app.router.add_get("/img/png_chunked", chunked(PNG, "image/png; charset=binary"))
    return app


@pytest.fixture
def limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small caps (the real ones are 16 MiB and 10 MiB)."""
    assert client_module.MAX_REST_BODY == 16 * 1024 * 1024
    assert images.MAX_IMAGE_BYTES == 10 * 1024 * 1024
    monkeypatch.setattr(client_module, "MAX_REST_BODY", LIMIT)
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", LIMIT)


@pytest.fixture
async def remote(limits: None) -> AsyncIterator[RemoteClient]:
    """A RemoteClient talking to a hostile 'remote' on 127.0.0.1."""
    server = TestServer(_routes(), host="127.0.0.1")
    await server.start_server()
    session = aiohttp.ClientSession()
    try:
        yield RemoteClient(
            session, str(server.make_url("/")), "token", None, sent_certificate=False
        )
    finally:
        await session.close()
        await server.close()


async def _raw_server(answer: bytes) -> tuple[asyncio.Server, str]:
    """A server that answers every request with exactly these bytes (no header added)."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def test_json_over_the_limit(remote: RemoteClient) -> None:
    assert len(BIG_JSON) > LIMIT
    with pytest.raises(ResponseTooLarge) as err:
        await remote.event_types()  # refused by its Content-Length
    assert err.value.reason == "response_too_large"
    assert err.value.detail == "content_length"
    with pytest.raises(ResponseTooLarge) as err:
        await remote._request("GET", "/api/states/chunked")  # no Content-Length
    assert err.value.detail == "body"
    with pytest.raises(ResponseTooLarge) as err:
        await remote._request("GET", "/api/compressed")  # small on the wire, large inflated
    assert err.value.detail == "body"
    # The session goes on working after a refused answer.
    assert await remote.get_api_status() == "API running."


async def test_json_at_the_limit(remote: RemoteClient) -> None:
    assert await remote._request("GET", "/api/exact") == []


async def test_error_answers_are_not_read_whole(remote: RemoteClient) -> None:
    with pytest.raises(InvalidToken):
        await remote._request("GET", "/api/big_error")


async def test_image_over_the_limit(remote: RemoteClient) -> None:
    with pytest.raises(ResponseTooLarge) as err:
        await remote.get_image("/img/big")
    assert err.value.detail == "content_length"
    with pytest.raises(ResponseTooLarge) as err:
        await remote.get_image("/img/big_chunked")
    assert err.value.detail == "body"
    assert await remote.get_image("/img/png") == (PNG, "image/png")


async def test_endless_answer_is_cut_off(remote: RemoteClient) -> None:
    async with asyncio.timeout(10):
        with pytest.raises(ResponseTooLarge) as err:
            await remote.get_image("/img/endless")
        assert err.value.detail == "body"
        with pytest.raises(ResponseTooLarge):
            await remote._request("GET", "/img/endless")


@pytest.mark.parametrize(
    ("path", "detail"),
    [
        ("/img/html", "not_raster"),
        ("/img/html_as_png", "not_raster"),
        ("/img/svg", "not_raster"),
        ("/img/png_as_jpeg", "type_mismatch"),
    ],
)
async def test_markup_is_no_image(remote: RemoteClient, path: str, detail: str) -> None:
    with pytest.raises(UnsafeImage) as err:
        await remote.get_image(path)
    assert err.value.reason == "unsafe_image"
    assert err.value.detail == detail


async def test_good_png(remote: RemoteClient) -> None:
    assert await remote.get_image("/img/png") == (PNG, "image/png")
    assert await remote.get_image("/img/png_chunked") == (PNG, "image/png")


async def test_image_without_content_type_is_typed_by_its_bytes() -> None:
    head = b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
    server, url = await _raw_server(head % len(PNG) + PNG)
    try:
        async with aiohttp.ClientSession() as session:
            client = RemoteClient(session, url, "token", None, sent_certificate=False)
            assert await client.get_image("/any") == (PNG, "image/png")
    finally:
        server.close()
        await server.wait_closed()


async def test_not_json_still_not_home_assistant(remote: RemoteClient) -> None:
    with pytest.raises(NotHomeAssistant):
        await remote._request("GET", "/img/html")


# Home Assistant side: a refused image is not served, and warned about once per entity -------


async def test_refused_images_warn_once_per_entity(
    remote: RemoteClient, caplog: pytest.LogCaptureFixture
) -> None:
    images = RemoteImages(remote)
    caplog.set_level(logging.DEBUG, logger="custom_components.remote_mtls.remote_images")

    def ours() -> list[logging.LogRecord]:
        return [
            r for r in caplog.records if r.name == "custom_components.remote_mtls.remote_images"
        ]

    def warnings() -> list[str]:
        return [r.getMessage() for r in ours() if r.levelno >= logging.WARNING]

    assert await images.async_fetch("camera.front", "/img/html") is None
    assert await images.async_fetch("camera.front", "/img/svg") is None
    assert await images.async_fetch("camera.front", "/img/big_chunked") is None
    assert warnings() == [
        "camera.front: the remote's image was refused (unsafe_image/not_raster); no image is served"
    ]
    # Another entity has its own warning; the remote's address is never in the log.
    assert await images.async_fetch("image.door", "/img/big") is None
    assert len(warnings()) == 2
    assert "image.door" in warnings()[1]
    assert "response_too_large" in warnings()[1]
    logged = "\n".join(r.getMessage() for r in ours())
    assert "127.0.0.1" not in logged
    assert "/img/" not in logged
    assert len(ours()) == 4  # the later refusals of camera.front at debug level
    # A good image is served with the type of its bytes and re-arms the warning.
    assert await images.async_fetch("camera.front", "/img/png_chunked") == (PNG, "image/png")
    assert await images.async_fetch("camera.front", "/img/html") is None
    assert len(warnings()) == 3
