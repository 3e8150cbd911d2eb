"""Remote vacuums: activity, fan speeds, every command, and area cleaning by remote segments."""

from __future__ import annotations

from typing import Any

from homeassistant.components.vacuum import Segment, StateVacuumEntity
from homeassistant.components.vacuum.const import (
    DOMAIN as VACUUM_DOMAIN,
    VacuumActivity,
    VacuumEntityFeature,
)
from homeassistant.const import Platform
from homeassistant.exceptions import ServiceValidationError

from .api import RemoteState
from .entity import Attr, MirroredEntity, as_list, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteVacuum(MirroredEntity, StateVacuumEntity):
    """A remote vacuum cleaner."""

    feature_type = VacuumEntityFeature
    mirrored_attributes = (Attr("fan_speed"), Attr("fan_speed_list", convert=as_list))

    def _apply_state(self, state: RemoteState) -> None:
        try:
            self._attr_activity = VacuumActivity(state.state)
        except ValueError:
            self._attr_activity = None

    async def async_start(self) -> None:
        """Start or resume cleaning."""
        await self._async_call("start")

    async def async_pause(self) -> None:
        """Pause cleaning."""
        await self._async_call("pause")

    async def async_stop(self, **kwargs: Any) -> None:
        """Stop cleaning."""
        await self._async_call("stop", kwargs)

    async def async_return_to_base(self, **kwargs: Any) -> None:
        """Return to the dock."""
        await self._async_call("return_to_base", kwargs)

    async def async_clean_spot(self, **kwargs: Any) -> None:
        """Clean a spot."""
        await self._async_call("clean_spot", kwargs)

    async def async_locate(self, **kwargs: Any) -> None:
        """Locate the vacuum."""
        await self._async_call("locate", kwargs)

    async def async_set_fan_speed(self, fan_speed: str, **kwargs: Any) -> None:
        """Set the fan speed."""
        await self._async_call("set_fan_speed", {"fan_speed": fan_speed, **kwargs})

    async def async_send_command(
        self,
        command: str,
        params: dict[str, Any] | list[Any] | None = None,
        **kwargs: Any,
    ) -> None:
        """Send a raw command with its parameters."""
        data: dict[str, Any] = {"command": command, **kwargs}
        if params is not None:
            data["params"] = params
        await self._async_call("send_command", data)

    async def async_get_segments(self) -> list[Segment]:
        """Return the remote vacuum's segments."""
        result = await self.coordinator.async_command(
            {"type": "vacuum/get_segments", "entity_id": self.remote_entity_id}
        )
        return [
            Segment(id=segment["id"], name=segment["name"], group=segment.get("group"))
            for segment in result["segments"]
        ]

    async def async_clean_segments(self, segment_ids: list[str], **kwargs: Any) -> None:
        """Clean segments through the remote's clean_area and its own area mapping.

        The remote only cleans by its areas: the segments must be exactly the union of
        some remote areas' segments.
        """
        registry = self.mirror.registry
        options = registry.domain_options(VACUUM_DOMAIN) if registry is not None else {}
        mapping: dict[str, list[str]] = options.get("area_mapping") or {}
        wanted = set(segment_ids)
        areas = [area for area, segments in mapping.items() if segments and wanted >= set(segments)]
        covered = {segment for area in areas for segment in mapping[area]}
        if covered != wanted:
            raise ServiceValidationError(
                translation_domain=VACUUM_DOMAIN,
                translation_key="area_mapping_not_configured",
                translation_placeholders={"entity_id": self.remote_entity_id},
            )
        await self._async_call("clean_area", {"cleaning_area_id": areas, **kwargs})


async_setup_entry = mirrored_platform(Platform.VACUUM, RemoteVacuum)
