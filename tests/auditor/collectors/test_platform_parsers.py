"""Hostile-shape tests of the platform parsers: any JSON in, typed values or MalformedResponse out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.collectors.platforms import linkedin, meta_graph, x, youtube
from auditor.core.errors import MalformedResponse
from auditor.core.evidence import Post, Profile, RoleHolder

KEYS = st.sampled_from(
    [
        "id",
        "name",
        "username",
        "description",
        "entities",
        "url",
        "urls",
        "expanded_url",
        "data",
        "created_at",
        "text",
        "tasks",
        "email",
        "picture",
        "cover",
        "source",
        "snippet",
        "thumbnails",
        "default",
        "contentDetails",
        "videoId",
        "publishedAt",
        "commentary",
        "state",
        "role",
        "roleAssignee",
        "logoV2",
        "original",
        "message",
        "created_time",
        "admin_creator",
        "timestamp",
        "caption",
        "verified",
    ]
)
SCALARS = (
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8)
)
JSON = st.recursive(
    SCALARS | st.sampled_from(["2024-05-01T09:00:00.000Z", "2024-05-01T10:00:00+0000"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=10,
)
OBJECTS = st.dictionaries(KEYS, JSON, max_size=8)

PARSERS: dict[str, Callable[[dict[str, Any]], object]] = {
    "x.parse_user": x.parse_user,
    "x.parse_tweets": lambda o: x.parse_tweets(o, "acme"),
    "meta.assigned_user": lambda o: meta_graph.assigned_user(o, {"1": o}, {"2"}),
    "meta.business_admin": lambda o: meta_graph.business_admin("1", o),
    "meta.page_profile": meta_graph.page_profile,
    "meta.page_post": meta_graph.page_post,
    "meta.ig_post": meta_graph.ig_post,
    "linkedin.parse_acl": linkedin.parse_acl,
    "linkedin.parse_post": linkedin.parse_post,
    "linkedin.parse_org": linkedin.parse_org,
    "youtube.parse_channel": youtube.parse_channel,
    "youtube.parse_upload": youtube.parse_upload,
}


def _strings_are_strings(value: object) -> None:
    if isinstance(value, Profile):
        for name in ("display_name", "bio", "link", "location", "pinned_post_id", "verified_type"):
            assert getattr(value, name) is None or isinstance(getattr(value, name), str)
        assert all(isinstance(link, str) for link in value.extra_links)
    if isinstance(value, Post):
        assert isinstance(value.id, str) and isinstance(value.text, str)
        assert value.source_app is None or isinstance(value.source_app, str)
    if isinstance(value, RoleHolder):
        assert isinstance(value.person_id, str) and isinstance(value.role, str)
        assert value.email is None or isinstance(value.email, str)


@pytest.mark.parametrize("name", sorted(PARSERS))
@settings(max_examples=50, deadline=None)
@given(raw=OBJECTS)
def test_parsers_never_raise_anything_but_malformed(name: str, raw: dict[str, Any]) -> None:
    try:
        result = PARSERS[name](raw)
    except MalformedResponse:
        return
    for item in result if isinstance(result, list | tuple) else (result,):
        _strings_are_strings(item)
