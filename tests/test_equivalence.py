"""Equivalence helpers for what ML code returns: tensors, arrays, frames, nests."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from optbench.core.claim import Equivalence


def test_allclose_checks_shape_dtype_and_values_of_tensors_and_arrays():
    close = Equivalence.allclose(rtol=1e-5, atol=1e-6)
    t = torch.tensor([1.0, 2.0, float("nan")])
    assert close.compare(t, t + 1e-7)                       # within tolerance, NaN == NaN
    assert not close.compare(t, t + 1e-2)
    assert not close.compare(t, t.double())                 # dtype
    assert not close.compare(t, t.reshape(3, 1))            # shape
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    assert close.compare(a, a.copy()) and not close.compare(a, a.astype(np.float64))
    assert not close.compare(np.array([1, 2]), np.array([1.0, 2.0]))  # int came back as float
    # == on tensors has no truth value: judging says which helper to use instead.
    with pytest.raises(TypeError, match="use Equivalence.allclose"):
        Equivalence.exact("same").judge(t[:2], t[:2])
    assert close.compare((t, {"probs": a}), (t.clone(), {"probs": a.copy()}))


def test_frames_equal_compares_values_dtypes_index_and_columns():
    equal = Equivalence.frames_equal()
    frame = pd.DataFrame({"id": [1, 2], "x": [0.5, 1.5]}, index=[10, 20])
    assert equal.compare(frame, frame.copy())
    assert not equal.compare(frame, frame.astype({"id": float}))       # int -> float
    assert not equal.compare(frame, frame.rename(columns={"x": "y"}))
    assert not equal.compare(frame, frame.reset_index(drop=True))
    assert equal.compare(frame["x"], frame["x"].copy())
    assert not equal.compare(frame, frame["x"])


def test_structures_compare_nests_item_by_item_types_included():
    exact = Equivalence.structures()
    nest = {"preds": torch.tensor([1, 2]), "rows": [{"community": 3}, (1.5, "a")],
            "frame": pd.DataFrame({"a": [1]})}
    twin = {"preds": torch.tensor([1, 2]), "rows": [{"community": 3}, (1.5, "a")],
            "frame": pd.DataFrame({"a": [1]})}
    assert exact.compare(nest, twin)
    twin["rows"][0]["community"] = 3.0                      # == says equal; a changed output
    assert not exact.compare(nest, twin)
    assert not exact.compare([1, 2], (1, 2))
    assert not exact.compare({"a": 1}, {"a": 1, "b": 2})
    assert Equivalence.structures(rtol=1e-9).compare([0.1 + 0.2], [0.3])
    assert not exact.compare([0.1 + 0.2], [0.3])
    assert exact.compare([math.nan], [math.nan])
    assert "rtol=1e-09" in Equivalence.structures(rtol=1e-9).description
