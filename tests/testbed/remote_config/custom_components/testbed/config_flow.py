"""The test bed's one config entry (created on setup), so it can own a device."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlow, ConfigFlowResult


class TestbedFlow(ConfigFlow, domain="testbed"):
    """Import only."""

    async def async_step_import(self, import_data: dict[str, Any]) -> ConfigFlowResult:
        """Create the entry once."""
        await self.async_set_unique_id("testbed")
        self._abort_if_unique_id_configured()
        return self.async_create_entry(title="Test bed", data={})
