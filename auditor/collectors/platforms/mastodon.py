"""Mastodon collector: an inventory account's profile, its rel=me verified links, its recent
statuses and, when a token is configured, whose token it is.

The handle is the full acct (``northwind@social.example``); requests go to the instance in
``platforms.mastodon.base_url`` or, when none is set, to ``https://<the acct's domain>``. The
client API does not expose roles, sessions or second factors, so ``roles`` stays ``None`` with a
note and the role and 2FA checks say ``not_verified``.

Statuses are read newest first (``max_id`` paging) back to the start of the content window on
every run, not only those after the previous run's ``cursor`` (``min_id``): carrying earlier posts
over from the last run would hide a post deleted or edited since (an edited post with a scam link
is a takeover pattern), so the window is re-read; ``cursor`` still records the newest id seen.

Every fetched string is hostile: notes and statuses are HTML, reduced here to plain text with the
standard library's tokenizer (script and style contents dropped, nothing interpreted), and links
are read from ``href`` attributes only (mentions and hashtags excluded).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any, Final

from auditor.collectors.base import CollectContext, Collector, CollectorOutput, FacetReads
from auditor.collectors.platforms.json_api import (
    OutputBuilder,
    digest,
    make_client,
)
from auditor.collectors.platforms.json_shapes import (
    as_list,
    as_object,
    flag,
    required_text,
    text,
    timestamp,
)
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    ErrorKind,
    MalformedResponse,
    PermissionMissing,
)
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, EvidenceItem, Post, Profile

if TYPE_CHECKING:
    import requests

    from auditor.config.loading import AppConfig
    from auditor.http.client import HttpClient, HttpShared

PLATFORM: Final = "mastodon"
"""Platform and source name."""
PAGE_SIZE = 40
"""Statuses per page (the API's maximum)."""
MAX_PAGES = 10
"""Pages of statuses read per account and run."""
ROLES_NOTE = "Mastodon's client API does not expose who can act as an account"
"""Why ``roles`` is None."""
_BLOCK_TAGS = frozenset({"p", "br", "div", "li", "blockquote", "pre"})
_SKIPPED_TAGS = frozenset({"script", "style"})
_NOT_LINKS = frozenset({"mention", "hashtag", "u-url"})


class _TextAndLinks(HTMLParser):
    """Collects visible text and link targets from an HTML fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIPPED_TAGS:
            self._skipping += 1
        if tag == "br":
            self.parts.append("\n")
        if tag != "a":
            return
        values = dict(attrs)
        classes = set((values.get("class") or "").split())
        href = (values.get("href") or "").strip()
        if href.startswith(("http://", "https://")) and not classes & _NOT_LINKS:
            self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS and self._skipping:
            self._skipping -= 1
        if tag in _BLOCK_TAGS and tag != "br":
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


@dataclass(frozen=True)
class HtmlText:
    """An HTML fragment reduced to plain text and the links it carries."""

    text: str
    """Visible text, paragraphs separated by newlines."""
    links: tuple[str, ...] = field(default=())
    """``href`` targets (http/https, no mentions or hashtags), in order, once each."""


def html_to_text(fragment: str) -> HtmlText:
    """Plain text and links of ``fragment``; nothing in it is executed or trusted."""
    parser = _TextAndLinks()
    parser.feed(fragment)
    parser.close()
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    return HtmlText("\n".join(line for line in lines if line), tuple(dict.fromkeys(parser.links)))


@dataclass(frozen=True)
class MastodonAccount:
    """What ``accounts/lookup`` says about one account."""

    id: str
    """Immutable account id."""
    state: AccountState
    """active, suspended or deactivated (moved away)."""
    profile: Profile
    """Public profile."""


def parse_account(payload: object) -> MastodonAccount:
    """Parse an Account (``accounts/lookup``, ``accounts/:id``, ``verify_credentials``)."""
    account = as_object(payload, "mastodon account")
    links: list[str] = []
    verified: list[str] = []
    for raw in as_list(account.get("fields") or [], "mastodon account fields"):
        item = as_object(raw, "mastodon account field")
        found = html_to_text(text(item, "value") or "").links
        links.extend(found)
        if text(item, "verified_at"):
            verified.extend(found)
    link = verified[0] if verified else None
    state = AccountState.ACTIVE
    if flag(account, "suspended"):
        state = AccountState.SUSPENDED
    elif account.get("moved"):
        state = AccountState.DEACTIVATED
    profile = Profile(
        display_name=text(account, "display_name"),
        bio=html_to_text(text(account, "note") or "").text,
        link=link,
        avatar_hash=digest(text(account, "avatar")),
        banner_hash=digest(text(account, "header")),
        extra_links=tuple(x for x in dict.fromkeys(links) if x != link),
    )
    return MastodonAccount(required_text(account, "id", "mastodon account"), state, profile)


def parse_statuses(payload: object) -> list[Post]:
    """Parse a page of Status objects (reblogs skipped: the brand did not write them)."""
    posts: list[Post] = []
    for raw in as_list(payload, "mastodon statuses"):
        status = as_object(raw, "mastodon status")
        if status.get("reblog"):
            continue
        created = timestamp(status.get("created_at"))
        if created is None:
            raise MalformedResponse("mastodon status: created_at is missing or unreadable")
        body = html_to_text(text(status, "content") or "")
        warning = text(status, "spoiler_text")
        card = status.get("card")
        card_url = text(card, "url") if isinstance(card, dict) else None
        application = status.get("application")
        posts.append(
            Post(
                id=required_text(status, "id", "mastodon status"),
                created_at=created,
                text=f"{warning}\n{body.text}" if warning else body.text,
                links=tuple(dict.fromkeys([*body.links, *([card_url] if card_url else [])])),
                is_reply=status.get("in_reply_to_id") is not None,
                source_app=text(application, "name") if isinstance(application, dict) else None,
                url=text(status, "url"),
            )
        )
    return posts


def newest_id(ids: Sequence[str]) -> str | None:
    """The newest of Mastodon's numeric-string ids (compared as numbers)."""
    numeric = [i for i in ids if i.isdigit()]
    return max(numeric, key=lambda i: (len(i), i)) if numeric else None


def instance_of(handle: str) -> str | None:
    """The instance domain of an acct (``user@social.example`` → ``social.example``)."""
    _, _, domain = handle.lstrip("@").partition("@")
    return domain.lower() or None


class InstanceUnknown(CollectionError):
    """The handle names no instance and no ``base_url`` is configured."""

    kind = ErrorKind.CONFIG


CAPABILITIES = Capabilities(
    source=PLATFORM,
    platforms=(
        PlatformCapability(
            PLATFORM,
            provides=frozenset({Facet.IDENTITY, Facet.TOKEN_OWNER, Facet.PROFILE, Facet.POSTS}),
            not_exposed={
                Facet.DISCOVERY: "Mastodon offers no listing of the accounts a company controls",
                Facet.ROLES: ROLES_NOTE,
                Facet.MEMBER_TWO_FACTOR: ROLES_NOTE,
                Facet.APPS: "Mastodon exposes no account's authorized apps to an auditor",
                Facet.TWO_FACTOR_POLICY: "Mastodon does not expose an account's second factor",
                Facet.OWNERSHIP: "Mastodon has no business ownership of accounts",
                Facet.REGISTRATION_EMAIL: "Mastodon does not expose the registration email",
            },
            token_owner=True,
        ),
    ),
)
"""What the Mastodon collector reads, and what Mastodon does not expose."""


class MastodonCollector(Collector):
    """Reads every inventory Mastodon account through the client of its instance."""

    name = PLATFORM
    capabilities = CAPABILITIES
    scopes = ("read:accounts", "read:statuses")

    def __init__(self, clients: Mapping[str | None, HttpClient], *, has_token: bool) -> None:
        self.clients = clients
        """Clients by instance domain; the ``None`` key serves every instance when set."""
        self.has_token = has_token
        """Whether a token is configured (then ``verify_credentials`` names its account)."""

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Read each account; one account's failure never stops the others."""
        harvest = OutputBuilder(self.name, self.capabilities)
        owners: dict[str, str | None] = {}
        for spec in ctx.estate.accounts:
            if spec.platform == PLATFORM:
                harvest.account(
                    spec, ctx.now, lambda s, reads: self.read_account(s, ctx, owners, reads)
                )
        return harvest.output(ctx.now, self.clients.values())

    def client_for(self, handle: str) -> HttpClient:
        """The client serving the acct's instance."""
        client = self.clients.get(None) or self.clients.get(instance_of(handle))
        if client is None:
            raise InstanceUnknown(
                f"mastodon: {handle} names no instance (write user@instance or set base_url)"
            )
        return client

    def read_account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        owners: dict[str, str | None],
        reads: FacetReads,
    ) -> list[EvidenceItem]:
        """Profile, recent statuses and the token's owner for one account."""
        client = self.client_for(spec.handle)
        account = parse_account(
            client.get_json("/api/v1/accounts/lookup", params={"acct": spec.handle.lstrip("@")})
        )
        posts: tuple[Post, ...] | None = None
        pinned: str | None = None
        if account.state is AccountState.ACTIVE:
            since = ctx.now - timedelta(days=ctx.policy.content_window_days)
            listed = reads.attempt(
                (Facet.POSTS,), lambda: self._statuses(client, account.id, since, reads)
            )
            posts = tuple(listed) if listed is not None else None
            pinned = reads.attempt((Facet.PROFILE,), lambda: self._pinned(client, account.id))
        token_owner = self._token_owner(client, owners, reads)
        evidence = AccountEvidence(
            platform=PLATFORM,
            handle=spec.handle,
            source=self.name,
            observed_at=ctx.now,
            state=account.state,
            account_id=account.id,
            token_account_id=token_owner,
            profile=replace(account.profile, pinned_post_id=pinned),
            posts=posts,
            roles=None,
            roles_note=ROLES_NOTE,
            cursor=newest_id([p.id for p in posts or ()]),
        )
        return [evidence]

    def _statuses(
        self, client: HttpClient, account_id: str, since: datetime, reads: FacetReads
    ) -> list[Post]:
        """Statuses newest first, page by page (``max_id``), until the window's start."""

        def older(page: Any, _response: requests.Response) -> Mapping[str, Any] | None:
            found = parse_statuses(page)
            ids = [str(item.get("id")) for item in page if isinstance(item, dict)]
            if len(ids) < PAGE_SIZE or (found and found[-1].created_at < since):
                return None
            return {"max_id": min(ids, key=lambda i: (len(i), i))}

        pages = client.paginate(
            f"/api/v1/accounts/{account_id}/statuses",
            params={"limit": PAGE_SIZE, "exclude_reblogs": "true"},
            next_params=older,
            max_pages=MAX_PAGES,
            on_truncated=reads.truncated(Facet.POSTS, "the statuses"),
        )
        return [post for page in pages for post in parse_statuses(page) if post.created_at >= since]

    def _pinned(self, client: HttpClient, account_id: str) -> str | None:
        page = client.get_json(
            f"/api/v1/accounts/{account_id}/statuses", params={"pinned": "true", "limit": 1}
        )
        pinned = parse_statuses(page)
        return pinned[0].id if pinned else None

    def _token_owner(
        self,
        client: HttpClient,
        owners: dict[str, str | None],
        reads: FacetReads,
    ) -> str | None:
        """The id of the account the token belongs to (one request per instance and run)."""
        if not self.has_token:
            reads.mark(
                (Facet.TOKEN_OWNER,),
                Completeness.unknown("no token is configured (platforms.mastodon.token)"),
            )
            return None
        if client.base_url not in owners:
            try:
                payload = client.get_json("/api/v1/accounts/verify_credentials")
                owners[client.base_url] = parse_account(payload).id
            except (AuthFailed, PermissionMissing) as exc:
                owners[client.base_url] = None
                reads.failed((Facet.TOKEN_OWNER,), exc)
                return None
        if owners[client.base_url] is None:
            reads.mark(
                (Facet.TOKEN_OWNER,),
                Completeness.unknown("verify_credentials was refused on this instance"),
            )
        return owners[client.base_url]


def from_config(config: AppConfig, shared: HttpShared | None = None) -> MastodonCollector | None:
    """The collector when the inventory lists a Mastodon account (None otherwise)."""
    handles = [a.handle for a in config.estate.accounts if a.platform == PLATFORM]
    if not handles:
        return None
    settings = config.model.platforms.get(PLATFORM)
    clients: dict[str | None, HttpClient] = {}
    if settings is not None and settings.base_url:
        clients[None] = make_client(config, PLATFORM, default_base_url="", shared=shared)
    else:
        for domain in {d for d in map(instance_of, handles) if d}:
            clients[domain] = make_client(
                config, PLATFORM, default_base_url=f"https://{domain}", shared=shared
            )
    return MastodonCollector(clients, has_token=bool(settings and settings.token))
