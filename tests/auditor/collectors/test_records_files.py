"""Parsers of the people directory and content register CSVs, including malformed and hostile
files, plus ``records.build``/``preflight`` over a config."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.collectors.base import CollectContext
from auditor.collectors.records import sources as records
from auditor.collectors.records.bitwarden import parse_bitwarden
from auditor.collectors.records.directory_csv import parse_directory
from auditor.collectors.records.onepassword import parse_onepassword_csv
from auditor.collectors.records.register_csv import parse_register
from auditor.config.loading import load_config
from auditor.core.completeness import SourceStatus
from auditor.core.errors import InputFileError, UserError
from auditor.core.estate import Estate, Organization, Policy
from auditor.core.evidence import PersonStatus

NOW = datetime(2026, 11, 20, tzinfo=UTC)
HEADER = "email,name,status,departed_on,two_sv_enrolled,aliases\n"
REPO = Path(__file__).resolve().parents[3]


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_directory_parses_people_statuses_aliases_and_2sv(tmp_path: Path) -> None:
    text = (
        "\ufeff"
        + HEADER.upper()
        + "Alice.Ng@Northwind.example,Alice Ng,active,,yes,a.ng@northwind.example; al@northwind.example\n"
        + "ben.ortiz@northwind.example,Ben Ortiz,Departed,2026-08-31,,\n"
        + "\n"
        + "erin.cho@northwind.example,Erin Cho,suspended,,false,\n"
    )
    directory = parse_directory(write(tmp_path, "people.csv", text), NOW)
    assert [p.email for p in directory.people] == [
        "alice.ng@northwind.example",
        "ben.ortiz@northwind.example",
        "erin.cho@northwind.example",
    ]
    alice, ben, erin = directory.people
    assert alice.aliases == ("a.ng@northwind.example", "al@northwind.example")
    assert alice.two_sv_enrolled is True
    assert ben.status is PersonStatus.DEPARTED and ben.departed_on == date(2026, 8, 31)
    assert ben.two_sv_enrolled is None
    assert erin.two_sv_enrolled is False
    assert directory.find("AL@northwind.example") is alice


def test_directory_optional_columns_may_be_absent(tmp_path: Path) -> None:
    path = write(tmp_path, "p.csv", "name,email,departed_on,status\nDev,dev@n.example,,active\n")
    (dev,) = parse_directory(path, NOW).people
    assert dev.two_sv_enrolled is None and dev.aliases == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email,name,status\nx@n.example,X,active\n", "header: missing column departed_on"),
        (HEADER + "x@n.example,X,gone,,,\n", "row 2, status: expected one of active, suspended"),
        (HEADER + "x@n.example,X,departed,31/08/2026,,\n", "row 2, departed_on: expected a date"),
        (HEADER + "x@n.example,X,active,,maybe,\n", "row 2, two_sv_enrolled: expected true, false"),
        (HEADER + "not-an-email,X,active,,,\n", "row 2, email: expected an email address"),
        (
            HEADER + "x@n.example,X,active,,,\nX@n.example,Y,active,,,\n",
            "row 3, email: address already",
        ),
        (HEADER + "x@n.example,X,active\n", "row 2: expected 6 cells"),
        (HEADER + 'x@n.example,"X,active,,,\n', "expected well-formed CSV"),
        ("", "file is empty"),
        (HEADER + "x@n.example," + "x" * 200_000 + ",active,,,\n", "over-long cell"),
    ],
)
def test_directory_malformed_is_one_line_input_error(
    tmp_path: Path, text: str, expected: str
) -> None:
    path = write(tmp_path, "people.csv", text)
    with pytest.raises(InputFileError) as info:
        parse_directory(path, NOW)
    message = str(info.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "\n" not in message


def test_directory_errors_never_echo_cell_content(tmp_path: Path) -> None:
    path = write(tmp_path, "people.csv", HEADER + "x@n.example,X,<script>hunter2</script>,,,\n")
    with pytest.raises(InputFileError) as info:
        parse_directory(path, NOW)
    assert "hunter2" not in str(info.value)


def test_directory_missing_binary_and_nul_files(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match="file not found"):
        parse_directory(tmp_path / "absent.csv", NOW)
    with pytest.raises(InputFileError, match="expected UTF-8"):
        parse_directory(write(tmp_path, "bin.csv", b"\xff\xfe\x00garbage"), NOW)
    with pytest.raises(InputFileError, match="NUL"):
        parse_directory(write(tmp_path, "nul.csv", HEADER + "a\x00b,,active,,,\n"), NOW)
    with pytest.raises(InputFileError, match="expected a file"):
        parse_directory(tmp_path, NOW)


REGISTER_HEADER = "platform,handle,post_id,text,approved_by,approved_on\n"


def test_register_parses_ids_and_texts(tmp_path: Path) -> None:
    text = (
        REGISTER_HEADER
        + "X,northwind,1860000000000000101,,alice@northwind.example,2026-11-10\n"
        + 'mastodon,northwind@social.example,,"Hello, trail fans!",carla,\n'
    )
    register = parse_register(write(tmp_path, "r.csv", text), NOW)
    first, second = register.entries
    assert (first.platform, first.post_id, first.text) == ("x", "1860000000000000101", None)
    assert first.approved_on == date(2026, 11, 10)
    assert second.text == "Hello, trail fans!" and second.approved_on is None


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("x,northwind,,,alice,\n", "row 2, post_id: expected a post_id or the approved text"),
        ("myspace,northwind,1,,alice,\n", "row 2, platform: expected one of x, meta"),
        ("x,northwind,1,,,\n", "row 2, approved_by"),
        ("x,,1,,alice,\n", "row 2, handle"),
        ("x,northwind,1,,alice,yesterday\n", "row 2, approved_on: expected a date"),
    ],
)
def test_register_malformed_rows(tmp_path: Path, row: str, expected: str) -> None:
    with pytest.raises(InputFileError, match=expected):
        parse_register(write(tmp_path, "r.csv", REGISTER_HEADER + row), NOW)


def _config(tmp_path: Path, sources: str) -> Path:
    path = tmp_path / "c.yaml"
    path.write_text(
        "version: 1\norganization: {name: Acme, email_domains: [acme.example]}\n" + sources,
        encoding="utf-8",
    )
    return path


def test_build_returns_one_collector_per_configured_source(tmp_path: Path) -> None:
    write(tmp_path, "people.csv", HEADER + "a@acme.example,A,active,,true,\n")
    write(tmp_path, "register.csv", REGISTER_HEADER + "x,acme,1,,a,\n")
    write(tmp_path, "vault.json", '{"encrypted": false, "items": []}')
    config = load_config(
        _config(
            tmp_path,
            "sources:\n  directory: {csv: people.csv}\n  register: {csv: register.csv}\n"
            "  vault: {bitwarden: vault.json, check_breaches: false}\n",
        )
    )
    records.preflight(config)
    collectors = records.build(config)
    assert [c.name for c in collectors] == ["directory", "vault", "register"]
    context = CollectContext(estate=config.estate, policy=config.policy, now=NOW)
    outputs = [c.collect(context) for c in collectors]
    assert all(
        (o.report.status is not SourceStatus.FAILED) and o.report.observed_at == NOW
        for o in outputs
    )
    assert outputs[0].items[0].people[0].email == "a@acme.example"  # type: ignore[union-attr]


def test_build_nothing_configured(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, ""))
    assert records.build(config) == []
    records.preflight(config)


def test_preflight_missing_file_is_a_user_error(tmp_path: Path) -> None:
    config = load_config(_config(tmp_path, "sources:\n  directory: {csv: nowhere.csv}\n"))
    with pytest.raises(UserError) as info:
        records.preflight(config)
    line = str(info.value)
    assert line.startswith(str(tmp_path / "c.yaml"))  # the config file ...
    assert "sources.directory.csv" in line  # ... the field that names the file ...
    assert "nowhere.csv is missing" in line  # ... and which file is missing
    collector = records.build(config)[0]
    empty = Estate(organization=Organization(name="Acme", email_domains=("acme.example",)))
    with pytest.raises(InputFileError):
        collector.collect(CollectContext(estate=empty, policy=Policy(), now=NOW))


def test_demo_records_load_and_preflight() -> None:
    config = load_config(REPO / "config" / "demo.yaml")
    records.preflight(config)
    directory = parse_directory(REPO / "config" / "demo" / "people.csv", NOW)
    emails = {p.email for p in directory.people}
    assert {"ben.ortiz@northwind.example", "social@northwind.example"} <= emails
    assert "mallory.k@gmail.com" not in emails


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=st.binary(max_size=400))
def test_hostile_bytes_give_input_errors_or_parse(tmp_path: Path, body: bytes) -> None:
    for suffix, parse in (
        ("people.csv", lambda p: parse_directory(p, NOW)),
        ("register.csv", lambda p: parse_register(p, NOW)),
        ("vault.json", parse_bitwarden),
        ("1p.csv", parse_onepassword_csv),
    ):
        path = tmp_path / suffix
        path.write_bytes(HEADER.encode() + body if suffix == "people.csv" else body)
        try:
            parse(path)
        except InputFileError as exc:
            assert "\n" not in str(exc)


def test_build_wires_the_breach_lookup_only_when_asked(tmp_path: Path) -> None:
    hibp = pytest.importorskip("auditor.collectors.records.hibp")
    write(tmp_path, "vault.json", '{"encrypted": false, "items": []}')
    on = load_config(_config(tmp_path, "sources:\n  vault: {bitwarden: vault.json}\n"))
    (collector,) = records.build(on)
    assert isinstance(collector, records.VaultCollector)
    assert isinstance(collector.breaches, hibp.PwnedPasswords)
    off = load_config(
        _config(tmp_path, "sources:\n  vault: {bitwarden: vault.json, check_breaches: false}\n")
    )
    (collector,) = records.build(off)
    assert isinstance(collector, records.VaultCollector) and collector.breaches is None
