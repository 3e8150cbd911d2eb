"""The one place secrets live: a private (0600) Store, one record per config entry."""

from __future__ import annotations

import asyncio
import base64
from dataclasses import dataclass
from typing import Any, NotRequired, TypedDict

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util.hass_dict import HassKey

from .const import DOMAIN

STORAGE_VERSION = 1
DATA_STORE: HassKey[Store[dict[str, SecretRecord]]] = HassKey(f"{DOMAIN}_secrets")
# Changes load, modify and save the whole store: one at a time, or links set up together (ten
# config flows finishing at once) overwrite each other's secrets.
DATA_LOCK: HassKey[asyncio.Lock] = HassKey(f"{DOMAIN}_secrets_lock")


class SecretRecord(TypedDict):
    """How one entry's secrets are stored."""

    token: str
    p12: str | None  # base64
    password: str
    ca_pem: str | None
    identity: NotRequired[dict[str, str] | None]  # saved_identity.py


@dataclass(frozen=True, slots=True, repr=False)
class Secrets:
    """Token, PKCS#12 bytes and password, and the user's CA (repr hides everything)."""

    token: str
    p12: bytes | None = None
    password: str = ""
    ca_pem: str | None = None
    # The identity the PKCS#12 held, as PEM parts, with the digest of the file it came from.
    identity: dict[str, str] | None = None

    def to_record(self) -> SecretRecord:
        """Serialise for the store."""
        return SecretRecord(
            token=self.token,
            p12=base64.b64encode(self.p12).decode() if self.p12 is not None else None,
            password=self.password,
            ca_pem=self.ca_pem,
            identity=self.identity,
        )

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Secrets:
        """Deserialise from the store."""
        p12 = record.get("p12")
        return cls(
            token=record["token"],
            p12=base64.b64decode(p12) if p12 else None,
            password=record.get("password", ""),
            ca_pem=record.get("ca_pem"),
            identity=record.get("identity"),
        )

    def __repr__(self) -> str:
        """Never show secrets."""
        return "Secrets(<redacted>)"


def _store(hass: HomeAssistant) -> Store[dict[str, SecretRecord]]:
    if DATA_STORE not in hass.data:
        hass.data[DATA_STORE] = Store(hass, STORAGE_VERSION, f"{DOMAIN}.secrets", private=True)
    return hass.data[DATA_STORE]


async def _load(hass: HomeAssistant) -> dict[str, SecretRecord]:
    return await _store(hass).async_load() or {}


async def async_load_secrets(hass: HomeAssistant, key: str) -> Secrets | None:
    """Secrets saved under `key`, or None."""
    record = (await _load(hass)).get(key)
    return Secrets.from_record(dict(record)) if record else None


async def async_save_secrets(hass: HomeAssistant, key: str, secrets: Secrets) -> None:
    """Save (or replace) the secrets under `key`."""
    async with hass.data.setdefault(DATA_LOCK, asyncio.Lock()):
        records = await _load(hass)
        records[key] = secrets.to_record()
        await _store(hass).async_save(records)


async def async_save_identity(hass: HomeAssistant, key: str, identity: dict[str, str]) -> None:
    """Save the identity of the secrets under `key`, changing nothing else in them."""
    async with hass.data.setdefault(DATA_LOCK, asyncio.Lock()):
        records = await _load(hass)
        if (record := records.get(key)) is not None:
            record["identity"] = identity
            await _store(hass).async_save(records)


async def async_remove_secrets(hass: HomeAssistant, key: str) -> None:
    """Forget the secrets under `key`."""
    async with hass.data.setdefault(DATA_LOCK, asyncio.Lock()):
        records = await _load(hass)
        if records.pop(key, None) is not None:
            await _store(hass).async_save(records)
