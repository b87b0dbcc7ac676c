"""Access checks that compare this run's role holders with the previous run's.

Part of the ``access`` family (see ``brand-audit checks explain access.departed-admin`` for which
platforms expose role holders and how holders are matched to people).

- ``access.new-admin`` fails for a role holder (person, invitation or system user) present now
  but absent from the previous run's role list for the account, unless the inventory lists them
  in ``expected_admins`` (by email, platform id, a directory alias, or ``<id>=<email>``). Holders
  are matched across runs by platform id, or by email when the id changed. A holder listed in
  ``expected_admins`` passes with the fact ``accepted: true``: that closes an open new-admin
  finding, which otherwise stays open until acknowledged (:mod:`auditor.engine.stamping`).
- ``access.role-escalation`` fails for a holder present in both runs whose privilege rose
  (viewer/analyst 0 < moderator 1 < editor/publisher 2 < full admin 3), or who became a full
  admin. A pending invitation to a higher role counts: it is the escalation waiting to be
  accepted.

Both read the previous run's evidence snapshot from the store. ``not_verified`` on the first audit
of an estate (there is nothing to compare with), when the previous run has no role list for the
account (it was not collected, or the platform does not expose roles), or when this run's role
holders could not be read.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from auditor.core.evidence import RoleHolder
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, PreviousRun, check, outcome
from checks.completeness import AccountView, accounts_with_roles, gated_outcome, unless_gap
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
) -> Iterator[tuple[AccountView, tuple[RoleHolder, ...], tuple[RoleHolder, ...]] | Outcome]:
    """Accounts whose role holders are known in this run and the previous one."""
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles = item
        before = _previous_roles(ctx.previous, view.asset.key)
        if isinstance(before, str):
            detail = f"Role changes cannot be judged: {before}."
            yield outcome(ctx, view.asset, Status.NOT_VERIFIED, detail, source="history")
            continue
        yield view, roles, before


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
)
def new_admin(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each role holder absent in the previous run and not in expected_admins."""
    previous_id = ctx.previous.run_id if ctx.previous else None
    people = ctx.evidence.people
    index = people_index(people) if people is not None else None
    for item in _compared(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, before = item
        for holder in roles:
            label = holder_label(holder)
            facts: dict[str, Any] = {
                "role": holder.role,
                "full_admin": holder.full_admin,
                "previous_run": previous_id,
            }
            if is_expected(view.spec, holder, people, index):
                status = Status.PASS
                detail = f"{label} is listed in expected_admins."
                facts["accepted"] = True  # closes an open new-admin finding (the lifecycle)
            elif _match(holder, before) is not None:
                status = Status.PASS
                detail = f"{label} already held a role at the previous audit."
            else:
                status = Status.FAIL
                detail = (
                    f"{label} now holds {role_label(holder)}, did not at the previous audit, "
                    "and is not in expected_admins."
                )
            yield gated_outcome(
                ctx,
                view,
                status,
                detail,
                subject=holder_subject(holder),
                **facts,
            )


@check(
    id="access.role-escalation",
    title="Role holder's privilege rose since the last audit",
    severity=Severity.HIGH,
    rationale="Raising an existing editor to admin is a quiet way to take an account: it adds "
    "no new name to the list.",
    remediation="Confirm the change with the account's owner; lower the role back if nobody "
    "approved it.",
    needs=("platform", "history"),
)
def role_escalation(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each holder present in both runs whose privilege or admin flag rose."""
    for item in _compared(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, before = item
        common = [(h, old) for h in roles if (old := _match(h, before)) is not None]
        for holder, old in common:
            rose = holder.privilege > old.privilege or (holder.full_admin and not old.full_admin)
            label = holder_label(holder)
            if rose:
                status = Status.FAIL
                detail = f"{label} rose from {role_label(old)} to {role_label(holder)}."
            else:
                status = Status.PASS
                detail = f"{label} holds {role_label(holder)}, no higher than before."
            yield gated_outcome(
                ctx,
                view,
                status,
                detail,
                subject=holder_subject(holder),
                role=holder.role,
                previous_role=old.role,
                privilege=holder.privilege,
                previous_privilege=old.privilege,
            )
        if not common:
            status, detail = unless_gap(
                Status.PASS,
                f"None of the {len(roles)} current role holder(s) held a role at the previous "
                "audit, so no privilege rose (new holders: access.new-admin).",
                view.gap,
            )
            yield outcome(ctx, view.asset, status, detail, source=view.source)
