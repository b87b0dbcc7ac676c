"""The check catalog: every check of CHECKS.md, one module per category.

``ALL_CHECKS`` is the explicit list the composition root validates into a registry. Checks import
only ``auditor.core`` (models, evidence, estate, registry, completeness); they never fetch and
never import a collector or an SDK. Every check declares the facets its passes rest on
(``@check(..., facets=...)``) and reads their completeness only through
:func:`auditor.core.completeness.facet_status` (:mod:`checks.facets`); a pass needs every one
``complete``.
"""

from __future__ import annotations

from auditor.core.registry import CheckFunc
from checks import access, auth, content, coverage, domain, impersonation, ownership

ALL_CHECKS: tuple[CheckFunc, ...] = (
    *ownership.CHECKS,
    *access.CHECKS,
    *auth.CHECKS,
    *content.CHECKS,
    *domain.CHECKS,
    *impersonation.CHECKS,
    *coverage.CHECKS,
)
"""Every check, in catalog order."""
