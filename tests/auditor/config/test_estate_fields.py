"""The estate fields of issue 14 in the config: businesses, per-account credentials, credential
holders, legal and brand names, min_full_admins, brand handles per platform, Bluesky identity
settings. Each is accepted and converted; a wrong one is refused with one line naming it."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.config.loading import load_config
from auditor.core.errors import ConfigError

REPO = Path(__file__).resolve().parents[3]

BASE = """
version: 1
organization:
  name: Acme
  email_domains: [acme.example]
  legal_names: ["Acme Holdings, Inc."]
  brand_names: [Acme, Acme Rockets]
businesses:
  - platform: meta_business
    handle: acme-group
    id: "900"
    registered_email: Admin@Acme.example
    vault_item: Meta Business
    expected_admins: [a@acme.example, b@acme.example]
    credential_holders: [A@acme.example]
accounts:
  - platform: meta
    handle: acme
    id: "901"
    business: Acme-Group
    credentials: {token: "${PAGE_TOKEN}"}
  - platform: x
    handle: acme
    credentials:
      consumer_key: k
      consumer_secret: s
      access_token: t
      access_token_secret: ts
    credential_holders: [ops@acme.example]
brand_handles:
  x: [acme, acme_support]
  github: [acme-labs]
policy:
  min_full_admins: 2
platforms:
  bluesky:
    plc_directory: https://plc.example/
    dns_resolver: https://dns.example/dns-query
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "brand-audit.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def load(tmp_path: Path, text: str):  # type: ignore[no-untyped-def]
    return load_config(write(tmp_path, text), environ={"PAGE_TOKEN": "page-secret"})


def test_every_new_field_is_accepted_and_converted(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    estate = config.estate
    business, page, x = estate.accounts
    assert business.is_business and business.asset.key == "account:meta_business:acme-group"
    assert business.registered_email == "admin@acme.example"
    assert business.credential_holders == ("a@acme.example",)
    assert page.business == business.asset.key and not page.is_business
    assert estate.held_by(business.asset.key) == (page,)
    assert page.credentials == ("oauth2_token",) and x.credentials == ("oauth1",)
    assert x.credential_holders == ("ops@acme.example",)
    assert estate.organization.legal_names == ("Acme Holdings, Inc.",)
    assert estate.organization.brand_names == ("Acme", "Acme Rockets")
    assert estate.handles_for("x") == ("acme", "acme_support")
    assert estate.handles_for("mastodon") == ()
    assert set(estate.brand_handles) == {"acme", "acme_support", "acme-labs"}
    assert config.policy.min_full_admins == 2
    bluesky = config.model.platforms["bluesky"]
    assert bluesky.plc_directory == "https://plc.example/"


def test_a_credential_value_never_reaches_the_estate_or_the_digest(tmp_path: Path) -> None:
    config = load(tmp_path, BASE)
    assert "page-secret" not in repr(config.estate)
    assert "page-secret" not in config.digest()
    page_model = config.with_secrets("accounts").model.accounts[0]
    assert page_model.credentials is not None and page_model.credentials.token is not None
    assert page_model.credentials.token.get_secret_value() == "page-secret"


def test_a_list_of_brand_handles_applies_to_every_platform(tmp_path: Path) -> None:
    config = load(
        tmp_path, BASE.replace("  x: [acme, acme_support]\n  github: [acme-labs]", "  - acme")
    )
    assert config.estate.handles_for("youtube") == ("acme",)
    assert config.estate.platform_handles == {}


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        ("platform: meta_business", "platform: meta_busines", "businesses.0.platform"),
        ("business: Acme-Group", "business: other", "accounts.0.business"),
        ("      access_token_secret: ts\n", "", "accounts.1.credentials"),
        ("min_full_admins: 2", "min_full_admins: 4", "policy.min_full_admins"),
        ("  github: [acme-labs]", "  facebook: [acme]", "brand_handles"),
        (
            "plc_directory: https://plc.example/",
            "plc_directory: plc.example",
            "platforms.bluesky.plc_directory",
        ),
        (
            "credential_holders: [ops@acme.example]",
            "credential_holder: [ops@acme.example]",
            "accounts.1.credential_holder",
        ),
        ("  brand_names: [Acme, Acme Rockets]", "  brand_name: Acme", "organization.brand_name"),
    ],
)
def test_a_wrong_new_field_is_one_line_naming_it(
    tmp_path: Path, old: str, new: str, field: str
) -> None:
    assert old in BASE
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, BASE.replace(old, new))
    line = str(caught.value)
    assert "\n" not in line
    assert field in line


def test_a_duplicate_business_is_refused(tmp_path: Path) -> None:
    twice = BASE.replace(
        "accounts:\n",
        "  - platform: meta_business\n    handle: ACME-group\naccounts:\n",
    )
    with pytest.raises(ConfigError, match=r"businesses\.1\.handle"):
        load(tmp_path, twice)


def test_the_shipped_second_demo_config_is_valid() -> None:
    config = load_config(REPO / "config" / "clinic.yaml")
    business = config.estate.accounts[0]
    assert business.platform == "meta_business"
    assert [a.handle for a in config.estate.held_by(business.asset.key)] == [
        "calderhealth",
        "calderhealth",
    ]


def test_validate_refuses_a_wrong_new_field_with_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from auditor.cli.main import main

    monkeypatch.setenv("PAGE_TOKEN", "page-secret")
    path = write(tmp_path, BASE.replace("platform: meta_business", "platform: meta_biz"))
    code = main(["validate", "--config", str(path)])
    err = capsys.readouterr().err.strip()
    assert code == 2
    assert len(err.splitlines()) == 1 and "businesses.0.platform" in err and str(path) in err
