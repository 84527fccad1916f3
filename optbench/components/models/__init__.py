"""The models the reports train, seeded and small enough for a CPU.

So far the tabular MLP of the training-system report (its "Tabular Model
(Iris dataset, CPU)", tabular.py) and the video-pipeline codebase's
VariableARVideoModel (an Inception-style 3-D CNN, as at Horopter/AURA
5332a68b and 70877759) with its model factory (video.py, factory.py), the
Lab_Project's cross-attention fusion model (fusion.py), the image model
(image.py) and the pharmagen-like model (pharmagen.py) the AMP trainer steps.

Claims on them: models.variable_ar (the factory before and after the
model was registered; claims.py) and fusion.masked_pool_clamp (the fusion
model's pooling clamp; claims_fusion.py).
"""
from optbench.core.claim import pick_claim_variant

from . import factory, fusion

# models.variable_ar: each variant is create_model(model_type, **kwargs).
VARIABLE_AR_FACTORIES = {"baseline": factory.create_model_before,
                         "optimized": factory.create_model_after}

# fusion.masked_pool_clamp: each variant is pool(x, mask) inside the fusion model.
MASKED_POOL_VARIANTS = {"baseline": fusion.pool_before, "optimized": fusion.pool_after,
                        "best": fusion.pool_exact}


_BY_CLAIM = {"variable_ar": VARIABLE_AR_FACTORIES, "masked_pool_clamp": MASKED_POOL_VARIANTS}


def get(variant: str, claim: str = "variable_ar"):
    return pick_claim_variant(_BY_CLAIM, claim, variant, "models")
