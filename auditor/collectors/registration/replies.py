"""Saved registry replies in place of the network (``brand-audit lookup --replies DIR``).

A support case or an offline analysis starts from replies someone saved: ``DIR/NAME.json`` is
an RDAP answer for ``NAME`` (a domain object, or an RDAP error object whose ``errorCode`` is
404 for "not found"), ``DIR/NAME.whois`` is the port-43 text. :class:`SavedReplies` stands in for
both transports, and only for them: the RDAP client, the WHOIS reader, the classification and
the lookup's RDAP-first order are the code of a run. Without a ``.json`` file the TLD counts as
having no RDAP service (WHOIS answers); without either file the lookup fails as a network
lookup would (:class:`~auditor.core.errors.NotFound`, never "unregistered").
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from auditor.collectors.registration.rdap import Bootstrap
from auditor.core.errors import MalformedResponse, NotFound

SCHEME = "saved:"
"""The pseudo base URL of a saved RDAP reply (shown as the server that answered)."""


def _name(domain: str) -> str:
    return domain.strip().rstrip(".").lower()


class SavedReplies:
    """RDAP bootstrap, RDAP JSON source and WHOIS transport reading one folder."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.requests_made = 0

    def path_for(self, domain: str, suffix: str) -> Path:
        """``DIR/NAME.suffix``."""
        return self.folder / f"{_name(domain)}{suffix}"

    # -- BootstrapProvider (only domains with a saved .json "have" an RDAP server) -------------
    def current(self) -> Bootstrap:
        """A bootstrap naming this folder for exactly the domains with a saved RDAP reply."""
        return _SavedBootstrap(self)

    # -- JsonSource ----------------------------------------------------------------------------
    def get_json(
        self,
        path_or_url: str,
        *,
        params: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Any:
        """The saved RDAP reply for the URL's domain; an RDAP 404 error object is NotFound."""
        domain = path_or_url.rstrip("/").rsplit("/", 1)[-1]
        path = self.path_for(domain, ".json")
        self.requests_made += 1
        try:
            payload = json.loads(path.read_text("utf-8"))
        except FileNotFoundError:
            raise NotFound(f"no saved RDAP reply {path.name}") from None
        except (OSError, ValueError) as exc:
            raise MalformedResponse(f"saved RDAP reply {path.name} is not JSON") from exc
        if isinstance(payload, dict) and str(payload.get("errorCode")) == "404":
            raise NotFound(f"{path.name}: RDAP 404")
        return payload

    # -- WhoisTransport ------------------------------------------------------------------------
    def query(self, domain: str) -> tuple[str, str | None]:
        """The saved port-43 text (read as UTF-8, undecodable bytes replaced)."""
        path = self.path_for(domain, ".whois")
        try:
            raw = path.read_bytes()
        except FileNotFoundError:
            raise NotFound(f"no saved reply for {_name(domain)} (.json or .whois)") from None
        except OSError as exc:
            raise MalformedResponse(f"saved WHOIS reply {path.name} cannot be read") from exc
        return raw.decode("utf-8", errors="replace"), None


class _SavedBootstrap(Bootstrap):
    """Names the folder only for domains whose own ``.json`` reply is saved."""

    def __init__(self, replies: SavedReplies) -> None:
        super().__init__({})
        self._replies = replies

    def base_for(self, domain: str) -> str | None:
        if not self._replies.path_for(domain, ".json").is_file():
            return None
        return f"{SCHEME}{self._replies.folder}"
