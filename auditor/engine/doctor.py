"""``brand-audit doctor``: what each configured credential can read, before a run finds out.

For every platform with a token in the config, one identity or token-introspection request:

- GitHub ``GET /user``: the login, and a classic token's scopes from the ``X-OAuth-Scopes``
  header (fine-grained tokens and GitHub Apps list none: their permissions cannot be read);
- Meta ``GET /{version}/debug_token``: the token's type, owner and ``scopes`` (reference 2.6);
- X ``GET /2/users/me``: whose token it is (X does not list a token's scopes; an app-only
  bearer token has no user and gets 403, which is not a fault: it reads public data);
- Mastodon ``GET /api/v1/accounts/verify_credentials``: whose token it is.

Each required scope the token lacks is printed with the checks it turns into ``not_verified``;
a token that is unset, empty or rejected is a missing credential. LinkedIn, YouTube and Bluesky
have no introspection a token can call on itself: they are listed as "cannot be read" (the
README's table says which scopes and roles to grant). Secrets are read per platform and never
printed.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from auditor.collectors.platforms import github, meta, x
from auditor.collectors.platforms.json_api import make_client
from auditor.collectors.platforms.meta_token import read_token
from auditor.config.loading import AppConfig, PlatformModel
from auditor.core.errors import CollectionError, ConfigError, PermissionMissing
from auditor.http.client import HttpShared

ROLE_CHECKS = (
    "access.departed-admin",
    "access.external-admin",
    "access.excess-admins",
    "access.single-admin",
    "access.new-admin",
    "access.role-escalation",
)
"""Checks that read an account's role holders."""

REQUIRED: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "github": {
            "read:org": ROLE_CHECKS,
            "admin:org": (
                "auth.2fa-missing",
                "auth.member-without-2fa",
                "access.unapproved-app",
            ),
        },
        "meta": {
            "business_management": (*ROLE_CHECKS, "auth.2fa-missing", "auth.member-without-2fa"),
            "pages_show_list": ("ownership.account-unreachable", "ownership.identity-mismatch"),
            "pages_read_engagement": (
                "content.scam-pattern",
                "content.suspicious-link",
                "content.embargo-leak",
                "content.unapproved-post",
            ),
            "pages_manage_metadata": ROLE_CHECKS,
            "instagram_basic": ("content.scam-pattern", "content.profile-changed"),
        },
    }
)
"""Per platform: each scope the audit needs and the checks that are not verified without it."""

IMPLIED: Mapping[str, frozenset[str]] = MappingProxyType(
    {"admin:org": frozenset({"read:org", "write:org"}), "write:org": frozenset({"read:org"})}
)
"""GitHub's scope hierarchy: a granted scope that includes others."""


@dataclass(frozen=True)
class Credential:
    """What one platform's token is and can read."""

    platform: str
    """The ``platforms`` key."""
    identity: str | None = None
    """Whose token it is (a login, a user or system-user id), when the platform says."""
    scopes: tuple[str, ...] | None = None
    """Granted scopes; None when the platform does not list them."""
    missing: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """Required scopes not granted, each with the checks it turns into not_verified."""
    problem: str | None = None
    """Why the token could not be used (unset, empty, rejected, unreachable)."""

    @property
    def failing(self) -> bool:
        """A required scope is missing or the token cannot be used."""
        return bool(self.missing) or self.problem is not None


def _missing(platform: str, granted: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    have = set(granted)
    for scope in granted:
        have |= IMPLIED.get(scope, frozenset())
    needed = REQUIRED.get(platform, {})
    return {scope: checks for scope, checks in needed.items() if scope not in have}


def _github(config: AppConfig) -> Credential:
    client = make_client(config, "github", default_base_url=github.DEFAULT_BASE_URL, shared=None)
    try:
        response = client.get("/user", headers={"Accept": "application/vnd.github+json"})
    finally:
        client.close()
    login = response.json().get("login")
    header = response.headers.get("X-OAuth-Scopes")
    if header is None:
        return Credential("github", str(login), None)
    scopes = tuple(s.strip() for s in header.split(",") if s.strip())
    return Credential("github", str(login), scopes, _missing("github", scopes))


def _shared(config: AppConfig) -> HttpShared:
    """The HTTP state of one probe (no response cache: introspection is never cached)."""
    return HttpShared.from_network(config.model.network)


def _meta(config: AppConfig) -> Credential:
    settings = config.model.platforms.get("meta") or PlatformModel()
    client = meta.from_settings(settings, config.model.network, _shared(config)).client
    version = "/" + (settings.version or meta.DEFAULT_VERSION).strip("/")
    try:
        facts, problems = read_token(client, version, settings.token)
    finally:
        client.close()
    if facts is None:
        why = problems[0].detail if problems else "debug_token gave no answer"
        return Credential("meta", problem=why)
    scopes = tuple(sorted(facts.scopes))
    identity = f"{facts.kind or 'token'} {facts.user_id or facts.profile_id or '?'}"
    return Credential("meta", identity, scopes, _missing("meta", scopes))


def _x(config: AppConfig) -> Credential:
    settings = config.model.platforms.get("x") or PlatformModel()
    client = x.from_settings(settings, config.model.network, _shared(config)).client
    token = settings.token.get_secret_value() if settings.token else ""
    try:  # the X collector hands its token to tweepy; this one request sends it itself
        data = client.get_json("/2/users/me", headers={"Authorization": f"Bearer {token}"})
    except PermissionMissing:  # an app-only bearer token has no user (reference 1.1)
        return Credential("x", "an app (app-only bearer: public reads only)", None)
    finally:
        client.close()
    user = data.get("data") if isinstance(data, dict) else None
    name = user.get("username") if isinstance(user, dict) else None
    return Credential("x", f"@{name}" if name else None, None)


def _mastodon(config: AppConfig) -> Credential:
    settings = config.model.platforms.get("mastodon") or PlatformModel()
    if not settings.base_url:
        return Credential("mastodon", problem="platforms.mastodon.base_url is not set")
    client = make_client(config, "mastodon", default_base_url=settings.base_url, shared=None)
    try:
        data = client.get_json("/api/v1/accounts/verify_credentials")
    finally:
        client.close()
    acct = data.get("acct") if isinstance(data, dict) else None
    return Credential("mastodon", f"@{acct}" if acct else None, None)


PROBES: Mapping[str, Callable[[AppConfig], Credential]] = MappingProxyType(
    {"github": _github, "meta": _meta, "x": _x, "mastodon": _mastodon}
)
"""The identity or introspection request of each platform that has one."""


def examine(config: AppConfig) -> list[Credential]:
    """One :class:`Credential` per configured platform token, in config order."""
    found: list[Credential] = []
    for name, settings in config.model.platforms.items():
        if settings.token is None:
            continue
        probe = PROBES.get(name)
        if probe is None:
            found.append(Credential(name))
            continue
        try:
            found.append(probe(config.with_secrets(f"platforms.{name}")))
        except ConfigError as exc:
            found.append(Credential(name, problem=exc.message))
        except CollectionError as exc:
            found.append(Credential(name, problem=f"{exc.kind.value}: {exc.detail}"))
    return found
