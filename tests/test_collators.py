"""The multimodal collator's image loader: exact opens per access pattern
against an exact LRU simulation, the in-place transform, the rewritten file,
and the missing import."""
import numpy as np
import pytest
from PIL import Image

from optbench.components.collators import best, claims as collator_claims
from optbench.core.measure import count_file_io
from optbench.runners.cases import prepare
from optbench.workloads import images
from test_components import measure as run  # one case, one metric: the shared helper

EPOCHS = collator_claims.EPOCHS
CACHE = 128


def expected_opens(claim, size, variant):
    """Opens an image loader must make: every load (baseline), or the misses
    of an LRU cache of 128 over the whole access sequence (optimized, best)."""
    data = claim.workload.make(size)
    loads = [s["image_path"] for epoch in data.epochs for s in epoch]
    if variant == "baseline":
        return len(loads)
    return len(loads) - images.lru_hits(loads, CACHE)


@pytest.mark.parametrize("claim_id, size", [
    ("collator.image_lru", 100), ("collator.image_lru", 200),
    ("collator.image_lru_popular", 200), ("collator.image_lru_captions_grouped", 150),
    ("collator.image_lru_captions_shuffled", 150)])
@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_image_opens_are_exactly_an_lru_cache_of_128(claims, claim_id, size, variant):
    opens = run(claims, claim_id, variant, size, "image_opens")
    assert opens == expected_opens(claims[claim_id], size, variant)


def test_images_that_fit_are_read_once_over_ten_epochs(claims):
    assert run(claims, "collator.image_lru", "baseline", 100, "image_opens") == 100 * EPOCHS
    assert run(claims, "collator.image_lru", "optimized", 100, "opens_first_epoch") == 100
    assert run(claims, "collator.image_lru", "optimized", 100, "opens_later_epochs") == 0
    assert run(claims, "collator.image_lru", "optimized", 100, "hit_rate") == 0.9


def test_counting_the_loader_alone_gives_what_collating_opens(claims):
    """The counter runs only the loader; collating whole batches opens the same."""
    claim = claims["collator.image_lru"]
    case = prepare(claim, "optimized", 200)
    try:
        data, collator = case.state.case.data, case.state.case.implementation()
        with count_file_io(data.folder) as counts:
            for epoch in data.epochs:
                for batch in collator_claims._batches(epoch):
                    collator(batch)
        assert counts.opens == case.run(claim.primary)
    finally:
        case.close()


@pytest.mark.parametrize("variant, seen", [
    ("baseline", "reads the new file"), ("optimized", "serves the old image"),
    ("best", "reads the new file")])
def test_a_file_rewritten_between_loads(claims, variant, seen):
    assert run(claims, "collator.image_lru", variant, 100, "rewritten_file") == seen


def test_an_in_place_transform_edits_the_optimized_cache_not_the_best(claims):
    claim = claims["collator.image_lru_inplace_transform"]
    data = claim.workload.make(100)
    outputs = {v: claim.output(claim.case(v, 100, data=data)) for v in claim.variant_names}
    assert not claim.equivalence.compare(outputs["baseline"], outputs["optimized"])
    assert claim.equivalence.compare(outputs["baseline"], outputs["best"])
    # The first epoch is the same for all: only a cached image comes back edited.
    first_epoch = len(outputs["baseline"]) // 2
    assert claim.equivalence.compare(outputs["baseline"][:first_epoch],
                                     outputs["optimized"][:first_epoch])


def test_best_hands_out_copies_of_read_only_pixels(tmp_path):
    path = images.write_images(tmp_path, 1)[0]
    collator = best.MultimodalCollator()
    first = collator.load_image(str(path))
    first.paste((255, 0, 0), (0, 0, 8, 8))
    again = collator.load_image(str(path))
    assert collator.hits == 1 and collator.misses == 1
    with Image.open(path) as original:
        assert np.array_equal(np.asarray(again), np.asarray(original.convert("RGB")))


def test_the_before_code_raises_on_its_first_image_and_the_after_code_does_not(claims):
    assert run(claims, "collator.path_import", "baseline", 100, "first_batch_fails") == 1
    assert run(claims, "collator.path_import", "baseline", 100, "error_raised") == \
        "NameError: name 'Path' is not defined"
    assert run(claims, "collator.path_import", "optimized", 100, "first_batch_fails") == 0


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_through_a_data_loader_each_worker_has_a_cache_of_its_own(claims, variant):
    """2 workers, new every epoch (persistent_workers=False): the figure an
    exact simulation of one LRU(128) per worker gives; for 100 images, that
    is no hit at all, where one process hits 90%."""
    claim = claims["collator.image_lru"]
    data = claim.workload.make(100)
    epochs = [[s["image_path"] for s in epoch]
              for epoch in data.epochs[:collator_claims.LOADER_EPOCHS]]
    loads = sum(len(e) for e in epochs)
    hits = 0 if variant == "baseline" else images.data_loader_lru_hits(
        epochs, CACHE, batch_size=collator_claims.BATCH, workers=2)
    assert run(claims, "collator.image_lru", variant, 100, "loader_image_opens") == loads - hits
    assert hits == 0


@pytest.mark.parametrize("variant, after_a_fix", [
    ("baseline", "loads"), ("optimized", "default image"), ("best", "loads")])
def test_a_broken_image_file_is_the_default_image_and_only_the_lru_remembers_it(
        claims, variant, after_a_fix):
    """Every commit turns a missing or unreadable file into the collator's
    black default image; the lru_cache keeps that default for the path, so
    the file written right afterwards is never read."""
    seen = run(claims, "collator.image_lru", variant, 100, "bad_files")
    assert seen == " · ".join(f"{kind}: default image; fixed: {after_a_fix}" for kind in
                              ("empty", "truncated", "not_an_image", "missing"))


def test_a_node_without_an_image_path_gets_the_default_image_before_path_is_needed():
    """The before code's NameError needs a string path: a node without an
    image (NaN) gets the default image at both commits."""
    from optbench.components.collators import baseline, optimized

    node = {"summary": float("nan"), "short_name": "Athlete", "image_path": float("nan")}
    for collator in (baseline.MultimodalCollator(), optimized.MultimodalCollator()):
        assert collator.load_image(node["image_path"]) is collator.default_image
        batch = collator([(node, node)])
        assert batch["pixel_values"].shape == (2, 3, 224, 224)
        # the summary "nan" is one word: the text is the short name, between start and end
        tokens = batch["attention_mask"].sum(dim=1).tolist()
        assert tokens[0] == tokens[1] >= 3
    with pytest.raises(NameError):
        baseline.MultimodalCollator().load_image("images\\Athlete.jpg")


def test_the_codebases_run_hits_what_an_lru_per_worker_gives(claims):
    """Through 4 workers new every epoch, the opens are the misses an exact
    LRU(128) per worker has on the loads of an image path."""
    claim = claims["collator.image_lru_codebase"]
    data = claim.workload.make(16)
    opens = {v: run(claims, "collator.image_lru_codebase", v, 16, "loader_image_opens")
             for v in ("baseline", "optimized")}
    # a node without an image path (NaN) never reaches the cache: None to the simulation
    expected_hits = images.data_loader_lru_hits(
        [[i["image_path"] if isinstance(i["image_path"], str) else None for i in epoch]
         for epoch in data.epochs], CACHE, batch_size=128, workers=4)
    file_loads = sum(isinstance(i["image_path"], str) for e in data.epochs for i in e)
    assert opens["baseline"] == file_loads
    assert opens["optimized"] == file_loads - expected_hits
    assert 0 < expected_hits < 0.2 * file_loads          # far from "up to 90%"
