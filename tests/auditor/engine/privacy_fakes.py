"""Account evidence with customers in its replies, for the minimisation and erasure tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from auditor.core.evidence import AccountEvidence, AccountState, Post, Profile, RoleHolder
from tests.auditor.engine_fakes import T0

PHONE = "(415) 555-0199"
CUSTOMER = "trailfan42"
CUSTOMER_EMAIL = "trail.fan@gmail.com"
STREET = "77 Juniper Lane"
ADMIN = "mallory.k@gmail.com"


def reply_text() -> str:
    """A reply naming a customer (handle, phone, e-mail, street address) and the brand."""
    return (
        f"@{CUSTOMER} so sorry! We called {PHONE}, wrote to {CUSTOMER_EMAIL} and will ship to "
        f"{STREET}. Follow @acme for updates https://acme.example/help"
    )


def account(now: datetime = T0, *, with_reply: bool = True) -> AccountEvidence:
    """@acme on X: a profile, an admin from outside, a plain post and (optionally) the reply."""
    posts = [Post("100", now - timedelta(hours=5), "Winter kits are here https://acme.example/w")]
    if with_reply:
        posts.append(Post("101", now - timedelta(hours=2), reply_text(), is_reply=True))
    return AccountEvidence(
        platform="x",
        handle="acme",
        source="x",
        observed_at=now,
        state=AccountState.ACTIVE,
        account_id="1",
        profile=Profile(display_name="Acme", bio="Gear since 1998", link="https://acme.example"),
        posts=tuple(posts),
        roles=(RoleHolder("9", "Mallory K", ADMIN, "ADMIN", full_admin=True, privilege=3),),
    )
