"""The X collector: profiles, token ownership and recent posts through tweepy's ``Client``.

tweepy hard-codes ``https://api.twitter.com``; its public ``session`` is replaced by
:class:`RoutedSession`, which rewrites that prefix to ``platforms.x.base_url`` (when set) and
sends every request through :class:`auditor.http.client.HttpClient`, so timeouts, retries, the 429
budget, the SSRF guard, the conditional cache and request counting apply to tweepy too. tweepy
only ever sees a placeholder bearer token (it logs its headers at DEBUG); the session puts the
real one in.

Per account: the batched ``GET /2/users/by?usernames=`` (100 handles a request; an account
whose batch failed looks itself up with ``GET /2/users/by/username/:handle``) gives the id the
handle resolves to now and the profile (user fields of reference section 1.3); an answer
without ``data`` is the account being gone (``not_found``, or ``suspended`` when the problem's
title says Forbidden). ``GET /2/users/:id/tweets`` gives the posts of the content window,
fetched incrementally from the previous run's newest id (``since_id``), and not at all when the
user's ``most_recent_tweet_id`` is still that id; the previous run's posts are carried over only
when ``GET /2/tweets?ids=`` (100 ids a request, across accounts) still returns them (a deleted
post comes back in ``errors[]`` as resource-not-found). ``get_me`` proves which account the token
belongs to. An access tier that refuses an endpoint (403) is a missing scope on the evidence,
not a failure of the account. X exposes no delegates, 2FA or connected apps, so those stay
unknown. tweepy errors are translated by exception type.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Any

import requests
from requests.auth import AuthBase

from auditor.collectors.base import CollectContext, FacetReads
from auditor.collectors.platforms.collector import (
    CarriedPosts,
    PlatformCollector,
    concurrently,
    window_floor,
)
from auditor.collectors.platforms.json_shapes import objects, text, value_at
from auditor.collectors.platforms.x_payloads import (
    gone_state,
    parse_time,
    parse_tweets,
    parse_user,
    tweet_answers,
)
from auditor.config.loading import AccountCredentialsModel, NetworkModel, PlatformModel
from auditor.core.capabilities import Capabilities, PlatformCapability
from auditor.core.completeness import Completeness, Facet
from auditor.core.errors import (
    AuthFailed,
    CollectionError,
    MalformedResponse,
    NotFound,
    PermissionMissing,
    RateLimited,
    ServerFailure,
)
from auditor.core.estate import AccountSpec
from auditor.core.evidence import AccountEvidence, AccountState, EvidenceItem, Post
from auditor.core.models import SourceProblem
from auditor.http.client import HttpClient, HttpShared

__all__ = [
    "XCollector",
    "from_settings",
    "gone_state",
    "parse_time",
    "parse_tweets",
    "parse_user",
    "translated",
    "tweet_answers",
]

log = logging.getLogger(__name__)

CONFIG_NAME = "x"
PLATFORMS = ("x",)
DEFAULT_BASE_URL = "https://api.twitter.com"
PLACEHOLDER = "brand-auditor-placeholder"
"""What tweepy holds instead of the real bearer token."""
USER_FIELDS = (
    "created_at,description,entities,location,pinned_tweet_id,profile_image_url,"
    "profile_banner_url,protected,url,verified,verified_type,most_recent_tweet_id"
)
TWEET_FIELDS = "created_at,entities,in_reply_to_user_id,referenced_tweets,source"
MAX_PAGES = 10
LOOKUP_BATCH = 100
"""Usernames per ``GET /2/users/by`` request (the API's maximum)."""
ROLES_NOTE = "X does not expose account delegates or their roles"
TIMELINE_SCOPE = "tweet.read"
ME_SCOPE = "users.read (user context)"


class RoutedSession(requests.Session):
    """A requests session for tweepy that sends everything through the HTTP layer."""

    def __init__(self, client: HttpClient, bearer: str | None) -> None:
        super().__init__()
        self._client = client
        self._bearer = bearer

    def request(  # type: ignore[override]  # noqa: PLR0917 - requests' own signature
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        auth: AuthBase | None = None,
        **_: Any,
    ) -> requests.Response:
        """Rewrite the host, swap in the real token, and send through the HttpClient."""
        if url.startswith(DEFAULT_BASE_URL):
            url = self._client.base_url + url[len(DEFAULT_BASE_URL) :]
        sent = {k: v for k, v in (headers or {}).items() if k.lower() != "user-agent"}
        if sent.get("Authorization") == f"Bearer {PLACEHOLDER}" and self._bearer:
            sent["Authorization"] = f"Bearer {self._bearer}"
        return self._client.request(
            method,
            url,
            params=params,
            headers=sent,
            json_body=json,
            auth=auth,
            check_status=False,
            conditional=method == "GET",
        )


@contextmanager
def translated(what: str, scope: str | None = None) -> Iterator[None]:
    """Translate tweepy's exceptions (by type) into :mod:`auditor.core.errors`; a 403 names
    ``scope``, what the call needs."""
    import tweepy

    try:
        yield
    except tweepy.errors.Unauthorized:
        raise AuthFailed(f"x: the token was refused ({what})", status=401) from None
    except tweepy.errors.Forbidden:
        raise PermissionMissing(f"x: access refused ({what})", status=403, scope=scope) from None
    except tweepy.errors.NotFound:
        raise NotFound(f"x: not found ({what})", status=404) from None
    except tweepy.errors.TooManyRequests:
        raise RateLimited(f"x: rate limited beyond the run's budget ({what})", status=429) from None
    except tweepy.errors.TwitterServerError as exc:
        status = exc.response.status_code
        raise ServerFailure(f"x: server error ({what})", status=status) from None
    except tweepy.errors.HTTPException as exc:
        status = exc.response.status_code
        raise CollectionError(f"x: HTTP {status} ({what})", status=status) from None
    except requests.exceptions.JSONDecodeError:
        raise MalformedResponse(f"x: response is not valid JSON ({what})") from None
    except tweepy.errors.TweepyException as exc:
        raise CollectionError(f"x: {type(exc).__name__} ({what})") from None


@dataclass(frozen=True)
class _XRun:
    client: Any
    """The tweepy Client."""
    user_auth: bool
    """Whether calls use OAuth 1.0a user context."""
    me: str | None
    """The token's account id, when ``get_me`` could tell."""
    missing: tuple[str, ...]
    """Scopes found missing before the accounts."""
    users: Mapping[str, Any]
    """Batched lookup answers by lower-cased username."""


OWNER_UNKNOWN_NOTE = (
    "no token says whom it belongs to: accounts[].credentials (the account's OAuth 2.0 user "
    "token with users.read, or its OAuth 1.0a keys) would verify it"
)
"""Why an X account's token owner is unknown when no credential answers ``/2/users/me``."""

CAPABILITIES = Capabilities(
    source="x",
    platforms=(
        PlatformCapability(
            "x",
            provides=frozenset({Facet.IDENTITY, Facet.TOKEN_OWNER, Facet.PROFILE, Facet.POSTS}),
            not_exposed={
                Facet.DISCOVERY: "X offers no listing of the accounts a company controls",
                Facet.ROLES: "X exposes no delegates",
                Facet.MEMBER_TWO_FACTOR: "X exposes no delegates",
                Facet.APPS: "X exposes no connected apps",
                Facet.TWO_FACTOR_POLICY: "X does not expose an account's second factor",
                Facet.OWNERSHIP: "X has no business ownership of accounts",
                Facet.REGISTRATION_EMAIL: "X does not expose the registration email",
            },
            token_owner=True,
        ),
    ),
)
"""What the X collector reads, and what X does not expose."""


class XCollector(PlatformCollector[_XRun]):
    """X accounts through tweepy."""

    name = "x"
    platforms = PLATFORMS
    capabilities = CAPABILITIES
    verify_in_advance = True
    scopes = ("users.read", "tweet.read")

    def __init__(self, client: HttpClient, settings: PlatformModel) -> None:
        super().__init__(client, concurrency=settings.concurrency)
        self.settings = settings

    def _tweepy(self, own: AccountCredentialsModel | None = None) -> tuple[Any, bool]:
        """The tweepy client of ``platforms.x`` (or of one account's ``own`` credentials),
        routed through the run's HTTP client, and whether it signs as a user (OAuth 1.0a)."""
        import tweepy

        s: PlatformModel | AccountCredentialsModel = own or self.settings
        bearer = s.token.get_secret_value() if s.token else None
        keys = (s.consumer_key, s.consumer_secret, s.access_token, s.access_token_secret)
        user_auth = bearer is None and all(k is not None for k in keys)
        if bearer is None and not user_auth:
            raise AuthFailed("x: no token configured (platforms.x.token or the OAuth 1.0a keys)")
        tw = tweepy.Client(
            bearer_token=PLACEHOLDER if bearer else None,
            consumer_key=s.consumer_key.get_secret_value() if s.consumer_key else None,
            consumer_secret=s.consumer_secret.get_secret_value() if s.consumer_secret else None,
            access_token=s.access_token.get_secret_value() if s.access_token else None,
            access_token_secret=(
                s.access_token_secret.get_secret_value() if s.access_token_secret else None
            ),
            return_type=dict,
        )
        tw.session = RoutedSession(self.client, bearer)
        return tw, user_auth

    def begin(self, ctx: CollectContext) -> tuple[_XRun, list[EvidenceItem], list[SourceProblem]]:
        """Build the tweepy client; find out whom the token belongs to and look every inventory
        handle up in batches, side by side."""
        tw, user_auth = self._tweepy()
        handles = [a.handle.lstrip("@") for a in ctx.estate.accounts if a.platform in PLATFORMS]
        chunks = [handles[i : i + LOOKUP_BATCH] for i in range(0, len(handles), LOOKUP_BATCH)]
        jobs: dict[str, Callable[[], Any]] = {"me": lambda: self._me(tw, user_auth)}
        for index, chunk in enumerate(chunks):
            jobs[f"batch {index}"] = partial(self._lookup, tw, user_auth, chunk)
        found = concurrently(jobs, self.concurrency)
        me, missing, problems = found.pop("me")
        users: dict[str, Any] = {}
        for batch in found.values():
            users.update(batch)
        return _XRun(tw, user_auth, me, missing, users), [], problems

    def _me(
        self, tw: Any, user_auth: bool
    ) -> tuple[str | None, tuple[str, ...], list[SourceProblem]]:
        """The token's account id (``get_me``); a 403 is a missing scope, not a failure."""
        try:
            with translated("get_me", ME_SCOPE):
                payload = tw.get_me(user_auth=user_auth)
        except PermissionMissing:
            return None, (ME_SCOPE,), []
        except AuthFailed:
            raise
        except CollectionError as exc:
            return None, (), [SourceProblem(exc.kind.value, exc.detail, None)]
        return text(payload, "data", "id"), (), []

    def _lookup(self, tw: Any, user_auth: bool, chunk: list[str]) -> dict[str, Any]:
        """One batched user lookup, by lower-cased username: ``{"data": user}`` or
        ``{"errors": [...]}``. A failed batch answers nothing: its accounts then look themselves
        up, so one bad answer never decides many accounts."""
        try:
            with translated("users lookup", "users.read"):
                payload = tw.get_users(
                    usernames=chunk, user_fields=USER_FIELDS, user_auth=user_auth
                )
        except AuthFailed:
            raise
        except CollectionError as exc:
            log.info("x: batched lookup failed (%s); looking accounts up one by one", exc.kind)
            return {}
        found: dict[str, Any] = {}
        for user in objects(payload, "data"):
            if isinstance(user.get("username"), str):
                found[user["username"].lower()] = {"data": user}
        for error in objects(payload, "errors"):
            if error.get("parameter") == "usernames":
                found[str(error.get("value", "")).lower()] = {"errors": [error]}
        return found

    def existing_posts(self, ids: Sequence[str], state: _XRun) -> Mapping[str, bool]:
        """``GET /2/tweets?ids=`` (100 a request): a returned tweet exists; one reported in
        ``errors[]`` as a resource-not-found problem is gone (other problems: undecided)."""
        with translated("tweet lookup", TIMELINE_SCOPE):
            payload = state.client.get_tweets(ids=list(ids), user_auth=state.user_auth)
        return tweet_answers(payload)

    def account(
        self,
        spec: AccountSpec,
        ctx: CollectContext,
        state: _XRun,
        history: CarriedPosts,
        reads: FacetReads,
    ) -> AccountEvidence:
        """Profile and recent posts of one handle."""
        username = spec.handle.lstrip("@")
        payload = state.users.get(username.lower())
        if payload is None:
            with translated(f"user {username}", "users.read"):
                payload = state.client.get_user(
                    username=username, user_fields=USER_FIELDS, user_auth=state.user_auth
                )
        data = value_at(payload, "data")
        token_id, token_facet = self._token_owner(spec, state)
        if not isinstance(data, dict):
            errors = objects(payload, "errors")
            return self.evidence(
                spec,
                ctx,
                gone_state(errors),
                token_account_id=token_id,
                facets={Facet.TOKEN_OWNER: token_facet},
            )
        account_id, profile = parse_user(data)
        missing = list(state.missing)
        history = history.for_account(account_id)
        posts: tuple[Post, ...] | None = None
        cursor: str | None = None
        try:
            newest = text(data, "most_recent_tweet_id")
            if history.error is not None:
                pass  # the carried posts could not be checked: the posts stay unknown
            elif history.previous is not None and newest and history.cursor == newest:
                posts = history.merge((), window_floor(ctx))  # nothing new was posted
                cursor = history.cursor
            else:
                posts, cursor = self._posts(state, account_id, username, ctx, history, reads=reads)
        except PermissionMissing as exc:
            missing.append(TIMELINE_SCOPE)
            reads.lacks((Facet.POSTS,), exc)
        except (AuthFailed, NotFound):
            raise
        except CollectionError as exc:
            reads.failed((Facet.POSTS,), exc)
        return self.evidence(
            spec,
            ctx,
            AccountState.ACTIVE,
            account_id=account_id,
            token_account_id=token_id,
            profile=profile,
            posts=posts,
            roles=None,
            roles_note=ROLES_NOTE,
            missing_scopes=tuple(missing),
            cursor=cursor,
            facets={Facet.TOKEN_OWNER: token_facet},
        )

    def _token_owner(self, spec: AccountSpec, state: _XRun) -> tuple[str | None, Completeness]:
        """Whose token speaks for ``spec``: its own credential's ``/2/users/me`` when the
        inventory gives one (an OAuth 2.0 user token or OAuth 1.0a keys), else the shared
        token's owner; with neither, unknown and which credential would tell."""
        own = self.account_credentials.get(spec.asset.key)
        if own is None:
            if state.me is None:
                return None, Completeness.unknown(OWNER_UNKNOWN_NOTE)
            if spec.id is not None and spec.id != state.me:  # the shared token is another's
                return state.me, Completeness.unknown(
                    f"the configured token belongs to account {state.me}, not this one"
                )
            return state.me, Completeness.complete()
        tw, user_auth = self._tweepy(own)
        try:
            me, missing, problems = self._me(tw, user_auth)
        except AuthFailed:  # this account's own token, not the source's: only it is unknown
            return None, Completeness.unknown("the account's own token was refused (401)")
        if me is not None:
            return me, Completeness.complete()
        why = problems[0].detail if problems else f"the account's token lacks {', '.join(missing)}"
        return None, Completeness.unknown(why)

    def _posts(
        self,
        state: _XRun,
        account_id: str,
        username: str,
        ctx: CollectContext,
        history: CarriedPosts,
        *,
        reads: FacetReads,
    ) -> tuple[tuple[Post, ...], str | None]:
        floor = window_floor(ctx)
        since = history.cursor
        fresh: list[Post] = []
        token: str | None = None
        for _ in range(MAX_PAGES):
            with translated(f"timeline of {username}", TIMELINE_SCOPE):
                page = state.client.get_users_tweets(
                    account_id,
                    since_id=since,
                    start_time=floor.replace(minute=0, second=0, microsecond=0),
                    max_results=100,
                    tweet_fields=TWEET_FIELDS,
                    pagination_token=token,
                    user_auth=state.user_auth,
                )
            fresh.extend(parse_tweets(page, username))
            token = text(page, "meta", "next_token")
            if not token:
                break
        else:
            reads.truncated(Facet.POSTS, "the timeline")(MAX_PAGES)
        posts = history.merge(fresh, floor)
        ids = [int(p.id) for p in posts if p.id.isdigit()]
        newest = str(max(ids)) if ids else since
        return posts, newest


def from_settings(settings: PlatformModel, network: NetworkModel, shared: HttpShared) -> XCollector:
    """The X collector for ``platforms.x``."""
    client = HttpClient("x", settings, network, default_base_url=DEFAULT_BASE_URL, shared=shared)
    return XCollector(client, settings)
