"""Designs and ablations: which configurations are measured, and each switch's share."""
import itertools
import math

import numpy as np
import pytest

from markupsafe import escape

from optbench.calibration import planted, selftest
from optbench.core import ablation, engine, verdict
from optbench.core.design import DesignError, Switch, make_design
from optbench.core.schema import Entry
from optbench.core.system import system
from optbench.core.claim import Claimed, Equivalence, Workload
from optbench import terminal

FOUR = [Switch("a", ""), Switch("b", ""), Switch("c", ""), Switch("d", "")]


def test_design_sizes_and_order():
    assert [c.name for c in make_design(FOUR, "none").configurations] == ["baseline",
                                                                          "optimized"]
    screen = make_design(FOUR, "screen")
    assert len(screen.configurations) == 2 * 4 + 2
    assert {"a", "b+c+d"} <= set(screen.names + [c.name for c in screen.configurations])
    full = make_design(FOUR, "full")
    assert len(full.configurations) == 16 and full.is_full_factorial
    assert [c.name for c in full.configurations[:2]] == ["baseline", "optimized"]
    # three switches: the screen's 8 cells are the whole factorial
    assert make_design(FOUR[:3], "screen").is_full_factorial


@pytest.mark.parametrize("k", [6, 7, 8])
def test_fraction_is_balanced_orthogonal_and_holds_both_ends(k):
    switches = [Switch(f"s{i}", "") for i in range(k)]
    design = make_design(switches, "full")
    assert len(design.configurations) == 16
    names = {c.name for c in design.configurations}
    assert {"baseline", "optimized"} <= names
    columns = [[1 if s.name in c.on else -1 for c in design.configurations] for s in switches]
    for column in columns:
        assert sum(column) == 0
    for x, y in itertools.combinations(columns, 2):
        assert sum(a * b for a, b in zip(x, y)) == 0   # main effects are not aliased
    assert design.aliases and "×" in design.aliases[0]


@pytest.mark.parametrize("switches, kind, says", [
    ([], "full", "no switches"),
    ([Switch("a", ""), Switch("a", "")], "full", "'a' declared twice"),
    ([Switch("baseline", "")], "full", "may not be called baseline"),
    ([Switch(f"s{i}", "") for i in range(9)], "full", "9 switches"),
    (FOUR, "everything", "design 'everything'"),
])
def test_bad_systems_are_one_line_naming_the_system(switches, kind, says):
    with pytest.raises(DesignError) as caught:
        make_design(switches, kind, "system.mine")
    assert says in str(caught.value) and "\n" not in str(caught.value)


def _cells(design, time_of, rounds=8, noise=0.0, seed=0):
    """Per-cell timings with a machine speed that moves between rounds."""
    rng = np.random.default_rng(seed)
    speed = rng.uniform(0.7, 1.8, rounds)
    return {c.name: list(time_of(c.on) * speed * np.exp(rng.normal(0, noise, rounds)))
            for c in design.configurations}


def _planted_time(on):
    t = 1.0
    if "a" in on:
        t *= 0.5
    if {"c", "d"} <= on:
        t *= 0.75
    return t


def test_exact_effects_without_noise():
    design = make_design(FOUR, "full")
    found = ablation.analyse(design, _cells(design, _planted_time))
    rows = {s["name"]: s for s in found["switches"]}
    assert found["total"]["factor"] == pytest.approx(0.375)
    assert rows["a"]["main"]["factor"] == pytest.approx(0.5)
    assert rows["b"]["main"]["factor"] == pytest.approx(1.0)
    assert not rows["b"]["main"]["significant"]
    # c saves only with d: its main effect is the average over d off and on
    assert rows["c"]["main"]["factor"] == pytest.approx(0.75 ** 0.5)
    assert rows["c"]["add_one_in"]["factor"] == pytest.approx(1.0)
    assert rows["c"]["leave_one_out"]["factor"] == pytest.approx(0.75)
    # Shapley: the pair's saving split evenly, and the factors multiply to the total
    assert rows["c"]["shapley"]["factor"] == pytest.approx(0.75 ** 0.5)
    assert math.prod(r["shapley"]["factor"] for r in rows.values()) == pytest.approx(0.375)
    assert sum(r["shapley"]["share"] for r in rows.values()) == pytest.approx(1.0)
    named = [i for i in found["interactions"] if i["significant"]]
    assert [i["switches"] for i in named] == [["c", "d"]]
    assert named[0]["text"] == "c helps only with d on"
    assert found["variation"]["shares"]["a"] > 0.5 and found["cannot"] == []


def test_shapley_intervals_cover_the_truth_under_noise_and_moving_speed():
    """Over 100 seeded runs of 12 rounds with 2% noise per cell and a machine
    speed that moves 0.7-1.8x between rounds, the 95% intervals hold the
    true factors about 95% of the time (seeded: the figure is fixed)."""
    design = make_design(FOUR, "full")
    truth = {"a": 0.5, "b": 1.0, "c": 0.75 ** 0.5, "d": 0.75 ** 0.5}
    held = [row["shapley"]["ci_low"] <= truth[row["name"]] <= row["shapley"]["ci_high"]
            for seed in range(100)
            for row in ablation.analyse(design, _cells(design, _planted_time, rounds=12,
                                                       noise=0.02, seed=seed))["switches"]]
    assert 0.90 <= sum(held) / len(held) <= 0.99


def test_screen_says_what_it_cannot_compute():
    design = make_design(FOUR, "screen")
    found = ablation.analyse(design, _cells(design, _planted_time))
    rows = {s["name"]: s for s in found["switches"]}
    assert "shapley" not in rows["a"]
    assert rows["a"]["main"]["from"] == "screen"
    assert rows["a"]["main"]["factor"] == pytest.approx(0.5)
    assert any("need all 16 cells" in why for why in found["cannot"])


def test_a_failed_cell_is_named_and_the_rest_kept():
    design = make_design(FOUR, "full")
    cells = _cells(design, _planted_time)
    cells["b"] = None
    found = ablation.analyse(design, cells)
    assert any("cells b have no timings" in why for why in found["cannot"])
    rows = {s["name"]: s for s in found["switches"]}
    assert "add_one_in" not in rows["b"] and rows["a"]["add_one_in"]["factor"] == \
        pytest.approx(0.5)
    assert "shapley" not in rows["a"] and "main" not in rows["a"]


def test_no_shares_of_a_change_the_rounds_cannot_tell_from_none():
    """One switch 2% faster, one 2% slower, 3% noise a cell: the run's
    end-to-end change is lost in the noise, so its shares (noise over noise)
    are not given, and the analysis says why; the Shapley factors stand."""
    def cancelling(on):
        return (0.98 if "a" in on else 1.0) * (1.02 if "b" in on else 1.0)
    design = make_design(FOUR, "full")
    found = ablation.analyse(design, _cells(design, cancelling, rounds=6, noise=0.03))
    assert not found["total"]["significant"]
    assert all(s["shapley"]["share"] is None and s["shapley"]["share_of_seconds"] is None
               for s in found["switches"])
    assert all("factor" in s["shapley"] for s in found["switches"])
    assert any(c.startswith("no shares: the run's end-to-end change") for c in found["cannot"])
    # with a clear change the shares are given and add up
    clear = ablation.analyse(design, _cells(design, _planted_time, rounds=6, noise=0.03))
    assert clear["total"]["significant"]
    assert sum(s["shapley"]["share"] for s in clear["switches"]) == pytest.approx(1)


def test_the_switch_that_changes_the_output_is_named():
    design = make_design(FOUR, "full")
    equivalent = {c.name: "b" not in c.on for c in design.configurations}
    found = ablation.analyse(design, _cells(design, _planted_time), equivalent)
    assert {s["name"]: s["changes_output"] for s in found["switches"]} == \
        {"a": False, "b": True, "c": False, "d": False}


def test_planted_system_end_to_end_through_the_engine():
    claim = planted.BY_ID["planted.system"].claim
    entry = engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=True, design="full"))
    # 0.375 against "half the time": confirmed, or undecided under a busy neighbour, never wrong
    assert selftest.grade(entry)["outcome"] != selftest.WRONG
    found = entry.ablation
    assert len(found["cells"]) == 16 and all(c["rounds"] >= 6 for c in found["cells"].values())
    # every switch graded against its planted truth (coverage is measured on
    # synthetic cells above; a real quick run only has to be well formed)
    graded = selftest.grade_switches(planted.BY_ID["planted.system"], found)
    assert set(graded) == {"halves", "idle", "pair_a", "pair_b"}
    assert all(g["factor"] is not None and g["output_named_right"] for g in graded.values())
    assert Entry.from_json(entry.to_json()) == entry   # it survives the pipe and the file
    assert entry.to_json()["ablation"]["design"]["kind"] == "full"


def _failing_run(configuration, case):
    if configuration.on == {"b"}:
        raise RuntimeError("cell b is broken")
    return planted.Repeat(planted.python_unit, 4 if "a" in configuration.on else 8)()


def test_a_cell_that_raises_is_an_error_for_that_cell_only():
    claim = system(id="system.flaky", source="test", title="a cell raises",
                   claimed=Claimed.percent_less(30, text="30% faster"),
                   switches=[Switch("a", "halves"), Switch("b", "nothing")],
                   workload=Workload("none", lambda size: None, sizes=(1,), quick_sizes=(1,)),
                   run=_failing_run, equivalence=Equivalence.exact("same"),
                   isolation="in-process")
    entry = engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=True, design="full"))
    # the verdict stands on the cells that ran, the engine's for their interval
    assert entry.verdict == verdict.decide(claim.claimed_at(1), entry.ci_low, entry.ci_high,
                                           entry.equivalent, verdict.TIME_NOISE_FLOOR)
    assert entry.verdict in verdict.ORDER
    assert "cell b is broken" in entry.ablation["cells"]["b"]["error"]
    lines = [line.plain for line in terminal.ablation_lines(entry, 100)]
    assert any("cell b failed" in line for line in lines)
    assert all(len(line) <= 100 for line in lines)


def _system_with_cell_b(run, id="system.flaky"):
    return system(id=id, source="test", title="cell b misbehaves",
                  claimed=Claimed.percent_less(30, text="30% faster"),
                  switches=[Switch("a", "halves"), Switch("b", "nothing")],
                  workload=Workload("none", lambda size: None, sizes=(1,), quick_sizes=(1,)),
                  run=run, equivalence=Equivalence.exact("same"), isolation="in-process")


def _hanging_run(configuration, case):
    if configuration.on == {"b"}:
        import time
        time.sleep(600)
    return _failing_run(configuration, case) if configuration.on != {"b"} else None


def test_a_cell_that_hangs_is_an_error_for_that_cell_only(monkeypatch):
    """Its first run is stopped at CELL_HANG_FACTOR times the slower of the
    baseline's and the optimized's (here a floor of 0.5 s), the rest stand."""
    monkeypatch.setattr(engine, "CELL_HANG_FLOOR", 0.5)
    claim = _system_with_cell_b(_hanging_run)
    entry = engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=True, design="full"))
    assert entry.verdict == verdict.decide(claim.claimed_at(1), entry.ci_low, entry.ci_high,
                                           entry.equivalent, verdict.TIME_NOISE_FLOOR)
    assert entry.verdict in verdict.ORDER
    assert entry.ablation["cells"]["b"]["error"] == "no result after 0.5 s in its first run (hung)"
    assert entry.ablation["cells"]["a"]["rounds"] >= 2 and "error" not in entry.ablation["cells"]["a"]


def _dying_run(configuration, case):
    if configuration.on == {"b"}:
        import os
        os._exit(7)
    return _failing_run(configuration, case)


def test_a_cell_that_kills_its_process_is_named_in_the_error():
    """A cell that takes the whole process with it cannot leave the others
    standing (they shared it); the error names the cell it died in."""
    from optbench.core import isolate
    claim = _system_with_cell_b(_dying_run, id="system.dying")
    [entry] = isolate.run_claim(claim, engine.RunOptions(quick=True, design="full"),
                                engine.measure_claim, engine.error_entry, timeout=120)
    assert entry.verdict == verdict.ERROR
    assert ("its process exited with status 7 while measuring it "
            "(step: setup: b's first run)") in entry.reason


def test_the_report_puts_the_system_first_with_its_waterfall(tmp_path):
    from optbench.core import results
    from optbench.report import write_report

    claims = [planted.BY_ID[i].claim for i in ("planted.gain_4x", "planted.system")]
    document = engine.run(claims, engine.RunOptions(quick=True, design="full"))
    path = tmp_path / "results.json"
    results.save(document, path)
    assert results.load(path).run["design"] == "full"
    html = write_report([path], tmp_path / "out").read_text()
    assert "Which change did what" in html and "full 2^4 design" in html
    # the interactions the analysis found significant are said, none other
    system_entry = next(e for e in document.claims if e.id == "planted.system")
    for found in system_entry.ablation["interactions"]:
        assert ("text" in found) == found["significant"]
        if found["significant"]:
            assert str(escape(found["text"])) in html, found
    # the system's section comes before the component claim's
    assert html.index('id="claim-planted-system"') < html.index('id="claim-planted-gain-4x"')
    # both are one codebase's: one heading, above the system
    assert html.count('<h3 class="codebase"') == 1
    assert html.index('<h3 class="codebase"') < html.index('id="claim-planted-system"')


def test_a_design_the_case_timeout_cannot_hold_is_refused_in_one_line():
    from optbench.core.errors import MeasurementError

    claim = planted.BY_ID["planted.system"].claim
    with pytest.raises(MeasurementError) as caught:
        engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=True, design="full",
                                                               case_timeout=0.01))
    message = str(caught.value)
    assert "design full (16 cells" in message and "case timeout" in message
    assert "\n" not in message


def test_full_modes_default_design_screens_where_the_whole_design_cannot_fit(monkeypatch):
    """Full mode's default design is not an ask: where the full design's
    fewest rounds would outlast the case timeout (system.lab_project: 32
    cells, about 1,053 s against 900 s, an error in every full run), the
    screen is measured and the entry says why; a --design given is refused."""
    claim = planted.BY_ID["planted.system"].claim
    full_cells = len(claim.measured_variants("full"))
    real = engine._prepared

    def slow_when_full(claim, cases, failed, options=None, progress=lambda _: None):
        if options is not None and len(cases) == full_cells:
            raise engine.DesignTooLong("too long", cells=full_cells, needed=1_053.0)
        return real(claim, cases, failed, options, progress)

    monkeypatch.setattr(engine, "_prepared", slow_when_full)
    entry = engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=False,
                                                                   instructions=False))
    assert entry.ablation["design"]["kind"] == "screen"
    assert len(entry.ablation["cells"]) < full_cells
    assert any("design full (16 cells) would need about 1,053 s, over the case timeout of 900 s: "
               "design screen was measured instead" in w for w in entry.warnings), entry.warnings
    with pytest.raises(engine.MeasurementError, match="too long"):
        engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=False, design="full",
                                                               instructions=False))


def test_and_baseline_and_optimized_alone_where_the_screen_cannot_fit_either(monkeypatch):
    claim = planted.BY_ID["planted.system"].claim
    alone = len(claim.measured_variants("none"))
    real = engine._prepared

    def slow_but_alone(claim, cases, failed, options=None, progress=lambda _: None):
        if options is not None and len(cases) > alone:
            raise engine.DesignTooLong("too long", cells=len(cases), needed=1_000.0 * len(cases))
        return real(claim, cases, failed, options, progress)

    monkeypatch.setattr(engine, "_prepared", slow_but_alone)
    entry = engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=False,
                                                                   instructions=False))
    assert entry.ablation["design"]["kind"] == "none"
    said = " ".join(entry.warnings)
    assert "design full (16 cells) would need about 16,000 s, design screen" in said, said
    assert "design none was measured instead (--design full --case-timeout 24000" in said, said


def _counted_system():
    from optbench.core.claim import Metric

    def run(configuration, case):
        writes = 100
        if "batched" in configuration.on:
            writes //= 10      # 10x fewer
        if "flush_at_exit" in configuration.on:
            writes += 1
        return {"writes": writes}

    return system(
        id="system.counted", source="test", title="writes counted",
        claimed=Claimed.times_fewer(10, text="10x fewer writes"),
        switches=[Switch("batched", ""), Switch("flush_at_exit", ""), Switch("idle", "")],
        workload=Workload("nothing", lambda n: n, sizes=(1,), quick_sizes=(1,)),
        run=run, output_of=lambda result: "same", equivalence=Equivalence.exact("same"),
        isolation="in-process",
        primary=Metric("writes", "counter", "writes", lambda state: state()["writes"],
                       "writes in one run"))


def test_a_system_judged_on_a_count_is_reported_in_counts(tmp_path):
    from optbench.core import results
    from optbench.report import write_report

    document = engine.run([_counted_system()], engine.RunOptions(quick=True, design="full"))
    path = tmp_path / "results.json"
    results.save(document, path)
    html = write_report([path], tmp_path / "out").read_text()
    assert "factors on writes (writes), exact counts, lower is fewer" in html
    assert "of the writes saved" in html and "factors on time" not in html
    lines = [str(t) for t in terminal.ablation_lines(document.claims[0], 200)]
    assert "exact counts" in lines[0] and "of writes saved" in lines[1]


def test_a_system_judged_on_a_count_has_exact_shares():
    """system(primary=a counter): each cell is read once, its figure exact;
    the ablation's effects are points, and a switch that changes no count
    has no effect at all (not one below a noise floor)."""
    claim = _counted_system()
    entry = engine.measure_case(claim, 1, "cpu", engine.RunOptions(quick=True, design="full"))
    assert entry.verdict == verdict.PARTIAL          # 100 -> 11: 9.1x, short of 10x
    found = entry.ablation
    assert len(found["cells"]) == 8 and all(c["rounds"] == 1 for c in found["cells"].values())
    rows = {row["name"]: row for row in found["switches"]}
    assert rows["batched"]["shapley"]["ci_low"] == rows["batched"]["shapley"]["ci_high"]
    assert rows["idle"]["shapley"]["factor"] == 1.0
    assert not rows["idle"]["shapley"]["significant"]
    assert rows["batched"]["shapley"]["significant"]
    total = math.log(11 / 100)
    shares = [rows[n]["shapley"]["share"] for n in ("batched", "flush_at_exit", "idle")]
    assert sum(shares) == pytest.approx(1.0) and shares[2] == 0.0
    assert rows["flush_at_exit"]["shapley"]["log"] == pytest.approx(
        total - rows["batched"]["shapley"]["log"])


def test_a_systems_full_design_default_is_its_own():
    """full_design="none": full mode measures baseline and optimized alone
    unless --design asks for more; quick mode still reads quick_design."""
    claim = system(
        id="system.slow", source="test", title="cells take minutes",
        claimed=Claimed.times_fewer(2, text="2x"), switches=FOUR,
        workload=Workload("nothing", lambda n: n, sizes=(1,), quick_sizes=(1,)),
        run=lambda configuration, case: None, equivalence=Equivalence.exact("none"),
        isolation="in-process", quick_design="screen", full_design="none")
    assert engine.RunOptions(quick=False).design_for(claim) == "none"
    assert engine.RunOptions(quick=True).design_for(claim) == "screen"
    assert engine.RunOptions(quick=False, design="full").design_for(claim) == "full"
    with pytest.raises(ValueError, match="full_design 'all'"):
        system(id="system.bad", source="test", title="t", claimed=claim.claimed,
               switches=FOUR, workload=claim.workload, run=lambda c, k: None,
               equivalence=claim.equivalence, isolation="in-process", full_design="all")


def test_a_cell_that_counts_zero_is_named_not_a_nan():
    design = make_design(FOUR[:2], "full")
    cells = {c.name: [0.0 if c.on == {"a"} else 10.0] for c in design.configurations}
    found = ablation.analyse(design, cells, exact=True)
    assert any("read zero or less" in why and "a" in why for why in found["cannot"])
    assert found["total"]["factor"] == 1.0
