"""Google Workspace directory collector: parsing, merging with the CSV directory, the sandbox."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st
from json_api_fixtures import NOW, config_for, context, json_values, parsed_or_malformed, shared

from auditor.collectors.records import google_workspace
from auditor.collectors.records.google_workspace import (
    merge_directories,
    parse_user,
    parse_users_page,
    quota_hook,
)
from auditor.core.completeness import SourceStatus
from auditor.core.errors import CollectionError, MalformedResponse
from auditor.core.evidence import PeopleDirectory, Person, PersonStatus
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping


def test_parse_user_maps_state_2sv_and_aliases() -> None:
    person = parse_user(
        {
            "primaryEmail": "Erin.Cho@northwind.example",
            "name": {"fullName": "Erin Cho"},
            "suspended": True,
            "isEnrolledIn2Sv": True,
            "isEnforcedIn2Sv": False,
            "aliases": ["EC@northwind.example"],
            "nonEditableAliases": ["erin@northwind.test-google-a.com"],
        }
    )
    assert person.email == "erin.cho@northwind.example" and person.status is PersonStatus.SUSPENDED
    assert (person.two_sv_enrolled, person.two_sv_enforced) == (True, False)
    assert person.aliases == ("ec@northwind.example", "erin@northwind.test-google-a.com")
    assert (
        parse_user({"primaryEmail": "a@x.example", "archived": True}).status
        is PersonStatus.DEPARTED
    )
    deleted = parse_user({"primaryEmail": "a@x.example", "deletionTime": "2026-01-01T00:00:00Z"})
    assert deleted.status is PersonStatus.DELETED and deleted.two_sv_enrolled is None
    with pytest.raises(MalformedResponse):
        parse_user({"name": {}})
    people, token = parse_users_page(
        {"users": [{"primaryEmail": "a@x.example"}], "nextPageToken": "2"}
    )
    assert token == "2" and people[0].status is PersonStatus.ACTIVE


def test_merge_lets_workspace_decide_mailbox_state_and_csv_keep_departures() -> None:
    csv = PeopleDirectory(
        "directory",
        NOW,
        (
            Person(
                "ben.ortiz@northwind.example", "Ben Ortiz", PersonStatus.DEPARTED, date(2026, 8, 31)
            ),
            Person("erin.cho@northwind.example", "Erin Cho", PersonStatus.ACTIVE),
            Person("jo.reyes@brightside.example", "Jo Reyes", PersonStatus.ACTIVE),
        ),
    )
    workspace = PeopleDirectory(
        "google_workspace",
        NOW,
        (
            Person(
                "ben.ortiz@northwind.example", "Ben O.", PersonStatus.ACTIVE, two_sv_enrolled=True
            ),
            Person(
                "erin.cho@northwind.example",
                "Erin Cho",
                PersonStatus.SUSPENDED,
                two_sv_enrolled=False,
            ),
            Person("social@northwind.example", "Social", PersonStatus.ACTIVE, two_sv_enrolled=True),
        ),
    )
    merged = merge_directories([csv, workspace])
    assert merged is not None and merged.source == "directory+google_workspace"
    ben = merged.find("ben.ortiz@northwind.example")
    assert (
        ben is not None
        and ben.status is PersonStatus.DEPARTED
        and ben.departed_on == date(2026, 8, 31)
    )
    assert ben.two_sv_enrolled is True and ben.name == "Ben Ortiz"
    erin = merged.find("erin.cho@northwind.example")
    assert (
        erin is not None and erin.status is PersonStatus.SUSPENDED and erin.two_sv_enrolled is False
    )
    assert merged.find("jo.reyes@brightside.example") is not None
    assert merged.find("social@northwind.example") is not None
    assert merge_directories([csv]) is csv and merge_directories([]) is None


def test_merge_matches_people_through_aliases() -> None:
    csv = PeopleDirectory(
        "directory", NOW, (Person("brand@northwind.example", "Brand", PersonStatus.ACTIVE),)
    )
    workspace = PeopleDirectory(
        "google_workspace",
        NOW,
        (
            Person(
                "social@northwind.example",
                "Social",
                PersonStatus.DELETED,
                aliases=("brand@northwind.example",),
            ),
        ),
    )
    merged = merge_directories([csv, workspace])
    assert merged is not None and len(merged.people) == 1
    assert merged.people[0].status is PersonStatus.DELETED


def _response(status: int, body: dict[str, Any]) -> requests.Response:
    import json

    response = requests.Response()
    response.status_code = status
    response._content = json.dumps(body).encode()
    return response


def test_quota_reasons_are_rate_limits_other_403s_a_missing_scope() -> None:
    quota = {"error": {"errors": [{"reason": "userRateLimitExceeded"}]}}
    limited = quota_hook(_response(403, quota))
    assert limited is not None and limited.kind.value == "rate_limit"
    denied = quota_hook(_response(403, {"error": {"errors": [{"reason": "forbidden"}]}}))
    assert denied is not None and denied.kind.value == "permission"
    assert denied.scope == google_workspace.SCOPE
    assert quota_hook(_response(404, {})) is None


# -- sandbox ------------------------------------------------------------------------------------

USERS: list[dict[str, Any]] = [
    {
        "email": "alice.ng@northwind.example",
        "name": "Alice Ng",
        "enrolled_2sv": True,
        "enforced_2sv": True,
    },
    {"email": "dev.patel@northwind.example", "name": "Dev Patel", "enrolled_2sv": False},
    {
        "email": "erin.cho@northwind.example",
        "name": "Erin Cho",
        "suspended": True,
        "enrolled_2sv": True,
    },
    {
        "email": "social@northwind.example",
        "name": "Social Team",
        "enrolled_2sv": True,
        "enforced_2sv": True,
        "aliases": ["brand@northwind.example"],
    },
]
ACCOUNTS = [
    {
        "platform": "x",
        "handle": "northwind",
        "registered_email": "social@northwind.example",
        "expected_admins": ["alice.ng@northwind.example", "mallory.k@gmail.com"],
    },
    {
        "platform": "github",
        "handle": "northwind-labs",
        "registered_email": "gone.person@northwind.example",
    },
]


def _collect(
    world: dict[str, Any], customer: str | None, faults: list[dict[str, Any]] | None = None
) -> Any:
    with start_sandbox(world_from_mapping({"google": world}), faults=faults or []) as box:
        settings: dict[str, Any] = {"base_url": box.base_urls["google_workspace"], "token": "t0ken"}
        if customer:
            settings["customer"] = customer
        config = config_for(
            ACCOUNTS,
            {"google_workspace": settings},
            sources={"directory": {"google_workspace": True}},
        )
        collector = google_workspace.from_config(config, shared())
        assert collector is not None
        return collector.collect(context(config))


def test_list_mode_reads_every_user_with_paging() -> None:
    many = [{"email": f"user{i:03d}@northwind.example"} for i in range(520)]
    output = _collect({"users": USERS + many, "customer": "C0abc"}, "C0abc")
    (directory,) = output.items
    assert isinstance(directory, PeopleDirectory) and directory.source == "google_workspace"
    assert len(directory.people) == 524
    erin = directory.find("erin.cho@northwind.example")
    assert erin is not None and erin.status is PersonStatus.SUSPENDED
    dev = directory.find("dev.patel@northwind.example")
    assert dev is not None and dev.two_sv_enrolled is False
    social = directory.find("brand@northwind.example")
    assert social is not None and social.two_sv_enforced is True
    assert (output.report.status is not SourceStatus.FAILED) and output.report.requests == 2


def test_mailbox_mode_reads_the_inventory_mailboxes_and_reports_unknown_ones_deleted() -> None:
    output = _collect({"users": USERS}, None)
    (directory,) = output.items
    assert sorted(p.email for p in directory.people) == [
        "alice.ng@northwind.example",
        "gone.person@northwind.example",
        "social@northwind.example",
    ]
    gone = directory.find("gone.person@northwind.example")
    assert gone is not None and gone.status is PersonStatus.DELETED


def test_mailbox_mode_knows_a_group_address_is_no_deleted_mailbox() -> None:
    groups = [{"email": "gone.person@northwind.example", "name": "Labs shared inbox"}]
    (directory,) = _collect({"users": USERS, "groups": groups}, None).items
    group = directory.find("gone.person@northwind.example")
    assert group is not None and group.status is PersonStatus.ACTIVE
    assert group.name == "Labs shared inbox" and group.two_sv_enrolled is None


def test_one_failing_mailbox_is_a_problem_for_the_accounts_that_depend_on_it() -> None:
    fault = {"platform": "google_workspace", "path": "social", "kind": "server_error"}
    output = _collect({"users": USERS}, None, faults=[fault])
    (directory,) = output.items
    assert directory.find("social@northwind.example") is None
    assert [(p.kind, p.asset_key) for p in output.report.problems] == [
        ("server", "account:x:northwind")
    ]


@pytest.mark.parametrize(
    ("kind", "rule"),
    [
        ("rate_limit", {"kind": "rate_limit"}),
        ("server", {"kind": "server_error"}),
        ("timeout", {"kind": "timeout", "seconds": 1.3}),
        ("malformed", {"kind": "malformed"}),
        ("malformed", {"kind": "truncated"}),
    ],
)
def test_list_mode_faults_fail_the_whole_source(kind: str, rule: dict[str, Any]) -> None:
    with pytest.raises(CollectionError) as failure:
        _collect({"users": USERS}, "my_customer", faults=[{**rule, "platform": "google_workspace"}])
    assert failure.value.kind.value == kind


def test_bad_token_fails_the_source_as_auth() -> None:
    with pytest.raises(CollectionError) as failure:
        _collect({"users": USERS, "token_valid": False}, "my_customer")
    assert failure.value.kind.value == "auth"


@settings(max_examples=150, deadline=None)
@given(
    payload=json_values()
    | st.fixed_dictionaries({}, optional={k: json_values() for k in ["primaryEmail", "users"]})
)
def test_hostile_payloads_raise_only_malformed_response(payload: Any) -> None:
    person = parsed_or_malformed(parse_user, payload)
    assert person is None or (isinstance(person, Person) and person.email == person.email.lower())
    page = parsed_or_malformed(parse_users_page, payload)
    assert page is None or all(isinstance(p, Person) for p in page[0])
