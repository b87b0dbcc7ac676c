"""Vault exports (Bitwarden JSON, 1Password CSV) to secret-free facts: parsing, reuse groups,
zxcvbn once per distinct password, breach lookup and its failure, hostile files, and proof that
no password, TOTP seed or password hash survives in the evidence."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from auditor.collectors.base import CollectContext
from auditor.collectors.records import sources as records
from auditor.collectors.records import vault_facts
from auditor.collectors.records.bitwarden import parse_bitwarden
from auditor.collectors.records.onepassword import parse_onepassword_csv
from auditor.core.completeness import Coverage, Facet, SourceStatus, facet_status
from auditor.core.errors import InputFileError, NetworkFailure
from auditor.core.estate import AccountSpec, Estate, Organization, Policy
from auditor.core.evidence import Evidence, VaultEvidence

NOW = datetime(2026, 11, 20, tzinfo=UTC)
SEED = "JBSWY3DPEHPK3PXP"
SECRETS = ("Northwind2024!", "vR7#qLm2!Tz9wKp4sXe6", "Summer2019!", "old-password-1", SEED)
ESTATE = Estate(
    organization=Organization(name="Northwind Outfitters", email_domains=("northwind.example",)),
    accounts=(
        *(AccountSpec("x", f"acct{n}", vault_item=f"id-{n}") for n in range(10)),
        AccountSpec("x", "northwind", vault_item="x - @NORTHWIND"),  # titles ignore case
    ),
)
"""Links every test item (and the demo's flagship item) so that their strength is scored."""


def bw_item(n: int, password: str | None, **kw: Any) -> dict[str, Any]:
    login = {
        "uris": [{"match": None, "uri": f"https://site{n}.example/login"}],
        "username": f"user{n}@northwind.example",
        "password": password,
        "totp": kw.pop("totp", None),
        "fido2Credentials": [],
    }
    item: dict[str, Any] = {
        "id": f"id-{n}",
        "organizationId": None,
        "folderId": None,
        "type": 1,
        "name": f"Item {n}",
        "login": login,
        "passwordHistory": None,
        "revisionDate": "2026-01-01T00:00:00.000Z",
        "creationDate": "2020-01-01T00:00:00.000Z",
        "deletedDate": None,
    }
    item.update(kw)
    return item


def export(tmp_path: Path, items: list[dict[str, Any]], **top: Any) -> Path:
    path = tmp_path / "vault.json"
    path.write_text(json.dumps({"encrypted": False, "items": items, **top}), encoding="utf-8")
    return path


def org_export(tmp_path: Path) -> Path:
    items = [
        bw_item(
            1,
            "Northwind2024!",
            collectionIds=["c1"],
            passwordHistory=[
                {"lastUsedDate": "2025-02-01T00:00:00Z", "password": "old-password-1"},
                {"lastUsedDate": "2026-06-10T11:20:00.000Z", "password": "old-password-1"},
            ],
            revisionDate="2026-09-20T00:00:00.000Z",
        ),
        bw_item(2, "Northwind2024!", collectionIds=["c1", "c2"]),
        bw_item(3, "vR7#qLm2!Tz9wKp4sXe6", totp=f"otpauth://totp/X:acme?secret={SEED}"),
        bw_item(4, ""),
        bw_item(5, "Summer2019!", deletedDate="2026-01-01T00:00:00.000Z"),
        {"id": "note-1", "type": 2, "name": "Recovery codes", "notes": SEED},
    ]
    collections = [{"id": "c1", "name": "Social"}, {"id": "c2", "name": "Regional"}]
    return export(tmp_path, items, collections=collections)


class FakeBreaches:
    def __init__(self, known: dict[str, int]) -> None:
        self.known = {hashlib.sha1(k.encode()).hexdigest().upper(): v for k, v in known.items()}
        self.asked: list[set[str]] = []

    def counts(self, sha1_hex_upper: Collection[str]) -> dict[str, int]:
        self.asked.append(set(sha1_hex_upper))
        return {h: self.known[h] for h in sha1_hex_upper if h in self.known}


class FailingBreaches:
    def counts(self, sha1_hex_upper: Collection[str]) -> dict[str, int]:
        raise NetworkFailure("hibp: connection refused")


def collect(
    path: Path, breaches: Any = None, fmt: str = "bitwarden", estate: Estate = ESTATE
) -> tuple[VaultEvidence, Any]:
    collector = records.VaultCollector([(fmt, path)], breaches)
    output = collector.collect(CollectContext(estate=estate, policy=Policy(), now=NOW))
    (vault,) = output.items
    assert isinstance(vault, VaultEvidence)
    return vault, output.report


def test_bitwarden_org_export_to_facts(tmp_path: Path) -> None:
    breaches = FakeBreaches({"Northwind2024!": 12})
    vault, report = collect(org_export(tmp_path), breaches)
    assert [i.item_id for i in vault.items] == ["id-1", "id-2", "id-3", "id-4"]
    one, two, three, four = vault.items
    assert one.reused_with == ("id-2",) and two.reused_with == ("id-1",)
    assert three.reused_with == () and four.reused_with == ()
    assert one.password_changed_at == datetime(2026, 6, 10, 11, 20, tzinfo=UTC)
    assert two.password_changed_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert one.collection == "Social" and two.collection == "Social, Regional"
    assert one.strength_score is not None and one.strength_score < 3
    assert three.strength_score == 4 and three.password_length == 20
    assert three.has_totp and not one.has_totp
    assert not four.has_password and four.strength_score is None and four.breach_count is None
    assert (one.breach_count, two.breach_count, three.breach_count) == (12, 12, 0)
    assert (
        vault.breach_checked
        and (report.status is not SourceStatus.FAILED)
        and report.problems == ()
    )
    assert len(breaches.asked) == 1 and len(breaches.asked[0]) == 2


def test_bitwarden_personal_export_uses_folders(tmp_path: Path) -> None:
    items = [bw_item(1, "x", folderId="f1"), bw_item(2, "y", folderId="f-unknown")]
    path = export(tmp_path, items, folders=[{"id": "f1", "name": "Brand"}])
    logins = parse_bitwarden(path)
    assert [x.collection for x in logins] == ["Brand", "f-unknown"]


def test_zxcvbn_runs_once_per_distinct_password(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = getattr(vault_facts, "zxcvbn")  # noqa: B009

    def counting(password: str, user_inputs: list[str]) -> dict[str, Any]:
        calls.append(len(password))
        result: dict[str, Any] = real(password, user_inputs=user_inputs)
        return result

    monkeypatch.setattr(vault_facts, "zxcvbn", counting)
    items = [bw_item(n, "same-password-for-all" if n % 2 else "x" * 500) for n in range(10)]
    vault, _ = collect(export(tmp_path, items))
    assert sorted(calls) == [21, vault_facts.ZXCVBN_MAX_CHARS]
    assert vault.items[1].password_length == 21 and vault.items[0].password_length == 500
    assert len(vault.items[0].reused_with) == 4


def test_only_items_the_inventory_links_are_scored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[int] = []
    real = getattr(vault_facts, "zxcvbn")  # noqa: B009

    def counting(password: str, user_inputs: list[str]) -> dict[str, Any]:
        calls.append(len(password))
        result: dict[str, Any] = real(password, user_inputs=user_inputs)
        return result

    monkeypatch.setattr(vault_facts, "zxcvbn", counting)
    items = [bw_item(1, "linked-by-title-1"), bw_item(2, "shared-password"), bw_item(3, "lone")]
    items.append(bw_item(4, "shared-password"))
    linked = Estate(
        organization=ESTATE.organization,
        accounts=(
            AccountSpec("x", "a", vault_item="ITEM 1"),
            AccountSpec("x", "b", vault_item="id-4"),
        ),
    )
    vault, _ = collect(export(tmp_path, items), estate=linked)
    one, two, three, four = vault.items
    assert sorted(calls) == [len("shared-password"), len("linked-by-title-1")]
    assert one.strength_score is not None and four.strength_score is not None
    assert two.strength_score == four.strength_score  # same password, scored once
    assert three.strength_score is None and three.has_password and three.password_length == 4
    assert two.reused_with == ("id-4",) and four.reused_with == ("id-2",)


def test_company_words_make_a_password_weak(tmp_path: Path) -> None:
    facts = vault_facts.derive_facts(
        parse_bitwarden(export(tmp_path, [bw_item(1, "Northwind2024!")])),
        user_inputs=records.user_inputs(ESTATE),
    )
    assert facts.items[0].strength_score == 2
    assert "northwind" in records.user_inputs(ESTATE)


def test_breach_lookup_failure_keeps_vault_evidence(tmp_path: Path) -> None:
    vault, report = collect(org_export(tmp_path), FailingBreaches())
    assert len(vault.items) == 4
    assert all(i.breach_count is None for i in vault.items)
    assert vault.breach_checked is False
    assert report.status is not SourceStatus.FAILED
    (problem,) = report.problems
    assert problem.kind == "network" and problem.asset_key is None
    assert problem.detail.startswith("breach lookup failed: network")
    # the failed lookups leave the breach facet unknown; the vault's items keep their word
    assert report.status is SourceStatus.PARTIAL
    assert facet_status(vault, Facet.BREACH).state is Coverage.UNKNOWN
    assert facet_status(vault, Facet.VAULT).is_complete


def test_no_breach_lookup_leaves_counts_unknown(tmp_path: Path) -> None:
    vault, report = collect(org_export(tmp_path))
    assert all(i.breach_count is None for i in vault.items)
    assert not vault.breach_checked and report.problems == ()
    assert "breach checking is off" in (facet_status(vault, Facet.BREACH).reason or "")


def test_no_secret_in_repr_json_or_raw_login_repr(tmp_path: Path) -> None:
    path = org_export(tmp_path)
    vault, report = collect(path, FakeBreaches({"Northwind2024!": 3}))
    evidence = Evidence(collected_at=NOW, vault=vault, sources={"vault": report})
    dumped = TypeAdapter(Evidence).dump_json(evidence).decode() + repr(evidence) + repr(report)
    raw = repr(parse_bitwarden(path))
    digests = [hashlib.sha1(s.encode()).hexdigest() for s in SECRETS]
    for secret in (*SECRETS, *digests, *(d.upper() for d in digests)):
        assert secret not in dumped
        assert secret not in raw


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (
            '{"encrypted": true, "encKeyValidation_DO_NOT_EDIT": "2.abc", "data": "2.xyz"}',
            "encrypted Bitwarden export",
        ),
        ('{"encKeyValidation_DO_NOT_EDIT": "x"}', "encrypted Bitwarden export"),
        ("[]", "expected a Bitwarden JSON export"),
        ('{"encrypted": false}', "items: expected an 'items' list"),
        ('{"items": [1]}', r"items\[0\]: expected an object"),
        ('{"items": [{"type": 1, "name": "n"}]}', r"items\[0\].id: expected a non-empty string"),
        ('{"items": [', "expected JSON: Expecting value at line 1 column 12"),
        ("[" * 100000 + "]" * 100000, "expected JSON: nesting is too deep"),
        ('{"items": [], "folders": {}}', "folders: expected a list"),
    ],
)
def test_bitwarden_malformed_exports(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "v.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputFileError, match=expected) as info:
        parse_bitwarden(path)
    assert str(info.value).startswith(str(path))


def test_bitwarden_field_errors_name_position_not_content(tmp_path: Path) -> None:
    cases = [
        bw_item(1, "Northwind2024!", revisionDate="Northwind2024!"),
        bw_item(1, "Northwind2024!", revisionDate="0001-01-01T00:00:00+01:00"),
        bw_item(
            1,
            "Northwind2024!",
            passwordHistory=[{"lastUsedDate": "Summer2019!", "password": "Summer2019!"}],
        ),
        bw_item(1, ["Northwind2024!"]),  # type: ignore[arg-type]
        bw_item(1, "Northwind2024!", login="Northwind2024!"),
    ]
    fields = [
        "items[0].revisionDate",
        "items[0].revisionDate",
        "items[0].passwordHistory[0].lastUsedDate",
        "items[0].login.password",
        "items[0].login",
    ]
    for item, field in zip(cases, fields, strict=True):
        with pytest.raises(InputFileError) as info:
            parse_bitwarden(export(tmp_path, [item]))
        message = str(info.value)
        assert field in message
        assert "Northwind2024!" not in message and "Summer2019!" not in message


def test_bitwarden_duplicate_ids_refused(tmp_path: Path) -> None:
    with pytest.raises(InputFileError, match=r"items\[1\].id: item id appears twice"):
        parse_bitwarden(export(tmp_path, [bw_item(1, "a"), bw_item(1, "b")]))


ONEPASSWORD_V8 = (
    "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n"
    "X - @northwind,https://x.com,social@northwind.example,Northwind2024!,,false,false,,\n"
    'LinkedIn,"https://linkedin.com, https://www.linkedin.com",social@northwind.example,Northwind2024!,'
    f"otpauth://totp/LinkedIn?secret={SEED},false,false,social,\n"
    "Empty,,,,,false,false,,\n"
)


def test_onepassword_v8_csv(tmp_path: Path) -> None:
    path = tmp_path / "1p.csv"
    path.write_text(ONEPASSWORD_V8, encoding="utf-8")
    vault, _ = collect(path, FakeBreaches({}), fmt="1password-csv")
    x, linkedin, empty = vault.items
    assert x.item_id.startswith("1p-") and len(x.item_id) == 15
    assert x.reused_with == (linkedin.item_id,)
    assert linkedin.has_totp and not x.has_totp
    assert linkedin.uris == ("https://linkedin.com", "https://www.linkedin.com")
    assert x.password_changed_at is None and x.breach_count == 0
    assert not empty.has_password
    assert vault.format == "1password-csv"
    assert SEED not in repr(vault) and "Northwind2024!" not in repr(vault)


def test_onepassword_older_header_variants_and_type_filter(tmp_path: Path) -> None:
    path = tmp_path / "1p7.csv"
    path.write_text(
        "title,website,username,password,one-time password,type\n"
        "A,https://a.example,a,pw-a,,Login\n"
        "Card,,,,,Credit Card\n"
        "A,https://a.example,a,pw-b,,login\n",
        encoding="utf-8",
    )
    logins = parse_onepassword_csv(path)
    assert [x.name for x in logins] == ["A", "A"]
    assert logins[1].item_id == logins[0].item_id + "-2"


def test_onepassword_missing_password_column(tmp_path: Path) -> None:
    path = tmp_path / "1p.csv"
    path.write_text("Title,Url,Username\nA,,a\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="header: missing column password"):
        parse_onepassword_csv(path)


def test_onepassword_ragged_row_does_not_echo_password(tmp_path: Path) -> None:
    path = tmp_path / "1p.csv"
    path.write_text("Title,Password\nA,Northwind2024!,extra\n", encoding="utf-8")
    with pytest.raises(InputFileError) as info:
        parse_onepassword_csv(path)
    assert "row 2" in str(info.value) and "Northwind2024!" not in str(info.value)


def test_both_exports_merge(tmp_path: Path) -> None:
    bw = export(tmp_path, [bw_item(1, "Northwind2024!")])
    onep = tmp_path / "1p.csv"
    onep.write_text(ONEPASSWORD_V8, encoding="utf-8")
    collector = records.VaultCollector([("bitwarden", bw), ("1password-csv", onep)])
    output = collector.collect(CollectContext(estate=ESTATE, policy=Policy(), now=NOW))
    (vault,) = output.items
    assert isinstance(vault, VaultEvidence)
    assert vault.format == "bitwarden+1password-csv"
    assert len(vault.items[0].reused_with) == 2


def test_demo_vault_facts() -> None:
    path = Path(__file__).resolve().parents[3] / "config" / "demo" / "vault.json"
    vault, _ = collect(path)
    by_name = {i.name: i for i in vault.items}
    assert by_name["X - @northwind_deals"].reused_with == (
        by_name["Bluesky - northwindstore"].item_id,
    )
    assert by_name["X - @northwind_help"].has_totp
    assert by_name["X - @northwind"].strength_score == 4
    assert "X - recovery codes" not in by_name


class RangeServer:
    """Stands in for the HTTP client of :class:`auditor.collectors.records.hibp.PwnedPasswords`."""

    def __init__(self, breached: dict[str, int]) -> None:
        self.breached = {
            hashlib.sha1(k.encode()).hexdigest().upper(): v for k, v in breached.items()
        }
        self.paths: list[str] = []

    def get_text(self, path_or_url: str, *, params: Any = None, headers: Any = None) -> str:
        self.paths.append(path_or_url)
        prefix = path_or_url.rsplit("/", 1)[1]
        rows = ["0" * 35 + ":0"]
        rows += [f"{h[5:]}:{c}" for h, c in self.breached.items() if h.startswith(prefix)]
        return "\r\n".join(rows) + "\r\n"


def test_vault_with_the_pwned_passwords_client(tmp_path: Path) -> None:
    hibp = pytest.importorskip("auditor.collectors.records.hibp")
    server = RangeServer({"Northwind2024!": 42})
    vault, report = collect(org_export(tmp_path), hibp.PwnedPasswords(server))
    assert [i.breach_count for i in vault.items] == [42, 42, 0, None]
    assert vault.breach_checked and report.problems == ()
    assert sorted(len(p.rsplit("/", 1)[1]) for p in server.paths) == [5, 5]


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)
_FIELDS = st.sampled_from(
    [
        "id",
        "type",
        "name",
        "login",
        "passwordHistory",
        "revisionDate",
        "collectionIds",
        "folderId",
        "creationDate",
    ]
)


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(broken=st.dictionaries(_FIELDS, _JSON, max_size=5))
def test_hostile_bitwarden_items_give_input_errors(tmp_path: Path, broken: dict[str, Any]) -> None:
    path = export(
        tmp_path, [{**bw_item(1, "Northwind2024!"), **broken}], folders=[{"id": "f", "name": 3}]
    )
    try:
        logins = parse_bitwarden(path)
    except InputFileError as exc:
        assert "Northwind2024!" not in str(exc) and "\n" not in str(exc)
    else:
        assert all(isinstance(x.item_id, str) and x.item_id for x in logins)
        vault_facts.derive_facts(logins)


def test_totp_seed_in_custom_field_or_notes_counts(tmp_path: Path) -> None:
    items = [
        bw_item(
            1, "a", fields=[{"name": "2fa", "value": f"otpauth://totp/X?secret={SEED}", "type": 1}]
        ),
        bw_item(2, "b", notes=f"backup: OTPAUTH://totp/X?secret={SEED}"),
        bw_item(3, "c", fields=[{"name": "pin", "value": "1234", "type": 1}], notes="nothing here"),
    ]
    assert [x.has_totp for x in parse_bitwarden(export(tmp_path, items))] == [True, True, False]


def test_concurrent_derivations_keep_their_own_company_words(tmp_path: Path) -> None:
    """zxcvbn keeps user inputs in a module-wide dictionary: calls are serialized so two
    audits in one process (the scheduler) never score with each other's company words."""
    from concurrent.futures import ThreadPoolExecutor

    logins = parse_bitwarden(export(tmp_path, [bw_item(n, f"Northwind{n}2024!") for n in range(8)]))
    words = records.user_inputs(ESTATE)
    alone = [vault_facts.derive_facts(logins, user_inputs=w) for w in (words, [])]
    expected = [[i.strength_score for i in facts.items] for facts in alone]
    assert expected[0] != expected[1]
    with ThreadPoolExecutor(max_workers=4) as pool:
        runs = list(
            pool.map(
                lambda n: vault_facts.derive_facts(logins, user_inputs=words if n % 2 else []),
                range(12),
            )
        )
    for n, facts in enumerate(runs):
        assert [i.strength_score for i in facts.items] == expected[0 if n % 2 else 1]


def test_revision_date_is_marked_as_an_upper_bound(tmp_path: Path) -> None:
    from auditor.collectors.records.bitwarden import _changed_at

    with_history = {
        "passwordHistory": [{"lastUsedDate": "2026-01-02T00:00:00Z", "password": "old"}],
        "revisionDate": "2026-05-01T00:00:00Z",
    }
    changed, exact = _changed_at(with_history, "vault.json", "items[0]")
    assert exact and changed is not None and changed.month == 1
    edited_only = {"passwordHistory": None, "revisionDate": "2026-05-01T00:00:00Z"}
    changed, exact = _changed_at(edited_only, "vault.json", "items[0]")
    assert not exact and changed is not None and changed.month == 5
