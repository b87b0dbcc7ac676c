"""The case-sensitive twins of the scam keyword patterns match exactly where the
case-insensitive originals do, on every case-folded text (the corpus and generated text)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from checks import scam_patterns
from checks.text_patterns import fold, fold_keep_scripts

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
