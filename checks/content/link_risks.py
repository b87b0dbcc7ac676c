"""What makes a link in a post or profile risky, for content.suspicious-link.

:class:`LinkJudge` is built once per check run: it parses each distinct link once and keeps the
risks that do not depend on the account (scheme, raw IP, punycode, lookalike of a brand domain,
shortener), adding per account only whether the domain is new to that account.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from auditor.core.registry import CheckContext
from checks.content.links import (
    SAFE_SCHEMES,
    ParsedLink,
    decode_host,
    extract_urls,
    is_ip,
    lookalike_of,
    parse_link,
    registrable,
)
from checks.safe_text import quoted

PLATFORM_DOMAINS = frozenset(
    {
        "x.com",
        "twitter.com",
        "facebook.com",
        "fb.com",
        "fb.me",
        "instagram.com",
        "linkedin.com",
        "youtube.com",
        "youtu.be",
        "github.com",
        "mastodon.social",
        "bsky.app",
        "threads.net",
        "tiktok.com",
    }
)
"""Platform domains that are never 'new' for an account (they may still be lookalikes)."""

NEW_DOMAIN = "never linked by this account before"
"""The risk named when an account links to a domain absent from its previous run."""

_NOT_LINKS = frozenset({"mailto", "tel", "sms"})


def allowed_host(host: str, allowed: Collection[str]) -> bool:
    """``host`` equals an allowed domain or ends with ``.`` + one: each dot-suffix of the host
    is looked up in the set."""
    if host in allowed:
        return True
    dot = host.find(".")
    while dot != -1:
        if host[dot + 1 :] in allowed:
            return True
        dot = host.find(".", dot + 1)
    return False


class LinkJudge:
    """Link parsing and account-independent risks, memoised for one check run."""

    def __init__(self, ctx: CheckContext) -> None:
        org = ctx.estate.organization
        self.brands = [d.name for d in ctx.estate.domains]
        """Brand domains (lookalike targets)."""
        self.allowed = frozenset(
            {*ctx.policy.allowed_link_domains, *self.brands, *org.email_domains}
        )
        """Allow-listed domains: the policy's, the brand domains, the company mail domains."""
        self.shorteners = ctx.policy.shorteners
        """Known link shorteners."""
        self._parsed: dict[str, ParsedLink] = {}
        self._static: dict[str, tuple[tuple[str, ...], str | None]] = {}

    def parse(self, raw: str) -> ParsedLink:
        """:func:`parse_link`, once per distinct link."""
        link = self._parsed.get(raw)
        if link is None:
            link = self._parsed[raw] = parse_link(raw)
        return link

    def links_of(self, text: str, links: Sequence[str]) -> list[str]:
        """The platform's links and the links written in ``text`` (``t.co`` wrappers dropped
        when the platform gave the expanded links), in order, each once."""
        written = [
            u
            for u in extract_urls(text)
            if not (links and registrable(self.parse(u).host or "") == "t.co")
        ]
        return list(dict.fromkeys([*links, *written]))

    def domains(self, raw_links: Sequence[str]) -> set[str]:
        """Registrable domains of ``raw_links`` (links without a host are skipped)."""
        hosts = (self.parse(u).host for u in raw_links)
        return {registrable(h) for h in hosts if h}

    def risks(self, raw: str, seen: set[str] | None) -> list[str]:
        """Why ``raw`` is risky (empty: it is not); ``seen``: the domains the account linked to
        in the previous run, None without one."""
        static = self._static.get(raw)
        if static is None:
            static = self._static[raw] = self._static_risks(self.parse(raw))
        risks, domain = static
        out = list(risks)
        if domain is None:
            return out
        if seen is not None and domain not in seen and domain not in PLATFORM_DOMAINS:
            out.append(NEW_DOMAIN)
        return out

    def _static_risks(self, link: ParsedLink) -> tuple[tuple[str, ...], str | None]:
        """The risks that do not depend on the account, and the domain to compare with the
        account's history (None when the verdict is final: not a web link, or allow-listed)."""
        if link.scheme in _NOT_LINKS:
            return (), None
        if link.scheme not in SAFE_SCHEMES:
            return (f"{link.scheme}: link",), None
        if link.host is None:
            return ("unparseable link",), None
        if allowed_host(link.host, self.allowed):
            return (), None
        domain = registrable(link.host)
        risks = []
        if is_ip(link.host):
            risks.append("raw IP address")
        elif "xn--" in link.host or not link.host.isascii():
            risks.append(f"internationalised host {quoted(decode_host(link.host), 60)}")
        lookalike = None if is_ip(link.host) else lookalike_of(link.host, self.brands)
        if lookalike:
            risks.append(f"lookalike of {lookalike}")
        if domain in self.shorteners or link.host in self.shorteners:
            risks.append("link shortener")
        return tuple(risks), domain
