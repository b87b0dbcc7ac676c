"""What every room shares: result models, evidence types, the estate, the check registry, typed errors and owner-only files. Imports nothing else of brand-auditor."""
