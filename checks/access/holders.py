"""Access checks: who can act as the brand?

These checks read the role holders each platform lists for an account (people, invitations and
system users with their role and privilege), the people directory, the inventory's
``expected_admins`` and ``last_access_review``, the policy, and the previous run's evidence.

Which platforms expose role holders:

- Meta: business users and system users with their role, and each Page's assigned users with
  their tasks (MANAGE is a full admin); emails for business users. Instagram accounts have no
  admin list of their own: access follows the linked Page and business.
- LinkedIn: everyone with a role on the company page (ADMINISTRATOR is a full admin), as person
  ids without emails.
- GitHub: org owners, members and outside collaborators by login and id, rarely with an email.
- X, YouTube, Mastodon and Bluesky do not expose who can act on the account (YouTube does not list
  channel managers; X, Mastodon and Bluesky accounts are single-login): every role check is
  ``not_verified`` there, with the platform's reason. Keep those credentials in the vault and
  review who knows them.

Matching people: a role holder is matched to the directory by the email the platform exposes
or, when it exposes none, by an ``expected_admins`` entry written ``<platform id>=<email>`` (for
example ``urn:li:person:abc123=carla.diaz@northwind.example``). Directory aliases count as the
same person, and emails are compared case-insensitively. Pending invitations are judged like
members (an invitation to an outsider is access waiting to happen) but are not counted as admins;
system users (API identities) are not people and are skipped by the departed and external checks.

``access.review-overdue`` reads only the inventory's ``last_access_review``: a missing date fails
("never reviewed"); a date in the future is ``not_verified``. ``access.unapproved-app`` reads the
apps a platform lists with rights on the account (GitHub org app installations, and any platform
whose collector can read authorised apps); an app that can publish or administer passes only when
its id or exact name is in ``policy.approved_apps`` or the account's ``approved_apps`` (a
look-alike name does not match). X, YouTube, LinkedIn, Mastodon and Bluesky do not list the apps
authorised on an account: ``not_verified`` there.

Completeness is the collector's word on the account's ``roles`` (and ``apps``) facet and the
directory's ``directory`` facet. ``not_verified`` means the role holders could not be read
(platform not configured, source failed, scope missing, account unreachable, or the platform
does not expose them), a holder's email is unknown, the people directory was not read, or, for
role-escalation, there is no previous run to compare with. When a list was read only in part (a
page failed, the listing was truncated), failures visible in what was read are still reported
but nothing passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from auditor.core.completeness import Facet
from auditor.core.evidence import ConnectedApp, PeopleDirectory, RoleHolder
from auditor.core.models import Outcome, Severity, Status
from auditor.core.registry import CheckContext, CheckFunc, check, outcome
from checks.access.history import new_admin, role_escalation
from checks.accounts import AccountView, account_views, accounts_with_roles, verdict
from checks.facets import facet_gap, pass_needs_complete
from checks.people import (
    PeopleIndex,
    email_domain,
    find_person,
    full_admins,
    holder_email,
    holder_label,
    holder_subject,
    inactive_reason,
    people_index,
    role_label,
)
from checks.safe_text import shown


@check(
    id="access.departed-admin",
    title="Someone who left still holds a role",
    severity=Severity.CRITICAL,
    rationale="People who left keep their personal logins: a role on the brand account lets a "
    "leaver, or whoever takes over their personal profile, post as the brand.",
    remediation="Remove the person's role on the platform today, then rotate the account's "
    "shared credentials they may have known.",
    needs=("platform", "directory"),
    facets=(Facet.ROLES, Facet.DIRECTORY),
)
def departed_admin(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each role holder who maps to a person not active in the people directory."""
    people = ctx.evidence.people
    index = people_index(people) if people is not None else None
    directory_gap = facet_gap(people, Facet.DIRECTORY)
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap = item
        if people is None or index is None:
            detail = (
                f"The people directory was not read ({directory_gap}), so {len(roles)} role "
                "holder(s) cannot be checked."
            )
            yield outcome(ctx, view.asset, Status.NOT_VERIFIED, detail, source="directory")
            continue
        humans = [r for r in roles if not r.is_system]
        for holder in humans:
            yield _departed(ctx, view, holder, people, index, directory_gap=directory_gap)
        if not humans:
            yield verdict(
                ctx, view, Status.PASS, f"{view.source} lists no person with a role.", gap
            )


def _departed(
    ctx: CheckContext,
    view: AccountView,
    holder: RoleHolder,
    people: PeopleDirectory,
    index: PeopleIndex,
    *,
    directory_gap: str | None,
) -> Outcome:
    """A holder who left fails on any directory that lists them as gone; a holder found active
    passes only on a complete directory (a partial one may have missed the departure)."""
    known = holder_email(view.spec, holder)
    label = holder_label(holder, known.email)
    subject = holder_subject(holder)
    facts: dict[str, Any] = {"email": known.email, "matched_via": known.via, "role": holder.role}
    if known.email is None:
        detail = (
            f"{label} holds {role_label(holder)} but no email is exposed and expected_admins "
            "maps no email to this id."
        )
        return outcome(
            ctx,
            view.asset,
            Status.NOT_VERIFIED,
            detail,
            source=view.source,
            subject=subject,
            **facts,
        )
    person = find_person(index, known.email)
    if person is None:
        outside = "" if ctx.estate.organization.is_company_email(known.email) else " (external)"
        detail = f"{label}{outside} holds {role_label(holder)} and is not in the people directory."
        if directory_gap is not None:
            detail += f" ({directory_gap})"
        return outcome(
            ctx,
            view.asset,
            Status.NOT_VERIFIED,
            detail,
            source=people.source,
            subject=subject,
            **facts,
        )
    left = inactive_reason(person, ctx.now.date())
    facts.update(person_status=person.status.value, departed_on=person.departed_on)
    if left is not None:
        detail = f"{label} holds {role_label(holder)} but is not active in the directory: {left}."
        return outcome(
            ctx, view.asset, Status.FAIL, detail, source=people.source, subject=subject, **facts
        )
    status, detail = pass_needs_complete(
        Status.PASS,
        f"{label} holds {role_label(holder)} and is active in the directory.",
        view.gap(Facet.ROLES) or directory_gap,
    )
    return outcome(ctx, view.asset, status, detail, source=people.source, subject=subject, **facts)


@check(
    id="access.external-admin",
    title="Role holder outside the company and its approved agencies",
    severity=Severity.HIGH,
    rationale="A role holder on a personal or unknown domain answers to no one the company can "
    "offboard; a compromised personal profile becomes a compromised brand account.",
    remediation="Remove the role, or re-invite the person with their company or approved-agency "
    "address; add a new agency to the organization's approved agencies only after review.",
    needs=("platform",),
    facets=(Facet.ROLES,),
)
def external_admin(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each role holder whose email is neither a company nor an approved-agency one."""
    org = ctx.estate.organization
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap = item
        for holder in (r for r in roles if not r.is_system):
            known = holder_email(view.spec, holder)
            label = holder_label(holder, known.email)
            facts: dict[str, Any] = {"email": known.email, "role": holder.role}
            if known.email is None:
                status = Status.NOT_VERIFIED
                detail = (
                    f"{label} holds {role_label(holder)}; no email is exposed and "
                    "expected_admins maps none to this id, so its domain is unknown."
                )
            elif org.is_company_email(known.email):
                status, detail = Status.PASS, f"{label} is on a company domain."
            elif (agency := org.agency_for(known.email)) is not None:
                status = Status.PASS
                detail = f"{label} is on the approved agency {shown(agency.name)}'s domain."
            else:
                status = Status.FAIL
                detail = (
                    f"{label} holds {role_label(holder)} with an address on "
                    f"{shown(email_domain(known.email))}, neither a company nor an approved "
                    "agency domain."
                )
            yield verdict(ctx, view, status, detail, gap, subject=holder_subject(holder), **facts)


@check(
    id="access.excess-admins",
    title="More full admins than policy allows",
    severity=Severity.MEDIUM,
    rationale="Every full admin can remove the others and change recovery settings; each extra "
    "one is another phishing target that can lose the whole account.",
    remediation="Lower the extra admins to the least role they need (editor, analyst).",
    needs=("platform",),
    facets=(Facet.ROLES,),
)
def excess_admins(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when accepted human full admins exceed ``policy.max_full_admins``."""
    limit = ctx.policy.max_full_admins
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap = item
        admins = full_admins(roles)
        names = [holder_label(a) for a in admins]
        facts: dict[str, Any] = {"full_admins": len(admins), "limit": limit}
        if len(admins) > limit:
            status = Status.FAIL
            detail = f"{len(admins)} full admins (policy allows {limit}): {'; '.join(names)}."
        else:
            status = Status.PASS
            detail = f"{len(admins)} full admin(s), within the policy's {limit}."
        yield verdict(ctx, view, status, detail, gap, admins=names, **facts)


@check(
    id="access.single-admin",
    title="Only one full admin",
    severity=Severity.MEDIUM,
    rationale="With a single full admin, losing that one person or login locks the company out "
    "of its own account; nobody else can recover it.",
    remediation="Add a second full admin from the company (a different person, with 2FA).",
    needs=("platform",),
    facets=(Facet.ROLES,),
)
def single_admin(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when fewer accepted human full admins than ``policy.min_full_admins`` (default 2)
    hold the account, and at least one does (none visible is not_verified)."""
    for item in accounts_with_roles(ctx):
        if isinstance(item, Outcome):
            yield item
            continue
        view, roles, gap = item
        admins = full_admins(roles)
        names = [holder_label(a) for a in admins]
        if gap is not None:
            status = Status.NOT_VERIFIED
            detail = f"The full admins could not be counted completely: {gap}."
        elif 0 < len(admins) < ctx.policy.min_full_admins:
            status = Status.FAIL
            detail = _too_few(names, ctx.policy.min_full_admins)
        elif admins:
            status, detail = Status.PASS, f"{len(admins)} full admins: {'; '.join(names)}."
        else:
            status = Status.NOT_VERIFIED
            detail = (
                f"None of the {len(roles)} role holder(s) {view.source} lists is an accepted "
                "full admin; the account's real admin is not visible."
            )
        yield verdict(ctx, view, status, detail, gap, full_admins=len(admins), admins=names)


def _too_few(names: list[str], wanted: int) -> str:
    """``a is the only full admin`` or ``2 full admins (a; b), fewer than the policy's 3``."""
    if len(names) == 1 and wanted == 2:
        return f"{names[0]} is the only full admin."
    return (
        f"{len(names)} full admin(s) ({'; '.join(names)}), fewer than the policy's minimum "
        f"of {wanted}."
    )


@check(
    id="access.review-overdue",
    title="Access review overdue",
    severity=Severity.MEDIUM,
    rationale="Roles accumulate: without a regular review, leavers, agencies and one-off helpers "
    "keep access nobody remembers granting.",
    remediation="Review who holds each role on the account, remove what is not needed, and "
    "record the date as last_access_review in the inventory.",
    needs=("inventory",),
    facets=(),
)
def review_overdue(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails when the inventory's last access review is missing or older than policy allows."""
    limit = ctx.policy.access_review_max_days
    today = ctx.now.date()
    for spec in ctx.estate.accounts:
        last: date | None = spec.last_access_review
        if last is None:
            status, detail = Status.FAIL, "Access was never reviewed (no last_access_review)."
            age = None
        elif last > today:
            age = (today - last).days
            status = Status.NOT_VERIFIED
            detail = f"The recorded access review date {last.isoformat()} is in the future."
        else:
            age = (today - last).days
            status = Status.FAIL if age > limit else Status.PASS
            verdict = "beyond" if age > limit else "within"
            detail = (
                f"Access last reviewed on {last.isoformat()}, {age} days ago "
                f"({verdict} the policy's {limit} days)."
            )
        yield outcome(
            ctx,
            spec.asset,
            status,
            detail,
            source="inventory",
            subject="last_access_review",
            last_review=last,
            age_days=age,
            limit_days=limit,
        )


@check(
    id="access.unapproved-app",
    title="Unapproved app can publish or administer",
    severity=Severity.HIGH,
    rationale="A connected app with publishing or admin rights acts as the brand; a forgotten "
    "or malicious one is a takeover path that survives password changes.",
    remediation="Revoke the app's access, or approve it in policy.approved_apps (or the "
    "account's approved_apps) after review.",
    needs=("platform",),
    facets=(Facet.APPS,),
)
def unapproved_app(ctx: CheckContext) -> Iterator[Outcome]:
    """Fails for each app that can publish or administer and is not approved."""
    for view in account_views(ctx):
        ev = view.evidence
        gap = view.gap(Facet.APPS)
        if ev is None or ev.apps is None:
            reason = gap or f"{view.source} returned no list of connected apps"
            detail = f"Apps connected to {shown(view.spec.handle)} are unknown: {reason}."
            yield outcome(ctx, view.asset, Status.NOT_VERIFIED, detail, source=view.source)
            continue
        yield from _apps(ctx, view, ev.apps, gap)


def _apps(
    ctx: CheckContext, view: AccountView, apps: tuple[ConnectedApp, ...], gap: str | None
) -> Iterator[Outcome]:
    approved = {a.strip().lower() for a in (*ctx.policy.approved_apps, *view.spec.approved_apps)}
    risky = list({a.app_id: a for a in apps if a.can_publish or a.can_admin}.values())
    for app in risky:
        rights = " and ".join(
            r for r, on in (("publish", app.can_publish), ("administer", app.can_admin)) if on
        )
        label = f"{shown(app.name)} ({shown(app.app_id)})"
        ok = app.app_id.strip().lower() in approved or app.name.strip().lower() in approved
        status = Status.PASS if ok else Status.FAIL
        detail = f"{label} can {rights} and is {'approved' if ok else 'not on the approved list'}."
        yield verdict(
            ctx,
            view,
            status,
            detail,
            gap,
            subject=app.app_id,
            app=app.name,
            permissions=list(app.permissions),
        )
    if not risky:
        detail = f"None of the {len(apps)} connected app(s) can publish or administer."
        yield verdict(ctx, view, Status.PASS, detail, gap, apps=len(apps))


CHECKS: tuple[CheckFunc, ...] = (
    departed_admin,
    external_admin,
    excess_admins,
    single_admin,
    new_admin,
    role_escalation,
    review_overdue,
    unapproved_app,
)
"""The access checks in catalog order."""
