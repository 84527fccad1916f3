"""system.lab_project: Lab_Project's pretrain_end_to_end.py, every change of the PR on
its path a switch. Exact counts and equivalence; timings live in the verdicts."""
import pytest

from optbench.components.lab_project import pipeline
from optbench.components.lab_project.claims import SYSTEM
from optbench.core import engine
from optbench.core.design import make_design

SIZE = 1   # batches an epoch


@pytest.fixture(scope="module")
def data():
    return SYSTEM.workload.make(SIZE)


@pytest.fixture(scope="module")
def outputs(data):
    """Baseline, optimized and each switch alone (7 whole runs, ~10 s)."""
    design = make_design(SYSTEM.switches, "screen")
    wanted = {"baseline", "optimized"} | {c.name for c in design.configurations
                                         if len(c.on) == 1}
    return {name: SYSTEM.output(SYSTEM.case(name, SIZE, data=data)) for name in sorted(wanted)}


def _metric(name, variant, data):
    metric = next(m for m in SYSTEM.secondary if m.name == name)
    return metric.measure(SYSTEM.setup(SYSTEM.case(variant, SIZE, data=data)))


def test_every_configuration_trains_the_same_model_and_logs_the_same_lines(outputs):
    baseline = outputs["baseline"]
    assert len(baseline["history"]) == 2 and baseline["steps_per_epoch"] == SIZE
    assert baseline["log"][0].startswith("Starting end-to-end training")
    assert baseline["log"][-1].startswith("Training complete")
    for name, out in outputs.items():
        assert SYSTEM.equivalence.judge(baseline, out) is True, name


def test_the_log_is_opened_per_call_before_and_per_flush_after(data):
    # 3 setup lines, 2 an epoch, 1 at the end: 8 calls over 2 epochs; the
    # after code flushes after each epoch and at the end: 3 opens.
    assert _metric("log_file_opens", "baseline", data) == 3 + 2 * 2 + 1
    assert _metric("log_file_opens", "optimized", data) == 2 + 1


def test_images_are_opened_per_load_before_and_once_per_worker_and_epoch_after(data):
    """Every load of a node with an image opens its file before; after, the
    LRU(128) in each of the 4 workers (new every epoch) opens each image its
    batches load once: exactly the simulation of that cache on the run's order."""
    from optbench.components.datasets.edges import known_edges
    from optbench.workloads.images import data_loader_lru_hits

    pairs = known_edges(data.edges, set(data.nodes["node_id"]))
    has_image = dict(zip(data.nodes["node_id"], data.nodes["image_path"].map(
        lambda p: isinstance(p, str) and str(data.images) in p.replace("\\", "/"))))
    loads = [[n if has_image[n] else None for n in epoch]
             for epoch in pipeline.epoch_loads(pairs, SIZE, 2)]
    with_image = sum(n is not None for epoch in loads for n in epoch)
    assert with_image > 0.8 * 2 * SIZE * 2 * pipeline.BATCH_EDGES   # about 9 in 10 have one
    hits = data_loader_lru_hits(loads, 128, batch_size=2 * pipeline.BATCH_EDGES,
                                workers=pipeline.WORKERS)
    assert _metric("image_file_opens", "baseline", data) == with_image
    assert _metric("image_file_opens", "optimized", data) == with_image - hits
    assert hits > 0


def test_the_before_collator_cannot_train_a_batch(data, tmp_path):
    """As shipped the before code fails in the DataLoader's first batch: the
    claim applies the import fix on both sides and says so."""
    from optbench.components import collators

    original = collators.import_fixed.MultimodalCollator
    collators.import_fixed.MultimodalCollator = collators.baseline.MultimodalCollator
    try:
        with pytest.raises(NameError, match="Path"):
            pipeline.pretrain(frozenset(), data.nodes, data.edges, tmp_path / "run", epochs=1, batches=1)
    finally:
        collators.import_fixed.MultimodalCollator = original
    assert "NameError" in SYSTEM.notes and "reverted" in SYSTEM.notes


def test_quick_mode_measures_the_claims_own_design_unless_one_is_asked_for():
    assert engine.RunOptions(quick=True).design_for(SYSTEM) == "none"
    assert engine.RunOptions(quick=True, design="screen").design_for(SYSTEM) == "screen"
    assert engine.RunOptions(quick=False).design_for(SYSTEM) == "full"
    with pytest.raises(ValueError, match="quick_design 'fast'"):
        from dataclasses import replace
        replace(SYSTEM, quick_design="fast")


def test_the_full_scale_is_the_codebases_clip_configuration():
    full = pipeline.FULL
    assert (full.text_width, full.vision_width, full.text_layers, full.vision_layers) == \
        (512, 768, 12, 12)
    assert (full.image_side // full.patch) ** 2 == (pipeline.SMALL.image_side
                                                   // pipeline.SMALL.patch) ** 2 == 49
    assert (full.fused, full.projection) == (512, 256)
