"""A pharmagen-like model for the pharmagen report (pgen_model/src/model.py).

The report names the project (pharmacogenomics: how a patient's gene
variants change a drug's effect) and changes only its training, not the
model ("Zero impact on model architecture"); its model is not shown. What is
modelled: the plainest network for that data, an embedding per categorical
field (drug, gene, variant allele), concatenated, through a two-layer MLP to
two heads: the effect class (4: none, decreased, increased, toxicity) and
whether the association is significant (2). Matmul-heavy, as such models
are, which is where AMP and TF32 act.
"""
from __future__ import annotations

import torch
from torch import nn

FIELDS = {"drug": 500, "gene": 1000, "allele": 4000}
EMBEDDING = 64
HIDDEN = (512, 256)
HEADS = {"effect": 4, "significant": 2}


class PharmagenModel(nn.Module):
    def __init__(self, fields: dict[str, int] = FIELDS, embedding: int = EMBEDDING,
                 hidden: tuple[int, ...] = HIDDEN, heads: dict[str, int] = HEADS):
        super().__init__()
        self.embeddings = nn.ModuleDict({f: nn.Embedding(n, embedding) for f, n in fields.items()})
        layers, width = [], embedding * len(fields)
        for out in hidden:
            layers += [nn.Linear(width, out), nn.ReLU()]
            width = out
        self.body = nn.Sequential(*layers)
        self.heads = nn.ModuleDict({h: nn.Linear(width, n) for h, n in heads.items()})

    def forward(self, ids: torch.Tensor) -> dict[str, torch.Tensor]:
        """ids: (batch, fields), one column per field in FIELDS order."""
        features = torch.cat([emb(ids[:, i]) for i, emb in enumerate(self.embeddings.values())],
                             dim=1)
        body = self.body(features)
        return {h: head(body) for h, head in self.heads.items()}


def pharmagen_loss(outputs: dict[str, torch.Tensor], targets: torch.Tensor) -> torch.Tensor:
    """The heads' cross-entropies summed; targets (batch, heads) in HEADS order."""
    return sum(nn.functional.cross_entropy(outputs[h].float(), targets[:, i])
               for i, h in enumerate(HEADS))


def pharmagen_batches(count: int, batch: int, seed: int = 0) -> list[tuple[torch.Tensor, ...]]:
    """`count` seeded batches of (ids, targets). The targets are a fixed
    function of the ids: the effect class is the drug's, significance the
    gene's (a learnable rule, so the loss can fall)."""
    g = torch.Generator().manual_seed(seed)
    effects = {f: torch.randint(0, 4, (n,), generator=g) for f, n in FIELDS.items()}
    batches = []
    for _ in range(count):
        ids = torch.stack([torch.randint(0, n, (batch,), generator=g) for n in FIELDS.values()],
                          dim=1)
        targets = torch.stack([effects["drug"][ids[:, 0]], (effects["gene"][ids[:, 1]] >= 2).long()],
                              dim=1)
        batches.append((ids, targets))
    return batches
