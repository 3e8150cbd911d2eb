"""A link's client identity at setup: from its saved PEM parts when they came from its PKCS#12.

Loading a PKCS#12 derives the key from the password and validates the RSA key: about 35 ms that
hold the GIL (and so the event loop) per link at every start. The first setup of a link saves
what the file held in the link's private secrets (a config flow saves it with them), the key
encrypted with the file's password; later setups read that back in well under a millisecond. A
new file or password never matches the saved digest, so it is loaded in full; a file without a
password is loaded at every setup.
"""

from __future__ import annotations

import hashlib

from homeassistant.core import HomeAssistant

from .api import ClientIdentity, InvalidPkcs12, KeyMismatch
from .client_factory import async_load_identity
from .secret_store import Secrets, async_save_identity

DIGEST = "p12_sha256"


def _digest(p12: bytes, password: str) -> str:
    return hashlib.sha256(p12 + b"\0" + password.encode()).hexdigest()


def saved_identity(p12: bytes, password: str, identity: ClientIdentity) -> dict[str, str] | None:
    """Return what to save of the identity that `p12` opened with `password` (loaded in full).

    None without a password: the key is never written in clear, so such a file is loaded at
    every setup.
    """
    if not password:
        return None
    return {DIGEST: _digest(p12, password), **identity.to_pem_parts(password)}


async def async_load_saved_identity(
    hass: HomeAssistant, key: str, secrets: Secrets
) -> ClientIdentity | None:
    """Return the identity of the secrets' file (None without one).

    Raises IdentityError as loading the file would.
    """
    if (p12 := secrets.p12) is None:
        return None
    saved = secrets.identity
    if saved is not None and saved.get(DIGEST) == _digest(p12, secrets.password):
        try:
            return ClientIdentity.from_pem_parts(saved, secrets.password)
        except InvalidPkcs12, KeyMismatch:
            pass  # damaged: load the file again, and save it again
    identity = await async_load_identity(hass, p12, secrets.password)
    if (to_save := saved_identity(p12, secrets.password, identity)) is not None:
        await async_save_identity(hass, key, to_save)
    return identity
