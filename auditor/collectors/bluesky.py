"""Bluesky collector: an inventory account's profile, its handle ⇄ DID identity, recent posts.

The AppView (``platforms.bluesky.base_url``, default ``https://public.api.bsky.app``) gives the
profile (``app.bsky.actor.getProfile``) and posts (``app.bsky.feed.getAuthorFeed``, paged by
``cursor`` back to the content window's start). The handle is then resolved independently, as
the AT Protocol spec asks: DNS TXT ``_atproto.<handle>`` (``did=...``, preferred) through a
:class:`TxtResolver`, else ``https://<handle>/.well-known/atproto-did``; and the DID document
(PLC directory for ``did:plc``, ``/.well-known/did.json`` for ``did:web``) must list
``at://<handle>`` first in ``alsoKnownAs``. A handle that fails this bidirectional check (or that
the AppView shows as ``handle.invalid``) is an identity problem: reported for that asset, never a
pass.

Where the identity lookups go is an :class:`IdentityEndpoints` value. With no ``base_url`` they
are the public ones (DNS over HTTPS JSON at Cloudflare); with a ``base_url`` (the sandbox, a
gateway) they are derived from it: ``<base>/handles/<handle>/.well-known/atproto-did``,
``<base>/plc/<did>``, ``<base>/dns-query``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final, Protocol
from urllib.parse import quote

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.community import (
    Harvest,
    JSONObject,
    as_list,
    as_object,
    digest,
    make_client,
    required_text,
    text,
    timestamp,
)
from auditor.config import PlatformModel
from auditor.errors import (
    CollectionError,
    ErrorKind,
    MalformedResponse,
    NetworkFailure,
    NotFound,
    PermissionMissing,
)
from auditor.estate import AccountSpec
from auditor.evidence import AccountEvidence, AccountState, EvidenceItem, Post, Profile
from auditor.http import HttpClient

if TYPE_CHECKING:
    from auditor.config import AppConfig
    from auditor.http import HttpShared

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
GONE_ERRORS: Mapping[str, AccountState] = {
    "InvalidRequest": AccountState.NOT_FOUND,
    "AccountTakedown": AccountState.SUSPENDED,
    "AccountDeactivated": AccountState.DEACTIVATED,
}
"""XRPC ``error`` codes of a 400 from ``getProfile`` and the account state each means."""
PIN_REASON = "app.bsky.feed.defs#reasonPin"
"""The feed ``reason`` of a pinned post (the account's own, unlike a repost)."""
_URL = re.compile(r"https?://[^\s<>\"')\]]+")


class TxtResolver(Protocol):
    """Looks up DNS TXT records."""

    def txt(self, name: str) -> tuple[str, ...] | None:
        """The TXT strings at ``name`` (``()`` when there are none); None when this resolver is
        not configured. Raises :class:`CollectionError` when the lookup fails."""
        ...


class NoResolver:
    """No DNS available: the TXT path is skipped (the HTTPS path still runs)."""

    def txt(self, name: str) -> tuple[str, ...] | None:
        """Always None (not configured)."""
        return None


class DohResolver:
    """DNS over HTTPS, JSON flavour (``?name=&type=TXT``, ``Accept: application/dns-json``)."""

    def __init__(self, client: HttpClient, url: str) -> None:
        self.client = client
        self.url = url

    def txt(self, name: str) -> tuple[str, ...] | None:
        """TXT strings at ``name``; NXDOMAIN is ``()``; other DNS failures raise."""
        payload = self.client.get_json(
            self.url,
            params={"name": name, "type": "TXT"},
            headers={"Accept": "application/dns-json"},
        )
        return parse_doh_txt(payload)


def parse_doh_txt(payload: object) -> tuple[str, ...]:
    """TXT strings of a DoH JSON answer (quotes and string splits removed)."""
    answer = as_object(payload, "dns answer")
    status = answer.get("Status")
    if status == 3:
        return ()
    if status != 0:
        raise MalformedResponse(f"dns: lookup failed with DNS status {status!r}")
    found: list[str] = []
    for raw in as_list(answer.get("Answer") or [], "dns answer records"):
        record = as_object(raw, "dns record")
        if record.get("type") == 16 and isinstance(record.get("data"), str):
            found.append(
                "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', record["data"])) or record["data"]
            )
    return tuple(found)


def did_from_txt(records: tuple[str, ...]) -> str | None:
    """The DID of the single ``did=`` record (several different ones: no answer)."""
    dids = {r.strip()[4:] for r in records if r.strip().startswith("did=")}
    return dids.pop() if len(dids) == 1 else None


def did_from_well_known(body: str) -> str | None:
    """The DID in an ``atproto-did`` body (one line, ``did:`` prefix)."""
    value = body.strip()
    return value if value.startswith("did:") and len(value) < 2048 and value.isprintable() else None


def handle_in_did_document(payload: object, handle: str) -> bool:
    """True when the DID document's first ``at://`` alias is ``at://<handle>``."""
    document = as_object(payload, "did document")
    aliases = [
        a for a in as_list(document.get("alsoKnownAs") or [], "alsoKnownAs") if isinstance(a, str)
    ]
    first = next((a for a in aliases if a.startswith("at://")), None)
    return first is not None and first[5:].rstrip("/").lower() == handle.lower()


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


@dataclass(frozen=True)
class IdentityEndpoints:
    """Where handle and DID lookups go."""

    well_known: str
    """``atproto-did`` URL template with ``{handle}``."""
    plc_directory: str
    """PLC directory base; the DID document of ``did:plc:x`` is ``<base>/did:plc:x``."""
    did_web: str
    """``did.json`` URL template with ``{host}`` for ``did:web`` DIDs."""
    doh: str | None
    """DNS-over-HTTPS JSON endpoint; None: TXT lookups are not configured."""

    @staticmethod
    def public() -> IdentityEndpoints:
        """The real internet's endpoints."""
        return IdentityEndpoints(
            well_known="https://{handle}/.well-known/atproto-did",
            plc_directory="https://plc.directory",
            did_web="https://{host}/.well-known/did.json",
            doh="https://cloudflare-dns.com/dns-query",
        )

    @staticmethod
    def under(base_url: str) -> IdentityEndpoints:
        """Every lookup served below ``base_url`` (the sandbox, a gateway)."""
        base = base_url.rstrip("/")
        return IdentityEndpoints(
            well_known=base + "/handles/{handle}/.well-known/atproto-did",
            plc_directory=base + "/plc",
            did_web=base + "/handles/{host}/.well-known/did.json",
            doh=base + "/dns-query",
        )


class IdentityProblem(CollectionError):
    """The handle and the DID do not resolve to each other."""

    kind = ErrorKind.NOT_FOUND


def _soft_failure(exc: CollectionError) -> bool:
    """An HTTPS well-known answer that only means "not published there"."""
    if isinstance(exc, NotFound | NetworkFailure | PermissionMissing):
        return True
    return exc.status is not None and 400 <= exc.status < 500 and exc.status != 429


class BlueskyCollector(Collector):
    """Reads every inventory Bluesky account (handle or DID in the inventory)."""

    name = PLATFORM
    scopes = ()

    def __init__(
        self,
        client: HttpClient,
        identity: HttpClient,
        endpoints: IdentityEndpoints,
        resolver: TxtResolver,
    ) -> None:
        self.client = client
        """The AppView client."""
        self.identity = identity
        """Token-less client for well-known, DID document and DNS lookups."""
        self.endpoints = endpoints
        self.resolver = resolver

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read each account; one account's failure never stops the others."""
        harvest = Harvest(self.name)
        for spec in ctx.estate.accounts:
            if spec.platform == PLATFORM:
                harvest.account(spec, ctx.now, lambda s: self.read_account(s, ctx))
        made = self.client.requests_made + self.identity.requests_made
        return harvest.output(ctx.now, made)

    def read_account(self, spec: AccountSpec, ctx: CollectContext) -> list[EvidenceItem]:
        """Profile, verified identity and posts of one account."""
        found = self._profile(spec.handle)
        if isinstance(found, AccountState) and spec.id and spec.id.startswith("did:"):
            recorded = self._profile(spec.id)
            if isinstance(recorded, BlueskyProfile):
                raise IdentityProblem(
                    f"bluesky: {spec.handle} no longer resolves to {recorded.did}, "
                    f"which now shows the handle {recorded.handle}"
                )
        if isinstance(found, AccountState):
            return [self._evidence(spec, ctx.now, found)]
        did = self.verified_did(spec.handle, found)
        since = ctx.now - timedelta(days=ctx.policy.content_window_days)
        posts = self._posts(found.did, since)
        evidence = self._evidence(spec, ctx.now, AccountState.ACTIVE)
        return [
            replace(
                evidence,
                account_id=did,
                profile=found.profile,
                posts=posts,
                cursor=posts[0].id if posts else None,
            )
        ]

    def verified_did(self, handle: str, found: BlueskyProfile) -> str:
        """The DID ``handle`` resolves to, checked both ways; :class:`IdentityProblem` if not."""
        if found.handle == INVALID_HANDLE or found.handle.lower() != handle.lower():
            raise IdentityProblem(
                f"bluesky: the handle {handle} does not verify for {found.did} "
                f"(the AppView shows {found.handle})"
            )
        did = self.resolve_handle(handle) or found.did
        try:
            document = self.identity.get_json(self._document_url(did))
        except NotFound:
            raise IdentityProblem(f"bluesky: no DID document for {did}") from None
        if not handle_in_did_document(document, handle):
            raise IdentityProblem(f"bluesky: the DID document of {did} does not claim {handle}")
        return did

    def resolve_handle(self, handle: str) -> str | None:
        """The DID published for ``handle`` in DNS (preferred) or at its HTTPS well-known."""
        records = self.resolver.txt(f"_atproto.{handle}")
        did = did_from_txt(records) if records else None
        if did:
            return did
        url = self.endpoints.well_known.format(handle=quote(handle, safe=""))
        try:
            return did_from_well_known(self.identity.get_text(url))
        except CollectionError as exc:
            if _soft_failure(exc):
                return None
            raise

    def _document_url(self, did: str) -> str:
        if did.startswith("did:plc:"):
            return f"{self.endpoints.plc_directory}/{quote(did, safe=':')}"
        if did.startswith("did:web:"):
            host = did.removeprefix("did:web:").split(":", 1)[0]
            return self.endpoints.did_web.format(host=quote(host, safe=""))
        raise IdentityProblem(f"bluesky: unsupported DID method in {did[:40]}")

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

    def _posts(self, did: str, since: datetime) -> tuple[Post, ...]:
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


def from_config(
    config: AppConfig,
    shared: HttpShared | None = None,
    resolver: TxtResolver | None = None,
) -> BlueskyCollector | None:
    """The collector when the inventory lists a Bluesky account (None otherwise)."""
    if not any(a.platform == PLATFORM for a in config.estate.accounts):
        return None
    settings = config.model.platforms.get(PLATFORM) or PlatformModel()
    endpoints = (
        IdentityEndpoints.under(settings.base_url)
        if settings.base_url
        else IdentityEndpoints.public()
    )
    client = make_client(config, PLATFORM, default_base_url=DEFAULT_BASE_URL, shared=shared)
    identity = HttpClient(
        PLATFORM,
        settings.model_copy(update={"token": None}),
        config.model.network,
        default_base_url=DEFAULT_BASE_URL,
        shared=client.shared,
    )
    if resolver is None:
        resolver = DohResolver(identity, endpoints.doh) if endpoints.doh else NoResolver()
    return BlueskyCollector(client, identity, endpoints, resolver)
