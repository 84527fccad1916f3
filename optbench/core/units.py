"""Numbers with their units, one formatter for the CLI, the report and the plots.

"10,000 rows", "125.8 kB", "1.23 ms", "0.5 share": never `1e+04 rows` or
`1.258e+05 B`. Bytes are decimal (kB = 1,000 B), as `ls -h --si` and memray's
own summaries print them; times step through ns, µs, ms and s.
"""
from __future__ import annotations

# (divisor, name), smallest first: a value takes the largest step it reaches.
_STEPS = {
    "s": ((1e-9, "ns"), (1e-6, "µs"), (1e-3, "ms"), (1.0, "s")),
    "bytes": ((1, "B"), (1e3, "kB"), (1e6, "MB"), (1e9, "GB"), (1e12, "TB")),
}


def scale(unit: str, values) -> tuple[float, str]:
    """A divisor and a unit name that make every one of `values` readable."""
    steps = _STEPS.get(unit)
    if steps is None:
        return 1.0, unit
    top = max((abs(v) for v in values if isinstance(v, (int, float))), default=0)
    if top == 0:  # "0 s", "0 B": no step is more readable than another
        return next(step for step in steps if step[0] == 1)
    chosen = steps[0]
    for step in steps:
        if top >= step[0]:
            chosen = step
    return chosen


def number(value: float, digits: int = 4) -> str:
    """`digits` significant digits with thousands separators, no exponent."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, int) or float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    magnitude = abs(value)
    if magnitude == 0:
        return "0"
    decimals = max(0, digits - 1 - _exponent(magnitude))
    text = f"{value:,.{decimals}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _exponent(magnitude: float) -> int:
    exponent = 0
    while magnitude >= 10:
        magnitude /= 10
        exponent += 1
    while magnitude < 1:
        magnitude *= 10
        exponent -= 1
    return exponent


def quantity(value, unit: str, digits: int = 4) -> str:
    """A value and its unit: "10,000 rows", "125.8 kB", "215 ns", "23.95%"
    (a share), "True"."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return str(value)
    if unit == "share":  # a fraction of a whole: "23.95%", not "0.2395 share"
        return f"{number(value * 100, digits)}%"
    divisor, shown = scale(unit, [value])
    figure = number(value / divisor if divisor != 1 else value, digits)
    return f"{figure} {shown}".strip()


def size(value: int, unit: str) -> str:
    """A workload size: "10,000 rows", "1 prediction", "1 image in the folder"."""
    first, _, rest = unit.partition(" ")
    if value == 1 and len(first) > 2 and first.endswith("s") and scale(unit, [value])[1] == unit:
        single = first[:-2] if first.endswith(("ches", "shes", "sses", "xes")) else first[:-1]
        unit = " ".join(filter(None, (single, rest)))
    return quantity(value, unit)
