"""Remote media players: playback, media metadata, volume, sources, grouping, browsing, artwork.

The remote's artwork (`entity_picture`) is a path on the remote; the local entity serves it
through its own media_player_proxy, fetched over the link. Browse thumbnails on the remote's
proxy are served the same way; only paths the remote handed out are ever fetched. Only raster
images pass (typed by their bytes); HTML, SVG or oversized answers are refused.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
import hashlib
import logging
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from homeassistant.components.media_player import MediaPlayerEntity
from homeassistant.components.media_player.browse_media import (
    BrowseMedia,
    SearchMedia,
    SearchMediaQuery,
)
from homeassistant.components.media_player.const import (
    MediaPlayerEntityFeature,
    MediaPlayerState,
    MediaType,
    RepeatMode,
)
from homeassistant.const import Platform
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er
from homeassistant.util import dt as dt_util

from .api import RemoteState
from .const import DOMAIN
from .entity import Attr, RemoteOnOff, as_list, mirrored_platform
from .scoped_ids import remote_id_of

PARALLEL_UPDATES = 0
_LOGGER = logging.getLogger(__name__)
PROXY = "/api/media_player_proxy/"
MAX_THUMBNAILS = 500

type Image = tuple[bytes | None, str | None]


def _image_hash(url: str) -> str:
    """Return the remote's cache key of an image URL, else a hash of the URL."""
    if cache := parse_qs(urlsplit(url).query).get("cache"):
        return cache[0]
    return hashlib.sha256(url.encode()).hexdigest()[:16]


class RemoteMediaPlayer(RemoteOnOff, MediaPlayerEntity):
    """A remote media player; group members are translated between local and remote ids."""

    mirrors_picture = False

    feature_type = MediaPlayerEntityFeature
    mirrored_attributes = (
        Attr("volume_level"),
        Attr("is_volume_muted"),
        Attr("media_content_id"),
        Attr("media_content_type"),
        Attr("media_duration"),
        Attr("media_position"),
        Attr("media_position_updated_at", convert=dt_util.parse_datetime),
        Attr("media_title"),
        Attr("media_artist"),
        Attr("media_album_name"),
        Attr("media_album_artist"),
        Attr("media_track"),
        Attr("media_series_title"),
        Attr("media_season"),
        Attr("media_episode"),
        Attr("media_channel"),
        Attr("media_playlist"),
        Attr("app_id"),
        Attr("app_name"),
        Attr("source"),
        Attr("source_list", convert=as_list),
        Attr("sound_mode"),
        Attr("sound_mode_list", convert=as_list),
        Attr("shuffle"),
        Attr("repeat"),
    )
    _picture_path: str | None = None
    _image: tuple[str, Image] | None = None
    _thumbnails: OrderedDict[tuple[str, str, str | None], str] | None = None

    def _apply_state(self, state: RemoteState) -> None:
        try:
            self._attr_state = MediaPlayerState(state.state)
        except ValueError:
            self._attr_state = None
        members = state.attributes.get("group_members")
        self._attr_group_members = None if members is None else [self._local_id(m) for m in members]
        self._apply_picture(state.attributes)

    def _apply_picture(self, attributes: Mapping[str, Any]) -> None:
        """Serve the remote's artwork from the local proxy; keep public URLs public."""
        picture = attributes.get("entity_picture")
        public = picture if isinstance(picture, str) and not picture.startswith("/") else None
        path = picture if public is None else attributes.get("entity_picture_local")
        self._picture_path = path if isinstance(path, str) and path.startswith("/") else None
        self._attr_media_image_url = public
        self._attr_media_image_remotely_accessible = public is not None
        source = self._picture_path or public
        self._attr_media_image_hash = _image_hash(source) if source else None

    def _local_id(self, remote_id: str) -> str:
        """Return the local id of a mirrored remote entity; others keep their remote id."""
        coordinator = self.coordinator
        try:
            key = coordinator.key_for(remote_id)
        except KeyError:
            return remote_id
        # Not registered yet (being added right now): the id it asks for.
        return coordinator.local_entity_id(remote_id) or (
            f"{coordinator.mirrors[key].platform}.{remote_id.partition('.')[2]}"
        )

    def _remote_id(self, local_id: str) -> str:
        """Return the remote id of a local mirror; other ids are passed on unchanged."""
        entry = er.async_get(self.hass).async_get(local_id)
        if entry is None or entry.platform != DOMAIN:
            return local_id
        key = remote_id_of(self.coordinator.entry_id, entry.unique_id)
        mirror = self.coordinator.mirrors.get(key) if key is not None else None
        return local_id if mirror is None else mirror.entity_id

    # Artwork ------------------------------------------------------------------------------

    async def _async_fetch_remote(self, path: str) -> Image:
        """Bytes and their own raster type; (None, None) when refused or not fetched."""
        try:
            image = await self.coordinator.images.async_fetch(self.entity_id, path)
        except HomeAssistantError as err:
            _LOGGER.debug(
                "%s: image %s not fetched: %s", self.entity_id, path.partition("?")[0], err
            )
            return None, None
        return (None, None) if image is None else image

    async def async_get_media_image(self) -> Image:
        """Fetch the current artwork from the remote (the last one is kept)."""
        if (path := self._picture_path) is None:
            return await super().async_get_media_image()
        key = self._attr_media_image_hash or path
        if self._image is not None and self._image[0] == key:
            return self._image[1]
        image = await self._async_fetch_remote(path)
        if image[0] is not None:
            self._image = (key, image)
        return image

    async def async_get_browse_image(
        self,
        media_content_type: str,
        media_content_id: str,
        media_image_id: str | None = None,
    ) -> Image:
        """Fetch a browse thumbnail the remote listed in a browse or search result."""
        key = (media_content_type, media_content_id, media_image_id)
        if self._thumbnails is None or (path := self._thumbnails.get(key)) is None:
            return None, None
        return await self._async_fetch_remote(path)

    def _thumbnail(self, url: Any) -> str | None:
        """Point a thumbnail on the remote's proxy at the local proxy; drop other remote paths."""
        if not isinstance(url, str) or not url.startswith("/"):
            return url if isinstance(url, str) else None
        parts = urlsplit(url)
        prefix = f"{PROXY}{self.remote_entity_id}/browse_media/"
        if not parts.path.startswith(prefix):
            return None
        content_type, _, quoted_id = parts.path[len(prefix) :].partition("/")
        content_id = unquote(quoted_id)
        image_ids = parse_qs(parts.query).get("media_image_id")
        image_id = image_ids[0] if image_ids else None
        if self._thumbnails is None:
            self._thumbnails = OrderedDict()
        key = (content_type, content_id, image_id)
        self._thumbnails[key] = url
        self._thumbnails.move_to_end(key)
        while len(self._thumbnails) > MAX_THUMBNAILS:
            self._thumbnails.popitem(last=False)
        return self.get_browse_image_url(content_type, content_id, image_id)

    # Browse and search --------------------------------------------------------------------

    def _browse_item(self, data: Mapping[str, Any]) -> BrowseMedia:
        children = data.get("children")
        return BrowseMedia(
            media_class=data["media_class"],
            media_content_id=data["media_content_id"],
            media_content_type=data["media_content_type"],
            title=data["title"],
            can_play=data["can_play"],
            can_expand=data["can_expand"],
            children=None if children is None else [self._browse_item(c) for c in children],
            children_media_class=data.get("children_media_class"),
            thumbnail=self._thumbnail(data.get("thumbnail")),
            not_shown=data.get("not_shown") or 0,
            can_search=bool(data.get("can_search")),
            search_media_classes=data.get("search_media_classes"),
        )

    async def _async_response(self, service: str, data: dict[str, Any]) -> Any:
        response = await self.coordinator.async_call_service(
            self.mirror.domain,
            service,
            {key: value for key, value in data.items() if value is not None},
            {"entity_id": self.remote_entity_id},
            return_response=True,
        )
        if not isinstance(response, dict) or not isinstance(
            result := response.get(self.remote_entity_id), dict
        ):
            raise HomeAssistantError(
                translation_domain=DOMAIN,
                translation_key="remote_failed",
                translation_placeholders={
                    "service": f"{self.mirror.domain}.{service}",
                    "message": "no result for the entity",
                },
            )
        return result

    async def async_browse_media(
        self,
        media_content_type: MediaType | str | None = None,
        media_content_id: str | None = None,
    ) -> BrowseMedia:
        """Browse the remote player's media."""
        result = await self._async_response(
            "browse_media",
            {"media_content_type": media_content_type, "media_content_id": media_content_id},
        )
        return self._browse_item(result)

    async def async_search_media(self, query: SearchMediaQuery) -> SearchMedia:
        """Search the remote player's media."""
        result = await self._async_response(
            "search_media",
            {
                "search_query": query.search_query,
                "media_content_type": query.media_content_type,
                "media_content_id": query.media_content_id,
                "media_filter_classes": query.media_filter_classes,
            },
        )
        return SearchMedia(result=[self._browse_item(item) for item in result.get("result", [])])

    # Control ------------------------------------------------------------------------------

    async def async_volume_up(self) -> None:
        """Turn the volume up by the remote player's own step."""
        await self._async_call("volume_up")

    async def async_volume_down(self) -> None:
        """Turn the volume down by the remote player's own step."""
        await self._async_call("volume_down")

    async def async_set_volume_level(self, volume: float) -> None:
        """Set the volume (0..1)."""
        await self._async_call("volume_set", {"volume_level": volume})

    async def async_mute_volume(self, mute: bool) -> None:
        """Mute or unmute."""
        await self._async_call("volume_mute", {"is_volume_muted": mute})

    async def async_media_play_pause(self) -> None:
        """Play or pause."""
        await self._async_call("media_play_pause")

    async def async_media_play(self) -> None:
        """Play."""
        await self._async_call("media_play")

    async def async_media_pause(self) -> None:
        """Pause."""
        await self._async_call("media_pause")

    async def async_media_stop(self) -> None:
        """Stop."""
        await self._async_call("media_stop")

    async def async_media_next_track(self) -> None:
        """Skip to the next track."""
        await self._async_call("media_next_track")

    async def async_media_previous_track(self) -> None:
        """Go back to the previous track."""
        await self._async_call("media_previous_track")

    async def async_media_seek(self, position: float) -> None:
        """Seek to a position in seconds."""
        await self._async_call("media_seek", {"seek_position": position})

    async def async_play_media(
        self, media_type: MediaType | str, media_id: str, **kwargs: Any
    ) -> None:
        """Play media on the remote player (enqueue, announce, extra)."""
        await self._async_call(
            "play_media",
            {"media_content_type": media_type, "media_content_id": media_id, **kwargs},
        )

    async def async_select_source(self, source: str) -> None:
        """Select an input source."""
        await self._async_call("select_source", {"source": source})

    async def async_select_sound_mode(self, sound_mode: str) -> None:
        """Select a sound mode."""
        await self._async_call("select_sound_mode", {"sound_mode": sound_mode})

    async def async_clear_playlist(self) -> None:
        """Clear the playlist."""
        await self._async_call("clear_playlist")

    async def async_set_shuffle(self, shuffle: bool) -> None:
        """Turn shuffle on or off."""
        await self._async_call("shuffle_set", {"shuffle": shuffle})

    async def async_set_repeat(self, repeat: RepeatMode) -> None:
        """Set the repeat mode."""
        await self._async_call("repeat_set", {"repeat": repeat})

    async def async_join_players(self, group_members: list[str]) -> None:
        """Group players with this one (local mirrors are joined by their remote ids)."""
        members = [self._remote_id(member) for member in group_members]
        await self._async_call("join", {"group_members": members})

    async def async_unjoin_player(self) -> None:
        """Leave the group."""
        await self._async_call("unjoin")


async_setup_entry = mirrored_platform(Platform.MEDIA_PLAYER, RemoteMediaPlayer)
