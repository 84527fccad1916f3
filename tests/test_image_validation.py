"""image_validation.early_stop*: the training-system report §1.2's early stop.

Every figure the claims rest on is exact (files opened, images checked,
errors and warnings reported), so each is asserted here, and computed
independently from the sample's layout: the early stop fires on the 6th
broken file, so what it skips depends only on where that file sits.
"""
from dataclasses import replace
from fractions import Fraction

import pytest

from optbench.components.image_validation import VARIANTS, best, optimized, validator
from optbench.components.image_validation.claims import AT_100, LARGE, WITH_ERRORS
from optbench.components.image_validation.optimized import TRUNCATION_MARKER
from optbench.components.image_validation.sample import (FOLDER, bad_kind, bad_positions,
                                                         make_sample, write_sample)
from optbench.runners.cases import prepare
from optbench.workloads.images import write_bad_images, write_images

PERCENT = {"image_validation.early_stop": 5, "image_validation.early_stop_clean": 0,
           "image_validation.early_stop_half": 50}
COUNTERS = ("image_files_opened", "images_checked", "errors_reported", "errors_not_reported",
            "warnings_reported", "warnings_not_reported")


def counters(claims, claim_id, variant, size):
    claim = claims[claim_id]
    case = prepare(claim, variant, size)
    try:
        return {m.name: case.run(m) for m in claim.secondary if m.name in COUNTERS}
    finally:
        case.close()


def expected_checked(size: int, percent: int, variant: str) -> int:
    """Images validated: all of them, except for the report's code past the
    6th broken file (its index in the sample, plus one)."""
    positions = bad_positions(size, percent)
    if variant != "optimized" or len(positions) <= 5:
        return size
    return positions[5] + 1


def expected_opened(size: int, percent: int, variant: str) -> int:
    """Files opened: those validated less the missing ones among them."""
    checked = expected_checked(size, percent, variant)
    missing = sum(bad_kind(j) == "missing" for j, p in enumerate(bad_positions(size, percent))
                  if p < checked)
    return checked - missing


def test_broken_files_are_spread_evenly_and_their_kinds_mixed():
    assert bad_positions(100, 5) == [10, 30, 50, 70, 90]
    assert bad_positions(100, 50) == list(range(1, 100, 2))
    assert bad_positions(1000, 5)[:6] == [10, 30, 50, 70, 90, 110]
    assert bad_positions(100, 0) == []
    assert [bad_kind(j) for j in range(5)] == ["empty", "truncated", "not_an_image",
                                               "missing", "empty"]
    sample = make_sample(100, 50)
    assert len(sample.names) == len(set(sample.names)) == 100
    assert sample.expected_errors == 50 and sample.missing == 12
    assert sample.names[11] == "bad_000011_truncated.jpg"
    assert make_sample(100, 5).names[0] == "image_000000.jpg"


# (claim, variant): files opened, images checked, errors reported / not reported,
# warnings reported / not reported; at the report's 100 images.
EXACT_AT_100 = {
    # 5 broken files (one missing): one short of the stop, every image checked.
    ("image_validation.early_stop", "baseline"): (99, 100, 5, 0, 64, 0),
    ("image_validation.early_stop", "optimized"): (99, 100, 5, 0, 10, 54),
    ("image_validation.early_stop", "best"): (99, 100, 5, 0, 64, 0),
    ("image_validation.early_stop_clean", "baseline"): (100, 100, 0, 0, 67, 0),
    ("image_validation.early_stop_clean", "optimized"): (100, 100, 0, 0, 10, 57),
    ("image_validation.early_stop_clean", "best"): (100, 100, 0, 0, 67, 0),
    # Every odd position broken: the 6th is image 12 (position 11); of the 12
    # checked, one is missing; the 6 good ones before it give 4 warnings.
    ("image_validation.early_stop_half", "baseline"): (88, 100, 50, 0, 34, 0),
    ("image_validation.early_stop_half", "optimized"): (11, 12, 6, 44, 4, 30),
    ("image_validation.early_stop_half", "best"): (88, 100, 50, 0, 34, 0),
}


@pytest.mark.parametrize("claim_id, variant", sorted(EXACT_AT_100))
def test_exact_counters_at_100_images(claims, claim_id, variant):
    figures = counters(claims, claim_id, variant, 100)
    assert tuple(figures[name] for name in COUNTERS) == EXACT_AT_100[claim_id, variant]
    percent = PERCENT[claim_id]
    assert figures["images_checked"] == expected_checked(100, percent, variant)
    assert figures["image_files_opened"] == expected_opened(100, percent, variant)
    sample = make_sample(100, percent)
    assert figures["errors_reported"] + figures["errors_not_reported"] == sample.expected_errors
    assert (figures["warnings_reported"] + figures["warnings_not_reported"]
            == sample.expected_warnings)


@pytest.mark.parametrize("variant, opened, checked, errors, warnings", [
    ("baseline", 988, 1000, 50, 634), ("optimized", 110, 111, 6, 10),
    ("best", 988, 1000, 50, 634)])
def test_at_1000_images_5_percent_broken_the_stop_comes_at_image_111(claims, variant, opened,
                                                                     checked, errors, warnings):
    figures = counters(claims, "image_validation.early_stop", variant, 1000)
    assert figures["image_files_opened"] == opened == expected_opened(1000, 5, variant)
    assert figures["images_checked"] == checked == expected_checked(1000, 5, variant)
    assert figures["errors_reported"] == errors
    assert figures["errors_not_reported"] == 50 - errors
    assert figures["warnings_reported"] == warnings


def outputs(claim, size):
    data = claim.workload.make(size)
    return {v: claim.output(claim.case(v, size, data=data)) for v in claim.variant_names}


def test_the_early_stop_is_the_declared_change_and_best_reports_everything(claims):
    claim = claims["image_validation.early_stop_half"]
    out = outputs(claim, 100)
    base, mine = out["baseline"], out["optimized"]
    assert mine["errors"][:-1] == base["errors"][:6]
    assert mine["errors"][-1] == TRUNCATION_MARKER
    assert mine["warnings"] == base["warnings"][:4]
    assert mine["valid"] is base["valid"] is False
    judged = claim.equivalence.judge(base, mine)
    assert judged.startswith("declared change: stops after more than 5 errors")
    assert claim.equivalence.judge(base, out["best"]) is True


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
    claim = claims["image_validation.early_stop"]
    out = outputs(claim, 100)
    for variant, results in out.items():
        missing = [e for e in results["errors"] if "missing" in e.split(": ", 1)[0]]
        assert len(missing) == 1, variant
        assert missing[0].startswith("bad_000070_missing.jpg: cannot read image: "
                                     "FileNotFoundError"), missing[0]
        assert "'bad_000070_missing.jpg'" in missing[0]


@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_each_broken_kind_is_an_error_never_a_crash(tmp_path, variant):
    bad = write_bad_images(tmp_path)
    adapter = VARIANTS[variant]()
    for kind, path in bad.items():
        found = adapter.validator.validate_image(path)
        assert found["valid"] is False and len(found["errors"]) == 1, (kind, found)
        assert found["warnings"] == []
    reasons = {k: adapter.validator.validate_image(p)["errors"][0] for k, p in bad.items()}
    assert "UnidentifiedImageError" in reasons["empty"]
    assert "UnidentifiedImageError" in reasons["not_an_image"]
    assert "FileNotFoundError" in reasons["missing"] and str(bad["missing"]) in reasons["missing"]
    # Caught only because the validator decodes: the header opens fine.
    assert reasons["truncated"].startswith("cannot read image: OSError: image file is truncated")
    results = adapter.validate_images([bad[k] for k in ("empty", "truncated", "missing")])
    assert [e.split(": ", 1)[0] for e in results["errors"]] == [
        str(bad["empty"]), str(bad["truncated"]), str(bad["missing"])]


def test_the_snippet_announces_truncated_errors_even_when_none_were(tmp_path):
    """Exactly 6 errors: the report's code appends its "additional errors
    truncated" line though there was no 7th to truncate."""
    paths = [tmp_path / f"gone_{i}.jpg" for i in range(6)]
    results = optimized.ImageAdapter().validate_images(paths)
    assert len(results["errors"]) == 7 and results["errors"][-1] == TRUNCATION_MARKER
    assert len(VARIANTS["baseline"]().validate_images(paths)["errors"]) == 6


def test_best_checks_pngs_by_crc_and_still_catches_a_cut_or_changed_one(tmp_path):
    png = write_images(tmp_path, 6)[5]
    assert png.suffix == ".png"
    data = png.read_bytes()
    cut, changed = tmp_path / "cut.png", tmp_path / "changed.png"
    cut.write_bytes(data[:len(data) // 2])
    middle = len(data) // 2
    changed.write_bytes(data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1:])
    checker, decoder = best.ChecksumImageValidator(), validator.ImageValidator()
    for path in (cut, changed):
        assert checker.validate_image(path)["valid"] is False
        assert decoder.validate_image(path)["valid"] is False
    assert checker.validate_image(png) == decoder.validate_image(png)


def test_the_sample_is_written_into_each_cases_own_folder(claims):
    claim = claims["image_validation.early_stop"]
    case = prepare(claim, "baseline", 100)
    try:
        folder = case.workdir / FOLDER
        assert sorted(p.name for p in folder.iterdir()) == sorted(
            n for n in make_sample(100, 5).names if "missing" not in n)
        assert case.state.paths == write_sample(make_sample(100, 5), folder)
    finally:
        case.close()


def test_claimed_ranges_are_the_reports_figures(claims):
    assert (WITH_ERRORS.ratio_low, WITH_ERRORS.ratio_high) == (Fraction(1, 5), Fraction(2, 5))
    # §4's 15 s -> 8 s is 46.7% less time; "47% faster" is 0.53: both reach it.
    assert (AT_100.ratio_low, AT_100.ratio_high) == (Fraction(53, 100), Fraction(8, 15))
    assert (LARGE.ratio_low, LARGE.ratio_high) == (Fraction(17, 20), Fraction(9, 10))
    clean = claims["image_validation.early_stop_clean"]
    assert clean.claimed_at(100) == AT_100 and clean.claimed_at(1000) == LARGE
    for claim_id in ("image_validation.early_stop", "image_validation.early_stop_half"):
        assert claims[claim_id].claimed_at(100) == claims[claim_id].claimed_at(1000) == WITH_ERRORS


def test_the_engine_measures_a_broken_sample_without_an_error(claims):
    from optbench.core import engine, verdict
    claim = replace(claims["image_validation.early_stop_half"],
                    secondary=claims["image_validation.early_stop_half"].secondary[:2])
    entry = engine.measure_case(claim, 100, "cpu", engine.RunOptions(quick=True))
    assert entry["verdict"] not in (verdict.ERROR, verdict.NOT_MEASURABLE)
    assert entry["equivalent"].startswith("declared change")
    assert entry["equivalence"]["per_variant"]["best"] is True
    assert entry["secondary"]["images_checked"]["values"] == {
        "baseline": 100, "optimized": 12, "best": 100}
