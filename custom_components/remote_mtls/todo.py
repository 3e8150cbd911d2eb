"""Remote to-do lists: items read over the websocket, every change forwarded to the remote."""

from __future__ import annotations

import asyncio
from datetime import date, datetime
import logging
from typing import Any

from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.components.todo.entity import TodoItem, TodoListEntity
from homeassistant.const import Platform
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.util import dt as dt_util

from .coordinator import Mirror, RemoteCoordinator
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)


def _parse_due(value: str | None) -> date | datetime | None:
    if not value:
        return None
    if "T" in value:
        return dt_util.parse_datetime(value)
    return dt_util.parse_date(value)


def _todo_item(raw: dict[str, Any]) -> TodoItem:
    status = raw.get("status")
    completed = raw.get("completed")
    return TodoItem(
        summary=raw.get("summary"),
        uid=raw.get("uid"),
        status=TodoItemStatus(status) if status in set(TodoItemStatus) else None,
        due=_parse_due(raw.get("due")),
        description=raw.get("description"),
        completed=dt_util.parse_datetime(completed) if completed else None,
    )


class RemoteTodoList(MirroredEntity, TodoListEntity):
    """Items are listed again whenever the remote list changes or a change is sent."""

    feature_type = TodoListEntityFeature

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror) -> None:
        """Follow the remote list; items arrive once added."""
        super().__init__(coordinator, mirror)
        self._refresh_lock = asyncio.Lock()

    async def async_added_to_hass(self) -> None:
        """Fetch the items in the background."""
        await super().async_added_to_hass()
        self._schedule_refresh()

    @callback
    def _update(self) -> None:
        super()._update()
        self._schedule_refresh()

    @callback
    def _schedule_refresh(self) -> None:
        if self.coordinator.connected:
            self.coordinator.entry.async_create_background_task(
                self.hass, self._async_refresh(), f"{self.entity_id} items"
            )

    async def _async_refresh(self) -> None:
        async with self._refresh_lock:
            try:
                result = await self.coordinator.async_command(
                    {"type": "todo/item/list", "entity_id": self.remote_entity_id},
                )
            except HomeAssistantError as err:
                _LOGGER.debug("%s: listing items failed: %s", self.entity_id, err)
                return
            self._attr_todo_items = [_todo_item(raw) for raw in result.get("items") or ()]
            self.async_write_ha_state()

    def _item_fields(self, item: TodoItem, *, clear: bool) -> dict[str, Any]:
        """Due date or time and description as service fields; `clear` sends unset ones."""
        features = TodoListEntityFeature(self.supported_features or 0)
        data: dict[str, Any] = {}
        if item.description is not None or (
            clear and features & TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
        ):
            data["description"] = item.description
        if isinstance(item.due, datetime):
            data["due_datetime"] = item.due
        elif isinstance(item.due, date):
            data["due_date"] = item.due
        elif clear and features & TodoListEntityFeature.SET_DUE_DATETIME_ON_ITEM:
            data["due_datetime"] = None
        elif clear and features & TodoListEntityFeature.SET_DUE_DATE_ON_ITEM:
            data["due_date"] = None
        return data

    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Add the item on the remote."""
        await self._async_call(
            "add_item", {"item": item.summary, **self._item_fields(item, clear=False)}
        )
        await self._async_refresh()

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Update the remote item with the same uid (all its fields)."""
        data: dict[str, Any] = {"item": item.uid, **self._item_fields(item, clear=True)}
        if item.summary:
            data["rename"] = item.summary
        if item.status is not None:
            data["status"] = item.status
        await self._async_call("update_item", data)
        await self._async_refresh()

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Remove the items from the remote list."""
        await self._async_call("remove_item", {"item": uids})
        await self._async_refresh()

    async def async_move_todo_item(self, uid: str, previous_uid: str | None = None) -> None:
        """Move the item on the remote list (after `previous_uid`, or first)."""
        message: dict[str, Any] = {
            "type": "todo/item/move",
            "entity_id": self.remote_entity_id,
            "uid": uid,
        }
        if previous_uid is not None:
            message["previous_uid"] = previous_uid
        await self.coordinator.async_command(message)
        await self._async_refresh()


async_setup_entry = mirrored_platform(Platform.TODO, RemoteTodoList)
