"""Remote weather: current conditions in the remote's units, forecasts from the remote."""

from __future__ import annotations

import logging
from typing import Any, Literal, cast

from homeassistant.components.weather import Forecast, WeatherEntity
from homeassistant.components.weather.const import WeatherEntityFeature
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform
from homeassistant.core import callback
from homeassistant.exceptions import HomeAssistantError

from .api import RemoteState
from .entity import Attr, MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)

# The remote answers in its display units; locally they are the native values.
FORECAST_NATIVE_KEYS = {
    "temperature": "native_temperature",
    "templow": "native_templow",
    "apparent_temperature": "native_apparent_temperature",
    "dew_point": "native_dew_point",
    "pressure": "native_pressure",
    "wind_speed": "native_wind_speed",
    "wind_gust_speed": "native_wind_gust_speed",
    "precipitation": "native_precipitation",
}
type ForecastType = Literal["daily", "hourly", "twice_daily"]


def _native_forecast(entry: dict[str, Any]) -> Forecast:
    return cast("Forecast", {FORECAST_NATIVE_KEYS.get(k, k): v for k, v in entry.items()})


class RemoteWeather(MirroredEntity, WeatherEntity):
    """Every remote value with its unit; forecast subscribers refresh on remote changes."""

    feature_type = WeatherEntityFeature
    mirrored_attributes = (
        Attr("native_temperature", "temperature"),
        Attr("native_apparent_temperature", "apparent_temperature"),
        Attr("native_dew_point", "dew_point"),
        Attr("native_temperature_unit", "temperature_unit"),
        Attr("native_pressure", "pressure"),
        Attr("native_pressure_unit", "pressure_unit"),
        Attr("native_wind_speed", "wind_speed"),
        Attr("native_wind_gust_speed", "wind_gust_speed"),
        Attr("native_wind_speed_unit", "wind_speed_unit"),
        Attr("native_visibility", "visibility"),
        Attr("native_visibility_unit", "visibility_unit"),
        Attr("native_precipitation_unit", "precipitation_unit"),
        Attr("humidity"),
        Attr("ozone"),
        Attr("cloud_coverage"),
        Attr("uv_index"),
        Attr("wind_bearing"),
    )

    def _apply_state(self, state: RemoteState) -> None:
        unknown = state.state in (STATE_UNKNOWN, STATE_UNAVAILABLE)
        self._attr_condition = None if unknown else state.state

    @callback
    def _update(self) -> None:
        super()._update()
        if any(self._forecast_listeners.values()):
            self.coordinator.entry.async_create_background_task(
                self.hass, self._async_refresh_forecasts(), f"{self.entity_id} forecasts"
            )

    async def _async_refresh_forecasts(self) -> None:
        try:
            await self.async_update_listeners(None)
        except HomeAssistantError as err:
            _LOGGER.debug("%s: forecast refresh failed: %s", self.entity_id, err)

    async def _async_forecast(self, forecast_type: ForecastType) -> list[Forecast] | None:
        response = await self.coordinator.async_call_service(
            "weather",
            "get_forecasts",
            {"type": forecast_type},
            {"entity_id": self.remote_entity_id},
            return_response=True,
        )
        entries = ((response or {}).get(self.remote_entity_id) or {}).get("forecast")
        if entries is None:
            return None
        return [_native_forecast(entry) for entry in entries]

    async def async_forecast_daily(self) -> list[Forecast] | None:
        """Return the remote's daily forecast."""
        return await self._async_forecast("daily")

    async def async_forecast_hourly(self) -> list[Forecast] | None:
        """Return the remote's hourly forecast."""
        return await self._async_forecast("hourly")

    async def async_forecast_twice_daily(self) -> list[Forecast] | None:
        """Return the remote's twice-daily forecast."""
        return await self._async_forecast("twice_daily")


async_setup_entry = mirrored_platform(Platform.WEATHER, RemoteWeather)
