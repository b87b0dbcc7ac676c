"""The one HTTP layer under every collector: client, retries and rate-limit dialects, conditional cache, pagination, SSRF guard and DNS pinning, redaction of secrets."""
