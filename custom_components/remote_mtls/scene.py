"""Remote scenes: activating forwards to scene.turn_on; remote activations show here too."""

from __future__ import annotations

from typing import Any

from homeassistant.components.scene import Scene
from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN, Platform

from .api import RemoteState
from .entity import MirroredEntity, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteScene(MirroredEntity, Scene):
    """The state is the local time of the last activation, here or on the remote."""

    _remote_stamp: str | None = None
    _own_activations = 0

    def _apply_state(self, state: RemoteState) -> None:
        stamp = state.state
        if stamp == STATE_UNAVAILABLE:
            return
        activated = self._remote_stamp is not None and stamp not in (
            self._remote_stamp,
            STATE_UNKNOWN,
        )
        self._remote_stamp = stamp
        if not activated:
            return
        if self._own_activations:  # already recorded when activated here
            self._own_activations -= 1
        else:
            self._async_record_activation()

    async def async_activate(self, **kwargs: Any) -> None:
        """Activate the remote scene (with its transition, if given)."""
        self._own_activations += 1
        try:
            await self._async_call("turn_on", kwargs)
        except Exception:
            self._own_activations -= 1
            raise


async_setup_entry = mirrored_platform(Platform.SCENE, RemoteScene)
