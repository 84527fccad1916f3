"""A system claim: one codebase's whole run, with each change of its PR a switch.

Declared as data next to the claims, and read by every runner as a claim is:
it *is* a `Claim` whose variants are configurations of its switches. The
baseline is every switch off (the before commit), the optimized every switch
on (the after commit); the engine measures the cells of a design (see
core/design.py) interleaved round by round, and core/ablation.py turns them
into each switch's share of the end-to-end figure.

    from optbench.core.design import Switch
    from optbench.core.system import system

    SYSTEM = system(
        id="system.my_pipeline", source="PR #12", title="the nightly run",
        claimed=Claimed.percent_less(30, text="30% faster end to end"),
        switches=[Switch("cache", "memoise the tokenizer"),
                  Switch("batched_io", "write logs once per epoch")],
        workload=Workload("nightly", make_data, sizes=[1], quick_sizes=[1]),
        run=run_pipeline,            # run(configuration, case) -> output
        equivalence=Equivalence.structures(rtol=1e-6),
        isolation="in-process: ...")

`run(configuration, case)` does the whole run once with the switches in
`configuration.on` changed; the configuration is also `case.implementation`.
A `best` (a better design than the PR's) is passed to `run` the same way.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping, Sequence

from .claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from .design import Configuration, Switch, check_switches, configuration
from .measure import count_file_io


@dataclass
class SystemRun:
    """The state a system's timed body works on: one configuration, one case."""

    configuration: Configuration
    case: Case
    run: Callable[[Configuration, Case], Any]
    last_output: Any = None

    def __call__(self) -> Any:
        self.last_output = self.run(self.configuration, self.case)
        return self.last_output


def _time_one_run(state: SystemRun) -> None:
    state()


def opens_for_write(state: SystemRun, under: Path) -> int:
    """Files below `under` opened for writing in one whole run (a counter a
    system reads beside its time: saves of a metrics file, log writes)."""
    with count_file_io(under) as counts:
        state()
    return counts.opens_for_write


def system(*, id: str, source: str, title: str, claimed: Claimed, switches: Sequence[Switch],
           workload: Workload, run: Callable[[Configuration, Case], Any],
           equivalence: Equivalence, isolation: str, metric_name: str = "run_seconds",
           metric_description: str = "one whole run, end to end",
           secondary: Sequence[Metric] = (), notes: str = "", revision: int = 1,
           best: Any = None, component: str = "system",
           headline_size: int | None = None, devices: Sequence[str] = ("cpu",),
           requires: Sequence[str] = (), quick_design: str | None = None,
           full_design: str | None = None,
           claimed_on: Mapping[str, Claimed] | None = None,
           primary: Metric | None = None,
           output_of: Callable[[Any], Any] | None = None) -> Claim:
    """A system claim: `run` end to end, all-before against all-after, with
    every switch's share measured. `isolation` says how samples run and why;
    `quick_design` ("none", "screen") what quick mode measures by default,
    `full_design` what full mode does (default: the full design);
    `claimed_on` a device's own claimed figure (a GPU speed-up beside the CPU's);
    `primary` a counter to judge instead of the run's time (a report that
    claims fewer decodes, not a faster run): each cell is then one exact
    count, and the switches' shares of it are exact too; `output_of` the part
    of a run's result its equivalence compares (default: all of it).
    `run` must start afresh each time (its output is checked from the last
    timed run of each cell)."""
    check_switches(switches, id)
    names = [s.name for s in switches]
    variants: dict[str, Any] = {"baseline": configuration(switches, ()),
                                "optimized": configuration(switches, names)}
    if best is not None:
        variants["best"] = best

    # The output of a case's last timed run, when it had one: every run starts
    # afresh, so it is the configuration's output, and a whole run is not paid
    # again per cell just to check it.
    runs: dict[Path, SystemRun] = {}   # by the case's own work folder

    def setup(case: Case) -> SystemRun:
        runs[case.workdir] = state = SystemRun(case.implementation, case, run)
        return state

    def output(case: Case) -> Any:
        state = runs.pop(case.workdir, None)
        if state is not None and state.case is case and state.last_output is not None:
            result = state.last_output
        else:
            result = run(case.implementation, case)
        return output_of(result) if output_of else result

    # The claim's own functions are the module that wrote `run`: whatever looks
    # a claim's code up through its setup (the runners' source versions, the
    # checks that each claimed range quotes its report) finds that module.
    setup.__module__ = output.__module__ = run.__module__
    return Claim(
        id=id, source=source, component=component, title=title, claimed=claimed,
        variants=variants, workload=workload, setup=setup,
        primary=primary or Metric(metric_name, "time", "s", _time_one_run, metric_description),
        output=output, equivalence=equivalence, secondary=secondary, notes=notes,
        revision=revision, switches=tuple(switches), isolation=isolation,
        headline_size=headline_size, devices=devices, requires=requires,
        quick_design=quick_design, full_design=full_design,
        claimed_on=dict(claimed_on or {}))
