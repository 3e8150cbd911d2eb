"""Only raster images pass, typed by their bytes: markup from the remote is never served locally."""

from __future__ import annotations

import io

from PIL import Image
import pytest

from custom_components.remote_mtls.api import (
    MAX_IMAGE_BYTES,
    RemoteError,
    UnsafeImage,
    checked_image,
    images,
)
from custom_components.remote_mtls.api.images import media_type, sniff_image


def encoded(fmt: str, **params: object) -> bytes:
    """A real 4x4 image in the given Pillow format."""
    buffer = io.BytesIO()
    mode = "RGBA" if params.pop("alpha", False) else "RGB"
    Image.new(mode, (4, 4), (200, 30, 30, 128)[: len(mode)]).save(buffer, fmt, **params)
    return buffer.getvalue()


def ftyp(major: bytes, *compatible: bytes, size: int | None = None) -> bytes:
    """An ISO BMFF `ftyp` box (then a few bytes of a following box)."""
    body = b"ftyp" + major + b"\x00\x00\x00\x00" + b"".join(compatible)
    length = len(body) + 4 if size is None else size
    return length.to_bytes(4, "big") + body + b"\x00\x00\x00\x08free"


JPEG = encoded("JPEG")
PNG = encoded("PNG")
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/states')</script></body></html>"
SVG = (
    b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)">'
    b"<script>alert(document.cookie)</script></svg>"
)


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        pytest.param(JPEG, "image/jpeg", id="jpeg"),
        pytest.param(PNG, "image/png", id="png"),
        pytest.param(encoded("GIF"), "image/gif", id="gif89a"),
        pytest.param(b"GIF87a\x04\x00\x04\x00\x00\x00\x00;", "image/gif", id="gif87a"),
        pytest.param(encoded("WEBP"), "image/webp", id="webp-lossy"),
        pytest.param(encoded("WEBP", lossless=True), "image/webp", id="webp-lossless"),
        pytest.param(encoded("WEBP", alpha=True), "image/webp", id="webp-extended"),
        pytest.param(encoded("AVIF"), "image/avif", id="avif"),
        pytest.param(ftyp(b"mif1", b"mif1", b"avif"), "image/avif", id="avif-compatible"),
        pytest.param(ftyp(b"avis", b"avis", b"msf1"), "image/avif", id="avif-sequence"),
    ],
)
def test_raster_types_pass_with_the_type_of_their_bytes(body: bytes, content_type: str) -> None:
    assert sniff_image(body) == content_type
    assert checked_image(body, None) == (body, content_type)
    assert checked_image(body, content_type) == (body, content_type)
    # Parameters and case of the declared type do not matter.
    assert checked_image(body, f" {content_type.upper()}; charset=binary") == (body, content_type)


def test_declared_jpg_means_jpeg() -> None:
    assert checked_image(JPEG, "image/jpg") == (JPEG, "image/jpeg")
    assert checked_image(JPEG, "image/pjpeg") == (JPEG, "image/jpeg")
    assert media_type("Image/JPG; q=1") == "image/jpeg"
    assert media_type("") is None
    assert media_type(None) is None


@pytest.mark.parametrize(
    ("body", "declared", "detail"),
    [
        pytest.param(HTML, "text/html", "not_raster", id="html"),
        pytest.param(HTML, "image/png", "not_raster", id="html-declared-png"),
        pytest.param(HTML, None, "not_raster", id="html-undeclared"),
        pytest.param(SVG, "image/svg+xml", "not_raster", id="svg"),
        pytest.param(SVG, None, "not_raster", id="svg-undeclared"),
        pytest.param(b"  <svg onload=alert(1)/>", "image/jpeg", "not_raster", id="bare-svg"),
        pytest.param(JPEG, "text/html", "type_mismatch", id="jpeg-as-html"),
        pytest.param(JPEG, "image/svg+xml", "type_mismatch", id="jpeg-as-svg"),
        pytest.param(JPEG, "application/octet-stream", "type_mismatch", id="jpeg-as-binary"),
        pytest.param(PNG, "image/jpeg", "type_mismatch", id="png-as-jpeg"),
        pytest.param(encoded("GIF"), "image/webp", "type_mismatch", id="gif-as-webp"),
        pytest.param(b"", None, "not_raster", id="empty"),
        pytest.param(b"", "image/png", "not_raster", id="empty-declared-png"),
        pytest.param(b"\xff\xd8", "image/jpeg", "not_raster", id="truncated-jpeg"),
        pytest.param(b"\x89PNG\r\n\x1a", "image/png", "not_raster", id="truncated-png"),
        pytest.param(b"\x89PNG\r\n<script>", "image/png", "not_raster", id="png-prefix-markup"),
        pytest.param(b"GIF89", "image/gif", "not_raster", id="truncated-gif"),
        pytest.param(b"GIF90a<html>", "image/gif", "not_raster", id="gif-wrong-version"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEB", "image/webp", "not_raster", id="truncated-riff"),
        pytest.param(b"RIFF\x10\x00\x00\x00WEBP", "image/webp", "not_raster", id="webp-no-chunk"),
        pytest.param(b"RIFF\x10\x00\x00\x00WAVEfmt ", None, "not_raster", id="riff-wave"),
        pytest.param(ftyp(b"heic", b"mif1", b"heic"), "image/avif", "not_raster", id="heic"),
        pytest.param(ftyp(b"isom", b"isom", b"mp41"), None, "not_raster", id="mp4"),
        pytest.param(ftyp(b"avif")[:12], "image/avif", "not_raster", id="truncated-ftyp"),
        pytest.param(ftyp(b"mif1", b"avif", size=64), None, "not_raster", id="ftyp-past-end"),
        pytest.param(ftyp(b"avif", size=8), None, "not_raster", id="ftyp-too-short"),
    ],
)
def test_everything_else_is_refused(body: bytes, declared: str | None, detail: str) -> None:
    with pytest.raises(UnsafeImage) as err:
        checked_image(body, declared)
    assert err.value.detail == detail
    assert err.value.reason == "unsafe_image"
    assert isinstance(err.value, RemoteError)


def test_too_large(monkeypatch: pytest.MonkeyPatch) -> None:
    assert MAX_IMAGE_BYTES == 10 * 1024 * 1024
    monkeypatch.setattr(images, "MAX_IMAGE_BYTES", len(PNG))
    assert checked_image(PNG, "image/png") == (PNG, "image/png")
    with pytest.raises(UnsafeImage) as err:
        checked_image(PNG + b"\x00", "image/png")
    assert err.value.detail == "too_large"
