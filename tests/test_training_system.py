"""system.training_system: model_train's train.py --model-type tabular, every PR #6
change a switch. Exact counts and equivalence; timings live in the verdicts."""
import pytest

from optbench.components import callbacks, model_registry, splits
from optbench.components.training_system.claims import SYSTEM
from optbench.components.training_system.pipeline import FIXES
from optbench.core.design import make_design


@pytest.fixture(scope="module")
def outputs():
    """Every configuration's output (16 whole runs, about 8 s)."""
    data = SYSTEM.workload.make(50)
    design = make_design(SYSTEM.switches, "full")
    return {c.name: SYSTEM.output(SYSTEM.case(c.name, 50, data=data))
            for c in design.configurations}


def _run_metric(name, variant):
    data = SYSTEM.workload.make(50)
    metric = next(m for m in SYSTEM.secondary if m.name == name)
    return metric.measure(SYSTEM.setup(SYSTEM.case(variant, 50, data=data)))


def test_every_configuration_trains_the_same_model(outputs):
    baseline = outputs["baseline"]
    assert baseline["epochs_run"] == 50
    assert baseline["final_metrics"]["val_accuracy"] > 0.8    # it learns the species
    for name, out in outputs.items():
        assert SYSTEM.equivalence.judge(baseline, out) is True, name


def test_the_artefacts_are_the_codebases_bugs_included(outputs):
    files = sorted(outputs["optimized"]["artefacts"])
    # ModelCheckpoint drops the trailing slash of "artifacts/models/": the
    # checkpoint lands in artifacts/, where the registry does not look.
    assert files == ["artifacts/best_model.pth", "artifacts/logs/metrics.json",
                     "artifacts/models/registry.json"]
    registry = outputs["optimized"]["artefacts"]["artifacts/models/registry.json"]
    assert [m["model_path"] for m in registry["models"]] == ["artifacts/models/best_model.pth"]
    metrics = outputs["optimized"]["artefacts"]["artifacts/logs/metrics.json"]
    assert [e["epoch"] for e in metrics["epochs"]] == list(range(1, 51))


def test_metrics_saves_fall_from_50_to_10():
    assert _run_metric("metrics_saves", "baseline") == 50
    assert _run_metric("metrics_saves", "optimized") == 10
    assert _run_metric("metrics_saves", "metrics_interval") == 10
    assert _run_metric("metrics_saves", "val_accumulate") == 50


def test_the_switches_are_the_components_own_variants():
    """One place per component: the run composes the variants the component
    claims measure, so a re-read of one moves both."""
    import inspect

    from optbench.components.training_system import pipeline

    source = inspect.getsource(pipeline.train_tabular)
    for component in ("splits.VARIANTS", "callbacks.VARIANTS", "model_registry.VARIANTS"):
        assert component in source
    assert splits and callbacks and model_registry
    assert [s.name for s in SYSTEM.switches] == ["val_accumulate", "metrics_interval",
                                                 "split_helper", "registry_index"]


def test_the_claim_declares_the_fixes_both_commits_need():
    assert len(FIXES) == 5
    for fix in ("schema", "handle_missing", "integer codes", "seed", "iris.csv"):
        assert fix in SYSTEM.notes
    from fractions import Fraction
    assert SYSTEM.claimed_at(50).ratio_high == SYSTEM.claimed_at(50).ratio_low == Fraction(5, 6)
