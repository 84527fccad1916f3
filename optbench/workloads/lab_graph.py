"""Lab_Project's knowledge graph, seeded: the node and edge tables its
pretraining reads (data/processed/nodes.csv and edges.csv), generated with the
shape the real ones have (docs/sources/lab-project-code.md, "Data shape
facts"); no data of the repository is used.

* nodes: 12,842 rows, `node_id` 0..N-1 and five string columns: `entity`
  (a DBpedia resource URL), `short_name`, `summary` (an English-like
  abstract, sometimes missing), `thumbnail_url` and `image_path`
  (`images\\<name>.jpg` with the Windows separator the codebase writes;
  missing for about 1 node in 10, as 1,281 of 12,842 are).
* edges: 89,197 rows of `src_id`, `dst_id` (ints, all valid). Out-degrees
  are 1 + negative-binomial (mean 6.95, about 1 in 10 above 14; nodes
  0..12,005 are the sources, every one with an edge); in-degrees are heavy-tailed: the five hubs the real
  graph has (7,638, 2,651, 1,342, 1,148 and 961 in-edges: type-like nodes),
  a Pareto tail below them and a third of the nodes with none.

`node_table(nodes)` scales the same design down (hub in-degrees in
proportion) for smaller runs.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

SEED = 20261206
NODES = 12_842
EDGES = 89_197
SOURCE_NODES = 12_006            # src_id runs 0..12,005 in the real edge list
HUB_IN_DEGREES = (7_638, 2_651, 1_342, 1_148, 961)
# Fitted so the generated in-degrees have the real graph's median (2), p90
# (11) and nodes with none (4,312): a Pareto tail of exponent 1.3 over 70%
# of the non-hub nodes (sampling leaves a few of those at 0 too).
NO_IN_EDGES = 0.30
NO_IMAGE = 1_281 / NODES         # share of nodes without an image_path
# Thumbnails ~300 px wide in the codebase (Wikimedia ?width=300), a quarter here,
# as the scaled runs' images are (56 pixels for CLIP's 224): the opens do not
# depend on the pixels, the decode time does (stated where it matters).
THUMBNAIL_SIZES = ((75, 56), (75, 75), (75, 100))
NO_SUMMARY = 0.03                # missing abstracts (the real share is not known)
OUT_DEGREE_SHAPE = 3.0           # negative binomial r: p90 of out-degree ~14
IN_DEGREE_TAIL = 1.3

_SYLLABLES = ("ka", "lo", "mi", "ren", "to", "sa", "vel", "du", "ar", "ne", "shi", "po",
              "lin", "gor", "ba", "te", "ri", "um", "es", "don", "ca", "fu", "wen", "ix")
_COMMON = ("the", "of", "and", "in", "a", "is", "was", "to", "by", "for", "an", "as",
           "with", "from", "on", "its", "that", "at", "which", "known")


def _words(rng: np.random.Generator, count: int) -> list[str]:
    """`count` pseudo-words of 1-4 syllables."""
    lengths = rng.integers(1, 5, count)
    picks = rng.integers(0, len(_SYLLABLES), lengths.sum())
    out, at = [], 0
    for n in lengths:
        out.append("".join(_SYLLABLES[i] for i in picks[at:at + n]))
        at += n
    return out


def _summary(rng: np.random.Generator, vocabulary: list[str], name: str) -> str:
    """An abstract: the name, then a lognormal number of words (median ~60),
    a common word about every third, sentences of 8-20 words."""
    length = int(np.clip(rng.lognormal(np.log(60), 0.6), 2, 400))
    rare = rng.integers(0, len(vocabulary), length)
    common = rng.integers(0, len(_COMMON), length)
    is_common = rng.random(length) < 0.35
    words = [_COMMON[c] if k else vocabulary[r] for r, c, k in zip(rare, common, is_common)]
    text, sentence = [name], 0
    for w in words:
        sentence += 1
        text.append(w + ("." if sentence >= 8 and rng.random() < 0.1 else ""))
        sentence = 0 if text[-1].endswith(".") else sentence
    return " ".join(text) + "."


def node_table(nodes: int = NODES, seed: int = SEED) -> pd.DataFrame:
    """nodes.csv as pandas reads it: node_id and the five string columns."""
    rng = np.random.default_rng(seed)
    vocabulary = _words(rng, 5_000)
    names = [w.capitalize() + ("_" + v.capitalize() if rng.random() < 0.4 else "")
             for w, v in zip(_words(rng, nodes), _words(rng, nodes))]
    names = [f"{n}_{i}" for i, n in enumerate(names)]   # entities are unique
    image = rng.random(nodes) >= NO_IMAGE
    summary = rng.random(nodes) >= NO_SUMMARY
    return pd.DataFrame({
        "entity": [f"http://dbpedia.org/resource/{n}" for n in names],
        "short_name": [n.split("_")[0] for n in names],
        "summary": [_summary(rng, vocabulary, n.replace("_", " ")) if s else np.nan
                    for n, s in zip(names, summary)],
        "thumbnail_url": [f"http://commons.wikimedia.org/wiki/Special:FilePath/{n}.jpg"
                          f"?width=300" if i else np.nan for n, i in zip(names, image)],
        "image_path": [f"images\\{n}.jpg" if i else np.nan for n, i in zip(names, image)],
        "node_id": np.arange(nodes, dtype=np.int64),
    })


def edge_table(nodes: int = NODES, seed: int = SEED) -> pd.DataFrame:
    """edges.csv's two columns the codebase reads, src_id and dst_id, with
    EDGES / NODES edges a node, in a shuffled row order."""
    rng = np.random.default_rng(seed + 1)
    edges = round(EDGES * nodes / NODES)
    sources = max(round(SOURCE_NODES * nodes / NODES), 1)
    extra = edges / sources - 1
    out_degree = 1 + rng.negative_binomial(OUT_DEGREE_SHAPE,
                                           OUT_DEGREE_SHAPE / (OUT_DEGREE_SHAPE + extra), sources)
    out_degree = _to_total(out_degree, edges, rng, floor=1)
    src = np.repeat(np.arange(sources, dtype=np.int64), out_degree)

    # In-degree weights: the hubs in proportion, a Pareto tail, a third none.
    weights = np.zeros(nodes)
    order = rng.permutation(nodes)
    hubs = [max(round(h * nodes / NODES), 1) for h in HUB_IN_DEGREES][:nodes]
    weights[order[:len(hubs)]] = hubs
    rest = order[len(hubs):]
    pointed_to = rest[rng.random(len(rest)) >= NO_IN_EDGES]
    tail = np.floor(rng.random(len(pointed_to)) ** (-1 / IN_DEGREE_TAIL))
    tail = np.minimum(tail, hubs[-1])                      # no tail node above the hubs
    weights[pointed_to] = tail * (edges - sum(hubs)) / tail.sum()
    dst = rng.choice(nodes, size=edges, p=weights / weights.sum())
    rows = rng.permutation(edges)
    return pd.DataFrame({"src_id": src[rows], "dst_id": dst.astype(np.int64)[rows]})


def _to_total(degrees: np.ndarray, total: int, rng: np.random.Generator,
              floor: int = 0) -> np.ndarray:
    """`degrees` moved to sum to `total` one edge at a time at random nodes
    (never below `floor`): the draw's shape, the real count."""
    degrees = degrees.copy()
    while (gap := total - int(degrees.sum())) != 0:
        at = rng.integers(0, len(degrees), abs(gap))
        if gap > 0:
            np.add.at(degrees, at, 1)
        else:
            at = at[degrees[at] > floor]
            np.subtract.at(degrees, np.unique(at), 1)
    return degrees


def graph(nodes: int = NODES, seed: int = SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(nodes, edges) as the pretraining script loads them."""
    return node_table(nodes, seed), edge_table(nodes, seed)
