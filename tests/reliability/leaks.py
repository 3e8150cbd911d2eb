"""The secrets of a link, as they could leak: whole, or as fragments of their encodings."""

from __future__ import annotations

import base64
from collections.abc import Iterable
from dataclasses import dataclass
import logging

from cryptography.hazmat.primitives import serialization

from ..testbed.bed import P12_PASSWORD, TestBed

# Loggers of the test harness itself (its storage mock logs whatever is saved).
HARNESS_LOGGERS = ("pytest_homeassistant_custom_component",)
_FORMATTER = logging.Formatter("%(name)s %(levelname)s %(message)s")


@dataclass(frozen=True)
class Needle:
    """One secret fragment and what it is."""

    what: str
    text: str


def needles(bed: TestBed, p12: bytes) -> list[Needle]:
    """The token, the p12 password, and fragments of the key (PEM, DER) and of the p12."""
    key = bed.pki.client.key
    found = [
        Needle("token", bed.token),
        Needle("token signature", bed.token.rsplit(".", 1)[-1]),
        Needle("p12 password", P12_PASSWORD),
    ]
    for name, fmt in (
        ("PKCS#8", serialization.PrivateFormat.PKCS8),
        ("traditional", serialization.PrivateFormat.TraditionalOpenSSL),
    ):
        pem = key.private_bytes(
            serialization.Encoding.PEM, fmt, serialization.NoEncryption()
        ).decode()
        body = pem.strip().splitlines()[1:-1]
        found += [Needle(f"key PEM ({name}) line {n}", line) for n, line in enumerate(body)]
        der = key.private_bytes(serialization.Encoding.DER, fmt, serialization.NoEncryption())
        found.append(Needle(f"key DER ({name}) hex", der[64:96].hex()))
        encoded = base64.b64encode(der[96:]).decode()
        found.append(Needle(f"key DER ({name}) base64", encoded[:40]))
    p12_base64 = base64.b64encode(p12).decode()
    found.append(Needle("p12 base64", p12_base64[len(p12_base64) // 2 :][:40]))
    return found


def hits(haystacks: dict[str, str], secrets: Iterable[Needle]) -> list[str]:
    """Where each secret fragment occurs: 'place: what'."""
    return [
        f"{place}: {needle.what}"
        for place, text in haystacks.items()
        for needle in secrets
        if needle.text in text
    ]


def log_text(records: Iterable[logging.LogRecord]) -> str:
    """Every record as it would be written, with exception tracebacks."""
    return "\n".join(
        _FORMATTER.format(record)
        for record in records
        if not record.name.startswith(HARNESS_LOGGERS)
    )
