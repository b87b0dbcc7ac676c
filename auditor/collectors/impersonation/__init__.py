"""Impersonation collectors: lookalike domains and handle probes (lookalike and unclaimed brand handles)."""
