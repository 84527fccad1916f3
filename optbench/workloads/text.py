"""Log messages and strings, seeded."""
from __future__ import annotations

import numpy as np

SEED = 20261123


def log_messages(count: int, seed: int = SEED) -> list[tuple[str, dict]]:
    """Training-loop log lines: a message and the fields a caller passes."""
    rng = np.random.default_rng(seed)
    losses = rng.random(count) * 4
    return [(f"epoch {i // 100} step {i % 100} loss {losses[i]:.4f}",
             {"lr": round(1e-3 * (1 - i / max(count, 1)), 6), "seq": i})
            for i in range(count)]


_GENES = ("CYP2D6", "CYP2C19", "CYP2C9", "VKORC1", "SLCO1B1", "TPMT", "DPYD", "UGT1A1")
_DRUGS = ("warfarin sodium", "clopidogrel", "codeine", "simvastatin", "fluorouracil",
          "tacrolimus", "abacavir", "mercaptopurine")


def genotype_strings(count: int, seed: int = SEED) -> list[str]:
    """Genotype/drug strings like "CYP2D6*1 / *4, warfarin sodium 5.0-mg"."""
    rng = np.random.default_rng(seed)
    g = rng.integers(0, len(_GENES), count)
    d = rng.integers(0, len(_DRUGS), count)
    a, b = rng.integers(1, 18, count), rng.integers(1, 18, count)
    dose = rng.integers(1, 100, count)
    return [f"{_GENES[g[i]]}*{a[i]} / *{b[i]}, {_DRUGS[d[i]]} {dose[i]}.0-mg"
            for i in range(count)]


# Curated annotations on a share of the rows, spelled as they are in the
# wild: gene and allele names holding regex metacharacters, and "BRCA1/2"
# (the two-gene panel), which the regex "BRCA1.2" also matches.
ANNOTATIONS = ("BRCA1.2 carrier", "BRCA1/2 panel", "variant*3", "CYP2D6(*4) duplication")
ANNOTATED_SHARE = 0.1


def annotated_genotype_strings(count: int, seed: int = SEED) -> list[str]:
    """genotype_strings with an annotation on a tenth of the rows
    ("..., BRCA1/2 panel"); the rows themselves are genotype_strings'."""
    rows = genotype_strings(count, seed)
    rng = np.random.default_rng(seed + 1)
    notes = np.where(rng.random(count) < ANNOTATED_SHARE,
                     rng.integers(0, len(ANNOTATIONS), count), -1)
    return [row + (f", {ANNOTATIONS[n]}" if n >= 0 else "") for row, n in zip(rows, notes)]
