"""How a theme's words shift: each topic's top words per year.

For topic k and year y, a term's weight is its count in that year's units credited to topic k:

- "assignment" (default): each token of term v in unit u is credited to topic k with probability
  theta[u, k] * phi[k, v] / sum_j theta[u, j] * phi[j, v] (the expected topic assignment given the
  unit's shares and the topic's words), so a word common to every unit is not credited wholesale.
- "share": each token of unit u is credited to topic k by the unit's share theta[u, k] alone.

Weights are normalised within each (topic, year). A dynamic model (tomotopy-dtm, gensim-ldaseq) has its own
topic-word distribution per year, which is used as it is. Entering words are in a year's top list
and not in the previous year's (with documents); leaving words the reverse.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

WEIGHTINGS = {
    "assignment": "term counts credited by expected topic assignment (unit share x topic-word weight)",
    "share": "term counts weighted by the unit's share of the topic",
}


class ThemeWord(NamedTuple):
    """A word among a theme's top words in one year."""

    topic: int
    year: int
    rank: int
    term: str
    weight: float


class ThemeShift(NamedTuple):
    """Words entering and leaving a theme's top words against the previous year with documents."""

    topic: int
    year: int
    entering: tuple
    leaving: tuple


@dataclass(frozen=True)
class Evolution:
    """rows: (topic, year, rank, term, weight); shifts: (topic, year, entering, leaving)."""

    years: tuple
    rows: tuple
    shifts: tuple
    method: str


def _year_weights(model, counts, rows, weighting: str) -> np.ndarray:
    """(K, V) credited counts of the units ``rows``."""
    theta = model.doc_topic[rows]
    c = sp.csr_matrix(counts[rows], dtype=float)
    if weighting == "share":
        return np.asarray((c.T @ theta).T)
    coo = c.tocoo()
    phi = model.topic_term
    denom = np.einsum("ik,ki->i", theta[coo.row], phi[:, coo.col])
    r = sp.csr_matrix((coo.data / np.maximum(denom, 1e-300), (coo.row, coo.col)), shape=c.shape)
    return np.asarray((r.T @ theta).T) * phi


def theme_words(model, dtm, cfg) -> Evolution:
    """model.doc_topic (n_units, K) aligned with dtm.units; dtm.counts (n_units, n_terms)."""
    by_year = {}
    years_of = np.array([u.year for u in dtm.units])
    if model.topic_term_by_year:
        by_year = dict(model.topic_term_by_year)
        method = "the dynamic model's topic-word distribution for each year"
    else:
        for y in sorted(set(years_of.tolist())):
            w = _year_weights(model, dtm.counts, np.flatnonzero(years_of == y), cfg.weighting)
            by_year[y] = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-300)
        method = WEIGHTINGS[cfg.weighting]
    years = tuple(sorted(by_year))
    rows, shifts = [], []
    for k in range(model.n_topics):
        previous = None
        for y in years:
            w = by_year[y][k]
            order = np.lexsort((np.arange(w.size), -w))[: cfg.top_n]
            top = [model.vocab[i] for i in order if w[i] > 0]
            rows += [ThemeWord(k + 1, y, r + 1, model.vocab[i], float(w[i])) for r, i in enumerate(order) if w[i] > 0]
            if previous is not None:
                shifts.append(
                    ThemeShift(
                        k + 1, y, tuple(t for t in top if t not in previous), tuple(t for t in previous if t not in top)
                    )
                )
            previous = top
    return Evolution(years=years, rows=tuple(rows), shifts=tuple(shifts), method=method)
