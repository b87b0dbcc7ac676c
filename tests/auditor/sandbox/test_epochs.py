"""World epochs: the ``previous`` overlay's merge rules, and the demo's week-ago state over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from auditor.core.errors import InputFileError
from auditor.sandbox import DEMO_WORLD, load_world, start_sandbox
from auditor.sandbox.epochs import merge
from auditor.sandbox.world import world_from_mapping

AUTH = {"Authorization": "Bearer demo"}


def world(previous: dict) -> dict:
    return {
        "x": {
            "users": [
                {
                    "id": "1",
                    "username": "a",
                    "description": "now",
                    "tweets": [
                        {"id": "10", "text": "old", "created_at": "-10d"},
                        {"id": "11", "text": "new", "created_at": "-1d"},
                    ],
                },
                {"id": "2", "username": "b"},
            ]
        },
        "previous": previous,
    }


def test_overlay_merges_items_by_identity_removes_null_and_appends_unknown():
    raw = world(
        {
            "ago": "7d",
            "x": {
                "users": {
                    "1": {"description": "then"},
                    "2": None,
                    "3": {"id": "3", "username": "c"},
                }
            },
        }
    )
    then = world_from_mapping(raw, epoch="previous")
    users = then.sections["x"]["users"]
    assert [u["username"] for u in users] == ["a", "c"]
    assert users[0]["description"] == "then"
    assert then.previous_age == timedelta(days=7)
    assert "previous" not in then.sections


def test_items_born_after_the_epoch_are_absent_then_and_lists_replace():
    then = world_from_mapping(world({"ago": "7d"}), epoch="previous")
    assert [t["id"] for t in then.sections["x"]["users"][0]["tweets"]] == ["10"]
    replaced = world_from_mapping(
        world({"ago": "2d", "x": {"users": {"1": {"tweets": [{"id": "9", "text": "x"}]}}}}),
        epoch="previous",
    )
    assert [t["id"] for t in replaced.sections["x"]["users"][0]["tweets"]] == ["9"]


def test_current_epoch_ignores_the_overlay():
    now = world_from_mapping(world({"ago": "7d", "x": {"users": {"2": None}}}))
    assert len(now.sections["x"]["users"]) == 2
    assert len(now.sections["x"]["users"][0]["tweets"]) == 2


@pytest.mark.parametrize(
    ("previous", "field"),
    [({"ago": "soon"}, "previous.ago"), ({"ago": "7d", "github": {}}, "previous.github")],
)
def test_bad_overlay_is_one_line_naming_the_key(previous, field):
    with pytest.raises(InputFileError) as caught:
        world_from_mapping(world(previous), epoch="previous")
    assert field in str(caught.value)


def test_unknown_epoch_and_missing_overlay_are_errors():
    with pytest.raises(InputFileError):
        world_from_mapping({"x": {}}, epoch="previous")
    with pytest.raises(InputFileError):
        world_from_mapping(world({"ago": "7d"}), epoch="tomorrow")


def test_merge_of_scalars_and_mappings():
    assert merge({"a": {"b": 1, "c": 2}}, {"a": {"c": 3}}, "w") == {"a": {"b": 1, "c": 3}}
    assert merge([1, 2], [3], "w") == [3]
    with pytest.raises(InputFileError):
        merge([{"id": "1"}], {"2": "not a mapping"}, "w")


def test_demo_week_ago_serves_the_legitimate_verified_profile_over_http():
    then = load_world(DEMO_WORLD, epoch="previous")
    with start_sandbox(then, faults=[]) as box:
        base = box.base_urls["x"]
        params = {"user.fields": "description,verified,verified_type,url"}
        user = requests.get(
            f"{base}/2/users/by/username/northwind", params=params, headers=AUTH, timeout=5
        ).json()["data"]
        timeline = requests.get(
            f"{base}/2/users/1500000000000000001/tweets", headers=AUTH, timeout=5
        ).json()
    assert user["verified"] is True and user["verified_type"] == "business"
    assert "giveaway" not in user["description"]
    assert [t["id"] for t in timeline["data"]] == ["1800000000000000095", "1800000000000000094"]


def test_demo_now_refuses_one_timeline_and_has_four_page_admins():
    now = load_world(DEMO_WORLD)
    with start_sandbox(now, faults=[]) as box:
        refused = requests.get(
            f"{box.base_urls['x']}/2/users/1600000000000000077/tweets", headers=AUTH, timeout=5
        )
    assert refused.status_code == 403
    assert refused.json()["reason"] == "client-not-enrolled"
    page = next(p for p in now.sections["meta"]["pages"] if p["id"] == "200000000000001")
    managers = [u["id"] for u in page["assigned_users"] if "MANAGE" in u["tasks"]]
    assert len(managers) == 4
