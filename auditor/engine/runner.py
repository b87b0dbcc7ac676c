"""The audit runner: collect, evaluate, stamp, persist. The CLI and the scheduler both call
:func:`run_audit`.

1. **Collect** every source concurrently (a bounded thread pool); with ``--only``, only the
   sources the selected checks declare in ``needs`` (all of them when a coverage check is
   selected). Each collector gets the previous run's evidence for incremental fetches. Each
   runs inside the one isolation boundary (:func:`auditor.engine.isolation.isolated`): a
   :class:`~auditor.core.errors.CollectionError` yields a failed :class:`SourceReport` with that
   error's kind; any other exception is reported as kind ``internal`` with the exception's class
   name. Its evidence stays ``None``, so the checks
   that need it say ``not_verified`` and ``coverage.collection-failed`` reports the source. A
   :class:`~auditor.core.errors.UserError` (a missing or malformed company file) is the user's to fix:
   it stops the run (recorded as failed) and the CLI shows its one line. Each collector's task
   runs in a copy of the caller's :mod:`contextvars` context, so its log lines carry the run
   context the scheduler set (:mod:`auditor.service.run_log`). A collector with a second phase
   (the registration collector) is then asked about the domains this run's profiles and posts
   link to (:mod:`auditor.engine.link_phase`). Items are assembled into one :class:`Evidence` bundle;
   people directories (CSV and Google Workspace) are merged by
   :func:`auditor.collectors.records.google_workspace.merge_directories`.
2. **Evaluate** each selected check on one :class:`CheckContext`. A check that raises (the second
   isolation boundary) becomes one ``not_verified`` result on the organization naming the check
   and the error class; the run goes on.
3. **Stamp** each result (see :mod:`auditor.engine.stamping`): severity (check default, then
   ``policy.severity`` override, then the result's own), fingerprint, change against the previous
   run of the same estate, first_seen from the store, the finding lifecycle (open findings
   carried forward, resolved entries, acknowledgements), then mutes.
4. **Persist** the run and its minimised evidence in one store transaction and return the
   :class:`AuditRun`; then ``storage.keep_runs`` and ``storage.retention_days`` prune
   (:func:`auditor.engine.minimise.persist`).

Exit codes (:func:`exit_code`): 0 nothing open at or above ``--fail-on``; 1 an unmuted ``fail`` at
or above it; 3 some evidence could not be collected and nothing worse applies; 2 (usage or config
errors) is the CLI's.
"""

from __future__ import annotations

import contextlib
import contextvars
import secrets
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from auditor import __version__
from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.records.google_workspace import merge_directories
from auditor.core.capabilities import CapabilityRegistry
from auditor.core.completeness import Completeness, Facet, SourceStatus, merge_facets
from auditor.core.errors import AuditorError, StoreError, UserError
from auditor.core.estate import AccountSpec, DomainSpec
from auditor.core.evidence import (
    AccountEvidence,
    ContentRegister,
    DiscoveredAccount,
    DomainEvidence,
    Evidence,
    EvidenceItem,
    HandleProbe,
    LookalikeScan,
    PeopleDirectory,
    VaultEvidence,
)
from auditor.core.models import (
    Asset,
    AssetKind,
    AuditRun,
    EvidenceRef,
    Finding,
    Outcome,
    Severity,
    Status,
)
from auditor.core.registry import CheckContext, CheckSpec, Registry
from auditor.engine.isolation import isolated
from auditor.engine.link_phase import collect_linked
from auditor.engine.minimise import persist
from auditor.engine.mutes import apply_mutes
from auditor.engine.observed import with_structural_mark
from auditor.engine.progress import NullProgress, Progress
from auditor.engine.source_needs import collection_gaps, relevant_collectors
from auditor.engine.stamping import Evaluated, stamp

if TYPE_CHECKING:
    from auditor.config.loading import AppConfig
    from auditor.store.database import Store
    from auditor.store.schema import PriorState

MAX_COLLECTORS = 8
"""Collectors running at once."""


@dataclass(frozen=True)
class AuditResult:
    """A persisted run and the evidence it rests on (for reports that show evidence)."""

    run: AuditRun
    """The finished run."""
    evidence: Evidence
    """Its evidence bundle."""


def run_audit(
    config: AppConfig,
    *,
    registry: Registry,
    collectors: Sequence[Collector],
    store: Store,
    only: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> AuditRun:
    """Run one audit end to end and persist it; see the module docstring."""
    return audit(
        config,
        registry=registry,
        collectors=collectors,
        store=store,
        only=only,
        now=now,
        progress=progress,
        run_id=run_id,
    ).run


def audit(
    config: AppConfig,
    *,
    registry: Registry,
    collectors: Sequence[Collector],
    store: Store,
    only: Sequence[str] | None = None,
    now: datetime | None = None,
    progress: Progress | None = None,
    run_id: str | None = None,
) -> AuditResult:
    """:func:`run_audit`, also returning the evidence bundle. ``run_id`` (the scheduler's
    firing id) names the stored run; by default a new id is made from ``now``. The run holds
    the store throughout (``brand-audit forget`` waits for no run)."""
    with store.holding():
        return _audit(
            config,
            registry=registry,
            collectors=collectors,
            store=store,
            only=only,
            now=now,
            progress=progress,
            run_id=run_id,
        )


def _audit(
    config: AppConfig,
    *,
    registry: Registry,
    collectors: Sequence[Collector],
    store: Store,
    only: Sequence[str] | None,
    now: datetime | None,
    progress: Progress | None,
    run_id: str | None,
) -> AuditResult:
    started = time.monotonic()
    ref = (now or datetime.now(UTC)).astimezone(UTC)
    sink = progress or NullProgress()
    selected = select_checks(registry, only)
    run_id = run_id or new_run_id(ref)
    prior = store.previous_run(config.estate.organization.name, [s.id for s in selected])
    try:
        previous = prior.run.evidence if prior else None
        ctx = CollectContext(config.estate, config.policy, ref, previous)
        chosen = relevant_collectors(collectors, selected, only)
        evidence = collect(chosen, ctx, sink)
        run = _evaluate_run(
            config,
            run_id=run_id,
            ref=ref,
            selected=selected,
            evidence=evidence,
            prior=prior,
            store=store,
            progress=sink,
            registry=CapabilityRegistry(tuple(c.capabilities for c in chosen)),
        )
        run = replace(
            run,
            finished_at=ref + timedelta(seconds=time.monotonic() - started),
            scope=tuple(n.strip() for n in only or () if n.strip()),
        )
    except Exception as exc:  # isolation boundary: record the failed run, then re-raise
        with contextlib.suppress(StoreError):  # a broken store must not hide the first error
            store.record_failed_run(
                run_id=run_id,
                started_at=ref,
                finished_at=ref + timedelta(seconds=time.monotonic() - started),
                tool_version=__version__,
                config_digest=config.digest(),
                estate_name=config.estate.organization.name,
                error=str(exc) if isinstance(exc, AuditorError) else type(exc).__name__,
            )
        raise
    finally:
        sink.done()
    persist(store, run, evidence, config)
    return AuditResult(run, evidence)


def new_run_id(ref: datetime) -> str:
    """A sortable run id: the UTC start time and a random suffix (``20261122T020000Z-a1b2c3``)."""
    return ref.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + secrets.token_hex(3)


def _evaluate_run(
    config: AppConfig,
    *,
    run_id: str,
    ref: datetime,
    selected: Sequence[CheckSpec],
    evidence: Evidence,
    prior: PriorState | None,
    store: Store,
    progress: Progress,
    registry: CapabilityRegistry,
) -> AuditRun:
    """Evaluate, stamp and mute: the run as it will be stored (``finished_at`` set later)."""
    estate = config.estate
    check_ctx = CheckContext(
        evidence=evidence,
        estate=estate,
        policy=config.policy,
        now=ref,
        previous=prior.run if prior else None,
        baselines=store.baselines(),
    )
    evaluated = evaluate(selected, check_ctx, progress)
    findings = stamp(
        evaluated,
        prior=prior,
        history=store,
        overrides=config.policy.severity_overrides,
        now=ref,
        evidence=evidence,
        acks=store.acknowledgements(),
        gaps=collection_gaps(evidence, selected, registry),
    )
    findings = apply_mutes(findings, store.list_mutes(), ref, config.mute_rules)
    return AuditRun(
        id=run_id,
        started_at=ref,
        finished_at=ref,
        tool_version=__version__,
        config_digest=config.digest(),
        estate_name=estate.organization.name,
        assets=_assets(estate.accounts, estate.domains, findings),
        findings=findings,
        sources=tuple(evidence.sources.values()),
        checks_run=tuple(s.id for s in selected),
        previous_run_id=prior.run.run_id if prior else None,
    )


def select_checks(registry: Registry, only: Sequence[str] | None) -> tuple[CheckSpec, ...]:
    """The checks named by id or category; :class:`UserError` naming every unknown name."""
    names = [n.strip() for n in only or () if n.strip()]
    known = {s.id for s in registry.specs} | {s.category.value for s in registry.specs}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise UserError(
            "unknown check id or category: " + ", ".join(unknown) + " (see 'brand-audit checks')",
            field="--only",
        )
    return registry.select(names)


def collect(collectors: Sequence[Collector], ctx: CollectContext, progress: Progress) -> Evidence:
    """Run every collector in a bounded pool, then the second phase of those that have one
    (over this run's account evidence), and assemble the evidence bundle."""
    if not collectors:
        return assemble((), datetime.now(UTC))
    with ThreadPoolExecutor(max_workers=min(MAX_COLLECTORS, len(collectors))) as pool:
        # one copy of the caller's context per task (a context cannot be entered twice at once)
        futures = [
            pool.submit(contextvars.copy_context().run, _collect_one, c, ctx, progress)
            for c in collectors
        ]
        outputs = [f.result() for f in futures]
    accounts = assemble(outputs, datetime.now(UTC)).accounts
    outputs = [
        collect_linked(c, out, ctx, accounts) for c, out in zip(collectors, outputs, strict=True)
    ]
    providers = {c.name: c.capabilities.facets for c in collectors}
    return assemble(outputs, datetime.now(UTC), providers)


def _collect_one(collector: Collector, ctx: CollectContext, progress: Progress) -> CollectorOutput:
    name = collector.name or type(collector).__name__
    progress.collector_started(name)
    output = isolated(name, "collector", lambda: collector.collect(ctx))
    progress.collector_finished(output.report)
    return output


def assemble(
    outputs: Sequence[CollectorOutput],
    collected_at: datetime,
    providers: Mapping[str, frozenset[Facet]] | None = None,
) -> Evidence:
    """One :class:`Evidence` bundle from every collector's items, reports and discovery
    statements. ``providers`` names, per source, the record facets it provides (from the
    collectors' capabilities): a failed directory source leaves the merged directory's facets
    unknown."""
    directories: list[PeopleDirectory] = []
    vault: VaultEvidence | None = None
    register: ContentRegister | None = None
    accounts: dict[str, AccountEvidence] = {}
    domains: dict[str, DomainEvidence] = {}
    lookalikes: dict[str, LookalikeScan] = {}
    discovered: list[DiscoveredAccount] = []
    handles: list[HandleProbe] = []
    items: list[EvidenceItem] = [item for out in outputs for item in out.items]
    for item in items:
        if isinstance(item, PeopleDirectory):
            directories.append(item)
        elif isinstance(item, VaultEvidence):
            vault = vault or item
        elif isinstance(item, ContentRegister):
            register = register or item
        elif isinstance(item, AccountEvidence):
            accounts[Asset.account(item.platform, item.handle).key] = item
        elif isinstance(item, DomainEvidence):
            domains[item.domain.lower()] = item
        elif isinstance(item, LookalikeScan):
            lookalikes[item.brand_domain.lower()] = item
        elif isinstance(item, DiscoveredAccount):
            discovered.append(item)
        else:
            handles.append(item)
    return Evidence(
        collected_at=collected_at,
        sources={out.report.name: out.report for out in outputs},
        people=_people(directories, outputs, providers or {}),
        vault=vault,
        register=register,
        accounts=accounts,
        discovered=tuple(discovered),
        domains=domains,
        lookalikes=lookalikes,
        handles=tuple(handles),
        discovery=_discovery(outputs),
    )


def _people(
    directories: Sequence[PeopleDirectory],
    outputs: Sequence[CollectorOutput],
    providers: Mapping[str, frozenset[Facet]],
) -> PeopleDirectory | None:
    """The merged directory, with the facets of every directory source that failed (and so
    returned no directory) unknown: the CSV's word never stands in for an unreadable Workspace."""
    merged = merge_directories(directories)
    if merged is None:
        return None
    unread: dict[Facet, Completeness] = {}
    for out in outputs:
        facets = providers.get(out.report.name, frozenset()) & DIRECTORY_FACETS
        if facets and out.report.status is SourceStatus.FAILED:
            reason = f"the {out.report.name} source could not be read"
            unread.update(dict.fromkeys(facets, Completeness.unknown(reason)))
    if not unread:
        return merged
    return replace(merged, facets=merge_facets(merged.facets, unread))


DIRECTORY_FACETS = frozenset({Facet.DIRECTORY, Facet.MAILBOX_TWO_FACTOR})
"""The facets a people directory carries."""


def _discovery(outputs: Sequence[CollectorOutput]) -> dict[str, Completeness]:
    """Discovery completeness by platform: the weaker word when two collectors discover on one
    platform."""
    found: dict[str, Completeness] = {}
    for out in outputs:
        found = merge_facets(found, out.discovery)
    return found


def evaluate(specs: Sequence[CheckSpec], ctx: CheckContext, progress: Progress) -> list[Evaluated]:
    """Run every check; a check that raises becomes one ``not_verified`` result."""
    progress.checks_started(len(specs))
    results: list[Evaluated] = []
    for spec in specs:
        try:
            outcomes = [with_structural_mark(o, ctx.evidence, spec.facets) for o in spec.func(ctx)]
            if any(o.status is Status.MUTED for o in outcomes):
                raise ValueError("a check returned status muted")
        except Exception as exc:  # isolation boundary: one broken check never stops the run
            outcomes = [_check_crashed(spec, ctx, exc)]
            results.append(Evaluated(spec, tuple(outcomes), crashed=True))
        else:
            results.append(Evaluated(spec, tuple(outcomes)))
        progress.check_finished(spec.id, len(outcomes))
    return results


def _check_crashed(spec: CheckSpec, ctx: CheckContext, exc: Exception) -> Outcome:
    name = type(exc).__name__
    org = Asset(kind=AssetKind.ORGANIZATION, handle=ctx.estate.organization.name)
    return Outcome(
        asset=org,
        subject="",
        status=Status.NOT_VERIFIED,
        detail=f"The check {spec.id} could not be evaluated: it raised {name}.",
        evidence=EvidenceRef(source="runner", observed_at=ctx.now, facts={"error": name}),
    )


def _assets(
    accounts: Sequence[AccountSpec], domains: Sequence[DomainSpec], findings: Sequence[Finding]
) -> tuple[Asset, ...]:
    """Inventory accounts and domains first, then any other asset a result is about."""
    seen: dict[str, Asset] = {}
    candidates = [a.asset for a in accounts] + [Asset.for_domain(d.name) for d in domains]
    for asset in candidates + [f.asset for f in findings]:
        seen.setdefault(asset.key, asset)
    return tuple(seen.values())


def exit_code(run: AuditRun, fail_on: Severity | None) -> int:
    """0 clean, 1 an unmuted fail at or above ``fail_on`` (None: never), 3 evidence missing."""
    if fail_on is not None and any(
        f.status is Status.FAIL and f.severity.rank >= fail_on.rank for f in run.findings
    ):
        return 1
    if any(s.status is not SourceStatus.COMPLETE or s.problems for s in run.sources):
        return 3
    return 0
