"""Remote cameras: still images through the remote's camera proxy; no live streams."""

from __future__ import annotations

from urllib.parse import quote, urlencode

from homeassistant.components.camera import Camera
from homeassistant.components.camera.const import CameraEntityFeature, CameraState
from homeassistant.const import Platform

from .api import RemoteState
from .coordinator import Mirror, RemoteCoordinator
from .entity import Attr, MirroredEntity, RemoteOnOff, mirrored_platform

PARALLEL_UPDATES = 0


class RemoteCamera(RemoteOnOff, Camera):
    """A remote camera; the stream feature is dropped (the remote's stream is not reachable)."""

    mirrors_picture = False

    feature_type = CameraEntityFeature
    mirrored_attributes = (Attr("brand"), Attr("model", "model_name"))

    def __init__(self, coordinator: RemoteCoordinator, mirror: Mirror) -> None:
        """Set up the camera entity, then follow the remote."""
        Camera.__init__(self)
        MirroredEntity.__init__(self, coordinator, mirror)

    def _apply_state(self, state: RemoteState) -> None:
        self._attr_supported_features &= ~CameraEntityFeature.STREAM
        self._attr_is_recording = state.state == CameraState.RECORDING
        self._attr_is_streaming = state.state == CameraState.STREAMING
        # The remote leaves motion_detection out when it is off.
        self._attr_motion_detection_enabled = bool(state.attributes.get("motion_detection"))

    async def async_camera_image(
        self, width: int | None = None, height: int | None = None
    ) -> bytes | None:
        """Return a still image from the remote, scaled there when a size is asked.

        The content type is the one of the bytes; an image the remote answers with HTML, SVG
        or too many bytes is refused (None: no image is served).
        """
        path = f"/api/camera_proxy/{quote(self.remote_entity_id)}"
        size = {name: value for name, value in (("width", width), ("height", height)) if value}
        if size:
            path += f"?{urlencode(size)}"
        if (image := await self.coordinator.images.async_fetch(self.entity_id, path)) is None:
            return None
        content, self.content_type = image
        return content

    async def async_enable_motion_detection(self) -> None:
        """Enable motion detection on the remote camera."""
        await self._async_call("enable_motion_detection")

    async def async_disable_motion_detection(self) -> None:
        """Disable motion detection on the remote camera."""
        await self._async_call("disable_motion_detection")


async_setup_entry = mirrored_platform(Platform.CAMERA, RemoteCamera)
