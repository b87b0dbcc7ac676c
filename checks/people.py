"""Matching role holders and mailboxes to people: the shared logic of the access checks.

A platform names a role holder by its own id, sometimes with an email (Meta business users) and
often without (LinkedIn person URNs, GitHub logins). An inventory account's ``expected_admins``
lists the emails or platform ids of the people meant to hold roles; an entry written
``<platform id>=<email>`` (either order, the side with ``@`` is the email) also tells which person
a platform id belongs to, so a holder without an exposed email can still be checked against the
people directory. Emails are compared lower-cased; directory aliases count as the same mailbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from auditor.core.estate import AccountSpec
from auditor.core.evidence import PeopleDirectory, Person, PersonStatus, RoleHolder
from checks.safe_text import shown


@dataclass(frozen=True)
class HolderEmail:
    """The email a role holder is known by, and where that came from."""

    email: str | None
    """Lower-cased email, or None when neither the platform nor the inventory tells."""
    via: str
    """``platform`` or ``expected_admins`` (the inventory's id=email mapping); ``none``."""


def norm_email(email: str) -> str:
    """An address compared case-insensitively, surrounding whitespace removed."""
    return email.strip().lower()


def email_domain(email: str) -> str:
    """The domain part of an address, lower-cased, without a trailing dot."""
    return norm_email(email).rsplit("@", 1)[-1].rstrip(".")


def looks_like_email(value: str | None) -> bool:
    """True for ``local@domain.tld`` shaped strings (a vault username may be a plain login)."""
    if not value:
        return False
    local, _, domain = value.strip().rpartition("@")
    return bool(local) and "." in domain and " " not in value.strip()


def _entries(spec: AccountSpec) -> tuple[set[str], set[str], dict[str, str]]:
    """Expected emails, expected ids, and the id-to-email mapping from ``expected_admins``."""
    emails: set[str] = set()
    ids: set[str] = set()
    mapping: dict[str, str] = {}
    for raw in spec.expected_admins:
        entry = raw.strip().lower()
        left, sep, right = entry.partition("=")
        if sep and left and right:
            email, pid = (left, right) if "@" in left else (right, left)
            emails.add(email.strip())
            ids.add(pid.strip())
            mapping[pid.strip()] = email.strip()
        elif "@" in entry:
            emails.add(entry)
        elif entry:
            ids.add(entry)
    return emails, ids, mapping


def expected_emails(spec: AccountSpec) -> set[str]:
    """The emails ``expected_admins`` lists (plain or ``<id>=<email>``), normalised."""
    emails, _, _ = _entries(spec)
    return emails


def holder_email(spec: AccountSpec, holder: RoleHolder) -> HolderEmail:
    """The holder's email from the platform, else from the inventory's id=email mapping."""
    if holder.email and holder.email.strip():
        return HolderEmail(norm_email(holder.email), "platform")
    _, _, mapping = _entries(spec)
    mapped = mapping.get(holder.person_id.strip().lower())
    if mapped:
        return HolderEmail(mapped, "expected_admins")
    return HolderEmail(None, "none")


PeopleIndex = Mapping[str, Person]
"""Normalised primary email or alias to the first directory entry listing it
(:func:`people_index`)."""


def people_index(directory: PeopleDirectory) -> PeopleIndex:
    """Every primary email and alias of ``directory``, normalised (:func:`norm_email`), mapped
    to the first person (in directory order) listing it. Build it once per check run and look
    people up with :func:`find_person`."""
    index: dict[str, Person] = {}
    for person in directory.people:
        for address in (person.email, *person.aliases):
            index.setdefault(norm_email(address), person)
    return index


def find_person(index: PeopleIndex, email: str) -> Person | None:
    """The directory entry whose primary email or any alias equals ``email`` (any case,
    surrounding whitespace ignored), or None."""
    return index.get(norm_email(email))


def is_expected(spec: AccountSpec, holder: RoleHolder, index: PeopleIndex | None = None) -> bool:
    """True when the inventory lists the holder by platform id, email, or an alias of it."""
    emails, ids, _ = _entries(spec)
    if holder.person_id.strip().lower() in ids:
        return True
    email = holder_email(spec, holder).email
    if email is None:
        return False
    if email in emails:
        return True
    if index is None:
        return False
    person = find_person(index, email)
    return person is not None and any(find_person(index, e) == person for e in emails)


def holder_subject(holder: RoleHolder) -> str:
    """A stable subject for results about a holder: the email when exposed, else the id."""
    if holder.email and holder.email.strip():
        return norm_email(holder.email)
    return holder.person_id.strip().lower()


def holder_label(holder: RoleHolder, email: str | None = None) -> str:
    """How a holder is named in a detail: name and email or id, with invitation/system marks."""
    name = shown(holder.name, limit=60) if holder.name else None
    ident = shown(email or holder.email or holder.person_id, limit=80)
    label = f"{name} ({ident})" if name else ident
    if holder.pending:
        label += " [pending invitation]"
    if holder.is_system:
        label += " [system user]"
    return label


def role_label(holder: RoleHolder) -> str:
    """The platform's role name and privilege level, for details."""
    kind = "full admin" if holder.full_admin else f"privilege {holder.privilege}"
    return f"{shown(holder.role, limit=40)} ({kind})"


def full_admins(roles: Iterable[RoleHolder]) -> list[RoleHolder]:
    """Accepted, human full admins: pending invitations and system users are excluded."""
    return [r for r in roles if r.full_admin and not r.pending and not r.is_system]


def inactive_reason(person: Person, today: date) -> str | None:
    """Why a person's mailbox is no longer live (``departed on 2026-08-31``, ``suspended``), or
    None when it is active. A person marked active whose departure date has passed has left.
    """
    if person.status is PersonStatus.ACTIVE:
        if person.departed_on is not None and person.departed_on <= today:
            return f"marked active but departed on {person.departed_on.isoformat()}"
        return None
    when = f" on {person.departed_on.isoformat()}" if person.departed_on else ""
    return f"{person.status.value}{when}"


def distinct_holders(roles: Iterable[RoleHolder]) -> list[RoleHolder]:
    """One entry per holder subject, in first-seen order, keeping the strongest grant.

    A platform may list the same person twice (a business user also assigned to the Page);
    results are per (account, subject), so duplicates are folded, preferring an accepted role
    over an invitation and then the higher privilege.
    """
    chosen: dict[str, RoleHolder] = {}
    for holder in roles:
        key = holder_subject(holder)
        current = chosen.get(key)
        if current is None or _strength(holder) > _strength(current):
            chosen[key] = holder
    return list(chosen.values())


def _strength(holder: RoleHolder) -> tuple[bool, bool, int]:
    return (not holder.pending, holder.full_admin, holder.privilege)
