"""system.pharmagen: Pharmagen's train_pipeline, every change of the PR on its path a
switch (4a1e100f -> 3cd3227b). Exact behaviour and counts; timings live in the
verdicts. The runs here use the model's SMALL widths (the same structure)."""
import inspect
import multiprocessing

import numpy as np
import pandas as pd
import pytest
import torch

from optbench.components.pharmagen import pipeline
from optbench.components.pharmagen.claims import SWITCHES, SYSTEM
from optbench.core.same import same
from optbench.workloads import pharmgkb

ROWS = 300
ALL = frozenset(s.name for s in SWITCHES)


@pytest.fixture(scope="module")
def tsv(tmp_path_factory):
    return pharmgkb.write_tsv(tmp_path_factory.mktemp("pharmagen") / "data.tsv", ROWS)


def _run(on, tsv, tmp_path, name="run", **kw):
    return pipeline.run(frozenset(on), tsv, tmp_path / name, scale=pipeline.SMALL, **kw)


def test_before_the_pr_each_outcome_string_became_its_characters(tsv):
    """data.py at 4a1e100f maps its clean-up over each raw phenotype_outcome
    string (the split into labels comes later): the labels are fragments of
    the list's repr. 3cd3227b's guard leaves strings alone: the outcomes."""
    before = pipeline.load_data(tsv)
    after = pipeline.load_data(tsv, frozenset({"label_guard"}))
    raw = pd.read_csv(tsv, sep="\t")["Phenotype_outcome"].iloc[0]
    assert after["phenotype_outcome"].iloc[0] == pipeline._split_labels(raw)
    assert set().union(*after["phenotype_outcome"]) <= set(pharmgkb.OUTCOMES)
    fragments = set().union(*before["phenotype_outcome"])
    assert "'D'" in fragments and "'_'" in fragments and not fragments & set(pharmgkb.OUTCOMES)
    # Every other column is cleaned alike.
    others = [c for c in before.columns if c != "phenotype_outcome"]
    pd.testing.assert_frame_equal(before[others], after[others])


def test_a_missing_outcome_stops_the_before_code_and_not_the_after(tmp_path):
    tsv = pharmgkb.write_tsv(tmp_path / "missing.tsv", ROWS, with_missing=0.02)
    with pytest.raises(TypeError, match="'float' object is not iterable"):
        pipeline.load_data(tsv)
    after = pipeline.load_data(tsv, frozenset({"label_guard"}))
    assert (after["phenotype_outcome"].map(len) == 0).sum() > 0   # no labels, not a crash


def test_regex_false_is_pandas_default_and_changes_nothing(tsv):
    """literal_replace: read from the installed pandas itself."""
    assert inspect.signature(pd.Series.str.replace).parameters["regex"].default is False
    pd.testing.assert_frame_equal(pipeline.load_data(tsv),
                                  pipeline.load_data(tsv, frozenset({"literal_replace"})))


def test_on_the_cpu_every_switch_but_the_label_guard_leaves_the_run_unchanged(tsv, tmp_path):
    """amp, cuda_flags and pin_memory are gated on torch.cuda.is_available();
    workers, their persistence and non_blocking change no number the run
    computes. Exactly the same losses, accuracies and weights."""
    before = _run((), tsv, tmp_path, "before")
    after_but_labels = _run(ALL - {"label_guard"}, tsv, tmp_path, "after")
    assert same(before, after_but_labels)
    assert SYSTEM.equivalence.judge(before, after_but_labels) is True
    after = _run(ALL, tsv, tmp_path, "all")
    assert len(before["labels"]["phenotype_outcome"]) > len(pharmgkb.OUTCOMES)
    assert after["labels"]["phenotype_outcome"] == sorted(pharmgkb.OUTCOMES)
    assert SYSTEM.equivalence.judge(before, after) is False   # the task changed
    assert before["rows"] == after["rows"] == (240, 60)
    for name in ("pmodel_Phenotype_Effect_Outcome.pth", "training_report.txt",
                 "encoders_Phenotype_Effect_Outcome.pkl"):
        assert (tmp_path / "all" / name).stat().st_size > 0


def test_the_model_is_the_codebases_deepfm():
    model = pipeline.DeepFMPGenModel({"drug": 10, "genalle": 11, "gene": 12, "allele": 13},
                                     {"phenotype_outcome": 6, "effect_direction": 5,
                                      "effect_type": 9}, pipeline.FULL)
    assert model.attention.self_attn.num_heads == 8
    assert [layer.in_features for layer in model.deep] == [4 * 384, 1280, 1280, 1280]
    assert {t: h.in_features for t, h in model.heads.items()} == dict.fromkeys(
        ("phenotype_outcome", "effect_direction", "effect_type"), 1280 + 6)
    out = model(*[torch.zeros(3, dtype=torch.long)] * 4)
    assert {t: tuple(v.shape) for t, v in out.items()} == {
        "phenotype_outcome": (3, 6), "effect_direction": (3, 5), "effect_type": (3, 9)}


@pytest.mark.parametrize("on, per_loader", [
    ((), pipeline.WORKERS_BEFORE),
    (("dynamic_workers",), min(multiprocessing.cpu_count(), 8)),
    (("dynamic_workers", "persistent_workers"), min(multiprocessing.cpu_count(), 8)),
])
def test_each_loader_starts_its_workers_once_in_the_one_epoch(tsv, tmp_path, on, per_loader):
    queues = []
    _run(on, tsv, tmp_path, count_workers=queues)
    started = []
    for queue in queues:
        count = 0
        while not queue.empty():
            queue.get()
            count += 1
        started.append(count)
    assert started == [per_loader, per_loader]   # the train loader's, then validation's


def test_the_system_declares_each_change_of_the_pr():
    assert [s.name for s in SWITCHES] == [
        "literal_replace", "label_guard", "dynamic_workers", "persistent_workers", "pin_memory",
        "non_blocking", "amp", "cuda_flags"]
    assert all(s.commit == "3cd3227b" for s in SWITCHES)
    assert SYSTEM.claimed_at(1000, "cpu").text.startswith("CPU-only systems: 1.2-1.5x")
    assert SYSTEM.claimed_at(1000, "cuda").text.startswith("Training Speed 2-4x faster")


# --- the unit claims re-read against the codebase -----------------------------------------

def test_trainer_amp_on_the_cpu_is_the_before_step_and_says_why(claims):
    """3cd3227b's use_amp = torch.cuda.is_available(): without CUDA the
    after step is the before one, loss for loss."""
    from test_components import measure

    claim = claims["trainer.amp"]
    data = claim.workload.make(64)
    curves = [claim.output(claim.case(v, 64, data=data)) for v in ("baseline", "optimized")]
    assert curves[0] == curves[1] and len(curves[0]) == 20
    assert curves[0][-1] < curves[0][0]          # the codebase's model learns its batches
    precision = measure(claims, "trainer.amp", "optimized", 64, "precision")
    assert precision.startswith("float32: use_amp = torch.cuda.is_available() is False")
    assert measure(claims, "trainer.amp", "baseline", 64, "precision") == "float32 (no autocast)"
    assert measure(claims, "trainer.amp", "optimized", 64, "skipped_steps") == 0


def test_loader_dynamic_workers_goes_from_the_codebases_four(claims):
    from test_components import measure

    assert measure(claims, "loader.dynamic_workers", "baseline", 1000, "workers") == 4
    assert measure(claims, "loader.dynamic_workers", "optimized", 1000, "workers") == \
        min(multiprocessing.cpu_count(), 8)
    claim = claims["loader.dynamic_workers"]
    data = claim.workload.make(1000)
    batches = [claim.output(claim.case(v, 1000, data=data)) for v in ("baseline", "optimized")]
    assert claim.equivalence.judge(*batches) is True
    assert len(batches[0]) == 13 and set(batches[0][0]) >= {"drug", "phenotype_outcome"}


def test_preprocess_load_data_changes_the_labels_and_the_missing_cell(claims):
    from test_components import measure

    before = measure(claims, "preprocess.load_data", "baseline", 1000, "phenotype_outcome_labels")
    after = measure(claims, "preprocess.load_data", "optimized", 1000, "phenotype_outcome_labels")
    assert after == "6: 'Dosage', 'Efficacy', 'Metabolism/PK', 'Other Outcome', 'PD', 'Toxicity'"
    assert before.startswith("36: ") and "\"'D'\"" in before
    assert measure(claims, "preprocess.load_data", "baseline", 1000, "missing_outcome") == \
        "raises TypeError: 'float' object is not iterable"
    assert measure(claims, "preprocess.load_data", "optimized", 1000,
                   "missing_outcome").startswith("loads: ")
    claim = claims["preprocess.load_data"]
    data = claim.workload.make(1000)
    frames = [claim.output(claim.case(v, 1000, data=data)) for v in ("baseline", "optimized")]
    assert claim.equivalence.judge(*frames) is False


def test_the_readings_of_the_reports_text_are_named_what_ifs(claims):
    whatifs = [c for c in claims.values() if c.id.endswith("_whatif")]
    for claim_id in ("trainer.amp_whatif", "trainer.amp_fusion_whatif",
                     "trainer.amp_resnet_whatif", "loader.dynamic_workers_whatif",
                     "preprocess.literal_replace_whatif", "preprocess.per_row_replace_whatif"):
        assert claims[claim_id] in whatifs
        assert claims[claim_id].title.startswith("What-if: ")
    for claim_id in ("trainer.amp", "loader.dynamic_workers", "preprocess.load_data"):
        assert "Aderfi/Pharmagen 4a1e100f -> 3cd3227b" in claims[claim_id].source


def test_what_does_nothing_here_says_why_from_the_library(claims):
    from test_components import measure

    assert measure(claims, "preprocess.load_data", "optimized", 1000, "regex_default") == (
        f"pandas {pd.__version__}: Series.str.replace(regex=False) by default; regex=False "
        f"passes the default again")
    gated = measure(claims, "system.pharmagen", "optimized", 500, "cuda_gated_switches")
    assert gated.startswith(f"torch.cuda.is_available() is {torch.cuda.is_available()}")


def test_the_table_builds_at_every_size_a_claim_declares(claims):
    """Full mode's sizes too: at 10,000 rows the drug names' second words
    (1-2 syllables: 600 possible) could not be 1,250 distinct ones and the
    generator drew forever (loader.dynamic_workers and preprocess.load_data
    hung until the case timeout)."""
    sizes = {size for claim_id in ("preprocess.load_data", "system.pharmagen",
                                   "loader.dynamic_workers")
             for size in claims[claim_id].sizes(quick=False)}
    assert 10_000 in sizes
    for rows in sorted(sizes):
        frame = pharmgkb.table(rows)
        assert len(frame) == rows
    words = pharmgkb._names(np.random.default_rng(0), 1_250, (1, 3))
    assert len(set(words)) == 1_250
