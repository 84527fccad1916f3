"""The audit grammar's words: hedges, directions, metric nouns, units, and the
nouns that mark a figure as a setting, a version or a piece of hardware
rather than a result.

Every list is lower case. Multi-word entries are matched on consecutive word
tokens (see parse.py); hyphenated words are single tokens ("worst-case").
"""
from __future__ import annotations

import re

# --- hedges -----------------------------------------------------------------
# Phrases before a figure, as (words, canonical hedge). Longest first.
HEDGE_PHRASES: list[tuple[tuple[str, ...], str]] = sorted([
    (("up", "to"), "up to"),
    (("at", "least"), "at least"),
    (("at", "most"), "at most"),
    (("as", "much", "as"), "up to"),
    (("as", "many", "as"), "up to"),
    (("upwards", "of"), "at least"),
    (("in", "excess", "of"), "at least"),
    (("more", "than"), "more than"),
    (("greater", "than"), "more than"),
    (("over",), "over"),
    (("less", "than"), "less than"),
    (("fewer", "than"), "less than"),
    (("under",), "under"),
    (("close", "to"), "close to"),
    (("about",), "about"),
    (("around",), "around"),
    (("roughly",), "roughly"),
    (("approximately",), "approximately"),
    (("approx",), "approximately"),
    (("circa",), "about"),
    (("nearly",), "nearly"),
    (("almost",), "nearly"),
    (("some",), "about"),
    (("typically",), "typically"),
    (("something", "like"), "about"),
    (("on", "the", "order", "of"), "about"),
    (("in", "the", "region", "of"), "about"),
    (("of", "the", "order", "of"), "about"),
], key=lambda p: -len(p[0]))

HEDGE_SYMBOLS = {"~": "~", "∼": "~", "≈": "~", "≃": "~", ">": "more than", ">=": "at least",
                 "≥": "at least", "<": "less than", "<=": "at most", "≤": "at most"}

# --- directions -------------------------------------------------------------
FASTER, LESS, MORE, SLOWER = "faster", "less", "more", "slower"

# Single words and phrases; the value is the direction's type.
DIRECTION_PHRASES: list[tuple[tuple[str, ...], str]] = sorted([
    *[((w,), FASTER) for w in (
        "faster", "quicker", "speedup", "speedups", "speed-up", "speed-ups", "sped-up",
        "improvement", "improvements", "improves", "improved", "improve", "better",
        "boost", "boosts", "boosted", "gain", "gains", "accelerates", "accelerated",
        "acceleration", "accelerate")],
    (("speeds", "up"), FASTER), (("speed", "up"), FASTER), (("sped", "up"), FASTER),
    (("as", "fast"), FASTER), (("as", "quick"), FASTER), (("as", "quickly"), FASTER),
    *[((w,), LESS) for w in (
        "reduction", "reductions", "reduce", "reduces", "reduced", "reducing", "less", "fewer",
        "lower", "lowers", "lowered", "smaller", "saves", "save", "saved", "saving", "savings",
        "cut", "cuts", "decrease", "decreases", "decreased", "drop", "drops", "dropped",
        "shrink", "shrinks", "shrank", "shrunk", "down", "eliminated", "eliminates",
        "eliminate", "removed", "removes", "deleted", "deletes", "trimmed", "shorter",
        "cheaper", "leaner", "lighter", "decline", "declines")],
    *[((w,), MORE) for w in (
        "higher", "more", "increase", "increases", "increased", "up", "larger", "bigger",
        "greater", "grows", "grew", "rise", "rises", "rose", "raised", "raises")],
    (("as", "much"), MORE), (("as", "many"), MORE), (("as", "large"), MORE),
    *[((w,), SLOWER) for w in (
        "slower", "slowdown", "slowdowns", "slow-down", "regression", "regresses", "longer")],
    (("slows", "down"), SLOWER), (("as", "slow"), SLOWER),
], key=lambda p: -len(p[0]))

# A direction word to the left of its figure needs one of these right before
# the figure ("reduces worst-case by 80%", "speedup of 3x", "Improvement: 17%"),
# or must stand right beside it ("saves 40%").
LEFT_CONNECTORS = {"by", "of", ":", "|", "is", "was", "~"}

# --- metrics ----------------------------------------------------------------
LOWER, HIGHER = "lower", "higher"   # which way is better

# (metric, orientation, regex over space-joined lower-case words), most
# specific first; a regex must match whole words from the token it starts at.
METRIC_PATTERNS: list[tuple[str, str, str]] = [
    ("complexity", LOWER, r"(?:time |space )?complexity"),
    ("image I/O", LOWER, r"image (?:i/o|io|reads?|loads?|loading|opens?|file reads?|file opens?)"
                         r"|image files? (?:opened|opens|read|reads|loaded)"),
    ("decodes", LOWER, r"(?:video |frame |full )?(?:decodes|decode|decoding|decoded)"),
    ("writes", LOWER, r"(?:file |disk |log |metrics |checkpoint )?(?:writes|rewrites|flushes)"
                      r"|(?:metrics |checkpoint )?saves|disk wear"),
    ("file I/O", LOWER, r"(?:file|disk|log) (?:i/o|io)(?: operations?| ops| calls)?"
                        r"|(?:file|disk|log) (?:operations?|ops|opens?|accesses|reads)"
                        r"|file-i/o|i/o(?: operations?| ops| calls)?|opens|opened|open calls"
                        r"|file handles"),
    ("memory", LOWER, r"(?:(?:gpu|host|peak|cpu|device|system|process|resident|working) )*"
                      r"(?:memory|ram|vram|rss|heap|footprint)(?: usage| footprint| use"
                      r"| consumption| spikes?| pressure)?|peak|allocations?|memory-usage"),
    ("latency", LOWER, r"(?:(?:p50|p90|p95|p99|tail|median|mean|request|step|query) )?latency"
                       r"|latencies"
                       r"|p50|p90|p95|p99|response times?|time to first token|ttft"),
    ("throughput", HIGHER, r"throughput|bandwidth|samples/s|samples/sec|samples per second"
                           r"|it/s|its/s|iterations per second|tokens/s|tokens per second"
                           r"|tok/s|images/s|img/s|fps|frames per second|qps|req/s"
                           r"|requests per second|examples/s|items/s"),
    ("lines of code", LOWER, r"lines of code|loc|sloc|code(?= (?:reduction|size))|lines"
                             r"|statements|duplicated code|duplicate code"),
    ("CPU efficiency", HIGHER, r"cpu (?:efficiency|utili[sz]ation)"),
    ("GPU utilization", HIGHER, r"gpu (?:efficiency|utili[sz]ation)"),
    ("CPU time", LOWER, r"cpu (?:time|usage|cycles|seconds)"),
    ("disk space", LOWER, r"disk (?:space|usage)|storage|file size|checkpoint size"),
    ("calls", LOWER, r"(?:function |api |kernel |python |system )?calls|syscalls"
                     r"|kernel launches|round trips|host-device copies|syncs"
                     r"|synchroni[sz]ations|queries"),
    ("time", LOWER, r"(?:(?:wall|wall-clock|run|step|epoch|iteration|training|validation"
                    r"|inference|total|end-to-end|load|loading|startup|build|compile"
                    r"|processing|preprocessing|lookup|response|job|test|ci) )?"
                    r"(?:time|times|duration|runtime|run-time|wall-clock|seconds)"
                    r"|worst-case|wall time|elapsed|(?:data )?loading|startup"),
    ("time", HIGHER, r"(?:training |inference |loading |processing |iteration |lookup )?speed"),
]
METRIC_RES = [(m, o, re.compile(rf"(?:{p})(?= |$)")) for m, o, p in METRIC_PATTERNS]

# Metrics counted per event: a bare count beside one of them is a figure
# ("44 -> 21 writes", "saves 112 opens"); beside any other noun it is not.
COUNTED = {"image I/O", "decodes", "writes", "file I/O", "lines of code", "calls"}
SPEED_GROUP = {"time", "latency", "throughput", "CPU time", "CPU efficiency"}

# --- what is not a result ---------------------------------------------------
# A figure next to one of these is a setting ("num_workers 2 -> 8", "batch of
# 64", "10x larger batch size").
CONFIG_PATTERNS = re.compile(
    r"(?:num_workers|num-workers|workers?|worker count|batch(?:[ _-]size)?|batches|bs|lr"
    r"|learning[ -]rate|threads?|num_threads|chunk(?:[ _-]size)?|chunks|buffer(?:[ _-]size)?"
    r"|cache(?:[ _-]size)?|max_?size|maxsize|prefetch(?:_factor)?|prefetch factor|seed"
    r"|epochs?|patience|momentum|dropout|weight decay|warmup|cores?|gpus?|nodes|replicas"
    r"|shards|steps|accumulation|timeout|retries|depth|width|layers|heads|hidden size"
    r"|embedding size|dim|dims|dimension|vocab(?:ulary)?|resolution|interval|frequency"
    r"|every|rank|world size|sequence length|seq len|context length|max_length|tokens"
    r"|image size|img size|crop|pool size|queue size|capacity|limit|top-?k|beam size"
    r"|alpha|gamma|beta|temperature|version|level|samples?)(?= |$)")

# Libraries, languages and tools whose numbers are versions ("torch 2.1").
VERSION_WORDS = {
    "torch", "pytorch", "python", "cuda", "cudnn", "numpy", "pandas", "transformers",
    "tensorflow", "tf", "jax", "sklearn", "scikit-learn", "scipy", "pillow", "opencv", "rich",
    "pip", "node", "gcc", "clang", "ubuntu", "debian", "driver", "nccl", "triton", "version",
    "versions", "release", "rc", "lightning", "accelerate", "deepspeed", "onnx", "onnxruntime",
    "tensorrt", "rocm", "java", "golang", "rust", "llvm", "macos", "windows", "ios", "android",
    "kernel", "linux", "v", "ver", "pyarrow", "polars", "arrow", "protobuf", "django", "flask",
}

# Makers and product lines whose numbers name hardware ("RTX 3090").
HARDWARE_WORDS = {
    "rtx", "gtx", "quadro", "tesla", "radeon", "rx", "xeon", "epyc", "ryzen", "core", "i3",
    "i5", "i7", "i9", "threadripper", "m1", "m2", "m3", "m4", "a100", "h100", "v100", "t4",
    "l4", "a10", "a10g", "l40", "l40s", "mi250", "mi300", "tpu", "tpuv4", "jetson", "arc",
    "titan", "geforce", "instinct", "graviton", "snapdragon",
}

# Workload nouns: "on 2M rows", "1000 images", "batch of 64" carry no claim.
# (Used only to skip such phrases between a figure and its transition.)
SKIPPABLE_BETWEEN = {"for", "on", "with", "per", "over", "across", "at", "in"}

EXPECTATION = re.compile(
    r"\b(?:expect(?:ed|s|ing|ation|ations)?|estimat(?:e|ed|es|ion|ions)|est\.|should|will"
    r"|would|could|may|might|potential(?:ly)?|projected|projection|anticipated?|predicted"
    r"|prediction|theoretical(?:ly)?|likely|hopefully|promises?|forecast)\b", re.IGNORECASE)

# In a heading, a table header or a row label only these mark what follows as
# expected ("## Expected improvements"); a modal verb there ("every difference
# that could change a verdict") says nothing about the figures under it.
EXPECTATION_CONTEXT = re.compile(
    r"\b(?:expect(?:ed|ation|ations)|estimat(?:e|ed|es|ion|ions)|projected|projections?"
    r"|anticipated|predicted|predictions?|theoretical|potential|forecasts?|targets?)\b",
    re.IGNORECASE)

# Table headers: which column holds the figure before the change, which after.
BEFORE_HEADER = re.compile(
    r"\b(?:before|baseline|old|original|orig|previous|prev|current|main|master|base"
    r"|unoptimi[sz]ed|without|reference|ref|legacy)\b", re.IGNORECASE)
AFTER_HEADER = re.compile(
    r"\b(?:after|optimi[sz]ed|new|pr|patched|this pr|with|improved|proposed|branch|candidate|ours"
    r"|fixed|now)\b", re.IGNORECASE)
MEASURED_HEADER = re.compile(r"\b(?:measured|results?|observed|actual|benchmark(?:ed)?)\b",
                             re.IGNORECASE)

# --- units ------------------------------------------------------------------
# canonical -> (family, scale in the family's base unit). Throughput units
# are compared only with the same unit.
UNITS: dict[str, tuple[str, float]] = {
    "ns": ("time", 1e-9), "µs": ("time", 1e-6), "μs": ("time", 1e-6), "us": ("time", 1e-6),
    "ms": ("time", 1e-3), "s": ("time", 1.0), "sec": ("time", 1.0), "secs": ("time", 1.0),
    "second": ("time", 1.0), "seconds": ("time", 1.0), "min": ("time", 60.0),
    "mins": ("time", 60.0), "minute": ("time", 60.0), "minutes": ("time", 60.0),
    "h": ("time", 3600.0), "hr": ("time", 3600.0), "hrs": ("time", 3600.0),
    "hour": ("time", 3600.0), "hours": ("time", 3600.0), "day": ("time", 86400.0),
    "days": ("time", 86400.0),
    "B": ("memory", 1.0), "bytes": ("memory", 1.0), "KB": ("memory", 1e3), "kB": ("memory", 1e3),
    "KiB": ("memory", 1024.0), "MB": ("memory", 1e6), "MiB": ("memory", 2.0 ** 20),
    "GB": ("memory", 1e9), "GiB": ("memory", 2.0 ** 30), "TB": ("memory", 1e12),
    "TiB": ("memory", 2.0 ** 40),
    "MB/s": ("bandwidth", 1e6), "GB/s": ("bandwidth", 1e9), "KB/s": ("bandwidth", 1e3),
}
THROUGHPUT_UNITS = [
    "samples/s", "samples/sec", "sample/s", "it/s", "its/s", "iter/s", "iters/s", "tokens/s",
    "tokens/sec", "tok/s", "images/s", "img/s", "imgs/s", "fps", "FPS", "frames/s", "ex/s",
    "examples/s", "items/s", "steps/s", "batches/s", "qps", "QPS", "req/s", "rps",
]
for _u in THROUGHPUT_UNITS:
    UNITS[_u] = ("throughput:" + _u.lower(), 1.0)
UNIT_FAMILY_METRIC = {"time": "time", "memory": "memory", "bandwidth": "throughput"}

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20,
    "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80,
    "ninety": 90, "hundred": 100, "thousand": 1000,
}
FOLD_WORDS = {"twofold": 2, "threefold": 3, "fourfold": 4, "fivefold": 5, "tenfold": 10,
              "hundredfold": 100}

FILLERS = {"in", "of", "the", "a", "an", "for", "on", "during", "per", "total", "overall",
           "across", "end-to-end", "average", "median", "mean", "typical", "its", "their",
           "our"}
