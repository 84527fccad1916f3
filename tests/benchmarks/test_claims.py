"""pytest-benchmark suite generated from the claims: every claim x variant x size.

    pytest --benchmark-only -p no:memray                 # quick sizes
    OPTBENCH_FULL=1 pytest --benchmark-only -p no:memray # every size
    pytest --benchmark-only -k logger.buffered --benchmark-json out.json
    OPTBENCH_CLAIMS=examples/my_claims.py pytest --benchmark-only -p no:memray tests/benchmarks

OPTBENCH_CLAIMS (a module name or a .py path, as `optbench verify --claims`
takes) runs that module's claims instead of the built-in ones. Groups are
"claim @ size"; extra_info holds the variant, the size and the exact
counters. For verdicts with intervals, use `optbench verify`: pytest-benchmark
times each benchmark on its own, not interleaved.
"""
import pytest

from optbench.runners.cases import (Unavailable, counters, iter_cases, measuring_setup,
                                    prepare)

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
    benchmark.group = f"{claim.id} @ {prepared.size:,} {claim.workload.size_unit}"
    benchmark.extra_info.update(claim=claim.id, variant=prepared.variant, size=prepared.size,
                                metric=claim.primary.name, **measuring_setup())
    for metric in counters(claim):
        benchmark.extra_info[metric.name] = prepared.run(metric)
    benchmark(prepared.run)
