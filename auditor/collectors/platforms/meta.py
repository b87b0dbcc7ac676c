"""The Meta collector: the company's Business Manager, its Facebook pages and Instagram accounts.

Reads the Graph API (``platforms.meta.base_url``, default ``https://graph.facebook.com``, version
``platforms.meta.version``, default ``v21.0``) with the business id ``platforms.meta.business_id``.
Once per run: the business node (its ``two_factor_type`` policy), ``business_users`` (role,
email, ``two_fac_status``), ``system_users``, and which pages and Instagram accounts it owns
(``owned_pages``, ``owned_instagram_accounts``) or only accesses for a client (``client_pages``,
``client_instagram_assets``: ``owned_by_company`` False), with their profile fields (so a
listed page costs no node request of its own). Every one of them is also reported as a
:class:`~auditor.core.evidence.DiscoveredAccount`. These seven reads run side by side; one that fails
is reported (a source-level problem) and leaves what it tells unknown (no business users: page
roles unknown, never a partial list) without stopping the accounts.

Per Facebook page (inventory platform ``meta``): profile fields, ``assigned_users`` with their
tasks (``MANAGE`` is full admin; joined with the business users for email and 2FA; business
ADMINs hold full control of owned pages too), system users with tasks as connected apps, and
``published_posts`` of the content window with ``admin_creator`` as the publishing source.
Per Instagram account: profile and ``media``. Instagram has no account-level role list. Posts of
the window are read newest first, page by page, only until the page that reaches the previous
run's newest post; a carried post is kept when those pages list it, dropped when it is missing
although newer than the oldest listed, and otherwise asked with ``GET /?ids=...&fields=id`` (50
ids a request; Graph fails the whole batch when one id is gone, and then asks each id alone).

With a token, ``debug_token`` is read first (:mod:`auditor.collectors.platforms.meta_token`): the scopes it
lacks become ``missing_scopes``; a Page's ``token_account_id`` is the Page id when the token is
proven to act on it (else None); ``is_valid: false`` fails the source.

Graph errors are mapped by ``error.code``: 190 auth, 10 and 200-299 permission, 4/17/32/613 and
80001-80014 rate limit, 100 with subcode 33 or 803 unknown object (not found), 1/2 transient (server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from functools import partial
from typing import Any

import requests

from auditor.collectors.base import CollectContext, FacetReads
from auditor.collectors.platforms.collector import (
    CarriedPosts,
    PlatformCollector,
    concurrently,
    links_in,
    url_digest,
    window_floor,
)
from auditor.collectors.platforms.json_shapes import object_or_empty, text, value_at
from auditor.collectors.platforms.meta_graph import (
    BusinessReads,
    assigned_user,
    attempt,
    business_admin,
    business_user,
    graph_error,
    ig_post,
    page_post,
    page_profile,
    tasks_of,
)
from auditor.collectors.platforms.meta_token import lacking, read_token
from auditor.config.loading import NetworkModel, PlatformModel
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    ErrorKind,
    MalformedResponse,
    NotFound,
    PermissionMissing,
)
from auditor.core.estate import AccountSpec
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    ConnectedApp,
    DiscoveredAccount,
    EvidenceItem,
    Post,
    Profile,
    RoleHolder,
    TwoFactorPolicy,
)
from auditor.core.models import SourceProblem
from auditor.http.client import HttpClient, HttpShared

CONFIG_NAME = "meta"
PLATFORMS = ("meta", "instagram", "meta_business")
DEFAULT_BASE_URL = "https://graph.facebook.com"
DEFAULT_VERSION = "v21.0"
PAGE_FIELDS = (
    "id,name,username,about,description,website,link,picture{url},cover{source},"
    "verification_status,instagram_business_account,owner_business"
)
IG_FIELDS = "id,username,name,biography,website,profile_picture_url"
TWO_FACTOR = {"none": "none", "admin_required": "admins", "all_required": "all"}


_HOLDINGS = {
    "owned_pages": PAGE_FIELDS,
    "client_pages": PAGE_FIELDS,
    "owned_instagram_accounts": IG_FIELDS,
    "client_instagram_assets": IG_FIELDS,
}
"""Business edges listing the pages and IG accounts it holds, with the fields read from each."""
ROLES_UNREAD_NOTE = "the business users could not be read, so the page's roles are incomplete"
IG_ROLES_NOTE = "Instagram exposes no account-level roles; access follows the linked Page"
PAGE_OWNER_NOTE = (
    "the configured token is not proven to act on this Page: its own Page token in "
    "accounts[].credentials.token would verify it"
)

_PAGE_HOLDINGS = ("owned_pages", "client_pages")
_IG_HOLDINGS = ("owned_instagram_accounts", "client_instagram_assets")

CAPABILITIES = Capabilities(
    source="meta",
    platforms=(
        PlatformCapability(
            "meta",
            provides=frozenset(
                {
                    Facet.IDENTITY,
                    Facet.TOKEN_OWNER,
                    Facet.PROFILE,
                    Facet.POSTS,
                    Facet.ROLES,
                    Facet.MEMBER_TWO_FACTOR,
                    Facet.APPS,
                    Facet.TWO_FACTOR_POLICY,
                    Facet.OWNERSHIP,
                }
            ),
            not_exposed={
                Facet.REGISTRATION_EMAIL: "Meta does not tell which email a Page is registered to"
            },
            discovery=True,
            token_owner=True,
        ),
        PlatformCapability(
            "instagram",
            provides=frozenset(
                {
                    Facet.IDENTITY,
                    Facet.PROFILE,
                    Facet.POSTS,
                    Facet.TWO_FACTOR_POLICY,
                    Facet.OWNERSHIP,
                }
            ),
            not_exposed={
                Facet.ROLES: IG_ROLES_NOTE,
                Facet.MEMBER_TWO_FACTOR: IG_ROLES_NOTE,
                Facet.APPS: "Instagram exposes no connected apps per account",
                Facet.TOKEN_OWNER: "Instagram tokens act through the linked Page",
                Facet.REGISTRATION_EMAIL: "Instagram does not expose the registration email",
            },
            discovery=True,
        ),
    ),
)
"""What the Meta collector reads, and what Meta does not expose."""


class HoldingsUnread(CollectionError):
    """An inventory account without an id that the business's holdings, read only in part,
    do not name: unknown, not gone (its kind is the failed edge's, else ``server``)."""

    kind = ErrorKind.SERVER


class MetaCollector(PlatformCollector[BusinessReads]):
    """Facebook pages and Instagram accounts through the Graph API."""

    name = "meta"
    platforms = PLATFORMS
    capabilities = CAPABILITIES
    verify_batch = 50
    scopes = (
        "business_management",
        "pages_show_list",
        "pages_read_engagement",
        "pages_manage_metadata",
        "instagram_basic",
    )

    def __init__(self, client: HttpClient, settings: PlatformModel) -> None:
        super().__init__(client, concurrency=settings.concurrency)
        self.version = "/" + (settings.version or DEFAULT_VERSION).strip("/")
        self.business_id = settings.business_id
        self._token = settings.token

    def _edge(
        self,
        node: str,
        edge: str,
        params: Mapping[str, Any],
        on_truncated: Callable[[int], None],
    ) -> Iterator[dict[str, Any]]:
        for page in self._pages(node, edge, params, on_truncated):
            yield from page

    def _pages(
        self,
        node: str,
        edge: str,
        params: Mapping[str, Any],
        on_truncated: Callable[[int], None],
    ) -> Iterator[list[dict[str, Any]]]:
        """The items of each page of an edge, page by page (read lazily)."""

        def step(page: Any, _r: requests.Response) -> Mapping[str, Any] | None:
            after = text(page, "paging", "cursors", "after")
            return {"after": after} if value_at(page, "paging", "next") and after else None

        for page in self.client.paginate(
            f"{self.version}/{node}/{edge}",
            next_params=step,
            params={"limit": 100, **params},
            on_truncated=on_truncated,
        ):
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise MalformedResponse(f"meta: {edge} page without a data list")
            yield [item for item in page["data"] if isinstance(item, dict) and "id" in item]

    def begin(
        self, ctx: CollectContext
    ) -> tuple[BusinessReads, list[EvidenceItem], list[SourceProblem]]:
        """Read the business: policy, people, and which pages and IG accounts it holds."""
        run = BusinessReads()
        run.token, token_problems = read_token(self.client, self.version, self._token)
        if not self.business_id:
            run.missing.append("business_id (platforms.meta.business_id)")
            return run, [], token_problems
        problems = token_problems + self._read_business(run)
        discovered = self._discovered(run, ctx)
        return run, list(discovered), problems

    def _read_business(self, run: BusinessReads) -> list[SourceProblem]:
        """The business node and its six edges, side by side. One that cannot be read leaves
        what it tells unknown (and is reported) without stopping the rest."""
        bid = str(self.business_id)

        def edge(name: str, fields: str) -> Callable[[], list[dict[str, Any]]]:
            return lambda: list(
                self._edge(bid, name, {"fields": fields}, partial(run.truncated, name))
            )

        jobs: dict[str, Callable[[], Any]] = {
            "business": lambda: self.client.get_json(
                f"{self.version}/{bid}",
                params={"fields": "id,name,two_factor_type,verification_status"},
            ),
            "business_users": edge("business_users", "id,name,email,role,two_fac_status"),
            "system_users": edge("system_users", "id,name,role"),
            **{name: edge(name, fields) for name, fields in _HOLDINGS.items()},
        }
        found = concurrently(
            {k: partial(attempt, job) for k, job in jobs.items()}, self.concurrency
        )
        problems: list[SourceProblem] = []
        for name, (_, error) in found.items():
            if error is not None:
                run.unread(name, error)
            if isinstance(error, PermissionMissing):
                if "business_management" not in run.missing:
                    run.missing.append("business_management")
            elif error is not None:
                problems.append(SourceProblem(error.kind.value, error.detail, None))
        run.business = (
            object_or_empty(found["business"][0]) if found["business"][1] is None else None
        )
        run.business_error = found["business"][1]
        if found["business_users"][1] is None:
            run.users = {str(u["id"]): u for u in found["business_users"][0]}
            run.people_known = True
        run.system_users = {str(u["id"]): u for u in found["system_users"][0] or ()}
        run.system_ids = set(run.system_users)
        run.system_users_known = found["system_users"][1] is None
        run.holdings_known = all(found[name][1] is None for name in _HOLDINGS)
        for name in _HOLDINGS:
            table = run.owned if name.startswith("owned") else run.client
            for node in found[name][0] or ():
                table[str(node["id"])] = {**node, "via": f"meta {name}"}
        return problems

    def _discovered(self, run: BusinessReads, ctx: CollectContext) -> Iterator[DiscoveredAccount]:
        for table in (run.owned, run.client):
            for node_id, node in table.items():
                platform = "instagram" if "instagram" in node["via"] else "meta"
                handle = str(node.get("username") or node.get("name") or node_id)
                yield DiscoveredAccount(platform, handle, node_id, node["via"], ctx.now)

    def existing_posts(self, ids: Sequence[str], state: BusinessReads) -> Mapping[str, bool]:
        """``GET /?ids=a,b&fields=id`` (50 a request). Graph fails the whole request when one
        id no longer exists (803, or 100/33), so then each id is asked alone: a NotFound
        answer is a deleted post."""
        try:
            payload = self.client.get_json(
                f"{self.version}/", params={"ids": ",".join(ids), "fields": "id"}
            )
        except NotFound:
            return {post_id: self._exists(post_id) for post_id in ids}
        found = object_or_empty(payload)
        return {post_id: True for post_id in ids if isinstance(found.get(post_id), dict)}

    def _exists(self, post_id: str) -> bool:
        try:
            self.client.get_json(f"{self.version}/{post_id}", params={"fields": "id"})
        except NotFound:
            return False
        return True

    def discovery(self, state: BusinessReads) -> Mapping[str, Completeness]:
        """Pages and Instagram accounts: as complete as the business edges that list them."""
        if not self.business_id:
            reason = "no business id is configured (platforms.meta.business_id)"
            return {p: Completeness.unknown(reason) for p in PLATFORMS}
        return {
            "meta": state.holdings(_PAGE_HOLDINGS),
            "instagram": state.holdings(_IG_HOLDINGS),
        }

    def account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: BusinessReads,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        """One Facebook page, Instagram account, or the business itself."""
        if spec.platform == "meta_business":
            return self._business(spec, ctx, state, reads)
        node_id, owned = state.find(spec, "username")
        edges = _IG_HOLDINGS if spec.platform == "instagram" else _PAGE_HOLDINGS
        listed = state.holdings(edges)
        if node_id is None:
            if not listed.is_complete:
                # Meta never said the account is gone: the listing that would name it was not
                # read in full, so the account is unknown (never not_found)
                unread = HoldingsUnread(
                    f"meta: {spec.handle} has no id and the business's holdings were not read "
                    f"in full ({listed.reason})"
                )
                cause = next((state.errors[e] for e in edges if e in state.errors), None)
                if cause is not None:
                    unread.kind = cause.kind  # the edge's own failure (rate limit, 5xx ...)
                raise unread
            raise NotFound(f"meta: {spec.handle} is not held by the business and has no id")
        if owned is None:
            reason = (
                listed.reason
                if not listed.is_complete
                else "the business neither owns nor accesses it"
            )
            reads.mark((Facet.OWNERSHIP,), Completeness.unknown(reason or "holdings unread"))
        history = history.for_account(node_id)
        if spec.platform == "instagram":
            return self._instagram(
                spec, ctx, state, node_id, owned=owned, history=history, reads=reads
            )
        return self._page(spec, ctx, state, node_id, owned=owned, history=history, reads=reads)

    def _policy(
        self, state: BusinessReads, owned: bool | None, reads: FacetReads
    ) -> TwoFactorPolicy | None:
        kind = text(state.business, "two_factor_type")
        if state.business is None:
            reason = state.reason("business", "the business node could not be read")
            reads.mark((Facet.TWO_FACTOR_POLICY,), Completeness.unknown(reason))
            return None
        if not owned:
            why = "the business does not own it" if owned is False else "its owner is unknown"
            reads.mark(
                (Facet.TWO_FACTOR_POLICY,),
                Completeness.unknown(f"{why}: its owner's second-factor policy is not visible"),
            )
            return None
        if kind not in TWO_FACTOR:
            reads.mark(
                (Facet.TWO_FACTOR_POLICY,),
                Completeness.unknown("the business gave no known two_factor_type"),
            )
            return None
        return TwoFactorPolicy(required_for=TWO_FACTOR[kind], source_field="two_factor_type")

    def _page(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: BusinessReads,
        page_id: str,
        *,
        owned: bool | None,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        page = state.node(page_id) or object_or_empty(
            self.client.get_json(f"{self.version}/{page_id}", params={"fields": PAGE_FIELDS})
        )
        if owned is None and state.holdings_known:  # not listed by the business: whose is it?
            owned = self._owner_business(page)
        held = self._held(spec, ctx)
        missing = state.missing + lacking(state.token, "meta", page_id)
        roles: tuple[RoleHolder, ...] | None = None
        apps: tuple[ConnectedApp, ...] | None = None
        note: str | None = ROLES_UNREAD_NOTE
        role_facets = (Facet.ROLES, Facet.MEMBER_TWO_FACTOR, Facet.APPS)
        if state.people_known:
            try:
                # a page that names its business in the inventory: the business's admins are
                # checked on the business asset, once, not repeated on every page it holds
                roles, apps = self._roles(state, page_id, owned and not held, reads)
                note = None
            except (AuthFailed, NotFound):
                raise
            except PermissionMissing as exc:
                missing.append("pages_manage_metadata")
                note = "the token lacks pages_manage_metadata"
                reads.lacks(role_facets, exc)
            except CollectionError as exc:
                note = f"the page's roles could not be read ({exc.kind.value})"
                reads.failed(role_facets, exc)
            if roles is not None and owned is None and not held:
                # business ADMINs control every page the business owns; ownership unknown, so
                # whether they belong to this page's roles is unknown too
                reason = "business-level roles unknown: " + (
                    facet_reason(reads, Facet.OWNERSHIP) or "ownership unknown"
                )
                reads.mark((Facet.ROLES, Facet.MEMBER_TWO_FACTOR), Completeness.partial(reason))
            people = state.gaps.get("business_users")
            if people is not None:
                reads.mark((Facet.ROLES, Facet.MEMBER_TWO_FACTOR), people)
            system = state.gaps.get("system_users")
            if system is not None:
                reason = f"system users unknown ({system.reason})"
                reads.mark((Facet.APPS,), Completeness.partial(reason))
        else:
            reason = state.reason("business_users", ROLES_UNREAD_NOTE)
            reads.mark(role_facets, Completeness.unknown(reason))
        if state.token is None:
            reads.mark((Facet.TOKEN_OWNER,), Completeness.unknown("debug_token was not read"))
        posts, cursor = self._posts(
            ctx, history, f"{page_id}/published_posts", page_post, state=state, reads=reads
        )
        token_id, token_facet = self._page_token_owner(spec, state, page_id)

        return self.evidence(
            spec,
            ctx,
            AccountState.ACTIVE,
            account_id=text(page, "id") or page_id,
            token_account_id=token_id,
            facets={Facet.TOKEN_OWNER: token_facet},
            profile=page_profile(page),
            posts=posts,
            roles=roles,
            roles_note=note,
            apps=apps,
            two_factor_policy=(
                self._held_policy(reads) if held else self._policy(state, owned, reads)
            ),
            owned_by_company=owned,
            owner_name=text(page, "owner_business", "name")
            or (text(state.business, "name") if owned else None),
            missing_scopes=tuple(dict.fromkeys(missing)),
            cursor=cursor,
        )

    def _business(
        self, spec: AccountSpec, ctx: CollectContext, state: BusinessReads, reads: FacetReads
    ) -> AccountEvidence:
        """The Business portfolio as an asset of its own: its people (``business_users``: ADMIN
        is full control), its system users as apps, and its ``two_factor_type``. Only the
        configured ``platforms.meta.business_id`` is read (its edges are read once per run)."""
        if not self.business_id:
            raise PermissionMissing(
                "meta: platforms.meta.business_id is not set, so the business is not read",
                scope="business_id (platforms.meta.business_id)",
            )
        if spec.id is not None and spec.id != self.business_id:
            raise PermissionMissing(
                f"meta: business {spec.id} is not platforms.meta.business_id, so it is not read",
                scope="business_management",
            )
        if state.business is None:
            raise state.business_error or MalformedResponse("meta: the business node is unread")
        roles = (
            tuple(business_user(uid, user) for uid, user in state.users.items())
            if state.people_known
            else None
        )
        apps = tuple(
            ConnectedApp(
                sid, str(user.get("name") or sid), (role,), role == "ADMIN", role == "ADMIN"
            )
            for sid, user in state.system_users.items()
            for role in [str(user.get("role") or "EMPLOYEE")]
        )
        status = text(state.business, "verification_status")
        business_facets: dict[Facet, Completeness] = {
            Facet.IDENTITY: Completeness.complete(),
            Facet.PROFILE: Completeness.complete(),
            Facet.ROLES: Completeness.complete()
            if roles is not None
            else Completeness.unknown("business_users could not be read"),
            Facet.MEMBER_TWO_FACTOR: _member_two_factor(roles),
            Facet.APPS: Completeness.complete()
            if state.system_users_known
            else Completeness.unknown("system_users could not be read"),
            Facet.TWO_FACTOR_POLICY: Completeness.complete()
            if text(state.business, "two_factor_type") in TWO_FACTOR
            else Completeness.unknown("two_factor_type was not returned"),
            Facet.POSTS: Completeness.not_exposed("meta business"),
            Facet.OWNERSHIP: Completeness.not_exposed("meta business"),
            Facet.TOKEN_OWNER: Completeness.not_exposed("meta business"),
        }
        return self.evidence(
            spec,
            ctx,
            AccountState.ACTIVE,
            account_id=text(state.business, "id") or self.business_id,
            profile=Profile(
                display_name=text(state.business, "name"),
                verified=None if status is None else status == "verified",
                verified_type=status,
            ),
            roles=roles,
            roles_note=None if roles is not None else ROLES_UNREAD_NOTE,
            apps=apps if state.system_users_known else None,
            two_factor_policy=self._policy(state, True, reads),
            owner_name=text(state.business, "name"),
            missing_scopes=tuple(dict.fromkeys(state.missing)),
            facets=business_facets,
        )

    def _owner_business(self, page: Mapping[str, Any]) -> bool | None:
        """Whether the page's own ``owner_business`` is the configured business (a page the
        business edges did not list: held elsewhere, e.g. in an agency's business); None when
        the page does not say or no business is configured."""
        owner = text(page, "owner_business", "id")
        if owner is None or not self.business_id:
            return None
        return owner == self.business_id

    def _held(self, spec: AccountSpec, ctx: CollectContext) -> bool:
        """True when the business that holds ``spec`` is an inventory asset of its own (the
        account names it, or the inventory lists the configured business): its admins and 2FA
        requirement are then checked on the business, once, not repeated on the account."""
        return spec.business is not None or any(
            a.platform == "meta_business" and a.id in (None, self.business_id)
            for a in ctx.estate.accounts
        )

    def _page_token_owner(
        self, spec: AccountSpec, state: BusinessReads, page_id: str
    ) -> tuple[str | None, Completeness]:
        """The Page a token speaks for: the account's own Page token (``accounts[].credentials
        .token``: ``GET /me`` with it is the Page), else the configured token when
        ``debug_token`` proves it acts on this Page; unknown otherwise, naming the credential
        that would tell."""
        own = self.account_credentials.get(spec.asset.key)
        if own is not None and own.token is not None:
            try:
                me = self.client.get_json(
                    f"{self.version}/me",
                    params={"fields": "id,name"},
                    headers={"Authorization": f"Bearer {own.token.get_secret_value()}"},
                )
            except CollectionError as exc:
                return None, Completeness.unknown(
                    f"/me with the Page token failed ({exc.kind.value})"
                )
            found = text(me, "id")
            if found is None:
                return None, Completeness.unknown("/me with the Page token named no Page")
            return found, Completeness.complete()
        if state.token and state.token.acts_on(page_id):
            return page_id, Completeness.complete()
        return None, Completeness.unknown(PAGE_OWNER_NOTE)

    @staticmethod
    def _held_policy(reads: FacetReads) -> None:
        """A page or Instagram account whose business is an inventory asset: the business's
        second-factor requirement is judged on the business asset, once, not on each page."""
        reads.mark(
            (Facet.TWO_FACTOR_POLICY,),
            Completeness.not_exposed("meta on the page: the business asset that holds it"),
        )

    def _roles(
        self, state: BusinessReads, page_id: str, owned: bool | None, reads: FacetReads
    ) -> tuple[tuple[RoleHolder, ...], tuple[ConnectedApp, ...]]:
        params = {"fields": "id,name,user_type,tasks"}
        if self.business_id:
            params["business"] = str(self.business_id)
        holders: dict[str, RoleHolder] = {}
        apps: list[ConnectedApp] = []
        listing = reads.truncated(Facet.ROLES, "assigned_users")
        for user in self._edge(page_id, "assigned_users", params, listing):
            holder = assigned_user(user, state.users, state.system_ids)
            holders[holder.person_id] = holder
            if holder.is_system:
                tasks = tuple(tasks_of(user))
                apps.append(
                    ConnectedApp(
                        holder.person_id,
                        holder.name or holder.person_id,
                        tasks,
                        "CREATE_CONTENT" in tasks or "MANAGE" in tasks,
                        "MANAGE" in tasks,
                    )
                )
        if owned:
            for user_id, user in state.users.items():
                if text(user, "role") == "ADMIN" and user_id not in holders:
                    holders[user_id] = business_admin(user_id, user)
        return tuple(holders.values()), tuple(apps)

    def _instagram(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: BusinessReads,
        ig_id: str,
        *,
        owned: bool | None,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        account = state.node(ig_id) or object_or_empty(
            self.client.get_json(f"{self.version}/{ig_id}", params={"fields": IG_FIELDS})
        )
        held = self._held(spec, ctx)
        posts, cursor = self._posts(
            ctx, history, f"{ig_id}/media", ig_post, state=state, reads=reads
        )
        return self.evidence(
            spec,
            ctx,
            AccountState.ACTIVE,
            account_id=text(account, "id") or ig_id,
            profile=Profile(
                display_name=text(account, "name"),
                bio=text(account, "biography"),
                link=text(account, "website"),
                avatar_hash=url_digest(text(account, "profile_picture_url")),
                extra_links=links_in(text(account, "biography")),
            ),
            posts=posts,
            roles=None,
            roles_note=IG_ROLES_NOTE,
            two_factor_policy=(
                self._held_policy(reads) if held else self._policy(state, owned, reads)
            ),
            owned_by_company=owned,
            owner_name=text(state.business, "name") if owned else None,
            missing_scopes=tuple(
                dict.fromkeys(state.missing + lacking(state.token, "instagram", ig_id))
            ),
            cursor=cursor,
        )

    def _posts(
        self,
        ctx: CollectContext,
        history: CarriedPosts,
        path: str,
        parse: Any,
        *,
        state: BusinessReads,
        reads: FacetReads,
    ) -> tuple[tuple[Post, ...] | None, str | None]:
        if history.error is not None:
            return None, None  # the carried posts could not be checked: posts unknown
        found = reads.attempt(
            (Facet.POSTS,),
            lambda: self._read_posts(ctx, history, path, parse, state=state, reads=reads),
        )
        return found if found is not None else (None, None)

    def _read_posts(
        self,
        ctx: CollectContext,
        history: CarriedPosts,
        path: str,
        parse: Any,
        *,
        state: BusinessReads,
        reads: FacetReads,
    ) -> tuple[tuple[Post, ...] | None, str | None]:
        floor = window_floor(ctx)
        cursor = history.cursor
        known = int(cursor) if cursor and cursor.isdigit() else None
        since = int(floor.replace(minute=0, second=0, microsecond=0).timestamp())
        node, edge = path.split("/", 1)
        listed: list[Post] = []
        params = {"since": since, "fields": _POST_FIELDS[edge]}
        for page in self._pages(node, edge, params, reads.truncated(Facet.POSTS, edge)):
            found = [parse(item) for item in page]
            listed.extend(found)
            if known is not None and any(p.created_at.timestamp() <= known for p in found):
                break  # newest first: the rest was read by the previous run
        self.confirm_carried(history, listed, state)
        if history.error is not None:
            return None, None
        posts = history.merge(listed, floor)
        newest = max((int(p.created_at.timestamp()) for p in posts), default=None)
        return posts, str(newest) if newest is not None else cursor


def facet_reason(reads: FacetReads, facet: Facet) -> str | None:
    """Why ``facet`` is incomplete so far in ``reads`` (None: nothing said)."""
    state = reads.states.get(facet)
    return state.reason if state is not None else None


_POST_FIELDS = {
    "published_posts": "id,message,created_time,permalink_url,admin_creator",
    "media": "id,caption,media_type,permalink,timestamp",
}


def from_settings(
    settings: PlatformModel, network: NetworkModel, shared: HttpShared
) -> MetaCollector:
    """The Meta collector for ``platforms.meta``."""
    headers = {}
    if settings.token is not None:
        headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
    client = HttpClient(
        "meta",
        settings,
        network,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
        headers=headers,
        error_hook=graph_error,
    )
    return MetaCollector(client, settings)


def _member_two_factor(roles: tuple[RoleHolder, ...] | None) -> Completeness:
    """The business users' second factor: complete when every ``two_fac_status`` was one we
    know (the values are undocumented; an unknown one is unread, so the facet is partial)."""
    if roles is None:
        return Completeness.unknown("business_users could not be read")
    unread = sum(1 for holder in roles if holder.two_factor is None)
    if unread:
        return Completeness.partial(f"{unread} business user(s) with an unknown two_fac_status")
    return Completeness.complete()
