"""The Public Suffix List: which part of a host name is its registrable domain.

``shop.northwind.example`` and ``www.northwind.example`` are both registered as
``northwind.example``; ``bbc.co.uk`` is registered under ``co.uk``. Registration checks and the
lookalike engine need that split. The list is the copy python-whois ships
(``whois/data/public_suffix_list.dat``); the standard algorithm applies (wildcard and exception
rules; a TLD the list does not know is one label, the implicit ``*`` rule).
"""

from __future__ import annotations

from collections.abc import Iterable
from importlib import resources


class PublicSuffixList:
    """Suffix rules and the registrable-domain split."""

    def __init__(self, rules: Iterable[str]) -> None:
        self._exact: set[str] = set()
        self._wildcard: set[str] = set()
        self._exception: set[str] = set()
        for raw in rules:
            rule = raw.strip().lower()
            if not rule or rule.startswith("//"):
                continue
            rule = rule.split()[0]
            if rule.startswith("!"):
                self._exception.add(rule[1:])
            elif rule.startswith("*."):
                self._wildcard.add(rule[2:])
            else:
                self._exact.add(rule)

    @staticmethod
    def bundled() -> PublicSuffixList:
        """The list shipped with python-whois (read once per call: keep the instance)."""
        text = resources.files("whois").joinpath("data/public_suffix_list.dat").read_text("utf-8")
        return PublicSuffixList(text.splitlines())

    def suffix(self, host: str) -> str:
        """The public suffix of ``host`` (``co.uk`` for ``a.b.co.uk``)."""
        labels = host.strip().rstrip(".").lower().split(".")
        best = labels[-1]
        for start in range(len(labels) - 1, -1, -1):
            candidate = ".".join(labels[start:])
            parent = ".".join(labels[start + 1 :])
            if candidate in self._exception:
                return parent
            if candidate in self._exact or (parent and parent in self._wildcard):
                best = candidate
        return best

    def registrable(self, host: str) -> str | None:
        """The registrable domain of ``host``; None for a bare suffix or an empty host."""
        name = host.strip().rstrip(".").lower()
        if not name or "." not in name:
            return None
        suffix = self.suffix(name)
        if name == suffix:
            return None
        head = name[: -len(suffix) - 1]
        return f"{head.rsplit('.', 1)[-1]}.{suffix}"

    def split(self, domain: str) -> tuple[str, str]:
        """``(label, suffix)`` of a registrable domain (``("bbc", "co.uk")``)."""
        name = self.registrable(domain) or domain.strip().lower()
        suffix = self.suffix(name)
        return name[: -len(suffix) - 1] if name != suffix else name, suffix
