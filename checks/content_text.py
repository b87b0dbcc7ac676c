"""Text-level content checks over posts and the profile: content.suspicious-link,
content.scam-pattern, content.embargo-leak and content.pii-exposed.

Each post is one subject (its id); the profile (bio, display name, location and links) is the
subject ``profile``. When posts were not read but the profile was, the profile is still judged
and the posts give a ``not_verified`` result; an account-level pass is given only when every
text was read and nothing was found.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.evidence import AccountEvidence, Profile
from auditor.models import Outcome, Severity, Status
from auditor.registry import CheckContext
from checks.content_scope import (
    AccountScope,
    accounts,
    aware,
    excerpt,
    not_verified,
    result,
    unreadable,
    when,
)
from checks.link_patterns import (
    SAFE_SCHEMES,
    ParsedLink,
    decode_host,
    extract_urls,
    is_ip,
    lookalike_of,
    parse_link,
    registrable,
)
from checks.pii import find_pii
from checks.scam_patterns import assess
from checks.text_patterns import TermIndex, display

PLATFORM_DOMAINS = frozenset(
    {
        "x.com",
        "twitter.com",
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "linkedin.com",
        "youtube.com",
        "youtu.be",
        "github.com",
        "mastodon.social",
        "bsky.app",
        "threads.net",
        "tiktok.com",
    }
)
"""Platform domains that are never 'new' for an account (they may still be lookalikes)."""

_NOT_LINKS = frozenset({"mailto", "tel", "sms"})


@dataclass(frozen=True)
class TextItem:
    """One piece of account text to judge: a post, or the profile."""

    subject: str
    """The post id, or ``profile``."""
    label: str
    """How details name it (``post 123 of 2026-11-20 10:00 UTC``, ``the profile``)."""
    text: str
    """The text (hostile)."""
    links: tuple[str, ...]
    """Links given separately by the platform."""
    at: datetime | None
    """When it was published; None for the profile."""


def _profile_item(profile: Profile) -> TextItem:
    text = " \n".join(t for t in (profile.display_name, profile.bio, profile.location) if t)
    links = tuple(link for link in (profile.link, *profile.extra_links) if link)
    return TextItem("profile", "the profile", text, links, None)


def text_items(scope: AccountScope) -> tuple[list[TextItem], str | None]:
    """Posts and profile of the account, plus why the posts (or everything) are unknown."""
    reason = unreadable(scope)
    if reason or scope.evidence is None:
        return [], reason or "no evidence"
    return items_of(scope.evidence)


def items_of(evidence: AccountEvidence) -> tuple[list[TextItem], str | None]:
    """The text items of one account's evidence (this run's or a previous one)."""
    items = [_profile_item(evidence.profile)] if evidence.profile is not None else []
    if evidence.posts is None:
        return items, "recent posts were not read"
    posts = _post_items(evidence)
    gap = None if items else f"the profile was not read ({len(posts)} posts were)"
    return items + posts, gap


def _post_items(evidence: AccountEvidence) -> list[TextItem]:
    items: list[TextItem] = []
    for post in evidence.posts or ():
        kind = "reply" if post.is_reply else "post"
        label = f"{kind} {post.id} of {when(post.created_at)}"
        items.append(TextItem(post.id, label, post.text, post.links, aware(post.created_at)))
    return items


def _judge(
    ctx: CheckContext, scope: AccountScope, items: list[TextItem], gap: str | None, found: int
) -> Iterator[Outcome]:
    """The closing results: not_verified for unread posts, a pass when nothing was found."""
    if gap:
        yield not_verified(ctx, scope, gap)
    elif not found:
        posts = sum(1 for item in items if item.at is not None)
        yield result(ctx, scope, Status.PASS, f"nothing found in {posts} posts and the profile")


def _links_of(item: TextItem) -> list[str]:
    written = [
        u
        for u in extract_urls(item.text)
        if not (item.links and registrable(parse_link(u).host or "") == "t.co")
    ]
    return list(dict.fromkeys([*item.links, *written]))


def _allowed(host: str, allowed: Collection[str]) -> bool:
    """``host`` equals an allowed domain or ends with ``.`` + one: each dot-suffix of the host
    is looked up in the set."""
    if host in allowed:
        return True
    dot = host.find(".")
    while dot != -1:
        if host[dot + 1 :] in allowed:
            return True
        dot = host.find(".", dot + 1)
    return False


def _risks(
    ctx: CheckContext,
    link: ParsedLink,
    seen: set[str] | None,
    brands: list[str],
    allowed: frozenset[str],
) -> list[str]:
    if link.scheme in _NOT_LINKS:
        return []
    if link.scheme not in SAFE_SCHEMES:
        return [f"{link.scheme}: link"]
    if link.host is None:
        return ["unparseable link"]
    if _allowed(link.host, allowed):
        return []
    domain = registrable(link.host)
    risks = []
    if is_ip(link.host):
        risks.append("raw IP address")
    elif "xn--" in link.host or not link.host.isascii():
        risks.append(f"internationalised host {display(decode_host(link.host), 60)}")
    lookalike = None if is_ip(link.host) else lookalike_of(link.host, brands)
    if lookalike:
        risks.append(f"lookalike of {lookalike}")
    if domain in ctx.policy.shorteners or link.host in ctx.policy.shorteners:
        risks.append("link shortener")
    if seen is not None and domain not in seen and domain not in PLATFORM_DOMAINS:
        risks.append("never linked by this account before")
    return risks


def _seen_domains(ctx: CheckContext, scope: AccountScope) -> set[str] | None:
    before = ctx.previous.evidence.accounts.get(scope.key) if ctx.previous else None
    if before is None or before.posts is None:
        return None
    items, _ = items_of(before)
    hosts = (parse_link(u).host for item in items for u in _links_of(item))
    return {registrable(h) for h in hosts if h}


def suspicious_link(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post (or the profile) linking somewhere risky and not allow-listed."""
    org = ctx.estate.organization
    brands = [d.name for d in ctx.estate.domains]
    allowed = frozenset({*ctx.policy.allowed_link_domains, *brands, *org.email_domains})
    for scope in accounts(ctx):
        items, gap = text_items(scope)
        seen = _seen_domains(ctx, scope)
        found = 0
        for item in items:
            flagged: list[str] = []
            only_new = True
            for raw in _links_of(item):
                risks = _risks(ctx, parse_link(raw), seen, brands, allowed)
                if risks:
                    only_new = only_new and risks == ["never linked by this account before"]
                    flagged.append(f"{excerpt(ctx, raw, 70)} ({', '.join(risks)})")
            if flagged:
                found += 1
                detail = f"{item.label} links to {'; '.join(flagged)}"
                severity = Severity.MEDIUM if only_new else None
                yield result(
                    ctx, scope, Status.FAIL, detail, item.subject, severity=severity, links=flagged
                )
        yield from _judge(ctx, scope, items, gap, found)


def scam_pattern(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post (or the profile) whose combined signals make it a takeover scam."""
    for scope in accounts(ctx):
        items, gap = text_items(scope)
        found = 0
        for item in items:
            verdict = assess(item.text, item.links)
            if verdict.scam:
                found += 1
                detail = (
                    f"{item.label} looks like an account-takeover scam "
                    f"({', '.join(verdict.rules)}; signals: {', '.join(verdict.signals)}): "
                    f"{excerpt(ctx, item.text)}"
                )
                facts: dict[str, Any] = {
                    "rules": list(verdict.rules),
                    "signals": list(verdict.signals),
                    "wallets": list(verdict.wallets),
                }
                yield result(ctx, scope, Status.FAIL, detail, item.subject, **facts)
        yield from _judge(ctx, scope, items, gap, found)


def embargo_leak(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post that names a launch term before the launch's embargo ends."""
    launches = ctx.estate.launches
    for scope in accounts(ctx):
        items, gap = text_items(scope)
        if not launches and not unreadable(scope):
            yield result(ctx, scope, Status.PASS, "no embargoed launches are declared")
            continue
        found = 0
        for item in items:
            moment = aware(item.at or ctx.now)
            index = TermIndex.of(item.text)
            for launch in launches:
                terms = [t for t in launch.terms if index.contains(t)]
                if not terms:
                    continue
                found += 1
                shown = ", ".join(display(t, 40) for t in terms)
                embargo = aware(launch.embargo_until)
                facts: dict[str, Any] = {
                    "launch": launch.name,
                    "terms": terms,
                    "embargo_until": embargo.isoformat(),
                }
                if moment < embargo:
                    detail = (
                        f"{item.label} names {shown} of launch {display(launch.name, 40)} "
                        f"before its embargo ends at {when(embargo)}"
                    )
                    yield result(ctx, scope, Status.FAIL, detail, item.subject, **facts)
                else:
                    detail = (
                        f"{item.label} names {shown} after the embargo ended at {when(embargo)}"
                    )
                    yield result(ctx, scope, Status.PASS, detail, item.subject, **facts)
                break
        yield from _judge(ctx, scope, items, gap, found)


def pii_exposed(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post (or the profile) exposing personal data; matches are shown masked."""
    org = ctx.estate.organization
    for scope in accounts(ctx):
        items, gap = text_items(scope)
        found = 0
        for item in items:
            matches = find_pii(item.text, org)
            if matches:
                found += 1
                masked = [f"{m.kind} {m.masked}" for m in matches]
                detail = f"{item.label} exposes {', '.join(masked)}"
                kinds = sorted({m.kind for m in matches})
                yield result(
                    ctx, scope, Status.FAIL, detail, item.subject, kinds=kinds, masked=masked
                )
        yield from _judge(ctx, scope, items, gap, found)
