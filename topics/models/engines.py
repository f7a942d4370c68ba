"""Topic models behind one interface: a registry of engines, each a thin adapter.

Every adapter takes the counts (n_units, n_terms) and returns the two arrays of the contract:
doc_topic (n_units, K) and topic_term (K, n_terms), rows summing to 1. ``fit`` then puts topics in
order of corpus-wide (token-weighted) prevalence, so topic 1 is the largest.

- gensim-lda: Latent Dirichlet Allocation, online variational Bayes (Hoffman, Blei & Bach 2010),
  gensim's LdaModel, run in one process (deterministic for a seed).
- sklearn-lda: LDA by batch variational Bayes, scikit-learn's LatentDirichletAllocation.
- nmf: non-negative matrix factorisation of TF-IDF weights (Lee & Seung 1999; scikit-learn's NMF,
  coordinate descent, NNDSVD initialisation, Boutsidis & Gallopoulos 2008).
- stm: the structural topic model (Roberts, Stewart & Airoldi 2016), topica's STM with the year as
  prevalence covariate (models/stm.py; the optional extra ``topics[stm]``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..config import checks as ck
from ..data import DocTermMatrix, FittedModel
from ..errors import ModelError
from .heldout import completion_perplexity, completion_split  # noqa: F401  (public here too)
from .seeds import best_of, restart_seeds


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


def _step_decay(v):
    """The SGLD step's decay exponent, in (0.5, 1] as tomotopy requires."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 0.5 < v <= 1:
        return float(v)
    raise ck.Bad(f"expected a number in (0.5, 1], got {v!r}")


# ------------------------------------------------------------------ adapters
# Variational LDA finds a local optimum that depends on the random start; on a planted corpus a
# single start merges topics on 3 to 4 seeds in 8, for gensim and scikit-learn alike. Each LDA engine
# therefore fits ``n_init`` starts (seeds derived from the experiment seed) and keeps the one with
# the highest variational bound on the data, as k-means keeps its best start.


def _bow(counts):
    from gensim.matutils import Sparse2Corpus

    return list(Sparse2Corpus(counts, documents_columns=False))


def _gensim_lda(counts, k: int, seed: int, p: dict, years):
    from gensim.models import LdaModel

    corpus = _bow(counts)
    alpha = p["alpha"] if isinstance(p["alpha"], str) else np.full(k, p["alpha"])
    eta = None if p["eta"] == "symmetric" else p["eta"]
    id2word = {i: str(i) for i in range(counts.shape[1])}

    def start(s):
        lda = LdaModel(
            corpus=corpus,
            num_topics=k,
            id2word=id2word,
            random_state=s,
            passes=p["passes"],
            iterations=p["iterations"],
            alpha=alpha,
            eta=eta,
            chunksize=max(1, len(corpus)),
            update_every=1,
            eval_every=None,
            minimum_probability=0.0,
            dtype=np.float64,
        )
        gamma, _ = lda.inference(corpus)  # the units' topic weights, (n_units, K); the
        bound = lda.bound(corpus, gamma=gamma[:, None, :])  # bound reuses them, one (1, K) row per unit
        return bound, (lda, gamma)

    (lda, gamma), info = best_of(start(s) for s in restart_seeds(seed, p["n_init"]))
    return gamma, lda.get_topics(), info, lda


def _gensim_perplexity(lda, test_counts) -> float:
    return completion_perplexity(lambda c: lda.inference(_bow(c))[0], lda.get_topics(), test_counts)


def _gensim_ldaseq(counts, k: int, seed: int, p: dict, years):
    """gensim's dynamic topic model (Blei & Lafferty 2006): one topic-word distribution per year,
    chained by a Gaussian random walk. Units must come in year order (they do: corpus order)."""
    import warnings

    from gensim.models import LdaSeqModel

    if list(years) != sorted(years):
        raise ModelError("gensim-ldaseq needs units in year order")
    slices = sorted(set(years))
    time_slice = [list(years).count(y) for y in slices]
    # start from the best of n_init static LDA fits, as the gensim-lda engine would choose it
    start = {
        "passes": p["passes"],
        "iterations": p["iterations"],
        "alpha": "symmetric",
        "eta": "symmetric",
        "n_init": p["n_init"],
    }
    _, _, start_info, lda = _gensim_lda(counts, k, seed, start, years)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # gensim divides 0/0 in its first check
        seq = LdaSeqModel(
            corpus=_bow(counts),
            time_slice=time_slice,
            num_topics=k,
            id2word={i: str(i) for i in range(counts.shape[1])},
            random_state=seed,
            initialize="ldamodel",
            lda_model=lda,
            em_min_iter=p["em_min_iter"],
            em_max_iter=p["em_max_iter"],
            lda_inference_max_iter=p["inference_iter"],
            chunksize=counts.shape[0],
        )
    by_year = np.stack([np.exp(c.e_log_prob) for c in seq.topic_chains])  # (K, V, T)
    by_year = by_year / by_year.sum(axis=1, keepdims=True)
    info = {
        "time_slices": dict(zip(map(str, slices), time_slice)),
        "start": start_info,
        "topic_term_by_year": tuple((y, by_year[:, :, i]) for i, y in enumerate(slices)),
    }
    return seq.gammas, by_year.mean(axis=2), info, seq


def _sklearn_lda(counts, k: int, seed: int, p: dict, years):
    from sklearn.decomposition import LatentDirichletAllocation

    def start(s):
        lda = LatentDirichletAllocation(
            n_components=k,
            doc_topic_prior=p["alpha"],
            topic_word_prior=p["eta"],
            learning_method="batch",
            max_iter=p["max_iter"],
            random_state=s,
        )
        lda.fit(counts)
        return lda.score(counts), lda

    lda, info = best_of(start(s) for s in restart_seeds(seed, p["n_init"]))
    return lda.transform(counts), lda.components_, info, lda


def _sklearn_perplexity(lda, test_counts) -> float:
    return completion_perplexity(lda.transform, lda.components_, test_counts)


def _nmf(counts, k: int, seed: int, p: dict, years):
    from sklearn.decomposition import NMF
    from sklearn.feature_extraction.text import TfidfTransformer

    tfidf = TfidfTransformer(sublinear_tf=p["sublinear_tf"]).fit(counts)
    nmf = NMF(n_components=k, init=p["init"], max_iter=p["max_iter"], random_state=seed)
    w = nmf.fit_transform(tfidf.transform(counts))
    info = {"reconstruction_err": float(nmf.reconstruction_err_), "n_iter": int(nmf.n_iter_)}
    return w, nmf.components_, info, (tfidf, nmf)


def _nmf_error(fitted, test_counts) -> float:
    """Relative reconstruction error |X - WH| / |X| (Frobenius) of held-out TF-IDF rows."""
    tfidf, nmf = fitted
    x = tfidf.transform(test_counts)
    w = nmf.transform(x)
    return float(np.linalg.norm(x.toarray() - w @ nmf.components_) / max(np.sqrt(x.multiply(x).sum()), 1e-300))


def _lazy(name: str, module: str = "tomotopy"):
    """A function of topics.models.<module>, imported when first called (tomotopy loads slowly;
    topica is an optional extra)."""

    def call(*args):
        from importlib import import_module

        return getattr(import_module(f"{__package__}.{module}"), name)(*args)

    call.__name__ = name
    return call


@dataclass(frozen=True)
class EngineSpec:
    fit: object  # (counts, k, seed, params, years) -> (unit weights (n, K), topic weights
    #  (K, V), info, fitted object)
    defaults: dict  # every parameter the engine takes, with its default
    checks: dict  # parameter -> checker
    description: str  # the method in a phrase, shown on the dashboard and in the manifest
    heldout: object = None  # (fitted object, held-out counts) -> score, lower is better
    heldout_name: str = ""
    name: str = ""  # a short name for a sentence: "scikit-learn LDA"
    prose: str = ""  # the model and its fitting for a paper's methods paragraph, with the citations


ENGINES = {
    "gensim-lda": EngineSpec(
        _gensim_lda,
        defaults={"passes": 20, "iterations": 400, "alpha": "symmetric", "eta": "symmetric", "n_init": 4},
        checks={
            "n_init": ck.integer(1),
            "passes": ck.integer(1),
            "iterations": ck.integer(1),
            "alpha": _prior("symmetric", "asymmetric"),
            "eta": _prior("symmetric"),
        },
        description="LDA, gensim LdaModel (online variational Bayes, one process)",
        name="gensim LDA",
        prose="latent Dirichlet allocation (LDA; Blei, Ng & Jordan 2003) fitted by online variational Bayes (Hoffman, Blei & Bach 2010) with gensim's LdaModel",
        heldout=_gensim_perplexity,
        heldout_name="held-out perplexity (document completion)",
    ),
    "sklearn-lda": EngineSpec(
        _sklearn_lda,
        defaults={"max_iter": 100, "alpha": None, "eta": None, "n_init": 4},
        checks={"n_init": ck.integer(1), "max_iter": ck.integer(1), "alpha": _prior(), "eta": _prior()},
        description="LDA, scikit-learn LatentDirichletAllocation (batch variational Bayes)",
        name="scikit-learn LDA",
        prose="latent Dirichlet allocation (LDA; Blei, Ng & Jordan 2003) fitted by batch variational Bayes with scikit-learn's LatentDirichletAllocation",
        heldout=_sklearn_perplexity,
        heldout_name="held-out perplexity (document completion)",
    ),
    "nmf": EngineSpec(
        _nmf,
        defaults={"max_iter": 400, "init": "nndsvda", "sublinear_tf": False},
        checks={
            "max_iter": ck.integer(1),
            "init": ck.choice({"nndsvd", "nndsvda", "nndsvdar", "random"}),
            "sublinear_tf": ck.boolean,
        },
        description="NMF on TF-IDF, scikit-learn NMF",
        name="NMF",
        prose="non-negative matrix factorisation (NMF; Lee & Seung 1999) of TF-IDF weights with scikit-learn's NMF",
        heldout=_nmf_error,
        heldout_name="held-out relative reconstruction error",
    ),
    "tomotopy-lda": EngineSpec(
        _lazy("tomotopy_lda"),
        defaults={"iterations": 500, "burn_in": 0, "optim_interval": 10, "alpha": 0.1, "eta": 0.01, "workers": 1},
        checks={
            "iterations": ck.integer(1),
            "burn_in": ck.integer(0),
            "optim_interval": ck.integer(0),
            "alpha": _prior(),
            "eta": _prior(),
            "workers": ck.integer(1, 256),
        },
        description="LDA, tomotopy LDAModel (collapsed Gibbs sampling; deterministic for a seed and worker count)",
        name="tomotopy LDA",
        prose="latent Dirichlet allocation (LDA; Blei, Ng & Jordan 2003) fitted by collapsed Gibbs sampling (Griffiths & Steyvers 2004) with tomotopy's LDAModel",
        heldout=_lazy("tomotopy_perplexity"),
        heldout_name="held-out perplexity (document completion)",
    ),
    "tomotopy-dtm": EngineSpec(
        _lazy("tomotopy_dtm"),
        defaults={
            "iterations": 2000,
            "n_init": 4,
            "alpha_var": 1.0,
            "eta_var": 1.0,
            "phi_var": 0.01,
            "lr_a": 0.05,
            "lr_b": 100.0,
            "lr_c": 0.55,
            "workers": 1,
        },
        checks={
            "iterations": ck.integer(1),
            "n_init": ck.integer(1),
            "alpha_var": _prior(),
            "eta_var": _prior(),
            "phi_var": _prior(),
            "lr_a": _prior(),
            "lr_b": ck.number(0.0, 1e6),
            "lr_c": _step_decay,
            "workers": ck.integer(1, 256),
        },
        description="dynamic topic model, tomotopy DTModel (SGLD sampling, one topic-word distribution "
        "per year; deterministic for a seed and worker count)",
        name="tomotopy DTM",
        prose="a dynamic topic model (Blei & Lafferty 2006) sampled by stochastic gradient Langevin dynamics (Bhadury et al. 2016) with tomotopy's DTModel",
    ),
    "stm": EngineSpec(
        _lazy("stm_fit", "stm"),
        defaults={
            "prevalence": "year",
            "df": 4,
            "init": "spectral",
            "sigma_shrink": 0.0,
            "iterations": 500,
            "tol": 1e-5,
            "threads": 1,
        },
        checks={
            "prevalence": ck.choice({"year", "spline", "none"}),
            "df": ck.integer(1, 20),
            "init": ck.choice({"spectral", "random"}),
            "sigma_shrink": ck.number(0.0, 1.0),
            "iterations": ck.integer(1),
            "tol": ck.number(0.0, 1.0),
            "threads": ck.integer(1, 256),
        },
        description="structural topic model, topica STM (variational EM, topic prevalence regressed on year; "
        "deterministic for a seed and thread count)",
        name="STM",
        prose="a structural topic model (STM; Roberts, Stewart & Airoldi 2016) with the year as covariate of topic "
        "prevalence, fitted by variational EM with topica's STM",
        heldout=_lazy("stm_perplexity", "stm"),
        heldout_name="held-out perplexity (document completion, over the terms of the training units)",
    ),
    "gensim-ldaseq": EngineSpec(
        _gensim_ldaseq,
        defaults={
            "passes": 20,
            "iterations": 400,
            "n_init": 4,
            "em_min_iter": 3,
            "em_max_iter": 6,
            "inference_iter": 25,
        },
        checks={
            "passes": ck.integer(1),
            "iterations": ck.integer(1),
            "n_init": ck.integer(1),
            "em_min_iter": ck.integer(1),
            "em_max_iter": ck.integer(1),
            "inference_iter": ck.integer(1),
        },
        description="dynamic topic model, gensim LdaSeqModel (one topic-word distribution per year; "
        "slow: for small corpora)",
        name="gensim LdaSeqModel",
        prose="a dynamic topic model (Blei & Lafferty 2006) fitted by variational inference with gensim's LdaSeqModel",
    ),
}


def fit(dtm: DocTermMatrix, cfg, seed: int) -> FittedModel:
    """Fit the engine named in ``cfg`` (a ModelConfig) with ``seed`` and return a FittedModel.

    dtm.counts: (n_units, n_terms). Returns doc_topic (n_units, K) and topic_term (K, n_terms)."""
    return fit_counts(dtm.counts, dtm.vocab, tuple(u.year for u in dtm.units), cfg, seed)[0]


def fit_counts(counts, vocab, years, cfg, seed: int, heldout=None):
    """The fit on bare arrays (what a worker process receives). counts (n_units, n_terms); years
    (n_units,). With ``heldout`` counts (m, n_terms), also scores them (engine's held-out measure).

    BLAS runs on one thread during every fit, so a fit gives the same numbers in any process."""
    from threadpoolctl import threadpool_limits

    spec = ENGINES[cfg.engine]
    k = cfg.n_topics
    n_units, n_terms = counts.shape
    if n_units < k:
        raise ModelError(
            f"{n_units} units cannot support {k} topics; lower model.n_topics "
            f"(to at most {n_units}) or use a larger corpus"
        )
    if n_terms < k:
        raise ModelError(
            f"only {n_terms} terms survive pruning, fewer than {k} topics; lower vectorize.min_df or model.n_topics"
        )
    params = dict(cfg.params)
    with threadpool_limits(limits=1), warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        unit_w, topic_w, info, fitted = spec.fit(counts, k, seed, params, years)
        score = None
        if heldout is not None:
            if spec.heldout is None:
                raise ModelError(f"engine {cfg.engine!r} has no held-out measure; sweep another engine")
            score = spec.heldout(fitted, heldout)
    by_year = info.pop("topic_term_by_year", ())
    doc_topic, notes = _normalise_rows(np.asarray(unit_w, dtype=float), "unit")
    notes = (
        sorted({f"{cfg.engine}: {w.message}" for w in caught if "Converge" in type(w.message).__name__}) + notes
    )  # e.g. max_iter reached
    topic_term, notes2 = _normalise_rows(np.asarray(topic_w, dtype=float), "topic")
    order = _prevalence_order(doc_topic, np.asarray(counts.sum(axis=1)).ravel())
    model = FittedModel(
        engine=cfg.engine,
        doc_topic=doc_topic[:, order],
        topic_term=topic_term[order],
        vocab=tuple(vocab),
        params={"seed": seed, "n_topics": k, **params},
        notes=tuple(notes + notes2),
        info=info,
        topic_term_by_year=tuple((y, a[order]) for y, a in by_year),
    )
    return model, score


def _normalise_rows(a: np.ndarray, what: str):
    sums = a.sum(axis=1, keepdims=True)
    empty = sums[:, 0] <= 0
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
