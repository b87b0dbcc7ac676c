"""``brand-audit watch``: near-real-time observation of a watched subset of the estate.

- :mod:`auditor.http.signatures`: ``X-Hub-Signature-256`` (HMAC-SHA256, constant time).
- :mod:`.side_table`: how the watch's own tables sit in the audit database.
- :mod:`.inbox`: the durable record of accepted deliveries (de-duplicated, stored before the
  sender is answered, so what was acknowledged survives a SIGTERM).
- :mod:`.receiver`: the Starlette app for GitHub organization and Meta Page webhooks.
- :mod:`.events`: what a verified delivery says (which watched account changed).
- :mod:`.budget`: per-platform request budgets per 15 minutes and the poll intervals they allow.
- :mod:`.scope`: the watch list and the collector wrapper that reads only the due accounts.
- :mod:`.alerts`: one Apprise alert per finding when it opens, a rate cap with a digest.
- :mod:`.service`: the loop that turns events and due polls into audits and alerts.
"""
