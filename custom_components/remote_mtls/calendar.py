"""Remote calendars: the current or next event from the state, events from the remote."""

from __future__ import annotations

from datetime import date, datetime, tzinfo
import logging
from typing import Any

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.components.calendar.const import CalendarEntityFeature, CalendarEventStatus
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .coordinator import Mirror, RemoteCoordinator, RemoteMtlsConfigEntry
from .entity import MirroredEntity, async_setup_mirrors

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)
# Fields of an event the remote's websocket API takes.
EVENT_FIELDS = ("dtstart", "dtend", "summary", "description", "location", "rrule")


async def async_setup_entry(
    hass: HomeAssistant,
    entry: RemoteMtlsConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Mirror remote calendars; their state times are in the remote's time zone."""
    coordinator = entry.runtime_data
    remote_zone = coordinator.remote_config.get("time_zone")
    zone = (await dt_util.async_get_time_zone(remote_zone) if remote_zone else None) or (
        dt_util.get_default_time_zone()
    )

    def _create(coordinator: RemoteCoordinator, mirror: Mirror) -> MirroredEntity:
        return RemoteCalendar(coordinator, mirror, zone)

    async_setup_mirrors(coordinator, Platform.CALENDAR, _create)


def _parse_time(value: Any) -> date | datetime | None:
    """Parse an event boundary from `calendar.get_events`: an ISO date or date-time."""
    if not isinstance(value, str):
        return None
    if "T" in value:
        return dt_util.parse_datetime(value)
    return dt_util.parse_date(value)


def _event(raw: dict[str, Any]) -> CalendarEvent | None:
    start, end = _parse_time(raw.get("start")), _parse_time(raw.get("end"))
    if start is None or end is None:
        return None
    status = raw.get("status")
    try:
        return CalendarEvent(
            start=start,
            end=end,
            summary=str(raw.get("summary") or ""),
            description=raw.get("description"),
            location=raw.get("location"),
            status=CalendarEventStatus(status) if status in set(CalendarEventStatus) else None,
        )
    except HomeAssistantError as err:
        _LOGGER.debug("Remote event %s skipped: %s", raw, err)
        return None


def _event_data(kwargs: dict[str, Any]) -> dict[str, Any]:
    return {key: kwargs[key] for key in EVENT_FIELDS if kwargs.get(key) is not None}


class RemoteCalendar(MirroredEntity, CalendarEntity):
    """The event comes from the remote's state attributes; lists and edits go to the remote."""

    feature_type = CalendarEntityFeature

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror, zone: tzinfo) -> None:
        """Keep the remote's time zone: its start_time and end_time are local to it."""
        self._remote_zone = zone
        self._event: CalendarEvent | None = None
        super().__init__(coordinator, mirror)

    @property
    def event(self) -> CalendarEvent | None:
        """Return the remote's current or next event."""
        return self._event

    def _state_time(self, value: Any, all_day: bool) -> date | datetime | None:
        parsed = dt_util.parse_datetime(str(value)) if value else None
        if parsed is None:
            return None
        if all_day:
            return parsed.date()
        return parsed.replace(tzinfo=self._remote_zone) if parsed.tzinfo is None else parsed

    def _apply_state(self, state: RemoteState) -> None:
        attributes = state.attributes
        all_day = bool(attributes.get("all_day"))
        start = self._state_time(attributes.get("start_time"), all_day)
        end = self._state_time(attributes.get("end_time"), all_day)
        self._event = None
        if start is None or end is None or "message" not in attributes:
            return
        try:
            self._event = CalendarEvent(
                start=start,
                end=end,
                summary=str(attributes.get("message") or ""),
                description=attributes.get("description") or None,
                location=attributes.get("location") or None,
            )
        except HomeAssistantError as err:
            _LOGGER.debug("%s: remote event not understood: %s", self.remote_entity_id, err)

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """Return the remote's events in the range (from `calendar.get_events`)."""
        response = await self.coordinator.async_call_service(
            "calendar",
            "get_events",
            {"start_date_time": start_date, "end_date_time": end_date},
            {"entity_id": self.remote_entity_id},
            return_response=True,
        )
        raw_events = ((response or {}).get(self.remote_entity_id) or {}).get("events") or ()
        return [event for raw in raw_events if (event := _event(raw)) is not None]

    async def async_create_event(self, **kwargs: Any) -> None:
        """Create the event on the remote calendar."""
        await self.coordinator.async_command(
            {
                "type": "calendar/event/create",
                "entity_id": self.remote_entity_id,
                "event": _event_data(kwargs),
            },
        )

    async def async_delete_event(
        self,
        uid: str,
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Delete the event (or recurrences) on the remote calendar."""
        message: dict[str, Any] = {
            "type": "calendar/event/delete",
            "entity_id": self.remote_entity_id,
            "uid": uid,
        }
        if recurrence_id is not None:
            message["recurrence_id"] = recurrence_id
        if recurrence_range is not None:
            message["recurrence_range"] = recurrence_range
        await self.coordinator.async_command(message)

    async def async_update_event(
        self,
        uid: str,
        event: dict[str, Any],
        recurrence_id: str | None = None,
        recurrence_range: str | None = None,
    ) -> None:
        """Update the event (or recurrences) on the remote calendar."""
        message: dict[str, Any] = {
            "type": "calendar/event/update",
            "entity_id": self.remote_entity_id,
            "uid": uid,
            "event": _event_data(event),
        }
        if recurrence_id is not None:
            message["recurrence_id"] = recurrence_id
        if recurrence_range is not None:
            message["recurrence_range"] = recurrence_range
        await self.coordinator.async_command(message)
