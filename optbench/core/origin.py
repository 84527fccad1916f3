"""Which line of the user's code an error comes from.

A claim's setup can fail inside numpy, and an equivalence can fail inside
optbench's engine; either way the user needs *their* file and line. The
innermost frame that is neither optbench's machinery (core, runners, report,
cli) nor a library (the standard library, site-packages) is theirs; a built-in
component's code counts as the user's, since that is what a claim runs.
"""
from __future__ import annotations

import sys
import sysconfig
from pathlib import Path
from types import TracebackType

_PACKAGE = Path(__file__).resolve().parent.parent
_MACHINERY = tuple(str(_PACKAGE / part) for part in ("core", "runners", "report", "cli.py",
                                                    "calibration", "__init__.py"))
_LIBRARIES = tuple({str(Path(sysconfig.get_paths()[k]).resolve())
                    for k in ("stdlib", "platstdlib", "purelib", "platlib")})


def is_users(filename: str) -> bool:
    """True for a frame in the user's code (or a built-in component's)."""
    try:
        path = str(Path(filename).resolve())
    except (OSError, ValueError):
        return False
    if filename.startswith("<") or path.startswith(_MACHINERY):
        return False
    if path.startswith(str(_PACKAGE)):
        return True  # optbench/components, optbench/workloads: a claim's own code
    return not path.startswith(_LIBRARIES)


def where(exc: BaseException, fallback: str | None = None) -> str:
    """"file:line" of the innermost frame of the user's code in `exc`'s
    traceback; `fallback` (e.g. where the claim was declared) when none is,
    then the innermost frame."""
    frames = list(_frames(exc.__traceback__))
    for filename, line in reversed(frames):
        if is_users(filename):
            return f"{filename}:{line}"
    if fallback:
        return fallback
    return f"{frames[-1][0]}:{frames[-1][1]}" if frames else "unknown"


def caller_outside_optbench() -> str:
    """"file:line" of the nearest caller that is not optbench's machinery: where
    a user's module constructs a Claim."""
    frame = sys._getframe(1)
    while frame is not None:
        if is_users(frame.f_code.co_filename):
            return f"{frame.f_code.co_filename}:{frame.f_lineno}"
        frame = frame.f_back
    return ""


def _frames(tb: TracebackType | None):
    while tb is not None:
        yield tb.tb_frame.f_code.co_filename, tb.tb_lineno
        tb = tb.tb_next
