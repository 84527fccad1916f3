"""image_validation.early_stop*: the training-system report §1.2's image
validation that "stops early on errors".

Read against model_train's ImageAdapter.validate (6b13c54 before, fadd6ab
after, unchanged to 29be98f) and the SchemaValidator it calls
(validator.py). The early stop can only save the images it no longer
checks: those after the 6th error of the sample.

- early_stop: the codebase's own run. train.py's vision path validates a
  random sample of 10 of data/sample/images (30 JPEGs) against
  configs/schemas/image_schema.json. The validator misreads that JSON-Schema
  file (validator.py) and every image is an error, so the after code stops
  at the 6th image of the 10: this is the claim's verdict.
- The what-ifs, validate(sample_size=None) on 100 and 1,000 images (the
  report's "Image validation (100 images)") with a schema the validator can
  read (SPEC_SCHEMA; the codebase ships none) and 5%, 50% or 0% broken
  files: early_stop_whatif, early_stop_half, early_stop_clean. No run of the
  codebase validates these; each claim's notes say so.

Every variant validates its own copy of the same files, in its case's work
folder. Timings are of files in the page cache (just written): the report's
15 s for 100 images (150 ms an image) is far from the ~40 us an image that
opening a header costs; neither changes which images the early stop skips.
"""
from __future__ import annotations

import operator
import os
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np

from optbench.core.claim import Case, Claim, Claimed, Equivalence, Metric, Workload
from optbench.core.measure import count_calls, count_file_io

from . import VARIANTS
from .optimized import STOP_AFTER, TRUNCATION_MARKER, WARNINGS_KEPT
from .sample import (CLASS_COLOURS, FOLDER, ClassFolder, class_folder, make_sample,
                     write_class_folder, write_sample)
from .validator import SHIPPED_SCHEMA, SPEC_SCHEMA

# train.py's vision path: adapter.validate(sample_size=10).
DEFAULT_SAMPLE = 10
# data/sample/images: 3 class folders of 10 JPEGs.
CODEBASE_FOLDER = 30
# The sample's draw (numpy's global generator in the codebase, unseeded there).
SAMPLE_SEED = 42


@dataclass
class ValidationState:
    case: Case
    adapter: object
    folder: Path
    sample_size: int | None
    rng_state: tuple
    # One counted run's results and counts, and the baseline's complete
    # results on the same files, shared by the exact counters.
    counted: dict | None = None
    complete: dict | None = None


def _adapter(implementation, case: Case, folder: Path):
    """An adapter over the case's files, as its claim's run sets it up."""
    rng = np.random.RandomState(SAMPLE_SEED)
    if isinstance(case.data, ClassFolder):
        adapter = implementation(write_class_folder(case.data, folder), schema=SHIPPED_SCHEMA,
                                 rng=rng)
        adapter.load()
        return adapter, DEFAULT_SAMPLE
    adapter = implementation(folder, schema=SPEC_SCHEMA, rng=rng)
    adapter.image_paths = write_sample(case.data, folder)
    return adapter, None


def _setup(case: Case) -> ValidationState:
    folder = case.workdir / FOLDER
    adapter, sample_size = _adapter(case.implementation, case, folder)
    return ValidationState(case, adapter, folder, sample_size, adapter.rng.get_state())


def _validate(state: ValidationState) -> dict:
    """One validate() call, the sample drawn from the same generator state
    every time (both variants check the same images)."""
    state.adapter.rng.set_state(state.rng_state)
    return state.adapter.validate(state.sample_size)


def _counted_run(state: ValidationState) -> dict:
    """One validate() call with its file opens (optbench's counting open()
    on the sample folder) and PIL.Image.open calls counted."""
    if state.counted is None:
        from PIL import Image

        with count_file_io(state.folder) as files, count_calls(Image, "open") as pil_opens:
            results = _validate(state)
        state.counted = {"results": results, "files_opened": files.opens,
                         "images_checked": pil_opens[0]}
    return state.counted


def _complete(state: ValidationState) -> dict:
    """The before code's results on the same files and sample: every error
    and warning the sample gives."""
    if state.complete is None:
        adapter = VARIANTS["baseline"](state.folder, schema=state.adapter.validator.schema,
                                       rng=np.random.RandomState(SAMPLE_SEED))
        adapter.image_paths = state.adapter.image_paths
        adapter.rng.set_state(state.rng_state)
        state.complete = adapter.validate(state.sample_size)
    return state.complete


def _files_named(messages: list[str]) -> set[str]:
    """The files that messages ("<name>: <what>") name; the marker names none."""
    return {m.split(": ", 1)[0] for m in messages if m != TRUNCATION_MARKER}


def _files_opened(state: ValidationState) -> int:
    return _counted_run(state)["files_opened"]


def _images_checked(state: ValidationState) -> int:
    return _counted_run(state)["images_checked"]


def _validated_count(state: ValidationState) -> int:
    return _counted_run(state)["results"]["validated_count"]


def _errors_reported(state: ValidationState) -> int:
    return len(_files_named(_counted_run(state)["results"]["errors"])
               & _files_named(_complete(state)["errors"]))


def _errors_not_reported(state: ValidationState) -> int:
    return len(_files_named(_complete(state)["errors"])) - _errors_reported(state)


def _warnings_reported(state: ValidationState) -> int:
    return len(_counted_run(state)["results"]["warnings"])


def _warnings_not_reported(state: ValidationState) -> int:
    return len(_complete(state)["warnings"]) - _warnings_reported(state)


def _output(case: Case) -> dict:
    """validate()'s results, with the case's own folder taken out of the
    messages: each starts with a file name, but Pillow's and the operating
    system's messages quote the full path, and each variant validates its
    own copy of the files."""
    folder = case.workdir / FOLDER
    adapter, sample_size = _adapter(case.implementation, case, folder)
    results = adapter.validate(sample_size)
    prefix = str(folder) + os.sep
    return {key: [m.replace(prefix, "") for m in value] if isinstance(value, list) else value
            for key, value in results.items()}


def _only_the_declared_truncation(baseline: dict, other: dict) -> bool:
    """Whether `other` differs from `baseline` only as the report declares:
    its errors are the baseline's first 6 or more then the truncation line
    (or all of them, unstopped), its warnings the baseline's first ones, at
    most 10 (the first 10 exactly when it did not stop); every other field
    the same. A wrong or reordered error, a warning the baseline lacks, or
    any other difference is not."""
    if set(baseline) != set(other):
        return False
    if any(baseline[k] != other[k] for k in baseline if k not in ("errors", "warnings")):
        return False
    errors, mine = baseline["errors"], other["errors"]
    stopped = bool(mine) and mine[-1] == TRUNCATION_MARKER
    if stopped:
        kept = mine[:-1]
        if len(kept) <= STOP_AFTER or kept != errors[:len(kept)]:
            return False
    elif mine != errors:
        return False
    warnings, kept_warnings = baseline["warnings"], other["warnings"]
    if len(kept_warnings) > WARNINGS_KEPT or kept_warnings != warnings[:len(kept_warnings)]:
        return False
    return stopped or kept_warnings == warnings[:WARNINGS_KEPT]


EQUIVALENCE = Equivalence(
    "the same results: errors and warnings in the same order, each naming its file, "
    "the same valid flag and counts",
    operator.eq,
    declared_change="stops after more than 5 errors, adding \"... (additional errors "
                    "truncated)\", and keeps at most 10 warnings",
    only_declared=_only_the_declared_truncation)

# Training-system report §1.2: "Validation with errors: **60-80% faster**"; "Early stopping
# on critical errors", "Faster failure detection".
WITH_ERRORS = Claimed.percent_less(60, 80, text="validation with errors: 60-80% faster")
# Training-system report §4's table: "Image validation (100 images) | 15s | 8s | **47%
# faster**". 8/15 is 46.7% less time: the range spans both.
AT_100 = Claimed.spanning(
    Claimed.percent_less(47, text="47% faster"),
    Claimed.before_after(15, 8, text="15 s -> 8 s"),
    text="image validation (100 images): 15 s -> 8 s, 47% faster")
# Training-system report §1.2: "Large image datasets: **10-15% faster** overall".
LARGE = Claimed.percent_less(10, 15, text="large image datasets: 10-15% faster overall")

WHAT_IF_SIZES = (100, 1000)
WHAT_IF_QUICK = (100,)

VALIDATION_TIME = Metric(
    "validation_time", "time", "s", _validate,
    "one validate() call (draw the sample, open each image it checks and read its "
    "header, check it against the schema), files in the page cache")
SECONDARY = (
    Metric("image_files_opened", "counter", "files", _files_opened,
           "files opened (open(2) that succeeded; a missing file is not opened), counted "
           "by optbench's counting open()"),
    Metric("images_checked", "counter", "Image.open calls", _images_checked,
           "PIL.Image.open calls, one per image checked (a missing file included)"),
    Metric("validated_count_reported", "counter", "images", _validated_count,
           "the results' 'validated_count': the sample's size, also after an early stop"),
    Metric("errors_reported", "counter", "files", _errors_reported,
           "files with an error in the before code's results that the errors name"),
    Metric("errors_not_reported", "counter", "files", _errors_not_reported,
           "files with an error in the before code's results that no error names: what "
           "the user no longer sees"),
    Metric("warnings_reported", "counter", "warnings", _warnings_reported,
           "warnings in the results"),
    Metric("warnings_not_reported", "counter", "warnings", _warnings_not_reported,
           "warnings of the before code's results that these results do not hold"),
)
TITLE = "Image validation that stops after more than 5 errors and keeps 10 warnings"
KINDS = "empty, truncated JPEG, HTML saved as .jpg, missing, in turn"
FOLLOWS = ("Baseline follows ImageAdapter.validate at 6b13c54, optimized at fadd6ab "
           "(unchanged to 29be98f), both around the codebase's SchemaValidator, which opens "
           "each image (its header only) and checks it against the schema; both were "
           "checked equal to the committed code's results on every workload here. ")
WHAT_IF = ("what-if: validate(sample_size=None) on 100 and 1,000 images with a schema the "
           "validator can read; the codebase ships none and validates a sample of 10 of 30 "
           "images (image_validation.early_stop holds its own run). ")


def _whatif(claim_id: str, percent: int, claimed, title: str, notes: str,
            revision: int) -> Claim:
    return Claim(
        id=claim_id,
        source="training-system report §1.2, §4",
        component="image_validation",
        title=title,
        claimed=claimed,
        variants=VARIANTS,
        workload=Workload(f"what-if: every image of a sample, {percent}% broken ({KINDS}), "
                          f"spread evenly; JPEG and PNG, 64x64 to 256x256",
                          partial(make_sample, percent=percent), sizes=WHAT_IF_SIZES,
                          quick_sizes=WHAT_IF_QUICK, size_unit="images"),
        setup=_setup,
        primary=VALIDATION_TIME,
        secondary=SECONDARY,
        output=_output,
        equivalence=EQUIVALENCE,
        headline_size=100,
        notes=WHAT_IF + FOLLOWS + notes,
        revision=revision,
    )


CLAIM = Claim(
    id="image_validation.early_stop",
    source="training-system report §1.2",
    component="image_validation",
    title=TITLE + ", on the codebase's own run (10 of its 30 images)",
    claimed=WITH_ERRORS,
    variants=VARIANTS,
    workload=Workload(f"data/sample/images ({len(CLASS_COLOURS)} class folders of 10 64x64 "
                      f"JPEGs), validate() with its default sample of {DEFAULT_SAMPLE} "
                      f"against the shipped image_schema.json",
                      lambda size: class_folder(size // len(CLASS_COLOURS)),
                      sizes=(CODEBASE_FOLDER,), quick_sizes=(CODEBASE_FOLDER,),
                      size_unit="images in the folder"),
    setup=_setup,
    primary=VALIDATION_TIME,
    secondary=SECONDARY,
    output=_output,
    equivalence=EQUIVALENCE,
    headline_size=CODEBASE_FOLDER,
    revision=3,
    notes=FOLLOWS + "train.py's vision path validates 10 images drawn from its 30. The shipped "
          "schema is a JSON-Schema document the validator reads as a spec: comparing an "
          "image's width with {'type': 'integer'} raises TypeError, so every image is an "
          "error (and gets a format warning first). The before code reports 10 errors and "
          "10 warnings; the after code stops at the 6th image: 6 errors and the marker, 5 "
          "warnings, 'validated_count' still 10. The stop fires on every default run, "
          "because of that bug, not because of broken files; train.py logs the errors and "
          "trains on. Revision 2 read 5% broken files with a decoding validator at 10, 100 "
          "and 1,000 images; 100 and 1,000 are now image_validation.early_stop_whatif.",
)
WHATIF_CLAIM = _whatif(
    "image_validation.early_stop_whatif", 5, WITH_ERRORS, TITLE + ", on a sample with 5% broken",
    "The codebase's validator only opens each file, so the truncated JPEG (one broken file "
    "in four) is no error: 5% of 100 is 5 broken files, 4 errors, no stop; only the "
    "warnings are cut. 5% of 1,000 is 50 broken files: the 6th error is at image 151. "
    "Revision 2's 100 and 1,000 images of image_validation.early_stop, with the "
    "codebase's validator instead of a decoding one.", revision=1)
HALF_CLAIM = _whatif(
    "image_validation.early_stop_half", 50, WITH_ERRORS, TITLE + ", on a sample with 50% broken",
    "Every other file is broken, three in four of them errors: the 6th error is at image "
    "16, whatever the sample's size; the rest, broken or not, is never looked at. "
    "Revision 3: the codebase's validator (was a decoding one, the stop at image 12), no "
    "entry at 10 images.", revision=3)
CLEAN_CLAIM = _whatif(
    "image_validation.early_stop_clean", 0, {100: AT_100, 1000: LARGE},
    TITLE + ", on a sample with no broken file",
    "No error: nothing stops, every image is validated as before; only the warnings are "
    "cut to 10. The report's figures that name no errors are read here: §4's table at "
    "100 images, \"large image datasets\" at 1,000. Revision 2: the codebase's validator "
    "(was a decoding one).", revision=2)

CLAIMS = [CLAIM, WHATIF_CLAIM, CLEAN_CLAIM, HALF_CLAIM]
