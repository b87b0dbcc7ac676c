"""Reading hostile JSON payloads into typed values: the one set of shape helpers every
collector uses.

Two flavours, one per need: the strict ones (:func:`as_object`, :func:`as_list`,
:func:`required_text`) raise :class:`~auditor.core.errors.MalformedResponse` naming what was
expected, for a shape the collector cannot do without; the lenient ones (:func:`value_at`,
:func:`text`, :func:`objects`, :func:`flag`, :func:`timestamp`, :func:`object_or_empty`) give
None or an empty value for a missing or wrong-typed field, for the fields a platform may leave
out. None of them ever raises ``KeyError`` or ``TypeError`` on a fetched value.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from auditor.core.errors import MalformedResponse

JSONObject = dict[str, Any]
"""A decoded JSON object."""


def as_object(value: object, what: str) -> JSONObject:
    """``value`` as a JSON object, or :class:`MalformedResponse` naming ``what``."""
    if not isinstance(value, dict):
        raise MalformedResponse(f"{what}: expected a JSON object")
    return value


def as_list(value: object, what: str) -> list[Any]:
    """``value`` as a JSON array, or :class:`MalformedResponse` naming ``what``."""
    if not isinstance(value, list):
        raise MalformedResponse(f"{what}: expected a JSON array")
    return value


def object_or_empty(value: object) -> JSONObject:
    """``value`` when it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def value_at(value: object, *keys: str) -> Any:
    """``value[k1][k2]...`` through JSON objects only; None when any step is missing or is not
    an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def text(value: object, *keys: str) -> str | None:
    """A string (or number) found by :func:`value_at`, as text; None for anything else
    (absent, null, a boolean, an object)."""
    found = value_at(value, *keys)
    if isinstance(found, bool) or found is None:
        return None
    return str(found) if isinstance(found, str | int | float) else None


def required_text(obj: JSONObject, key: str, what: str) -> str:
    """A string (or integer id) field that must be present and not empty."""
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, str | int) or value == "":
        raise MalformedResponse(f"{what}: field {key!r} is missing")
    return str(value)


def objects(value: object, *keys: str) -> list[JSONObject]:
    """The JSON objects in the list found by :func:`value_at` (other items are skipped)."""
    found = value_at(value, *keys)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def flag(obj: JSONObject, key: str) -> bool | None:
    """A boolean field; None when absent, null or not a boolean."""
    value = obj.get(key)
    return value if isinstance(value, bool) else None


def timestamp(value: object) -> datetime | None:
    """An ISO 8601 time as aware UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
