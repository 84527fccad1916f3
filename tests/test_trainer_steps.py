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


@pytest.mark.parametrize("claim_id", ["trainer.amp_whatif", "trainer.amp_fusion_whatif"])
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
    whatif = "trainer.nonblocking_set_to_none_whatif"
    reading = measure(claims, whatif, "optimized", 32, "zero_grad_default")
    assert reading.startswith(f"zero_grad()'s set_to_none defaults to {default} in torch")
    for variant in ("baseline", "optimized"):
        freed = measure(claims, whatif, variant, 32, "grads_after_zero_grad")
        assert freed == ("None (freed)" if default or variant == "optimized" else
                         "zero tensors (kept, filled with 0)")
        assert measure(claims, whatif, variant, 32,
                       "batch_copy").startswith("no copy: the batch is on the CPU already")


@pytest.fixture(scope="module")
def codebase_step(claims):
    claim = claims["trainer.nonblocking_set_to_none"]
    return claim, claim.workload.make(64)


def test_the_codebase_step_is_its_collators_batches_through_its_model(codebase_step):
    claim, data = codebase_step
    batch = data.batches[0]
    assert set(batch) == {"input_ids", "attention_mask", "pixel_values"}
    assert batch["input_ids"].shape == (128, 77) and batch["input_ids"].dtype == torch.int64
    assert batch["pixel_values"].shape == (128, 3, 56, 56)
    # Images were written for the loaded nodes: not every item is the black default.
    assert (batch["pixel_values"].flatten(1).std(dim=1) > 0).sum() > 100
    assert claim.variants["optimized"].non_blocking
    assert claim.variants["optimized"].set_to_none == "before_backward"
    assert claim.variants["baseline"].set_to_none is None


def test_the_codebase_step_reads_the_loss_six_times(codebase_step, monkeypatch):
    claim, data = codebase_step
    state = claim.setup(claim.case("baseline", 64, data=data))
    reads = []
    real = torch.Tensor.item
    # The losses' reads (AdamW reads its own step counters too, which are not the loop's)
    monkeypatch.setattr(torch.Tensor, "item",
                        lambda t: reads.append(t.grad_fn is not None) or real(t))
    state.step()
    assert sum(reads) == 6


def test_18601bf_holds_the_last_steps_gradients_through_the_forward(codebase_step):
    """Before, zero_grad() first (set_to_none=True by default since torch 2.0)
    frees them before the forward; 18601bf frees them only before backward.
    The losses are the same, step for step."""
    claim, data = codebase_step
    readings = {}
    for variant in ("baseline", "optimized"):
        metric = next(m for m in claim.secondary if m.name == "grads_during_forward")
        readings[variant] = metric.measure(claim.setup(claim.case(variant, 64, data=data)))
    assert readings["baseline"].startswith("None: the last step's gradients are freed")
    assert readings["optimized"].startswith("the last step's gradients (32 of 32 parameters")
    outputs = [claim.output(claim.case(v, 64, data=data)) for v in ("baseline", "optimized")]
    assert len(outputs[0]) == 6 and outputs[0][0] != outputs[0][-1]
    assert claim.equivalence.judge(*outputs) is True


def test_a_missing_zero_grad_would_change_the_codebase_steps_losses(codebase_step,
                                                                    monkeypatch):
    """The equivalence can fail: a step whose gradients accumulate."""
    claim, data = codebase_step
    baseline = claim.output(claim.case("baseline", 64, data=data))
    monkeypatch.setattr(torch.optim.AdamW, "zero_grad", lambda self, set_to_none=True: None)
    monkeypatch.setattr(data, "curves", {})
    assert claim.equivalence.judge(baseline, claim.output(claim.case("baseline", 64, data=data))) \
        is not True
