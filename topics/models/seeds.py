"""The one rule by which seeds are derived from the experiment seed, and choosing the best start.

Every derived seed is ``(seed + i * step) % 2**32`` with ``i = 0`` giving the experiment seed itself.
The step names the purpose, so that two purposes never draw the same sequence for i > 0:

- restarts of one fit (``n_init`` starts of variational LDA, of tomotopy's DTM): step 1,000,003;
- the seeds of an ensemble (stability seeds, the seeds of a K sweep): step 7,919;
- the coders of a validation kit (``topics validate``: coder c orders the tasks with seed i = c): step 104,729.

A fit with ensemble seed ``s`` runs its starts with ``restart_seeds(s, n_init)``.
"""

from __future__ import annotations

import numpy as np

STEPS = {"start": 1_000_003, "ensemble": 7_919, "coder": 104_729}


def derived_seeds(seed: int, n: int, purpose: str) -> list[int]:
    """The first ``n`` seeds derived from ``seed`` for ``purpose`` (a key of STEPS)."""
    step = STEPS[purpose]
    return [(seed + i * step) % 2**32 for i in range(n)]


def restart_seeds(seed: int, n_init: int) -> list[int]:
    """Start r uses seed + r * 1000003 (mod 2**32); start 0 is the experiment seed itself."""
    return derived_seeds(seed, n_init, "start")


def ensemble_seeds(seed: int, n: int) -> list[int]:
    """Seed i of an ensemble is seed + i * 7919 (mod 2**32); seed 0 is the experiment seed."""
    return derived_seeds(seed, n, "ensemble")


def coder_seeds(seed: int, coders: int) -> list[int]:
    """The seed of coder c (1..coders) of a validation kit drawn with ``seed``: seed + c * 104729
    (mod 2**32); seed 0 of the sequence, the kit's own seed, draws the tasks."""
    return derived_seeds(seed, coders + 1, "coder")[1:]


def best_of(starts):
    """starts: iterable of (bound, result). Returns the best result and the record of all bounds.

    Variational LDA finds a local optimum that depends on the random start; on a planted corpus a
    single start merges topics on 3 to 4 seeds in 8, for gensim and scikit-learn alike. Each LDA engine
    therefore fits ``n_init`` starts and keeps the one with the highest bound, as k-means keeps its
    best start."""
    bounds, best, best_bound = [], None, -np.inf
    for bound, result in starts:
        bounds.append(float(bound))
        if bound > best_bound:
            best, best_bound = result, bound
    return best, {"bounds": bounds, "chosen_start": int(np.argmax(bounds))}
