"""The tomotopy engines: LDA by collapsed Gibbs sampling, and the dynamic topic model (C++).

Deterministic for a fixed seed and worker count; the worker count is a model parameter, so it is
recorded with the run and changes the run id (a different count gives different samples).
Words are passed as vocabulary indices, so topic-word rows map back to the sorted vocabulary.
"""

from __future__ import annotations

import numpy as np

from .heldout import completion_perplexity
from .seeds import best_of, restart_seeds


def _docs(counts):
    """csr counts (n, V) -> per unit, its tokens as vocabulary-index strings."""
    out = []
    for i in range(counts.shape[0]):
        lo, hi = counts.indptr[i], counts.indptr[i + 1]
        out.append([str(j) for j, c in zip(counts.indices[lo:hi], counts.data[lo:hi]) for _ in range(int(c))])
    return out


def _topic_term(mdl, k: int, n_terms: int, **kw) -> np.ndarray:
    """(K, n_terms) in our vocabulary order; words the model never saw get zero."""
    index = np.array([int(w) for w in mdl.used_vocabs])
    out = np.zeros((k, n_terms))
    for t in range(k):
        out[t, index] = mdl.get_topic_word_dist(t, **kw)[: len(index)]
    return out


def tomotopy_lda(counts, k: int, seed: int, p: dict, years):
    import tomotopy as tp

    mdl = tp.LDAModel(k=k, alpha=p["alpha"], eta=p["eta"], seed=seed)
    for words in _docs(counts):
        mdl.add_doc(words)
    mdl.burn_in = p["burn_in"]
    mdl.optim_interval = p["optim_interval"]
    mdl.train(p["iterations"], workers=p["workers"])
    theta = np.array([d.get_topic_dist() for d in mdl.docs])
    info = {"log_likelihood_per_word": float(mdl.ll_per_word), "workers": p["workers"], "tomotopy_isa": tp.isa}
    return theta, _topic_term(mdl, k, counts.shape[1]), info, mdl


def tomotopy_perplexity(mdl, test_counts) -> float:

    def infer(shown):
        docs = [mdl.make_doc(w) for w in _docs(shown)]
        dists, _ = mdl.infer(docs, workers=1)
        return np.array(dists)

    k = mdl.k
    return completion_perplexity(infer, _topic_term(mdl, k, test_counts.shape[1]), test_counts)


def tomotopy_dtm(counts, k: int, seed: int, p: dict, years):
    """tomotopy's dynamic topic model (Blei & Lafferty 2006, sampled by SGLD after Bhadury et al.
    2016): one topic-word distribution per year. The sampler's step size ``lr_a * (lr_b + i) **
    -lr_c``; tomotopy's default step (0.01) left planted topics merged, so the defaults here are
    larger. Like the LDA engines it keeps the best of ``n_init`` starts (by log-likelihood per
    word), since a start can merge two topics.

    Returns doc_topic (n_units, K), the topic-word mean over years (K, V), and in info the
    (K, V) matrix of every year."""
    import tomotopy as tp

    slices = sorted(set(years))
    position = {y: i for i, y in enumerate(slices)}
    docs = _docs(counts)

    def start(s):
        mdl = tp.DTModel(
            k=k,
            t=len(slices),
            alpha_var=p["alpha_var"],
            eta_var=p["eta_var"],
            phi_var=p["phi_var"],
            lr_a=p["lr_a"],
            lr_b=p["lr_b"],
            lr_c=p["lr_c"],
            seed=s,
        )
        for words, year in zip(docs, years):
            mdl.add_doc(words, timepoint=position[year])
        mdl.train(p["iterations"], workers=p["workers"])
        return mdl.ll_per_word, mdl

    mdl, info = best_of(start(s) for s in restart_seeds(seed, p["n_init"]))
    theta = np.array([d.get_topic_dist() for d in mdl.docs])
    by_year = np.stack([_topic_term(mdl, k, counts.shape[1], timepoint=i) for i in range(len(slices))], axis=2)
    by_year = by_year / np.maximum(by_year.sum(axis=1, keepdims=True), 1e-300)  # (K, V, T)
    info.update(
        {
            "workers": p["workers"],
            "tomotopy_isa": tp.isa,
            "topic_term_by_year": tuple((y, by_year[:, :, i]) for i, y in enumerate(slices)),
        }
    )
    return theta, by_year.mean(axis=2), info, mdl
