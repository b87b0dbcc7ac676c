"""Tests for quoting hostile platform text in result details."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from checks.safe_text import shown


def test_shown_escapes_bidi_zero_width_and_controls():
    assert shown("Ben\u202e\u200b\n") == "Ben\\u202e\\u200b\\u000a"


def test_shown_keeps_ordinary_unicode_and_caps_length():
    assert shown("Zoë Ñúñez 山田") == "Zoë Ñúñez 山田"
    assert shown("x" * 100, limit=10) == "x" * 9 + "…"
    assert shown(None) == "(none)"


@given(st.text(max_size=200), st.integers(min_value=1, max_value=120))
def test_shown_never_lets_an_invisible_character_through(text, limit):
    result = shown(text, limit=limit)
    assert len(result) <= limit
    assert not any(
        unicodedata.category(c) in {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"} for c in result
    )
