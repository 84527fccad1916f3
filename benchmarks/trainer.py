"""asv suites for the trainer component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

TrainerValAccumulate = _suite("trainer.val_accumulate")
TrainerValAccumulateConvnet = _suite("trainer.val_accumulate_convnet")
