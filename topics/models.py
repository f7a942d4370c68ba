"""Topic models behind one interface: a registry of engines, each a thin adapter.

Every adapter takes the counts (n_units, n_terms) and returns the two arrays of the contract:
doc_topic (n_units, K) and topic_term (K, n_terms), rows summing to 1. ``fit`` then puts topics in
order of corpus-wide (token-weighted) prevalence, so topic 1 is the largest.

- gensim-lda: Latent Dirichlet Allocation, online variational Bayes (Hoffman, Blei & Bach 2010),
  gensim's LdaModel, run in one process (deterministic for a seed).
- sklearn-lda: LDA by batch variational Bayes, scikit-learn's LatentDirichletAllocation.
- nmf: non-negative matrix factorisation of TF-IDF weights (Lee & Seung 1999; scikit-learn's NMF,
  coordinate descent, NNDSVD initialisation, Boutsidis & Gallopoulos 2008).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import checks as ck
from .data import DocTermMatrix, FittedModel
from .errors import ModelError


# ------------------------------------------------------------------ parameter checks
def _prior(*names):
    """A Dirichlet prior: a positive number, or one of the named rules."""
    def check(v):
        if isinstance(v, str) and v in names:
            return v
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
            return float(v)
        choices = f" or one of {', '.join(map(repr, names))}" if names else ""
        raise ck.Bad(f"expected a positive number{choices}, got {v!r}")
    return check


# ------------------------------------------------------------------ adapters
# Variational LDA finds a local optimum that depends on the random start; on a planted corpus a
# single start merges topics on 3 to 4 seeds in 8, for gensim and scikit-learn alike. Each LDA engine
# therefore fits ``n_init`` starts (seeds derived from the experiment seed) and keeps the one with
# the highest variational bound on the data, as k-means keeps its best start.

def restart_seeds(seed: int, n_init: int) -> list[int]:
    """Start r uses seed + r * 1000003 (mod 2**32); start 0 is the experiment seed itself."""
    return [(seed + r * 1_000_003) % 2**32 for r in range(n_init)]


def _best_of(starts):
    """starts: iterable of (bound, result). Returns the best result and the record of all bounds."""
    bounds, best, best_bound = [], None, -np.inf
    for bound, result in starts:
        bounds.append(float(bound))
        if bound > best_bound:
            best, best_bound = result, bound
    return best, {"bounds": bounds, "chosen_start": int(np.argmax(bounds))}


def _gensim_lda(counts, k: int, seed: int, p: dict):
    from gensim.matutils import Sparse2Corpus
    from gensim.models import LdaModel

    corpus = list(Sparse2Corpus(counts, documents_columns=False))
    alpha = p["alpha"] if isinstance(p["alpha"], str) else np.full(k, p["alpha"])
    eta = None if p["eta"] == "symmetric" else p["eta"]
    id2word = {i: str(i) for i in range(counts.shape[1])}

    def start(s):
        lda = LdaModel(corpus=corpus, num_topics=k, id2word=id2word, random_state=s, passes=p["passes"],
                       iterations=p["iterations"], alpha=alpha, eta=eta, chunksize=max(1, len(corpus)),
                       update_every=1, eval_every=None, minimum_probability=0.0, dtype=np.float64)
        return lda.bound(corpus), lda

    lda, info = _best_of(start(s) for s in restart_seeds(seed, p["n_init"]))
    gamma, _ = lda.inference(corpus)
    return gamma, lda.get_topics(), info


def _sklearn_lda(counts, k: int, seed: int, p: dict):
    from sklearn.decomposition import LatentDirichletAllocation

    def start(s):
        lda = LatentDirichletAllocation(n_components=k, doc_topic_prior=p["alpha"], topic_word_prior=p["eta"],
                                        learning_method="batch", max_iter=p["max_iter"], random_state=s)
        lda.fit(counts)
        return lda.score(counts), lda

    lda, info = _best_of(start(s) for s in restart_seeds(seed, p["n_init"]))
    return lda.transform(counts), lda.components_, info


def _nmf(counts, k: int, seed: int, p: dict):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer(sublinear_tf=p["sublinear_tf"]).fit_transform(counts)
    nmf = NMF(n_components=k, init=p["init"], max_iter=p["max_iter"], random_state=seed)
    w = nmf.fit_transform(tfidf)
    return w, nmf.components_, {"reconstruction_err": float(nmf.reconstruction_err_), "n_iter": int(nmf.n_iter_)}


@dataclass(frozen=True)
class EngineSpec:
    fit: object               # (counts, k, seed, params) -> (unit weights (n, K), topic weights (K, V), info)
    defaults: dict            # every parameter the engine takes, with its default
    checks: dict              # parameter -> checker
    description: str          # the method in a phrase, shown on the dashboard and in the manifest


ENGINES = {
    "gensim-lda": EngineSpec(
        _gensim_lda,
        defaults={"passes": 20, "iterations": 400, "alpha": "symmetric", "eta": "symmetric", "n_init": 4},
        checks={"n_init": ck.integer(1), "passes": ck.integer(1), "iterations": ck.integer(1),
                "alpha": _prior("symmetric", "asymmetric"),
                "eta": _prior("symmetric")},
        description="LDA, gensim LdaModel (online variational Bayes, one process)"),
    "sklearn-lda": EngineSpec(
        _sklearn_lda,
        defaults={"max_iter": 100, "alpha": None, "eta": None, "n_init": 4},
        checks={"n_init": ck.integer(1), "max_iter": ck.integer(1), "alpha": _prior(), "eta": _prior()},
        description="LDA, scikit-learn LatentDirichletAllocation (batch variational Bayes)"),
    "nmf": EngineSpec(
        _nmf,
        defaults={"max_iter": 400, "init": "nndsvda", "sublinear_tf": False},
        checks={"max_iter": ck.integer(1), "init": ck.choice({"nndsvd", "nndsvda", "nndsvdar", "random"}),
                "sublinear_tf": ck.boolean},
        description="NMF on TF-IDF, scikit-learn NMF"),
}


def fit(dtm: DocTermMatrix, cfg, seed: int) -> FittedModel:
    """Fit the engine named in ``cfg`` (a ModelConfig) with ``seed`` and return a FittedModel.

    dtm.counts: (n_units, n_terms). Returns doc_topic (n_units, K) and topic_term (K, n_terms)."""
    spec = ENGINES[cfg.engine]
    k = cfg.n_topics
    n_units, n_terms = dtm.counts.shape
    if n_units < k:
        raise ModelError(f"{n_units} units cannot support {k} topics; lower model.n_topics "
                         f"(to at most {n_units}) or use a larger corpus")
    if n_terms < k:
        raise ModelError(f"only {n_terms} terms survive pruning, fewer than {k} topics; lower "
                         f"vectorize.min_df or model.n_topics")
    params = dict(cfg.params)
    unit_w, topic_w, info = spec.fit(dtm.counts, k, seed, params)
    doc_topic, notes = _normalise_rows(np.asarray(unit_w, dtype=float), "unit")
    topic_term, notes2 = _normalise_rows(np.asarray(topic_w, dtype=float), "topic")
    order = _prevalence_order(doc_topic, dtm.n_tokens)
    return FittedModel(engine=cfg.engine, doc_topic=doc_topic[:, order], topic_term=topic_term[order],
                       vocab=dtm.vocab, params={"seed": seed, "n_topics": k, **params},
                       notes=tuple(notes + notes2), info=info)


def _normalise_rows(a: np.ndarray, what: str):
    sums = a.sum(axis=1, keepdims=True)
    empty = (sums[:, 0] <= 0)
    notes = []
    if empty.any():
        notes.append(f"{int(empty.sum())} {what}(s) had zero weight on every topic; given equal shares")
        a = a.copy()
        a[empty] = 1.0
        sums = a.sum(axis=1, keepdims=True)
    return a / sums, notes


def _prevalence_order(doc_topic: np.ndarray, n_tokens: np.ndarray) -> np.ndarray:
    share = n_tokens @ doc_topic
    return np.lexsort((np.arange(share.size), -np.round(share, 9)))
