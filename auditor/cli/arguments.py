"""Helpers every command family of the CLI shares: repeated list flags and one-line messages."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

EXIT_USAGE = 2
"""Usage, config, input or store error."""


def positive_int(text: str) -> int:
    """An argparse type: a whole number of 1 or more (``--limit -1`` is a usage error)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected 1 or more, got {value}")
    return value


def split_list(values: Sequence[str] | None) -> tuple[str, ...]:
    """Flag values that may repeat and hold comma lists (``--only a,b --only c``), flattened."""
    return tuple(v.strip() for raw in values or () for v in raw.split(",") if v.strip())


def one_line(text: str) -> str:
    """``text`` on one line, with control and invisible characters shown as escapes (an error
    may quote a hostile value from a file)."""
    flat = " ".join(text.split())
    return "".join(ch if ch.isprintable() else ascii(ch)[1:-1] for ch in flat)
