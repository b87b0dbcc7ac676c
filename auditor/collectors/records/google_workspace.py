"""Google Workspace collector: the company mailboxes as a people directory (source
``google_workspace``), with each mailbox's state, 2-step verification and aliases.

Enabled by ``sources.directory.google_workspace: true``; endpoint and credentials come from
``platforms.google_workspace`` (``base_url``, default ``https://admin.googleapis.com``; ``token``,
an access token with the ``admin.directory.user.readonly`` scope). With ``customer`` set, every
user is listed (``users.list``, paged by ``pageToken``); without it, only the mailboxes the
inventory names (registration emails and expected admins on company domains) are read one by one
(``users.get``, then ``groups.get`` for an address that is no user: a group is an active address
without 2SV), and an address Workspace knows neither as a user nor as a group is reported deleted.

Mapping: ``suspended`` → suspended, ``archived`` → departed (archived users are former staff),
``deletionTime`` → deleted; ``isEnrolledIn2Sv`` / ``isEnforcedIn2Sv`` → ``two_sv_enrolled`` /
``two_sv_enforced``; ``aliases`` and ``nonEditableAliases`` → aliases.

A Workspace tenant in the inventory (``businesses:`` with ``platform: google_workspace``) is an
asset of its own: with ``customer`` set, its super admins (``users.list?query=isAdmin=true``,
full admins) and delegated admins (``query=isDelegatedAdmin=true``) are its role holders, each
with their 2-step verification, and the tenant requires 2SV of its admins only when every admin
is enforced (``isEnforcedIn2Sv``). Without ``customer`` the admins cannot be listed: unknown.

The CSV directory (RECORDS) is the other people source. When both are configured the runner
combines them with :func:`merge_directories`: Workspace facts outrank the CSV for mailbox state
and 2SV, the CSV keeps who departed and when.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote, urlsplit

from auditor.collectors.base import CollectContext, Collector, CollectorOutput, FacetReads
from auditor.collectors.platforms.json_api import (
    OutputBuilder,
    make_client,
)
from auditor.collectors.platforms.json_shapes import as_list, as_object, flag, required_text, text
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet, merge_facets
from auditor.core.errors import CollectionError, NotFound, PermissionMissing, RateLimited
from auditor.core.estate import AccountSpec
from auditor.core.evidence import (
    AccountEvidence,
    AccountState,
    PeopleDirectory,
    Person,
    PersonStatus,
    RoleHolder,
    TwoFactorPolicy,
)

if TYPE_CHECKING:
    import requests

    from auditor.config.loading import AppConfig
    from auditor.core.estate import Estate
    from auditor.http.client import HttpClient, HttpShared

PLATFORM: Final = "google_workspace"
"""Platform and source name."""
DEFAULT_BASE_URL = "https://admin.googleapis.com"
"""The Admin SDK host."""
USERS_PATH = "/admin/directory/v1/users"
"""Directory API users collection."""
GROUPS_PATH = "/admin/directory/v1/groups"
"""Directory API groups collection (shared addresses that are groups, not users)."""
SCOPE = "https://www.googleapis.com/auth/admin.directory.user.readonly"
"""The OAuth scope the token needs for users."""
GROUP_SCOPE = "https://www.googleapis.com/auth/admin.directory.group.readonly"
"""The OAuth scope for telling a group address from a deleted mailbox."""
RATE_REASONS = frozenset({"userRateLimitExceeded", "rateLimitExceeded", "quotaExceeded"})
"""Google error ``reason`` codes that mean "slow down" (sent with HTTP 403)."""
MERGED_SOURCE = "directory+google_workspace"
"""``PeopleDirectory.source`` of a merged directory."""


def parse_user(payload: object) -> Person:
    """Parse a Directory API User resource."""
    user = as_object(payload, "workspace user")
    email = required_text(user, "primaryEmail", "workspace user").lower()
    name = user.get("name")
    full_name = text(name, "fullName") if isinstance(name, dict) else None
    status = PersonStatus.ACTIVE
    if text(user, "deletionTime"):
        status = PersonStatus.DELETED
    elif flag(user, "archived"):
        status = PersonStatus.DEPARTED
    elif flag(user, "suspended"):
        status = PersonStatus.SUSPENDED
    aliases = [
        str(a).lower()
        for key in ("aliases", "nonEditableAliases")
        for a in as_list(user.get(key) or [], "workspace user aliases")
        if isinstance(a, str)
    ]
    return Person(
        email=email,
        name=full_name or email,
        status=status,
        two_sv_enrolled=flag(user, "isEnrolledIn2Sv"),
        two_sv_enforced=flag(user, "isEnforcedIn2Sv"),
        aliases=tuple(dict.fromkeys(aliases)),
    )


def parse_users_page(payload: object) -> tuple[list[Person], str | None]:
    """Parse one ``users.list`` page: people and the next page token."""
    page = as_object(payload, "workspace users page")
    users = as_list(page.get("users") or [], "workspace users")
    return [parse_user(u) for u in users], text(page, "nextPageToken")


def tenant_admin(user: dict[str, Any], email: str, full: bool) -> RoleHolder:
    """A super admin (full) or delegated admin of the tenant, with their 2-step verification."""
    name = user.get("name")
    return RoleHolder(
        person_id=text(user, "id") or email,
        name=text(name, "fullName") if isinstance(name, dict) else None,
        email=email,
        role="SUPER_ADMIN" if full else "DELEGATED_ADMIN",
        full_admin=full,
        privilege=3 if full else 2,
        two_factor=flag(user, "isEnrolledIn2Sv"),
    )


def error_reasons(response: requests.Response) -> set[str]:
    """The ``error.errors[].reason`` codes of a Google error body (empty when unreadable)."""
    try:
        body = response.json()
    except ValueError:
        return set()
    error = body.get("error") if isinstance(body, dict) else None
    items = error.get("errors") if isinstance(error, dict) else None
    if not isinstance(items, list):
        return set()
    return {str(i["reason"]) for i in items if isinstance(i, dict) and "reason" in i}


def quota_hook(response: requests.Response) -> CollectionError | None:
    """Google sends quota exhaustion as 403 with a reason code: a rate limit, not a scope."""
    status = response.status_code
    if status not in (403, 429):
        return None
    if error_reasons(response) & RATE_REASONS:
        return RateLimited(f"google_workspace: quota exceeded (HTTP {status})", status=status)
    if status == 403:
        scope = GROUP_SCOPE if GROUPS_PATH in urlsplit(response.url or "").path else SCOPE
        return PermissionMissing(
            "google_workspace: the token may not read the directory", status=status, scope=scope
        )
    return None


def mailboxes(estate: Estate) -> dict[str, list[str]]:
    """Company mailboxes the inventory names, each with the account keys that depend on it."""
    found: dict[str, list[str]] = {}
    for spec in estate.accounts:
        for email in (spec.registered_email, *spec.expected_admins):
            if email and "@" in email and estate.organization.is_company_email(email):
                found.setdefault(email.lower(), []).append(spec.asset.key)
    return found


CAPABILITIES = Capabilities(
    source=PLATFORM,
    platforms=(
        PlatformCapability(
            PLATFORM,
            provides=frozenset({Facet.ROLES, Facet.MEMBER_TWO_FACTOR, Facet.TWO_FACTOR_POLICY}),
            not_exposed={
                Facet.POSTS: "a Workspace tenant publishes no posts",
                Facet.APPS: "the Directory API does not list a tenant's connected apps",
                Facet.OWNERSHIP: "a Workspace tenant is the company's own by definition",
                Facet.TOKEN_OWNER: "the service account's delegation names no tenant admin",
            },
        ),
    ),
    facets=frozenset({Facet.DIRECTORY, Facet.MAILBOX_TWO_FACTOR}),
)
"""The Workspace directory (who is active or gone, each mailbox's 2-step verification) and the
tenant as a business asset (its admins, their 2SV, whether it enforces 2SV)."""


class GoogleWorkspaceCollector(Collector):
    """Reads the company's Workspace users into a :class:`PeopleDirectory`."""

    name = PLATFORM
    capabilities = CAPABILITIES
    scopes = (SCOPE, GROUP_SCOPE)

    def __init__(self, client: HttpClient, customer: str | None) -> None:
        self.client = client
        self.customer = customer
        """Customer id for ``users.list`` (``my_customer`` or ``C0...``); None: per mailbox."""

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """The directory; raises CollectionError when no user could be read at all."""
        harvest = OutputBuilder(self.name, self.capabilities)
        reads = FacetReads(None)
        if self.customer:
            people = self.list_users(self.customer, reads)
        else:
            people = self.get_users(mailboxes(ctx.estate), harvest)
            if harvest.problems:
                gap = Completeness.partial(f"{len(harvest.problems)} mailbox(es) could not be read")
                reads.mark(CAPABILITIES.facets, gap)
        facets = {
            facet: reads.states.get(facet, Completeness.complete()) for facet in CAPABILITIES.facets
        }
        harvest.items.append(PeopleDirectory(PLATFORM, ctx.now, tuple(people), facets=facets))
        for spec in ctx.estate.accounts:
            if spec.platform == PLATFORM:
                harvest.account(spec, ctx.now, lambda s, reads: [self.tenant(s, ctx, reads)])
        return harvest.output(ctx.now, [self.client])

    def tenant(self, spec: AccountSpec, ctx: CollectContext, reads: FacetReads) -> AccountEvidence:
        """The tenant as a business asset: its admins, their 2SV, and whether it enforces 2SV
        on its admins."""
        if not self.customer:
            raise PermissionMissing(
                "google_workspace: platforms.google_workspace.customer is needed to list admins",
                scope="customer (platforms.google_workspace.customer)",
            )
        found: dict[str, RoleHolder] = {}
        enforced: list[bool | None] = []
        for query, full in (("isAdmin=true", True), ("isDelegatedAdmin=true", False)):
            for user in self._search(query, reads):
                email = required_text(user, "primaryEmail", "workspace user").lower()
                enforced.append(flag(user, "isEnforcedIn2Sv"))
                found.setdefault(email, tenant_admin(user, email, full))
        policy = None
        if found and None not in enforced:
            required = "admins" if all(enforced) else "none"
            policy = TwoFactorPolicy(required_for=required, source_field="isEnforcedIn2Sv")
        return AccountEvidence(
            platform=PLATFORM,
            handle=spec.handle,
            source=self.name,
            observed_at=ctx.now,
            state=AccountState.ACTIVE,
            account_id=spec.id,
            roles=tuple(found.values()),
            two_factor_policy=policy,
            facets={}
            if policy
            else {
                Facet.TWO_FACTOR_POLICY: Completeness.unknown(
                    "no admin, or an admin without isEnforcedIn2Sv"
                )
            },
        )

    def _search(self, query: str, reads: FacetReads) -> list[dict[str, Any]]:
        """Every user ``users.list?query=`` answers (raw User resources)."""
        pages = self.client.paginate_cursor(
            USERS_PATH,
            cursor_param="pageToken",
            next_cursor=lambda page: text(page, "nextPageToken"),
            params={"customer": self.customer, "query": query, "maxResults": 500},
            max_pages=50,
            on_truncated=reads.truncated(Facet.ROLES, "the tenant's admins"),
        )
        return [
            as_object(user, "workspace user")
            for page in pages
            for user in as_list(as_object(page, "workspace users page").get("users") or [], "users")
        ]

    def list_users(self, customer: str, reads: FacetReads) -> list[Person]:
        """Every user of the customer (``users.list``); a listing cut at its page cap leaves
        the directory partial."""
        pages = self.client.paginate_cursor(
            USERS_PATH,
            cursor_param="pageToken",
            next_cursor=lambda page: parse_users_page(page)[1],
            params={"customer": customer, "maxResults": 500, "projection": "basic"},
            max_pages=200,
            on_truncated=lambda pages: reads.mark(
                CAPABILITIES.facets, Completeness.partial(f"users.list truncated at {pages} pages")
            ),
        )
        return [person for page in pages for person in parse_users_page(page)[0]]

    def get_users(self, wanted: dict[str, list[str]], harvest: OutputBuilder) -> list[Person]:
        """The named mailboxes (``users.get``); unknown ones are reported deleted."""
        people: list[Person] = []
        failures: list[CollectionError] = []
        for email, account_keys in sorted(wanted.items()):
            try:
                people.append(self.get_mailbox(email))
            except CollectionError as exc:
                failures.append(exc)
                for key in account_keys:
                    harvest.failed(exc, key)
        if wanted and len(failures) == len(wanted):
            raise failures[0]
        return people

    def get_mailbox(self, email: str) -> Person:
        """The user ``email`` names; else the group it names; else a deleted mailbox."""
        try:
            return parse_user(self.client.get_json(f"{USERS_PATH}/{quote(email)}"))
        except NotFound:
            pass
        try:
            group = as_object(self.client.get_json(f"{GROUPS_PATH}/{quote(email)}"), "group")
        except NotFound:
            return Person(email=email, name=email, status=PersonStatus.DELETED)
        # A group delivers mail but has no password and no 2-step verification of its own.
        return Person(email=email, name=text(group, "name") or email, status=PersonStatus.ACTIVE)


def merge_directories(directories: Sequence[PeopleDirectory]) -> PeopleDirectory | None:
    """One directory from the CSV one(s) and the Workspace one(s); None when there are none.

    Per person (matched by email or alias): Workspace decides the mailbox state (suspended,
    deleted, archived) and 2SV; the CSV keeps ``departed_on`` and a departure (a departed person
    with a still-active mailbox stays departed); a deleted mailbox stays deleted. People listed
    by only one source are kept as that source lists them. Facets merge keeping the weaker
    completeness (:func:`~auditor.core.completeness.merge_facets`): a partial Workspace read
    leaves the merged directory partial, whatever the CSV says.
    """
    if not directories:
        return None
    if len(directories) == 1:
        return directories[0]
    facets: dict[Facet, Completeness] = dict(directories[0].facets)
    for directory in directories[1:]:
        facets = merge_facets(facets, directory.facets)
    workspace = [d for d in directories if d.source == PLATFORM]
    records = [d for d in directories if d.source != PLATFORM]
    merged: dict[str, Person] = {}
    for directory in records:
        for person in directory.people:
            merged[person.email] = person
    for directory in workspace:
        for person in directory.people:
            match = _find(merged, person)
            if match is None:
                merged[person.email] = person
            else:
                merged.pop(match.email)
                merged[person.email] = _merge_person(match, person)
    observed = max(d.observed_at for d in directories)
    source = MERGED_SOURCE if workspace and records else directories[0].source
    return PeopleDirectory(source, observed, tuple(merged.values()), facets=facets)


def _find(people: dict[str, Person], wanted: Person) -> Person | None:
    names = {wanted.email, *wanted.aliases}
    return next((p for p in people.values() if p.email in names or names & set(p.aliases)), None)


def _merge_person(record: Person, mailbox: Person) -> Person:
    status = mailbox.status
    if record.status is PersonStatus.DEPARTED and mailbox.status is not PersonStatus.DELETED:
        status = PersonStatus.DEPARTED
    return replace(
        mailbox,
        name=record.name or mailbox.name,
        status=status,
        departed_on=record.departed_on,
        aliases=tuple(dict.fromkeys((*mailbox.aliases, *record.aliases))),
    )


def from_config(
    config: AppConfig, shared: HttpShared | None = None
) -> GoogleWorkspaceCollector | None:
    """The collector when ``sources.directory.google_workspace`` is on (None otherwise)."""
    directory = config.model.sources.directory
    if directory is None or not directory.google_workspace:
        return None
    settings = config.model.platforms.get(PLATFORM)
    client = make_client(
        config,
        PLATFORM,
        default_base_url=DEFAULT_BASE_URL,
        shared=shared,
        error_hook=quota_hook,
    )
    return GoogleWorkspaceCollector(client, settings.customer if settings else None)
