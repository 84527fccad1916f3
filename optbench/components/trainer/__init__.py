"""Training-loop pieces, each claim's variants side by side:

  validation loop (val_*.py; trainer.val_accumulate*): per-batch host copies
      vs one torch.cat at the end vs preallocated outputs (training-system
      report §1.1); claims.py
  training step (steps.py; trainer.amp*_whatif, trainer.nonblocking_*,
      trainer.cudnn_benchmark, trainer.tf32): one step whose switches are the
      reports' changes, each variant a `Settings`; claims_step.py. Lab_Project's
      own step (trainer.nonblocking_set_to_none) is lab_project/pipeline.py's
      train_step, each variant a `StepChanges`; Pharmagen's (trainer.amp) is
      pharmagen/pipeline.py's, each variant its `StepChanges`
  tabular_fit.py: the plain fit loop callbacks.* trains through
"""
from optbench.components.lab_project.pipeline import StepChanges
from optbench.components.pharmagen import pipeline as pharmagen
from optbench.core.claim import pick_variant

from . import val_baseline, val_best, val_optimized
from .steps import Settings

VALIDATE_VARIANTS = {"baseline": val_baseline.validate, "optimized": val_optimized.validate,
                     "best": val_best.validate}


def get_validate(variant: str):
    return pick_variant(VALIDATE_VARIANTS, variant, "trainer validation")


# trainer.amp: Pharmagen's own step, 4a1e100f -> 3cd3227b (autocast and a GradScaler
# where torch.cuda.is_available()).
PHARMAGEN_AMP_VARIANTS = {"baseline": pharmagen.StepChanges(),
                          "optimized": pharmagen.StepChanges(amp=True)}
# What-ifs (trainer.amp_*whatif): float32, autocast on every device (bfloat16 on the
# CPU), autocast only where it is fast.
AMP_VARIANTS = {"baseline": Settings(), "optimized": Settings(amp=True),
                "best": Settings(amp="auto")}
# trainer.nonblocking_set_to_none: Lab_Project's own step, b05ebe4 -> 18601bf (the
# commit both reports describe; 8329e91 moves zero_grad back to the top).
CODEBASE_STEP_VARIANTS = {"baseline": StepChanges(),
                          "optimized": StepChanges(non_blocking=True,
                                                   set_to_none="before_backward")}
# What-ifs on optbench's fusion model: .to(device) + zero_grad() -> non_blocking=True +
# set_to_none=True, no read of the loss in the step.
NONBLOCKING_VARIANTS = {"baseline": Settings(),
                        "optimized": Settings(non_blocking=True, set_to_none=True)}
# trainer.cudnn_benchmark and trainer.tf32: one backend flag each.
CUDNN_BENCHMARK_VARIANTS = {"baseline": Settings(), "optimized": Settings(cudnn_benchmark=True)}
TF32_VARIANTS = {"baseline": Settings(), "optimized": Settings(tf32=True)}
