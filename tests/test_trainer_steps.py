"""The training step's switches (trainer/steps.py) and the claims on them.
CUDA-only claims (cudnn.benchmark, TF32, pinned batches) are exercised here
on the CPU, where their code runs the same and their flags do nothing."""
import inspect

import pytest
import torch

from optbench.components.trainer.claims_step import LOSS_STEPS, NEW_SHAPES
from optbench.components.trainer.steps import Settings, StepTrainer, backend_flags, tf32_state
from test_components import measure


def _tiny_trainer(settings):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 2))
    return StepTrainer(model, torch.nn.functional.cross_entropy, settings)


BATCH = (torch.randn(16, 4, generator=torch.Generator().manual_seed(1)), torch.arange(16) % 2)


def test_backend_flags_are_set_for_the_step_and_put_back_exactly():
    """Every field PyTorch reports (fp32_precision where it has them) is as it
    was, and the before settings (None) leave PyTorch's defaults alone:
    convolutions keep TF32, matmuls do not get it."""
    before = tf32_state()
    with backend_flags(Settings(cudnn_benchmark=True, tf32=True)):
        assert torch.backends.cudnn.benchmark
        assert tf32_state() != before
    assert tf32_state() == before
    with backend_flags(Settings()):
        assert tf32_state() == before
    _tiny_trainer(Settings(cudnn_benchmark=True, tf32=False)).step(BATCH)
    assert tf32_state() == before


@pytest.mark.parametrize("count_skips, reads", [(False, 0), (True, 2)])
def test_a_timed_step_never_reads_the_grad_scale(monkeypatch, count_skips, reads):
    """GradScaler.get_scale() synchronizes on CUDA: only loss-curve runs
    (count_skips) read it, before and after the step. An enabled scaler on
    the CPU stands in for CUDA's float16 one."""
    trainer = _tiny_trainer(Settings(amp=True))
    trainer.scaler = torch.amp.GradScaler("cpu", enabled=True)
    trainer.count_skips = count_skips
    calls = []
    real = torch.amp.GradScaler.get_scale
    monkeypatch.setattr(torch.amp.GradScaler, "get_scale",
                        lambda self: calls.append(1) or real(self))
    trainer.step(BATCH)
    assert len(calls) == reads


def test_no_skips_are_counted_where_there_is_no_grad_scaler():
    trainer = StepTrainer(torch.nn.Linear(4, 2), torch.nn.functional.cross_entropy,
                          Settings(amp=True), count_skips=True)
    assert not trainer.count_skips      # bfloat16 on the CPU: no GradScaler, nothing to count


@pytest.mark.parametrize("set_to_none", [None, True, False])
def test_zero_grad_as_the_variant_calls_it(set_to_none):
    """None calls zero_grad() bare: the installed torch's default decides."""
    default = inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
    frees = default if set_to_none is None else set_to_none
    trainer = _tiny_trainer(Settings(set_to_none=set_to_none))
    trainer.step(BATCH)
    trainer.zero_grad()
    seen = {"none" if p.grad is None else "zeros" for p in trainer.model.parameters()}
    assert seen == {"none" if frees else "zeros"}


def test_cpu_autocast_is_bfloat16_without_a_grad_scaler():
    trainer = _tiny_trainer(Settings(amp=True))
    assert trainer.amp and not trainer.scaler.is_enabled()
    with torch.autocast("cpu", dtype=torch.bfloat16):
        assert trainer.model(BATCH[0]).dtype == torch.bfloat16
    losses = [float(trainer.step(BATCH)) for _ in range(5)]
    assert losses[-1] < losses[0] and trainer.skipped_steps == 0


def test_amp_auto_follows_the_hardware():
    from optbench.components.trainer.steps import amp_enabled, cpu_has_fast_bf16

    assert amp_enabled(Settings(amp="auto"), "cpu") == cpu_has_fast_bf16()
    assert amp_enabled(Settings(amp="auto"), "cuda")


@pytest.mark.parametrize("claim_id", ["trainer.amp", "trainer.amp_fusion"])
def test_amp_loss_follows_float32_and_says_what_it_ran_in(claims, claim_id):
    size = claims[claim_id].sizes(quick=True)[0]
    reading = measure(claims, claim_id, "optimized", size, "loss_against_float32")
    largest = float(reading.split("float32's ")[1].split(" ")[0])
    assert 0 < largest < 0.05, reading      # bfloat16 rounds, training does not drift
    assert measure(claims, claim_id, "baseline", size, "loss_against_float32").startswith(
        f"largest |difference| from float32's 0 over {LOSS_STEPS} steps")
    assert measure(claims, claim_id, "optimized", size, "skipped_steps") == 0
    assert measure(claims, claim_id, "optimized", size, "precision") == \
        "bfloat16 autocast (no GradScaler)"
    assert measure(claims, claim_id, "baseline", size, "precision") == "float32 (no autocast)"
    flags = measure(claims, claim_id, "baseline", size, "cpu_low_precision")
    assert flags.startswith("native bfloat16 (oneDNN): ") and "flags" in flags


def test_set_to_none_and_non_blocking_are_read_from_torch(claims):
    default = inspect.signature(torch.optim.Optimizer.zero_grad).parameters["set_to_none"].default
    reading = measure(claims, "trainer.nonblocking_set_to_none", "optimized", 32,
                      "zero_grad_default")
    assert reading.startswith(f"zero_grad()'s set_to_none defaults to {default} in torch")
    for variant in ("baseline", "optimized"):
        freed = measure(claims, "trainer.nonblocking_set_to_none", variant, 32,
                        "grads_after_zero_grad")
        assert freed == ("None (freed)" if default or variant == "optimized" else
                         "zero tensors (kept, filled with 0)")
        assert measure(claims, "trainer.nonblocking_set_to_none", variant, 32,
                       "batch_copy").startswith("no copy: the batch is on the CPU already")


def _on_cpu(claims, claim_id, variant, size):
    """A CUDA-only claim's case built on the CPU: its code, not its verdict."""
    claim = claims[claim_id]
    case = claim.case(variant, size, device="cpu")
    return claim, case, claim.setup(case)


def test_the_cudnn_benchmark_readings_run_on_the_cpu(claims):
    claim, case, state = _on_cpu(claims, "trainer.cudnn_benchmark", "optimized", 4)
    shapes = {tuple(b[0].shape[-2:]) for b in state.batches}
    assert len(shapes) == 3                     # landscape, portrait, square
    for _ in range(3):
        claim.primary.measure(state)
    reading = next(m for m in claim.secondary
                   if m.name == "first_step_on_new_shapes").measure(state)
    assert reading.startswith("first step on a new shape: ") and f"median of {NEW_SHAPES} shapes" in reading
    baseline = claim.output(claim.case("baseline", 4, device="cpu", data=case.data))
    assert claim.equivalence.judge(baseline, claim.output(case)) is True


def test_the_tf32_readings_run_on_the_cpu(claims):
    claim, case, state = _on_cpu(claims, "trainer.tf32", "optimized", 256)
    error = next(m for m in claim.secondary if m.name == "relative_error").measure(state)
    assert float(error.split(" ")[0]) < 1e-5     # no TF32 on a CPU: float32's error
    baseline = claim.output(claim.case("baseline", 256, device="cpu", data=case.data))
    assert claim.equivalence.judge(baseline, claim.output(case)) is True


def test_cuda_only_claims_are_unavailable_to_the_runners_without_cuda(claims):
    """pytest-benchmark, asv and `optbench profile` skip them, before building
    a workload (pinning memory would fail without a GPU)."""
    from optbench.runners.cases import Unavailable, prepare

    if torch.cuda.is_available():
        pytest.skip("CUDA is here")
    for claim_id in ("trainer.nonblocking_pinned", "trainer.tf32", "trainer.cudnn_benchmark",
                     "trainer.amp_resnet"):
        claim = claims[claim_id]
        with pytest.raises(Unavailable, match="measured on cuda only"):
            prepare(claim, "baseline", claim.sizes(quick=True)[0])
