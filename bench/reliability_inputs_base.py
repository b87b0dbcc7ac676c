"""The valid starting point the bad-input cases mutate: a config and its four record files.

:func:`base_config` is a complete, valid config (every section the schema has) whose platforms
point at a closed local port (``127.0.0.1:9``, connections refused at once, no retries), so even
a ``run`` that gets past validation never leaves the machine. :data:`DIRECTORY`,
:data:`REGISTER`, :data:`BITWARDEN` and :data:`ONEPASSWORD` are valid record files. The path
lists name where the schema has mappings, required keys, typed fields and dates, so the
strategies in :mod:`bench.reliability_input_cases` know which mutation must be refused.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from auditor.config import loading as cfg

DEAD = "http://127.0.0.1:9"
"""A closed port: every request is refused at once."""

PLATFORM_NAMES = (
    "x",
    "meta",
    "linkedin",
    "youtube",
    "github",
    "mastodon",
    "bluesky",
    "google_workspace",
    "hibp",
    "rdap",
)


def _accounts() -> list[dict[str, Any]]:
    """The base inventory: one fully described X account and a bare Mastodon one."""
    return [
        {
            "platform": "x",
            "handle": "acme",
            "id": "1500000000000000001",
            "owner": "company",
            "owner_name": "Acme",
            "registered_email": "social@acme.example",
            "vault_item": "X - @acme",
            "two_factor": {"method": "totp", "attested_on": "2026-11-02", "attested_by": "a"},
            "expected_admins": ["alice@acme.example"],
            "last_access_review": "2026-11-01",
            "approved_apps": ["Publisher"],
            "tags": ["flagship"],
        },
        {"platform": "mastodon", "handle": "acme@social.example"},
    ]


def base_config(vault: str = "bitwarden") -> dict[str, Any]:
    """A valid config document using every section; ``vault`` picks the export format."""
    vault_source: dict[str, Any] = {"check_breaches": False}
    if vault == "bitwarden":
        vault_source["bitwarden"] = "vault.json"
    else:
        vault_source["onepassword_csv"] = "vault.csv"
    return {
        "version": 1,
        "organization": {
            "name": "Acme Outfitters",
            "email_domains": ["acme.example"],
            "agencies": [{"name": "Agency", "domains": ["agency.example"]}],
            "public_emails": ["support@acme.example"],
            "public_phones": ["+1 415 555 0100"],
            "default_region": "US",
        },
        "accounts": _accounts(),
        "domains": [{"name": "acme.example", "lookalikes": False}],
        "brand_handles": ["acme"],
        "launches": [
            {
                "name": "Jacket",
                "terms": ["Jacket"],
                "embargo_until": "2027-03-01T09:00:00",
                "timezone": "UTC",
            }
        ],
        "change_windows": [
            {
                "account": "x:acme",
                "starts": "2026-11-27T00:00:00",
                "ends": "2026-11-30T00:00:00",
                "fields": ["bio"],
                "reason": "campaign",
                "timezone": "UTC",
            }
        ],
        "policy": {
            "max_full_admins": 3,
            "password_min_score": 3,
            "posting_burst_factor": 3.0,
            "approved_apps": ["Publisher"],
            "severity": {"auth.password-weak": "high"},
        },
        "sources": {
            "directory": {"csv": "people.csv"},
            "vault": vault_source,
            "register": {"csv": "register.csv"},
        },
        "platforms": {
            name: {"base_url": f"{DEAD}/{name}", "token": "tok", "retries": 0, "timeout_s": 2}
            for name in PLATFORM_NAMES
        },
        "whois": {"server": "127.0.0.1:9", "timeout_s": 2},
        "network": {"allow_private": False, "rate_limit_budget_s": 0},
        "storage": {"path": "audit.db"},
        "mail": {
            "from": "audit@acme.example",
            "to": ["ciso@acme.example"],
            "outbox": "outbox",
            "subject_prefix": "[audit]",
        },
        "schedules": [{"name": "nightly", "cron": "30 2 * * *", "timezone": "UTC", "jitter_s": 0}],
        "profiles": {"weekly": {"only": ["content"], "fail_on": "high", "description": "w"}},
    }


MAPPINGS: dict[str, type[BaseModel]] = {
    "": cfg.ConfigModel,
    "organization": cfg.OrganizationModel,
    "organization.agencies.0": cfg.AgencyModel,
    "accounts.0": cfg.AccountModel,
    "accounts.0.two_factor": cfg.AttestationModel,
    "domains.0": cfg.DomainModel,
    "launches.0": cfg.LaunchModel,
    "change_windows.0": cfg.ChangeWindowModel,
    "policy": cfg.PolicyModel,
    "sources": cfg.SourcesModel,
    "sources.directory": cfg.DirectorySource,
    "sources.vault": cfg.VaultSource,
    "sources.register": cfg.RegisterSource,
    "platforms.x": cfg.PlatformModel,
    "whois": cfg.WhoisModel,
    "network": cfg.NetworkModel,
    "storage": cfg.StorageModel,
    "mail": cfg.MailModel,
    "schedules.0": cfg.ScheduleModel,
    "profiles.weekly": cfg.ProfileModel,
}
"""Paths (dotted, list indexes as numbers) of the strict pydantic mappings in the base."""

REQUIRED = (
    ("", "organization"),
    ("organization", "name"),
    ("organization", "email_domains"),
    ("organization.agencies.0", "domains"),
    ("accounts.0", "platform"),
    ("accounts.0", "handle"),
    ("accounts.0.two_factor", "method"),
    ("accounts.0.two_factor", "attested_on"),
    ("domains.0", "name"),
    ("launches.0", "terms"),
    ("launches.0", "embargo_until"),
    ("change_windows.0", "fields"),
    ("change_windows.0", "starts"),
    ("sources.register", "csv"),
    ("mail", "from"),
    ("mail", "to"),
    ("schedules.0", "name"),
    ("schedules.0", "cron"),
    ("profiles.weekly", "only"),
)
"""(mapping path, key) pairs whose removal must be refused."""

TYPED = (
    "version",
    "organization",
    "organization.name",
    "organization.email_domains",
    "organization.agencies",
    "accounts",
    "accounts.0.platform",
    "accounts.0.handle",
    "accounts.0.two_factor",
    "accounts.0.expected_admins",
    "accounts.0.last_access_review",
    "accounts.0.tags",
    "domains.0.name",
    "domains.0.lookalikes",
    "launches.0.terms",
    "launches.0.embargo_until",
    "change_windows.0.fields",
    "policy",
    "policy.max_full_admins",
    "policy.password_min_score",
    "policy.posting_burst_factor",
    "policy.approved_apps",
    "policy.severity",
    "sources",
    "sources.directory.csv",
    "sources.vault",
    "platforms",
    "platforms.x",
    "platforms.x.base_url",
    "platforms.x.token",
    "platforms.x.retries",
    "whois.server",
    "network.allow_private",
    "network.rate_limit_budget_s",
    "storage.path",
    "mail.to",
    "mail.from",
    "schedules",
    "schedules.0.cron",
    "schedules.0.jitter_s",
    "profiles",
    "profiles.weekly.only",
)
"""Typed fields: any value of another JSON kind (mapping for a scalar, scalar for a list...)
must be refused."""

DATES = (
    "accounts.0.last_access_review",
    "accounts.0.two_factor.attested_on",
    "launches.0.embargo_until",
    "change_windows.0.starts",
    "change_windows.0.ends",
)
"""Date and date-time fields."""

STRINGS = (
    "organization.name",
    "organization.agencies.0.name",
    "accounts.0.handle",
    "accounts.0.owner_name",
    "accounts.0.vault_item",
    "accounts.0.tags.0",
    "launches.0.name",
    "launches.0.terms.0",
    "change_windows.0.reason",
    "policy.approved_apps.0",
    "brand_handles.0",
    "mail.subject_prefix",
    "profiles.weekly.description",
)
"""Free-text fields: hostile or huge strings there are valid-but-odd input."""

DIRECTORY = (
    "email,name,status,departed_on,two_sv_enrolled,aliases\n"
    "alice@acme.example,Alice,active,,true,a@acme.example\n"
    "ben@acme.example,Ben,departed,2026-08-31,true,\n"
    "carla@acme.example,Carla,suspended,,false,\n"
    "social@acme.example,Social,active,,,\n"
)
"""A valid people directory."""

REGISTER = (
    "platform,handle,post_id,text,approved_by,approved_on\n"
    "x,acme,1800000000000000101,,alice@acme.example,2026-11-10\n"
    "x,acme,,Our stores open late.,alice@acme.example,2026-11-14\n"
    "mastodon,acme@social.example,109000000000000101,,carla@acme.example,\n"
)
"""A valid approved-content register."""

ONEPASSWORD = (
    "Title,Url,Username,Password,OTPAuth,Favorite,Archived,Tags,Notes\n"
    "X - @acme,https://x.com,social@acme.example,correct horse battery staple 9,,false,false,,\n"
    "Mastodon,https://social.example,social@acme.example,Tr0ub4dor&3xyzzy,otpauth://totp/a,"
    "false,false,,\n"
)
"""A valid 1Password CSV export."""


def bitwarden_document() -> dict[str, Any]:
    """A valid unencrypted Bitwarden organization export."""
    items = []
    for index, (name, password) in enumerate(
        (("X - @acme", "correct horse battery staple 9"), ("Mastodon", "Tr0ub4dor&3xyzzy"))
    ):
        items.append(
            {
                "id": f"9b7d4c3e-0000-4000-8000-00000000000{index}",
                "type": 1,
                "name": name,
                "deletedDate": None,
                "revisionDate": "2026-09-14T10:02:11.000Z",
                "creationDate": "2021-03-02T09:00:00.000Z",
                "collectionIds": ["c1"],
                "passwordHistory": [{"lastUsedDate": "2026-09-14T10:02:11.000Z", "password": "o"}],
                "login": {
                    "username": "social@acme.example",
                    "password": password,
                    "totp": None,
                    "uris": [{"match": None, "uri": "https://x.com"}],
                },
            }
        )
    return {"encrypted": False, "collections": [{"id": "c1", "name": "Social"}], "items": items}


BITWARDEN = json.dumps(bitwarden_document(), indent=2)
"""The valid Bitwarden export as text."""
