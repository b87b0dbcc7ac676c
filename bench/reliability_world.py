"""Generated sandbox worlds and matching configs for the reliability bench.

:func:`generate` writes a world file (X, Mastodon, YouTube and LinkedIn sections) with ``n``
brand accounts and the config that inventories them, pointed at a running sandbox's base URLs.
Every account carries planted risks (a crypto-scam post with a lookalike link, posts missing from
the approved-content register, a departed admin on LinkedIn) so most checks have something to
fail on; a result that flips to ``pass`` when evidence went missing is then visible. Each account
has identifiers that appear in every URL the collectors request for it (:attr:`GenAccount.tokens`)
so a request can be attributed to its account. ``hostile`` puts attacker markup into every fetched
text field; ``links`` adds extra profile and post links (for the SSRF item).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from auditor.core.models import Asset

PLATFORMS = ("x", "mastodon", "youtube", "linkedin")
"""Platforms the generated worlds use, in rotation."""

PROBE_TOKEN = "zzqv"
"""Brand handle for lookalike probes (its requests are attributed to no account)."""

SCAM = (
    "Giveaway! Send 0.1 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq and get 2x back: "
    "https://acme-giveaway.example/claim"
)
"""A planted takeover post."""


@dataclass(frozen=True)
class GenAccount:
    """One generated account."""

    platform: str
    """Config platform name."""
    handle: str
    """Inventory handle."""
    id: str
    """Platform id."""
    tokens: tuple[str, ...]
    """Strings that appear in (only) this account's request URLs."""

    @property
    def key(self) -> str:
        """The asset key results use."""
        return Asset.account(self.platform, self.handle).key


@dataclass
class Generated:
    """A generated world and its config."""

    world: Path
    """The world file."""
    accounts: list[GenAccount] = field(default_factory=list)
    """The inventory."""

    def by_platform(self, platform: str) -> list[GenAccount]:
        """Accounts of one platform."""
        return [a for a in self.accounts if a.platform == platform]


def _account(platform: str, i: int) -> GenAccount:
    if platform == "x":
        name, ident = f"relx{i:04d}", f"4242{i:04d}4242"
        return GenAccount("x", name, ident, (name, ident))
    if platform == "mastodon":
        name, ident = f"relm{i:04d}", f"5353{i:04d}5353"
        return GenAccount("mastodon", f"{name}@social.example", ident, (name, ident))
    if platform == "youtube":
        name = f"rely{i:04d}"
        return GenAccount("youtube", f"@{name}", f"UC{name}00000000000000", (name,))
    name = f"rell{i:04d}"
    return GenAccount("linkedin", name, f"97{i:04d}79", (name, f"97{i:04d}79"))


def _text(base: str, hostile: str | None) -> str:
    return f"{base} {hostile}" if hostile else base


def _x_user(a: GenAccount, i: int, hostile: str | None, links: Sequence[str]) -> dict[str, Any]:
    tweets: list[dict[str, Any]] = [
        {
            "id": f"77{i:04d}01777777777",
            "text": _text("Winter kits are here.", hostile),
            "created_at": "-3d",
            "source": _text("Publisher", hostile),
        },
        {"id": f"77{i:04d}02777777777", "text": SCAM, "created_at": "-2h"},
    ]
    for n, link in enumerate(links):
        tweets.append(
            {"id": f"77{i:04d}{10 + n:02d}777777777", "text": f"see {link}", "created_at": "-1h"}
        )
    return {
        "id": a.id,
        "username": a.handle,
        "name": _text(f"Acme {i}", hostile),
        "description": _text("Gear for every trail.", hostile),
        "url": links[0] if links else "https://acme.example",
        "created_at": "2015-01-01T00:00:00Z",
        "verified": False,
        "protected": False,
        "tweets": tweets,
    }


def _mastodon(a: GenAccount, i: int, hostile: str | None, links: Sequence[str]) -> dict[str, Any]:
    statuses: list[dict[str, Any]] = [
        {
            "id": f"88{i:04d}01888888888",
            "text": _text("Trail news.", hostile),
            "created_at": "-2d",
            "application": _text("Publisher", hostile),
        },
        {"id": f"88{i:04d}02888888888", "text": SCAM, "created_at": "-3h"},
    ]
    for n, link in enumerate(links):
        statuses.append(
            {"id": f"88{i:04d}{10 + n:02d}888888888", "text": f"see {link}", "created_at": "-1h"}
        )
    fields = [{"name": _text("Website", hostile), "url": link, "verified": False} for link in links]
    return {
        "id": a.id,
        "username": a.tokens[0],
        "display_name": _text(f"Acme {i}", hostile),
        "note": _text("Gear since 1998.", hostile),
        "fields": fields,
        "statuses": statuses,
    }


def _youtube(a: GenAccount, i: int, hostile: str | None) -> dict[str, Any]:
    return {
        "id": a.id,
        "handle": a.handle,
        "title": _text(f"Acme {i}", hostile),
        "description": _text("Trail guides.", hostile),
        "country": "US",
        "privacy": "public",
        "uploads": [
            {
                "id": f"vid{i:04d}a",
                "title": _text("Layering", hostile),
                "description": SCAM,
                "published": "-2d",
            },
        ],
    }


def _linkedin(a: GenAccount, i: int, hostile: str | None) -> dict[str, Any]:
    return {
        "id": int(a.id),
        "vanityName": a.handle,
        "localizedName": _text(f"Acme {i}", hostile),
        "localizedDescription": _text("Outdoor gear.", hostile),
        "localizedWebsite": "https://acme.example",
        "acls": [
            {"person": "urn:li:person:boss01", "role": "ADMINISTRATOR", "state": "APPROVED"},
            {"person": "urn:li:person:gone02", "role": "ADMINISTRATOR", "state": "APPROVED"},
        ],
        "posts": [{"id": f"urn:li:share:66{i:04d}66", "commentary": SCAM, "published": "-1d"}],
    }


def world_document(
    accounts: Sequence[GenAccount], *, hostile: str | None = None, links: Sequence[str] = ()
) -> dict[str, Any]:
    """The world file's content for ``accounts``."""
    x = [a for a in accounts if a.platform == "x"]
    masto = [a for a in accounts if a.platform == "mastodon"]
    yt = [a for a in accounts if a.platform == "youtube"]
    li = [a for a in accounts if a.platform == "linkedin"]
    index = {a.key: n for n, a in enumerate(accounts)}
    world: dict[str, Any] = {"faults": {"rules": []}}
    if x:
        users = [_x_user(a, index[a.key], hostile, links) for a in x]
        world["x"] = {"me": x[0].id, "users": users}
    if masto:
        world["mastodon"] = {
            "domain": "social.example",
            "token_account": masto[0].id,
            "accounts": [_mastodon(a, index[a.key], hostile, links) for a in masto],
        }
    if yt:
        world["youtube"] = {"channels": [_youtube(a, index[a.key], hostile) for a in yt]}
    if li:
        orgs = [_linkedin(a, index[a.key], hostile) for a in li]
        world["linkedin"] = {"me": "urn:li:person:boss01", "organizations": orgs}
    return world


def make_accounts(count: int, platforms: Sequence[str] = PLATFORMS) -> list[GenAccount]:
    """``count`` accounts spread over ``platforms`` in rotation."""
    return [_account(platforms[i % len(platforms)], i) for i in range(count)]


def config_document(
    accounts: Sequence[GenAccount],
    base_urls: Mapping[str, str],
    *,
    tokens: Mapping[str, str] | None = None,
    store: str = "audit.db",
    allow_private: bool = True,
    extra: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A config inventorying ``accounts`` against the sandbox at ``base_urls``; ``tokens``
    maps platform names to token values (``${ENV}`` references in the secrets item)."""
    used = sorted({a.platform for a in accounts})
    platforms = {
        name: {
            "base_url": base_urls[name],
            "token": (tokens or {}).get(name, "sandbox-token"),
            "retries": 2,
            "timeout_s": 2.0,
        }
        for name in used
    }
    doc: dict[str, Any] = {
        "version": 1,
        "organization": {"name": "Acme Outfitters", "email_domains": ["acme.example"]},
        "accounts": [
            {
                "platform": a.platform,
                "handle": a.handle,
                "id": a.id,
                "registered_email": "social@acme.example",
                "expected_admins": ["a@acme.example"],
                "last_access_review": "2026-11-01",
            }
            for a in accounts
        ],
        "brand_handles": [PROBE_TOKEN],
        "policy": {"allowed_link_domains": ["acme.example"]},
        "platforms": platforms,
        "network": {"allow_private": allow_private, "rate_limit_budget_s": 3},
        "storage": {"path": store},
    }
    doc.update(extra or {})
    return doc


def write_yaml(path: Path, doc: Any) -> Path:
    """Write ``doc`` as YAML to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path
