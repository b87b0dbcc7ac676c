"""auth: password and two-factor hygiene (:mod:`.two_factor`, :mod:`.passwords`)."""

from __future__ import annotations

from checks.auth.two_factor import CHECKS

__all__ = ["CHECKS"]
