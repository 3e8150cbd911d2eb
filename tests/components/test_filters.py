"""The options turned into remote subscription filters and local checks."""

from __future__ import annotations

import pytest

from custom_components.remote_mtls.api import RegistryDevice, RegistryEntity, decode_registry
from custom_components.remote_mtls.filters import MirrorFilter


def test_subscription_arguments() -> None:
    mirror_filter = MirrorFilter.from_options(
        {
            "include_domains": ["light"],
            "exclude_entities": ["light.bed_*"],
            "areas": [],
        }
    )
    assert mirror_filter.subscription() == {
        "include": {"domains": ["light"]},
        "exclude": {"entity_globs": ["light.bed_*"]},
    }
    assert MirrorFilter().subscription() == {}


def test_area_label_and_device_checks() -> None:
    by_area = MirrorFilter(areas=frozenset({"kitchen"}))
    assert by_area.wanted(RegistryEntity("light.a", area_id="kitchen"), None)
    assert by_area.wanted(RegistryEntity("light.a"), RegistryDevice("d", area_id="kitchen"))
    assert not by_area.wanted(RegistryEntity("light.a"), RegistryDevice("d", area_id="attic"))
    assert not by_area.wanted(None, None)
    by_label = MirrorFilter(labels=frozenset({"shared"}))
    assert by_label.wanted(RegistryEntity("light.a", labels=("shared", "x")), None)
    assert not by_label.wanted(RegistryEntity("light.a", labels=("x",)), None)
    excluded = MirrorFilter(excluded_devices=frozenset({"d1"}))
    assert not excluded.wanted(RegistryEntity("light.a", device_id="d1"), None)
    assert excluded.wanted(RegistryEntity("light.a", device_id="d2"), None)


def test_malformed_registry_entries_are_skipped(caplog: pytest.LogCaptureFixture) -> None:
    """One bad entry of a remote registry list costs that entry only."""
    entries = [{"entity_id": "light.a", "labels": ["x"]}, {"no": "id"}, "junk", {"entity_id": 5}]
    decoded = decode_registry(entries, RegistryEntity.from_dict, lambda e: e.entity_id)
    assert decoded == {
        "light.a": RegistryEntity("light.a", labels=("x",)),
        "5": RegistryEntity("5"),
    }
    assert len([r for r in caplog.records if "malformed remote registry" in r.getMessage()]) == 2
    assert decode_registry(None, RegistryEntity.from_dict, lambda e: e.entity_id) == {}
