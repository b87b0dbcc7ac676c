"""The runner's second collection phase: merging a collector's two outputs."""

from __future__ import annotations

import logging
from datetime import timedelta

from engine_fakes import T0, people

from auditor.collectors.base import CollectContext, Collector, CollectorOutput
from auditor.core.completeness import SourceStatus
from auditor.core.evidence import DomainEvidence
from auditor.core.models import SourceProblem, SourceReport
from auditor.engine.link_phase import collect_linked, merge_outputs


def output(*items, ok=True, problems=(), requests=1, at=T0):
    return CollectorOutput(
        SourceReport(
            "whois",
            (
                SourceStatus.FAILED
                if not ok
                else SourceStatus.PARTIAL
                if problems
                else SourceStatus.COMPLETE
            ),
            at,
            problems,
            requests,
            0.5,
        ),
        tuple(items),
    )


def domain(name, registered, *linked_from):
    return DomainEvidence(name, "rdap", T0, registered=registered, linked_from=linked_from)


def test_one_domain_evidence_per_domain_with_both_phases_accounts():
    down = SourceProblem("network", "refused", "domain:b.example")
    first = output(
        domain("a.example", None, "account:x:old"),
        domain("b.example", None),
        ok=False,
        problems=(down,),
    )
    later = T0 + timedelta(seconds=5)
    second = output(
        domain("A.example", False, "account:x:new"),
        people(),
        problems=(down,),
        ok=False,
        requests=2,
        at=later,
    )
    merged = merge_outputs(first, second)
    by_name = {i.domain.lower(): i for i in merged.items if isinstance(i, DomainEvidence)}
    assert set(by_name) == {"a.example", "b.example"}
    assert by_name["a.example"].registered is False  # only the second phase knew
    assert by_name["a.example"].linked_from == ("account:x:new", "account:x:old")
    assert people() in merged.items
    report = merged.report
    assert (report.status, report.problems, report.requests) == (SourceStatus.FAILED, (down,), 3)
    assert (report.observed_at, report.duration_s) == (later, 1.0)


class Broken(Collector):
    name = "whois"

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        return output()

    def collect_linked(self, ctx, accounts):
        raise KeyError("boom")


class Plain(Collector):
    name = "x"

    def collect(self, ctx: CollectContext) -> CollectorOutput:
        return output()


def test_a_crashing_second_phase_is_one_internal_problem_and_keeps_the_first(tmp_path, caplog):
    from engine_fakes import config

    cfg = config(tmp_path)
    ctx = CollectContext(cfg.estate, cfg.policy, T0)
    first = output(domain("acme.example", True))
    with caplog.at_level(logging.INFO, logger="auditor.engine.isolation"):
        merged = collect_linked(Broken(), first, ctx, {})
    assert merged.items == first.items
    assert merged.report.status is SourceStatus.PARTIAL  # the first phase was read
    (problem,) = merged.report.problems
    assert problem.kind == "internal" and "KeyError" in problem.detail
    assert "whois: KeyError caught at the isolation boundary (linked-domain phase)" in caplog.text
    assert "boom" not in caplog.text
    assert collect_linked(Plain(), first, ctx, {}) is first


def test_merged_status_is_complete_or_failed_only_when_both_phases_were():
    from auditor.engine.link_phase import merged_status

    c, p, f = SourceStatus.COMPLETE, SourceStatus.PARTIAL, SourceStatus.FAILED
    assert merged_status(c, c) is c
    assert merged_status(f, f) is f
    assert {merged_status(c, f), merged_status(f, c), merged_status(c, p), merged_status(p, p)} == {
        p
    }
