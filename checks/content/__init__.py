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

Missing evidence never passes: an account whose posts or profile were not read in full (the
collector's ``posts`` and ``profile`` facets), that is not active, or that has no baseline or
previous run to compare with, is ``not_verified`` with the reason; what was read can still fail. Post text is hostile: it is matched after NFKC, zero-width stripping and lookalike
folding, and quoted in details only with hidden and direction-changing characters shown as visible escapes
and personal data masked.
"""

from __future__ import annotations

from auditor.core.registry import CheckFunc
from checks.content.posts import posting_burst, posts_deleted, unapproved_post
from checks.content.profile import profile_changed, verification_lost
from checks.content.text import embargo_leak, pii_exposed, scam_pattern, suspicious_link

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

__all__ = [
    "CHECKS",
    "embargo_leak",
    "pii_exposed",
    "posting_burst",
    "posts_deleted",
    "profile_changed",
    "scam_pattern",
    "suspicious_link",
    "unapproved_post",
    "verification_lost",
]
