"""models.variable_ar: the model factory before and after "variable_ar_cnn"
was registered, and the model it builds (video-pipeline report §1)."""
import pytest

from test_components import measure


def test_the_factory_fails_by_name_before_and_builds_after(claims):
    assert measure(claims, "models.variable_ar", "baseline", 12, "factory_failures") == 1
    assert measure(claims, "models.variable_ar", "optimized", 12, "factory_failures") == 0
    before = measure(claims, "models.variable_ar", "baseline", 12, "factory_result")
    assert before.startswith("ValueError: Unknown model type: 'variable_ar_cnn'")
    after = measure(claims, "models.variable_ar", "optimized", 12, "factory_result")
    assert after.startswith("builds ReportVariableARVideoModel")


@pytest.mark.parametrize("variant", ["baseline", "optimized"])
def test_the_model_trains_on_every_aspect_ratio_and_the_loss_falls(claims, variant):
    reading = measure(claims, "models.variable_ar", variant, 12, "loss_over_training")
    assert reading.endswith(": falls"), reading


def test_batchnorm_momentum_is_read_against_the_installed_torch_default(claims):
    import torch

    default = torch.nn.BatchNorm2d(4).momentum   # what a layer built without the argument gets
    reading = measure(claims, "models.variable_ar", "optimized", 12, "batchnorm_momentum")
    assert reading.startswith("0.1; ") and f"torch {torch.__version__}: {default}" in reading
    assert reading.endswith("(the same: no change)") == (default == 0.1)


def test_the_report_model_changes_the_initial_weights_not_the_architecture(claims):
    claim = claims["models.variable_ar"]
    stds = {v: measure(claims, "models.variable_ar", v, 12, "first_conv_weight_std")
            for v in ("baseline", "optimized")}
    assert stds["baseline"] != stds["optimized"]
    outputs = {v: claim.output(claim.case(v, 12)) for v in ("baseline", "optimized")}
    assert claim.equivalence.judge(outputs["baseline"], outputs["optimized"]) is True


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
