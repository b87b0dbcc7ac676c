"""Reading whole WHOIS replies: the recorded corpora (never a crash, the decision the raw text
supports, expiry where the registry states it), and python-whois under a time bound."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from auditor.collectors.registration.whois_parser import BoundedParser, parse_in_process, precheck
from auditor.collectors.registration.whois_reply import read_reply
from auditor.core.completeness import Facet, facet_status
from auditor.core.evidence import RegistryAnswer

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
TESTDATA = Path(__file__).resolve().parents[4].parent / "shared" / "testdata"
NOT_REGISTERED = {
    "mining.com.ru": RegistryAnswer.AVAILABLE,
    "hkirc.hk": RegistryAnswer.THROTTLED,
    "thnic.co.th": RegistryAnswer.THROTTLED,
    "net.tw": RegistryAnswer.RESERVED,
    "www.turkiye.gov.tr": RegistryAnswer.INVALID,
    "pik.bzh": RegistryAnswer.ERROR,
    "google.com.et": RegistryAnswer.ERROR,  # internic's "No match" for a ccTLD it does not serve
    "net.ye": RegistryAnswer.ERROR,
}
"""Replies that are not registrations, decided by reading the raw text."""


@pytest.fixture(scope="module")
def parser() -> Iterator[BoundedParser]:
    bounded = BoundedParser()
    yield bounded
    bounded.close()


def _corpus() -> list[tuple[str, Path]]:
    raw = TESTDATA / "whois-samples" / "raw"
    other = TESTDATA / "whoisdomain-samples"
    found = [(p.name, p) for p in sorted(raw.iterdir())] if raw.is_dir() else []
    if other.is_dir():
        found += [(p.name, p / "input") for p in sorted(other.iterdir()) if (p / "input").is_file()]
    return found


@pytest.mark.skipif(not _corpus(), reason="shared WHOIS samples absent")
def test_every_recorded_reply_gets_the_decision_its_text_supports(parser: BoundedParser) -> None:
    parser.parse("warm-up.invalid", "")  # worker start-up is not parse time
    slowest = 0.0
    for name, path in _corpus():
        started = time.perf_counter()
        ev = read_reply(name, path.read_text("utf-8"), NOW, parser=parser)
        slowest = max(slowest, time.perf_counter() - started)
        want = NOT_REGISTERED.get(name, RegistryAnswer.REGISTERED)
        assert ev.answer is want, (name, facet_status(ev, Facet.REGISTRATION))
        assert ev.registered is {
            RegistryAnswer.REGISTERED: True,
            RegistryAnswer.AVAILABLE: False,
        }.get(want)
    assert slowest < 1.0


@pytest.mark.skipif(not _corpus(), reason="shared WHOIS samples absent")
@pytest.mark.parametrize(
    ("name", "expires"),
    [
        ("google.co.cr", date(2020, 4, 17)),  # expire: 17.04.2020 (day-first)
        ("google.com.tr", date(2019, 8, 22)),  # Expires on..............: 2019-Aug-22.
        ("amazon.co.uk", date(2020, 12, 5)),  # Nominet: label, value on the next line
        ("titech.ac.jp", None),  # JPRS co.jp-style replies state no expiry
        ("google.kg", date(2026, 3, 28)),  # Record expires on ... (UTC+6)
        ("yandex.ru", date(2018, 9, 30)),  # paid-till
    ],
)
def test_expiry_where_the_registry_states_it(
    parser: BoundedParser, name: str, expires: date | None
) -> None:
    path = TESTDATA / "whois-samples" / "raw" / name
    ev = read_reply(name, path.read_text("utf-8"), NOW, parser=parser)
    assert (ev.expires_at.date() if ev.expires_at else None) == expires


def test_a_parser_that_backtracks_is_stopped_and_the_reply_still_read() -> None:
    # python-whois's .hk patterns scan the whole text once per character: quadratic
    text = "Domain Name: northwind.hk\nExpiry Date: 05-12-2027\n" + "x" * 60_000 + "\n"
    bounded = BoundedParser(limit_s=0.2, workers=1)
    try:
        outcome = bounded.parse("northwind.hk", text)
        assert outcome.kind == "timeout"
        ev = read_reply("northwind.hk", text, NOW, parser=bounded)
        assert ev.registered is True and ev.expires_at is not None
        assert ev.expires_at.date() == date(2027, 12, 5)  # the line reader: day-first .hk
        assert bounded.parse("x.com", 'No match for "X.COM".').kind == "not_found"  # replaced
    finally:
        bounded.close()


def test_a_parser_exception_is_named_never_raised() -> None:
    sg = "Domain name: northwind.sg\nTechnical Contact:\n    REDACTED\nName Servers:\n    ns1.northwind.sg\n"
    outcome = parse_in_process("northwind.sg", sg)
    assert outcome.kind == "failed" and outcome.detail == "IndexError"


def test_jp_contact_anchors_are_removed_before_python_whois() -> None:
    text = "[Domain Name]   NORTHWIND.JP\nm. [Administrative Contact] AB123JP\nContact Information:\n[Email]\n"
    cleaned = precheck("northwind.jp", text)
    assert "[Administrative Contact]" not in cleaned and "Contact Information" not in cleaned
    assert "[Domain Name]" in cleaned and precheck("northwind.com", text) == text


def test_an_empty_or_unreachable_reply_is_an_error_not_an_answer() -> None:
    for text in (
        "",
        "   \r\n",
        "[whois.nic.bzh: Name or service not known]\n[Unable to connect to remote host]\n",
    ):
        ev = read_reply("northwind.bzh", text, NOW, parser=None)
        assert ev.answer is RegistryAnswer.ERROR and ev.registered is None


def test_the_answering_server_is_read_from_a_saved_reply() -> None:
    text = '[Querying whois.verisign-grs.com]\n[whois.verisign-grs.com]\nNo match for "X.COM".\n'
    assert read_reply("x.com", text, NOW, parser=None).server == "whois.verisign-grs.com"
