"""Throughput of the platform collectors (X, Meta, LinkedIn, YouTube) against the sandbox.

Run from the repository root: ``.venv/bin/python bench/collectors.py [--accounts 1000]``.

A generated world holds ``--accounts`` brand accounts spread over X, Facebook pages, Instagram,
LinkedIn and YouTube; the sandbox runs in its own process with 50 ms of latency on every request;
each platform's concurrency is 8. Printed:

1. requests made per platform and the ideal wall time (requests x latency / concurrency; the
   slowest platform bounds it, since the platforms are collected side by side);
2. the measured wall time and its ratio to the ideal (target <= 1.3);
3. the serial wall time (concurrency 1) measured on a sample and scaled up, and the speed-up
   (target >= 20x);
4. the request count of a second, unchanged run (previous evidence + conditional cache; target:
   no more than the first).
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor.collectors.base import CollectContext, CollectorOutput
from auditor.collectors.platforms import collector as platforms
from auditor.config.loading import AppConfig, ConfigModel
from auditor.core.evidence import AccountEvidence, Evidence
from auditor.sandbox import start_sandbox
from auditor.sandbox.world import world_from_mapping

LATENCY_MS = 50
CONCURRENCY = 8
SHARE = {"x": 0.411, "meta": 0.164, "instagram": 0.082, "linkedin": 0.137, "youtube": 0.206}
"""How the accounts are spread over the platforms: about the same number of requests each (an X
account costs 1 request (its timeline; lookups are batched 100 at a time), a Facebook
page 2, an Instagram account 1, a LinkedIn page 3, a channel 2)."""
BUSINESS = "300000000000001"


Node = dict[str, Any]


def _x_user(i: int) -> tuple[Node, Node]:
    uid = str(1_500_000_000_000_000_000 + i)
    tweets = [
        {
            "id": str(1_800_000_000_000_000_000 + i * 10 + j),
            "text": f"post {j}",
            "created_at": f"-{j + 1}d",
        }
        for j in range(3)
    ]
    user = {
        "id": uid,
        "username": f"brand{i}",
        "name": f"Brand {i}",
        "description": "Official.",
        "url": "https://brand.example",
        "tweets": tweets,
    }
    return user, {"platform": "x", "handle": f"brand{i}", "id": uid}


def _page(i: int) -> tuple[Node, Node]:
    pid = str(200_000_000_000_000 + i)
    page = {
        "id": pid,
        "username": f"brandpage{i}",
        "name": f"Brand page {i}",
        "assigned_users": [{"id": "3000001", "tasks": ["MANAGE"]}],
        "posts": [{"id": f"{pid}_1", "message": "hello", "created_time": "-2d"}],
    }
    return page, {"platform": "meta", "handle": f"brandpage{i}", "id": pid}


def _instagram(i: int) -> tuple[Node, Node]:
    iid = str(17_841_400_000_000_000 + i)
    media = [{"id": f"{iid}9", "caption": "hi", "timestamp": "-1d"}]
    account = {"id": iid, "username": f"brandig{i}", "name": f"Brand IG {i}", "media": media}
    return account, {"platform": "instagram", "handle": f"brandig{i}", "id": iid}


def _organization(i: int) -> tuple[Node, Node]:
    org = {
        "id": 10_000 + i,
        "vanityName": f"brand-co-{i}",
        "localizedName": f"Brand Co {i}",
        "acls": [{"person": "urn:li:person:a1", "role": "ADMINISTRATOR"}],
        "posts": [{"id": f"urn:li:share:{i}", "commentary": "hiring", "published": "-3d"}],
    }
    return org, {"platform": "linkedin", "handle": f"brand-co-{i}", "id": str(10_000 + i)}


def _channel(i: int) -> tuple[Node, Node]:
    cid = f"UCbrand{i:019d}"
    uploads = [{"id": f"vid{i}", "title": "t", "published": "-2d"}]
    channel = {
        "id": cid,
        "handle": f"@brandtube{i}",
        "title": f"Brand tube {i}",
        "uploads": uploads,
    }
    return channel, {"platform": "youtube", "handle": f"@brandtube{i}", "id": cid}


_MAKERS = {
    "x": _x_user,
    "meta": _page,
    "instagram": _instagram,
    "linkedin": _organization,
    "youtube": _channel,
}


def generate(total: int) -> tuple[dict[str, Any], list[Node]]:
    """A world with ``total`` accounts and the inventory listing them."""
    counts = {k: int(total * v) for k, v in SHARE.items()}
    counts["x"] += total - sum(counts.values())
    nodes: dict[str, list[Node]] = {}
    accounts: list[Node] = []
    for platform, maker in _MAKERS.items():
        made = [maker(i) for i in range(counts[platform])]
        nodes[platform] = [node for node, _ in made]
        accounts.extend(account for _, account in made)
    business = {
        "id": BUSINESS,
        "name": "Brand",
        "two_factor_type": "admin_required",
        "users": [{"id": "3000001", "name": "A", "email": "a@brand.example", "role": "ADMIN"}],
        "owned_pages": [p["id"] for p in nodes["meta"]],
        "owned_instagram_accounts": [i["id"] for i in nodes["instagram"]],
    }
    world = {
        "x": {"me": nodes["x"][0]["id"] if nodes["x"] else "", "users": nodes["x"]},
        "meta": {"businesses": [business], "pages": nodes["meta"], "instagram": nodes["instagram"]},
        "linkedin": {"organizations": nodes["linkedin"]},
        "youtube": {"channels": nodes["youtube"]},
    }
    return world, accounts


def _serve(world: dict[str, Any], urls: Any, stop: Any) -> None:
    faults = [{"platform": "*", "kind": "latency", "latency_ms": LATENCY_MS}]
    with start_sandbox(world_from_mapping(world), faults=faults) as sandbox:
        urls.put(sandbox.base_urls)
        stop.wait()
        urls.put(sandbox.requests_served)


def config_for(
    urls: dict[str, str], accounts: Sequence[dict[str, Any]], folder: Path, concurrency: int
) -> AppConfig:
    """A config pointing the four platforms at the sandbox."""

    def settings(name: str, **extra: str) -> dict[str, Any]:
        return {
            "base_url": urls[name],
            "token": "bench-token",
            "concurrency": concurrency,
            "timeout_s": 10,
            **extra,
        }

    raw = {
        "organization": {"name": "Brand", "email_domains": ["brand.example"]},
        "accounts": list(accounts),
        "platforms": {
            "x": settings("x"),
            "meta": settings("meta", business_id=BUSINESS),
            "linkedin": settings("linkedin"),
            "youtube": settings("youtube"),
        },
        "network": {"allow_private": True, "rate_limit_budget_s": 60},
        "storage": {"path": str(folder / "bench.db")},
    }
    return AppConfig(ConfigModel.model_validate(raw), folder / "config.yaml")


def run_all(
    config: AppConfig, previous: Evidence | None = None
) -> tuple[float, dict[str, CollectorOutput]]:
    """Every platform collector side by side (one thread each), as the runner would."""
    ctx = CollectContext(
        estate=config.estate, policy=config.policy, now=datetime.now(UTC), previous=previous
    )
    outputs: dict[str, CollectorOutput] = {}

    def one(collector: Any) -> None:
        outputs[collector.name] = collector.collect(ctx)

    threads = [threading.Thread(target=one, args=(c,)) for c in platforms.build(config)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, outputs


def evidence_of(outputs: dict[str, CollectorOutput]) -> Evidence:
    """The outputs as a previous run."""
    accounts = {
        f"account:{i.platform}:{i.handle.lower()}": i
        for o in outputs.values()
        for i in o.items
        if isinstance(i, AccountEvidence)
    }
    return Evidence(collected_at=datetime.now(UTC), accounts=accounts)


def serial_estimate(
    urls: dict[str, str], accounts: list[dict[str, Any]], folder: Path, sample: int
) -> float:
    """Serial wall time (concurrency 1, one platform after another) for every account, measured
    on ``sample`` accounts per platform and scaled up."""
    total = 0.0
    for platform in SHARE:
        mine = [a for a in accounts if a["platform"] == platform]
        if not mine:
            continue
        picked = mine[:sample]
        config = config_for(urls, picked, folder / f"serial-{platform}", 1)
        wall, _ = run_all(config)
        total += wall * len(mine) / len(picked)
    return total


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", type=int, default=1000)
    parser.add_argument("--sample", type=int, default=20)
    args = parser.parse_args(argv)
    world, accounts = generate(args.accounts)
    context = multiprocessing.get_context("spawn")
    urls_queue, stop = context.Queue(), context.Event()
    server = context.Process(target=_serve, args=(world, urls_queue, stop), daemon=True)
    server.start()
    urls = urls_queue.get(timeout=60)
    try:
        with tempfile.TemporaryDirectory() as temp:
            folder = Path(temp)
            (folder / "bench.db").touch()  # the conditional-request cache persists beside it
            config = config_for(urls, accounts, folder, CONCURRENCY)
            wall, outputs = run_all(config)
            report(args.accounts, wall, outputs)
            serial = serial_estimate(urls, accounts, folder, args.sample)
            print(
                f"serial wall time (sample of {args.sample}/platform, scaled): {serial:.1f} s; speed-up {serial / wall:.1f}x (target >= 20x)"
            )
            wall2, second = run_all(config, previous=evidence_of(outputs))
            first_total = sum(o.report.requests for o in outputs.values())
            second_total = sum(o.report.requests for o in second.values())
            print(
                f"second unchanged run: {second_total} requests (first {first_total}; target <= first), wall {wall2:.2f} s"
            )
            problems = sum(len(o.report.problems) for o in (*outputs.values(), *second.values()))
            print(f"problems recorded: {problems}")
    finally:
        stop.set()
        server.join(timeout=10)
    return 0


def report(total: int, wall: float, outputs: dict[str, CollectorOutput]) -> None:
    """Print requests, ideal and measured wall time."""
    print(f"{total} accounts, latency {LATENCY_MS} ms, concurrency {CONCURRENCY} per platform")
    ideal = 0.0
    for name, output in sorted(outputs.items()):
        requests = output.report.requests
        platform_ideal = requests * LATENCY_MS / 1000 / CONCURRENCY
        ideal = max(ideal, platform_ideal)
        print(
            f"  {name:9} {requests:5} requests  ideal {platform_ideal:5.2f} s  took {output.report.duration_s:5.2f} s"
        )
    print(f"requests made: {sum(o.report.requests for o in outputs.values())}")
    print(
        f"ideal wall time (slowest platform): {ideal:.2f} s; measured {wall:.2f} s; ratio {wall / ideal:.2f} (target <= 1.3)"
    )


if __name__ == "__main__":
    sys.exit(main())
