"""content: has someone changed what the brand says? The checks and their detectors (PII, scam patterns, links, text normalisation)."""

from __future__ import annotations

from checks.content.catalog import CHECKS

__all__ = ["CHECKS"]
