"""A claims module of your own: `optbench verify --claims examples/my_claims.py`.

The claim: "looking tokens up in a set instead of a list is 10x faster".
"""
import random

from optbench import Case, Claim, Claimed, Equivalence, Metric, Workload


def list_vocabulary(words):          # the code before
    return list(words)


def set_vocabulary(words):           # the code after
    return set(words)


def make_words(size):                # seeded: same words every run
    rng = random.Random(size)
    words = [f"token{rng.randrange(10 * size)}" for _ in range(size)]
    queries = [rng.choice(words) for _ in range(200)]
    return words, queries


def setup(case: Case):               # not timed
    words, queries = case.data
    return case.implementation(words), queries


def lookups(state):                  # timed
    vocabulary, queries = state
    return [q in vocabulary for q in queries]


CLAIMS = [Claim(
    id="vocab.set_lookup",
    source="my PR #123",
    component="vocabulary",
    title="set instead of list for token lookups",
    claimed=Claimed.times_fewer(10, text="10x faster lookups"),
    variants={"baseline": list_vocabulary, "optimized": set_vocabulary},
    workload=Workload("tokens", make_words, sizes=(1_000, 10_000), quick_sizes=(1_000,)),
    setup=setup,
    primary=Metric("lookup_time", "time", "s", lookups, "200 membership tests"),
    output=lambda case: lookups(setup(case)),
    equivalence=Equivalence.exact("same answers"),
)]
