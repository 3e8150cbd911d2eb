"""Options: what to mirror, remote events to forward, devices or not, how far back statistics go."""

from __future__ import annotations

from typing import Any

from homeassistant.config_entries import ConfigFlowResult, OptionsFlowWithReload
from homeassistant.helpers.selector import (
    BooleanSelector,
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    SelectOptionDict,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)
import probatio as vol

from .const import (
    CONF_AREAS,
    CONF_EVENT_TYPES,
    CONF_EXCLUDE_DOMAINS,
    CONF_EXCLUDE_ENTITIES,
    CONF_INCLUDE_DOMAINS,
    CONF_INCLUDE_ENTITIES,
    CONF_LABELS,
    CONF_MAX_ENTITIES,
    CONF_MIRROR_DEVICES,
    CONF_STATISTICS_DAYS,
)
from .coordinator import RemoteCoordinator
from .limits import DEFAULT_MAX_ENTITIES
from .remote_events import forbidden_event_type

LIST_OPTIONS = (
    CONF_INCLUDE_DOMAINS,
    CONF_EXCLUDE_DOMAINS,
    CONF_INCLUDE_ENTITIES,
    CONF_EXCLUDE_ENTITIES,
    CONF_AREAS,
    CONF_LABELS,
    CONF_EVENT_TYPES,
)


def _choice(options: list[SelectOptionDict] | list[str], *, custom: bool) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options,
            multiple=True,
            custom_value=custom,
            sort=True,
            mode=SelectSelectorMode.DROPDOWN,
        )
    )


def options_schema(
    coordinator: RemoteCoordinator | None, event_types: list[str] | None = None
) -> vol.Schema:
    """Build the form; the remote's domains, entities, areas, labels and events are offered."""
    domains: list[str] = []
    entity_ids: list[str] = []
    areas: list[SelectOptionDict] = []
    labels: list[SelectOptionDict] = []
    if coordinator is not None:
        domains = sorted(
            {entity_id.partition(".")[0] for entity_id in coordinator.registries.entities}
            | {mirror.domain for mirror in coordinator.mirrors.values()}
        )
        entity_ids = sorted(
            set(coordinator.registries.entities)
            | {m.entity_id for m in coordinator.mirrors.values()}
        )
        areas = [
            SelectOptionDict(value=area_id, label=area.name)
            for area_id, area in coordinator.registries.areas.items()
        ]
        labels = [
            SelectOptionDict(value=label_id, label=label.name)
            for label_id, label in coordinator.registries.labels.items()
        ]
    return vol.Schema(
        {
            vol.Optional(CONF_INCLUDE_DOMAINS): _choice(domains, custom=True),
            vol.Optional(CONF_EXCLUDE_DOMAINS): _choice(domains, custom=True),
            vol.Optional(CONF_INCLUDE_ENTITIES): _choice(entity_ids, custom=True),
            vol.Optional(CONF_EXCLUDE_ENTITIES): _choice(entity_ids, custom=True),
            vol.Optional(CONF_AREAS): _choice(areas, custom=False),
            vol.Optional(CONF_LABELS): _choice(labels, custom=False),
            vol.Optional(CONF_EVENT_TYPES): _choice(event_types or [], custom=True),
            vol.Optional(CONF_MIRROR_DEVICES, default=True): BooleanSelector(),
            vol.Optional(CONF_MAX_ENTITIES, default=DEFAULT_MAX_ENTITIES): NumberSelector(
                NumberSelectorConfig(min=1, max=1_000_000, step=1, mode=NumberSelectorMode.BOX)
            ),
            vol.Optional(CONF_STATISTICS_DAYS, default=0): NumberSelector(
                NumberSelectorConfig(min=0, max=36_500, step=1, mode=NumberSelectorMode.BOX)
            ),
        }
    )


class RemoteMtlsOptionsFlow(OptionsFlowWithReload):
    """Change what is mirrored; the link reloads with the new options."""

    async def async_step_init(self, user_input: dict[str, Any] | None = None) -> ConfigFlowResult:
        """Show and store the options; core event types are refused."""
        errors: dict[str, str] = {}
        placeholders = {"event_types": "-"}
        if user_input is not None:
            options: dict[str, Any] = {key: list(user_input.get(key) or []) for key in LIST_OPTIONS}
            options[CONF_MIRROR_DEVICES] = user_input.get(CONF_MIRROR_DEVICES, True)
            options[CONF_MAX_ENTITIES] = int(
                user_input.get(CONF_MAX_ENTITIES, DEFAULT_MAX_ENTITIES)
            )
            options[CONF_STATISTICS_DAYS] = int(user_input.get(CONF_STATISTICS_DAYS, 0))
            if forbidden := [t for t in options[CONF_EVENT_TYPES] if forbidden_event_type(t)]:
                errors[CONF_EVENT_TYPES] = "event_type_forbidden"
                placeholders["event_types"] = ", ".join(forbidden)
            else:
                return self.async_create_entry(data={**self.config_entry.options, **options})
        entry = self.config_entry
        coordinator = getattr(entry, "runtime_data", None)
        if not isinstance(coordinator, RemoteCoordinator):
            coordinator = None
        event_types = await coordinator.async_event_types() if coordinator is not None else []
        schema = options_schema(coordinator, event_types)
        return self.async_show_form(
            step_id="init",
            data_schema=self.add_suggested_values_to_schema(schema, user_input or entry.options),
            errors=errors,
            description_placeholders=placeholders,
        )
