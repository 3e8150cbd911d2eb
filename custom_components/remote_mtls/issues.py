"""Repair issues of a link: certificate expiring or refused, verification off, remote away."""

from __future__ import annotations

from datetime import datetime, timedelta
import re
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_URL
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util

from .const import CONF_CERT_NOT_AFTER, CONF_VERIFY_SSL, DOMAIN

EXPIRY_WARNING: Final = timedelta(days=30)
UNREACHABLE_AFTER: Final = timedelta(minutes=15)

CERTIFICATE_EXPIRING: Final = "certificate_expiring"
CERTIFICATE_REFUSED: Final = "certificate_refused"
VERIFY_DISABLED: Final = "verify_disabled"
REMOTE_UNREACHABLE: Final = "remote_unreachable"
PLAIN_HTTP: Final = "plain_http"
ALL_ISSUES: Final = (
    CERTIFICATE_EXPIRING,
    CERTIFICATE_REFUSED,
    VERIFY_DISABLED,
    REMOTE_UNREACHABLE,
    PLAIN_HTTP,
)
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")


def markdown_escape(text: str) -> str:
    """Make text chosen by the remote (its name) safe inside repair markdown."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", escaped.replace("\n", " "))[:200]


def _issue_id(kind: str, entry: ConfigEntry) -> str:
    return f"{kind}_{entry.entry_id}"


@callback
def async_set_issue(
    hass: HomeAssistant,
    entry: ConfigEntry,
    kind: str,
    active: bool,
    *,
    severity: ir.IssueSeverity = ir.IssueSeverity.WARNING,
    placeholders: dict[str, str] | None = None,
) -> None:
    """Create the issue when active, delete it otherwise."""
    issue_id = _issue_id(kind, entry)
    if not active:
        ir.async_delete_issue(hass, DOMAIN, issue_id)
        return
    ir.async_create_issue(
        hass,
        DOMAIN,
        issue_id,
        is_fixable=False,
        severity=severity,
        translation_key=kind,
        translation_placeholders={"title": markdown_escape(entry.title), **(placeholders or {})},
    )


@callback
def async_check_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Check what can be known from the entry alone: expiry date and verification."""
    not_after = entry.data.get(CONF_CERT_NOT_AFTER)
    expiry: datetime | None = dt_util.parse_datetime(not_after) if not_after else None
    expiring = expiry is not None and expiry - dt_util.utcnow() < EXPIRY_WARNING
    async_set_issue(
        hass,
        entry,
        CERTIFICATE_EXPIRING,
        expiring,
        placeholders={"date": expiry.date().isoformat()} if expiry else None,
    )
    async_set_issue(hass, entry, VERIFY_DISABLED, not entry.data.get(CONF_VERIFY_SSL, True))
    async_set_issue(hass, entry, PLAIN_HTTP, str(entry.data.get(CONF_URL, "")).startswith("http:"))


@callback
def async_delete_entry_issues(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Remove every issue of a removed entry."""
    for kind in ALL_ISSUES:
        ir.async_delete_issue(hass, DOMAIN, _issue_id(kind, entry))
