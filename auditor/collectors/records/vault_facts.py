"""Turning vault logins (with their passwords, in memory) into secret-free :class:`VaultItem` facts.

The export parsers (:mod:`.bitwarden`, :mod:`.onepassword`) produce :class:`RawLogin` values whose
password is a :class:`pydantic.SecretStr` (masked in every repr). :func:`derive_facts` then, per
run:

- groups identical passwords by an HMAC-SHA256 under a random key made for this call only (no
  stable digest of a password is ever kept), and records for each item only the *ids* of the other
  items in its group (``reused_with``);
- scores each *distinct* password once with zxcvbn (input truncated to
  :data:`ZXCVBN_MAX_CHARS`; the company's name and domains are passed as user inputs, so
  ``Northwind2024!`` scores as the guessable password it is) and records the length of every
  password;
- when ``judged`` is given (the collector passes the inventory's ``accounts[].vault_item``
  references), scores only the passwords of the items those references name (by id, or by
  title ignoring case: a superset of what :meth:`VaultEvidence.find` returns). That is safe
  because the only check that reads a score, ``auth.password-weak``, judges exactly the item
  linked from each inventory account (``checks.auth.passwords.linked_item``); every other vault
  fact (length, reuse, age, TOTP, breach count) is still derived for every item. An unlinked
  item keeps ``strength_score=None`` (not measured) unless it shares its password with a
  judged item (the score belongs to the password), so no check can pass on an unscored item. zxcvbn costs
  about 1.5 ms per password, so a 5,000-item vault behind a 1,000-account estate is scored in
  a fifth of the time;
- computes the SHA-1 of each distinct password in memory and, when a breach lookup is given,
  asks it for the Pwned Passwords counts (the lookup itself sends only 5-character prefixes);
- drops the passwords: nothing returned, logged or raised holds a password, a hash of one, or a
  TOTP seed.

Password age is taken by the parsers from the most recent password-history entry (when the
previous password was replaced) or else from the item's revision date. The revision date changes
on *any* edit of the item, so it is an upper bound of the last password change: the real password
may be older than reported, never newer.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
from collections.abc import Collection, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from pydantic import SecretStr
from zxcvbn import zxcvbn

from auditor.core.errors import CollectionError
from auditor.core.evidence import VaultItem
from auditor.core.models import SourceProblem

ZXCVBN_MAX_CHARS = 64
"""Characters of a password given to zxcvbn (its cost grows with the square of the length; a
64-character prefix already decides the 0-4 score)."""

_ZXCVBN_LOCK = threading.Lock()
"""zxcvbn 4.5 stores the user inputs of each call in a module-wide dictionary
(``zxcvbn.matching.RANKED_DICTIONARIES['user_inputs']``) that its repeat matcher reads again, so
two concurrent calls (two audits in one process: the scheduler) could score with each other's
company words. The public API has no per-call alternative, so calls are serialized."""

BREACH_SOURCE = "hibp"
"""Name used in problems about the breach lookup."""


class BreachLookup(Protocol):
    """Anything that returns Pwned Passwords counts for full upper-case SHA-1 hex digests
    (:class:`auditor.collectors.records.hibp.PwnedPasswords`). Digests absent from the answer count 0.
    Raises :class:`~auditor.core.errors.CollectionError` when the lookup fails."""

    def counts(self, sha1_hex_upper: Collection[str]) -> dict[str, int]:
        """Breach counts by digest."""
        ...


@dataclass(frozen=True)
class RawLogin:
    """One login item as parsed from an export, password still in memory (masked in repr)."""

    item_id: str
    """The vault's item id (or a stable id derived from title and username)."""
    name: str
    """The item's title."""
    username: str | None
    """The login's username."""
    uris: tuple[str, ...]
    """Login URIs."""
    password: SecretStr | None = field(repr=False)
    """The password; None when the item has none. Never leaves this module."""
    has_totp: bool
    """A TOTP seed is stored in the item (the seed itself is never kept)."""
    changed_at: datetime | None = None
    """Last password change: newest history entry, else revision date (an upper bound)."""
    changed_exact: bool = True
    """False when ``changed_at`` is the revision date (an upper bound)."""
    created_at: datetime | None = None
    """Item creation time."""
    collection: str | None = None
    """Folder or collection name."""
    collection_ids: tuple[str, ...] | None = None
    """Organization collections holding the item; None for a personal item."""


@dataclass(frozen=True)
class VaultFacts:
    """What :func:`derive_facts` returns."""

    items: tuple[VaultItem, ...]
    """Secret-free items, in export order."""
    breach_checked: bool
    """True when every distinct password was looked up successfully."""
    problems: tuple[SourceProblem, ...] = ()
    """A failed breach lookup, if any."""


@dataclass(frozen=True)
class _Distinct:
    score: int | None
    """zxcvbn score; None when the password was not scored (no judged item holds it)."""
    length: int
    """Characters."""
    sha1: str
    """Upper-case SHA-1 hex, for the breach lookup only."""


def derive_facts(
    logins: Sequence[RawLogin],
    *,
    user_inputs: Sequence[str] = (),
    breaches: BreachLookup | None = None,
    judged: Collection[str] | None = None,
) -> VaultFacts:
    """Secret-free facts for ``logins``; see the module docstring. ``judged``: the item
    references (ids or titles) whose strength the checks read; None scores every item. The
    breach lookup (network time) runs in a background thread while zxcvbn (CPU time) scores the
    passwords."""
    key = secrets.token_bytes(32)
    digests = [_digest(key, login.password) for login in logins]
    members: dict[bytes, list[str]] = {}
    passwords: dict[bytes, SecretStr] = {}
    scored: set[bytes] = set()
    wanted = _Judged(judged)
    for login, digest in zip(logins, digests, strict=True):
        if digest is None or login.password is None:
            continue
        members.setdefault(digest, []).append(login.item_id)
        passwords.setdefault(digest, login.password)
        if wanted.names(login):
            scored.add(digest)
    sha1s = {digest: _sha1(password) for digest, password in passwords.items()}
    inputs = [word.lower() for word in user_inputs if word]
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="breach-lookup") as pool:
        lookup = pool.submit(_breach_counts, breaches, list(sha1s.values()))
        distinct = {
            digest: _measure(password, inputs, sha1s[digest], digest in scored)
            for digest, password in passwords.items()
        }
        counts, problems = lookup.result()
    del passwords, sha1s
    items = tuple(
        _item(login, digest, members, distinct, counts)
        for login, digest in zip(logins, digests, strict=True)
    )
    return VaultFacts(
        items=items, breach_checked=counts is not None and breaches is not None, problems=problems
    )


class _Judged:
    """Which logins :func:`derive_facts` scores: all, or those a reference names."""

    def __init__(self, refs: Collection[str] | None) -> None:
        self.every = refs is None
        self.ids = frozenset(refs or ())
        self.titles = frozenset(ref.lower() for ref in refs or ())

    def names(self, login: RawLogin) -> bool:
        """True when ``login`` is scored."""
        return self.every or login.item_id in self.ids or login.name.lower() in self.titles


def _digest(key: bytes, password: SecretStr | None) -> bytes | None:
    if password is None:
        return None
    value = password.get_secret_value()
    if not value:
        return None
    return hmac.new(key, value.encode("utf-8"), hashlib.sha256).digest()


def _sha1(password: SecretStr) -> str:
    data = password.get_secret_value().encode("utf-8")
    return hashlib.sha1(data, usedforsecurity=False).hexdigest().upper()


def _measure(password: SecretStr, user_inputs: list[str], sha1: str, score: bool) -> _Distinct:
    value = password.get_secret_value()
    if not score:
        return _Distinct(score=None, length=len(value), sha1=sha1)
    with _ZXCVBN_LOCK:
        result = zxcvbn(value[:ZXCVBN_MAX_CHARS], user_inputs=user_inputs)
    return _Distinct(score=int(result["score"]), length=len(value), sha1=sha1)


def _breach_counts(
    breaches: BreachLookup | None, sha1s: list[str]
) -> tuple[dict[str, int] | None, tuple[SourceProblem, ...]]:
    if breaches is None:
        return None, ()
    if not sha1s:
        return {}, ()
    try:
        answer = breaches.counts(sha1s)
    except CollectionError as exc:
        problem = SourceProblem(
            kind=exc.kind.value,
            detail=f"breach lookup failed: {exc.kind.value}; breach counts are not verified",
        )
        return None, (problem,)
    return {digest: int(answer.get(digest, 0)) for digest in sha1s}, ()


def _item(
    login: RawLogin,
    digest: bytes | None,
    members: dict[bytes, list[str]],
    distinct: dict[bytes, _Distinct],
    counts: dict[str, int] | None,
) -> VaultItem:
    facts = distinct.get(digest) if digest is not None else None
    others: tuple[str, ...] = ()
    if digest is not None:
        others = tuple(i for i in members[digest] if i != login.item_id)
    breach_count = None
    if facts is not None and counts is not None:
        breach_count = counts.get(facts.sha1)
    return VaultItem(
        item_id=login.item_id,
        name=login.name,
        username=login.username,
        uris=login.uris,
        has_password=facts is not None,
        password_length=facts.length if facts else None,
        strength_score=facts.score if facts else None,
        password_changed_at=login.changed_at,
        password_changed_exact=login.changed_exact,
        has_totp=login.has_totp,
        reused_with=others,
        breach_count=breach_count,
        created_at=login.created_at,
        collection=login.collection,
    )
