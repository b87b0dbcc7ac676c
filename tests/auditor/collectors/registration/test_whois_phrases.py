"""The registry phrasing table: every row's example is recognised, and classified as its row
says, for a domain under a TLD the row is trusted for."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from auditor.collectors.registration.whois_phrases import (
    LIFECYCLE_STATUS,
    PHRASES,
    Phrase,
    Verdict,
    matches,
)
from auditor.collectors.registration.whois_reply import read_reply
from auditor.core.completeness import Facet, facet_status
from auditor.core.evidence import RegistryAnswer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
ANSWER = {
    Verdict.AVAILABLE: RegistryAnswer.AVAILABLE,
    Verdict.THROTTLED: RegistryAnswer.THROTTLED,
    Verdict.RESERVED: RegistryAnswer.RESERVED,
    Verdict.BLOCKED: RegistryAnswer.RESERVED,
    Verdict.PREMIUM: RegistryAnswer.RESERVED,
    Verdict.INVALID: RegistryAnswer.INVALID,
    Verdict.ERROR: RegistryAnswer.ERROR,
}


def _tld(row: Phrase) -> str:
    return sorted(row.tlds)[0] if row.tlds else "com"


@pytest.mark.parametrize("row", PHRASES, ids=lambda r: f"{r.verdict.value}:{r.example[:30]}")
def test_every_row_recognises_its_registrys_wording(row: Phrase) -> None:
    tld = _tld(row)
    assert row in matches(row.example, tld), row.registry
    ev = read_reply(f"example-unused.{tld}", row.example + "\n", NOW, parser=None)
    if row.verdict in LIFECYCLE_STATUS:  # a lifecycle state is a registration, held
        assert ev.registered is True and LIFECYCLE_STATUS[row.verdict] in (ev.statuses or ())
        return
    assert ev.answer is ANSWER[row.verdict], (row.registry, ev)
    if row.verdict is Verdict.AVAILABLE:
        assert ev.registered is False
        assert facet_status(ev, Facet.REGISTRATION).is_complete
    else:  # never "unregistered", never complete
        assert ev.registered is None
        assert not facet_status(ev, Facet.REGISTRATION).is_complete


def test_a_not_found_phrase_counts_only_for_the_tlds_its_registry_serves() -> None:
    internic = 'No match for domain "GOOGLE.COM.ET".\r\n'
    assert read_reply("google.com", internic, NOW, parser=None).registered is False
    foreign = read_reply("google.com.et", internic, NOW, parser=None)
    assert foreign.registered is None and foreign.answer is RegistryAnswer.ERROR
    assert read_reply("x.de", "Status: free\n", NOW, parser=None).registered is False
    assert read_reply("x.ru", "Status: free\n", NOW, parser=None).registered is None


def test_throttling_wins_over_a_parsers_not_found() -> None:
    # python-whois raises WhoisDomainNotFoundError on this .cz reply
    text = "Your connection limit exceeded. Please slow down and try again later.\n"
    ev = read_reply("example.cz", text, NOW, parser=None)
    assert ev.answer is RegistryAnswer.THROTTLED and ev.registered is None


def test_registration_data_beside_a_not_found_phrase_is_a_contradiction() -> None:
    text = "Domain Name: example.org\nCreation Date: 2001-01-01\nNOT FOUND\n"
    ev = read_reply("example.org", text, NOW, parser=None)
    assert ev.registered is None and ev.answer is RegistryAnswer.ERROR
    assert "not found" in str(facet_status(ev, Facet.REGISTRATION).reason)


def test_the_echoed_name_alone_is_not_a_registration() -> None:
    for text in (
        "Domain Name: example.com\n",
        "Domain Name: x.af\nDomain Status: No Object Found\n",
    ):
        ev = read_reply(text.split()[2], text, NOW, parser=None)
        assert ev.registered is not True
