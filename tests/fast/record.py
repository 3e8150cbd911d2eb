"""Record the test bed's remote once, for the fast tier: `python -m tests.fast.record`.

Starts the real test bed (remote Home Assistant behind nginx mTLS), connects as the integration
does, and writes what the integration asks for at setup into tests/fast/remote.json: the answers
to its commands and the first subscribe_entities event (the full snapshot).
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
import tempfile
from typing import Any

import aiohttp

from custom_components.remote_mtls.api import (
    ClientIdentity,
    RemoteClient,
    WebSocketSession,
    build_ssl_context,
)

from ..testbed.bed import P12_PASSWORD, TestBed, running_testbed

RECORDING = Path(__file__).with_name("remote.json")
COMMANDS = (
    "get_config",
    "config/auth/list",
    "config/entity_registry/list",
    "config/device_registry/list",
    "config/area_registry/list",
    "config/label_registry/list",
)
# Answers that differ on every run of the bed and say nothing about mirroring.
VOLATILE = ("access_token", "entity_picture")


async def _record(bed: TestBed) -> dict[str, Any]:
    identity = ClientIdentity.from_pkcs12(bed.p12(), P12_PASSWORD)
    context = build_ssl_context(identity, ca_pem=bed.ca_pem)
    async with aiohttp.ClientSession() as http:
        client = RemoteClient(http, bed.url("on"), bed.token, context, sent_certificate=True)
        websocket = WebSocketSession(client)
        await websocket.connect()
        try:
            answers = {kind: await websocket.command({"type": kind}) for kind in COMMANDS}
            snapshot: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            await websocket.subscribe(
                {"type": "subscribe_entities"},
                lambda event: snapshot.done() or snapshot.set_result(event),
            )
            entities = await asyncio.wait_for(snapshot, 30)
        finally:
            await websocket.close()
    answers["get_config"]["config_dir"] = "/config"
    for user in answers["config/auth/list"]:
        user["name"] = user["username"] = "recorded"
    for compressed in entities["a"].values():
        for name in VOLATILE:
            if name in compressed.get("a", {}):
                compressed["a"][name] = "recorded"
    return {"commands": answers, "entities": entities}


def main() -> None:
    """Run the bed, record, write the recording."""
    with tempfile.TemporaryDirectory(prefix="remote_mtls_record_") as tmp:
        with running_testbed(Path(tmp)) as bed:
            recording = asyncio.run(_record(bed))
    RECORDING.write_text(json.dumps(recording, indent=1, sort_keys=True) + "\n")
    print(f"{len(recording['entities']['a'])} remote entities recorded in {RECORDING}")


if __name__ == "__main__":
    main()
