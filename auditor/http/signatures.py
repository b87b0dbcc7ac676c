"""``X-Hub-Signature-256``: signing and verifying webhook bodies (the watch receiver verifies,
the sandbox signs), as GitHub and Meta webhooks use it.

Both sign the raw request body with HMAC-SHA256 keyed by the configured secret and send
``sha256=<hex digest>``. The comparison is constant time (:func:`hmac.compare_digest`) and
happens before anything reads the body as JSON.
"""

from __future__ import annotations

import hashlib
import hmac

PREFIX = "sha256="
"""How the header value starts."""


def sign(secret: bytes, body: bytes) -> str:
    """The header value a sender computes for ``body``."""
    return PREFIX + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify(secret: bytes, body: bytes, header: str | None) -> bool:
    """True only when ``header`` is a well-formed signature of ``body`` under ``secret``."""
    if not secret or not header or not header.startswith(PREFIX):
        return False
    expected = sign(secret, body)
    return hmac.compare_digest(expected.encode("ascii"), header.strip().encode("ascii", "replace"))
