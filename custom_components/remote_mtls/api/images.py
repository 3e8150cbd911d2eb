"""Image bytes from the remote are served from the local origin: only known raster types pass.

A hostile remote can answer a camera snapshot, an image entity's picture or media artwork with
HTML or SVG (markup that runs scripts). Home Assistant's proxy views serve whatever content type
the entity reports, so the type is taken from the bytes themselves (their magic numbers), never
from the remote's header: JPEG, PNG, GIF, WebP and AVIF pass; everything else is refused with
`UnsafeImage`.
"""

from __future__ import annotations

from typing import Final

from .errors import UnsafeImage

# Largest image accepted from the remote (bytes, after any transfer decoding): 10 MiB. A camera
# still, a picture or a cover fits easily; more is refused before it is read whole into memory.
MAX_IMAGE_BYTES: Final = 10 * 1024 * 1024

JPEG: Final = "image/jpeg"
PNG: Final = "image/png"
GIF: Final = "image/gif"
WEBP: Final = "image/webp"
AVIF: Final = "image/avif"
RASTER_TYPES: Final = frozenset({JPEG, PNG, GIF, WEBP, AVIF})

# Declared names that mean one of the raster types above.
_ALIASES: Final = {"image/jpg": JPEG, "image/pjpeg": JPEG}
_PNG_SIGNATURE: Final = b"\x89PNG\r\n\x1a\n"
_WEBP_CHUNKS: Final = frozenset({b"VP8 ", b"VP8L", b"VP8X"})
_AVIF_BRANDS: Final = frozenset({b"avif", b"avis"})


def _is_avif(body: bytes) -> bool:
    """ISO BMFF file whose leading `ftyp` box names avif/avis as major or compatible brand."""
    if len(body) < 16 or body[4:8] != b"ftyp":
        return False
    size = int.from_bytes(body[:4], "big")
    # A box holds size, type, major brand and minor version at least; it must be all there.
    if size < 16 or size > len(body):
        return False
    brands = [body[8:12], *(body[i : i + 4] for i in range(16, size - 3, 4))]
    return not _AVIF_BRANDS.isdisjoint(brands)


def sniff_image(body: bytes) -> str | None:
    """Return the raster content type the bytes are, from their magic numbers; else None."""
    if body.startswith(b"\xff\xd8\xff"):
        return JPEG
    if body.startswith(_PNG_SIGNATURE):
        return PNG
    if body[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    if body[:4] == b"RIFF" and body[8:12] == b"WEBP" and body[12:16] in _WEBP_CHUNKS:
        return WEBP
    if _is_avif(body):
        return AVIF
    return None


def media_type(content_type: str | None) -> str | None:
    """Return the lower-case media type of a Content-Type value (no parameters), or None."""
    if content_type is None:
        return None
    value = content_type.partition(";")[0].strip().lower()
    return _ALIASES.get(value, value) or None


def checked_image(body: bytes, declared: str | None) -> tuple[bytes, str]:
    """Return the bytes with the content type that matches the bytes, or raise UnsafeImage.

    Refused (`detail`): more than MAX_IMAGE_BYTES (`too_large`); bytes that are no JPEG, PNG,
    GIF, WebP or AVIF, such as HTML, SVG or nothing (`not_raster`); a declared content type,
    when there is one, that is not the type of the bytes (`type_mismatch`).
    """
    if len(body) > MAX_IMAGE_BYTES:
        raise UnsafeImage("The image is too large", detail="too_large")
    actual = sniff_image(body)
    if actual is None:
        raise UnsafeImage("The answer is not a raster image", detail="not_raster")
    expected = media_type(declared)
    if expected is not None and expected != actual:
        raise UnsafeImage("The declared content type is not the image's", detail="type_mismatch")
    return body, actual
