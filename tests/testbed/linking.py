"""Link one real Home Assistant to another through this integration, exactly as the UI does."""

from __future__ import annotations

from typing import Any

import aiohttp

from .remote_ha import RemoteHomeAssistant


async def _post(
    session: aiohttp.ClientSession, ha: RemoteHomeAssistant, path: str, **kwargs: Any
) -> Any:
    async with session.post(
        f"{ha.url}{path}", headers={"Authorization": f"Bearer {ha.token}"}, **kwargs
    ) as resp:
        body = await resp.json(content_type=None)
        if resp.status >= 400:
            raise RuntimeError(f"POST {path}: {resp.status} {body}")
        return body


async def async_link(
    ha: RemoteHomeAssistant, url: str, p12: bytes, password: str, token: str
) -> str:
    """Upload the .p12 and walk the config flow on `ha`; return the new entry id."""
    async with aiohttp.ClientSession() as session:
        form = aiohttp.FormData()
        form.add_field("file", p12, filename="client.p12", content_type="application/x-pkcs12")
        file_id = (await _post(session, ha, "/api/file_upload", data=form))["file_id"]
        flow = await _post(
            session, ha, "/api/config/config_entries/flow", json={"handler": "remote_mtls"}
        )
        steps: list[dict[str, Any]] = [
            {"url": url, "verify_ssl": True},
            {"client_certificate": file_id, "certificate_password": password},
            {"access_token": token},
        ]
        for answer in steps:
            path = f"/api/config/config_entries/flow/{flow['flow_id']}"
            flow = await _post(session, ha, path, json=answer)
            if flow.get("errors") == {"base": "ca_in_certificate_file"}:
                # The .p12's CA signed the server: the form fills it in; submit it as a user would.
                flow = await _post(session, ha, path, json={"ca_certificate": _offered_ca(flow)})
            if flow.get("errors"):
                raise RuntimeError(f"flow step {flow['step_id']}: {flow['errors']}")
        if flow.get("type") != "create_entry":
            raise RuntimeError(f"flow did not finish: {flow}")
        return str(flow["result"]["entry_id"])


def _offered_ca(flow: dict[str, Any]) -> str:
    """The CA certificate the form pre-fills."""
    field = next(f for f in flow["data_schema"] if f["name"] == "ca_certificate")
    return str(field["description"]["suggested_value"])


async def async_set_options(
    ha: RemoteHomeAssistant, entry_id: str, options: dict[str, Any]
) -> None:
    """Submit the options flow of an entry on `ha`."""
    async with aiohttp.ClientSession() as session:
        flow = await _post(
            session, ha, "/api/config/config_entries/options/flow", json={"handler": entry_id}
        )
        result = await _post(
            session, ha, f"/api/config/config_entries/options/flow/{flow['flow_id']}", json=options
        )
        if result.get("type") != "create_entry":
            raise RuntimeError(f"options flow did not finish: {result}")
