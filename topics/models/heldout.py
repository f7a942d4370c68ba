"""Held-out scoring shared by the engines: document completion (Wallach et al. 2009)."""

from __future__ import annotations

import numpy as np


def completion_split(counts):
    """Split each held-out unit's tokens in two halves (alternate tokens, in term order): the first
    half is shown to the model to infer the unit's topic shares, the second is scored."""
    import scipy.sparse as sp

    counts = sp.csr_matrix(counts)
    shown, scored = counts.copy().astype(float), counts.copy().astype(float)
    for i in range(counts.shape[0]):
        lo, hi = counts.indptr[i], counts.indptr[i + 1]
        c = counts.data[lo:hi].astype(int)
        before = np.concatenate([[0], np.cumsum(c)[:-1]])  # tokens before this term
        first = (c + (before % 2 == 0)) // 2  # tokens at even positions
        shown.data[lo:hi], scored.data[lo:hi] = first, c - first
    return shown, scored


def completion_perplexity(infer, topic_term, counts) -> float:
    """Held-out perplexity by document completion (Wallach et al. 2009): topic shares inferred from
    half of each unit's tokens, exp(-mean log-likelihood) of the other half under shares x topics."""
    shown, scored = completion_split(counts)
    theta = np.asarray(infer(shown), dtype=float)
    theta = theta / np.maximum(theta.sum(axis=1, keepdims=True), 1e-300)
    phi = np.asarray(topic_term, dtype=float)
    phi = phi / phi.sum(axis=1, keepdims=True)
    coo = scored.tocoo()
    p = np.einsum("ik,ki->i", theta[coo.row], phi[:, coo.col])
    return float(np.exp(-(coo.data * np.log(np.maximum(p, 1e-300))).sum() / max(coo.data.sum(), 1)))
