"""Normalised WHOIS values: dates (day-first where registries write so, offsets, impossible
dates), registrar names, statuses, DNSSEC phrasings, and the domain object's own fields."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from auditor.collectors.registration.whois_fields import (
    CREATION_LABELS,
    REGISTRAR_LABELS,
    dnssec_state,
    parse_when,
    plausible_dates,
    read_lines,
    registrar_name,
    split_statuses,
)
from auditor.collectors.registration.whois_reply import read_reply

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("raw", "tld", "expected"),
    [
        ("10.03.2021", "cz", date(2021, 3, 10)),  # dotted: always day-first
        ("10.03.2021", "com", date(2021, 3, 10)),
        ("17.7.2022 12:00:00", "fi", date(2022, 7, 17)),
        ("03/10/2021", "fr", date(2021, 10, 3)),  # ccTLD: day-first
        ("03/10/2021", "com", date(2021, 3, 10)),  # gTLD: month-first (US registrars)
        ("25/10/2021", "com", date(2021, 10, 25)),  # a part over 12 decides
        ("05-06-1999", "il", date(1999, 6, 5)),
        ("2018.10.26 15:00:00", "pl", date(2018, 10, 26)),
        ("2026/03/31", "jp", date(2026, 3, 31)),
        ("2008. 08. 05.", "kr", date(2008, 8, 5)),
        ("20200518", "br", date(2020, 5, 18)),
        ("2019-Aug-22.", "tr", date(2019, 8, 22)),
        ("05-Dec-2020", "uk", date(2020, 12, 5)),
        ("Tue Dec 12 2000", "be", date(2000, 12, 12)),
        ("2020-12-30T17:16:48Z", "fr", date(2020, 12, 30)),
    ],
)
def test_dates_as_the_registry_writes_them(raw: str, tld: str, expected: date) -> None:
    parsed = parse_when(raw, tld)
    assert parsed is not None and parsed.tzinfo is not None and parsed.date() == expected


def test_a_stated_offset_keeps_the_registrys_calendar_day() -> None:
    ua = parse_when("2019-12-04 00:00:00+02", "ua")
    assert ua is not None and ua.date() == date(2019, 12, 4)
    assert ua.utcoffset() == timedelta(hours=2)
    kg = parse_when("2026-03-28 23:59:00 (UTC+6)", "kg")
    assert kg == datetime(2026, 3, 28, 23, 59, tzinfo=timezone(timedelta(hours=6)))
    jp = parse_when("2026/03/31 00:00:00 (JST)", "jp")
    assert jp is not None and jp.utcoffset() == timedelta(hours=9)


@pytest.mark.parametrize(
    "raw", ["", "before Aug-1996", "see at www.register.bg", "n/a", "32.13.2020"]
)
def test_not_a_date_is_unknown(raw: str) -> None:
    assert parse_when(raw, "uk") is None


def test_impossible_dates_are_unknown() -> None:
    created = datetime(2010, 1, 1, tzinfo=UTC)
    assert plausible_dates(created, datetime(2009, 1, 1, tzinfo=UTC), NOW) == (created, None)
    assert plausible_dates(datetime(1970, 1, 1, tzinfo=UTC), None, NOW) == (None, None)
    assert plausible_dates(NOW + timedelta(days=30), None, NOW) == (None, None)
    far = NOW + timedelta(days=366 * 150)
    assert plausible_dates(created, far, NOW) == (created, None)
    lapsed = datetime(2020, 1, 1, tzinfo=UTC)  # an expired domain's past expiry is real
    assert plausible_dates(created, lapsed, NOW) == (created, lapsed)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("MarkMonitor, Inc. (R22-LRCC)", "MarkMonitor, Inc."),
        (
            "Amazon.com, Inc. t/a Amazon.com, Inc. [Tag = AMAZON-COM]",
            "Amazon.com, Inc. t/a Amazon.com, Inc.",
        ),
        ("GoDaddy.com, LLC [Tag = GODADDY]", "GoDaddy.com, LLC"),
        ("MarkMonitor Inc. ( https://nic.at/registrar/434 )", "MarkMonitor Inc."),
        ("Registry Operator acts as Registrar (9999)", "Registry Operator acts as Registrar"),
        ("Tucows Inc. (R11-LROR)", "Tucows Inc."),
        ("REDACTED FOR PRIVACY", None),
        ("-", None),
    ],
)
def test_registrar_names_lose_registry_ids_and_tags(raw: str, expected: str | None) -> None:
    assert registrar_name(raw) == expected


def test_created_by_and_last_updated_by_are_never_the_registrar() -> None:
    text = (
        "Domain Name: example.org\nCreated by: Registry Staff\n"
        "Last Updated by Registrar: Other Registrar Ltd\nRegistrar: Real Registrar SA\n"
        "Creation Date: 2001-02-03\n"
    )
    ev = read_reply("example.org", text, NOW, parser=None)
    assert ev.registrar == "Real Registrar SA"
    only_created_by = (
        "Domain Name: example.org\nCreated by: Registry Staff\nCreation Date: 2001-02-03\n"
    )
    assert read_reply("example.org", only_created_by, NOW, parser=None).registrar is None


def test_statuses_split_on_commas_and_spaces() -> None:
    assert split_statuses(
        ["clientUpdateProhibited,clientTransferProhibited,clientDeleteProhibited"]
    ) == (
        "clientUpdateProhibited",
        "clientTransferProhibited",
        "clientDeleteProhibited",
    )
    assert split_statuses(["clientDeleteProhibited clientTransferProhibited"]) == (
        "clientDeleteProhibited",
        "clientTransferProhibited",
    )
    assert split_statuses(["ok https://icann.org/epp#ok", "client transfer prohibited"]) == (
        "ok",
        "clientTransferProhibited",
    )
    assert split_statuses(["server_delete_prohibited"]) == ("serverDeleteProhibited",)
    assert split_statuses(["busy, active"]) == ("busy", "ok")


@pytest.mark.parametrize(
    ("values", "published", "expected"),
    [
        (["unsigned"], False, False),
        (["Unsigned delegation, DNSSEC disabled"], False, False),
        (["no"], False, False),
        (["Inactive"], False, False),
        (["N"], False, False),
        (["미서명"], False, False),
        (["signedDelegation"], False, True),
        (["yes"], False, True),
        (["active"], False, True),
        ([], True, True),  # a published DS / DNSKEY / KEYSET
        ([], False, None),
        (["see the registry"], False, None),
    ],
)
def test_dnssec_phrasings(values: list[str], published: bool, expected: bool | None) -> None:
    assert dnssec_state(values, published) is expected


def test_the_creation_date_is_the_domain_objects_not_the_minimum_over_contacts() -> None:
    text = (
        "domain:\t\tnorthwind.ar\nregistrar:\tnicar\nregistered:\t2011-04-12 00:00:00\n"
        "expire:\t\t2027-04-12 00:00:00\ncontact:\t1234\nname:\t\tSomeone\n"
        "registrar:\tnicar\ncreated:\t1999-01-01 00:00:00\n"
    )
    ev = read_reply("northwind.ar", text, NOW, parser=None)
    assert ev.created_at is not None and ev.created_at.date() == date(2011, 4, 12)
    ripe = (
        "domain: northwind.cz\nregistrar: REG-X\nregistered: 10.03.2021 10:00:00\n"
        "expire: 10.03.2027\n\ncontact: CID-1\ncreated: 01.01.2001 00:00:00\n"
    )
    ev = read_reply("northwind.cz", ripe, NOW, parser=None)
    assert ev.created_at is not None and ev.created_at.date() == date(2021, 3, 10)
    assert ev.expires_at is not None and ev.expires_at.date() == date(2027, 3, 10)


def test_a_record_of_another_domain_is_left_out() -> None:
    text = (
        "   Server Name: NORTHWIND.COM.SPAM.EXAMPLE\n   Registrar: SPAM REGISTRAR\n\n"
        "   Domain Name: NORTHWIND.COM\n   Registrar: REAL REGISTRAR, INC.\n"
        "   Expiration Date: 12-apr-2027\n"
    )
    lines = read_lines(text, "northwind.com")
    assert lines.first(REGISTRAR_LABELS, domain_only=True) == "REAL REGISTRAR, INC."
    assert lines.first(CREATION_LABELS) is None


def test_a_label_with_its_value_on_the_next_lines() -> None:
    text = (
        "    Domain name:\n        northwind.co.uk\n\n    Registrar:\n"
        "        Example Registrar Ltd [Tag = EXAMPLE]\n        URL: https://registrar.example\n\n"
        "    Relevant dates:\n        Registered on: 21-Dec-1998\n        Expiry date:  05-Dec-2027\n"
    )
    ev = read_reply("northwind.co.uk", text, NOW, parser=None)
    assert ev.registrar == "Example Registrar Ltd"
    assert ev.created_at is not None and ev.created_at.date() == date(1998, 12, 21)
    assert ev.expires_at is not None and ev.expires_at.date() == date(2027, 12, 5)


def test_ianas_record_of_the_tld_in_a_query_chain_is_not_the_domains() -> None:
    text = (
        "% IANA WHOIS server\n\ndomain:       LIVE\norganisation: Dog Beach, LLC\n\n"
        "status:       ACTIVE\n\ncreated:      2015-06-25\nsource:       IANA\n\n"
        "Domain Name: nic.live\nRegistrar: Registry Operator acts as Registrar (9999)\n"
        "Creation Date: 2015-04-27T22:04:24Z\nRegistry Expiry Date: 2027-04-27T22:04:24Z\n"
    )
    ev = read_reply("nic.live", text, NOW, parser=None)
    assert ev.created_at is not None and ev.created_at.date() == date(2015, 4, 27)
    assert ev.registrar == "Registry Operator acts as Registrar"


def test_a_registrar_handle_is_named_by_its_own_object_in_the_reply() -> None:
    text = (
        "Domain:                       northwind.sk\nRegistrar:                    NWND-0001\n"
        "Valid Until:                  2027-07-24\n\n"
        "Registrar:                    NWND-0001\nName:                         Northwind Names s. r. o.\n"
        "\n% Registrar:\n% ==========\nregistrar:        ua.example\n"
    )
    assert (
        read_reply("northwind.sk", text, NOW, parser=None).registrar == "Northwind Names s. r. o."
    )
    alone = "Domain: northwind.sk\nRegistrar: NWND-0001\nValid Until: 2027-07-24\n"
    assert read_reply("northwind.sk", alone, NOW, parser=None).registrar == "NWND-0001"
