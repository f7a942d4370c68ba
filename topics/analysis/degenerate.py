"""Degenerate topics, found after fitting: a topic is degenerate when one of the rules in ``RULES``
flags it, in any fit of an ensemble. Its stability is then 0 and a seed's match to it does not count
(stability.Ensemble), so its band comes from the first fit alone (analysis/uncertainty.py).

- "uniform": a near-uniform word distribution (normalised entropy at least ``UNIFORM_ENTROPY``);
- "duplicate": a repeat of a larger topic of the same fit (cosine at least ``DUPLICATE_COSINE``).
"""

from __future__ import annotations

import math
from typing import Callable, NamedTuple

import numpy as np

UNIFORM_ENTROPY = 0.98
"""A topic whose word distribution has normalised entropy H(phi_k) / log V at or above this is
near-uniform: it says nothing about which words go together (an LDA topic no unit uses keeps its
prior, which is uniform; NMF's empty topic is given equal weights). The other topics of the seeds'
three fits (117 units, 1,058 terms, K = 8) reach at most 0.878, those of three seed speeches cut to
12 units (29 terms; 65 when cut less short) at most 0.852 (0.890); the unused topics there have 1.000."""

DUPLICATE_COSINE = 0.95
"""A topic whose word distribution has cosine similarity at or above this with a larger topic of the
same fit repeats that topic. The other topics of the seeds' fits are at most 0.671 alike, of the
12-unit corpus 0.726 (0.566 with 65 terms); two unused (uniform) topics are 1.000 alike. The smaller
of the two (the later number: topics are numbered by prevalence) is flagged."""


class Degenerate(NamedTuple):
    """One degenerate topic of one fit of an ensemble (``fit`` 0 is the reference); ``topic`` is
    1-based in the reference's order; ``partner`` is the topic it repeats (rule "duplicate")."""

    fit: int
    topic: int
    rule: str  # a key of RULES
    measure: float
    threshold: float
    partner: int = 0

    def describe(self) -> str:
        """E.g. 'T8 near-uniform word distribution (normalised entropy 1.000 >= 0.98)'."""
        what = RULES[self.rule].describe.replace("{partner}", f"T{self.partner}")
        return f"T{self.topic} {what} ({RULES[self.rule].measure} {self.measure:.3f} >= {self.threshold})"


def normalised_entropy(topic_term: np.ndarray) -> np.ndarray:
    """(K, V) rows summing to 1 -> (K,) H(phi_k) / log V, in [0, 1] (1: uniform; 0 log 0 = 0)."""
    v = topic_term.shape[1]
    if v < 2:
        return np.ones(topic_term.shape[0])
    p = np.asarray(topic_term, dtype=float)
    logs = np.log(np.where(p > 0, p, 1.0))
    return -(p * logs).sum(axis=1) / math.log(v)


def _uniform(topic_term: np.ndarray):
    h = normalised_entropy(topic_term)
    return [(k, float(h[k]), 0) for k in range(len(h)) if h[k] >= UNIFORM_ENTROPY]


def _duplicate(topic_term: np.ndarray):
    unit = topic_term / np.maximum(np.linalg.norm(topic_term, axis=1, keepdims=True), 1e-300)
    sim = unit @ unit.T  # cosine similarity of every pair of rows (stability.cosine, which imports this)
    out = []
    for j in range(1, len(sim)):
        i = int(np.argmax(np.round(sim[j, :j], 9)))  # the most alike larger topic (the largest on a tie)
        if sim[j, i] >= DUPLICATE_COSINE:
            out.append((j, float(sim[j, i]), i + 1))
    return out


class Rule(NamedTuple):
    measure: str  # what the number is
    threshold: float
    describe: str  # what the topic is ({partner}: the topic it repeats)
    find: Callable  # (K, V) -> [(topic index, measure, partner topic or 0)]


RULES = {
    "uniform": Rule("normalised entropy", UNIFORM_ENTROPY, "near-uniform word distribution", _uniform),
    "duplicate": Rule("cosine", DUPLICATE_COSINE, "repeats {partner}", _duplicate),
}


def degenerate_topics(topic_term: np.ndarray, fit: int = 0) -> tuple[Degenerate, ...]:
    """Every rule of RULES applied to one fit's topic_term (K, V); sorted by topic, then rule."""
    found = [
        Degenerate(fit, k + 1, name, measure, rule.threshold, partner)
        for name, rule in RULES.items()
        for k, measure, partner in rule.find(topic_term)
    ]
    return tuple(sorted(found, key=lambda d: (d.topic, list(RULES).index(d.rule))))


def degenerate_finding(flags) -> str:
    """The warning on the reference fit's degenerate topics ("" when there is none)."""
    mine = [d for d in flags if d.fit == 0]
    if not mine:
        return ""
    return (
        f"degenerate topic(s), stability set to 0: {'; '.join(d.describe() for d in mine)}. "
        "They stand for no theme: leave them out of the reading, or lower model.n_topics"
    )
