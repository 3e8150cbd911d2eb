"""The options turned into remote subscription filters and local checks."""

from __future__ import annotations

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
    assert by_area.wanted({"area_id": "kitchen"}, None)
    assert by_area.wanted({"area_id": None}, {"area_id": "kitchen"})
    assert not by_area.wanted({"area_id": None}, {"area_id": "attic"})
    assert not by_area.wanted(None, None)
    by_label = MirrorFilter(labels=frozenset({"shared"}))
    assert by_label.wanted({"labels": ["shared", "x"]}, None)
    assert not by_label.wanted({"labels": ["x"]}, None)
    excluded = MirrorFilter(excluded_devices=frozenset({"d1"}))
    assert not excluded.wanted({"device_id": "d1"}, None)
    assert excluded.wanted({"device_id": "d2"}, None)
