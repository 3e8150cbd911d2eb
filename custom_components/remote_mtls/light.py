"""Remote lights: brightness, every colour mode, colour temperature and effects."""

from __future__ import annotations

from homeassistant.components.light import LightEntity
from homeassistant.components.light.const import ColorMode, LightEntityFeature
from homeassistant.const import Platform

from .api import RemoteState
from .entity import Attr, RemoteOnOff, as_list, as_tuple, mirrored_platform, on_off

PARALLEL_UPDATES = 0


class RemoteLight(RemoteOnOff, LightEntity):
    """A remote light; turn_on arguments are forwarded as Home Assistant normalised them."""

    feature_type = LightEntityFeature
    mirrored_attributes = (
        Attr("brightness"),
        Attr("color_mode"),
        Attr("hs_color", convert=as_tuple),
        Attr("rgb_color", convert=as_tuple),
        Attr("rgbw_color", convert=as_tuple),
        Attr("rgbww_color", convert=as_tuple),
        Attr("xy_color", convert=as_tuple),
        Attr("color_temp_kelvin"),
        Attr("min_color_temp_kelvin", keep_default=True),
        Attr("max_color_temp_kelvin", keep_default=True),
        Attr("effect"),
        Attr("effect_list", convert=as_list),
        Attr("supported_color_modes", convert=set),
    )

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_is_on = on_off(state.state)
        if not self._attr_supported_color_modes:  # a light always has one; on/off at least
            self._attr_supported_color_modes = {ColorMode.ONOFF}


async_setup_entry = mirrored_platform(Platform.LIGHT, RemoteLight)
