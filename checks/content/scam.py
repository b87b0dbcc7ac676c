"""Account-takeover scam detection for content.scam-pattern.

A hijacked brand account posts the same few things: a crypto "giveaway", a wallet address, a
"send 1 BTC, receive 2 BTC back" promise, urgency and a link. Single words are weak (a brand may
report crypto news, sell a leather wallet or run an ordinary sale), so the check combines
signals and fails when one of these rules fires (the rule names appear in the finding):

* ``send-to-receive``: a send/transfer/deposit word followed by a receive/get-back word (or
  amounts where the second is at least twice the first), with doubling (``2x``, ``double``,
  ``el doble``, ``удвоим``, ``2倍`` ...) or a wallet address, about crypto or money;
* ``wallet-address``: a wallet address (Bitcoin base58 and bech32/bech32m ``bc1`` with their
  checksums, Ethereum ``0x`` + 40 hex, Tron base58 with checksum, Solana base58 next to a
  Solana word) in a post that is not plainly a news report or warning that asks for nothing;
* ``crypto-giveaway``: giveaway/airdrop/free-coin wording (English, Spanish, Portuguese,
  French, German, Italian, Dutch, Russian, Turkish, Chinese, Japanese) about crypto, with
  urgency, a claim instruction, doubling or a send request (or a link, unless it is news);
* ``crypto-claim``: "claim" about crypto with a link or urgency; ``crypto-doubling``: doubling
  about crypto with a link or urgency (not news, not a warning);
* ``wallet-drain``: "connect/verify your wallet", "enter your seed phrase" (also in Spanish,
  Portuguese, French, German, Italian) with a link or urgency;
* ``doubled-giveaway``: a giveaway that doubles what is sent;
* ``crypto-investment``: guaranteed/daily returns, passive income, "pays 2x" about crypto (not
  news, not a warning).

Crypto means an unambiguous name (bitcoin, ETH, USDT, NFT ...); ordinary words (coin, token,
wallet, sol) count only in ticker form (``$NWT``, ``500 tokens``, ``NWT token``, ``1 SOL``).
A post that warns about scams ("we never run crypto giveaways") does not fire the giveaway
rules. Matching runs on the text after NFKC, zero-width stripping and lookalike folding, so
``Ꮯlaim your frее ВТС`` still matches, and again with digit-for-letter swaps undone in mixed
words (``bitc0in``, ``s3nd``); non-Latin phrases are matched without folding.

Speed: every matching form is already case-folded, so the keyword patterns (written
case-insensitive) are searched through case-sensitive twins (:func:`_folded_twin`, three times
faster, same matches on case-folded text) and each distinct form of a text is searched once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from checks.content.normalise import clean, fold, fold_cleaned

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


_CASE_TWINS = str.maketrans({"\u0131": "i"})
"""The one pair ``re.IGNORECASE`` equates that case folding keeps apart: ``i`` and dotless
``ı`` (the other pairs, like ``ſ``/``s`` or ``K`` (Kelvin)/``k``, fold to one letter)."""
_ESCAPE = re.compile(r"\\.")


def _folded_twin(pattern: re.Pattern[str]) -> re.Pattern[str]:
    """A case-sensitive pattern that matches case-folded text passed through
    :data:`_CASE_TWINS` exactly where the case-insensitive ``pattern`` matches that text.

    Only for lower-case patterns without letter ranges (checked here, at import)."""
    source = pattern.pattern
    if _ESCAPE.sub("", source) != _ESCAPE.sub("", source).casefold() or "a-z" in source:
        raise ValueError(f"not a lower-case keyword pattern: {source[:40]}")
    return re.compile(source.translate(_CASE_TWINS), pattern.flags & ~re.IGNORECASE)


CRYPTO = _words(
    r"\b(?:btc|bitcoins?|eth|ethereum|usdt|usdc|tether|solana|crypto\w*|doge\w*|xrp|ripple|bnb|"
    r"shib|nfts?|satoshis?|web3|defi|metamask|ltc|litecoin|cardano|trx|cripto\w*|krypto\w*|"
    r"kripto\w*|stablecoins?|altcoins?|memecoins?)\b"
    r"|биткоин|крипт|比特币|加密|以太坊|ビットコイン|暗号資産|仮想通貨"
)
"""Words that name crypto-assets unambiguously (``coin``, ``token``, ``wallet`` and ``sol`` are
ordinary words: see :data:`TICKER_UNITS`)."""
TICKER_UNITS = re.compile(
    r"(?:\$[A-Z]{2,6}\b|\b(?:\d[\d.,]*\s*|[A-Z]{2,6}\s+)(?:tokens?|coins?|Token)\b|\bSOL\b|"
    r"\bphantom wallet|\bcrypto wallet|\btrust wallet)",
)
"""Ticker-style mentions (``$NWT``, ``500 tokens``, ``NWT token``, ``1 SOL``): case-sensitive."""
_MONEY = re.compile(r"[$€£]\s?\d|\d\s?[$€£]|\b\d+(?:[.,]\d+)?\s?(?:usd|eur|gbp|dollars?)\b", re.I)
GIVEAWAY = _words(
    r"\b(?:give ?aways?|giving away|give away|air ?drops?|free (?:btc|bitcoin|eth|crypto|tokens?|"
    r"coins?|nfts?|sol|usdt)|free mint|mint (?:for )?free|sorteo|regal(?:o|amos|ando)|sorteio|cadeau|offrons|verlosung|"
    r"gewinnspiel|verschenk\w*|omaggio|regaliamo|çekiliş\w*|hediye\w*|winactie|weggeef\w*)\b"
    r"|раздач|розыгрыш|дарим|赠送|空投|免费|プレゼント|無料配布|エアドロップ"
)
DOUBLING = _words(
    r"\b(?:2x|x2|double[ds]?|doubling|twice|200 ?%|duplica\w*|doble|doppelt\w*|verdoppel\w*|"
    r"dobro|dobra\w*|doppio|raddoppi\w*|iki katı|verdubbel\w*|dubbel)\b"
    r"|удво|вдвое|вдвойне|2倍|双倍|翻倍|倍返"
)
SEND = _words(
    r"\b(?:send|sent|transfer|deposit|donate|env[ií][aá]\w*|envie\w*|envoy\w*|envoie\w*|"
    r"sende\w*|schick\w*|[üu]berweis\w*|invia\w*|gönder\w*|yolla\w*|stuur\w*|verstuur\w*|"
    r"maak\w* over)\b"
    r"|отправ|пришли|переведи|переведите|送金|转账|发送|振り込"
)
RECEIVE = _words(
    r"\b(?:receive|get (?:back|it back|[$€£]?\s?\d+)|gets? back|return(?:ed)?|send (?:it )?back|"
    r"sent back|we(?:'ll| will)? send|recib\w*|receb\w*|recev\w*|erhalt\w*|erhält\w*|zurück|"
    r"ricev\w*|alacaks\w*|kazan\w*|ontvang\w*|terug)\b"
    r"|получ|верн[её]м|返还|返回|获得|受け取"
)
URGENCY = _words(
    r"\b(?:hurry|today only|only today|limited time|last chance|act fast|act now|right now|"
    r"ends? (?:soon|today|tonight|in \d+)|expires? (?:soon|in|today)|first \d+|next \d+ "
    r"(?:minutes|mins|hours)|within \d+ (?:minutes|mins|hours)|don'?t miss|asap|immediately|"
    r"r[aá]pido|vite|schnell|sofort|subito|hemen|ahora mismo|agora|only \d+ left)\b"
    r"|срочно|только сегодня|успей|今すぐ|急|限时|限定"
)
INVEST = _words(
    r"\b(?:guaranteed (?:returns?|profits?|income)|risk[- ]free (?:returns?|profits?|income)|"
    r"passive income|daily (?:returns?|profits?|payouts?)|\d+ ?% (?:returns?|profits?|roi|daily)|"
    r"pays? \d+x|investment (?:group|plan|club)|trading signals)\b"
)
"""Investment-fraud wording (only counts about crypto)."""
CLAIM = _words(
    r"\b(?:claim|participate|participation|eligible|whitelist|mint now|reclam\w*|particip\w*|"
    r"teilnehm\w*|katıl\w*)\b|участ|领取|参加"
)
WALLET_PHISH = _words(
    r"\b(?:(?:connect|verify|validate|sync|synchronize|restore|unlock|authenticate) (?:your |the )?"
    r"wallets?|(?:enter|submit|type|import) (?:your |the )?(?:seed|recovery|secret) phrase|"
    r"(?:enter|submit) (?:your )?private key|"
    r"(?:conect[aáe]\w*|verific[aá]\w*|sincroniz[aá]\w*|connecte[zr]?|vérifie[zr]?|verbinde\w*|"
    r"collega\w*) (?:tu |su |sua |seu |votre |ton |deine |ihre |il tuo )?"
    r"(?:wallet|billetera|cartera|carteira|portefeuille|portafoglio))\b"
)
NEWS = _words(
    r"\b(?:reports?|reported|according to|analysts?|says|said|market|prices?|rall(?:y|ied)|fell|"
    r"rose|surge[ds]?|plunge[ds]?|dropped|etf|sec|regulat\w*|lawsuit|hack(?:ed|ers?)?|"
    r"exploit\w*|announce[ds]?|headlines?|news|read more|study|survey|breaking|warns?|"
    r"investigat\w*|noticias|nachrichten|новости)\b"
)
WARNING = _words(
    r"\b(?:scam alert|beware|be careful|fake accounts?|impersonat\w*|phishing|we (?:will )?never|"
    r"never (?:ask|run|send|dm)|don'?t fall for|report (?:them|it|fake)|not affiliated)\b"
)
_NAMED = {
    "crypto": CRYPTO,
    "giveaway": GIVEAWAY,
    "doubling": DOUBLING,
    "send": SEND,
    "receive": RECEIVE,
    "urgency": URGENCY,
    "claim": CLAIM,
    "wallet-drain": WALLET_PHISH,
    "invest": INVEST,
}
_FAST = {name: _folded_twin(pattern) for name, pattern in _NAMED.items()}
_FAST_NEWS, _FAST_WARNING = _folded_twin(NEWS), _folded_twin(WARNING)
_FAST_SEND, _FAST_RECEIVE = _FAST["send"], _FAST["receive"]
_LEET = str.maketrans("013457@$", "oieastas")
_LEET_WORD = re.compile(r"\b(?=[a-z0-9@$]*[a-z])(?=[a-z0-9@$]*[0-9@$])[a-z0-9@$]{3,}\b")
"""Words that mix letters with digit-for-letter swaps (``bitc0in``, ``s3nd``)."""
_URL_TEXT = re.compile(r"\S+://\S+|\bwww\.\S+", re.IGNORECASE)
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.[a-z]{2,}/\S*", re.IGNORECASE)
_BTC_BASE58 = re.compile(r"(?<![1-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![1-9A-Za-z])")
_TRON = re.compile(r"(?<![1-9A-Za-z])T[1-9A-HJ-NP-Za-km-z]{33}(?![1-9A-Za-z])")
_BECH32_ADDR = re.compile(r"(?<![0-9a-z])bc1[02-9ac-hj-np-z]{11,71}(?![0-9a-z])", re.IGNORECASE)
_ETH = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")
_SOL = re.compile(r"(?<![1-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{32,44}(?![1-9A-Za-z])")
_ALNUM_RUN = re.compile(r"[0-9A-Za-z]{14}")
"""Every wallet address is a run of at least 14 ASCII letters and digits (``bc1`` + 11)."""
_SOL_CONTEXT = _words(r"\b(?:sol|solana|phantom|solflare|spl)\b")
_AMOUNT_PAIR = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:[a-z]{2,5}\b)?[^.\d]{0,60}?(?:receive|get|back|return|recib\w*|"
    r"receb\w*|recev\w*|erhalt\w*|ontvang\w*|получ\w*)\D{0,20}(\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)
_BACK_FOR_EVERY = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:[a-z]{2,5}\b)?\s*back\s+for\s+(?:every|each)\s+(\d+(?:[.,]\d+)?)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class ScamVerdict:
    """What the detector saw in one text."""

    scam: bool
    """True when the combined signals make it a takeover scam."""
    signals: tuple[str, ...]
    """Signal names (``wallet:btc``, ``send-to-receive``, ``giveaway`` ...)."""
    wallets: tuple[str, ...]
    """Wallet addresses found, shortened (``bc1qar…5mdq``)."""
    rules: tuple[str, ...] = ()
    """The rules that fired (``send-to-receive``, ``wallet-address``, ``crypto-giveaway`` ...)."""


def _b58decode(text: str) -> bytes | None:
    number = 0
    for char in text:
        index = _B58.find(char)
        if index < 0:
            return None
        number = number * 58 + index
    body = number.to_bytes((number.bit_length() + 7) // 8, "big") if number else b""
    return b"\x00" * (len(text) - len(text.lstrip("1"))) + body


def base58check(text: str, versions: bytes) -> bool:
    """A 25-byte base58check payload with one of ``versions`` and a valid checksum."""
    raw = _b58decode(text)
    if raw is None or len(raw) != 25 or raw[0] not in versions:
        return False
    return hashlib.sha256(hashlib.sha256(raw[:21]).digest()).digest()[:4] == raw[21:]


def bech32_valid(address: str) -> bool:
    """BIP-173/BIP-350 checksum of a ``bc1`` address (bech32 or bech32m)."""
    if address != address.lower() and address != address.upper():
        return False
    hrp, _, data = address.lower().rpartition("1")
    values = [_BECH32.find(c) for c in data]
    if hrp != "bc" or len(values) < 7 or min(values) < 0:
        return False
    generator = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    checksum = 1
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp] + values
    for value in expanded:
        top = checksum >> 25
        checksum = (checksum & 0x1FFFFFF) << 5 ^ value
        for bit in range(5):
            checksum ^= generator[bit] if (top >> bit) & 1 else 0
    return checksum in (1, 0x2BC830A3)


def find_wallets(text: str) -> list[tuple[str, str]]:
    """(kind, address) for every wallet address in ``text`` (checksums verified)."""
    return _wallets(clean(text))


def _wallets(cleaned: str) -> list[tuple[str, str]]:
    """:func:`find_wallets` on text already passed through :func:`clean`."""
    found: list[tuple[str, str]] = []
    if not _ALNUM_RUN.search(cleaned):
        return found
    found += [("btc", m.group()) for m in _BECH32_ADDR.finditer(cleaned) if bech32_valid(m.group())]
    found += [
        ("btc", m.group())
        for m in _BTC_BASE58.finditer(cleaned)
        if base58check(m.group(), b"\x00\x05")
    ]
    found += [("trx", m.group()) for m in _TRON.finditer(cleaned) if base58check(m.group(), b"A")]
    found += [("eth", m.group()) for m in _ETH.finditer(cleaned)]
    if _SOL.search(cleaned) and _SOL_CONTEXT.search(fold(cleaned)):
        known = {address for _, address in found}
        for match in _SOL.finditer(cleaned):
            word = match.group()
            decoded = _b58decode(word)
            mixed = any(c.isdigit() for c in word) and any(c.isupper() for c in word)
            if word not in known and decoded is not None and len(decoded) == 32 and mixed:
                found.append(("sol", word))
    return found


def _doubled_amount(text: str) -> bool:
    pairs = [(m.group(1), m.group(2)) for m in _AMOUNT_PAIR.finditer(text)]
    pairs += [(m.group(2), m.group(1)) for m in _BACK_FOR_EVERY.finditer(text)]
    for sent_text, got_text in pairs:
        try:
            sent = float(sent_text.replace(",", "."))
            got = float(got_text.replace(",", "."))
        except ValueError:
            continue
        if sent > 0 and got >= 2 * sent:
            return True
    return False


def _forms(cleaned: str) -> tuple[str, str, tuple[str, ...]]:
    """The folded form, the script-keeping form and every distinct matching form."""
    folded = fold_cleaned(cleaned)
    scripts = cleaned.casefold()
    if not cleaned.isascii():  # the case twins are non-ASCII
        folded, scripts = folded.translate(_CASE_TWINS), scripts.translate(_CASE_TWINS)
    unleet = _LEET_WORD.sub(lambda m: m.group().translate(_LEET), folded)
    return folded, scripts, tuple(dict.fromkeys((folded, scripts, unleet)))


_GATE = ("crypto", "giveaway", "wallet-drain")
"""Every rule needs a wallet address, crypto, money, a wallet-drain request or a giveaway."""


def cannot_be_scam(text: str) -> bool:
    """True when no rule of :func:`assess` can fire: the text has no wallet address and none of
    the signals every rule needs (crypto, money, a giveaway, a wallet-drain request). A cheap
    first pass (a third of the searches); :func:`assess` decides the rest."""
    cleaned = clean(text)
    folded, _, variants = _forms(cleaned)
    if any(_FAST[name].search(v) for name in _GATE for v in variants):
        return False
    if _MONEY.search(folded) or _ticker(cleaned):
        return False
    return not _wallets(cleaned)


_TICKER_WORDS = ("$", "oken", "coin", "SOL", "wallet")
"""One of these is in every :data:`TICKER_UNITS` match."""


def _ticker(cleaned: str) -> bool:
    return any(w in cleaned for w in _TICKER_WORDS) and bool(TICKER_UNITS.search(cleaned))


def _signals(cleaned: str) -> set[str]:
    """Signal names seen in a text already passed through :func:`clean`."""
    folded, scripts, variants = _forms(cleaned)
    prose = tuple(dict.fromkeys(_URL_TEXT.sub(" ", v) for v in (folded, scripts)))
    out = {name for name, fast in _FAST.items() if any(fast.search(v) for v in variants)}
    if any(_LINK.search(v) for v in variants):
        out.add("link")
    if _ticker(cleaned):
        out.add("crypto")
    if _MONEY.search(folded):
        out.add("money")
    if any(_FAST_NEWS.search(part) for part in prose):
        out.add("news")
    if any(_FAST_WARNING.search(part) for part in prose):
        out.add("warning")
    if "send" in out and _doubled_amount(folded):
        out.update({"doubling", "doubled-amount"})
    if "send" in out and any(_send_then_receive(v) for v in dict.fromkeys((folded, scripts))):
        out.add("send-then-receive")
    return out


def _send_then_receive(text: str) -> bool:
    """A send/transfer word followed, within 120 characters, by a receive/get-back word."""
    for sent in _FAST_SEND.finditer(text):
        window = text[sent.end() : sent.end() + 120]
        if _FAST_RECEIVE.search(window):
            return True
    return False


def _rules(signals: set[str], has_wallet: bool) -> list[str]:
    """The scam rules the signals satisfy (empty: not a scam)."""
    asks = signals & {"giveaway", "send", "doubling", "claim", "wallet-drain"}
    valuable = bool(signals & {"crypto", "money"}) or has_wallet
    ordered = bool(signals & {"send-then-receive", "doubled-amount"})
    news_only = bool(signals & {"news", "warning"}) and not asks
    reported = bool(signals & {"news", "warning"})
    warned = "warning" in signals
    strong = bool(signals & {"urgency", "claim", "doubling", "send"})
    urgent_or_link = bool(signals & {"link", "urgency"})
    rules = {
        "send-to-receive": ordered and ("doubling" in signals or has_wallet) and valuable,
        "wallet-address": has_wallet and not news_only,
        "crypto-giveaway": {"giveaway", "crypto"} <= signals
        and (strong or ("link" in signals and "news" not in signals))
        and not warned,
        "crypto-claim": {"claim", "crypto"} <= signals and urgent_or_link and not news_only,
        "crypto-doubling": {"crypto", "doubling"} <= signals and urgent_or_link and not reported,
        "wallet-drain": "wallet-drain" in signals and urgent_or_link,
        "crypto-investment": {"invest", "crypto"} <= signals and not reported,
        "doubled-giveaway": {"giveaway", "doubling"} <= signals
        and bool(signals & {"send", "crypto"})
        and not warned,
    }
    return [name for name, fired in rules.items() if fired]


def assess(text: str, links: tuple[str, ...] = ()) -> ScamVerdict:
    """Combine the signals of one post (its text and its links) into a verdict."""
    cleaned = clean(text)
    signals = _signals(cleaned)
    if links:
        signals.add("link")
    wallets = _wallets(cleaned)
    signals.update(f"wallet:{kind}" for kind, _ in wallets)
    rules = _rules(signals, bool(wallets))
    if "send-to-receive" in rules:
        signals.add("send-to-receive")
    shown = tuple(f"{a[:6]}…{a[-4:]}" for _, a in wallets)
    hidden = {"news", "warning", "money", "send-then-receive", "doubled-amount"}
    return ScamVerdict(
        scam=bool(rules),
        signals=tuple(sorted(signals - hidden)),
        wallets=shown,
        rules=tuple(rules),
    )
