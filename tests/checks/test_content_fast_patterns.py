"""The case-sensitive twins of the scam keyword patterns match exactly where the
case-insensitive originals do, on every case-folded text (the corpus and generated text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checks.content import scam as scam_patterns
from checks.content.normalise import fold, fold_keep_scripts

PATTERNS = [*scam_patterns._NAMED.values(), scam_patterns.NEWS, scam_patterns.WARNING]
CORPUS = Path(__file__).resolve().parents[1] / "corpus" / "posts.yaml"
TRICKY = "aeiouksIıİiſßẞKkµμςσ çşğüöéáí вкдотсБТСᲀ0123 $€£:/.-'@x2btcethsendgetbackdouble"


def same_matches(text: str) -> None:
    for pattern in PATTERNS:
        twin = scam_patterns._folded_twin(pattern)
        expected = [m.span() for m in pattern.finditer(text)]
        assert [m.span() for m in twin.finditer(text.translate(scam_patterns._CASE_TWINS))] == (
            expected
        ), (pattern.pattern[:30], text)


def corpus_texts() -> list[str]:
    data = yaml.safe_load(CORPUS.read_text(encoding="utf-8"))
    posts = data["posts"] if isinstance(data, dict) else data
    return [str(p["text"]) for p in posts]


def test_twins_match_like_the_originals_on_the_corpus() -> None:
    if not CORPUS.exists():
        pytest.skip("no corpus")
    texts = corpus_texts()
    assert len(texts) > 100
    for text in texts:
        for form in (fold(text), fold_keep_scripts(text)):
            same_matches(form)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=TRICKY, max_size=40))
def test_twins_match_like_the_originals_on_generated_text(text: str) -> None:
    same_matches(text.casefold())
    same_matches(fold(text))


def test_twin_refuses_a_pattern_it_cannot_mirror() -> None:
    with pytest.raises(ValueError):
        scam_patterns._folded_twin(re.compile("Bitcoin", re.IGNORECASE))
    with pytest.raises(ValueError):
        scam_patterns._folded_twin(re.compile("[a-z]+coin", re.IGNORECASE))


def test_cannot_be_scam_never_clears_a_scam_of_the_corpus() -> None:
    if not CORPUS.exists():
        pytest.skip("no corpus")
    texts = corpus_texts()
    scams = [t for t in texts if scam_patterns.assess(t).scam]
    assert scams
    assert not [t for t in scams if scam_patterns.cannot_be_scam(t)]
    assert any(scam_patterns.cannot_be_scam(t) for t in texts)


PHRASES = [
    "send ",
    "1 btc ",
    "get 2 back ",
    "giveaway ",
    "$5 ",
    "double ",
    "claim ",
    "now ",
    "connect your wallet ",
    "http://x.example ",
    "0x" + "a" * 40 + " ",
    "news ",
    "usdt ",
    "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4 ",
    "we never ",
    "free ",
    "Ꮯlaim ",
    "ВТС ",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(PHRASES), max_size=7).map("".join))
def test_cannot_be_scam_never_clears_a_generated_scam(text: str) -> None:
    if scam_patterns.cannot_be_scam(text):
        assert not scam_patterns.assess(text).scam, text
        assert not scam_patterns.assess(text, ("https://x.example",)).scam, text


def test_ascii_fast_paths_rest_on_non_ascii_tables() -> None:
    from checks.content.normalise import _DOT_LIKE, BIDI_CONTROLS, FOLD_TABLE, INVISIBLE

    assert min(FOLD_TABLE) > 127 and min(_DOT_LIKE) > 127
    assert min(map(ord, INVISIBLE | BIDI_CONTROLS)) > 127


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=30), st.integers(0, 40))
def test_ascii_fast_paths_give_the_slow_paths_answers(text: str, limit: int) -> None:
    import unicodedata

    from checks.content.normalise import clean, fold
    from checks.safe_text import quoted, shown

    assert clean(text) == unicodedata.normalize("NFKC", text)
    assert fold(text) == text.casefold()
    slow = "".join(
        f"\\u{ord(c):04x}" if unicodedata.category(c) in ("Cc", "Cf") else c for c in text
    )
    assert shown(text, limit) == (slow if len(slow) <= limit else slow[: max(limit - 1, 0)] + "…")
    assert quoted(text, max(limit, 2)).startswith("'")
