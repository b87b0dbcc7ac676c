"""Bluesky collector: an inventory account's profile, its handle ⇄ DID identity, recent posts.

The AppView (``platforms.bluesky.base_url``, default ``https://public.api.bsky.app``) gives the
profile (``app.bsky.actor.getProfile``) and posts (``app.bsky.feed.getAuthorFeed``, paged by
``cursor`` back to the content window's start). The handle is then verified independently, both
ways (:mod:`auditor.collectors.platforms.bluesky_identity`): the handle's DNS TXT or well-known record must
name the profile's DID, the DID document must claim the handle, and the AppView must not show
``handle.invalid``. The result is evidence, ``handle_verified`` (True or False; ``account_id`` is
the DID the handle's record names, else the profile's); a handle the AppView no longer serves
while the recorded DID still exists under another handle is ``not_found`` with
``handle_verified=False``. Only a lookup that could not be made (network, timeout, malformed, an
unsupported DID method) is a problem for that asset, with ``handle_verified`` left None. An
account the AppView does not know (HTTP 400 with the XRPC ``error`` code ``InvalidRequest``) is
``not_found``; ``AccountTakedown`` is ``suspended``, ``AccountDeactivated`` ``deactivated``.
Bluesky has no delegated roles, so ``roles`` stays ``None`` with a note.

With ``platforms.bluesky.token`` (the access token of one brand account's session),
``com.atproto.server.getSession`` at the account's PDS names the token's DID
(``token_account_id``) and, for that account, its login email (``registration_email``) and whether
email sign-in codes are on (``account_two_factor``; app passwords skip them). The token is sent
only to the PDS of an account whose verified DID is the one the inventory records.

Where the identity lookups go: with no ``base_url`` the public endpoints (DNS over HTTPS JSON at
Cloudflare, the PLC directory, the handle's own host); with a ``base_url`` (the sandbox, a
gateway) everything below it: ``<base>/handles/<handle>/.well-known/atproto-did``,
``<base>/plc/<did>``, ``<base>/dns-query``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final

from auditor.collectors.base import CollectContext, Collector, CollectorOutput, FacetReads
from auditor.collectors.platforms.bluesky_identity import (
    DohResolver,
    HandleVerifier,
    IdentityEndpoints,
    NoResolver,
    TxtResolver,
)
from auditor.collectors.platforms.json_api import (
    OutputBuilder,
    digest,
    make_client,
)
from auditor.collectors.platforms.json_shapes import (
    JSONObject,
    as_list,
    as_object,
    required_text,
    text,
    timestamp,
)
from auditor.config.loading import PlatformModel
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import AuthFailed, CollectionError, MalformedResponse
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, EvidenceItem, Post, Profile
from auditor.http.client import HttpClient

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpShared

PLATFORM: Final = "bluesky"
"""Platform and source name."""
DEFAULT_BASE_URL = "https://public.api.bsky.app"
"""The public AppView."""
INVALID_HANDLE = "handle.invalid"
"""What the AppView shows when a handle fails its bidirectional check."""
PAGE_SIZE = 100
"""Feed items per page (the API's maximum)."""
MAX_PAGES = 10
"""Feed pages read per account and run."""
ROLES_NOTE = "Bluesky accounts have no delegated roles; access is shared through app passwords"
"""Why ``roles`` is None."""
GONE_ERRORS: Mapping[str, AccountState] = MappingProxyType(
    {
        "InvalidRequest": AccountState.NOT_FOUND,
        "AccountTakedown": AccountState.SUSPENDED,
        "AccountDeactivated": AccountState.DEACTIVATED,
    }
)
"""XRPC ``error`` codes of a 400 from ``getProfile`` and the account state each means."""
PIN_REASON = "app.bsky.feed.defs#reasonPin"
"""The feed ``reason`` of a pinned post (the account's own, unlike a repost)."""
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


@dataclass(frozen=True)
class BlueskyProfile:
    """What ``getProfile`` says."""

    did: str
    """The account's DID."""
    handle: str
    """The handle the AppView shows (``handle.invalid`` when it does not verify)."""
    profile: Profile
    """Public profile."""


def parse_profile(payload: object) -> BlueskyProfile:
    """Parse ``app.bsky.actor.getProfile``."""
    data = as_object(payload, "bluesky profile")
    description = text(data, "description")
    pinned = data.get("pinnedPost")
    verification = data.get("verification")
    verified: bool | None = None
    verified_type: str | None = None
    if isinstance(verification, dict):
        verified = verification.get("verifiedStatus") == "valid"
        if verification.get("trustedVerifierStatus") == "valid":
            verified, verified_type = True, "trusted_verifier"
        elif verified:
            verified_type = "verified"
    profile = Profile(
        display_name=text(data, "displayName"),
        bio=description,
        avatar_hash=digest(text(data, "avatar")),
        banner_hash=digest(text(data, "banner")),
        pinned_post_id=text(pinned, "uri") if isinstance(pinned, dict) else None,
        verified=verified,
        verified_type=verified_type,
        extra_links=tuple(dict.fromkeys(_URL.findall(description or ""))),
    )
    return BlueskyProfile(
        did=required_text(data, "did", "bluesky profile"),
        handle=required_text(data, "handle", "bluesky profile"),
        profile=profile,
    )


def parse_feed(payload: object) -> tuple[list[Post], str | None]:
    """Parse one ``getAuthorFeed`` page: the account's own posts (reposts skipped), cursor."""
    page = as_object(payload, "bluesky feed")
    posts = [
        _post(as_object(item, "bluesky feed item"))
        for item in as_list(page.get("feed"), "bluesky feed")
        if not _reposted(item)
    ]
    return posts, text(page, "cursor")


def _reposted(item: object) -> bool:
    """A feed item shown because the account reposted it (pins are the account's own)."""
    reason = item.get("reason") if isinstance(item, dict) else None
    return isinstance(reason, dict) and reason.get("$type") != PIN_REASON


def _post(item: JSONObject) -> Post:
    view = as_object(item.get("post"), "bluesky post")
    record = as_object(view.get("record"), "bluesky post record")
    uri = required_text(view, "uri", "bluesky post")
    created = timestamp(record.get("createdAt")) or timestamp(view.get("indexedAt"))
    if created is None:
        raise MalformedResponse("bluesky post: createdAt is missing or unreadable")
    links = [
        str(feature["uri"])
        for facet in record.get("facets") or []
        if isinstance(facet, dict)
        for feature in facet.get("features") or []
        if isinstance(feature, dict) and isinstance(feature.get("uri"), str)
    ]
    embed = record.get("embed")
    external = embed.get("external") if isinstance(embed, dict) else None
    if isinstance(external, dict) and isinstance(external.get("uri"), str):
        links.append(external["uri"])
    author = view.get("author")
    did = text(author, "did") if isinstance(author, dict) else None
    return Post(
        id=uri,
        created_at=created,
        text=text(record, "text") or "",
        links=tuple(dict.fromkeys(links)),
        is_reply=isinstance(record.get("reply"), dict),
        url=f"https://bsky.app/profile/{did}/post/{uri.rsplit('/', 1)[-1]}" if did else None,
    )


_SESSION_FACETS = (Facet.TOKEN_OWNER, Facet.TWO_FACTOR_POLICY, Facet.REGISTRATION_EMAIL)
"""What only ``getSession`` tells, and only about the token's own account."""

CAPABILITIES = Capabilities(
    source=PLATFORM,
    platforms=(
        PlatformCapability(
            PLATFORM,
            provides=frozenset({Facet.IDENTITY, Facet.PROFILE, Facet.POSTS, *_SESSION_FACETS}),
            not_exposed={
                Facet.DISCOVERY: "Bluesky offers no listing of the accounts a company controls",
                Facet.ROLES: ROLES_NOTE,
                Facet.MEMBER_TWO_FACTOR: ROLES_NOTE,
                Facet.APPS: "Bluesky exposes no connected apps (app passwords are not listed)",
                Facet.OWNERSHIP: "Bluesky has no business ownership of accounts",
            },
            token_owner=True,
        ),
    ),
)
"""What the Bluesky collector reads, and what Bluesky does not expose."""


class BlueskyCollector(Collector):
    """Reads every inventory Bluesky account (handle or DID in the inventory)."""

    name = PLATFORM
    capabilities = CAPABILITIES
    scopes = ()

    def __init__(
        self, client: HttpClient, verifier: HandleVerifier, session: HttpClient | None = None
    ) -> None:
        self.client = client
        """The AppView client (no token)."""
        self.verifier = verifier
        """Handle ⇄ DID verification."""
        self.session = session
        """Client carrying the configured session token (``getSession``); None without one."""

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read each account; one account's failure never stops the others."""
        harvest = OutputBuilder(self.name, self.capabilities)
        sessions: dict[str, SessionFacts | CollectionError] = {}
        for spec in ctx.estate.accounts:
            if spec.platform == PLATFORM:
                harvest.account(
                    spec, ctx.now, lambda s, reads: self.read_account(s, ctx, sessions, reads)
                )
        return harvest.output(ctx.now, [self.client, self.verifier.client, self.session])

    def read_account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        sessions: dict[str, SessionFacts | CollectionError],
        reads: FacetReads,
    ) -> list[EvidenceItem]:
        """Profile, verified identity and posts of one account. A failed identity lookup
        (DNS over HTTPS, the PLC directory, a well-known answer, a 404 included) leaves the
        identity unknown, never the account not found; a failed feed leaves the posts unknown;
        what was read keeps its word."""
        found = self._profile(spec.handle)
        if isinstance(found, AccountState):
            return [self._unresolved(spec, ctx.now, found)]
        identity = self._identity(spec.handle, found, reads)
        since = ctx.now - timedelta(days=ctx.policy.content_window_days)
        posts = reads.attempt((Facet.POSTS,), lambda: self._posts(found.did, since, reads))
        # The token goes only to the PDS of an account whose identity matches the inventory.
        verified = identity is not None and identity.verified and identity.did == spec.id
        pds = identity.pds if identity is not None and verified else None
        facts = self._session(pds, sessions, reads) if pds else None
        if facts is None:
            reads.mark(_SESSION_FACETS, Completeness.unknown(self._no_session(reads, pds)))
        own = facts if facts is not None and identity and facts.did == identity.did else None
        if facts is not None and own is None:
            other = Completeness.unknown("the session token belongs to another account")
            reads.mark((Facet.TWO_FACTOR_POLICY, Facet.REGISTRATION_EMAIL), other)
        evidence = self._evidence(spec, ctx.now, AccountState.ACTIVE)
        return [
            replace(
                evidence,
                account_id=identity.did if identity else found.did,
                token_account_id=facts.did if facts else None,
                handle_verified=identity.verified if identity else None,
                profile=found.profile,
                posts=posts,
                account_two_factor=own.email_auth_factor if own else None,
                registration_email=own.email if own else None,
                cursor=posts[0].id if posts else None,
            )
        ]

    def _identity(
        self, handle: str, found: BlueskyProfile, reads: FacetReads
    ) -> HandleIdentity | None:
        """The two-way handle check, or None (identity unknown, a problem recorded) when a
        lookup could not be made: a helper's 404 is not the account being gone."""
        try:
            return self.verify(handle, found)
        except AuthFailed:
            raise
        except CollectionError as exc:
            reads.failed((Facet.IDENTITY,), exc)
            return None

    def _no_session(self, reads: FacetReads, pds: str | None) -> str:
        """Why the session facets are unknown for an account."""
        if self.session is None:
            return "no session token is configured (platforms.bluesky.token)"
        refused = reads.states.get(Facet.TOKEN_OWNER)
        if refused is not None and refused.reason:
            return refused.reason
        if pds is None:
            return "the session token is sent only to a verified account's PDS"
        return "getSession could not be read"

    def _unresolved(self, spec: AccountSpec, now: datetime, state: AccountState) -> AccountEvidence:
        """A handle the AppView does not serve: when the recorded DID still exists (under
        another handle), the handle no longer verifies for it."""
        evidence = self._evidence(spec, now, state)
        if state is not AccountState.NOT_FOUND or not spec.id or not spec.id.startswith("did:"):
            return evidence
        moved = isinstance(self._profile(spec.id), BlueskyProfile)
        return replace(evidence, handle_verified=False) if moved else evidence

    def verify(self, handle: str, found: BlueskyProfile) -> HandleIdentity:
        """Check ``handle`` both ways: its DNS/well-known record names the profile's DID, the
        DID document claims the handle, and the AppView does not show ``handle.invalid``. A
        lookup that could not be made raises :class:`CollectionError`."""
        did = self.verifier.resolve_handle(handle) or found.did
        shown_ok = found.handle != INVALID_HANDLE and found.handle.lower() == handle.lower()
        if not shown_ok or did != found.did:
            return HandleIdentity(did=did, verified=False, pds=None)
        document = self.verifier.check_document(did, handle)
        return HandleIdentity(did=did, verified=document.claims_handle, pds=document.pds)

    def _session(
        self, pds: str, sessions: dict[str, SessionFacts | CollectionError], reads: FacetReads
    ) -> SessionFacts | None:
        """The configured session at ``pds`` (once per PDS and run). A PDS that refuses the
        token (or fails) is recorded as a problem and leaves the session facets unknown."""
        if self.session is None:
            return None
        if pds not in sessions:
            try:
                payload = self.session.get_json(f"{pds}/xrpc/com.atproto.server.getSession")
                sessions[pds] = parse_session(payload)
            except CollectionError as exc:
                sessions[pds] = exc
        found = sessions[pds]
        if isinstance(found, CollectionError):
            reads.failed(_SESSION_FACETS, found)
            return None
        return found

    def _profile(self, actor: str) -> BlueskyProfile | AccountState:
        response = self.client.request(
            "GET",
            "/xrpc/app.bsky.actor.getProfile",
            params={"actor": actor},
            check_status=False,
        )
        if response.status_code == 400:
            body = as_object(self.client.parse_json(response), "bluesky error")
            state = GONE_ERRORS.get(str(body.get("error")))
            if state is not None:
                return state
        self.client.raise_for_status(response)
        return parse_profile(self.client.parse_json(response))

    def _posts(self, did: str, since: datetime, reads: FacetReads) -> tuple[Post, ...]:
        def older(page: Any, _response: object) -> Mapping[str, Any] | None:
            posts, cursor = parse_feed(page)
            if not cursor or not posts or posts[-1].created_at < since:
                return None
            return {"cursor": cursor}

        pages = self.client.paginate(
            "/xrpc/app.bsky.feed.getAuthorFeed",
            params={"actor": did, "limit": PAGE_SIZE},
            next_params=older,
            max_pages=MAX_PAGES,
            on_truncated=reads.truncated(Facet.POSTS, "the author feed"),
        )
        return tuple(p for page in pages for p in parse_feed(page)[0] if p.created_at >= since)

    def _evidence(self, spec: AccountSpec, now: datetime, state: AccountState) -> AccountEvidence:
        return AccountEvidence(
            platform=PLATFORM,
            handle=spec.handle,
            source=self.name,
            observed_at=now,
            state=state,
            roles=None,
            roles_note=ROLES_NOTE,
        )


@dataclass(frozen=True)
class HandleIdentity:
    """The outcome of the two-way handle check."""

    did: str
    """The DID the handle's DNS/well-known record names (the profile's DID when it names none)."""
    verified: bool
    """The handle and that DID name each other and the AppView shows the handle."""
    pds: str | None
    """The account's PDS URL when verified."""


@dataclass(frozen=True)
class SessionFacts:
    """What ``com.atproto.server.getSession`` says about the token's own account."""

    did: str
    """The session's account."""
    email: str | None
    """Its login email, lower-cased."""
    email_auth_factor: bool | None
    """Email sign-in codes on (Bluesky's only second factor; app passwords skip it)."""


def parse_session(payload: object) -> SessionFacts:
    """Parse ``com.atproto.server.getSession``."""
    session = as_object(payload, "bluesky session")
    email = text(session, "email")
    factor = session.get("emailAuthFactor")
    return SessionFacts(
        did=required_text(session, "did", "bluesky session"),
        email=email.lower() if email else None,
        email_auth_factor=factor if isinstance(factor, bool) else None,
    )


def identity_endpoints(settings: PlatformModel) -> IdentityEndpoints:
    """Where identity lookups go: below ``base_url`` when one is set (the sandbox, a gateway),
    else the public endpoints; ``platforms.bluesky.plc_directory`` and ``dns_resolver`` (a
    DNS-over-HTTPS JSON endpoint) replace those two in either case."""
    endpoints = (
        IdentityEndpoints.under(settings.base_url)
        if settings.base_url
        else IdentityEndpoints.public()
    )
    if settings.plc_directory:
        endpoints = replace(endpoints, plc_directory=settings.plc_directory.rstrip("/"))
    if settings.dns_resolver:
        endpoints = replace(endpoints, doh=settings.dns_resolver)
    return endpoints


def from_config(
    config: AppConfig,
    shared: HttpShared | None = None,
    resolver: TxtResolver | None = None,
) -> BlueskyCollector | None:
    """The collector when the inventory lists a Bluesky account (None otherwise)."""
    if not any(a.platform == PLATFORM for a in config.estate.accounts):
        return None
    settings = config.model.platforms.get(PLATFORM) or PlatformModel()
    endpoints = identity_endpoints(settings)
    public = HttpClient(
        PLATFORM,
        settings.model_copy(update={"token": None}),
        config.model.network,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
    )
    session = None
    if settings.token is not None:
        session = make_client(
            config, PLATFORM, default_base_url=DEFAULT_BASE_URL, shared=public.shared
        )
    if resolver is None:
        resolver = DohResolver(public, endpoints.doh) if endpoints.doh else NoResolver()
    return BlueskyCollector(public, HandleVerifier(public, endpoints, resolver), session)
