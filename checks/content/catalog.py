"""Content integrity: has someone changed what the brand says?

A taken-over brand account shows itself in what it publishes: the bio and link change, the
badge goes, a crypto giveaway with a wallet address appears, posts the team never approved go
out, old posts are deleted, the rhythm of posting jumps. Mistakes by the team show the same
way: a launch named before its embargo, a customer's phone number pasted into a reply.

These checks read the profile and the recent posts (``policy.content_window_days``, 14 by
default) that the platform collectors fetched, the approved-content register, the estate's
launches and change windows, the accepted profile baseline and the previous run.

* ``content.profile-changed`` compares display name, bio, link, avatar, banner, location,
  pinned post and extra links with the baseline accepted by ``brand-audit baseline accept``
  (the previous run's profile when none was accepted). One result per field; a change inside a
  planned change window listing that field passes. With neither a baseline nor a previous run
  the account gets one ``not_verified`` result.
* ``content.verification-lost``: the badge disappeared or its type changed (business to
  none ...).
* ``content.unapproved-post``: a post is neither in the register (by post id, or by its text
  once case, spacing, invisible characters and links are normalised) nor published by an
  approved app (``policy.approved_apps`` plus the account's ``approved_apps``).
* ``content.suspicious-link``: a post or profile link that is not allow-listed
  (``policy.allowed_link_domains``, the brand domains and the company mail domains) and is a
  lookalike of a brand domain, punycode, a raw IP in any spelling, a known shortener
  (``policy.shorteners``), a ``javascript:``/``data:`` link, or a domain the account never
  linked to in the previous run (medium severity when that is the only reason).
* ``content.scam-pattern``: crypto giveaways, wallet addresses (checksums verified), "send 1,
  receive 2" promises, wallet-drain requests, in many languages; signals are combined into
  named rules so news about crypto, a scam warning or an ordinary sale does not fail.
* ``content.embargo-leak``: a launch term appears (ignoring case, spacing, punctuation,
  zero-width characters and lookalike letters) in a post published before the launch's
  ``embargo_until`` (time zones honoured). Mentions after the embargo pass.
* ``content.pii-exposed``: e-mail addresses, phone numbers (validated with ``phonenumbers`` in
  the organization's default region), Luhn-valid card numbers, IBANs and US social security
  numbers. The organization's
  published contacts and company mail addresses are not findings. Matches are always shown
  masked.
* ``content.posts-deleted``: posts seen in the previous run, still inside the window, are gone.
* ``content.posting-burst``: posts in the last ``policy.posting_window_hours`` exceed the
  account's usual rate (previous and current posts over the content window) times
  ``policy.posting_burst_factor``; with fewer than 3 earlier posts or under two windows of
  history it is ``not_verified``.

Missing evidence never passes: an account whose posts or profile were not read, that is not
active, or that has no baseline or previous run to compare with, is ``not_verified`` with the
reason. Post text is hostile: it is matched after NFKC, zero-width stripping and lookalike
folding, and quoted in details only with bidi controls escaped and personal data masked.
"""

from __future__ import annotations

from collections.abc import Iterable

from auditor.core.models import Outcome, Severity
from auditor.core.registry import CheckContext, CheckFunc, check
from checks.content import posts as content_posts
from checks.content import profile as content_profile
from checks.content import text as content_text


@check(
    id="content.profile-changed",
    title="Profile changed from the accepted baseline",
    severity=Severity.HIGH,
    rationale="A hijacker's first move is the bio and link: they point followers at the scam.",
    remediation="Confirm the change with the social team; restore the profile and secure the "
    "account if nobody made it, or accept the new state with `brand-audit baseline accept`.",
    needs=("platform", "baseline", "history"),
)
def profile_changed(ctx: CheckContext) -> Iterable[Outcome]:
    """Each watched profile field against the accepted baseline or the previous run."""
    return content_profile.profile_changed(ctx)


@check(
    id="content.verification-lost",
    title="Verification badge lost",
    severity=Severity.HIGH,
    rationale="Platforms remove badges after a handle or name change, often by a hijacker; "
    "without the badge impersonators are indistinguishable.",
    remediation="Find out why the badge went (name change, lapsed subscription, takeover) and "
    "restore it through the platform's verification process.",
    needs=("platform", "baseline", "history"),
)
def verification_lost(ctx: CheckContext) -> Iterable[Outcome]:
    """The badge and its type against the baseline or previous run."""
    return content_profile.verification_lost(ctx)


@check(
    id="content.unapproved-post",
    title="Post not in the approved-content register",
    severity=Severity.HIGH,
    rationale="Posts nobody approved and no approved tool published are how a takeover or a "
    "rogue insider speaks for the brand.",
    remediation="Check who published the post; delete it if nobody approved it, and add "
    "legitimate posts (or the publishing tool) to the register.",
    needs=("platform", "register"),
)
def unapproved_post(ctx: CheckContext) -> Iterable[Outcome]:
    """Every recent post against the register and the approved publishing apps."""
    return content_posts.unapproved_post(ctx)


@check(
    id="content.suspicious-link",
    title="Suspicious link in a post or the profile",
    severity=Severity.HIGH,
    rationale="Lookalike domains, raw IPs, punycode and shorteners are how phishing and "
    "wallet drainers hide behind a trusted brand account.",
    remediation="Remove the link, check the account for a takeover, and allow-list the domain "
    "in policy.allowed_link_domains if it is legitimate.",
    needs=("platform", "history"),
)
def suspicious_link(ctx: CheckContext) -> Iterable[Outcome]:
    """Every link in posts and the profile against the allow-list and the risk signals."""
    return content_text.suspicious_link(ctx)


@check(
    id="content.scam-pattern",
    title="Account-takeover scam post",
    severity=Severity.CRITICAL,
    rationale="Crypto giveaways with wallet addresses are the signature of a hijacked brand "
    "account; every minute online costs followers money.",
    remediation="Delete the post, lock the account down (reset password, revoke sessions and "
    "apps, check 2FA and admins), and warn followers.",
    needs=("platform",),
)
def scam_pattern(ctx: CheckContext) -> Iterable[Outcome]:
    """Every recent post and the profile against the combined scam signals."""
    return content_text.scam_pattern(ctx)


@check(
    id="content.embargo-leak",
    title="Launch named before its embargo",
    severity=Severity.HIGH,
    rationale="A launch named early spoils the announcement and may breach disclosure rules.",
    remediation="Delete or hide the post until the embargo ends and tell the launch owner.",
    needs=("platform", "inventory"),
)
def embargo_leak(ctx: CheckContext) -> Iterable[Outcome]:
    """Every recent post against the launch terms and their embargo times."""
    return content_text.embargo_leak(ctx)


@check(
    id="content.pii-exposed",
    title="Personal data exposed in a public post",
    severity=Severity.HIGH,
    rationale="A customer's phone, e-mail, card or bank number in a public reply is a data "
    "breach the company must answer for.",
    remediation="Delete the post, move the conversation to a private channel, and assess "
    "whether the exposure must be reported.",
    needs=("platform",),
)
def pii_exposed(ctx: CheckContext) -> Iterable[Outcome]:
    """Every recent post and the profile against the personal-data detectors."""
    return content_text.pii_exposed(ctx)


@check(
    id="content.posts-deleted",
    title="Posts deleted since the last audit",
    severity=Severity.MEDIUM,
    rationale="Attackers delete posts to cover their tracks; so do insiders.",
    remediation="Confirm with the social team who deleted the posts and why.",
    needs=("platform", "history"),
)
def posts_deleted(ctx: CheckContext) -> Iterable[Outcome]:
    """The previous run's posts still inside the window against the current posts."""
    return content_posts.posts_deleted(ctx)


@check(
    id="content.posting-burst",
    title="Posting burst",
    severity=Severity.MEDIUM,
    rationale="A takeover often floods the timeline with scam posts within hours.",
    remediation="Review the burst's posts and who published them; secure the account if they "
    "were not planned.",
    needs=("platform", "history"),
)
def posting_burst(ctx: CheckContext) -> Iterable[Outcome]:
    """The last window's post count against the account's usual rate."""
    return content_posts.posting_burst(ctx)


CHECKS: tuple[CheckFunc, ...] = (
    profile_changed,
    verification_lost,
    unapproved_post,
    suspicious_link,
    scam_pattern,
    embargo_leak,
    pii_exposed,
    posts_deleted,
    posting_burst,
)
"""The content checks in catalog order."""
