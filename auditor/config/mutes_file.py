"""The mutes file: accepted risk written as code, reviewed in pull requests like the config.

The config names it (``mutes: mutes.yaml``, relative to the config's folder). Each entry says
which results it accepts, by check id or category, platform, asset and subject (shell-style
wildcards ``*`` and ``?``, case-insensitive), and why: ``reason``, ``owner``, ``ticket`` and
``expires`` (the last day it holds, UTC), at most ``policy.max_mute_days`` from today::

    version: 1
    mutes:
      - check: auth.two-factor-sms      # a check id, a category (auth), or a pattern (auth.*)
        platform: x                     # default *
        asset: acme                     # handle, domain, platform id or asset key; default *
        subject: "*"                    # default *
        reason: hardware keys ordered, SMS until they arrive
        owner: ciso@acme.example
        ticket: SEC-1234
        expires: 2027-01-31

One-off acceptance of a single result stays in the store (``brand-audit mute``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from auditor.core.errors import ConfigError
from auditor.core.models import Mute


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class MuteEntryModel(_Strict):
    """One entry of the mutes file."""

    check: str = Field(min_length=1)
    platform: str = "*"
    asset: str = "*"
    subject: str = "*"
    reason: str = Field(min_length=1)
    owner: str = Field(min_length=1)
    ticket: str = Field(min_length=1)
    expires: date


class MutesFileModel(_Strict):
    """The whole mutes file."""

    version: Literal[1] = 1
    mutes: list[MuteEntryModel] = []


@dataclass(frozen=True)
class MuteRule:
    """One accepted risk from the mutes file, matched against results by pattern."""

    check: str
    """Check id, category or pattern (lower case)."""
    platform: str
    """Platform pattern (``*``: any, domains included)."""
    asset: str
    """Pattern for the asset's handle, domain, platform id or key."""
    subject: str
    """Pattern for the result's subject."""
    mute: Mute
    """What a matching result carries: reason, owner, ticket, expiry and origin (its
    ``fingerprint`` is empty: each matching result gets its own)."""


def end_of_day(last_day: date) -> datetime:
    """The moment ``last_day`` (UTC) ends: a mute written "until D" holds through D."""
    return datetime.combine(last_day + timedelta(days=1), time.min, tzinfo=UTC)


def latest_expiry(today: date, max_days: int) -> date:
    """The last day a mute recorded ``today`` may hold (``policy.max_mute_days``)."""
    return today + timedelta(days=max_days)


def load_mute_rules(path: Path, *, max_days: int, today: date) -> tuple[MuteRule, ...]:
    """Read and validate the mutes file; :class:`ConfigError` naming the file, the entry's field
    and what was expected."""
    name = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("file not found (named by the config's 'mutes')", file=name) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read file ({exc.__class__.__name__})", file=name) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else None
        raise ConfigError("is not valid YAML", file=name, field=where) from None
    try:
        model = MutesFileModel.model_validate(raw if raw is not None else {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or None
        raise ConfigError(f"expected: {first['msg']}", file=name, field=where) from None
    latest = latest_expiry(today, max_days)
    rules: list[MuteRule] = []
    for index, entry in enumerate(model.mutes):
        if entry.expires > latest:
            raise ConfigError(
                f"expected an expiry at most policy.max_mute_days ({max_days}) days ahead,"
                f" by {latest.isoformat()}, got {entry.expires.isoformat()}",
                file=name,
                field=f"mutes.{index}.expires",
            )
        mute = Mute(
            fingerprint="",
            reason=entry.reason.strip(),
            owner=entry.owner.strip(),
            expires=end_of_day(entry.expires),
            created_at=datetime.combine(today, time.min, tzinfo=UTC),
            ticket=entry.ticket.strip(),
            origin=f"{path.name} entry {index + 1}",
        )
        rules.append(
            MuteRule(
                check=entry.check.strip().lower(),
                platform=entry.platform.strip().lower(),
                asset=entry.asset.strip().lower(),
                subject=entry.subject.strip().lower(),
                mute=mute,
            )
        )
    return tuple(rules)
