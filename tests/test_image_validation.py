"""image_validation.early_stop*: the training-system report §1.2's early stop,
as model_train's ImageAdapter.validate and SchemaValidator do it.

Every figure the claims rest on is exact (files opened, images checked,
errors and warnings reported), so each is asserted here, and computed
independently from the sample's layout where it can be: the early stop
fires on the 6th error, so what it skips depends only on where that
file sits.
"""
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from PIL import Image

from optbench.components.image_validation import VARIANTS, adapter, optimized
from optbench.components.image_validation.claims import (AT_100, DEFAULT_SAMPLE, LARGE,
                                                         WITH_ERRORS)
from optbench.components.image_validation.optimized import TRUNCATION_MARKER
from optbench.components.image_validation.sample import (FOLDER, TRUNCATED_SIZE, bad_kind,
                                                         bad_positions, class_folder,
                                                         make_sample, write_class_folder,
                                                         write_sample)
from optbench.components.image_validation.validator import (MIN_SIZE, SHIPPED_SCHEMA,
                                                            SPEC_SCHEMA, SchemaValidator,
                                                            below)
from optbench.core.measure import count_calls
from optbench.runners.cases import prepare
from optbench.workloads.images import write_bad_images, write_images

PERCENT = {"image_validation.early_stop_whatif": 5, "image_validation.early_stop_clean": 0,
           "image_validation.early_stop_half": 50}
COUNTERS = ("image_files_opened", "images_checked", "validated_count_reported",
            "errors_reported", "errors_not_reported", "warnings_reported",
            "warnings_not_reported")
UNOPENABLE = ("empty", "not_an_image", "missing")   # the truncated JPEG's header opens
TYPE_ERROR = "Failed to validate image: '<' not supported between instances of 'int' and 'dict'"


def counters(claims, claim_id, variant, size):
    claim = claims[claim_id]
    case = prepare(claim, variant, size)
    try:
        return {m.name: case.run(m) for m in claim.secondary if m.name in COUNTERS}
    finally:
        case.close()


def error_positions(size: int, percent: int) -> list[int]:
    return [p for j, p in enumerate(bad_positions(size, percent)) if bad_kind(j) in UNOPENABLE]


def expected_checked(size: int, percent: int, variant: str) -> int:
    """Images checked: all of them, except for the after code past the 6th
    error (its index in the sample, plus one)."""
    errors = error_positions(size, percent)
    if variant != "optimized" or len(errors) <= 5:
        return size
    return errors[5] + 1


def expected_opened(size: int, percent: int, variant: str) -> int:
    """Files opened: those checked less the missing ones among them."""
    checked = expected_checked(size, percent, variant)
    missing = sum(bad_kind(j) == "missing" for j, p in enumerate(bad_positions(size, percent))
                  if p < checked)
    return checked - missing


def expected_warnings(size: int, percent: int, before: int) -> int:
    """Warnings from the images before position `before` under SPEC_SCHEMA:
    each one that opens and is below its minimum size."""
    sample = make_sample(size, percent)
    truncated = [p for p, kind in sample.bad.items() if kind == "truncated" and p < before]
    return (sum(below(s, MIN_SIZE) for p, s in sample.good_sizes.items() if p < before)
            + len(truncated) * below(TRUNCATED_SIZE, MIN_SIZE))


def test_broken_files_are_spread_evenly_and_their_kinds_mixed():
    assert bad_positions(100, 5) == [10, 30, 50, 70, 90]
    assert bad_positions(100, 50) == list(range(1, 100, 2))
    assert bad_positions(1000, 5)[:8] == [10, 30, 50, 70, 90, 110, 130, 150]
    assert bad_positions(100, 0) == []
    assert [bad_kind(j) for j in range(5)] == ["empty", "truncated", "not_an_image",
                                               "missing", "empty"]
    sample = make_sample(100, 50)
    assert len(sample.names) == len(set(sample.names)) == 100
    assert sample.missing == 12
    # 50 broken files; the 12 truncated ones open: 37 errors.
    assert sample.expected_errors == 37 == len(error_positions(100, 50))
    assert sample.names[11] == "bad_000011_truncated.jpg"
    assert make_sample(100, 5).names[0] == "image_000000.jpg"


def test_the_codebases_folder_is_three_classes_of_ten_64px_jpegs(tmp_path):
    folder = write_class_folder(class_folder(), tmp_path)
    loaded = VARIANTS["baseline"](folder, schema=SHIPPED_SCHEMA)
    paths, labels = loaded.load()
    assert len(paths) == 30 and labels == [0] * 10 + [1] * 10 + [2] * 10
    assert [p.name for p in paths[:2]] == ["class_0_000.jpg", "class_0_001.jpg"]
    with Image.open(paths[0]) as img:
        assert (img.format, img.size, img.mode) == ("JPEG", (64, 64), "RGB")
        red = np.asarray(img).reshape(-1, 3).mean(axis=0)
    assert red[0] > 200 and red[1] < 60 and red[2] < 60


def test_the_shipped_schema_makes_every_image_an_error(tmp_path):
    """The validator reads the JSON-Schema file as a spec: the format list is
    a dict (a warning), the minimum width a type description (TypeError)."""
    good = write_images(tmp_path, 6)
    validator = SchemaValidator(SHIPPED_SCHEMA)
    for path in good:
        found = validator.validate_image(path)
        fmt = "jpeg" if path.suffix == ".jpg" else "png"
        assert found == {"valid": False, "errors": [TYPE_ERROR],
                         "warnings": [f"Image format {fmt} not in allowed formats"]}, path


def test_the_validator_only_opens_a_file_so_a_truncated_jpeg_passes(tmp_path):
    bad = write_bad_images(tmp_path)
    validator = SchemaValidator(SPEC_SCHEMA)
    found = {kind: validator.validate_image(path) for kind, path in bad.items()}
    assert found["truncated"] == {"valid": True, "errors": [], "warnings": [
        "Image size (128, 96) below minimum"]}
    for kind in UNOPENABLE:
        assert found[kind]["valid"] is False and len(found[kind]["errors"]) == 1, kind
        assert found[kind]["errors"][0].startswith("Failed to validate image: "), kind
        assert str(bad[kind]) in found[kind]["errors"][0], kind
        assert found[kind]["warnings"] == []
    assert "cannot identify image file" in found["empty"]["errors"][0]
    assert "No such file or directory" in found["missing"]["errors"][0]
    # A readable spec: a 256x256 RGB image passes, a 64x64 one gets a warning.
    sizes = {img: Image.open(img).size for img in write_images(tmp_path / "good", 3)}
    for path, size in sizes.items():
        expected = [f"Image size {size} below minimum"] if below(size, MIN_SIZE) else []
        assert validator.validate_image(path) == {"valid": True, "errors": [],
                                                  "warnings": expected}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_without_a_schema_nothing_is_opened(tmp_path, variant):
    folder = write_class_folder(class_folder(), tmp_path)
    loaded = VARIANTS[variant](folder)
    loaded.load()
    with count_calls(Image, "open") as opens:
        results = loaded.validate()
    assert opens[0] == 0
    assert results == {"valid": True, "errors": [], "warnings": [adapter.NO_SCHEMA],
                       "validated_count": 10, "total_count": 30}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_validate_draws_its_sample_without_replacement(tmp_path, variant):
    folder = write_class_folder(class_folder(), tmp_path)
    loaded = VARIANTS[variant](folder, schema=SPEC_SCHEMA, rng=np.random.RandomState(7))
    loaded.load()
    expected = np.random.RandomState(7).choice(30, 10, replace=False)
    named = [m.split(": ", 1)[0] for m in loaded.validate()["warnings"]]
    assert len(named) == len(set(named)) == 10     # one warning each: 64x64 < 128x128
    assert named == [loaded.image_paths[i].name for i in expected][:10]
    for everything in (None, 30, 31):
        assert loaded.validate(everything)["validated_count"] == 30
    with pytest.raises(ValueError, match="not loaded"):
        VARIANTS[variant](folder, schema=SPEC_SCHEMA).validate()


# (variant): files opened, images checked, validated_count, errors reported /
# not reported, warnings reported / not reported; 10 of the codebase's 30.
EXACT_CODEBASE = {"baseline": (10, 10, 10, 10, 0, 10, 0),
                  "optimized": (6, 6, 10, 6, 4, 5, 5)}


@pytest.mark.parametrize("variant", sorted(EXACT_CODEBASE))
def test_the_codebases_run_stops_at_the_6th_of_its_10_images(claims, variant):
    figures = counters(claims, "image_validation.early_stop", variant, 30)
    assert tuple(figures[name] for name in COUNTERS) == EXACT_CODEBASE[variant]
    assert figures["validated_count_reported"] == DEFAULT_SAMPLE   # also after the stop


def test_the_codebases_run_reports_the_stop_as_declared(claims):
    claim = claims["image_validation.early_stop"]
    out = outputs(claim, 30)
    base, mine = out["baseline"], out["optimized"]
    assert [e.split(": ", 1)[1] for e in base["errors"]] == [TYPE_ERROR] * 10
    assert mine["errors"] == [*base["errors"][:6], TRUNCATION_MARKER]
    assert mine["warnings"] == base["warnings"][:5]     # not the 6th image's
    assert base["valid"] is mine["valid"] is False
    assert base["validated_count"] == mine["validated_count"] == 10
    assert claim.equivalence.judge(base, mine).startswith("declared change")
    assert claim.equivalence.judge(base, {**mine, "validated_count": 6}) is False


@pytest.mark.parametrize("claim_id", sorted(PERCENT))
@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_exact_counters_at_100_images(claims, claim_id, variant):
    figures = counters(claims, claim_id, variant, 100)
    percent = PERCENT[claim_id]
    sample = make_sample(100, percent)
    checked = expected_checked(100, percent, variant)
    stopped = checked < 100
    # The after code gathers no warning from the image it stops at.
    warned = expected_warnings(100, percent, checked - 1 if stopped else checked)
    warnings = min(warned, 10) if variant == "optimized" else warned
    errors = 6 if stopped else sample.expected_errors
    assert figures == {
        "image_files_opened": expected_opened(100, percent, variant),
        "images_checked": checked, "validated_count_reported": 100,
        "errors_reported": errors, "errors_not_reported": sample.expected_errors - errors,
        "warnings_reported": warnings,
        "warnings_not_reported": sample.expected_warnings - warnings}


EXACT_AT_100 = {   # the same figures written out, as COUNTERS orders them
    ("image_validation.early_stop_whatif", "baseline"): (99, 100, 100, 4, 0, 65, 0),
    ("image_validation.early_stop_whatif", "optimized"): (99, 100, 100, 4, 0, 10, 55),
    ("image_validation.early_stop_clean", "baseline"): (100, 100, 100, 0, 0, 67, 0),
    ("image_validation.early_stop_clean", "optimized"): (100, 100, 100, 0, 0, 10, 57),
    # The 6th error is position 15 (a missing file); 2 of the 16 are missing.
    ("image_validation.early_stop_half", "baseline"): (88, 100, 100, 37, 0, 47, 0),
    ("image_validation.early_stop_half", "optimized"): (14, 16, 100, 6, 31, 8, 39),
}


@pytest.mark.parametrize("claim_id, variant", sorted(EXACT_AT_100))
def test_exact_counters_at_100_images_written_out(claims, claim_id, variant):
    figures = counters(claims, claim_id, variant, 100)
    assert tuple(figures[name] for name in COUNTERS) == EXACT_AT_100[claim_id, variant]


@pytest.mark.parametrize("variant, opened, checked, errors, warnings", [
    ("baseline", 988, 1000, 37, 647), ("optimized", 149, 151, 6, 10)])
def test_at_1000_images_5_percent_broken_the_stop_comes_at_image_151(claims, variant, opened,
                                                                     checked, errors, warnings):
    figures = counters(claims, "image_validation.early_stop_whatif", variant, 1000)
    assert figures["image_files_opened"] == opened == expected_opened(1000, 5, variant)
    assert figures["images_checked"] == checked == expected_checked(1000, 5, variant)
    assert figures["errors_reported"] == errors
    assert figures["errors_not_reported"] == 37 - errors
    assert figures["warnings_reported"] == warnings


def outputs(claim, size):
    data = claim.workload.make(size)
    return {v: claim.output(claim.case(v, size, data=data)) for v in claim.variant_names}


def test_the_early_stop_is_the_declared_change(claims):
    claim = claims["image_validation.early_stop_half"]
    out = outputs(claim, 100)
    base, mine = out["baseline"], out["optimized"]
    assert mine["errors"][:-1] == base["errors"][:6]
    assert mine["errors"][-1] == TRUNCATION_MARKER
    assert mine["warnings"] == base["warnings"][:8]
    assert mine["valid"] is base["valid"] is False
    judged = claim.equivalence.judge(base, mine)
    assert judged.startswith("declared change: stops after more than 5 errors")


def test_a_difference_beyond_the_declared_truncation_is_undeclared(claims):
    claim = claims["image_validation.early_stop_half"]
    out = outputs(claim, 100)
    base, mine = out["baseline"], out["optimized"]
    judge = claim.equivalence.judge
    # A wrong error for a file (the 2nd file's message on the 1st).
    wrong = {**mine, "errors": [mine["errors"][1], *mine["errors"][1:]]}
    assert judge(base, wrong) is False
    # Stopping before the 6th error is not the report's rule.
    early = {**mine, "errors": [*mine["errors"][:5], TRUNCATION_MARKER]}
    assert judge(base, early) is False
    # A warning the baseline does not have, and 11 warnings.
    assert judge(base, {**mine, "warnings": ["x.jpg: made up", *mine["warnings"][1:]]}) is False
    assert judge(base, {**mine, "warnings": base["warnings"][:11]}) is False
    assert judge(base, {**mine, "total_count": 99}) is False


def test_with_no_broken_file_only_the_warning_cap_differs(claims):
    claim = claims["image_validation.early_stop_clean"]
    out = outputs(claim, 100)
    base, mine = out["baseline"], out["optimized"]
    assert base["errors"] == mine["errors"] == [] and base["valid"] and mine["valid"]
    assert len(base["warnings"]) == 67 and mine["warnings"] == base["warnings"][:10]
    judge = claim.equivalence.judge
    assert judge(base, mine).startswith("declared change")
    # Unstopped, the warnings must be exactly the first 10.
    assert judge(base, {**mine, "warnings": base["warnings"][:9]}) is False
    assert judge(base, {**mine, "warnings": base["warnings"][1:11]}) is False
    assert judge(base, {**mine, "errors": [TRUNCATION_MARKER]}) is False
    assert judge(base, {**mine, "valid": False}) is False


def test_a_missing_files_error_names_the_file(claims):
    claim = claims["image_validation.early_stop_whatif"]
    out = outputs(claim, 100)
    for variant, results in out.items():
        missing = [e for e in results["errors"] if "missing" in e.split(": ", 1)[0]]
        assert missing == ["bad_000070_missing.jpg: Failed to validate image: [Errno 2] "
                           "No such file or directory: 'bad_000070_missing.jpg'"], variant


def test_the_after_code_announces_truncated_errors_even_when_none_were(tmp_path):
    """Exactly 6 errors: the after code appends its "additional errors
    truncated" line though there was no 7th to truncate."""
    paths = [tmp_path / f"gone_{i}.jpg" for i in range(6)]
    after = optimized.ImageAdapter(tmp_path, schema=SPEC_SCHEMA)
    after.image_paths = paths
    results = after.validate(None)
    assert len(results["errors"]) == 7 and results["errors"][-1] == TRUNCATION_MARKER
    before = VARIANTS["baseline"](tmp_path, schema=SPEC_SCHEMA)
    before.image_paths = paths
    assert len(before.validate(None)["errors"]) == 6


def test_the_sample_is_written_into_each_cases_own_folder(claims):
    claim = claims["image_validation.early_stop_whatif"]
    case = prepare(claim, "baseline", 100)
    try:
        folder = case.workdir / FOLDER
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            n for n in make_sample(100, 5).names if "missing" not in n)
        assert case.state.adapter.image_paths == write_sample(make_sample(100, 5), folder)
    finally:
        case.close()


def test_claimed_ranges_are_the_reports_figures(claims):
    assert (WITH_ERRORS.ratio_low, WITH_ERRORS.ratio_high) == (Fraction(1, 5), Fraction(2, 5))
    # §4's 15 s -> 8 s is 46.7% less time; "47% faster" is 0.53: both reach it.
    assert (AT_100.ratio_low, AT_100.ratio_high) == (Fraction(53, 100), Fraction(8, 15))
    assert (LARGE.ratio_low, LARGE.ratio_high) == (Fraction(17, 20), Fraction(9, 10))
    clean = claims["image_validation.early_stop_clean"]
    assert clean.claimed_at(100) == AT_100 and clean.claimed_at(1000) == LARGE
    assert claims["image_validation.early_stop"].claimed_at(30) == WITH_ERRORS
    for claim_id in ("image_validation.early_stop_whatif", "image_validation.early_stop_half"):
        assert claims[claim_id].claimed_at(100) == claims[claim_id].claimed_at(1000) == WITH_ERRORS


def test_the_what_ifs_say_so_and_the_codebases_run_is_the_verdict(claims):
    codebase = claims["image_validation.early_stop"]
    assert list(codebase.sizes(quick=True)) == list(codebase.sizes(quick=False)) == [30]
    assert "what-if" not in codebase.notes
    for claim_id in PERCENT:
        assert claims[claim_id].notes.startswith("what-if: "), claim_id
        assert claims[claim_id].workload.name.startswith("what-if: "), claim_id


def test_the_engine_measures_the_codebases_run_without_an_error(claims):
    from optbench.core import engine, verdict
    claim = replace(claims["image_validation.early_stop"],
                    secondary=claims["image_validation.early_stop"].secondary[:2])
    entry = engine.measure_case(claim, 30, "cpu", engine.RunOptions(quick=True))
    assert entry.verdict not in (verdict.ERROR, verdict.NOT_MEASURABLE)
    assert entry.equivalent.startswith("declared change")
    assert entry.secondary["images_checked"].values == {"baseline": 10, "optimized": 6}
