"""core/sanity.py on made-up entries: the timing warnings no interval catches."""
from optbench.core import sanity


def _entry(size, seconds):
    """One timed entry whose baseline and optimized both take `seconds` per call."""
    samples = [seconds * f for f in (1.0, 1.02, 1.05)]
    variant = {"median": samples[1], "samples": samples}
    return {"kind": "time", "ratio": 1.0, "metric": "work_time",
            "workload": {"device": "cpu", "size": size, "size_unit": "items"},
            "baseline": dict(variant), "optimized": dict(variant)}


def _warnings(entries):
    sanity.check(entries)
    return [w for e in entries for w in e.get("warnings", [])]


def test_an_empty_call_that_got_slower_between_sizes_is_still_not_growth():
    """CI saw an emptied queue take 110 ns at 1,000 items and 180 ns at 10,000
    (the machine slowed down between the two cases): 1.6x, above the growth
    threshold, yet still an empty call."""
    floor = sanity.empty_call_seconds()
    warnings = _warnings([_entry(1_000, floor), _entry(10_000, 1.6 * floor)])
    assert any("does not grow with the workload" in w for w in warnings)
    assert any("within 3x of timing an empty call" in w for w in warnings)


def test_work_that_grows_with_the_workload_draws_no_warning():
    floor = sanity.empty_call_seconds()
    assert _warnings([_entry(1_000, 100 * floor), _entry(10_000, 900 * floor)]) == []


def test_a_slow_call_that_does_not_grow_is_warned_about():
    """A cached result: well above an empty call, the same at both sizes."""
    floor = sanity.empty_call_seconds()
    warnings = _warnings([_entry(1_000, 50 * floor), _entry(10_000, 52 * floor)])
    assert [w for w in warnings if "does not grow" in w]
    assert not [w for w in warnings if "empty call" in w]
