"""``brand-audit lookup``: saved replies through the code path of a run, text and JSON output,
exit codes, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.cli.main import main

RDAP = {
    "objectClassName": "domain",
    "ldhName": "northwind.com",
    "status": ["client transfer prohibited", "client hold"],
    "events": [
        {"eventAction": "registration", "eventDate": "2011-04-12T00:00:00Z"},
        {"eventAction": "expiration", "eventDate": "2027-04-12T00:00:00Z"},
    ],
    "entities": [
        {
            "roles": ["registrar"],
            "publicIds": [{"type": "IANA Registrar ID", "identifier": "292"}],
            "vcardArray": ["vcard", [["fn", {}, "text", "MarkMonitor Inc."]]],
        }
    ],
    "secureDNS": {"delegationSigned": True},
}
CZ = """% (c) 2006-2021 CZ.NIC, z.s.p.o.

domain:       northwind.cz
registrant:   NORTHWIND-1
registrar:    REG-EXAMPLE
registered:   10.03.2021 10:00:00
expire:       10.03.2027

contact:      NORTHWIND-1
org:          Northwind Outfitters s.r.o.
created:      01.01.2001 00:00:00
"""


@pytest.fixture
def replies(tmp_path: Path) -> Path:
    folder = tmp_path / "replies"
    folder.mkdir()
    (folder / "northwind.com.json").write_text(json.dumps(RDAP), encoding="utf-8")
    (folder / "northwind.cz.whois").write_text(CZ, encoding="utf-8")
    (folder / "gone.cz.whois").write_text("%ERROR:101: no entries found\n", encoding="utf-8")
    (folder / "busy.cz.whois").write_text("Your connection limit exceeded.\n", encoding="utf-8")
    (folder / "gone.com.json").write_text(json.dumps({"errorCode": 404}), encoding="utf-8")
    return folder


def test_json_prints_one_object_per_domain(
    replies: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    names = ["northwind.com", "www.northwind.cz", "gone.cz", "gone.com"]
    code = main(["lookup", *names, "--json", "--replies", str(replies)])
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 0 and [r["domain"] for r in rows] == [
        "northwind.com",
        "northwind.cz",
        "gone.cz",
        "gone.com",
    ]
    com, cz, gone_cz, gone_com = rows
    assert com["decision"] == "registered" and com["protocol"] == "rdap"
    assert com["registrar_iana_id"] == "292" and "clientHold" in com["statuses"]
    assert com["dnssec"] is True and com["expires_at"].startswith("2027-04-12")
    assert cz["protocol"] == "whois" and cz["registrar"] == "REG-EXAMPLE"
    assert cz["expires_at"].startswith("2027-03-10") and cz["created_at"].startswith("2021-03-10")
    assert gone_cz["decision"] == "available" and gone_com["decision"] == "available"


def test_text_names_the_reason_of_an_unknown_and_exits_3(
    replies: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["lookup", "busy.cz", "missing.org", "--replies", str(replies)])
    out = capsys.readouterr().out
    assert code == 3
    assert "busy.cz\n  decision:    unknown (throttled: CZ.NIC" in out
    assert "missing.org\n  decision:    unknown (not_found: no saved reply" in out


def test_bad_arguments_are_one_line_and_exit_2(
    replies: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lookup", "northwind.cz", "--replies", str(tmp_path / "nope")]) == 2
    assert main(["lookup", "com", "--replies", str(replies)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and all(line.startswith("brand-audit: error:") for line in err)


def test_text_output_never_carries_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    hostile = "Domain Name: evil.com\nRegistrar: Evil \x1b[2J\x1b]0;pwned\x07 Registrar\nCreation Date: 2020-01-01\n"
    (tmp_path / "evil.com.whois").write_text(hostile, encoding="utf-8")
    assert main(["lookup", "evil.com", "--replies", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "Evil ?[2J?]0;pwned? Registrar" in out
