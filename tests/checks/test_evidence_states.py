"""The evidence-state factories build what the collectors really state."""

from __future__ import annotations

import pytest
from evidence_states import (
    account_with,
    directory_with,
    failed_source,
    not_exposed,
    partial_source,
    source_report,
    truncated,
    truncated_source,
    unknown,
    unread_account,
    vault_with,
    with_facets,
)

from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.evidence import AccountState


def test_a_complete_account_is_complete_where_read_and_not_exposed_where_hidden() -> None:
    x = account_with("x")
    assert facet_status(x, Facet.PROFILE, Facet.POSTS, Facet.IDENTITY).is_complete
    assert x.facets[Facet.ROLES] == not_exposed("x", Facet.ROLES)
    page = account_with("meta", "northwindoutfitters")
    assert facet_status(page, Facet.ROLES, Facet.OWNERSHIP).is_complete


def test_the_incomplete_states() -> None:
    listing = account_with("github", "northwind-labs", facets={Facet.ROLES: truncated("members")})
    assert facet_status(listing, Facet.ROLES).state is Coverage.PARTIAL
    one = with_facets(account_with("x"), posts=unknown())
    assert facet_status(one, Facet.POSTS).state is Coverage.UNKNOWN
    assert facet_status(one, Facet.PROFILE).is_complete
    unread = unread_account("linkedin", "northwind-outfitters")
    assert unread.state is AccountState.UNKNOWN
    assert facet_status(unread, Facet.ROLES).state is Coverage.UNKNOWN
    assert unread.facets[Facet.OWNERSHIP].structural


def test_not_exposed_refuses_a_gap_the_platform_does_not_have() -> None:
    with pytest.raises(AssertionError):
        not_exposed("meta", Facet.ROLES)


def test_records_and_reports() -> None:
    assert facet_status(directory_with(), Facet.DIRECTORY).is_complete
    workspace = directory_with(source="google_workspace")
    assert facet_status(workspace, Facet.MAILBOX_TWO_FACTOR).is_complete
    assert facet_status(vault_with(breach=unknown()), Facet.BREACH).state is Coverage.UNKNOWN
    assert source_report("x").status is SourceStatus.COMPLETE
    assert failed_source("x").status is SourceStatus.FAILED
    assert partial_source("meta").problems[0].asset_key is None
    assert truncated_source("github").problems == ()
