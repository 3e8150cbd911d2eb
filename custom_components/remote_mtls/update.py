"""Remote updates: versions, release notes, progress; install, skip and clear_skipped."""

from __future__ import annotations

from collections.abc import Coroutine
import logging
from typing import Any

from homeassistant.components.update import UpdateEntity, UpdateEntityFeature
from homeassistant.components.update.const import ATTR_SKIPPED_VERSION
from homeassistant.const import Platform
from homeassistant.core import Event, EventStateChangedData, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.event import async_track_state_change_event

from .api import RemoteState
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)


class RemoteUpdate(MirroredEntity, UpdateEntity):
    """install goes to the remote; the skipped version is kept equal on both sides.

    Home Assistant handles skip and clear_skipped itself (final methods), so the local skipped
    version is watched in the written state and forwarded, and remote changes are followed.
    """

    feature_type = UpdateEntityFeature
    mirrored_attributes = (
        Attr("installed_version"),
        Attr("latest_version"),
        Attr("title"),
        Attr("release_summary"),
        Attr("release_url"),
        Attr("auto_update", keep_default=True),
        Attr("display_precision", keep_default=True),
        Attr("in_progress", keep_default=True),
        Attr("update_percentage"),
    )
    _remote_skipped: str | None = None
    _following = False

    def _apply_state(self, state: RemoteState) -> None:
        skipped = state.attributes.get(ATTR_SKIPPED_VERSION)
        changed = skipped != self._remote_skipped
        self._remote_skipped = skipped
        if changed and self._following:
            self._follow_remote_skip()

    async def async_added_to_hass(self) -> None:
        """Follow the remote's skipped version and forward local skips."""
        await super().async_added_to_hass()
        self.async_on_remove(
            async_track_state_change_event(self.hass, self.entity_id, self._on_local_state)
        )
        self._following = True
        self.async_on_remove(self._stop_following)
        self._follow_remote_skip()

    @callback
    def _stop_following(self) -> None:
        self._following = False

    @callback
    def _follow_remote_skip(self) -> None:
        if (self.state_attributes or {}).get(ATTR_SKIPPED_VERSION) == self._remote_skipped:
            return
        if self._remote_skipped is None:
            self._background(self.async_clear_skipped())
        else:
            self._background(self.async_skip())

    @callback
    def _on_local_state(self, event: Event[EventStateChangedData]) -> None:
        old, new = event.data["old_state"], event.data["new_state"]
        if old is None or new is None:
            return
        skipped = new.attributes.get(ATTR_SKIPPED_VERSION)
        if skipped in (old.attributes.get(ATTR_SKIPPED_VERSION), self._remote_skipped):
            return
        self._background(self._async_call("clear_skipped" if skipped is None else "skip"))

    @callback
    def _background(self, job: Coroutine[Any, Any, Any]) -> None:
        async def _run() -> None:
            try:
                await job
            except HomeAssistantError as err:
                _LOGGER.warning("%s: skipped version not synchronised: %s", self.entity_id, err)

        self.coordinator.entry.async_create_task(self.hass, _run())

    async def async_install(self, version: str | None, backup: bool, **kwargs: Any) -> None:
        """Install on the remote and wait until it is done."""
        data: dict[str, Any] = {"backup": backup}
        if version is not None:
            data["version"] = version
        await self._async_call("install", data)

    async def async_release_notes(self) -> str | None:
        """Fetch the release notes from the remote."""
        notes = await self.coordinator.async_command(
            {"type": "update/release_notes", "entity_id": self.remote_entity_id}
        )
        return None if notes is None else str(notes)


async_setup_entry = mirrored_platform(Platform.UPDATE, RemoteUpdate)
