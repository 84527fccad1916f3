"""asv suites for the claims module OPTBENCH_CLAIMS names; nothing when it is unset.

    OPTBENCH_CLAIMS=examples/my_claims.py asv run --python=same -b user_claims

One class per claim, bound to a module-level name equal to its class name
(asv discovers module-level classes, and finds a benchmark again by that
name). A relative path is read from the folder holding asv.conf.json too:
asv runs each benchmark in a temporary folder.
"""
from pathlib import Path as _Path

from optbench.runners.asv_suite import suite as _suite
from optbench.runners.cases import env_claims as _env_claims

for _claim in _env_claims(relative_to=_Path(__file__).resolve().parent.parent) or []:
    _cls = _suite(_claim)
    globals()[_cls.__name__] = _cls
