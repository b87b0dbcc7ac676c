"""Core result types of an audit: severities, statuses, assets, outcomes, findings and runs.

Everything here is a frozen dataclass or an enum. Checks return :class:`Outcome` values; the
runner stamps them into :class:`Finding` values (fingerprint, first_seen, change, mute) and
collects them into one :class:`AuditRun`, which every report renders and the store persists.
Evidence types live in :mod:`auditor.core.evidence`, the company's declared estate and policy in
:mod:`auditor.core.estate`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

from auditor.core.completeness import SourceStatus

JSONScalar = str | int | float | bool | None
"""A JSON leaf value."""

Facts = dict[str, JSONScalar | list[JSONScalar]]
"""Flat JSON facts attached to a finding's evidence (no nested objects)."""


class Severity(StrEnum):
    """How bad a failing result is; ordered from ``low`` to ``critical``."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """1 for low up to 4 for critical, for ordering and thresholds."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}


class Status(StrEnum):
    """The state of one (check, asset, subject) result."""

    FAIL = "fail"
    PASS = "pass"  # noqa: S105
    NOT_VERIFIED = "not_verified"
    MUTED = "muted"


class Change(StrEnum):
    """How a finding relates to the previous run of the same estate."""

    NEW = "new"
    PERSISTING = "persisting"
    RESOLVED = "resolved"


class Category(StrEnum):
    """The check families of CHECKS.md; a check id starts with its category."""

    OWNERSHIP = "ownership"
    ACCESS = "access"
    AUTH = "auth"
    CONTENT = "content"
    DOMAIN = "domain"
    IMPERSONATION = "impersonation"
    COVERAGE = "coverage"


class AssetKind(StrEnum):
    """What kind of thing a finding is about."""

    ACCOUNT = "account"
    DOMAIN = "domain"
    SOURCE = "source"
    ORGANIZATION = "organization"


@dataclass(frozen=True)
class Asset:
    """The thing a result is about: an account, a domain, or an evidence source."""

    kind: AssetKind
    """Account, domain, source or organization."""
    platform: str | None = None
    """Platform name for accounts (x, meta, instagram, linkedin, youtube, github, mastodon,
    bluesky); None for domains."""
    handle: str | None = None
    """The handle as the inventory records it (stable across runs); a source's name for sources."""
    id: str | None = None
    """The immutable platform id when known."""
    domain: str | None = None
    """The domain name for domain assets."""

    @property
    def key(self) -> str:
        """Stable identity used in fingerprints and evidence maps (no volatile fields)."""
        if self.kind is AssetKind.DOMAIN:
            return f"domain:{(self.domain or '').lower()}"
        if self.kind is AssetKind.ACCOUNT:
            return f"account:{self.platform}:{(self.handle or '').lower()}"
        return f"{self.kind.value}:{(self.handle or '').lower()}"

    @staticmethod
    def account(platform: str, handle: str, id: str | None = None) -> Asset:
        """Build an account asset."""
        return Asset(kind=AssetKind.ACCOUNT, platform=platform, handle=handle, id=id)

    @staticmethod
    def for_domain(name: str) -> Asset:
        """Build a domain asset."""
        return Asset(kind=AssetKind.DOMAIN, domain=name.lower())

    @staticmethod
    def source(name: str) -> Asset:
        """Build an evidence-source asset (for coverage results)."""
        return Asset(kind=AssetKind.SOURCE, handle=name)


@dataclass(frozen=True)
class EvidenceRef:
    """What a result rests on: the source, when it was observed, and the concrete facts."""

    source: str
    """The collector or file that produced the evidence (e.g. ``vault``, ``x``, ``whois``)."""
    observed_at: datetime
    """When the evidence was collected (timezone-aware UTC)."""
    facts: Facts = field(default_factory=dict)
    """Flat facts the result cites; never a secret."""


@dataclass(frozen=True)
class Outcome:
    """What a check function yields for one (asset, subject): status and the concrete reason."""

    asset: Asset
    """The asset the result is about."""
    subject: str
    """What within the asset (a person's email, a post id, a field, a vault item); ``""`` when
    the result is about the asset as a whole. Part of the fingerprint."""
    status: Status
    """fail, pass or not_verified (checks never produce muted)."""
    detail: str
    """One sentence naming the concrete fact (which admin, which post, which date)."""
    evidence: EvidenceRef
    """The evidence the result rests on."""
    severity: Severity | None = None
    """Overrides the check's default severity for this result (e.g. tiers by days left)."""


@dataclass(frozen=True)
class Mute:
    """A person's acceptance of a finding, with a reason, an owner and an expiry."""

    fingerprint: str
    """The finding it applies to."""
    reason: str
    """Why the risk is accepted."""
    owner: str
    """Who accepted it and answers for it."""
    expires: datetime
    """After this moment the mute no longer applies and the finding reopens."""
    created_at: datetime
    """When the mute was recorded."""
    ticket: str | None = None
    """The tracking ticket (mutes written in the config's mutes file carry one)."""
    origin: str | None = None
    """Where the mute is written: ``None`` for one recorded with ``brand-audit mute`` in the
    store, else ``FILE entry N`` of the config's mutes file."""

    def active(self, now: datetime) -> bool:
        """True while the mute has not expired."""
        return now < self.expires

    @property
    def last_day(self) -> date:
        """The expiry as written: the last (UTC) day the mute holds (``expires`` is the moment
        that day ends)."""
        return (self.expires - timedelta(microseconds=1)).astimezone(UTC).date()


@dataclass(frozen=True)
class Finding:
    """One stamped result of one check on one (asset, subject) in one run."""

    check_id: str
    """The catalog id (CHECKS.md)."""
    category: Category
    """The check's category."""
    severity: Severity
    """Effective severity (default, policy override, or per-result override)."""
    status: Status
    """fail, pass, not_verified, or muted (see ``muted_status`` for what was muted)."""
    asset: Asset
    """The asset the result is about."""
    subject: str
    """What within the asset; part of the fingerprint."""
    title: str
    """The check's one-line title."""
    detail: str
    """The concrete sentence for this result."""
    evidence: EvidenceRef
    """What the result rests on."""
    remediation: str
    """What to do about it."""
    fingerprint: str
    """Stable identity across runs: check id + asset key + subject."""
    first_seen: datetime
    """When this fingerprint first appeared with this status family in the run history."""
    change: Change
    """new, persisting, or resolved relative to the previous run."""
    muted_status: Status | None = None
    """The original status when ``status`` is muted."""
    mute: Mute | None = None
    """The mute applied (active) or the expired one that no longer applies."""
    carried: bool = False
    """It carries an earlier open fail forward: evidence that could not be re-read this run
    (status not_verified, first_seen kept), or a change event nobody has acted on yet."""

    @property
    def effective_status(self) -> Status:
        """The status before muting (what the evidence says)."""
        return (
            self.muted_status if self.status is Status.MUTED and self.muted_status else self.status
        )


def fingerprint(check_id: str, asset: Asset, subject: str) -> str:
    """Stable identity of a result: no times, no wording, only check, asset key and subject."""
    raw = "\x1f".join((check_id, asset.key, subject.strip().lower()))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:24]


@dataclass(frozen=True)
class SourceProblem:
    """One thing a collector could not read, for one asset or for the whole source."""

    kind: str
    """An :class:`auditor.core.errors.ErrorKind` value: auth, permission, network, rate_limit,
    malformed, timeout, server, not_found, config, internal."""
    detail: str
    """A short, secret-free sentence."""
    asset_key: str | None = None
    """The asset affected, or None when the whole source failed."""
    scope: str | None = None
    """For permission problems, the scope or permission the token lacks."""


@dataclass(frozen=True)
class SourceReport:
    """How one collector fared in one run."""

    name: str
    """The source name (``directory``, ``vault``, ``x``, ``rdap`` ...)."""
    status: SourceStatus
    """complete, partial or failed, stated by the collector (one meaning everywhere:
    :class:`~auditor.core.completeness.SourceStatus`)."""
    observed_at: datetime
    """When collection finished."""
    problems: tuple[SourceProblem, ...] = ()
    """What could not be read."""
    requests: int = 0
    """HTTP requests made (0 for file sources)."""
    duration_s: float = 0.0
    """Wall time spent collecting."""


@dataclass(frozen=True)
class AuditRun:
    """One finished audit: what was looked at, what was found, how collection went."""

    id: str
    """Run id (sortable: UTC timestamp plus random suffix)."""
    started_at: datetime
    """When the run started."""
    finished_at: datetime
    """When evaluation finished."""
    tool_version: str
    """brand-auditor version."""
    config_digest: str
    """SHA-256 of the canonical config (secrets excluded) that made the run."""
    estate_name: str
    """The organization's name."""
    assets: tuple[Asset, ...]
    """Every asset the run looked at."""
    findings: tuple[Finding, ...]
    """Every result, pass results included, plus ``resolved`` entries for fingerprints that
    failed in the previous run and no longer fail."""
    sources: tuple[SourceReport, ...]
    """Per-source collection reports."""
    checks_run: tuple[str, ...] = ()
    """Ids of the checks evaluated (after ``--only``)."""
    previous_run_id: str | None = None
    """The run this one was compared with."""
    scope: tuple[str, ...] = ()
    """The check ids or categories ``--only`` named; empty for a full-scope run (every
    check). Trends compare full-scope runs only."""
