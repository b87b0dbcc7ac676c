"""Per-asset cards: who owns the account, who can act as it, its second factor, its last change.

Cards read the run's findings for counts and, when given, the declared estate (inventory owner,
2FA attestation) and the run's evidence (platform owner, role holders, 2FA policy). Without
evidence a card says what it could not show rather than guessing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from auditor.core.estate import AccountSpec, Estate
from auditor.core.evidence import AccountEvidence, Evidence, RoleHolder
from auditor.core.models import Asset, AssetKind, AuditRun, Finding, Status
from reports.history import SEVERITIES
from reports.rows import asset_anchor, asset_label, platform_of, when
from reports.view_types import AdminLine, AssetCard

TWO_FACTOR_CHECK = "auth.2fa-missing"
"""The check whose result states an account's second factor when evidence is not passed."""


def _owner(spec: AccountSpec | None, ev: AccountEvidence | None) -> str:
    parts: list[str] = []
    if spec is not None:
        declared = spec.owner.value + (f" ({spec.owner_name})" if spec.owner_name else "")
        parts.append(f"inventory: {declared}")
    if ev is not None and (ev.owner_name or ev.owned_by_company is not None):
        held = {True: "owned by the company", False: "client access only", None: ""}
        text = ", ".join(p for p in (ev.owner_name or "", held[ev.owned_by_company]) if p)
        parts.append(f"platform: {text}")
    return "; ".join(parts) or "unknown"


def _admin(role: RoleHolder) -> AdminLine:
    state = {True: "on", False: "off", None: "unknown"}[role.two_factor]
    if role.two_factor and role.two_factor_method:
        state = f"on ({role.two_factor_method})"
    return AdminLine(
        name=role.name or role.email or role.person_id,
        role=role.role,
        full_admin=role.full_admin,
        two_factor=state,
        pending=role.pending,
    )


def _admins(ev: AccountEvidence | None, kind: AssetKind) -> tuple[tuple[AdminLine, ...], str]:
    if kind is not AssetKind.ACCOUNT:
        return (), ""
    if ev is None:
        return (), "no platform evidence for this account in this report"
    if ev.roles is None:
        return (), ev.roles_note or "the platform did not expose role holders"
    ordered = sorted(ev.roles, key=lambda r: (-r.privilege, r.name or r.email or r.person_id))
    return tuple(_admin(r) for r in ordered), ""


def _two_factor(
    spec: AccountSpec | None, ev: AccountEvidence | None, findings: Sequence[Finding]
) -> tuple[str, str]:
    parts: list[str] = []
    state = "unknown"
    if ev is not None and ev.account_two_factor is not None:
        parts.append("account second factor " + ("on" if ev.account_two_factor else "off"))
        state = "ok" if ev.account_two_factor else "bad"
    if ev is not None and ev.two_factor_policy is not None:
        required = ev.two_factor_policy.required_for
        words = {"none": "not required", "admins": "required for admins", "all": "required for all"}
        policy = words.get(required, f"required for {required}")
        parts.append(f"{policy} by the holder ({ev.two_factor_policy.source_field})")
        if state == "unknown":
            state = "bad" if required == "none" else "ok"
    if spec is not None and spec.two_factor is not None:
        attest = spec.two_factor
        parts.append(f"attested {attest.method.value} on {attest.attested_on.isoformat()}")
    verdict = next((f for f in findings if f.check_id == TWO_FACTOR_CHECK), None)
    if verdict is not None:
        status = verdict.effective_status
        word = {Status.FAIL: "missing", Status.PASS: "present"}.get(status, "not verified")
        parts.append(f"check: {word}")
        state = {Status.FAIL: "bad", Status.PASS: "ok"}.get(status, state)
    return "; ".join(parts) or "unknown", state


CHANGE_EVENTS = frozenset(
    {
        "content.profile-changed",
        "content.verification-lost",
        "content.posts-deleted",
        "content.posting-burst",
        "access.new-admin",
        "access.role-escalation",
        "ownership.identity-mismatch",
    }
)
"""Checks whose failing result is a change to the account itself (what "Last change" names;
a weak password first seen last week is not a change of the account)."""


def _last_change(findings: Sequence[Finding], ev: AccountEvidence | None) -> str:
    marks: list[tuple[datetime, str]] = [
        (f.first_seen, f.detail)
        for f in findings
        if f.check_id in CHANGE_EVENTS and f.effective_status is Status.FAIL
    ]
    if ev is not None and ev.roles:
        marks.extend(
            (r.added_at, f"role granted to {r.name or r.email or r.person_id}")
            for r in ev.roles
            if r.added_at is not None
        )
    if not marks:
        return ""
    moment, what = max(marks, key=lambda m: m[0])
    return f"{when(moment)}: {what}"


def _card(
    asset: Asset,
    run_findings: Sequence[Finding],
    spec: AccountSpec | None,
    ev: AccountEvidence | None,
    inventory: bool,
) -> AssetCard:
    open_counts = dict.fromkeys((s.value for s in SEVERITIES), 0)
    worst = sorted(
        (f for f in run_findings if f.status is Status.FAIL), key=lambda f: -f.severity.rank
    )
    for finding in worst:
        open_counts[finding.severity.value] += 1
    admins, note = _admins(ev, asset.kind)
    two_factor, state = _two_factor(spec, ev, run_findings)
    return AssetCard(
        anchor=asset_anchor(asset),
        label=asset_label(asset),
        kind=asset.kind.value,
        platform=platform_of(asset),
        asset_id=asset.id or "",
        owner=_owner(spec, ev) if asset.kind is AssetKind.ACCOUNT else "",
        admins=admins,
        admins_note=note,
        two_factor=two_factor if asset.kind is AssetKind.ACCOUNT else "",
        two_factor_state=state,
        last_change=_last_change(run_findings, ev),
        open_by_severity=tuple((k, v) for k, v in open_counts.items() if v),
        not_verified=sum(1 for f in run_findings if f.status is Status.NOT_VERIFIED),
        issues=tuple(dict.fromkeys(f.title for f in worst))[:5],
        passed=sum(1 for f in run_findings if f.status is Status.PASS),
        inventory=inventory,
    )


def asset_cards(
    run: AuditRun, estate: Estate | None, evidence: Evidence | None
) -> tuple[AssetCard, ...]:
    """One card per account and domain of the run: declared ones first (accounts, then
    domains), then those only named by findings; each group in label order."""
    by_key: dict[str, list[Finding]] = defaultdict(list)
    assets: dict[str, Asset] = {a.key: a for a in run.assets}
    for finding in run.findings:
        by_key[finding.asset.key].append(finding)
        assets.setdefault(finding.asset.key, finding.asset)
    specs = {spec.asset.key: spec for spec in estate.accounts} if estate is not None else {}
    domains = {f"domain:{d.name}" for d in estate.domains} if estate is not None else set()
    cards: list[AssetCard] = []
    for key, asset in assets.items():
        if asset.kind not in (AssetKind.ACCOUNT, AssetKind.DOMAIN):
            continue
        spec = specs.get(key)
        ev = evidence.accounts.get(key) if evidence is not None else None
        declared = estate is None or spec is not None or key in domains
        cards.append(_card(asset, by_key.get(key, []), spec, ev, declared))
    return tuple(
        sorted(cards, key=lambda c: (not c.inventory, c.kind != AssetKind.ACCOUNT.value, c.label))
    )
