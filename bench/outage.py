"""Every API down: the demo estate audited while the sandbox answers every request with a fault,
against a healthy audit of the same estate.

The circuit breaker per host (:mod:`auditor.http.breaker`) must keep such a run short and quiet:
under 30 s and fewer than 3 HTTP requests per inventory account. Printed per mode: wall time,
requests, requests per account, and how many results were not verified; with ``--no-breaker``
the 5xx outage is also run with the breaker disabled, for comparison (the timeout outage is not:
without a breaker it takes minutes).

    .venv/bin/python -m bench.outage [--no-breaker]
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path

from auditor.core.models import Status
from auditor.http import client as http_client
from auditor.http.breaker import Breakers
from auditor.sandbox.faults import Fault, FaultKind
from bench.demo_runs import DemoAudit, audit_demo, prepare

GOAL_SECONDS = 30.0
"""The all-APIs-down run must finish within this."""

GOAL_REQUESTS_PER_ACCOUNT = 3.0
"""... and send fewer requests than this per inventory account."""

OUTAGES: dict[str, tuple[Fault, ...]] = {
    "5xx": (Fault(FaultKind.SERVER_ERROR, status=503),),
    "connection reset": (Fault(FaultKind.DISCONNECT),),
    "timeout": (Fault(FaultKind.TIMEOUT, seconds=11.0),),
}
"""Every request of every platform answered with one fault (the timeout outlasts the demo's
10 s read timeout)."""


@contextlib.contextmanager
def breaker_disabled() -> Iterator[None]:
    """Every run-level HttpShared built with a breaker that never opens."""
    original = http_client.HttpShared.from_network

    def without(*args: object, **kwargs: object) -> http_client.HttpShared:
        shared = original(*args, **kwargs)  # type: ignore[arg-type]
        shared.breakers = Breakers(threshold=sys.maxsize)
        return shared

    http_client.HttpShared.from_network = staticmethod(without)  # type: ignore[method-assign]
    try:
        yield
    finally:
        http_client.HttpShared.from_network = original  # type: ignore[method-assign]


def line(label: str, audit: DemoAudit, accounts: int) -> str:
    """One printed row."""
    unverified = sum(1 for f in audit.run.findings if f.effective_status is Status.NOT_VERIFIED)
    per = audit.requests / accounts
    return (
        f"{label:<34} {audit.seconds:7.1f} s {audit.requests:7d} requests"
        f" {per:6.2f}/account {unverified:5d} not verified"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the healthy and outage audits and print the figures; 1 when a goal is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-breaker", action="store_true", help="also run 5xx without breaker")
    args = parser.parse_args(argv)
    missed = 0
    with tempfile.TemporaryDirectory(prefix="bench-outage-") as tmp:
        folder = Path(tmp)
        demo = prepare(folder)
        accounts = len(demo.config.estate.accounts)
        print(f"demo estate: {accounts} inventory accounts")
        healthy = audit_demo(demo, folder / "healthy.db")
        print(line("healthy", healthy, accounts))
        for name, faults in OUTAGES.items():
            down = audit_demo(demo, folder / f"{name}.db", faults)
            ok = (
                down.seconds < GOAL_SECONDS and down.requests / accounts < GOAL_REQUESTS_PER_ACCOUNT
            )
            missed += not ok
            verdict = "ok" if ok else "GOAL MISSED"
            print(line(f"every API down ({name})", down, accounts) + f"  {verdict}")
            if name == "5xx" and args.no_breaker:
                with breaker_disabled():
                    slow = audit_demo(demo, folder / "no-breaker.db", faults)
                print(line("  same, breaker disabled", slow, accounts))
    print(
        f"goals: under {GOAL_SECONDS:.0f} s and under {GOAL_REQUESTS_PER_ACCOUNT:.0f} requests"
        " per account with every API down"
    )
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
