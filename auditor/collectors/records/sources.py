"""Company-record collectors: the people directory CSV, the vault export, the content register.

``build(config)`` returns one collector per configured source (``sources.directory.csv``,
``sources.vault.bitwarden`` / ``sources.vault.onepassword_csv``, ``sources.register.csv``).
``preflight(config)`` opens and parses every configured file without judging anything, so the
CLI can turn a missing or malformed file into a one-line user error (exit 2) at ``validate``
and before a ``run`` starts collecting. The collectors raise the same
:class:`~auditor.core.errors.InputFileError` if a file breaks between preflight and collection; the
runner must let :class:`~auditor.core.errors.UserError` through rather than report a failed source.

The vault collector reduces passwords to facts in memory (:mod:`.vault_facts`; zxcvbn scores
only the items the inventory links to, see :func:`linked_items`) and, when
``sources.vault.check_breaches`` is on, asks the Pwned Passwords range API for breach counts
(:mod:`.hibp`, k-anonymity: only 5-character SHA-1 prefixes leave the machine). A failed breach
lookup keeps the rest of the vault evidence: breach counts stay unknown and the problem is
recorded in the vault's source report.
"""

from __future__ import annotations

import importlib
import re
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.collectors.records.bitwarden import FORMAT as BITWARDEN
from auditor.collectors.records.bitwarden import parse_bitwarden
from auditor.collectors.records.bitwarden_members import parse_members
from auditor.collectors.records.directory_csv import DirectoryCsvCollector, parse_directory
from auditor.collectors.records.onepassword import FORMAT as ONEPASSWORD
from auditor.collectors.records.onepassword import parse_onepassword_csv
from auditor.collectors.records.register_csv import RegisterCsvCollector, parse_register
from auditor.collectors.records.vault_facts import (
    BreachLookup,
    RawLogin,
    VaultFacts,
    derive_facts,
)
from auditor.config.loading import AppConfig
from auditor.core.capabilities import Capabilities
from auditor.core.completeness import Completeness, Facet, SourceStatus
from auditor.core.errors import InputFileError
from auditor.core.estate import Estate
from auditor.core.evidence import VaultEvidence
from auditor.core.models import SourceReport

VAULT_SOURCE = "vault"
"""Source name of the vault collector."""

_WORD = re.compile(r"[a-z0-9]{3,}")
_PREFLIGHT_TIME = datetime(1970, 1, 1, tzinfo=UTC)


class VaultCollector(Collector):
    """Reads the configured vault export(s) and returns secret-free :class:`VaultEvidence`."""

    name = VAULT_SOURCE
    capabilities = Capabilities(source=VAULT_SOURCE, facets=frozenset({Facet.VAULT, Facet.BREACH}))

    def __init__(
        self,
        exports: list[tuple[str, Path]],
        breaches: BreachLookup | None = None,
        members: Path | None = None,
    ) -> None:
        self.exports = exports
        """(format, path) pairs: ``bitwarden`` JSON and/or ``1password-csv``."""
        self.members = members
        """The Bitwarden organization's members list (who reads which collection), if given."""
        self.breaches = breaches
        """The breach lookup, or None when breach checking is off or unavailable."""

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        """Parse, derive facts, drop the passwords."""
        started = time.perf_counter()
        requests_before = self._requests_made()
        logins = read_exports(self.exports)
        access = parse_members(self.members) if self.members is not None else None
        collections = {login.item_id: login.collection_ids for login in logins}
        facts = derive_facts(
            logins,
            user_inputs=user_inputs(ctx.estate),
            breaches=self.breaches,
            judged=linked_items(ctx.estate),
        )
        del logins
        evidence = VaultEvidence(
            source=VAULT_SOURCE,
            format="+".join(fmt for fmt, _ in self.exports),
            observed_at=ctx.now,
            items=tuple(
                replace(item, readers=access.readers(collections.get(item.item_id)))
                if access is not None
                else item
                for item in facts.items
            ),
            breach_checked=facts.breach_checked,
            facets={Facet.VAULT: Completeness.complete(), Facet.BREACH: self._breach(facts)},
        )
        report = SourceReport(
            name=VAULT_SOURCE,
            status=SourceStatus.PARTIAL if facts.problems else SourceStatus.COMPLETE,
            observed_at=ctx.now,
            problems=facts.problems,
            requests=self._requests_made() - requests_before,
            duration_s=time.perf_counter() - started,
        )
        return CollectorOutput(report=report, items=(evidence,))

    def _breach(self, facts: VaultFacts) -> Completeness:
        """Breach lookups: complete only when every password was looked up."""
        if facts.breach_checked and not facts.problems:
            return Completeness.complete()
        if self.breaches is None:
            return Completeness.unknown("breach checking is off (sources.vault.breach_check)")
        detail = facts.problems[0].detail if facts.problems else "not every password was looked up"
        return Completeness.unknown(detail)

    def _requests_made(self) -> int:
        """Range requests the breach lookup sent (its HTTP client's counter), 0 without one."""
        count = getattr(getattr(self.breaches, "http", None), "requests_made", 0)
        return count if isinstance(count, int) else 0


def read_exports(exports: list[tuple[str, Path]]) -> list[RawLogin]:
    """Every login of every export, ids unique across exports."""
    logins: list[RawLogin] = []
    seen: set[str] = set()
    for fmt, path in exports:
        parsed = parse_bitwarden(path) if fmt == BITWARDEN else parse_onepassword_csv(path)
        for login in parsed:
            if login.item_id in seen:
                raise InputFileError(
                    "an item id also appears in another configured export", file=str(path)
                )
            seen.add(login.item_id)
            logins.append(login)
    return logins


def linked_items(estate: Estate) -> list[str]:
    """The vault item references (ids or titles) the inventory links accounts to: the items the
    auth checks judge, so the only ones whose password strength is scored."""
    return [a.vault_item for a in estate.accounts if a.vault_item]


def user_inputs(estate: Estate) -> list[str]:
    """Company words a password must not lean on (name, domains, handles), for zxcvbn."""
    words: set[str] = set()
    org = estate.organization
    texts = [org.name, *org.email_domains, *estate.brand_handles]
    texts += [a.handle for a in estate.accounts] + [d.name for d in estate.domains]
    for text in texts:
        lowered = text.lower()
        words.add(lowered)
        words.update(_WORD.findall(lowered))
    return sorted(words)


def vault_exports(config: AppConfig) -> list[tuple[str, Path]]:
    """The configured (format, resolved path) vault exports."""
    vault = config.model.sources.vault
    if vault is None:
        return []
    exports: list[tuple[str, Path]] = []
    if vault.bitwarden is not None:
        exports.append((BITWARDEN, config.resolve(vault.bitwarden)))
    if vault.onepassword_csv is not None:
        exports.append((ONEPASSWORD, config.resolve(vault.onepassword_csv)))
    return exports


def breach_lookup(config: AppConfig) -> BreachLookup | None:
    """The Pwned Passwords client when ``check_breaches`` is on and the module is present."""
    vault = config.model.sources.vault
    if vault is None or not vault.check_breaches:
        return None
    try:
        module = importlib.import_module("auditor.collectors.records.hibp")
    except ModuleNotFoundError:
        return None
    factory = getattr(module, "from_config", None)
    if factory is None:
        factory = module.PwnedPasswords.from_config
    lookup: BreachLookup | None = factory(config)
    return lookup


def build(config: AppConfig) -> list[Collector]:
    """One collector per configured company-record source."""
    sources = config.model.sources
    collectors: list[Collector] = []
    if sources.directory is not None and sources.directory.csv is not None:
        collectors.append(DirectoryCsvCollector(config.resolve(sources.directory.csv)))
    exports = vault_exports(config)
    if exports:
        members = sources.vault.bitwarden_members if sources.vault else None
        collectors.append(
            VaultCollector(
                exports, breach_lookup(config), config.resolve(members) if members else None
            )
        )
    if sources.content_register is not None:
        collectors.append(RegisterCsvCollector(config.resolve(sources.content_register.csv)))
    return collectors


def preflight(config: AppConfig) -> None:
    """Open and parse every configured record file; InputFileError (exit 2) on the first
    problem. Passwords read here are dropped at once (no facts are derived)."""
    sources = config.model.sources
    for field, path in _configured_files(config):
        if not path.is_file():
            raise InputFileError(
                f"expected an existing file, {path} is missing", file=str(config.path), field=field
            )
    if sources.directory is not None and sources.directory.csv is not None:
        parse_directory(config.resolve(sources.directory.csv), _PREFLIGHT_TIME)
    read_exports(vault_exports(config))
    if sources.content_register is not None:
        parse_register(config.resolve(sources.content_register.csv), _PREFLIGHT_TIME)


def _configured_files(config: AppConfig) -> list[tuple[str, Path]]:
    """(config field, resolved path) of every record file the config names."""
    sources = config.model.sources
    named: list[tuple[str, Path | None]] = [
        ("sources.directory.csv", sources.directory.csv if sources.directory else None),
        ("sources.vault.bitwarden", sources.vault.bitwarden if sources.vault else None),
        ("sources.vault.onepassword_csv", sources.vault.onepassword_csv if sources.vault else None),
        (
            "sources.register.csv",
            sources.content_register.csv if sources.content_register else None,
        ),
    ]
    return [(field, config.resolve(path)) for field, path in named if path is not None]
