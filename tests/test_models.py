"""models.variable_ar: the model factory before and after "variable_ar_cnn"
was registered (Horopter/AURA 5332a68b -> 70877759), and the model it
builds, an Inception-style 3-D CNN (video-pipeline report §1)."""
import math

import pytest
import torch

from optbench.components.models import factory
from optbench.components.models.video import (FULL_SIZE_PARAMETERS, VariableARVideoModel,
                                              VariableARVideoModelAt70877759, clip_batches,
                                              letterbox, letterboxed_samples,
                                              trainable_parameters)
from test_components import measure

CLASSES = (VariableARVideoModel, VariableARVideoModelAt70877759)
BEFORE_NAMES = ["logistic_regression", "svm", "naive_cnn", "vit_gru", "vit_transformer",
                "slowfast", "x3d", "pretrained_inception"]


@pytest.mark.parametrize("cls", CLASSES)
def test_the_full_size_model_has_397633_trainable_parameters(cls):
    model = cls()
    assert trainable_parameters(model) == FULL_SIZE_PARAMETERS == 397_633
    parts = {part: sum(p.numel() for p in getattr(model, part).parameters())
             for part in ("stem", "block1", "block2", "fc")}
    assert parts == {"stem": 2_688, "block1": 79_040, "block2": 315_776, "fc": 129}
    running = sum(b.numel() for n, b in model.named_buffers() if "running" in n)
    assert running == 448


@pytest.mark.parametrize("cls", CLASSES)
def test_the_model_keeps_t_h_w_until_the_global_pool_and_gives_one_logit(cls):
    model = cls(base_channels=8).eval()
    clips = torch.randn(2, 3, 5, 12, 20)    # (N, C, T, H, W), any T, H, W
    features = model.block2(model.block1(model.stem(clips)))
    assert tuple(features.shape) == (2, 32, 5, 12, 20)
    assert tuple(model(clips).shape) == (2, 1)


def test_the_before_factory_raises_by_name_and_the_after_factory_builds_the_model():
    with pytest.raises(ValueError) as raised:
        factory.create_model_before("variable_ar_cnn")
    assert str(raised.value) == f"Unknown model type: variable_ar_cnn. Available: {BEFORE_NAMES}"
    model = factory.create_model_after("variable_ar_cnn")
    assert type(model) is VariableARVideoModelAt70877759
    assert trainable_parameters(model) == 397_633
    assert trainable_parameters(factory.create_model_after("variable_ar_cnn",
                                                           base_channels=8)) < 397_633
    assert list(factory.MODEL_MEMORY_CONFIGS_AFTER) == \
        BEFORE_NAMES + ["variable_ar_cnn", "i3d", "r2plus1d"]
    assert factory.MODEL_MEMORY_CONFIGS_AFTER["variable_ar_cnn"] == {
        "batch_size": 2, "num_workers": 0, "num_frames": 8, "gradient_accumulation_steps": 4}
    for name in BEFORE_NAMES:   # the stand-ins build at both commits
        assert factory.create_model_before(name).model_type == name


def test_the_claim_reads_the_factory_outcomes(claims):
    assert measure(claims, "models.variable_ar", "baseline", 12, "factory_failures") == 1
    assert measure(claims, "models.variable_ar", "optimized", 12, "factory_failures") == 0
    assert measure(claims, "models.variable_ar", "baseline", 12, "factory_result") == \
        f"ValueError: Unknown model type: variable_ar_cnn. Available: {BEFORE_NAMES}"
    assert measure(claims, "models.variable_ar", "optimized", 12, "factory_result") == \
        "builds VariableARVideoModelAt70877759, 397,633 trainable parameters"
    assert measure(claims, "models.variable_ar", "baseline", 12, "memory_config") == \
        "no entry for 'variable_ar_cnn' (not in list_available_models)"
    assert measure(claims, "models.variable_ar", "optimized", 12, "memory_config") == \
        "batch_size 2, num_workers 0, num_frames 8, gradient_accumulation_steps 4"
    for variant, name in (("baseline", "VariableARVideoModel"),
                          ("optimized", "VariableARVideoModelAt70877759")):
        assert measure(claims, "models.variable_ar", variant, 12, "full_size_model") == \
            (f"{name}(base_channels=32): 397,633 trainable parameters, 448 BatchNorm "
             f"running values and 3 counters")


@pytest.mark.parametrize("variant", ["baseline", "optimized"])
def test_f9_the_default_collates_layout_raises_in_the_first_forward(claims, variant):
    """Stage 5's default collate stacks (T, C, H, W) clips as (N, T, C, H, W):
    the stem's Conv3d finds 6 (frames) where it expects 3 channels."""
    reading = measure(claims, "models.variable_ar", variant, 12, "default_collate_forward")
    assert reading.startswith("input (2, 6, 3, 32, 32): RuntimeError: "), reading
    assert "3 channels, but got 6 channels" in reading
    model = VariableARVideoModelAt70877759(base_channels=8)
    collated = torch.zeros(2, 6, 3, 16, 16)
    with pytest.raises(RuntimeError, match="expected input.*to have 3 channels"):
        model(collated)
    assert tuple(model(collated.permute(0, 2, 1, 3, 4)).shape) == (2, 1)   # F9's fix


def _std_close(tensor: torch.Tensor, expected: float, within: float) -> bool:
    return abs(float(tensor.detach().std()) / expected - 1) < within


def test_the_before_class_keeps_pytorchs_initialisation():
    torch.manual_seed(0)
    model = VariableARVideoModel()
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv3d)]
    for conv in convs:   # kaiming_uniform(a=sqrt(5)): std 1 / sqrt(3 fan_in)
        fan_in = conv.weight[0].numel()
        assert _std_close(conv.weight, 1 / math.sqrt(3 * fan_in), 0.1)
        assert conv.bias.detach().abs().max() <= 1 / math.sqrt(fan_in)
        assert conv.bias.detach().any()
    assert _std_close(model.fc.weight, 1 / math.sqrt(3 * 128), 0.25)


def test_the_after_class_initialises_as_70877759_does():
    torch.manual_seed(0)
    model = VariableARVideoModelAt70877759()
    convs = [m for m in model.modules() if isinstance(m, torch.nn.Conv3d)]
    assert len(convs) == 9
    for conv in convs:   # kaiming_normal(fan_out, relu): std sqrt(2 / fan_out)
        fan_out = conv.weight.shape[0] * conv.weight[0, 0].numel()
        assert _std_close(conv.weight, math.sqrt(2 / fan_out), 0.1)
        assert not conv.bias.detach().any()
    norms = [m for m in model.modules() if isinstance(m, torch.nn.BatchNorm3d)]
    assert len(norms) == 3
    for norm in norms:
        assert bool((norm.weight == 1).all()) and not norm.bias.detach().any()
    assert _std_close(model.fc.weight, 0.01, 0.25) and not model.fc.bias.detach().any()


def test_the_claim_reads_what_the_initialisation_changed_not_the_architecture(claims):
    claim = claims["models.variable_ar"]
    readings = {v: measure(claims, "models.variable_ar", v, 12, "initial_weights")
                for v in ("baseline", "optimized")}
    assert "conv biases non-zero in 9 of 9 convs" in readings["baseline"]
    assert readings["optimized"].endswith("conv biases non-zero in 0 of 9 convs, "
                                          "fc bias 0.0000")
    outputs = {v: claim.output(claim.case(v, 12)) for v in ("baseline", "optimized")}
    assert claim.equivalence.judge(outputs["baseline"], outputs["optimized"]) is True


def test_batchnorm_momentum_is_read_against_the_installed_torch_default(claims):
    default = torch.nn.BatchNorm3d(4).momentum   # what a layer built without the argument gets
    assert VariableARVideoModelAt70877759(base_channels=4).stem[1].momentum == 0.1
    for variant in ("baseline", "optimized"):
        reading = measure(claims, "models.variable_ar", variant, 12, "batchnorm_momentum")
        assert f"torch {torch.__version__}: {default}" in reading
        assert reading.endswith("(the same: no change)") == (default == 0.1)
    optimized = measure(claims, "models.variable_ar", "optimized", 12, "batchnorm_momentum")
    assert optimized.startswith("0.1, ")


def test_stage_5s_clips_are_fixed_letterboxed_squares():
    samples = letterboxed_samples(2, frames=6, side=32)
    assert len(samples) == 6
    assert {tuple(clip.shape) for clip, _ in samples} == {(6, 3, 32, 32)}
    assert [int(label) for _, label in samples] == [0, 0, 0, 1, 1, 1]
    assert samples[0][1].dtype == torch.int64
    black = (-torch.tensor([0.485, 0.456, 0.406]) / torch.tensor([0.229, 0.224, 0.225]))
    landscape, portrait, square = (clip for clip, _ in samples[:3])
    # 320x180 -> 32x18, 7 black rows above and below; 180x320: 7 black columns.
    bars = torch.cat([landscape[:, :, :7], landscape[:, :, -7:]], dim=2)
    assert torch.allclose(bars, black.view(1, 3, 1, 1).expand_as(bars))
    assert not torch.allclose(landscape[:, :, 7], black.view(1, 3, 1).expand(6, 3, 32))
    columns = torch.cat([portrait[..., :7], portrait[..., -7:]], dim=3)
    assert torch.allclose(columns, black.view(1, 3, 1, 1).expand_as(columns))
    assert not torch.allclose(square[:, :, 0], black.view(1, 3, 1).expand(6, 3, 32))


def test_letterbox_scales_by_the_longer_side_and_centres():
    frame = torch.full((20, 40, 3), 200, dtype=torch.uint8).numpy()
    square = letterbox(frame, 10)
    assert square.shape == (10, 10, 3)
    assert (square[:2] == 0).all() and (square[-3:] == 0).all() and (square[2:7] == 200).all()


def test_the_aspect_ratio_batches_are_channels_first():
    batches = clip_batches(clips_per_shape=2, frames=4)
    assert {s: tuple(c.shape) for s, (c, _) in batches.items()} == {
        "landscape": (2, 3, 4, 45, 80), "portrait": (2, 3, 4, 80, 45),
        "square": (2, 3, 4, 60, 60)}


def test_the_claim_trains_the_scaled_model_on_the_letterboxed_clips(claims):
    claim = claims["models.variable_ar"]
    assert claim.revision == 2
    assert "fixed square clips, not variable aspect ratios" in claim.workload.name
    reading = measure(claims, "models.variable_ar", "baseline", 12, "loss_over_training")
    assert " over 12 steps (mean of the first and the last round of 3 steps): " in reading
    assert ": falls (" in reading, reading
    reading = measure(claims, "models.variable_ar", "optimized", 12, "loss_over_training")
    assert " over 12 steps " in reading


# --- fusion.masked_pool_clamp -------------------------------------------------

@pytest.mark.parametrize("variant", ["baseline", "optimized", "best"])
def test_no_pooling_makes_a_value_that_is_not_finite(claims, variant):
    """Nothing for the 1.0 clamp to prevent: 0 NaN or inf over every mask and
    precision, before too (the 1e-6 clamp already keeps 0/0 away)."""
    assert measure(claims, "fusion.masked_pool_clamp", variant, 8, "not_finite_values") == 0
    assert measure(claims, "fusion.masked_pool_clamp", variant, 8,
                   "not_finite_by_precision") == "float32 0 · bfloat16 0 · float16 0"


def test_the_clamp_changes_soft_masks_only_and_best_keeps_them(claims):
    def kinds(variant, what):
        reading = measure(claims, "fusion.masked_pool_clamp", variant, 8, what)
        return {k: v for k, v in (part.split(" ") for part in reading.split(" · "))}

    for what in ("outputs_against_before", "gradients_against_before"):
        after, best = kinds("optimized", what), kinds("best", what)
        assert after["binary"] == after["all_zero"] == "identical"   # sums >= 1 or 0
        assert after["soft"] != "identical" and after["tiny"] != "identical"
        # Best is the before code's weighted mean wherever the weights sum to
        # 1e-6 or more, and the true mean below that (the before code divides by 1e-6).
        assert best["binary"] == best["all_zero"] == best["soft"] == "identical"
        assert best["tiny"] != "identical"


def test_the_fusion_model_builds_binary_masks_only(claims):
    assert measure(claims, "fusion.masked_pool_clamp", "optimized", 8,
                   "model_feeds_soft_masks") == \
        "no: the model's own mask (token != PAD) holds only 0, 1"
