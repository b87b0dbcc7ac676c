"""Account-takeover scam detection for content.scam-pattern.

A hijacked brand account posts the same few things: a crypto "giveaway", a wallet address, a
"send 1 BTC, receive 2 BTC back" promise, urgency and a link. Single words are weak (a brand may
report crypto news or run an ordinary sale), so the check combines signals and fails when:

* a *send-to-receive* promise (send/transfer/deposit ... receive/get back) comes with doubling
  (``2x``, ``double``, ``el doble``, ``удвоим``, ``2倍`` ...) or a wallet address;
* a *wallet address* appears (Bitcoin base58 with checksum, bech32/bech32m ``bc1`` with
  checksum, Ethereum ``0x`` + 40 hex, Tron base58 with checksum, Solana base58 next to a Solana
  word) and the post is not plainly a news report that asks for nothing;
* a *crypto giveaway* (giveaway/airdrop/free coins in English, Spanish, Portuguese, French,
  German, Italian, Russian, Turkish, Chinese or Japanese) comes with urgency, a link, a claim
  instruction, doubling or a send request, and the post is not a news report;
* a *wallet-drain* request ("connect/verify your wallet", "enter your seed phrase") comes with
  a link or urgency.

Matching runs on the text after NFKC, zero-width stripping and lookalike folding, so
``Ꮯlaim your frее ВТС`` still matches; non-Latin phrases are matched without folding.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from checks.text_patterns import clean, fold, fold_keep_scripts

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"


def _words(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


CRYPTO = _words(
    r"\b(?:btc|bitcoins?|eth|ether|ethereum|usdt|usdc|tether|sol|solana|crypto\w*|doge\w*|xrp|"
    r"ripple|bnb|shib|tokens?|coins?|nfts?|wallets?|satoshis?|web3|defi|metamask|phantom|"
    r"ltc|litecoin|cardano|trx|tron|cripto\w*|krypto\w*|kripto\w*)\b"
    r"|биткоин|крипт|эфир|比特币|加密|以太坊|ビットコイン|暗号資産|仮想通貨"
)
GIVEAWAY = _words(
    r"\b(?:give ?aways?|giving away|give away|air ?drops?|free (?:btc|bitcoin|eth|crypto|tokens?|"
    r"coins?|nfts?|sol|usdt)|sorteo|regal(?:o|amos|ando)|sorteio|cadeau|offrons|verlosung|"
    r"gewinnspiel|verschenk\w*|omaggio|regaliamo|çekiliş|hediye)\b"
    r"|раздач|розыгрыш|дарим|赠送|空投|免费|プレゼント|無料配布|エアドロップ"
)
DOUBLING = _words(
    r"\b(?:2x|x2|double[ds]?|doubling|twice|200 ?%|duplica\w*|doble|doppelt\w*|verdoppel\w*|"
    r"dobro|dobra\w*|doppio|raddoppi\w*|iki katı)\b"
    r"|удво|вдвое|вдвойне|2倍|双倍|翻倍|倍返"
)
SEND = _words(
    r"\b(?:send|sent|transfer|deposit|donate|env[ií]a\w*|envie\w*|envoy\w*|envoie\w*|"
    r"sende\w*|schick\w*|[üu]berweis\w*|invia\w*|gönder\w*|yolla\w*)\b"
    r"|отправ|пришли|переведи|переведите|送金|转账|发送|振り込"
)
RECEIVE = _words(
    r"\b(?:receive|get (?:back|it back|\d)|gets? back|return(?:ed)?|send (?:it )?back|"
    r"sent back|we(?:'ll| will)? send|recib\w*|receb\w*|recev\w*|erhalt\w*|erhält\w*|zurück|"
    r"ricev\w*|alacaks\w*|kazan\w*)\b"
    r"|получ|верн[её]м|返还|返回|获得|受け取"
)
URGENCY = _words(
    r"\b(?:hurry|today only|only today|limited time|last chance|act fast|act now|right now|"
    r"ends? (?:soon|today|tonight|in \d+)|expires? (?:soon|in|today)|first \d+|next \d+ "
    r"(?:minutes|mins|hours)|within \d+ (?:minutes|mins|hours)|don'?t miss|asap|immediately|"
    r"r[aá]pido|vite|schnell|sofort|subito|hemen|ahora mismo|agora)\b"
    r"|срочно|только сегодня|успей|今すぐ|急|限时|限定"
)
CLAIM = _words(
    r"\b(?:claim|participate|participation|eligible|whitelist|mint now|reclam\w*|particip\w*|"
    r"teilnehm\w*|katıl\w*)\b|участ|领取|参加"
)
WALLET_PHISH = _words(
    r"\b(?:(?:connect|verify|validate|sync|synchronize|restore|unlock|authenticate) (?:your |the )?"
    r"wallets?|(?:enter|submit|type|import) (?:your |the )?(?:seed|recovery|secret) phrase|"
    r"(?:enter|submit) (?:your )?private key)\b"
)
NEWS = _words(
    r"\b(?:reports?|reported|according to|analysts?|says|said|market|prices?|rall(?:y|ied)|fell|"
    r"rose|surge[ds]?|plunge[ds]?|drop(?:ped)?|etf|sec|regulat\w*|lawsuit|hack(?:ed|ers?)?|"
    r"exploit\w*|announce[ds]?|headlines?|news|read more|study|survey|breaking|warns?|"
    r"investigat\w*|noticias|nachrichten|новости)\b"
)
_LINK = re.compile(r"https?://|www\.|\b[a-z0-9-]+\.[a-z]{2,}/\S*", re.IGNORECASE)
_BTC_BASE58 = re.compile(r"(?<![1-9A-Za-z])[13][1-9A-HJ-NP-Za-km-z]{25,34}(?![1-9A-Za-z])")
_TRON = re.compile(r"(?<![1-9A-Za-z])T[1-9A-HJ-NP-Za-km-z]{33}(?![1-9A-Za-z])")
_BECH32_ADDR = re.compile(r"(?<![0-9a-z])bc1[02-9ac-hj-np-z]{11,71}(?![0-9a-z])", re.IGNORECASE)
_ETH = re.compile(r"(?<![0-9A-Za-z])0x[0-9a-fA-F]{40}(?![0-9A-Za-z])")
_SOL = re.compile(r"(?<![1-9A-Za-z])[1-9A-HJ-NP-Za-km-z]{32,44}(?![1-9A-Za-z])")
_SOL_CONTEXT = _words(r"\b(?:sol|solana|phantom|solflare|spl)\b")
_AMOUNT_PAIR = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(?:[a-z]{2,5}\b)?[^.\d]{0,60}?(?:receive|get|back|recib\w*|receb\w*|"
    r"recev\w*|erhalt\w*|получ\w*)\D{0,20}(\d+(?:[.,]\d+)?)",
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
    cleaned = clean(text)
    found: list[tuple[str, str]] = []
    found += [("btc", m.group()) for m in _BECH32_ADDR.finditer(cleaned) if bech32_valid(m.group())]
    found += [
        ("btc", m.group())
        for m in _BTC_BASE58.finditer(cleaned)
        if base58check(m.group(), b"\x00\x05")
    ]
    found += [("trx", m.group()) for m in _TRON.finditer(cleaned) if base58check(m.group(), b"A")]
    found += [("eth", m.group()) for m in _ETH.finditer(cleaned)]
    if _SOL_CONTEXT.search(fold(cleaned)):
        known = {address for _, address in found}
        for match in _SOL.finditer(cleaned):
            word = match.group()
            decoded = _b58decode(word)
            mixed = any(c.isdigit() for c in word) and any(c.isupper() for c in word)
            if word not in known and decoded is not None and len(decoded) == 32 and mixed:
                found.append(("sol", word))
    return found


def _doubled_amount(text: str) -> bool:
    for match in _AMOUNT_PAIR.finditer(text):
        try:
            sent = float(match.group(1).replace(",", "."))
            got = float(match.group(2).replace(",", "."))
        except ValueError:
            continue
        if sent > 0 and got >= 2 * sent:
            return True
    return False


def _signals(text: str) -> set[str]:
    folded, scripts = fold(text), fold_keep_scripts(text)

    def seen(pattern: re.Pattern[str]) -> bool:
        return bool(pattern.search(folded) or pattern.search(scripts))

    named = {
        "crypto": CRYPTO,
        "giveaway": GIVEAWAY,
        "doubling": DOUBLING,
        "send": SEND,
        "receive": RECEIVE,
        "urgency": URGENCY,
        "claim": CLAIM,
        "wallet-drain": WALLET_PHISH,
        "news": NEWS,
        "link": _LINK,
    }
    out = {name for name, pattern in named.items() if seen(pattern)}
    if "send" in out and _doubled_amount(folded):
        out.add("doubling")
    return out


def assess(text: str, links: tuple[str, ...] = ()) -> ScamVerdict:
    """Combine the signals of one post (its text and its links) into a verdict."""
    signals = _signals(text)
    if links:
        signals.add("link")
    wallets = find_wallets(text)
    signals.update(f"wallet:{kind}" for kind, _ in wallets)
    has_wallet = bool(wallets)
    asks = signals & {"giveaway", "send", "doubling", "claim", "wallet-drain"}
    send_to_receive = {"send", "receive"} <= signals and ("doubling" in signals or has_wallet)
    if send_to_receive:
        signals.add("send-to-receive")
    news_only = "news" in signals and not asks
    giveaway = (
        {"giveaway", "crypto"} <= signals
        and bool(signals & {"urgency", "link", "claim", "doubling", "send"})
        and "news" not in signals
    )
    drain = "wallet-drain" in signals and bool(signals & {"link", "urgency"})
    doubled_giveaway = {"giveaway", "doubling"} <= signals and bool(signals & {"send", "crypto"})
    scam = (
        send_to_receive or (has_wallet and not news_only) or giveaway or drain or doubled_giveaway
    )
    shown = tuple(f"{a[:6]}…{a[-4:]}" for _, a in wallets)
    return ScamVerdict(scam=scam, signals=tuple(sorted(signals - {"news"})), wallets=shown)
