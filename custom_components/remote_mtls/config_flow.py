"""Config flow: URL → (client certificate, if the server wants one) → access token.

Also reauthentication (asks only for what the remote refused) and reconfiguration.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
import secrets as pysecrets
from typing import Any

from homeassistant.components.file_upload import process_uploaded_file
from homeassistant.config_entries import ConfigEntry, ConfigFlow, ConfigFlowResult
from homeassistant.const import CONF_ACCESS_TOKEN, CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import instance_id
from homeassistant.helpers.selector import (
    BooleanSelector,
    FileSelector,
    FileSelectorConfig,
    TextSelector,
    TextSelectorConfig,
    TextSelectorType,
)
from homeassistant.helpers.service_info.zeroconf import ZeroconfServiceInfo
import probatio as vol

from .api import (
    ClientIdentity,
    HostnameMismatch,
    IdentityError,
    InvalidPkcs12,
    RemoteClient,
    RemoteError,
    ServerCertificateUntrusted,
    WebSocketSession,
    load_ca_certificates,
    normalize_url,
    pem_bundle,
    remote_instance_id,
)
from .client_factory import TlsSettings, async_create_client, async_load_identity
from .const import (
    CONF_CA_CERTIFICATE,
    CONF_CERT_FINGERPRINT,
    CONF_CERT_NOT_AFTER,
    CONF_CERT_SUBJECT,
    CONF_CERTIFICATE_PASSWORD,
    CONF_CLIENT_CERTIFICATE,
    CONF_INSTANCE_UUID,
    CONF_SECRET_KEY,
    CONF_VERIFY_SSL,
    DOMAIN,
    MAX_P12_SIZE,
    P12_ACCEPT,
    TRUST_EXPLICIT_VERSION,
)
from .errors import FORM_ERRORS, IDENTITY_REASONS, form_error
from .options_flow import RemoteMtlsOptionsFlow
from .remote_identity import is_url_identity
from .saved_identity import saved_identity
from .secret_store import Secrets, async_load_secrets, async_save_secrets

DISCOVERY_ID_PREFIX = "zeroconf:"  # until the flow learns the remote's identity
# Errors on the certificate step that only a different URL can fix.
URL_REASONS = frozenset(
    {"not_home_assistant", "cannot_connect", "tls_mismatch", "redirect", "host_not_served"}
)
PASSWORD = TextSelector(TextSelectorConfig(type=TextSelectorType.PASSWORD))
URL = TextSelector(TextSelectorConfig(type=TextSelectorType.URL))
PEM = TextSelector(TextSelectorConfig(multiline=True))
P12_FILE = FileSelector(FileSelectorConfig(accept=P12_ACCEPT))


def announced_urls(discovery_info: ZeroconfServiceInfo) -> list[str]:
    """Return the addresses an announced Home Assistant gave, best first.

    Its external URL (usually the one behind the proxy), its internal URL, then the address
    it was seen at.
    """
    properties = discovery_info.properties
    urls = [properties.get("external_url"), properties.get("internal_url")]
    seen = f"http://{discovery_info.host}:{discovery_info.port}"
    found = [normalize_url(u) for u in urls if isinstance(u, str) and u.startswith("http")]
    return list(dict.fromkeys([*found, normalize_url(seen)]))


def _read_upload(hass: HomeAssistant, file_id: str) -> bytes:
    """Read an uploaded file (runs in the executor; the upload is deleted afterwards)."""
    with process_uploaded_file(hass, file_id) as path:
        if Path(path).stat().st_size > MAX_P12_SIZE:
            raise InvalidPkcs12("The file is too large for a PKCS#12 bundle", detail="too_large")
        return Path(path).read_bytes()


class RemoteMtlsConfigFlow(ConfigFlow, domain=DOMAIN):
    """Link a remote Home Assistant."""

    VERSION = 1
    MINOR_VERSION = TRUST_EXPLICIT_VERSION

    @staticmethod
    @callback
    def async_get_options_flow(config_entry: ConfigEntry) -> RemoteMtlsOptionsFlow:
        """Return the options flow (what to mirror)."""
        return RemoteMtlsOptionsFlow()

    def __init__(self) -> None:
        """Start with nothing known."""
        self._url = ""
        self._verify_ssl = True
        self._p12: bytes | None = None
        self._password = ""
        self._ca_pem: str | None = None
        self._invalid_ca: str | None = None  # shown again so it can be corrected
        self._retry_p12: bytes | None = None
        self._certificate_error: str | None = None
        self._identity: ClientIdentity | None = None
        self._token: str | None = None
        self._reauth_reason = "unknown"
        self._certificate_required = True
        self._remote_config: dict[str, Any] = {}
        self._remote_id = ""
        self._instance_uuid: str | None = None  # announced on the network (zeroconf)

    # Steps of a new link -----------------------------------------------------------------

    async def async_step_user(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the URL; probe it without a certificate."""
        errors: dict[str, str] = {}
        if user_input is not None:
            errors = self._take_url(user_input)
            if not errors:
                self._async_abort_entries_match({CONF_URL: self._url})
                try:
                    probe = await (await self._client("")).probe()
                except ServerCertificateUntrusted:
                    # A private CA: it may come with a client certificate or be given alone.
                    self._certificate_required = False
                    return await self.async_step_client_certificate()
                except RemoteError as err:
                    errors["base"] = form_error(err)
                else:
                    if probe.certificate_required and self._identity is None:
                        return await self.async_step_client_certificate()
                    return await self.async_step_token()
        return self._show_url_form(errors)

    async def async_step_zeroconf(self, discovery_info: ZeroconfServiceInfo) -> ConfigFlowResult:
        """Offer the address of a Home Assistant announced on the network."""
        properties = discovery_info.properties
        instance = str(properties.get("uuid") or "")
        if not instance:
            return self.async_abort(reason="not_home_assistant_announcement")
        if instance == await instance_id.async_get(self.hass):
            return self.async_abort(reason="own_instance")
        await self.async_set_unique_id(f"{DISCOVERY_ID_PREFIX}{instance}")
        self._abort_if_unique_id_configured()  # the user chose to ignore it
        addresses = announced_urls(discovery_info)
        for entry in self._async_current_entries(include_ignore=False):
            linked = entry.data.get(CONF_INSTANCE_UUID) == instance
            if linked or normalize_url(entry.data[CONF_URL]) in addresses:
                return self.async_abort(reason="already_configured")
        self._instance_uuid = instance
        self._url = addresses[0]
        self.context["title_placeholders"] = {
            "name": str(properties.get("location_name") or discovery_info.host)
        }
        return self._show_url_form({})

    def _show_url_form(self, errors: dict[str, str]) -> ConfigFlowResult:
        return self.async_show_form(
            step_id="user",
            data_schema=self.add_suggested_values_to_schema(
                vol.Schema(
                    {
                        vol.Required(CONF_URL): URL,
                        vol.Required(CONF_VERIFY_SSL, default=True): BooleanSelector(),
                    }
                ),
                {CONF_URL: self._url, CONF_VERIFY_SSL: self._verify_ssl},
            ),
            errors=errors,
        )

    async def async_step_client_certificate(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for the .p12, its password and an optional CA; check them against the server."""
        errors: dict[str, str] = {}
        if self._certificate_error:  # the token step found out a certificate is needed
            errors["base"], self._certificate_error = self._certificate_error, None
        if user_input is not None:
            errors = await self._async_take_certificate(user_input)
            if not errors and self._nothing_given(user_input):
                errors[CONF_CLIENT_CERTIFICATE] = "upload_missing"
            if not errors:
                try:
                    probe = await (await self._client("")).probe()
                except ServerCertificateUntrusted as err:
                    errors["base"] = await self._async_offer_ca_of_p12(err)
                except RemoteError as err:
                    if err.reason in URL_REASONS:  # only the URL form can fix these
                        return self._show_url_form({"base": form_error(err)})
                    errors["base"] = form_error(err)
                else:
                    if not probe.certificate_required:
                        return await self.async_step_token()
                    self._certificate_required = True
                    errors["base"] = "cert_required"
        return self.async_show_form(
            step_id="client_certificate",
            data_schema=self._certificate_schema(required=self._certificate_required),
            errors=errors,
            description_placeholders={"url": self._url},
        )

    async def async_step_token(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Ask for the access token; validate REST and websocket end to end."""
        errors: dict[str, str] = {}
        if user_input is not None:
            self._token = user_input[CONF_ACCESS_TOKEN].strip()
            errors = await self._async_validation_errors()
            if errors.get("base") == "cert_required" and self._identity is None:
                # A proxy that wants the certificate only deeper than the probe looked.
                self._certificate_required, self._certificate_error = True, "cert_required"
                return await self.async_step_client_certificate()
            if not errors:
                await self.async_set_unique_id(self._remote_id)
                self._abort_if_unique_id_configured()
                secret_key = pysecrets.token_hex(16)
                await async_save_secrets(self.hass, secret_key, self._secrets())
                return self.async_create_entry(
                    title=str(self._remote_config.get("location_name") or self._url),
                    data={**self._entry_data(), CONF_SECRET_KEY: secret_key},
                )
        return self.async_show_form(
            step_id="token",
            data_schema=vol.Schema({vol.Required(CONF_ACCESS_TOKEN): PASSWORD}),
            errors=errors,
            description_placeholders=self._certificate_placeholders(),
        )

    # Reauthentication and reconfiguration ----------------------------------------------------

    async def async_step_reauth(self, entry_data: Mapping[str, Any]) -> ConfigFlowResult:
        """Find out what the remote refuses now, then ask only for that."""
        if not await self._async_load_entry(entry_data):
            self._reauth_reason = "secrets_missing"
            return await self.async_step_reauth_confirm()
        try:
            await self._async_validate()
        except RemoteError as err:
            self._reauth_reason = err.reason
        return await self.async_step_reauth_confirm()

    async def async_step_reauth_confirm(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Ask for a new token and, when a certificate is in use, optionally a new .p12."""
        errors: dict[str, str] = {}
        if user_input is not None:
            if user_input.get(CONF_ACCESS_TOKEN):
                self._token = user_input[CONF_ACCESS_TOKEN].strip()
            errors = await self._async_take_certificate(user_input)
            if not errors and not (errors := await self._async_validation_errors()):
                await self._async_abort_if_another_remote(self._get_reauth_entry())
                return await self._async_update_entry(self._get_reauth_entry())
        if user_input is None and self._reauth_reason in {*FORM_ERRORS, "secrets_missing"}:
            errors["base"] = self._reauth_reason  # says what the remote refused
        reason = errors.get("base", self._reauth_reason)
        token_broken = reason in ("invalid_auth", "secrets_missing")
        certificate_broken = (
            reason.startswith("cert_")
            or reason in IDENTITY_REASONS
            or reason == "secrets_missing"
            or self._needs_certificate(errors)
        )
        schema: dict[Any, Any] = {}
        if token_broken or not certificate_broken:
            token_key = vol.Required if token_broken else vol.Optional
            schema[token_key(CONF_ACCESS_TOKEN)] = PASSWORD
        if certificate_broken or (self._p12 is not None and not token_broken):
            schema.update(self._certificate_schema(required=False).schema)
        return self.async_show_form(
            step_id="reauth_confirm",
            data_schema=vol.Schema(schema),
            errors=errors,
            description_placeholders={"name": self._get_reauth_entry().title},
        )

    async def async_step_reconfigure(
        self, user_input: dict[str, Any] | None = None
    ) -> ConfigFlowResult:
        """Change URL, server verification, certificate or CA of the same link."""
        entry = self._get_reconfigure_entry()
        if not self._url:
            await self._async_load_entry(entry.data)
        errors: dict[str, str] = {}
        if user_input is not None:
            if token := (user_input.get(CONF_ACCESS_TOKEN) or "").strip():
                self._token = token
            errors = self._take_url(user_input) or await self._async_take_certificate(user_input)
            if not errors and not (errors := await self._async_validation_errors()):
                await self._async_abort_if_another_remote(entry)
                return await self._async_update_entry(entry)
        schema = vol.Schema(
            {
                vol.Required(CONF_URL, default=self._url): URL,
                vol.Required(CONF_VERIFY_SSL, default=self._verify_ssl): BooleanSelector(),
                vol.Optional(CONF_ACCESS_TOKEN): PASSWORD,
                **self._certificate_schema(required=False).schema,
            }
        )
        return self.async_show_form(
            step_id="reconfigure",
            data_schema=schema,
            errors=errors,
            description_placeholders=self._certificate_placeholders(),
        )

    # Helpers -------------------------------------------------------------------------------

    def _take_url(self, user_input: dict[str, Any]) -> dict[str, str]:
        """Read URL and verification choice from a form; return form errors."""
        self._verify_ssl = user_input[CONF_VERIFY_SSL]
        try:
            self._url = normalize_url(user_input[CONF_URL])
        except ValueError:
            return {CONF_URL: "invalid_url"}
        return {}

    def _certificate_schema(self, *, required: bool = True) -> vol.Schema:
        # Once a file was read, the flow keeps it: the field becomes optional on retries.
        kept = self._p12 is not None or self._retry_p12 is not None
        file_key = vol.Required if required and not kept else vol.Optional
        return self.add_suggested_values_to_schema(
            vol.Schema(
                {
                    file_key(CONF_CLIENT_CERTIFICATE): P12_FILE,
                    vol.Optional(CONF_CERTIFICATE_PASSWORD): PASSWORD,
                    vol.Optional(CONF_CA_CERTIFICATE): PEM,
                }
            ),
            {CONF_CA_CERTIFICATE: self._invalid_ca or self._ca_pem or ""},
        )

    async def _async_take_certificate(self, user_input: dict[str, Any]) -> dict[str, str]:
        """Read the upload, password and CA from a form; return form errors."""
        if CONF_CA_CERTIFICATE in user_input:
            ca_pem = user_input[CONF_CA_CERTIFICATE].strip() or None
            try:
                load_ca_certificates(ca_pem or "")
            except IdentityError:
                self._invalid_ca = ca_pem
                return {CONF_CA_CERTIFICATE: "invalid_ca"}
            self._ca_pem, self._invalid_ca = ca_pem, None
        candidate = self._retry_p12  # a file whose password was wrong is kept for the retry
        if file_id := user_input.get(CONF_CLIENT_CERTIFICATE):
            try:
                candidate = await self.hass.async_add_executor_job(_read_upload, self.hass, file_id)
            except IdentityError as err:
                return {CONF_CLIENT_CERTIFICATE: form_error(err)}
            except ValueError:
                return {CONF_CLIENT_CERTIFICATE: "upload_missing"}
        if candidate is None:
            return {}  # the current certificate, or none (the schema asks where one is needed)
        password = user_input.get(CONF_CERTIFICATE_PASSWORD, self._password) or ""
        try:
            identity = await async_load_identity(self.hass, candidate, password)
        except IdentityError as err:
            # Only a file that just needs its password is kept; a rejected one is forgotten.
            if err.reason == "wrong_password":
                self._retry_p12 = candidate
                # Said under the (now empty-looking) upload box: no need to upload it again.
                return {
                    CONF_CERTIFICATE_PASSWORD: "wrong_password",
                    CONF_CLIENT_CERTIFICATE: "file_kept",
                }
            self._retry_p12 = None
            return {CONF_CLIENT_CERTIFICATE: form_error(err)}
        self._p12, self._identity, self._password = candidate, identity, password
        self._retry_p12 = None
        return {}

    async def _async_offer_ca_of_p12(self, err: ServerCertificateUntrusted) -> str:
        """Offer the .p12's own CA for the server when it is the one that signed it.

        It is filled into the CA field and trusted only once the user submits it.
        """
        identity = self._identity
        if self._ca_pem or identity is None or not identity.ca_certificates:
            return form_error(err)
        candidate = pem_bundle(identity.ca_certificates)
        client = await async_create_client(
            self.hass, self._url, "", TlsSettings(identity, self._verify_ssl, candidate)
        )
        try:
            await client.probe()
        except ServerCertificateUntrusted, HostnameMismatch:
            return form_error(err)
        except RemoteError as other:
            self._ca_pem = candidate  # it verifies the server; what fails now is something else
            return form_error(other)
        self._ca_pem = candidate
        return "ca_in_certificate_file"

    def _nothing_given(self, user_input: dict[str, Any]) -> bool:
        """Neither a certificate (new or kept) nor a CA: there is nothing to try."""
        return (
            self._p12 is None
            and self._retry_p12 is None
            and not user_input.get(CONF_CLIENT_CERTIFICATE)
            and not self._ca_pem
        )

    @staticmethod
    def _needs_certificate(errors: dict[str, str]) -> bool:
        return bool(errors.keys() & {CONF_CLIENT_CERTIFICATE, CONF_CERTIFICATE_PASSWORD})

    async def _client(self, token: str) -> RemoteClient:
        return await async_create_client(
            self.hass, self._url, token, TlsSettings(self._identity, self._verify_ssl, self._ca_pem)
        )

    async def _async_validate(self) -> None:
        """Check REST /api/ and a websocket auth_ok through the certificate; keep the config."""
        client = await self._client(self._token or "")
        await client.get_api_status()
        websocket = WebSocketSession(client)
        await websocket.connect()
        try:
            self._remote_config = await websocket.command({"type": "get_config"})
            self._remote_id = await remote_instance_id(websocket)
        finally:
            await websocket.close()

    async def _async_validation_errors(self) -> dict[str, str]:
        """Validate end to end; return the form errors (empty when the link works)."""
        try:
            await self._async_validate()
        except RemoteError as err:
            return {"base": form_error(err)}
        return {}

    async def _async_load_entry(self, data: Mapping[str, Any]) -> bool:
        """Load URL and secrets of an entry; False when its secrets are gone."""
        self._url = data[CONF_URL]
        self._verify_ssl = data[CONF_VERIFY_SSL]
        stored = await async_load_secrets(self.hass, data[CONF_SECRET_KEY])
        if stored is None:
            return False
        self._token, self._p12 = stored.token, stored.p12
        self._password, self._ca_pem = stored.password, stored.ca_pem
        if self._p12 is not None:
            try:
                self._identity = await async_load_identity(
                    self.hass, self._p12, self._password, check_validity=False
                )
            except IdentityError:
                self._identity = None
        return True

    async def _async_update_entry(self, entry: ConfigEntry) -> ConfigFlowResult:
        await async_save_secrets(self.hass, entry.data[CONF_SECRET_KEY], self._secrets())
        return self.async_update_reload_and_abort(
            entry,
            unique_id=self._remote_id or entry.unique_id,
            data={**self._entry_data(), CONF_SECRET_KEY: entry.data[CONF_SECRET_KEY]},
        )

    async def _async_abort_if_another_remote(self, entry: ConfigEntry) -> None:
        """Abort unless new credentials or a new address reach the same remote."""
        await self.async_set_unique_id(self._remote_id)
        if is_url_identity(entry.unique_id):
            self._abort_if_unique_id_configured()  # not migrated yet: only refuse a duplicate
        else:
            self._abort_if_unique_id_mismatch(reason="another_remote")

    def _secrets(self) -> Secrets:
        p12 = self._p12 if self._identity is not None else None
        return Secrets(
            token=self._token or "",
            p12=p12,
            password=self._password,
            ca_pem=self._ca_pem,
            identity=(
                saved_identity(p12, self._password, self._identity)
                if p12 is not None and self._identity is not None
                else None
            ),
        )

    def _entry_data(self) -> dict[str, Any]:
        identity = self._identity
        return {
            CONF_URL: self._url,
            CONF_VERIFY_SSL: self._verify_ssl,
            CONF_CERT_SUBJECT: identity.subject if identity else None,
            CONF_CERT_FINGERPRINT: identity.fingerprint_sha256 if identity else None,
            CONF_CERT_NOT_AFTER: identity.not_after.isoformat() if identity else None,
            CONF_INSTANCE_UUID: self._instance_uuid,
        }

    def _certificate_placeholders(self) -> dict[str, str]:
        identity = self._identity
        return {
            "url": self._url,
            "subject": identity.subject if identity else "-",
            "expires": identity.not_after.date().isoformat() if identity else "-",
        }
