"""Tests for auditor.config.loading: schema, ${ENV} secrets, one-line errors, estate conversion."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.config.loading import load_config
from auditor.core.errors import ConfigError
from auditor.core.estate import OwnerKind, TwoFactorMethod

REPO = Path(__file__).resolve().parents[2]

BASE = """\
organization:
  name: Acme
  email_domains: [Acme.Example]
  agencies: [{name: Brightside, domains: [brightside.example]}]
accounts:
  - platform: x
    handle: Acme
    id: "42"
    owner: agency
    registered_email: Social@Acme.Example
    two_factor: {method: sms, attested_on: 2026-01-02}
    expected_admins: [Ann@Acme.Example]
domains: [{name: ACME.example}]
launches:
  - {name: Rocket, terms: [rocket one], embargo_until: "2026-12-01T09:00:00", timezone: Europe/Berlin}
platforms:
  x: {token: "${X_TOKEN}", base_url: "https://gateway.acme.example/x"}
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brand.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str, env: dict[str, str] | None = None):  # type: ignore[no-untyped-def]
    return load_config(write(tmp_path, text), {"X_TOKEN": "tok-SECRET-123"} if env is None else env)


def test_valid_config_builds_the_estate(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    org = config.estate.organization
    assert org.email_domains == ("acme.example",)
    assert org.is_company_email("ann@mail.acme.example")
    assert org.agency_for("jo@brightside.example") is not None
    account = config.estate.accounts[0]
    assert account.asset.key == "account:x:acme"
    assert account.owner is OwnerKind.AGENCY
    assert account.registered_email == "social@acme.example"
    assert account.two_factor is not None and account.two_factor.method is TwoFactorMethod.SMS
    assert account.expected_admins == ("ann@acme.example",)
    assert config.estate.domains[0].name == "acme.example"
    embargo = config.estate.launches[0].embargo_until
    assert embargo.astimezone(UTC) == datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
    assert config.estate.account("account:x:acme") is account
    assert config.policy.max_full_admins == 3  # documented default


def test_secret_is_read_only_by_with_secrets_and_never_printed_or_digested(
    tmp_path: Path,
) -> None:
    loaded = load(tmp_path, BASE)
    unresolved = loaded.model.platforms["x"].token
    assert unresolved is not None
    with pytest.raises(ConfigError, match="X_TOKEN"):
        unresolved.get_secret_value()  # a part that forgot to resolve fails closed
    config = loaded.with_secrets()
    token = config.model.platforms["x"].token
    assert token is not None and token.get_secret_value() == "tok-SECRET-123"
    assert "tok-SECRET-123" not in repr(config.model)
    assert "tok-SECRET-123" not in str(config.model.model_dump(mode="json"))
    other = load(tmp_path, BASE, {"X_TOKEN": "another-secret"}).with_secrets()
    assert config.digest() == other.digest() == loaded.digest()  # secrets never digested
    assert config.estate == loaded.estate


def test_reading_the_config_needs_no_secret_but_using_one_does(tmp_path: Path) -> None:
    config = load(tmp_path, BASE, {})  # store-reading commands load like this
    refs = config.secret_references()
    assert [(r.field, r.variable) for r in refs] == [("platforms.x.token", "X_TOKEN")]
    with pytest.raises(ConfigError) as err:
        config.with_secrets()
    line = err.value.line()
    assert "brand.yaml" in line and "platforms.x.token" in line and "X_TOKEN is not set" in line
    assert "\n" not in line
    assert config.with_secrets("mail").secret_references() == refs  # other sections untouched


def test_an_empty_variable_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="X_TOKEN is empty"):
        load(tmp_path, BASE, {"X_TOKEN": ""}).with_secrets()
    text = BASE + 'network: {user_agent: "${UA}"}\n'
    with pytest.raises(ConfigError, match=r"network.user_agent: environment variable UA is empty"):
        load(tmp_path, text, {"UA": ""})


def test_a_reference_outside_a_secret_field_is_read_at_load(tmp_path: Path) -> None:
    text = BASE + 'network: {user_agent: "${UA}"}\n'
    assert load(tmp_path, text, {"UA": "acme-audit"}).model.network.user_agent == "acme-audit"


def test_an_unquoted_reference_in_a_flow_mapping_says_how_to_write_it(tmp_path: Path) -> None:
    text = BASE.replace('{token: "${X_TOKEN}",', "{token: ${X_TOKEN},")
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text)
    line = err.value.line()
    assert "line 17" in line and 'quote the reference, as "${X_TOKEN}"' in line


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    from auditor.config.loading import ConfigProblems

    text = BASE.replace("owner: agency", "ownr: agency").replace("platform: x", "platform: xx")
    with pytest.raises(ConfigProblems) as err:
        load(tmp_path, text)
    fields = [p.field for p in err.value.problems]
    assert fields[0] == "accounts.0.ownr"  # the most telling first
    assert "accounts.0.platform" in fields
    assert "validate' lists them" in err.value.line()


@pytest.mark.parametrize(
    ("mutation", "field", "words"),
    [
        (("owner: agency", "ownr: agency"), "accounts.0.ownr", "unknown field"),
        (
            ('id: "42"', 'id: "42"\n    last_access_review: soon'),
            "accounts.0.last_access_review",
            "expected",
        ),
        (("platform: x", "platform: myspace"), "accounts.0.platform", "expected"),
        (("  name: Acme\n", ""), "organization.name", "required field is missing"),
        (
            ("timezone: Europe/Berlin", "timezone: Mars/Olympus"),
            "launches.0.timezone",
            "unknown time zone",
        ),
    ],
)
def test_bad_fields_are_one_line_naming_file_and_field(
    tmp_path: Path, mutation: tuple[str, str], field: str, words: str
) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, BASE.replace(*mutation))
    line = err.value.line()
    assert line.startswith(str(tmp_path / "brand.yaml"))
    assert field in line and words in line
    assert "\n" not in line


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, "organization: [unclosed\n")
    assert "line" in err.value.line() and "YAML" in err.value.line()


def test_python_tags_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError):
        load(tmp_path, "!!python/object/apply:os.system ['echo pwned']\n")


def test_top_level_must_be_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mapping"):
        load(tmp_path, "- just\n- a list\n")


def test_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(tmp_path / "nope.yaml", {})


def test_duplicate_account_is_refused(tmp_path: Path) -> None:
    text = BASE.replace("domains: [{name", "  - {platform: x, handle: ACME}\ndomains: [{name")
    with pytest.raises(ConfigError, match="duplicate account x:acme"):
        load(tmp_path, text)


def test_change_window_must_name_an_inventory_account(tmp_path: Path) -> None:
    text = BASE + (
        "change_windows:\n  - {account: 'x:ghost', starts: 2026-01-01T00:00:00,"
        " ends: 2026-01-02T00:00:00, fields: [bio]}\n"
    )
    with pytest.raises(ConfigError) as err:
        load(tmp_path, text)
    assert "change_windows.0.account" in err.value.line()


def test_relative_paths_resolve_beside_the_config(tmp_path: Path) -> None:
    config = load(tmp_path, BASE + "sources:\n  register: {csv: records/register.csv}\n")
    register = config.model.sources.content_register
    assert register is not None
    assert config.resolve(register.csv) == tmp_path / "records" / "register.csv"


def test_with_endpoints_points_apis_at_a_gateway(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    moved = config.with_endpoints(
        {"x": "http://127.0.0.1:9/x", "github": "http://127.0.0.1:9/github"},
        "127.0.0.1:4343",
        allow_private=True,
    )
    assert moved.model.platforms["x"].base_url == "http://127.0.0.1:9/x"
    assert moved.model.platforms["x"].token is not None  # credentials kept
    assert moved.model.platforms["github"].base_url == "http://127.0.0.1:9/github"
    assert moved.model.whois.server == "127.0.0.1:4343"
    assert moved.model.network.allow_private
    assert not config.model.network.allow_private  # the original is unchanged


def test_the_shipped_demo_config_is_valid() -> None:
    config = load_config(REPO / "config" / "demo.yaml", {})
    assert config.estate.organization.name == "Northwind Outfitters"
    assert len(config.estate.accounts) >= 10


def test_a_misspelled_key_is_reported_as_the_unknown_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as err:
        load(tmp_path, BASE.replace("email_domains:", "email_domain:"))
    line = err.value.line()
    assert "organization.email_domain:" in line and "unknown field" in line
    assert "(+1 more problem: " in line  # the missing email_domains is still counted
