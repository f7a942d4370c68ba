"""Matching topics between fits: cosine similarity of topic-word rows, Hungarian assignment.

Used three ways: topics of other seeds matched to the reference fit (stability), topics of other
engines matched to the main model (comparison), and topics across the seeds of a K sweep.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data import FittedModel
from .degenerate import Degenerate, degenerate_topics


def cosine(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a (K1, V), b (K2, V) -> (K1, K2) cosine similarities."""
    an = a / np.maximum(np.linalg.norm(a, axis=1, keepdims=True), 1e-300)
    bn = b / np.maximum(np.linalg.norm(b, axis=1, keepdims=True), 1e-300)
    return an @ bn.T


def match(reference: np.ndarray, other: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Assign topics of ``other`` (K, V) to those of ``reference`` (K, V) one to one, maximising
    total cosine similarity (scipy's linear_sum_assignment, the Hungarian algorithm).

    Returns perm (K,) with other[perm[i]] matched to reference[i], and the similarities (K,)."""
    from scipy.optimize import linear_sum_assignment

    sim = cosine(reference, other)
    rows, cols = linear_sum_assignment(-sim)
    perm = cols[np.argsort(rows)]
    return perm, sim[np.arange(len(perm)), perm]


def aligned(model: FittedModel, perm: np.ndarray) -> FittedModel:
    """``model`` with its topics reordered by ``perm`` (topic i of the result is perm[i])."""
    return FittedModel(
        engine=model.engine,
        doc_topic=model.doc_topic[:, perm],
        topic_term=model.topic_term[perm],
        vocab=model.vocab,
        params=model.params,
        notes=model.notes,
        info=model.info,
        topic_term_by_year=tuple((y, a[perm]) for y, a in model.topic_term_by_year),
    )


@dataclass(frozen=True)
class Ensemble:
    """Fits of one model with several seeds, topics aligned to the first (the reference).

    similarity: (n_seeds - 1, K), each other seed's matched cosine similarity per reference topic,
    as measured. degenerate: the degenerate topics of every fit (analysis/guards.py; ``fit`` 0 is
    the reference), in the reference's topic order. A match counts (``credited``) only between two
    topics neither of which is degenerate: a degenerate reference topic has stability 0, and a
    seed whose matched topic is degenerate counts 0 for that topic.

    stability: (K,) mean credited similarity (1.0 with a single seed, 0 for a degenerate topic);
    matched: (n_seeds - 1, K) whether each other seed's topic recurs (credited similarity at least
    ``threshold``); recurs: (K,) in how many other seeds; pooled: (n_seeds, K) the fits whose
    shares of each topic go into its bootstrap band (the reference always, then the matched seeds)."""

    models: tuple[FittedModel, ...]
    seeds: tuple[int, ...]
    similarity: np.ndarray
    threshold: float
    degenerate: tuple[Degenerate, ...] = ()

    @property
    def reference(self) -> FittedModel:
        return self.models[0]

    @property
    def flagged(self) -> np.ndarray:
        """(n_seeds, K) bool: the topic of that fit is degenerate."""
        out = np.zeros((len(self.models), self.reference.n_topics), dtype=bool)
        for d in self.degenerate:
            out[d.fit, d.topic - 1] = True
        return out

    @property
    def credited(self) -> np.ndarray:
        """(n_seeds - 1, K): similarity, 0 where either topic of the match is degenerate."""
        flagged = self.flagged
        return np.where(flagged[1:] | flagged[0], 0.0, self.similarity)

    @property
    def stability(self) -> np.ndarray:
        if len(self.models) == 1:
            return np.where(self.flagged[0], 0.0, 1.0)
        return self.credited.mean(axis=0)

    @property
    def matched(self) -> np.ndarray:
        flagged = self.flagged
        return (self.similarity >= self.threshold) & ~flagged[1:] & ~flagged[0]

    @property
    def recurs(self) -> np.ndarray:
        return self.matched.sum(axis=0)

    @property
    def pooled(self) -> np.ndarray:
        return np.vstack([np.ones((1, self.reference.n_topics), dtype=bool), self.matched])

    def unstable(self) -> list[int]:
        """Topics (1-based) that recur in fewer than half of the other seeds."""
        others = len(self.models) - 1
        return [t + 1 for t in range(self.reference.n_topics) if others and self.recurs[t] * 2 < others]

    def reference_degenerate(self) -> dict[int, list[Degenerate]]:
        """Topic (1-based) -> its flags, for the reference fit's degenerate topics."""
        out: dict[int, list[Degenerate]] = {}
        for d in self.degenerate:
            if d.fit == 0:
                out.setdefault(d.topic, []).append(d)
        return out


def flag_degenerate(models) -> tuple[Degenerate, ...]:
    """The degenerate topics of every fit (aligned to the reference), fit by fit."""
    return tuple(d for i, m in enumerate(models) for d in degenerate_topics(m.topic_term, fit=i))


def ensemble(models: list[FittedModel], seeds: list[int], threshold: float) -> Ensemble:
    """Align every model to models[0]; all share one vocabulary."""
    ref = models[0]
    out, sims = [ref], []
    for m in models[1:]:
        perm, sim = match(ref.topic_term, m.topic_term)
        out.append(aligned(m, perm))
        sims.append(sim)
    sim = np.array(sims) if sims else np.zeros((0, ref.n_topics))
    return Ensemble(
        models=tuple(out), seeds=tuple(seeds), similarity=sim, threshold=threshold, degenerate=flag_degenerate(out)
    )
