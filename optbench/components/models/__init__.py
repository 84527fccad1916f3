"""The models the reports train, seeded and small enough for a CPU.

So far the tabular MLP of the training-system report (its "Tabular Model
(Iris dataset, CPU)", tabular.py) and the video-pipeline report's
VariableARVideoModel with the model factory (video.py, factory.py); the
fusion, image and pharmagen models join them with the AMP trainer.

One claim reads them: models.variable_ar (the factory before and after the
model was registered).
"""
from optbench.core.claim import pick_variant

from . import factory

# models.variable_ar: each variant is create_model(model_type, **kwargs).
VARIABLE_AR_FACTORIES = {"baseline": factory.create_model_before,
                         "optimized": factory.create_model_after}


def get_factory(variant: str):
    return pick_variant(VARIABLE_AR_FACTORIES, variant, "models")
