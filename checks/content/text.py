"""Text-level content checks over posts and the profile: content.suspicious-link,
content.scam-pattern, content.embargo-leak and content.pii-exposed.

Each post is one subject (its id); the profile (bio, display name, location and links) is the
subject ``profile``. When posts were not read but the profile was, the profile is still judged
and the posts give a ``not_verified`` result; an account-level pass is given only when every
text was read in full (the ``posts`` and ``profile`` facets complete) and nothing was found.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import AccountEvidence, Profile
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, check
from checks.accounts import AccountView
from checks.content.link_risks import NEW_DOMAIN, LinkJudge
from checks.content.normalise import TermIndex
from checks.content.pii import find_pii
from checks.content.results import aware, content_accounts, excerpt, not_verified, result, when
from checks.content.scam import assess, cannot_be_scam
from checks.safe_text import quoted


@dataclass(frozen=True)
class TextItem:
    """One piece of account text to judge: a post, or the profile."""

    subject: str
    """The post id, or ``profile``."""
    kind: str
    """``post``, ``reply`` or ``profile``."""
    text: str
    """The text (hostile)."""
    links: tuple[str, ...]
    """Links given separately by the platform."""
    at: datetime | None
    """When it was published (time zone added); None for the profile."""
    published: datetime | None = None
    """The publication time as the platform gave it (for the label); None for the profile."""

    @property
    def label(self) -> str:
        """How details name it (``post 123 of 2026-11-20 10:00 UTC``, ``the profile``); built
        only for the few items a result names."""
        if self.published is None:
            return "the profile"
        return f"{self.kind} {self.subject} of {when(self.published)}"


def _profile_item(profile: Profile) -> TextItem:
    text = " \n".join(t for t in (profile.display_name, profile.bio, profile.location) if t)
    links = tuple(link for link in (profile.link, *profile.extra_links) if link)
    return TextItem("profile", "profile", text, links, None)


def text_items(view: AccountView) -> tuple[list[TextItem], str | None]:
    """Posts and profile of the account as far as they were read, plus why they cannot carry
    a pass (a facet not complete, posts or profile not read), or None."""
    if view.evidence is None:
        return [], view.gap(Facet.POSTS, Facet.PROFILE)
    items, unread = items_of(view.evidence)
    return items, view.gap(Facet.POSTS, Facet.PROFILE) or unread


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
        at = aware(post.created_at)
        items.append(TextItem(post.id, kind, post.text, post.links, at, post.created_at))
    return items


def _judge(
    ctx: CheckContext, view: AccountView, items: list[TextItem], gap: str | None, found: int
) -> Iterator[Outcome]:
    """The closing results: not_verified for what was not read in full, a pass when everything
    was and nothing was found."""
    if gap:
        yield not_verified(ctx, view, gap)
    elif not found:
        posts = sum(1 for item in items if item.at is not None)
        yield result(ctx, view, Status.PASS, f"nothing found in {posts} posts and the profile")


def _seen_domains(ctx: CheckContext, view: AccountView, judge: LinkJudge) -> set[str] | None:
    before = ctx.previous.evidence.accounts.get(view.key) if ctx.previous else None
    if before is None or before.posts is None:
        return None
    items, _ = items_of(before)
    return judge.domains([u for item in items for u in judge.links_of(item.text, item.links)])


@check(
    id="content.suspicious-link",
    title="Suspicious link in a post or the profile",
    severity=Severity.HIGH,
    rationale="Lookalike domains, raw IPs, punycode and shorteners are how phishing and "
    "wallet drainers hide behind a trusted brand account.",
    remediation="Remove the link, check the account for a takeover, and allow-list the domain "
    "in policy.allowed_link_domains if it is legitimate.",
    needs=("platform", "history"),
    facets=(Facet.POSTS, Facet.PROFILE),
)
def suspicious_link(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post (or the profile) linking somewhere risky and not allow-listed."""
    judge = LinkJudge(ctx)
    for view in content_accounts(ctx):
        items, gap = text_items(view)
        seen = _seen_domains(ctx, view, judge)
        found = 0
        for item in items:
            flagged: list[str] = []
            only_new = True
            for raw in judge.links_of(item.text, item.links):
                risks = judge.risks(raw, seen)
                if risks:
                    only_new = only_new and risks == [NEW_DOMAIN]
                    flagged.append(f"{excerpt(ctx, raw, 70)} ({', '.join(risks)})")
            if flagged:
                found += 1
                detail = f"{item.label} links to {'; '.join(flagged)}"
                severity = Severity.MEDIUM if only_new else None
                yield result(
                    ctx, view, Status.FAIL, detail, item.subject, severity=severity, links=flagged
                )
        yield from _judge(ctx, view, items, gap, found)


@check(
    id="content.scam-pattern",
    title="Account-takeover scam post",
    severity=Severity.CRITICAL,
    rationale="Crypto giveaways with wallet addresses are the signature of a hijacked brand "
    "account; every minute online costs followers money.",
    remediation="Delete the post, lock the account down (reset password, revoke sessions and "
    "apps, check 2FA and admins), and warn followers.",
    needs=("platform",),
    facets=(Facet.POSTS, Facet.PROFILE),
)
def scam_pattern(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post (or the profile) whose combined signals make it a takeover scam."""
    for view in content_accounts(ctx):
        items, gap = text_items(view)
        found = 0
        for item in items:
            if cannot_be_scam(item.text):
                continue
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
                yield result(ctx, view, Status.FAIL, detail, item.subject, **facts)
        yield from _judge(ctx, view, items, gap, found)


@check(
    id="content.embargo-leak",
    title="Launch named before its embargo",
    severity=Severity.HIGH,
    rationale="A launch named early spoils the announcement and may breach disclosure rules.",
    remediation="Delete or hide the post until the embargo ends and tell the launch owner.",
    needs=("platform", "inventory"),
    facets=(Facet.POSTS, Facet.PROFILE),
)
def embargo_leak(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post that names a launch term before the launch's embargo ends."""
    launches = ctx.estate.launches
    for view in content_accounts(ctx):
        items, gap = text_items(view)
        if not launches:
            yield result(ctx, view, Status.PASS, "no embargoed launches are declared", gap=gap)
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
                shown = ", ".join(quoted(t, 40) for t in terms)
                embargo = aware(launch.embargo_until)
                facts: dict[str, Any] = {
                    "launch": launch.name,
                    "terms": terms,
                    "embargo_until": embargo.isoformat(),
                }
                if moment < embargo:
                    detail = (
                        f"{item.label} names {shown} of launch {quoted(launch.name, 40)} "
                        f"before its embargo ends at {when(embargo)}"
                    )
                    yield result(ctx, view, Status.FAIL, detail, item.subject, **facts)
                else:
                    detail = (
                        f"{item.label} names {shown} after the embargo ended at {when(embargo)}"
                    )
                    yield result(ctx, view, Status.PASS, detail, item.subject, **facts)
                break
        yield from _judge(ctx, view, items, gap, found)


@check(
    id="content.pii-exposed",
    title="Personal data exposed in a public post",
    severity=Severity.HIGH,
    rationale="A customer's phone, e-mail, card or bank number in a public reply is a data "
    "breach the company must answer for.",
    remediation="Delete the post, move the conversation to a private channel, and assess "
    "whether the exposure must be reported.",
    needs=("platform",),
    facets=(Facet.POSTS, Facet.PROFILE),
)
def pii_exposed(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post (or the profile) exposing personal data; matches are shown masked."""
    org = ctx.estate.organization
    for view in content_accounts(ctx):
        items, gap = text_items(view)
        found = 0
        for item in items:
            matches = find_pii(item.text, org)
            if matches:
                found += 1
                masked = [f"{m.kind} {m.masked}" for m in matches]
                detail = f"{item.label} exposes {', '.join(masked)}"
                kinds = sorted({m.kind for m in matches})
                yield result(
                    ctx, view, Status.FAIL, detail, item.subject, kinds=kinds, masked=masked
                )
        yield from _judge(ctx, view, items, gap, found)
