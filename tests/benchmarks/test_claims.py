"""pytest-benchmark suite generated from the claims: every claim x variant x size.

    pytest --benchmark-only -p no:memray                 # quick sizes
    OPTBENCH_FULL=1 pytest --benchmark-only -p no:memray # every size
    pytest --benchmark-only -k logger.buffered --benchmark-json out.json
    OPTBENCH_CLAIMS=examples/my_claims.py pytest --benchmark-only -p no:memray tests/benchmarks

OPTBENCH_CLAIMS (a module name or a .py path, as `optbench verify --claims`
takes) runs that module's claims instead of the built-in ones. Groups are
"claim @ size"; extra_info holds the variant, the size and the exact
counters. Each benchmark times the claim's timed metric (extra_info's
`metric`): the claimed one when it is a time, else its first timed hidden
cost; a claim that times nothing is skipped. For verdicts with intervals, use `optbench verify`: pytest-benchmark
times each benchmark on its own, not interleaved.
"""
import pytest

from optbench.runners.cases import (Unavailable, counters, iter_cases, measuring_setup,
                                    prepare, timed_metric)

CASES = list(iter_cases())


@pytest.fixture
def prepared(request):
    claim, variant, size = request.param
    try:
        case = prepare(claim, variant, size)
    except Unavailable as missing:
        pytest.skip(str(missing))
    yield case
    case.close()


@pytest.mark.parametrize("prepared", CASES, indirect=True,
                         ids=[f"{c.id}-{v}-{s}" for c, v, s in CASES])
def test_claim(benchmark, prepared):
    claim = prepared.claim
    timed = timed_metric(claim)
    if timed is None:
        pytest.skip(f"{claim.id} times nothing: its {claim.primary.kind} metric "
                    f"{claim.primary.name} is read by optbench verify (and asv's track_)")
    benchmark.group = f"{claim.id} @ {prepared.size:,} {claim.workload.size_unit}"
    benchmark.extra_info.update(claim=claim.id, variant=prepared.variant, size=prepared.size,
                                metric=timed.name, claimed_metric=claim.primary.name,
                                **measuring_setup())
    for metric in counters(claim):
        benchmark.extra_info[metric.name] = prepared.run(metric)
    benchmark(prepared.run, timed)
