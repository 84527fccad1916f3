"""asv suites for the trainer component (generated from its claims)."""
from optbench.runners.asv_suite import suite as _suite

TrainerValAccumulate = _suite("trainer.val_accumulate")
TrainerValAccumulateConvnet = _suite("trainer.val_accumulate_convnet")
TrainerAmp = _suite("trainer.amp")
TrainerAmpWhatif = _suite("trainer.amp_whatif")
TrainerAmpFusionWhatif = _suite("trainer.amp_fusion_whatif")
TrainerAmpResnetWhatif = _suite("trainer.amp_resnet_whatif")
TrainerNonblockingSetToNone = _suite("trainer.nonblocking_set_to_none")
TrainerNonblockingSetToNoneWhatif = _suite("trainer.nonblocking_set_to_none_whatif")
TrainerNonblockingPinned = _suite("trainer.nonblocking_pinned")
TrainerCudnnBenchmark = _suite("trainer.cudnn_benchmark")
TrainerTf32 = _suite("trainer.tf32")
