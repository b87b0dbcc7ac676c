"""The persistence step: the store gets a minimised snapshot, then retention applies.

Checks read the current run's full evidence in memory; only what is written to the store is
minimised (``../shared/DESIGN.md``, "The store keeps no more than it needs"):

- **Posts**: the text becomes a keyed digest (HMAC-SHA256 under the store key, in
  ``Post.text_digest``) plus a masked excerpt of at most :data:`EXCERPT_CHARS` characters:
  personal data masked with content.pii-exposed's own detectors, street addresses and the
  handles of people outside the estate (the customers a reply answers) masked too
  (:func:`checks.content.pii.mask_people`). Ids, times, links, reply flag and publishing app
  stay: ``content.posts-deleted`` compares post ids, ``content.posting-burst`` post times, and
  ``content.suspicious-link`` the domains linked before (links survive masking). The people a
  post names are indexed by keyed digest only (:class:`auditor.store.privacy.PersonRef`), so
  ``brand-audit forget`` can find them.
- **Profiles, role holders, apps, policies**: kept whole: every profile field is watched by
  content.profile-changed against the baseline, and role holders (the company's admins and
  whoever else holds a role) are what the access checks compare run to run.
- **People directory, vault facts, content register**: not kept: no later run reads them back
  (they are the company's own records, read afresh each run).
- **Handle probes** (other people's accounts holding lookalike or claimable handles, their
  display names): not kept; a finding that cites one keeps what it cites.

A post whose stored text is only an excerpt is never carried into a later run's evidence as if
it were whole: the platform collectors read the content window again instead
(:func:`auditor.collectors.platforms.post_history.previous_evidence`).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from functools import partial
from typing import TYPE_CHECKING

from auditor.core.estate import Estate
from auditor.core.evidence import AccountEvidence, Evidence
from auditor.core.models import AuditRun
from auditor.store.privacy import PersonRef, keyed_digest, person_digest
from checks.content.pii import company_handles, mask_people, people_in

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig
    from auditor.store.database import Store

EXCERPT_CHARS = 500
"""Longest stored post excerpt (a whole tweet or toot; long page posts are cut)."""


def minimise(evidence: Evidence, key: bytes, estate: Estate) -> tuple[Evidence, list[PersonRef]]:
    """The snapshot the store keeps of ``evidence``, and the person index of its posts."""
    refs: list[PersonRef] = []
    own = company_handles(estate)
    accounts = {
        asset_key: _account(asset_key, ev, key=key, estate=estate, own=own, refs=refs)
        for asset_key, ev in evidence.accounts.items()
    }
    kept = replace(evidence, accounts=accounts, people=None, vault=None, register=None, handles=())
    return kept, refs


def _account(
    asset_key: str,
    ev: AccountEvidence,
    *,
    key: bytes,
    estate: Estate,
    own: set[str],
    refs: list[PersonRef],
) -> AccountEvidence:
    if ev.posts is None:
        return ev
    org = estate.organization
    digest = partial(person_digest, key)
    posts = []
    for post in ev.posts:
        if post.text_digest is not None:  # already minimised (a carried excerpt)
            posts.append(post)
            continue
        for person in sorted(people_in(post.text, org, digest, own)):
            refs.append(PersonRef(person, asset_key, post.id))
        masked = mask_people(post.text, org, own)
        if len(masked) > EXCERPT_CHARS:
            masked = masked[: EXCERPT_CHARS - 1] + "…"
        posts.append(replace(post, text=masked, text_digest=keyed_digest(key, post.text)))
    return replace(ev, posts=tuple(posts))


def persist(store: Store, run: AuditRun, evidence: Evidence, config: AppConfig) -> None:
    """Save the run with its minimised evidence, then prune: ``storage.keep_runs`` (runs) and
    ``storage.retention_days`` (evidence snapshots and finding details of older runs)."""
    snapshot, refs = minimise(evidence, store.key, config.estate)
    store.save_run(run, snapshot, refs)
    storage = config.model.storage
    if storage.keep_runs is not None:
        store.prune(run.estate_name, storage.keep_runs)
    store.retain(run.estate_name, retention_cutoff(run.started_at, storage.retention_days), run.id)


def retention_cutoff(started_at: datetime, retention_days: int) -> datetime:
    """Runs started before this lose their evidence snapshot."""
    return started_at - timedelta(days=retention_days)
