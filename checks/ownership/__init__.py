"""ownership: does the company own and control each brand account? From company records (:mod:`.records`) and from the platforms (:mod:`.platform`)."""

from __future__ import annotations

from checks.ownership.records import CHECKS

__all__ = ["CHECKS"]
