"""Exact behaviour of each component's variants: counters and equivalence.

Counters have no noise, so the figures the claims rest on are asserted here
exactly. Speed and memory goals are not: they live in the verdict engine.
"""
import numpy as np
import pytest

from optbench.core.claim import BASELINE
from optbench.runners.cases import prepare


def measure(claims, claim_id, variant, size, metric_name):
    claim = claims[claim_id]
    metric = next(m for m in (claim.primary, *claim.secondary) if m.name == metric_name)
    case = prepare(claim, variant, size)
    try:
        return case.run(metric)
    finally:
        case.close()


# Variants that faithfully reproduce a report's changed output (never a fix's bug).
CHANGES_OUTPUT = {("registry.index", "optimized"): "the index goes stale after a sort or a delete",
                  ("split.shared_helper", "best"):
                      "best stratifies 20+ classes, which neither commit does",
                  ("dataset.indexed_frame_numeric_whatif", "optimized"):
                      "a .loc row turns int columns to float (a numeric table, what-if)",
                  ("collator.image_lru_inplace_transform", "optimized"):
                      "an in-place transform edits the image the cache hands back",
                  ("collator.path_import", "optimized"): "the fix: the before code raises",
                  ("system.pharmagen", "optimized"):
                      "the multi-label guard: labels are the outcomes, not a list's characters",
                  ("preprocess.load_data", "optimized"):
                      "the multi-label guard: labels are the outcomes, not a list's characters",
                  ("fusion.masked_pool_clamp", "optimized"):
                      "the 1.0 clamp changes the mean of masks summing below 1 (soft, tiny)",
                  ("fusion.masked_pool_clamp", "best"):
                      "best's mean of masks summing below 1e-6, which the before code divides "
                      "by 1e-6",
                  **{(f"image_validation.early_stop{suffix}", "optimized"):
                     "stops after more than 5 errors, keeps at most 10 warnings (declared)"
                     for suffix in ("", "_whatif", "_clean", "_half")}}


# Claims whose every output is a whole multi-process pipeline run (minutes
# here): their equivalence is asserted on a tiny run of the same code.
OWN_EQUIVALENCE_TEST = {
    "system.video": "tests/test_video_pipeline.py",
    "video.metadata_cache": "tests/test_video_pipeline.py",
    "video.aggressive_gc": "tests/test_video_pipeline.py"}


def test_every_claim_variant_is_equivalent_to_its_baseline_unless_the_report_changed_it(claims):
    for claim in claims.values():
        if claim.id in OWN_EQUIVALENCE_TEST:
            continue
        if claim.missing():
            continue  # e.g. the pyarrow-storage claims where pyarrow is not installed
        if "cpu" not in claim.devices:
            continue  # CUDA-only: tests/test_trainer_steps.py runs their code on the CPU
        # At the headline size: the codebase's own small case may change nothing
        # (image validation's default sample of 10 never reaches the stop).
        size = claim.headline(quick=True)
        data = claim.workload.make(size)
        outputs = {}
        for variant in claim.variant_names:
            case = claim.case(variant, size, data=data)
            outputs[variant] = claim.output(case)
        for variant, output in outputs.items():
            same = claim.equivalence.compare(outputs[BASELINE], output)
            assert same != ((claim.id, variant) in CHANGES_OUTPUT), (claim.id, variant)


@pytest.mark.parametrize("claim_id, size, variant, writes, opens", [
    # pretrain_end_to_end.py's 20 epochs: 44 calls; a flush each epoch and at the end
    ("logger.buffered", 20, "baseline", 44, 44), ("logger.buffered", 20, "optimized", 21, 21),
    ("logger.buffered", 20, "best", 21, 1),
    # the what-if stream: 1000 messages, one flush at the end
    ("logger.buffered_stream_whatif", 1000, "baseline", 1000, 1000),
    ("logger.buffered_stream_whatif", 1000, "optimized", 100, 100),
    ("logger.buffered_stream_whatif", 1000, "best", 100, 1)])
def test_logger_file_io(claims, claim_id, size, variant, writes, opens):
    assert measure(claims, claim_id, variant, size, "write_syscalls") == writes
    assert measure(claims, claim_id, variant, size, "file_opens") == opens


@pytest.mark.parametrize("variant, on_sigkill, on_crash, at_exit", [
    ("baseline", 0, 0, 0), ("optimized", 1, 3, 1), ("best", 1, 0, 0)])
def test_logger_loss_in_a_real_child_process(claims, variant, on_sigkill, on_crash, at_exit):
    """Killed while epoch 2 trains: epoch 1's 'Saved checkpoint' is still
    buffered; failing in the first batch: the 3 setup lines; 'Model already
    trained': its one line. best flushes at exit, not on SIGKILL."""
    def lost(metric):
        return measure(claims, "logger.buffered", variant, 20, metric)

    assert (lost("lost_on_sigkill"), lost("lost_on_crash"),
            lost("lost_at_exit_without_flush")) == (on_sigkill, on_crash, at_exit)


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_logger_eight_threads_lose_and_garble_nothing(claims, variant):
    assert measure(claims, "logger.buffered_stream_whatif", variant, 1000,
                   "threads_lost_or_interleaved") == 0


def test_18601bf_opens_the_log_as_the_locked_logger_does(claims):
    for variant in ("baseline", "optimized"):
        assert measure(claims, "logger.buffered_18601bf", variant, 20, "file_opens") == \
            measure(claims, "logger.buffered", variant, 20, "file_opens")
        assert measure(claims, "logger.buffered_18601bf", variant, 20, "write_syscalls") == \
            measure(claims, "logger.buffered", variant, 20, "write_syscalls")


def test_without_the_lock_a_thread_logging_during_a_flush_flushes_it_again(claims):
    """The forced interleaving: the 11th message, logged while the flush of
    the first 10 closes the file, finds them still buffered and writes them a
    second time at 18601bf; the lock (55b2dd8) makes it wait."""
    from optbench.components.loggers.optimized import BUFFER_SIZE

    assert measure(claims, "logger.buffered_18601bf", "optimized", 20,
                   "flush_race_lines_wrong") == BUFFER_SIZE
    for variant in ("baseline", "optimized", "best"):
        assert measure(claims, "logger.buffered", variant, 20, "flush_race_lines_wrong") == 0
    assert "threads_lost_or_interleaved" not in {
        m.name for m in claims["logger.buffered_18601bf"].secondary}


def test_no_logger_mutates_the_callers_kwargs(claims):
    """The PR summary's "Fixed kwargs mutation in logging function": no commit
    ever changed a caller's dict (Python builds **kwargs afresh)."""
    mutated = {v: measure(claims, "logger.buffered", v, 20, "caller_kwargs_mutated")
               for v in ("baseline", "optimized", "best")}
    assert mutated == {"baseline": False, "optimized": False, "best": False}


def test_every_logger_prints_each_call_to_the_console_and_files_the_same_lines(tmp_path):
    import io
    from optbench.components import loggers
    from optbench.components.loggers.claims import pretrain_schedule, replay

    schedule = pretrain_schedule(3)
    files = {}
    for variant in ("baseline", "optimized", "best"):
        console = io.StringIO()
        logger = loggers.get(variant)(tmp_path / f"{variant}.log", stdout=console)
        replay(logger, schedule.events)
        files[variant] = (tmp_path / f"{variant}.log").read_text()
        assert console.getvalue().count("\n") == schedule.logs() == 3 + 2 * 3 + 1
    assert files["baseline"] == files["optimized"] == files["best"]
    assert files["baseline"].splitlines()[3].startswith("Epoch 1 Complete")


@pytest.mark.parametrize("variant, saves, lost", [
    ("baseline", 50, 0), ("optimized", 10, 2), ("best", 2, 0)])
def test_metrics_callback_saves_and_sigkill_loss(claims, variant, saves, lost):
    # The code at 29be98f: every 5 epochs and at the last, 50 -> 10 as the report says.
    assert measure(claims, "callbacks.metrics_interval", variant, 50, "metrics_saves") == saves
    # Killed after 47 epochs: saves at 45, so 2 epochs are gone.
    assert measure(claims, "callbacks.metrics_interval", variant, 50, "epochs_lost_on_sigkill") == lost


@pytest.mark.parametrize("claim_id, epochs, saves, missing", [
    ("callbacks.metrics_interval", 50, 10, 0), ("callbacks.metrics_interval", 52, 11, 0),
    ("callbacks.metrics_interval_snippet", 50, 10, 0),
    ("callbacks.metrics_interval_snippet", 52, 10, 2),
    ("callbacks.metrics_interval_text", 50, 11, 0), ("callbacks.metrics_interval_text", 52, 11, 0)])
def test_which_reading_of_the_report_gives_10_saves_and_which_11(claims, claim_id, epochs,
                                                                  saves, missing):
    """The committed code saves at 5, 10, ..., and at the last epoch: 10 for 50
    epochs, 11 for 52, nothing missing. The snippet alone also gives 10 for 50
    but loses the epochs after the last multiple of 5; the text's final save
    read as unconditional gives 11 for 50."""
    assert measure(claims, claim_id, "optimized", epochs, "metrics_saves") == saves
    assert measure(claims, claim_id, "optimized", epochs, "epochs_missing_at_normal_end") == missing
    claim = claims[claim_id]
    data = claim.workload.make(epochs)
    same = claim.equivalence.compare(claim.output(claim.case("baseline", epochs, data=data)),
                                     claim.output(claim.case("optimized", epochs, data=data)))
    assert same == (missing == 0)


def test_training_run_computes_the_same_metrics_in_every_variant(claims):
    claim = claims["callbacks.metrics_interval_training"]
    data = claim.workload.make(5)
    documents = {v: claim.output(claim.case(v, 5, data=data)) for v in claim.variant_names}
    assert len(documents["baseline"]["epochs"]) == 5
    assert documents["optimized"] == documents["baseline"]
    # A real loop: the model learns the Iris-shaped classes.
    assert documents["baseline"]["epochs"][-1]["metrics"]["val_accuracy"] > 0.8


def test_validation_host_copies(claims):
    # 1000 samples in the codebase's batches of 32 = 32 batches x 3 outputs.
    copies = {v: measure(claims, "trainer.val_accumulate", v, 1000, "host_copies")
              for v in ("baseline", "optimized", "best")}
    assert copies == {"baseline": 96, "optimized": 3, "best": 3}
    # The codebase's own validation set, 22 rows, is one batch: the same 3 copies.
    assert measure(claims, "trainer.val_accumulate", "baseline", 22, "host_copies") == 3
    # The report-scale ConvNet: 128 samples = 4 batches.
    assert measure(claims, "trainer.val_accumulate_convnet", "baseline", 128, "host_copies") == 12


def test_validation_timed_region_hands_back_arrays_for_every_variant(claims):
    """The baseline's lists of NumPy scalars are converted inside the timed
    region, as the optimized's single conversion is: every variant's timed
    body returns the same kind of output."""
    claim = claims["trainer.val_accumulate"]
    data = claim.workload.make(200)
    handed = {v: claim.primary.measure(claim.setup(claim.case(v, 200, data=data)))
              for v in claim.variant_names}
    for v, outputs in handed.items():
        assert [type(x) for x in outputs[:3]] == [np.ndarray] * 3, v
        assert [x.dtype for x in outputs] == [x.dtype for x in handed["baseline"]], v
    assert claim.equivalence.compare(handed["baseline"], handed["optimized"])
    assert handed["baseline"][3] > 0   # the mean batch loss, taken in the loop
    as_floats = (handed["optimized"][0].astype(float), *handed["optimized"][1:])
    assert not claim.equivalence.compare(handed["baseline"], as_floats)


def test_validation_claimed_ranges_reach_the_reports_own_figures(claims):
    from fractions import Fraction
    claim = claims["trainer.val_accumulate"]
    # The report's table, 2.1 s -> 1.5 s, is itself a confirming measurement.
    assert claim.claimed_at(1000).ratio_high == Fraction(15, 21)
    assert claim.claimed_at(1000).ratio_low == Fraction(7, 10)
    # "Large datasets (10K+ samples): 20-30% faster"; "GPU: 25-35% faster".
    assert claim.claimed_at(10_000).ratio_high == Fraction(4, 5)
    assert claim.claimed_at(1000, "cuda").ratio_high == Fraction(3, 4)
    assert claim.claimed_at(100_000, "cuda").ratio_low == Fraction(13, 20)
    assert claims["trainer.val_accumulate_convnet"].claimed_at(1000) == claim.claimed_at(1000)


def test_split_failures_on_small_label_sets(claims):
    failed = {v: measure(claims, "split.shared_helper", v, 30, "failed_label_sets")
              for v in ("baseline", "optimized", "best")}
    assert failed["baseline"] > 0
    assert failed["optimized"] == failed["best"] == 0


def test_neither_commit_stratifies_many_classes_best_does(claims):
    """Both the before copies and the helper stop stratifying at 20 classes:
    25 classes lose balance and classes in validation and test alike; the
    best variant stratifies per split with no cap."""
    balance = {v: measure(claims, "split.shared_helper", v, 1500, "class_balance_error")
               for v in ("baseline", "optimized", "best")}
    assert balance["optimized"] == balance["baseline"] > balance["best"]
    missing = {v: measure(claims, "split.shared_helper", v, 300,
                          "classes_missing_from_val_or_test") for v in ("baseline", "optimized", "best")}
    assert missing["optimized"] == missing["baseline"] > missing["best"]


def test_the_helper_changes_the_split_only_where_the_before_code_raises(claims):
    claim = claims["split.shared_helper"]
    data = claim.workload.make(300)
    out = {v: claim.output(claim.case(v, 300, data=data)) for v in claim.variant_names}
    assert out["optimized"]["declared_fallback"] == ["a class of 1"]
    assert out["baseline"]["splits"]["a class of 1"].startswith("error")
    assert claim.equivalence.judge(out["baseline"], out["optimized"]) is True
    # A difference where both split is not declared.
    tampered = {**out["optimized"], "splits": {**out["optimized"]["splits"],
                                               "balanced 3 classes": out["optimized"]["splits"]["90/10 imbalance"]}}
    assert claim.equivalence.judge(out["baseline"], tampered) is False


def test_the_codebases_iris_split_is_105_22_23_at_both_commits():
    import io

    import pandas as pd

    from optbench.components import splits
    from optbench.workloads.tabular import iris_csv

    frame = pd.read_csv(io.StringIO(iris_csv()))
    X, y = frame.drop(columns=["species"]), frame["species"]
    parts = {v: splits.VARIANTS[v](X, y, random_state=42) for v in ("baseline", "optimized")}
    assert [len(parts["baseline"][k][0]) for k in ("train", "val", "test")] == [105, 22, 23]
    for k in ("train", "val", "test"):
        assert list(parts["baseline"][k][0].index) == list(parts["optimized"][k][0].index)


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_the_second_split_takes_the_codebases_test_size(variant):
    """1 - val / (val + test), as committed, is not test / (val + test) in
    floating point: (0.6, 0.3, 0.1) on Iris gives the codebase's 90 / 44 /
    16 rows, not 90 / 45 / 15. With no test share, the CSV adapter's shape."""
    import io

    import pandas as pd

    from optbench.components import splits
    from optbench.workloads.tabular import iris_csv

    frame = pd.read_csv(io.StringIO(iris_csv()))
    X, y = frame.drop(columns=["species"]), frame["species"]
    parts = splits.VARIANTS[variant](X, y, train_ratio=0.6, val_ratio=0.3, test_ratio=0.1)
    assert [len(parts[k][0]) for k in ("train", "val", "test")] == [90, 44, 16]
    no_test = splits.VARIANTS[variant](X, y, train_ratio=0.7, val_ratio=0.3, test_ratio=0.0)
    assert [len(no_test[k][0]) for k in ("train", "val")] == [105, 45]
    assert isinstance(no_test["test"][0], pd.DataFrame) and no_test["test"][0].empty
    assert no_test["test"][1] is None
    with pytest.raises(ValueError, match="sum to 1.0"):
        splits.VARIANTS[variant](X, y, train_ratio=0.7, val_ratio=0.2, test_ratio=0.2)


def test_split_code_is_counted_from_the_modelled_adapters():
    """Two adapters' copies before; one helper and two one-line calls after,
    counted by ast (so the figure moves when the code does)."""
    from optbench.components.splits import MODULES, baseline, optimized
    from optbench.components.splits.claims import split_code_size
    size = {v: split_code_size(m) for v, m in MODULES.items()}
    # The ratio check (3), the CSV copy (class + 9) and the image copy (class + 7).
    assert size["baseline"]["statements"] == 3 + 10 + 8
    # The strata rule, the helper, and the adapters' calls with their empty-test
    # handling: the helper adds code, as the codebase's does.
    assert size["optimized"]["statements"] == 27 > size["baseline"]["statements"]
    data = np.arange(40), np.arange(40) % 4
    csv = baseline.CSVAdapter().split_data(*data)
    image = baseline.ImageAdapter().split_data(*data)
    assert all(np.array_equal(csv[k][0], image[k][0]) for k in csv)   # the two copies agree
    assert all(np.array_equal(optimized.ImageAdapter().split_data(*data)[k][0],
                              optimized.train_val_test_split(*data)[k][0]) for k in csv)


def test_indexed_frame_upcasts_int_columns_of_a_numeric_table_and_breaks_an_embedding_lookup(claims):
    whatif = "dataset.indexed_frame_numeric_whatif"
    types = {v: measure(claims, whatif, v, 10_000, "community_value_type")
             for v in ("baseline", "optimized", "best")}
    assert types == {"baseline": "int", "optimized": "float", "best": "int"}
    lookup = {v: measure(claims, whatif, v, 10_000,
                         "community_as_embedding_index") for v in ("baseline", "optimized", "best")}
    assert lookup["baseline"] == lookup["best"] == "works"
    assert lookup["optimized"].startswith("RuntimeError") and "Float" in lookup["optimized"]


def test_indexed_frame_equivalence_compares_types_not_only_values():
    from optbench.components.datasets.claims import CLAIM
    as_int = [({"f0": 0.5, "community": 3}, {"f0": 1.5, "community": 4})]
    as_float = [({"f0": 0.5, "community": 3.0}, {"f0": 1.5, "community": 4.0})]
    assert as_int == as_float                      # Python's == cannot tell them apart
    assert not CLAIM.equivalence.compare(as_int, as_float)
    assert CLAIM.equivalence.compare(as_int, [tuple(dict(s) for s in i) for i in as_int])
    # a missing string is NaN on both sides, and NaN equals NaN here
    missing = [({"summary": float("nan"), "image_path": "images\\a.jpg"}, {"summary": "x"})]
    assert CLAIM.equivalence.compare(missing, [tuple(dict(s) for s in i) for i in missing])


def test_the_codebases_string_table_comes_back_the_same_from_every_variant(claims):
    """All five columns are strings (or NaN): .loc rows are object rows and
    keep every type, unlike a numeric table's."""
    claim = claims["dataset.indexed_frame"]
    nodes, edges = claim.workload.make(2_000)
    assert [c for c in nodes.columns if c != "node_id"] == [
        "entity", "short_name", "summary", "thumbnail_url", "image_path"]
    items = {v: claim.output(claim.case(v, 2_000, data=(nodes, edges)))
             for v in claim.variant_names}
    assert all(claim.equivalence.compare(items["baseline"], i) for i in items.values())
    anchor, positive = items["optimized"][0]
    assert isinstance(anchor["short_name"], str) and anchor.keys() == positive.keys()


def test_the_dataset_keeps_only_edges_with_both_ends_known():
    import pandas as pd
    from optbench.components import datasets

    nodes = pd.DataFrame({"node_id": [1, 2], "short_name": ["a", "b"]})
    edges = pd.DataFrame({"src_id": [1, 2, 9], "dst_id": [2, 7, 1]})
    for variant in ("baseline", "optimized", "best"):
        dataset = datasets.get(variant)(nodes, edges)
        assert len(dataset) == 1 and dataset[0] == ({"short_name": "a"}, {"short_name": "b"})
    with pytest.raises(ValueError, match="no 'node_id' column"):
        datasets.get("optimized")(nodes.rename(columns={"node_id": "id"}), edges)


def test_indexed_frame_memory_counts_what_first_access_builds(claims):
    """What .loc builds on first use (the index's hash table) is in the
    primary reading, and serving the measured items holds as much as a whole
    epoch would (to within what a few fixed-size caches hold). On sparse,
    shuffled node ids (the what-if's): the codebase's ids are 0..N-1 in row
    order, a monotonic index .loc searches without building a table."""
    from optbench.core.measure import measure_memory
    claim = claims["dataset.indexed_frame_numeric_whatif"]
    nodes, edges = claim.workload.make(5000)
    state = claim.setup(claim.case("optimized", 5000, data=(nodes, edges)))
    built = measure_memory(lambda: claim.variants["optimized"](nodes.copy(), edges))
    served = measure_memory(lambda: claim.primary.measure(state))

    def whole_epoch():
        dataset = claim.variants["optimized"](nodes.copy(), edges)
        for i in range(len(dataset)):
            dataset[i]
        return dataset

    epoch = measure_memory(whole_epoch)
    # whatever first access builds, serving the timed items has built it
    assert abs(epoch.retained_bytes - served.retained_bytes) < 64 * 1024
    assert served.retained_bytes >= built.retained_bytes - 64 * 1024


def test_the_committed_index_goes_stale_after_a_sort_or_a_delete_not_a_register(claims):
    """model_train's index (2bb072b) is extended by register_model, so a new
    model is found; an unfiltered get_latest_model sorts the registry's own
    list (newest first) and the index then points at other models, and a
    delete shifts positions again."""
    claim = claims["registry.index"]
    data = claim.workload.make(100)
    seen = {v: claim.output(claim.case(v, 100, data=data)) for v in claim.variant_names}
    ids = [m["model_id"] for m in data["document"]["models"]]
    for v in claim.variant_names:                      # register: every variant finds both
        assert seen[v][0]["model_name"] == "mlp_classifier", v
        assert seen[v][1]["model_id"] == ids[0], v
        assert seen[v][2] == seen[v][0], v             # the latest is the new model
    assert seen["baseline"][3]["model_id"] == ids[0]
    assert seen["optimized"][3]["model_id"] != ids[0]  # stale after the in-place sort
    assert seen["baseline"][6] is None                 # the deleted model is gone
    assert seen["optimized"][6] is not None            # ...but the stale index finds one
    assert seen["optimized"][8].startswith("IndexError")  # and the new model's position is gone
    assert seen["best"] == seen["baseline"]            # the kept index agrees throughout
    wrong = {v: measure(claims, "registry.index", v, 100, "wrong_lookups_after_updates")
             for v in claim.variant_names}
    # 10 lookups after a register, the in-place sort and the delete: 6 go wrong
    assert wrong == {"baseline": 0, "optimized": 6, "best": 0}


def test_registry_ids_are_the_name_and_the_second(tmp_path):
    from datetime import datetime

    from optbench.components.model_registry import VARIANTS

    at = datetime(2026, 12, 5, 1, 45, 1)
    found = {}
    for variant in ("baseline", "optimized", "best"):
        registry = VARIANTS[variant](tmp_path / variant / "registry.json", clock=lambda: at)
        first = registry.register_model("m.pth", "mlp_classifier", "tabular", {"acc": 0.1})
        again = registry.register_model("m.pth", "mlp_classifier", "tabular", {"acc": 0.2})
        assert first == again == "mlp_classifier_20261205_014501"   # the codebase's collision
        assert registry.registry["metadata"]["total_models"] == 2
        found[variant] = registry.get_model(first)["metrics"]
    # The scan finds the first of the two; the committed index points at the second.
    assert found == {"baseline": {"acc": 0.1}, "optimized": {"acc": 0.2}, "best": {"acc": 0.1}}


def test_registry_entries_and_file_are_the_codebases(tmp_path):
    """register_model reads the clock twice (id, then registered_at), stores
    metrics as given and notes None as ""; the file is rewritten, indent 2."""
    import json

    from optbench.components.model_registry import VARIANTS
    from optbench.workloads.registry import START, ticking_clock

    path = tmp_path / "models" / "registry.json"
    registry = VARIANTS["optimized"](path, clock=ticking_clock())
    model_id = registry.register_model("artifacts/models/best_model.pth", "mlp_classifier",
                                       "tabular", {"val_loss": 0.5}, notes=None)
    assert model_id == f"mlp_classifier_{START:%Y%m%d}_090002"   # created_at took 09:00:01
    on_disk = json.loads(path.read_text())
    assert path.read_text() == json.dumps(on_disk, indent=2)
    assert on_disk["metadata"] == {"created_at": "2026-01-05T09:00:01", "total_models": 1}
    assert on_disk["models"] == [{
        "model_id": model_id, "model_name": "mlp_classifier", "model_type": "tabular",
        "model_path": "artifacts/models/best_model.pth", "registered_at": "2026-01-05T09:00:03",
        "metrics": {"val_loss": 0.5}, "config": {}, "tags": [], "notes": ""}]


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_only_an_unfiltered_get_latest_model_reorders_the_registry(tmp_path, variant):
    """get_best_model drops the models without the metric first, so it sorts
    a copy; get_latest_model with a filter sorts a filtered copy; without
    one it sorts the registry's own list. list_models unfiltered hands out
    the registry's own list."""
    import json

    from optbench.components.model_registry import VARIANTS
    from optbench.workloads.registry import registry_document

    path = tmp_path / "registry.json"
    path.write_text(json.dumps(registry_document(31)["document"]))
    registry = VARIANTS[variant](path)
    order = [m["model_id"] for m in registry.registry["models"]]
    best = registry.get_best_model("val_accuracy")
    assert best == max(registry.registry["models"], key=lambda m: m["metrics"]["val_accuracy"])
    assert registry.get_best_model("val_accuracy", higher_is_better=False)["model_id"] != \
        best["model_id"]
    assert registry.get_latest_model(model_type="vision")["model_type"] == "vision"
    assert [m["model_id"] for m in registry.registry["models"]] == order
    assert all(registry.get_model(i)["model_id"] == i for i in order)
    assert registry.list_models() is registry.registry["models"]
    assert registry.get_latest_model()["model_id"] == order[-1]
    assert [m["model_id"] for m in registry.registry["models"]] == order[::-1]
    wrong = sum(registry.get_model(i)["model_id"] != i for i in order)
    assert wrong == (len(order) - 1 if variant == "optimized" else 0)   # the middle stays


def test_registry_claimed_ranges_say_which_sizes_the_report_names(claims):
    claim = claims["registry.index"]
    assert claim.headline_size in (100, 1000)
    assert "extrapolation" not in claim.claimed_at(100).text
    assert "extrapolation" in claim.claimed_at(10).text
    assert "extrapolation" in claim.claimed_at(10_000).text


def test_literal_replace_shows_which_rows_the_gene_name_rules_change(claims):
    from optbench.workloads.text import annotated_genotype_strings
    rows = annotated_genotype_strings(10_000)
    # regex=True's "BRCA1.2" also rewrites "BRCA1/2"; its "variant*3" never
    # matches the literal "variant*3", which regex=False does rewrite.
    expected = sum("BRCA1/2" in r or "variant*3" in r for r in rows)
    assert expected > 0
    assert measure(claims, "preprocess.literal_replace_whatif", "baseline", 10_000,
                   "rows_changed_by_name_rules") == 0
    assert measure(claims, "preprocess.literal_replace_whatif", "optimized", 10_000,
                   "rows_changed_by_name_rules") == expected
    per_rule = measure(claims, "preprocess.literal_replace_whatif", "optimized", 10_000,
                       "name_rules_per_pattern")
    assert f"'BRCA1.2': {sum('BRCA1/2' in r for r in rows):,} rows, all with 'BRCA1/2'" in per_rule
    assert "'CYP2D6(*4)': regex=True raises" in per_rule


def test_string_claims_run_on_the_storage_they_name(claims):
    for claim_id, storage in (("preprocess.literal_replace_whatif", "python"),
                              ("preprocess.per_row_replace_pyarrow_whatif", "pyarrow")):
        claim = claims[claim_id]
        assert storage in claim.workload.name
        if claim.missing():
            continue
        _, series = claim.setup(claim.case("baseline", 100))
        assert series.dtype.storage == storage


def test_a_claim_missing_a_module_is_not_measurable_and_skipped_by_runners(claims):
    from dataclasses import replace

    from optbench.core import engine, verdict
    from optbench.runners.cases import Unavailable
    claim = replace(claims["preprocess.literal_replace_whatif"], requires=("no_such_module_xyz",))
    entry = engine.measure_case(claim, 10_000, "cpu", engine.RunOptions(quick=True))
    assert entry.verdict == verdict.NOT_MEASURABLE
    assert "no_such_module_xyz" in entry.reason
    with pytest.raises(Unavailable, match="no_such_module_xyz"):
        prepare(claim, "baseline", 10_000)


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_predictions_are_formatted_as_the_codebase_does(claims, variant):
    """Each row: the class, its label (or the index as a string without
    names), its probability as confidence, the row as a list, and the top 3
    by probability, as Python ints and floats."""
    from optbench.components.predictor import VARIANTS
    from optbench.components.predictor.claims import CLASS_NAMES, IRIS_BATCH

    preds = np.array([2, 0], dtype=np.int64)
    probs = np.array([[0.25, 0.25, 0.5], [0.5, 0.125, 0.375]], dtype=np.float32)
    rows = VARIANTS[variant](preds, probs, CLASS_NAMES)
    assert rows[0] == {
        "predicted_class": 2, "predicted_label": "virginica", "confidence": 0.5,
        "probabilities": [0.25, 0.25, 0.5],
        "top_3": [{"class": 2, "label": "virginica", "probability": 0.5},
                  {"class": 1, "label": "versicolor", "probability": 0.25},
                  {"class": 0, "label": "setosa", "probability": 0.25}]}
    assert [t["class"] for t in rows[1]["top_3"]] == [0, 2, 1]
    assert all(type(t["class"]) is int for r in rows for t in r["top_3"])
    unnamed = VARIANTS[variant](preds, probs)
    assert unnamed[1]["predicted_label"] == "0" and unnamed[1]["top_3"][1]["label"] == "2"
    claim = claims["predictor.enumerate_zip"]
    assert claim.headline(quick=True) == claim.headline(quick=False) == IRIS_BATCH == 150


def test_components_are_switchable_by_name():
    from optbench.components import loggers, predictor
    assert loggers.get("optimized").__name__ == "BufferedLogger"
    preds, probs = np.array([1, 0]), np.array([[0.2, 0.8], [0.6, 0.4]], dtype=np.float32)
    assert predictor.get("best")(preds, probs)[0]["predicted_class"] == 1
    with pytest.raises(KeyError, match="has no variant 'fastest'"):
        loggers.get("fastest")


def test_each_claimed_range_quotes_the_reports_words(claims):
    """Every claimed range in a claims.py carries its report's name and own words
    above it (docs/sources/ names the reports):
    where a claim sets `claimed=...` with a range built in place, and where a
    module builds a named range (`AT_1000 = Claimed.spanning(...)`)."""
    import inspect
    import re
    import sys

    built_here = re.compile(r"^\s*(claimed=.*Claimed\.|[A-Z_0-9]+ = Claimed\.)")
    report_cited = (r"# (Lab_Project PR summary|Lab_Project optimizations doc|"
                    r"[Tt]raining-system report|[Pp]harmagen report|[Vv]ideo-pipeline report)")
    modules = {sys.modules[c.setup.__module__] for c in claims.values()}
    checked = 0
    for module in modules:
        lines = inspect.getsource(module).splitlines()
        for i, line in enumerate(lines):
            if built_here.match(line):
                checked += 1
                above = " ".join(lines[max(0, i - 4):i])
                assert re.search(report_cited, above) and '"' in above, (module.__name__, line)
    assert checked >= len(modules)
