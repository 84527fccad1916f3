"""The sampler read exactly, on a fake clock: each body advances the clock
by a known binary fraction of a second, so calibration, the per-call
samples, the budget and the record are exact figures (written from the
mutation survivors of core/measure.py's and core/engine.py's sampling)."""
import signal
import types

import pytest

from optbench.core import engine, measure, verdict
from optbench.core.claim import Metric
from optbench.core.engine import RunOptions, measure_metric, stop_rule
from optbench.core.measure import SamplingPlan, TimedSamples

SLOW, FAST = 2.0 ** -13, 2.0 ** -15   # seconds per call: exact in binary
ONE_RUN = 2.0 ** -10                  # the plan's min_sample_seconds


class FakeClock:
    def __init__(self, start=1000.0):
        self.now = start

    def perf_counter(self):
        return self.now

    def body(self, cost, calls=None):
        def run():
            self.now += cost
            if calls is not None:
                calls.append(cost)
        return run


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(measure, "time", types.SimpleNamespace(perf_counter=fake.perf_counter))
    return fake


def _plan(**changes):
    return SamplingPlan(**{"min_rounds": 3, "max_rounds": 4, "budget_seconds": 1e9,
                           "min_sample_seconds": ONE_RUN, **changes})


def test_calibration_times_a_batch_of_at_least_a_tenth_of_a_run(clock):
    """A body of 2^-15 s against a run of 10 * 2^-14 s: calls until a tenth
    of a run (2^-14 s) is spent, two, then as many loops as fill a run."""
    calls = []
    plan = _plan(min_sample_seconds=10 * 2.0 ** -14)
    assert measure._calibrate(clock.body(FAST, calls), plan) == 20
    assert len(calls) == 2
    calls.clear()
    assert measure._calibrate(clock.body(SLOW, calls), _plan()) == 8   # 2^-10 / 2^-13
    assert len(calls) == 1
    calls.clear()
    assert measure._calibrate(clock.body(FAST, calls), _plan()) == 32  # 4 calls to 2^-13
    assert len(calls) == 4


def test_a_body_the_clock_cannot_see_gets_the_most_loops(clock):
    calls = []
    plan = _plan(max_inner=5)
    assert measure._calibrate(clock.body(0.0, calls), plan) == 5
    assert len(calls) == 5      # it stops at max_inner calls, not one past


def test_samples_are_seconds_per_call_and_the_record_says_how(clock):
    calls = {"baseline": [], "optimized": []}
    bodies = {"baseline": clock.body(SLOW, calls["baseline"]),
              "optimized": clock.body(FAST, calls["optimized"])}
    started = clock.now
    timed = measure.time_interleaved(bodies, _plan(), seed=5)
    assert timed.samples == {"baseline": [SLOW] * 4, "optimized": [FAST] * 4}
    assert (timed.rounds, timed.stop, timed.inner_loops) == (4, measure.MAX_ROUNDS,
                                                              {"baseline": 8, "optimized": 32})
    # warm-up, calibration, then each round runs each variant twice its loops
    assert len(calls["baseline"]) == 1 + 1 + 4 * 2 * 8
    assert len(calls["optimized"]) == 1 + 4 + 4 * 2 * 32
    assert timed.seconds == clock.now - started
    assert timed.record() == {"rounds": 4, "stop": measure.MAX_ROUNDS,
                              "seconds": round(clock.now - started, 3),
                              "inner_loops": {"baseline": 8, "optimized": 32},
                              "order_seed": 5, "empty_call_seconds": 0.0}
    assert measure.time_interleaved(bodies, _plan()).seed == 0


def test_the_budget_stops_sampling_the_moment_it_is_spent(clock):
    """Warm-up and calibration cost 3 * 2^-13 + 2^-15 s, each round 2^-8 s:
    a budget of exactly that plus six rounds stops after the sixth."""
    bodies = {"baseline": clock.body(SLOW), "optimized": clock.body(FAST)}
    budget = 3 * SLOW + FAST + 6 * 2.0 ** -8
    timed = measure.time_interleaved(bodies, _plan(min_rounds=20, max_rounds=50,
                                                   budget_seconds=budget))
    assert (timed.rounds, timed.stop) == (6, measure.BUDGET)


def test_the_variant_order_is_the_seeds_every_time(clock):
    def orders(seed):
        seen = []
        bodies = {name: (lambda name=name: seen.append(name)) for name in "abcd"}
        measure.time_interleaved(bodies, _plan(max_rounds=8, warmup=0, max_inner=1), seed=seed)
        return seen
    assert orders(0) == orders(0) != orders(1)


@pytest.mark.parametrize("stop_in_round, kept", [(1, None), (2, 2), (3, 3)])
def test_ctrl_c_keeps_the_rounds_measured_from_the_second_on(clock, stop_in_round, kept):
    rounds = []

    def body():
        clock.now += SLOW
        if len(rounds) + 1 == stop_in_round:  # rounds before this one were looked at
            measure.STOP_REQUEST.requested = True

    bodies = {"baseline": body, "optimized": body}
    ask = lambda _samples: rounds.append(1)  # noqa: E731  (counts the rounds at each look)
    plan = _plan(min_rounds=1, max_rounds=10, growth=1.0, warmup=0, max_inner=1)
    try:
        if kept is None:
            with pytest.raises(KeyboardInterrupt):
                measure.time_interleaved(bodies, plan, ask)
        else:
            timed = measure.time_interleaved(bodies, plan, ask)
            assert (timed.rounds, timed.stop) == (kept, measure.INTERRUPTED)
    finally:
        measure.STOP_REQUEST.reset()


def test_looks_grow_by_at_least_one_round():
    assert SamplingPlan(3, 6, 1.0, 0.001, growth=1.0).looks() == [3, 4, 5, 6]
    assert SamplingPlan(2, 10, 1.0, 0.001, growth=1.5).looks() == [2, 3, 5, 8, 10]


def test_the_record_takes_the_middle_empty_call_and_rounds_seconds():
    timed = TimedSamples({}, 3, "settled", 1.23456, {"baseline": 2}, 7,
                         empty_call=[4e-8, 1e-8, 3e-8, 2e-8])
    assert timed.record() == {"rounds": 3, "stop": "settled", "seconds": 1.235,
                              "inner_loops": {"baseline": 2}, "order_seed": 7,
                              "empty_call_seconds": 3e-8}
    assert "empty_call_seconds" not in TimedSamples({}, 1, "budget", 0.5, {}, 0).record()


def test_a_stop_request_outside_sampling_interrupts_at_once():
    request = measure._StopRequest()
    assert request.requested is False and request.sampling is False
    with pytest.raises(KeyboardInterrupt):
        request.ask(signal.SIGINT)
    request.sampling = True
    request.ask(signal.SIGINT)              # the first asks for a stop after the round
    assert request.requested is True
    request.ask(signal.SIGUSR1)             # a parent's repeated SIGUSR1: still a request
    with pytest.raises(KeyboardInterrupt):
        request.ask(signal.SIGINT)          # a second Ctrl-C: at once
    request.reset()
    assert request.requested is False


def test_precise_includes_a_half_width_exactly_at_the_goal():
    """t = 0.9375: precise is a half-width within 1/32 (half of 1 - t); the
    rounds give exactly [31/32, 33/32] around 1, a half-width of 1/32."""
    ratios = [0.9, 1.1, 1, 0.96875, 1, 1.03125, 1, 1, 1, 1]
    samples = {"baseline": [1.0] * 10, "optimized": ratios}
    floor = float(verdict.TIME_NOISE_FLOOR)
    assert stop_rule(measure.QUICK_PRIMARY, 0.9375, floor)(samples) == measure.PRECISE


# --- measure_metric: what it hands the sampler ---

@pytest.fixture
def handed(monkeypatch):
    """measure_metric's call of time_interleaved, captured instead of run."""
    seen = {}

    def fake(bodies, plan, stop_when, seed, empty_call):
        seen.update(bodies=bodies, plan=plan, stop_when=stop_when, seed=seed,
                    empty_call=empty_call)
        return TimedSamples({v: [1.0] for v in bodies}, 1, "budget", 0.0, {}, seed)

    monkeypatch.setattr(engine, "time_interleaved", fake)
    return seen


TIMED = Metric("t", "time", "s", lambda state: state)


def test_the_claimed_metric_gets_the_primary_plan_a_hidden_cost_the_secondary(handed):
    options = RunOptions(quick=True)
    measure_metric(TIMED, {"baseline": 1, "optimized": 2}, options)
    assert handed["plan"] == options.sampling(False) and handed["seed"] == 0
    assert handed["empty_call"] is measure.EMPTY_CALL
    measure_metric(TIMED, {"baseline": 1, "optimized": 2}, options, primary=True, seed=9)
    assert handed["plan"] == options.sampling(True) and handed["seed"] == 9
    assert handed["plan"] != options.sampling(False)
    assert handed["bodies"]["optimized"]() == 2


@pytest.mark.parametrize("cells, factor", [(2, 1), (3, 1.5), (8, 4)])
def test_warmed_cells_skip_the_warm_up_and_get_a_budget_per_pair(handed, cells, factor):
    options = RunOptions(quick=True)
    states = {f"cell{i}": i for i in range(cells)}
    measure_metric(TIMED, states, options, primary=True, warmed=True)
    plan = options.sampling(True)
    assert handed["plan"].warmup == 0 and plan.warmup == 1
    assert handed["plan"].budget_seconds == plan.budget_seconds * factor


def test_the_stop_rule_handed_over_reads_the_threshold_and_the_time_floor(handed):
    measure_metric(TIMED, {"baseline": 1, "optimized": 2}, RunOptions(quick=True),
                   primary=True, threshold=0.9375)
    stop = handed["stop_when"]
    straddling = [0.9, 1.1, 1, 0.96875, 1, 1.03125, 1, 1, 1, 1]   # precise only for 0.9375
    assert stop({"baseline": [1.0] * 10, "optimized": straddling}) == measure.PRECISE
    wide = [0.96, 1.04, 1, 0.96, 1, 1.04, 1, 1, 1, 1]           # half-width 4%: > 1/32
    assert stop({"baseline": [1.0] * 10, "optimized": wide}) is None
    within_floor = [0.999, 1.001, 1, 0.998, 1, 1.002, 1, 1, 1, 1]  # inside the 1% floor
    assert stop({"baseline": [1.0] * 10, "optimized": within_floor}) == measure.SETTLED


def test_on_cuda_the_bodies_and_the_empty_call_are_synchronized(handed, monkeypatch):
    """No GPU is needed to see that the CUDA path wraps both (the wrapper is
    replaced by one that says it ran)."""
    ran = []

    def synchronized(body):
        def run():
            ran.append(body)
            return body()
        return run

    monkeypatch.setattr(engine, "synchronized", synchronized)
    measure_metric(TIMED, {"baseline": 1, "optimized": 2}, RunOptions(quick=True), "cuda")
    assert handed["bodies"]["optimized"]() == 2 and handed["empty_call"]() is None
    assert len(ran) == 2 and ran[1] is measure.EMPTY_CALL


def test_memory_without_a_shared_cache_is_read_all_the_same():
    peak = Metric("peak", "memory", "bytes", lambda megabytes: bytearray(megabytes * 1_000_000))
    readings, record = measure_metric(peak, {"baseline": 4, "optimized": 1},
                                      RunOptions(quick=True, memory_repeats=2))
    assert record is None and [len(v) for v in readings.values()] == [2, 2]
    assert min(readings["baseline"]) >= 4e6 > 2e6 > max(readings["optimized"])
