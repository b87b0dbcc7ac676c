"""Masks for shown and stored text: handles of people outside the estate, street addresses."""

from __future__ import annotations

from auditor.core.estate import Organization
from checks.content.pii import STREET_MASK, find_pii, mask_people, people_in

ORG = Organization(name="Acme", email_domains=("acme.example",))


def test_mentions_are_masked_except_the_company_handles() -> None:
    text = (
        "@hikerjen thanks! Follow @Acme and @acme_help, ping @jo@social.example or @ann.bsky.social"
    )
    masked = mask_people(text, ORG, {"acme", "@acme_help"})
    # a Mastodon address reads as an e-mail first: masked all the same
    assert masked == "@h*** thanks! Follow @Acme and @acme_help, ping @j***@s***.example or @a***"


def test_masking_is_stable_and_leaves_emails_to_the_pii_mask() -> None:
    once = mask_people("@hikerjen mail jane.doe@gmail.com or press@acme.example", ORG)
    assert once == "@h*** mail j***@g***.com or press@acme.example"
    assert mask_people(once, ORG) == once


def test_street_addresses_are_masked_but_never_a_pii_finding() -> None:
    text = "We ship to 1200 Harbor Street, Apt 4 and 9 Old Mill Rd. on Monday; 30 BTC is not one."
    assert mask_people(text, ORG) == (
        f"We ship to {STREET_MASK} and {STREET_MASK} on Monday; 30 BTC is not one."
    )
    assert find_pii(text, ORG) == []  # content.pii-exposed's verdicts are unchanged


def test_people_in_gives_digests_of_handles_and_outside_emails_only() -> None:
    found = people_in(
        "@HikerJen wrote from jane.doe@gmail.com; cc press@acme.example and @acme",
        ORG,
        lambda value: f"d({value})",
        {"acme"},
    )
    assert found == {"d(hikerjen)", "d(jane.doe@gmail.com)"}
