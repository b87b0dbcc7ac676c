"""Post-level content checks: content.unapproved-post, content.posts-deleted and
content.posting-burst (the register, the previous run and the account's own rhythm)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import Post, RegisterEntry
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, check
from checks.accounts import AccountView, handle_key
from checks.content.normalise import normalize_post
from checks.content.results import (
    aware,
    content_accounts,
    current_posts,
    excerpt,
    not_verified,
    previous_account,
    result,
    when,
)
from checks.facets import facet_gap

MIN_HISTORY_POSTS = 3
"""Fewer posts than this before the burst window is too little history to judge a burst."""

MIN_BURST_POSTS = 3
"""A burst needs at least this many posts in the window, whatever the usual rate."""

_URLS = re.compile(r"\S+://\S+|\bwww\.\S+", re.IGNORECASE)


def _comparable(text: str) -> str:
    """Register comparison form: normalised, with links (rewritten by platforms) removed."""
    return normalize_post(_URLS.sub(" ", text))


def _register_by_account(ctx: CheckContext) -> dict[tuple[str, str], list[RegisterEntry]]:
    """Register entries grouped once per check run by (lower-cased platform, handle)."""
    groups: dict[tuple[str, str], list[RegisterEntry]] = {}
    register = ctx.evidence.register
    for entry in register.entries if register is not None else ():
        groups.setdefault((entry.platform.lower(), handle_key(entry.handle)), []).append(entry)
    return groups


def _entries(
    groups: dict[tuple[str, str], list[RegisterEntry]], view: AccountView
) -> list[RegisterEntry]:
    return groups.get((view.spec.platform, handle_key(view.spec.handle)), [])


@check(
    id="content.unapproved-post",
    title="Post not in the approved-content register",
    severity=Severity.HIGH,
    rationale="Posts nobody approved and no approved tool published are how a takeover or a "
    "rogue insider speaks for the brand.",
    remediation="Check who published the post; delete it if nobody approved it, and add "
    "legitimate posts (or the publishing tool) to the register.",
    needs=("platform", "register"),
    facets=(Facet.POSTS, Facet.REGISTER),
)
def unapproved_post(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post that is neither registered nor from an approved app; a pass needs the
    posts and the register complete (a partial register cannot prove a post unapproved either:
    such a post is not_verified)."""
    groups = _register_by_account(ctx)
    register_gap = facet_gap(ctx.evidence.register, Facet.REGISTER)
    for view in content_accounts(ctx):
        posts, gap = current_posts(view)
        if posts is None:
            yield not_verified(ctx, view, gap or "posts unknown")
            continue
        if ctx.evidence.register is None:
            detail = "the approved-content register was not read: posts cannot be matched"
            yield not_verified(ctx, view, detail)
            continue
        entries = _entries(groups, view)
        ids = {e.post_id for e in entries if e.post_id}
        texts = {_comparable(e.text) for e in entries if e.text}
        apps = {a.strip().casefold() for a in (*ctx.policy.approved_apps, *view.spec.approved_apps)}
        failed = 0
        for post in posts:
            app = (post.source_app or "").strip()
            if post.id in ids or _comparable(post.text) in texts or approved_publisher(post, apps):
                continue
            failed += 1
            via = f"published with {excerpt(ctx, app, 40)}" if app else "publishing app unknown"
            detail = (
                f"post {post.id} of {when(post.created_at)} is not in the approved-content "
                f"register ({via}): {excerpt(ctx, post.text)}"
            )
            status = Status.FAIL
            if register_gap is not None:
                status, detail = Status.NOT_VERIFIED, f"{detail}; but {register_gap}"
            yield result(
                ctx,
                view,
                status,
                detail,
                post.id,
                post_id=post.id,
                source_app=excerpt(ctx, app, 40) if app else None,
            )
        if not failed:
            detail = f"all {len(posts)} recent posts are registered or from approved apps"
            yield result(
                ctx,
                view,
                Status.PASS,
                detail,
                gap=gap or register_gap,
                posts=len(posts),
                register=len(entries),
            )


def approved_publisher(post: Post, approved: set[str]) -> bool:
    """True when the post's publishing app or admin is approved by its platform id or by its
    name (``approved``: casefolded names and ids)."""
    keys = {
        (post.source_app_id or "").strip().casefold(),
        (post.source_app or "").strip().casefold(),
    }
    return bool((keys - {""}) & approved)


@check(
    id="content.posts-deleted",
    title="Posts deleted since the last audit",
    severity=Severity.MEDIUM,
    rationale="Attackers delete posts to cover their tracks; so do insiders.",
    remediation="Confirm with the social team who deleted the posts and why.",
    needs=("platform", "history"),
    facets=(Facet.POSTS,),
)
def posts_deleted(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail per post of the previous run, still inside the window, that is gone now. Only a
    complete listing of this run's posts can show a post gone: a truncated or partial one is
    not_verified (the post may sit beyond what was read)."""
    cutoff = ctx.now - timedelta(days=ctx.policy.content_window_days)
    for view in content_accounts(ctx):
        posts, gap = current_posts(view)
        if posts is None or gap is not None:
            yield not_verified(ctx, view, gap or "posts unknown")
            continue
        before = previous_account(ctx, view.key)
        if ctx.previous is None or before is None or before.posts is None:
            yield not_verified(ctx, view, "no previous run with this account's posts to compare")
            continue
        run_day = f"{ctx.previous.finished_at:%Y-%m-%d}"
        present = {p.id for p in posts}
        covered = [p for p in before.posts if aware(p.created_at) >= cutoff]
        gone = [p for p in covered if p.id not in present]
        for post in gone:
            detail = (
                f"post {post.id} of {when(post.created_at)}, seen in the run of {run_day}, "
                f"is gone: {excerpt(ctx, post.text)}"
            )
            yield result(ctx, view, Status.FAIL, detail, post.id, post_id=post.id)
        if not gone:
            detail = f"all {len(covered)} posts seen in the run of {run_day} are still there"
            yield result(ctx, view, Status.PASS, detail, compared=len(covered))


def _history(ctx: CheckContext, view: AccountView, posts: tuple[Post, ...]) -> list[Post]:
    before = previous_account(ctx, view.key)
    merged: dict[str, Post] = {}
    if before is not None and before.posts is not None:
        merged = {p.id: p for p in before.posts}
    merged.update({p.id: p for p in posts})
    return list(merged.values())


@check(
    id="content.posting-burst",
    title="Posting burst",
    severity=Severity.MEDIUM,
    rationale="A takeover often floods the timeline with scam posts within hours.",
    remediation="Review the burst's posts and who published them; secure the account if they "
    "were not planned.",
    needs=("platform", "history"),
    facets=(Facet.POSTS,),
)
def posting_burst(ctx: CheckContext) -> Iterator[Outcome]:
    """Fail when the window's post count exceeds the usual rate times the policy factor (a burst
    seen in a partial listing is a fact; a calm one proves nothing)."""
    hours = ctx.policy.posting_window_hours
    window_start = ctx.now - timedelta(hours=hours)
    span_start = ctx.now - timedelta(days=ctx.policy.content_window_days)
    for view in content_accounts(ctx):
        posts, gap = current_posts(view)
        if posts is None:
            yield not_verified(ctx, view, gap or "posts unknown")
            continue
        history = _history(ctx, view, posts)
        times = [aware(p.created_at) for p in history]
        recent = [t for t in times if window_start < t <= ctx.now]
        earlier = [t for t in times if span_start <= t <= window_start]
        start = min(earlier, default=window_start)
        span_h = (window_start - start).total_seconds() / 3600
        if len(earlier) < MIN_HISTORY_POSTS or span_h < 2 * hours:
            detail = (
                f"too little history to judge a burst: {len(earlier)} posts over "
                f"{span_h:.0f} h before the last {hours} h"
            )
            yield not_verified(ctx, view, detail, recent=len(recent), history=len(earlier))
            continue
        usual = len(earlier) / span_h * hours
        limit = max(usual * ctx.policy.posting_burst_factor, MIN_BURST_POSTS)
        facts: dict[str, Any] = {
            "recent": len(recent),
            "usual": round(usual, 2),
            "limit": round(limit, 2),
        }
        detail = (
            f"{len(recent)} posts in the last {hours} h against a usual {usual:.1f} "
            f"(limit {limit:.1f} at factor {ctx.policy.posting_burst_factor:g})"
        )
        status = Status.FAIL if len(recent) > limit else Status.PASS
        yield result(ctx, view, status, detail, gap=gap, **facts)
