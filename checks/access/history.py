"""Access checks that compare this run's role holders with what the company accepted.

Part of the ``access`` family (see ``brand-audit checks explain access.departed-admin`` for which
platforms expose role holders and how holders are matched to people).

- ``access.new-admin`` fails for every person who can publish as the brand or more (editor,
  publisher, full admin) that the inventory does not list in
  ``expected_admins`` (by email, platform id, a directory alias, or ``<id>=<email>``), on every
  run while they hold the role: an unexpected admin is accepted only by listing them (or
  acknowledging the finding), never by the passing of time. A lesser holder or a system
  identity not listed fails when it appeared since the previous run (matched by platform
  id, or by email when the id changed); the finding then stays open until someone acts
  (:mod:`auditor.engine.stamping`). On the first audit the role list is the baseline for lesser
  holders. Listed holders pass.
- ``access.role-escalation`` fails for a holder present in both runs whose privilege rose
  (viewer/analyst 0 < moderator 1 < editor/publisher 2 < full admin 3), or who became a full
  admin, unless the inventory lists them in ``expected_admins`` (the rise is accepted). The
  finding stays open until it is accepted or acknowledged.

Both read the role holders (facet ``roles``): a pass needs the list complete, while a holder seen
in a partial list can still fail. ``access.role-escalation`` also reads the previous run's
evidence snapshot: ``not_verified`` on the first audit of an estate or when the previous run has
no role list for the account.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import RoleHolder
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, PreviousRun, check, outcome
from checks.accounts import AccountView, accounts_with_roles, verdict
from checks.people import (
    holder_label,
    holder_subject,
    is_expected,
    norm_email,
    people_index,
    role_label,
)


def _compared(
    ctx: CheckContext,
) -> Iterator[
    tuple[AccountView, tuple[RoleHolder, ...], str | None, tuple[RoleHolder, ...]] | Outcome
]:
    """Accounts whose role holders are known in this run and the previous one."""
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap = item
        before = _previous_roles(ctx.previous, view.asset.key)
        if isinstance(before, str):
            detail = f"Role changes cannot be judged: {before}."
            yield outcome(ctx, view.asset, Status.NOT_VERIFIED, detail, source="history")
            continue
        yield view, roles, gap, before


def _previous_roles(previous: PreviousRun | None, key: str) -> tuple[RoleHolder, ...] | str:
    """The previous run's role holders for ``key``, or why there are none."""
    if previous is None:
        return "first audit, no previous run to compare with"
    ev = previous.evidence.accounts.get(key)
    if ev is None or ev.roles is None:
        return f"the previous run {previous.run_id} has no role list for this account"
    return ev.roles


def _match(holder: RoleHolder, before: tuple[RoleHolder, ...]) -> RoleHolder | None:
    """The same holder in the previous run: same platform id, else same email."""
    pid = holder.person_id.strip().lower()
    for old in before:
        if old.person_id.strip().lower() == pid:
            return old
    if holder.email and holder.email.strip():
        email = norm_email(holder.email)
        for old in before:
            if old.email and norm_email(old.email) == email:
                return old
    return None


@check(
    id="access.new-admin",
    title="New role holder not in the expected admins",
    severity=Severity.HIGH,
    rationale="Attackers who take over an admin's login add themselves or a helper as a new "
    "admin first; an unexpected new role holder is often the first visible sign.",
    remediation="Confirm with the account's owner who added the person; remove the role if "
    "nobody did, otherwise add them to expected_admins in the inventory.",
    needs=("platform", "history", "inventory"),
    facets=(Facet.ROLES,),
)
def new_admin(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each full admin not in expected_admins on every run while they hold the role,
    and for each lesser holder not listed that appeared since the previous audit."""
    people = ctx.evidence.people
    index = people_index(people) if people is not None else None
    previous_id = ctx.previous.run_id if ctx.previous else None
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap = item
        before = _previous_roles(ctx.previous, view.asset.key)
        for holder in roles:
            label = holder_label(holder)
            facts: dict[str, Any] = {
                "role": holder.role,
                "full_admin": holder.full_admin,
                "previous_run": previous_id,
            }
            if is_expected(view.spec, holder, index):
                status = Status.PASS
                detail = f"{label} holds {role_label(holder)} and is listed in expected_admins."
                facts["accepted"] = True
            else:
                status, detail = _unexpected(holder, label, before, ctx.previous is None)
            yield verdict(ctx, view, status, detail, gap, subject=holder_subject(holder), **facts)


ACTS_AS_BRAND = 2
"""``RoleHolder.privilege`` from which a holder can publish as the brand (editor, publisher,
full admin): such a person not in expected_admins fails on every run. System identities are
judged as apps (access.unapproved-app)."""


def _unexpected(
    holder: RoleHolder, label: str, before: tuple[RoleHolder, ...] | str, first_audit: bool
) -> tuple[Status, str]:
    """The verdict on a holder expected_admins does not list. A person who can publish as the
    brand or more fails on every run while it holds the role (accepted only by listing it or by
    a person's acknowledgement, never by the passing of time). A lesser holder or a system
    identity fails when it appeared since the previous audit (the lifecycle keeps that open
    until someone acts); on the first audit the role list is its baseline; an unreadable
    earlier list is unknown."""
    held = f"{label} holds {role_label(holder)} and is not in expected_admins"
    if not holder.is_system and (holder.full_admin or holder.privilege >= ACTS_AS_BRAND):
        return Status.FAIL, f"{held} ({_since(holder, before)})."
    if isinstance(before, str):
        if first_audit:
            return Status.PASS, f"{held}; first audit: today's role list is the baseline."
        return Status.NOT_VERIFIED, f"{held}; whether it is new is unknown: {before}."
    if _match(holder, before) is None:
        return Status.FAIL, f"{held} (new since the previous audit)."
    return Status.PASS, f"{held}, but it already held a role at the previous audit."


def _since(holder: RoleHolder, before: tuple[RoleHolder, ...] | str) -> str:
    """When the unexpected holder was first seen, as far as the previous run tells."""
    if isinstance(before, str):
        return f"whether it is new is unknown: {before}"
    if _match(holder, before) is None:
        return "new since the previous audit"
    return "it already held a role at the previous audit and is still not accepted"


@check(
    id="access.role-escalation",
    title="Role holder's privilege rose since the last audit",
    severity=Severity.HIGH,
    rationale="Raising an existing editor to admin is a quiet way to take an account: it adds "
    "no new name to the list.",
    remediation="Confirm the change with the account's owner; lower the role back if nobody "
    "approved it, or list the holder in expected_admins to accept it.",
    needs=("platform", "history", "inventory"),
    facets=(Facet.ROLES,),
)
def role_escalation(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each unaccepted holder whose privilege rose since the previous audit (the
    lifecycle keeps the finding open until it is accepted or acknowledged; an unexpected full
    admin also fails access.new-admin on every run)."""
    people = ctx.evidence.people
    index = people_index(people) if people is not None else None
    for item in _compared(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap, before = item
        common = [(h, old) for h in roles if (old := _match(h, before)) is not None]
        for holder, old in common:
            rose = holder.privilege > old.privilege or (holder.full_admin and not old.full_admin)
            accepted = is_expected(view.spec, holder, index)
            label = holder_label(holder)
            if rose and not accepted:
                status = Status.FAIL
                detail = f"{label} rose from {role_label(old)} to {role_label(holder)}."
            elif rose:
                status = Status.PASS
                detail = (
                    f"{label} rose from {role_label(old)} to {role_label(holder)}; accepted: "
                    "listed in expected_admins."
                )
            else:
                status = Status.PASS
                detail = f"{label} holds {role_label(holder)}, no higher than before."
            yield verdict(
                ctx,
                view,
                status,
                detail,
                gap,
                subject=holder_subject(holder),
                role=holder.role,
                previous_role=old.role,
                privilege=holder.privilege,
                previous_privilege=old.privilege,
                accepted=accepted,
            )
        if not common:
            detail = (
                f"None of the {len(roles)} current role holder(s) held a role at the previous "
                "audit, so no privilege rose (new holders: access.new-admin)."
            )
            yield verdict(ctx, view, Status.PASS, detail, gap)
