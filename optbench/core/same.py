"""Whether two outputs of ML code are the same: tensors, arrays, pandas
objects, and dicts, lists and tuples of them, within a tolerance.

`==` cannot do it: a tensor or an array of more than one value has no truth
value, 3 == 3.0 hides an int column come back as float, and NaN != NaN.
Here shapes and dtypes must match, values must agree within `rtol`/`atol`
(0 and 0: exactly), NaNs in the same places count as equal, and containers
are compared item by item. torch and pandas are only touched when an
output holds them, so using this costs no import.
"""
from __future__ import annotations

import math
import sys
from typing import Any, Mapping


def same(a: Any, b: Any, rtol: float = 0.0, atol: float = 0.0) -> bool:
    torch = sys.modules.get("torch")
    if torch is not None and isinstance(a, torch.Tensor):
        return _same_tensor(torch, a, b, rtol, atol)
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(a, (pandas.DataFrame, pandas.Series, pandas.Index)):
        return _same_pandas(pandas, a, b, rtol, atol)
    numpy = sys.modules.get("numpy")
    if numpy is not None and isinstance(a, numpy.ndarray):
        return _same_array(numpy, a, b, rtol, atol)
    if type(a) is not type(b):
        return False  # 3 and 3.0, a list and a tuple: a changed output
    if isinstance(a, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k], rtol, atol) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(same(x, y, rtol, atol) for x, y in zip(a, b))
    if isinstance(a, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rtol, abs_tol=atol)
    if numpy is not None and isinstance(a, numpy.generic) and numpy.issubdtype(
            type(a), numpy.floating):
        return _same_array(numpy, numpy.asarray(a), numpy.asarray(b), rtol, atol)
    return bool(a == b)


def _same_tensor(torch, a, b, rtol, atol) -> bool:
    if not isinstance(b, torch.Tensor) or a.shape != b.shape or a.dtype != b.dtype:
        return False
    a, b = a.detach().cpu(), b.detach().cpu()
    if a.is_floating_point() or a.is_complex():
        return bool(torch.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    return bool(torch.equal(a, b))


def _same_array(numpy, a, b, rtol, atol) -> bool:
    if not isinstance(b, numpy.ndarray) or a.shape != b.shape or a.dtype != b.dtype:
        return False
    if numpy.issubdtype(a.dtype, numpy.inexact):
        return bool(numpy.allclose(a, b, rtol=rtol, atol=atol, equal_nan=True))
    if a.dtype == object:
        return all(same(x, y, rtol, atol) for x, y in zip(a.ravel(), b.ravel()))
    return bool(numpy.array_equal(a, b))


def _same_pandas(pandas, a, b, rtol, atol) -> bool:
    if type(a) is not type(b):
        return False
    check = {pandas.DataFrame: pandas.testing.assert_frame_equal,
             pandas.Series: pandas.testing.assert_series_equal,
             pandas.Index: pandas.testing.assert_index_equal}[type(a)]
    options = {"check_exact": True} if rtol == atol == 0 else {"rtol": rtol, "atol": atol,
                                                               "check_exact": False}
    try:
        check(a, b, **options)  # values, dtypes, index and column names
    except AssertionError:
        return False
    return True


def difference(a: Any, b: Any, rtol: float = 0.0, atol: float = 0.0, where: str = "") -> str | None:
    """Where and how `b` first differs from `a`, in a few words ("[0]['community']:
    int -> float", "shape (3,) -> (4,)", "[12]: 3 -> 4"); None when `same`.

    For the report and the CLI: "output differs" tells a reviewer less than
    what changed. Only the first difference is described.
    """
    if same(a, b, rtol, atol):
        return None
    at = f"{where}: " if where else ""
    shape_a, shape_b = getattr(a, "shape", None), getattr(b, "shape", None)
    dtype_a, dtype_b = getattr(a, "dtype", None), getattr(b, "dtype", None)
    if type(a) is not type(b):
        return f"{at}{_kind(a)} -> {_kind(b)}"
    if shape_a is not None and tuple(shape_a) != tuple(shape_b):
        return f"{at}shape {tuple(shape_a)} -> {tuple(shape_b)}"
    if dtype_a is not None and not isinstance(a, (Mapping, list, tuple)) and \
            str(dtype_a) != str(dtype_b):
        return f"{at}dtype {dtype_a} -> {dtype_b}"
    if isinstance(a, Mapping):
        if a.keys() != b.keys():
            gone, new = sorted(map(repr, a.keys() - b.keys())), sorted(map(repr, b.keys() - a.keys()))
            return f"{at}keys" + (f" lost {', '.join(gone[:3])}" if gone else "") + \
                (f" gained {', '.join(new[:3])}" if new else "")
        for key in a:
            found = difference(a[key], b[key], rtol, atol, f"{where}[{key!r}]")
            if found:
                return found
    if isinstance(a, (list, tuple)):
        if len(a) != len(b):
            return f"{at}length {len(a)} -> {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            found = difference(x, y, rtol, atol, f"{where}[{i}]")
            if found:
                return found
    if shape_a is not None:
        return f"{at}values differ"
    return f"{at}{_short(a)} -> {_short(b)}"


def _kind(value: Any) -> str:
    dtype = getattr(value, "dtype", None)
    name = type(value).__name__
    return f"{name} {dtype}" if dtype is not None and hasattr(value, "shape") else name


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 24 else text[:21] + "..."
