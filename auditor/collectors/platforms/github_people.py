"""GitHub org people: members, owners, outside collaborators and invitations as role holders.

Pure functions over GitHub's list payloads (tested on GitHub's own examples), used by
:mod:`auditor.collectors.platforms.github`. Owners (``role=admin``) are full admins (privilege 3); other
members and outside collaborators hold privilege 1 under their own role names (``member``,
``outside_collaborator``). Second factors come from the owner-only ``2fa_disabled`` and
``2fa_insecure`` list filters: a person is said to have 2FA only when the ``2fa_disabled`` filter
was readable and does not list them, and to use SMS when ``2fa_insecure`` lists them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from auditor.collectors.platforms.json_shapes import as_list, as_object, required_text, text
from auditor.core.evidence import RoleHolder


@dataclass(frozen=True)
class Member:
    """One user in a member or collaborator list."""

    login: str
    """User login."""
    id: str
    """Immutable user id."""
    name: str | None
    """Display name when the list includes it."""
    email: str | None
    """Public email when the list includes it, lower-cased."""
    is_bot: bool
    """A bot account rather than a person."""


@dataclass(frozen=True)
class SecondFactors:
    """Who lacks 2FA or uses an insecure method, as the owner-only list filters say."""

    disabled: frozenset[str] | None
    """Logins without 2FA; None when the filter could not be read."""
    insecure: frozenset[str] | None
    """Logins with an insecure method (SMS); None when the filter could not be read."""

    def of(self, login: str) -> tuple[bool | None, str | None]:
        """(has a second factor, method) for ``login``; None when the filters say nothing."""
        if self.disabled is not None and login in self.disabled:
            return False, None
        if self.insecure is not None and login in self.insecure:
            return True, "sms"
        if self.disabled is not None:
            return True, None
        return None, None


def parse_users(payload: object) -> list[Member]:
    """Parse a list of simple users (members, outside collaborators, owners)."""
    members: list[Member] = []
    for raw in as_list(payload, "github user list"):
        user = as_object(raw, "github user")
        email = text(user, "email")
        members.append(
            Member(
                login=required_text(user, "login", "github user"),
                id=required_text(user, "id", "github user"),
                name=text(user, "name"),
                email=email.lower() if email else None,
                is_bot=text(user, "type") == "Bot",
            )
        )
    return members


def parse_invitations(payload: object) -> list[RoleHolder]:
    """Parse ``GET /orgs/{org}/invitations`` into pending role holders."""
    holders: list[RoleHolder] = []
    for raw in as_list(payload, "github invitations"):
        item = as_object(raw, "github invitation")
        role = text(item, "role") or "direct_member"
        email = text(item, "email")
        holders.append(
            RoleHolder(
                person_id=text(item, "login") or required_text(item, "id", "github invitation"),
                name=None,
                email=email.lower() if email else None,
                role=role,
                full_admin=role == "admin",
                privilege=3 if role == "admin" else 1,
                pending=True,
            )
        )
    return holders


def role_holders(
    owners: Sequence[Member],
    members: Sequence[Member],
    collaborators: Sequence[Member],
    member_factors: SecondFactors,
    collaborator_factors: SecondFactors,
) -> tuple[RoleHolder, ...]:
    """Owners (full admins), other members, then outside collaborators, once each."""
    owner_logins = {m.login for m in owners}
    holders = [_holder(m, "admin", 3, member_factors) for m in owners]
    holders += [
        _holder(m, "member", 1, member_factors) for m in members if m.login not in owner_logins
    ]
    holders += [_holder(m, "outside_collaborator", 1, collaborator_factors) for m in collaborators]
    return tuple(holders)


def _holder(member: Member, role: str, privilege: int, factors: SecondFactors) -> RoleHolder:
    has_factor, method = factors.of(member.login)
    return RoleHolder(
        person_id=member.login,
        name=member.name,
        email=member.email,
        role=role,
        full_admin=privilege == 3,
        privilege=privilege,
        two_factor=has_factor,
        two_factor_method=method,
        is_system=member.is_bot,
    )
