"""core/sanity.py on made-up entries: the timing warnings no interval catches."""
from fractions import Fraction

from optbench.core import measure, sanity, verdict
from optbench.core.schema import Entry

EMPTY = 100e-9     # an empty call, as the rounds of one entry timed it


def _entry(size, seconds, empty_call=EMPTY):
    """One timed entry whose baseline and optimized both take `seconds` per
    call, in rounds whose empty call took `empty_call`."""
    samples = [seconds * f for f in (1.0, 1.02, 1.05)]
    variant = {"median": samples[1], "samples": samples}
    return Entry.from_json({
        "id": "c", "kind": "time", "metric": "work_time",
        # the engine's verdict for [0.99, 1.01] against "10% faster"
        "verdict": verdict.position(Fraction(9, 10), 0.99, 1.01, verdict.TIME_NOISE_FLOOR),
        "workload": {"device": "cpu", "size": size, "size_unit": "items"},
        "sampling": {"empty_call_seconds": empty_call},
        "variants": {"baseline": dict(variant), "optimized": dict(variant)},
        "contrasts": {"optimized": {"of": "optimized", "ratio": 1.0, "ci_low": 0.99,
                                    "ci_high": 1.01}}})


def _warnings(entries):
    checked = sanity.check(entries)
    assert [e.key for e in checked] == [e.key for e in entries]  # same entries, same order
    return [w for e in checked for w in e.warnings]


def test_an_emptied_queue_on_a_machine_that_slowed_down_is_still_warned_about():
    """CI: the machine slowed by 1.6x between two cases and an emptied queue
    (about 1.6 empty calls) read 110 ns, then 180 ns: growth next to one
    empty call timed elsewhere, none next to each case's own."""
    checked = sanity.check([_entry(1_000, 1.6 * EMPTY),
                            _entry(10_000, 2.6 * EMPTY, 1.6 * EMPTY)])
    assert [len(e.warnings) for e in checked] == [1, 2]
    assert all("within 3x of timing an empty call" in e.warnings[0] for e in checked)
    assert "does not grow with the workload" in checked[1].warnings[1]


def test_a_time_near_an_empty_call_is_not_growth_even_when_it_grew():
    warnings = _warnings([_entry(1_000, 1.0 * EMPTY), _entry(10_000, 2.5 * EMPTY)])
    assert any("does not grow with the workload" in w for w in warnings)


def test_work_that_grows_with_the_workload_draws_no_warning():
    assert _warnings([_entry(1_000, 100 * EMPTY), _entry(10_000, 900 * EMPTY)]) == []


def test_work_that_grows_on_a_machine_that_sped_up_draws_no_warning():
    """Real growth (3x) with the machine 1.8x faster at the larger size."""
    assert _warnings([_entry(1_000, 100 * EMPTY),
                      _entry(10_000, 300 / 1.8 * EMPTY, EMPTY / 1.8)]) == []


def test_a_slow_call_that_does_not_grow_is_warned_about():
    """A cached result: well above an empty call, the same at both sizes."""
    checked = sanity.check([_entry(1_000, 50 * EMPTY), _entry(10_000, 52 * EMPTY)])
    assert [len(e.warnings) for e in checked] == [0, 1]
    assert "does not grow" in checked[1].warnings[0] and "empty call" not in \
        checked[1].warnings[0]


def test_every_round_times_an_empty_call_beside_the_variants():
    plan = measure.SamplingPlan(min_rounds=3, max_rounds=3, budget_seconds=5,
                                min_sample_seconds=0.001)
    timed = measure.time_interleaved({"a": lambda: sum(range(100)), "b": lambda: None}, plan)
    assert len(timed.empty_call) == timed.rounds == 3
    record = timed.record()
    assert record["empty_call_seconds"] > 0


def test_real_growth_stands_when_the_empty_call_reading_moves():
    """The empty call's reading moved 76 -> 132 ns between two cases of one
    run with the work unchanged: growth is read on the samples themselves."""
    warnings = _warnings([_entry(1_000, 10e-6, 76e-9), _entry(10_000, 25e-6, 132e-9)])
    assert warnings == []


def test_an_entry_sampled_without_an_empty_call_draws_no_warning():
    from dataclasses import replace
    small, large = (replace(_entry(size, EMPTY), sampling=None) for size in (1_000, 10_000))
    assert _warnings([small, large]) == []
