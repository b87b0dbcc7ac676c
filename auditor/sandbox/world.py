"""The sandbox's world file: a YAML description of a fictional brand estate, one section per API.

Top-level keys are platform or concern names (``x``, ``meta``, ``linkedin``, ``youtube``,
``github``, ``mastodon``, ``bluesky``, ``google``, ``rdap``, ``whois``, ``hibp``) plus ``faults``
(see :mod:`auditor.sandbox.faults`). Each route module validates its own section; this module only
reads the file, checks the top level, and offers :func:`when`, the shared reader of times: an ISO
8601 timestamp or a time relative to the moment the sandbox serves it (``-2d``, ``-3h30m``,
``-45m``), so a world's recent posts stay recent. An optional top-level ``previous`` overlay
describes an earlier state of the same estate; ``load_world(path, epoch="previous")`` serves that
state (merge rules in :mod:`auditor.sandbox.epochs`).

Bad files raise :class:`~auditor.core.errors.InputFileError` with one line naming file and key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from auditor.core.errors import InputFileError

SECTIONS = (
    "x",
    "meta",
    "linkedin",
    "youtube",
    "github",
    "mastodon",
    "bluesky",
    "google",
    "google_workspace",
    "rdap",
    "whois",
    "hibp",
    "faults",
    "meta_info",
    "previous",
)
"""Top-level keys a world file may have (``meta_info`` is free-form notes, ``previous`` the
overlay of an earlier state: see :func:`apply_epoch`)."""

SECTION_ALIASES = {"google_workspace": "google"}
"""Route prefix to world key, where they differ."""

_RELATIVE = re.compile(r"^-\s*(?:(\d+)w)?\s*(?:(\d+)d)?\s*(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+)s)?$")

DEMO_WORLD = Path(__file__).with_name("worlds") / "demo.yaml"
"""The demo estate's world (Northwind Outfitters)."""


@dataclass(frozen=True)
class World:
    """A loaded world file."""

    sections: Mapping[str, Any]
    """Top-level sections by key."""
    path: Path | None = None
    """Where it was read from."""
    notes: Mapping[str, Any] = field(default_factory=dict)
    """The free-form ``meta_info`` section."""
    epoch: str = "current"
    """Which state of the estate the sections describe (``current`` or ``previous``)."""
    previous_age: timedelta | None = None
    """How long before now the ``previous`` overlay's state was (None: the file has none)."""

    def section(self, platform: str) -> Mapping[str, Any]:
        """The section a route module for ``platform`` serves (empty when absent)."""
        value = self.sections.get(platform)
        if value is None and platform in SECTION_ALIASES:
            value = self.sections.get(SECTION_ALIASES[platform])
        return value if isinstance(value, Mapping) else {}

    def has(self, platform: str) -> bool:
        """True when the world has a section for ``platform``."""
        return bool(self.section(platform))


def load_world(path: Path, *, epoch: str = "current") -> World:
    """Read and check a world file's top level; ``epoch="previous"`` applies its ``previous``
    overlay (see :mod:`auditor.sandbox.epochs`)."""
    name = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputFileError(
            f"cannot read world file ({exc.__class__.__name__})", file=name
        ) from None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError:
        raise InputFileError("is not valid YAML", file=name) from None
    return world_from_mapping(raw, path, epoch=epoch)


def world_from_mapping(raw: Any, path: Path | None = None, *, epoch: str = "current") -> World:
    """Build a :class:`World` from already-parsed YAML (tests build worlds in code)."""
    from auditor.sandbox.epochs import EPOCHS, PREVIOUS, apply_epoch, previous_age

    name = str(path) if path else "<world>"
    if not isinstance(raw, Mapping):
        raise InputFileError("expected a mapping of sections at the top level", file=name)
    for key, value in raw.items():
        if key not in SECTIONS:
            raise InputFileError(
                f"unknown section (expected one of {', '.join(SECTIONS)})",
                file=name,
                field=str(key),
            )
        if key != "faults" and value is not None and not isinstance(value, Mapping):
            raise InputFileError("expected a mapping", file=name, field=str(key))
    if epoch not in EPOCHS:
        raise InputFileError(f"unknown epoch {epoch!r} (expected current or previous)", file=name)
    age = previous_age(raw, name) if raw.get(PREVIOUS) is not None else None
    sections = apply_epoch(
        raw, "previous" if epoch == "previous" else "current", datetime.now(UTC), name
    )
    notes = raw.get("meta_info") or {}
    return World(
        sections=sections,
        path=path,
        notes=notes if isinstance(notes, Mapping) else {},
        epoch=epoch,
        previous_age=age,
    )


def when(value: Any, now: datetime | None = None) -> datetime:
    """A world time: ISO 8601 (naive = UTC), a datetime, or relative like ``-2d3h``.

    Raises ``ValueError`` for anything else (route modules turn that into a world-file error).
    """
    base = now or datetime.now(UTC)
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    text = str(value).strip()
    match = _RELATIVE.match(text)
    if match and any(match.groups()):
        weeks, days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
        return base - timedelta(
            weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds
        )
    parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def require(section: Mapping[str, Any], key: str, platform: str, kind: type = list) -> Any:
    """``section[key]`` checked to be a ``kind`` (missing: an empty one)."""
    value = section.get(key)
    if value is None:
        return kind()
    if not isinstance(value, kind):
        raise InputFileError(f"expected a {kind.__name__}", field=f"{platform}.{key}")
    return value
