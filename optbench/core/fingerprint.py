"""The machine an entry was measured on, and its fingerprint: the facts that
can move a timed ratio (CPU model and flags, usable cores, memory, GPU and
driver, torch and CUDA, torch's thread count), hashed. Two entries compare
their timed ratios only on the same fingerprint (core/gate.py); the host
name is recorded but not hashed, so two identical runners are one machine.
"""
from __future__ import annotations

import hashlib
import json
import os
import platform
import socket
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping

# The fields hashed, in order; `host` is recorded beside them.
HASHED = ("cpu_model", "cpu_flags", "usable_cores", "memory_bytes", "gpu", "gpu_driver",
          "torch", "cuda", "threads", "executor")
# Recorded and hashed only where it is not the local run's: a case on a Ray
# node runs in a process forked from a Ray worker, whose heap (Ray's own
# objects) a heap-walking reading sees (video.aggressive_gc's collections
# took 173 ms a call there, 157 ms locally, on one machine). A local entry's
# fingerprint is what it was before executors were recorded.
LOCAL_EXECUTOR = "local"


def _memory_bytes() -> int | None:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def _gpu_driver() -> str | None:
    """NVIDIA's kernel driver version, where the driver says it."""
    try:
        text = Path("/proc/driver/nvidia/version").read_text()
    except OSError:
        return None
    for word in text.split():
        if word[:1].isdigit() and word.count(".") >= 1:
            return word
    return None


@lru_cache(maxsize=None)
def _static() -> tuple[tuple[str, Any], ...]:
    import torch

    from .results import cpu_info, cuda_device, usable_cores

    model, flags = cpu_info()
    gpu = cuda_device()
    return (("host", socket.gethostname() or platform.node()), ("cpu_model", model),
            ("cpu_flags", tuple(flags)), ("usable_cores", usable_cores()),
            ("memory_bytes", _memory_bytes()), ("gpu", gpu),
            ("gpu_driver", _gpu_driver() if gpu else None), ("torch", torch.__version__),
            ("cuda", torch.version.cuda if gpu else None))


def machine(threads: int | None, executor: str = LOCAL_EXECUTOR) -> dict[str, Any]:
    """This process's machine as an entry records it, `fingerprint` first."""
    facts = dict(_static())
    facts["cpu_flags"] = list(facts["cpu_flags"])
    facts["threads"] = threads
    if executor != LOCAL_EXECUTOR:
        facts["executor"] = executor
    return {"fingerprint": fingerprint(facts), **facts}


def fingerprint(facts: Mapping[str, Any]) -> str:
    """12 hex digits of the hashed fields: equal facts, equal fingerprint."""
    hashed = {name: facts.get(name) for name in HASHED
              if name != "executor" or facts.get(name) is not None}
    digest = hashlib.sha256(json.dumps(hashed, sort_keys=True, default=str).encode())
    return digest.hexdigest()[:12]


def describe(facts: Mapping[str, Any]) -> str:
    """"AMD EPYC, 2 cores, 24 GiB, no GPU, torch 2.14.1, 1 thread (3f2a...)"."""
    memory = facts.get("memory_bytes")
    parts = [str(facts.get("cpu_model") or "?"),
             f"{facts.get('usable_cores')} cores",
             f"{memory / 2**30:.0f} GiB" if memory else "",
             facts.get("gpu") or "no GPU", f"torch {facts.get('torch')}",
             f"{facts.get('threads')} thread(s)" if facts.get("threads") else ""]
    return ", ".join(p for p in parts if p) + f" ({facts.get('fingerprint', '?')})"


def differs(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The hashed fields that differ between two entries' machines, in words;
    [] where either has none (a file older than fingerprints) or both agree."""
    if not old or not new or old.get("fingerprint") == new.get("fingerprint"):
        return []
    return [f"{name} {old.get(name)} -> {new.get(name)}" for name in HASHED
            if old.get(name) != new.get(name)]
