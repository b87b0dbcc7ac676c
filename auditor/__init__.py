"""brand-auditor: audit a company's brand accounts and domains for takeover and impersonation risk."""

__version__ = "0.1.0"
