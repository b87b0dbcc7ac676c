"""Unit and property tests for the content pattern modules (normalisation, PII, scam signals,
link parsing) and the corpus regression guard: precision and recall targets on
``tests/corpus/posts.yaml``."""

from __future__ import annotations

import importlib.util
import json
import sys
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from auditor.core.estate import Organization
from checks.content import links as link_patterns
from checks.content import normalise as text_patterns
from checks.content import pii
from checks.content import scam as scam_patterns
from checks.safe_text import quoted

ROOT = Path(__file__).resolve().parents[2]
ORG = Organization(
    name="Northwind Outfitters",
    email_domains=("northwind.example",),
    public_emails=("support@northwind.example",),
    public_phones=("+1 415 555 0100",),
)
HOSTILE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",))
    | st.sampled_from(list("\u202e\u202d\u2066\u200b\u200d\ufeff@.:/\\[]0123456789xn--")),
    max_size=300,
)


def _bench():
    spec = importlib.util.spec_from_file_location(
        "content_precision", ROOT / "bench" / "content_precision.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("content_precision", module)
    spec.loader.exec_module(module)
    return module


def test_corpus_meets_precision_and_recall_targets():
    bench = _bench()
    scores = bench.evaluate()
    for label, target in bench.TARGETS.items():
        score = scores[label]
        assert score.precision >= target, (label, score.false_positives)
        assert score.recall >= target, (label, score.false_negatives)
    _, expected = bench.load()
    assert len(expected) >= 300


# ---------------------------------------------------------------- normalisation


def test_fold_maps_cyrillic_greek_and_fullwidth_to_latin():
    assert text_patterns.fold("Аurоrа Ⅹ2 ｌａｕｎｃｈ Νονα") == "aurora x2 launch nova"


def test_term_matching_respects_word_bounds_for_short_terms():
    assert text_patterns.term_in_text("Nova", "the N.O.V.A drop")
    assert not text_patterns.term_in_text("Nova", "so innovative")
    assert text_patterns.term_in_text("Aurora X2", "#AuroraX2launch")
    assert not text_patterns.term_in_text("Aurora X2", "aurora x3")


def test_quoted_escapes_hidden_characters_visibly_and_truncates():
    """One display rule for the checks: hidden characters are shown as escapes, never dropped
    (the content helper of old dropped zero-width characters)."""
    shown = quoted("a\u202eb\u200bc\nd" + "x" * 200, 20)
    assert "\u202e" not in shown and "\\u202e" in shown and "\\u200b" in shown
    assert "\n" not in shown
    assert len(shown) <= 22


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_quoted_never_emits_invisible_or_bidi_characters(text):
    shown = quoted(text, 60)
    assert not any(unicodedata.category(c) in {"Cc", "Cf", "Zl", "Zp"} for c in shown)


# ---------------------------------------------------------------- PII


@pytest.mark.parametrize(
    ("digits", "ok"),
    [("4242424242424242", True), ("378282246310005", True), ("4242424242424241", False)],
)
def test_luhn(digits, ok):
    assert pii.luhn_valid(digits) is ok


@pytest.mark.parametrize(
    ("iban", "ok"),
    [
        ("GB82WEST12345698765432", True),
        ("DE89370400440532013000", True),
        ("DE89370400440532013001", False),
        ("XX89370400440532013000", False),
    ],
)
def test_iban(iban, ok):
    assert pii.iban_valid(iban) is ok


def test_public_phone_in_another_format_is_not_pii():
    assert pii.find_pii("Call (415) 555-0100 or 415.555.0100", ORG) == []


def test_redact_masks_in_place():
    text = "@ann call +44 20 7946 0958 or ann@gmail.com"
    assert pii.redact(text, ORG) == "@ann call +44 *** *** 0958 or a***@g***.com"


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_pii_never_crashes_and_never_returns_raw_digits(text):
    for match in pii.find_pii(text, ORG):
        assert match.kind in {"email", "phone", "card", "iban"}
        assert sum(c.isdigit() for c in match.masked) <= 6


# ---------------------------------------------------------------- scam signals


def test_wallet_checksums():
    good = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa"
    assert scam_patterns.find_wallets(f"x {good} y") == [("btc", good)]
    assert scam_patterns.find_wallets(good[:-1] + "b") == []
    assert scam_patterns.bech32_valid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4")
    assert not scam_patterns.bech32_valid("bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")


def test_solana_address_needs_context():
    address = "C8H4v4c2eA6njjgzvWSrCpLdYg3hWSygoVsi4RkUrzjV"
    assert scam_patterns.find_wallets(f"ref {address}") == []
    assert scam_patterns.find_wallets(f"send SOL to {address}") == [("sol", address)]


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_assess_never_crashes(text):
    verdict = scam_patterns.assess(text, (text[:50],))
    assert isinstance(verdict.scam, bool)


# ---------------------------------------------------------------- links


@pytest.mark.parametrize(
    "host",
    ["3232235777", "0xC0.0xA8.0x00.0x01", "0300.0250.0.1", "127.1", "::1", "192.0.2.1"],
)
def test_ip_spellings(host):
    assert link_patterns.is_ip(host)


def test_not_ips():
    assert not any(link_patterns.is_ip(h) for h in ("cafe.example", "256.1.1.1", "1.2.3.4.5"))


def test_parse_link_reads_like_a_browser():
    assert link_patterns.parse_link("https://evil.example\\@northwind.example/").host == (
        "evil.example"
    )
    assert link_patterns.parse_link("https://northwind.example@evil.example").host == (
        "evil.example"
    )
    assert link_patterns.parse_link("http://[::1").host is None
    assert link_patterns.parse_link("northwind。example/x").host == "northwind.example"


@pytest.mark.parametrize(
    "host",
    [
        "northw1nd.example",
        "nortwind.example",
        "northwind-support.example",
        "northwind.shop",
        "xn--nrthwind-ttb.example",
        "northwind.example.evil.example",
        "northvvind.example",
    ],
)
def test_lookalikes(host):
    assert link_patterns.lookalike_of(host, ("northwind.example",)) == "northwind.example"


def test_unrelated_domain_is_not_a_lookalike():
    assert link_patterns.lookalike_of("outdoorgearlab.example", ("northwind.example",)) is None


@settings(max_examples=150, deadline=None)
@given(HOSTILE)
def test_link_parsing_never_raises(text):
    for url in [text, *link_patterns.extract_urls(text)]:
        parsed = link_patterns.parse_link(url)
        if parsed.host:
            link_patterns.lookalike_of(parsed.host, ("northwind.example",))
            link_patterns.is_ip(parsed.host)


# ---------------------------------------------------------------- whole family on hostile input


@settings(max_examples=40, deadline=None)
@given(st.lists(HOSTILE, min_size=1, max_size=6), HOSTILE, st.lists(HOSTILE, max_size=3))
def test_every_content_check_survives_hostile_posts_and_profiles(texts, bio, links):
    import content_factories as cf

    from auditor.core.models import Status
    from checks import content

    posts = tuple(
        cf.post(str(i), text, hours_ago=i * 7, links=tuple(links)) for i, text in enumerate(texts)
    )
    hostile_profile = cf.profile(bio=bio, link=links[0] if links else bio, extra_links=tuple(links))
    ctx = cf.ctx(
        cf.account(posts=posts, profile_=hostile_profile),
        previous_=cf.previous(cf.account(posts=posts[:1])),
        baselines={cf.KEY: cf.baseline(cf.profile())},
        launches=[cf.launch(terms=(bio[:12] or "x", "Aurora X2"))],
        register_=cf.register(cf.entry(text=texts[0])),
    )
    for check in content.CHECKS:
        for outcome in check(ctx):
            assert outcome.status in {Status.FAIL, Status.PASS, Status.NOT_VERIFIED}
            assert not any(ch in text_patterns.BIDI_CONTROLS for ch in outcome.detail)
            assert not any(ch in text_patterns.INVISIBLE for ch in outcome.detail)
            facts = json.dumps(outcome.evidence.facts, ensure_ascii=False)
            assert not any(ch in text_patterns.BIDI_CONTROLS for ch in facts)


def test_phone_prefilter_digit_floor_matches_the_numbering_plans() -> None:
    from phonenumbers import PhoneMetadata
    from phonenumbers.phonenumberutil import COUNTRY_CODES_FOR_NON_GEO_REGIONS, SUPPORTED_REGIONS

    plans = [PhoneMetadata.metadata_for_region(r) for r in SUPPORTED_REGIONS]
    plans += [
        PhoneMetadata.metadata_for_nongeo_region(c) for c in COUNTRY_CODES_FOR_NON_GEO_REGIONS
    ]
    lengths = [min(m.general_desc.possible_length) for m in plans if m is not None]
    assert min(lengths) == pii.MIN_PHONE_DIGITS
    org = Organization(name="Co", email_domains=("co.example",), default_region="NU")
    assert [m.kind for m in pii.find_pii("call +683 4002 now", org)] == ["phone"]
    assert pii.find_pii("Post 7 from bench123: visit https://bench7.example/offer", org) == []


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet="0123456789+-() .x/abc٣\u3000ー", max_size=24))
def test_phone_prefilter_never_hides_a_number(text: str) -> None:
    for region in ("US", "NU", "DE"):
        if list(pii._phone_candidates(text, region)):
            assert pii._PHONE_DIGITS.search(text), (text, region)
