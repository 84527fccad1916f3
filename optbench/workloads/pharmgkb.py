"""Pharmagen's training table, seeded: a PharmGKB-like variant-annotation
table with the columns, separators and label shapes its pipeline reads
(pgen_model/train_data/final_test_genalle.tsv; docs/sources/pharmagen.md,
"The data"). No data of the repository is used: its file is not readable
from the stored history, so its row count and cardinalities are not known;
the ones here are stated as this generator's own.

Columns, as the file's header names them (the pipeline lower-cases them):
  ATC               a drug's ATC code (7 characters), one per drug
  Drug              a drug name (one or two words)
  Variant/Haplotypes  an rsID or a star allele (read by no model)
  Genalle           gene and allele together ("GENE*4", "GENE rs123 AG")
  Gene              a gene symbol
  Allele            a genotype or star allele ("AG", "*1/*4", "del/del")
  Phenotype_outcome the multi-label target: one to three of six outcome
                    categories joined by ", " or ";" (with spaces inside
                    some: "Metabolism/PK", "Other Outcome")
  Effect_direction  a single-label target (5 values)
  Effect_type       a single-label target: 30 values with a long tail (the
                    pipeline groups those under 20 rows as "Other_Grouped")
  Effect_phenotype  a phenotype in words ("risk of Kelinor toxicity")

Frequencies are Zipf-like (a few drugs and genes in many rows), as
annotation tables are. Every value is drawn from pseudo-words; no cell is
empty (`with_missing` leaves some Phenotype_outcome cells empty, the case
the before code cannot load).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261207
COLUMNS = ("ATC", "Drug", "Variant/Haplotypes", "Genalle", "Gene", "Allele",
           "Phenotype_outcome", "Effect_direction", "Effect_type", "Effect_phenotype")
OUTCOMES = ("Efficacy", "Toxicity", "Dosage", "Metabolism/PK", "Other Outcome", "PD")
DIRECTIONS = ("Increased", "Decreased", "Not associated", "Associated with", "Unclear")
EFFECT_TYPES = 30
GENOTYPES = ("AA", "AG", "GG", "CC", "CT", "TT", "AC", "GT", "del/del", "del/ins", "ins/ins",
             "*1/*1", "*1/*2", "*1/*3", "*1/*4", "*2/*2", "*2/*3", "*4/*4", "*1/*17", "*3/*3")
# Distinct values per row: this generator's choice for a table of a few
# thousand annotations (drugs and genes repeat, gene-allele pairs less).
DRUGS_PER_ROW, GENES_PER_ROW, PHENOTYPES_PER_ROW = 1 / 8, 1 / 15, 1 / 5

_SYLLABLES = ("ka", "lo", "mi", "ren", "to", "sa", "vel", "du", "ar", "ne", "pho", "zin",
              "lin", "gor", "ba", "te", "ri", "um", "ex", "don", "ca", "fu", "wen", "ol")
_PHENOTYPE_WORDS = ("risk of", "response to", "dose of", "toxicity", "clearance of",
                    "concentrations of", "severity of", "likelihood of", "metabolism of")


def _names(rng: np.random.Generator, count: int, syllables=(2, 4), capital=True) -> list[str]:
    """`count` distinct made-up words of syllables[0] to syllables[1] - 1
    syllables, longer words allowed where those few could not hold twice
    `count` (1-2 syllables make 600 words: 10,000 rows' 1,250 drug names
    drew forever)."""
    low, high = syllables
    while sum(len(_SYLLABLES) ** k for k in range(low, high)) < 2 * count:
        high += 1
    syllables = (low, high)
    seen, out = set(), []
    while len(out) < count:
        word = "".join(rng.choice(_SYLLABLES, rng.integers(*syllables)))
        word = word.capitalize() if capital else word
        if word not in seen:
            seen.add(word)
            out.append(word)
    return out


def _zipf(rng: np.random.Generator, values: int, rows: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, values + 1) ** exponent
    return rng.choice(values, size=rows, p=weights / weights.sum())


def table(rows: int, seed: int = SEED, with_missing: float = 0.0) -> pd.DataFrame:
    """`rows` annotations with the file's columns."""
    rng = np.random.default_rng(seed)
    n_drugs = max(8, round(rows * DRUGS_PER_ROW))
    n_genes = max(6, round(rows * GENES_PER_ROW))
    drugs = [n if rng.random() < 0.8 else f"{n} {w.lower()}"
             for n, w in zip(_names(rng, n_drugs), _names(rng, n_drugs, (1, 3)))]
    atc = [f"{rng.choice(list('ABCDGHJLMNPRSV'))}{rng.integers(1, 99):02d}"
           f"{''.join(rng.choice(list('ABCDEFGHX'), 2))}{rng.integers(1, 99):02d}"
           for _ in range(n_drugs)]
    genes = [f"{g.upper()[:5]}{rng.integers(1, 20)}" for g in _names(rng, n_genes, (2, 3))]
    drug = _zipf(rng, n_drugs, rows)
    gene = _zipf(rng, n_genes, rows)
    allele = rng.choice(len(GENOTYPES), rows)
    rsid = rng.integers(10_000, 80_000_000, rows)
    star = rng.random(rows) < 0.4
    variant = np.where(star, [f"{genes[g]}*{rng.integers(2, 40)}" for g in gene],
                       [f"rs{r}" for r in rsid])
    genalle = [f"{genes[g]} {v} {GENOTYPES[a]}" if not s else f"{v}"
               for g, v, a, s in zip(gene, variant, allele, star)]
    outcomes = []
    for _ in range(rows):
        picked = rng.choice(len(OUTCOMES), rng.choice([1, 2, 3], p=[0.7, 0.25, 0.05]),
                            replace=False)
        sep = ", " if rng.random() < 0.8 else ";"
        outcomes.append(sep.join(OUTCOMES[i] for i in sorted(picked)))
    effect_types = [f"{w} {n.lower()}" for w, n in
                    zip(rng.choice(_PHENOTYPE_WORDS, EFFECT_TYPES), _names(rng, EFFECT_TYPES))]
    effect_type = _zipf(rng, EFFECT_TYPES, rows, exponent=1.4)
    phenotypes = [f"{rng.choice(_PHENOTYPE_WORDS)} {n}" for n in
                  _names(rng, max(5, round(rows * PHENOTYPES_PER_ROW)))]
    frame = pd.DataFrame({
        "ATC": [atc[d] for d in drug],
        "Drug": [drugs[d] for d in drug],
        "Variant/Haplotypes": variant,
        "Genalle": genalle,
        "Gene": [genes[g] for g in gene],
        "Allele": [GENOTYPES[a] for a in allele],
        "Phenotype_outcome": outcomes,
        "Effect_direction": rng.choice(DIRECTIONS, rows, p=[0.35, 0.3, 0.2, 0.1, 0.05]),
        "Effect_type": [effect_types[e] for e in effect_type],
        "Effect_phenotype": [phenotypes[p] for p in _zipf(rng, len(phenotypes), rows)],
    }, columns=list(COLUMNS))
    if with_missing:
        frame["Phenotype_outcome"] = frame["Phenotype_outcome"].astype(object)
        frame.loc[rng.random(rows) < with_missing, "Phenotype_outcome"] = None
    return frame


def scratch_tsv(rows: int, with_missing: float = 0.0) -> Path:
    """The table written as the codebase names it, in a scratch folder of its
    own (removed at exit): what every claim on it reads."""
    from optbench.core.claim import scratch_folder

    return write_tsv(scratch_folder("optbench-pharmagen-") / "final_test_genalle.tsv", rows,
                     with_missing=with_missing)


def write_tsv(path: Path, rows: int, seed: int = SEED, with_missing: float = 0.0) -> Path:
    """The table as the tab-separated file the pipeline reads."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    table(rows, seed, with_missing).to_csv(path, sep="\t", index=False)
    return path
