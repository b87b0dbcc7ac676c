"""access: who can act as the brand? Role holders now (:mod:`.holders`) and compared with the previous run (:mod:`.history`)."""

from __future__ import annotations

from checks.access.holders import CHECKS

__all__ = ["CHECKS"]
