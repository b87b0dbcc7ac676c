"""The hijack watch, timed on the sandbox: change to alert, requests against budgets, bad deliveries.

Run from the repository root: ``.venv/bin/python bench/watch.py [--trials 3]``.

A generated world and config hold a 20-account watch list: the GitHub organization (webhooks),
12 X accounts and 7 Mastodon accounts (polled), every platform at its DEFAULT budget (half the
published limit) and the default asked interval (60 s). ``brand-audit watch``'s own composition
runs it (real receiver on 127.0.0.1, real engine and store, Apprise ``json://`` to a local
endpoint). Printed:

1. the plan: per platform, accounts, budget, published limit, requests per poll, the interval
   achieved;
2. webhook latency: a stranger added to the GitHub organization in the sandbox world, the signed
   ``member_added`` delivery sent, until the alert reaches the local endpoint (target <= 5 s);
3. poll latency: a scam bio written on one X and one Mastodon account at a random moment, until
   the alert arrives (target <= the platform's achieved interval + 10 s);
4. requests per platform: counted by the sandbox (and charged by the watch's ledger) over the
   whole run, which fits in one 15-minute window, against the budget; and the sustained rate per
   hour (measured requests per poll x polls per hour at the achieved interval) against the budget
   and the published limit per hour;
5. forged, replayed and unsigned deliveries sent while it runs, and how many were processed
   (target: 0 stored, 0 runs triggered by them).
"""

from __future__ import annotations

import argparse
import copy
import logging
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from auditor.config.loading import load_config
from auditor.sandbox import DEMO_WORLD, load_world, start_sandbox
from auditor.sandbox.alert_sink import AlertSink
from auditor.sandbox.changes import (
    add_github_member,
    github_org,
    rewrite_mastodon_note,
    rewrite_x_profile,
)
from auditor.sandbox.webhooks import Delivery, github_delivery, github_member_event, post
from auditor.sandbox.world import world_from_mapping
from auditor.service.watch.budget import WINDOW_S

SECRET = b"bench-watch-secret"
X_ACCOUNTS = 12
MASTODON_ACCOUNTS = 7
SCAM = (
    "Giveaway! Send 0.05 BTC to bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq and receive 0.1 BTC back"
)


def world() -> Any:
    raw = yaml.safe_load(DEMO_WORLD.read_text(encoding="utf-8"))
    demo = load_world(DEMO_WORLD)
    x_user = copy.deepcopy(demo.section("x")["users"][1])  # northwind_deals: a plain account
    users = []
    for i in range(X_ACCOUNTS):
        user = copy.deepcopy(x_user)
        user.update(id=str(1510000000000000000 + i), username=f"nw_region{i:02d}", tweets=[])
        user["tweets"] = [
            {
                "id": str(1810000000000000000 + i),
                "text": "Trail report: all open.",
                "created_at": "-2d",
            }
        ]
        users.append(user)
    masto = copy.deepcopy(demo.section("mastodon")["accounts"][0])
    accounts = []
    for i in range(MASTODON_ACCOUNTS):
        account = copy.deepcopy(masto)
        account.update(id=str(109100000000000000 + i), username=f"nw{i:02d}", statuses=[])
        accounts.append(account)
    sections = {
        "x": {"me": users[0]["id"], "users": users},
        "mastodon": {
            **demo.section("mastodon"),
            "token_account": accounts[0]["id"],
            "accounts": accounts,
        },
        "github": raw["github"],
    }
    return world_from_mapping(sections)


def config(folder: Path, sandbox: Any, alert_url: str) -> Path:
    accounts = [
        {
            "platform": "github",
            "handle": "northwind-labs",
            "id": "9100001",
            "expected_admins": [
                "alice.ng@northwind.example",
                "ben.ortiz@northwind.example",
                "dev.patel@northwind.example",
                "carla.diaz@northwind.example",
            ],
        }
    ]
    accounts += [
        {"platform": "x", "handle": f"nw_region{i:02d}", "id": str(1510000000000000000 + i)}
        for i in range(X_ACCOUNTS)
    ]
    accounts += [
        {
            "platform": "mastodon",
            "handle": f"nw{i:02d}@social.example",
            "id": str(109100000000000000 + i),
        }
        for i in range(MASTODON_ACCOUNTS)
    ]
    platforms = {
        p: {"base_url": sandbox.base_urls[p], "token": "demo-sandbox-token"}
        for p in ("x", "mastodon", "github")
    }
    platforms["github"]["organization"] = "northwind-labs"
    data = {
        "organization": {"name": "Northwind Outfitters", "email_domains": ["northwind.example"]},
        "accounts": accounts,
        "platforms": platforms,
        "network": {"allow_private": True, "rate_limit_budget_s": 5},
        "storage": {"path": "bench.db"},
        "watch": {"all": True, "port": 0, "github": {"secret": SECRET.decode()}},
        "alerts": {"urls": [alert_url], "max_per_hour": 1000},
    }
    path = folder / "watch.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def bad_deliveries(url: str, org: dict[str, Any]) -> dict[str, int]:
    """Forged, replayed and unsigned deliveries; their HTTP statuses by kind."""
    member = {"login": "mallory-bad", "id": 9200777, "role": "admin"}  # never in the world
    payload = github_member_event("member_added", org, member)
    good = github_delivery("organization", payload, SECRET, "replayed-guid")
    forged = github_delivery("organization", payload, b"guessed-secret")
    unsigned = {k: v for k, v in good.headers.items() if k != "X-Hub-Signature-256"}
    statuses: dict[str, int] = {}
    for i in range(20):
        statuses[f"forged {i}"] = post(url, forged)
        statuses[f"unsigned {i}"] = post(
            url, Delivery({**unsigned, "X-GitHub-Delivery": f"u-{i}"}, good.body)
        )
    statuses["original"] = post(url, good)
    for i in range(20):
        statuses[f"replayed {i}"] = post(url, good)
    return statuses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5, help="webhook hijacks to time")
    args = parser.parse_args()
    # bench/reports.py would shadow the reports package the CLI composition imports
    here = Path(__file__).resolve().parent
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != here]
    from auditor.cli.watch import started_watch

    logging.basicConfig(level=logging.ERROR)  # the receiver logs each refusal as a warning

    with (
        tempfile.TemporaryDirectory() as tmp,
        start_sandbox(world()) as sandbox,
        AlertSink() as sink,
    ):
        cfg = load_config(config(Path(tmp), sandbox, sink.apprise_url))
        stop = threading.Event()
        with started_watch(cfg) as running:
            service = running.service
            loop = threading.Thread(target=service.serve, args=(stop,), daemon=True)
            watch_from = time.monotonic()
            loop.start()
            while service.runs < 1:
                time.sleep(0.05)
            counts_from = sandbox.requests_by_platform
            print(f"watch list: {len(service.watched)} accounts")
            for line in service.describe():
                print("  " + line)

            # 2. webhook latency
            hook = running.url + "/webhooks/github"
            latencies = []
            for trial in range(args.trials):
                member = {
                    "login": f"stranger-{trial}",
                    "id": 9300000 + trial,
                    "name": f"Stranger {trial}",
                    "email": f"stranger{trial}@protonmail.example",
                    "role": "admin",
                    "two_factor": "none",
                }
                changed_world = add_github_member(sandbox.world, "northwind-labs", member)
                sandbox.change_world(changed_world)
                started = time.monotonic()
                payload = github_member_event(
                    "member_added", github_org(changed_world, "northwind-labs"), member
                )
                post(hook, github_delivery("organization", payload, SECRET))
                got = sink.wait_for(f"Stranger {trial}", 30)
                latencies.append(got.at - started if got else float("inf"))
            print(
                f"webhook: change -> alert {', '.join(f'{s:.2f}' for s in latencies)} s;"
                f" median {statistics.median(latencies):.2f} s, max {max(latencies):.2f} s (target <= 5 s)"
            )

            # 5. bad deliveries (while the service runs)
            runs_before, stored_before = service.runs, service.inbox.count()
            statuses = bad_deliveries(hook, dict(github_org(sandbox.world, "northwind-labs")))
            time.sleep(2)
            kinds: dict[str, list[int]] = {}
            for name, status in statuses.items():
                kinds.setdefault(name.split()[0], []).append(status)
            stored = service.inbox.count() - stored_before
            mallory = [r for r in sink.received if "mallory-bad" in r.text.lower()]
            print(
                "bad deliveries: "
                + "; ".join(f"{k} x{len(v)} -> {sorted(set(v))}" for k, v in kinds.items())
            )
            print(
                f"  stored from them: {stored} (the one original only: target 1); runs they triggered:"
                f" {service.runs - runs_before}; forged/unsigned/replayed processed: {max(0, stored - 1)}"
                f" (target 0); alerts naming their member: {len(mallory)} (not in the world: 0)"
            )

            # 3. poll latency: one X and one Mastodon account rewritten at a random moment
            time.sleep(random.uniform(0, 10))
            changed_world = rewrite_x_profile(sandbox.world, "nw_region05", description=SCAM)
            changed_world = rewrite_mastodon_note(changed_world, "nw03", SCAM)
            sandbox.change_world(changed_world)
            started = time.monotonic()
            limits = {p: service.plans[p].interval_s for p in ("x", "mastodon")}
            found: dict[str, float] = {}
            for platform, needle in (
                ("x", "x @nw_region05"),
                ("mastodon", "mastodon nw03@social.example"),
            ):
                left = limits[platform] + 10 - (time.monotonic() - started)
                got = sink.wait_for(needle, max(left, 0) + 20)
                found[platform] = got.at - started if got else float("inf")
            for platform, seconds in found.items():
                verdict = "ok" if seconds <= limits[platform] + 10 else "LATE"
                print(
                    f"poll {platform}: change -> alert {seconds:.1f} s (interval {limits[platform]:.0f} s;"
                    f" target <= {limits[platform] + 10:.0f} s) {verdict}"
                )

            # 4. requests per platform
            now_counts = sandbox.requests_by_platform
            total = time.monotonic() - watch_from
            print(
                f"requests per platform (the whole watch took {total:.0f} s: one 15-minute window):"
            )
            for platform, plan in service.plans.items():
                whole = now_counts.get(platform, 0)
                steady = now_counts.get(platform, 0) - counts_from.get(platform, 0)
                sustained = plan.per_poll * 3600 / plan.interval_s
                budget_h, limit_h = plan.budget * 3600 / WINDOW_S, plan.published * 3600 / WINDOW_S
                print(
                    f"  {platform}: {whole} requests (sandbox; ledger {service.ledger.total.get(platform, 0)},"
                    f" {steady} after the first look) <= budget {plan.budget}/15 min: {whole <= plan.budget};"
                    f" sustained {plan.per_poll} per poll every {plan.interval_s:.0f} s = {sustained:.0f}/h"
                    + (" + webhook-triggered reads" if plan.pushed else "")
                    + f"; budget {budget_h:.0f}/h, published limit {limit_h:.0f}/h"
                )
            stop.set()
            loop.join(timeout=120)


if __name__ == "__main__":
    main()
