"""The structural topic model (Roberts, Stewart & Airoldi 2016, JASA; Roberts, Stewart & Tingley 2019,
JSS "stm"), fitted by topica's compiled STM (the optional extra ``topics[stm]``, pinned).

STM is a correlated topic model whose prior mean of each unit's topic proportions is a regression on
covariates: mu_u = X_u gamma. Here the covariate is the unit's year, so the year shapes the fit and
not only the regression afterwards: ``prevalence = "year"`` (linear, standardised) or ``"spline"``
(a restricted, i.e. natural, cubic spline of year with ``df`` degrees of freedom, Harrell's basis as in
topica's ``spline``). Paragraphs of
one speech share their document's year.

Determinism: topica fits on one thread here (``threads`` = 1, recorded) and the variational EM is
deterministic for a seed. With ``init = "spectral"`` (stm's default, anchor words) the start does not
depend on the seed at all, so refits with other seeds give the same topics and the stability measure
says nothing; ``init = "random"`` makes the seeds matter. Each unit's shares are the plug-in
softmax of its variational mean (topica's ``doc_topic``).

Words are passed as vocabulary-index strings, so topic-word columns map back to the sorted vocabulary.
"""

from __future__ import annotations

import warnings

import numpy as np

from ..errors import ModelError
from .heldout import completion_perplexity

VERSION = "0.62.0"  # the topica release this adapter is tested with (pyproject's `stm` extra)


class StmConvergenceWarning(UserWarning):
    """The variational EM hit its iteration limit."""


def _topica():
    try:
        import topica
    except ImportError as e:
        raise ModelError(
            'the "stm" engine needs topica: pip install "topics[stm]" (or pip install topica==' + VERSION + ")"
        ) from e
    if topica.__version__ != VERSION:
        raise ModelError(
            f'the "stm" engine is tested with topica {VERSION}, and topica {topica.__version__} is installed: '
            f"pip install topica=={VERSION}"
        )
    return topica


def _docs(counts) -> list[list[str]]:
    """csr counts (n, V) -> per unit, its tokens as vocabulary-index strings."""
    out = []
    for i in range(counts.shape[0]):
        lo, hi = counts.indptr[i], counts.indptr[i + 1]
        out.append([str(j) for j, c in zip(counts.indices[lo:hi], counts.data[lo:hi]) for _ in range(int(c))])
    return out


def design(years, p: dict) -> tuple[np.ndarray, list[str]]:
    """The prevalence design (n_units, F) from the units' years (n_units,), without the intercept
    (topica prepends it), and its column names."""
    topica = _topica()
    y = np.asarray(years, dtype=float)
    if len(set(y.tolist())) < 2:
        raise ModelError('the "stm" engine needs units from at least two years; set model.prevalence = "none"')
    if p["prevalence"] == "year":
        return ((y - y.mean()) / y.std())[:, None], ["year (standardised)"]
    df = min(p["df"], len(set(y.tolist())) - 1)
    basis, names = topica.spline((y - y.mean()) / y.std(), df=df, name="year")  # Harrell's restricted cubic
    basis = np.asarray(basis, dtype=float)
    return basis / basis.std(axis=0), list(names)  # columns on one scale for the ridge on gamma


def stm_fit(counts, k: int, seed: int, p: dict, years):
    """(unit shares (n, K), topic-word (K, V), info, fitted model) for counts (n, V)."""
    topica = _topica()
    counts = counts.tocsr()
    n, n_terms = counts.shape
    if p["prevalence"] == "none":
        x, names = np.zeros((n, 1)), ["none (constant)"]
    else:
        x, names = design(years, p)
    model = topica.STM(k, seed=seed, init=p["init"], sigma_shrink=p["sigma_shrink"])
    model.fit(
        _docs(counts),
        prevalence=x,
        iters=p["iterations"],
        convergence_tol=p["tol"],
        num_threads=p["threads"],
    )
    theta = np.asarray(model.doc_topic, dtype=float)
    topic_term = _topic_term(model, k, n_terms)
    info = {
        "bound": float(model.bound),
        "converged": bool(model.converged),
        "initialization": model.initialization,
        "prevalence_columns": names,
        "threads": p["threads"],
        "topica": topica.__version__,
    }
    if not model.converged:  # a note on the run, as the other engines' convergence warnings are
        warnings.warn(
            f"EM stopped after {p['iterations']} iterations before the bound converged (tol {p['tol']}); "
            "raise model.iterations",
            StmConvergenceWarning,
            stacklevel=2,
        )
    return theta, topic_term, info, model


def _topic_term(model, k: int, n_terms: int) -> np.ndarray:
    """(K, n_terms) in our vocabulary order; a word the model never saw gets zero."""
    index = np.array([int(w) for w in model.vocabulary])
    out = np.zeros((k, n_terms))
    out[:, index] = np.asarray(model.topic_word, dtype=float)
    return out


def stm_perplexity(model, test_counts) -> float:
    """Document-completion perplexity over the terms the fit saw; held-out units take the
    covariate-free prior mean. STM's topic-word rows are exactly 0 for a term no training unit holds
    (LDA's Dirichlet prior on words keeps them above 0), so such tokens are left out of the score
    rather than scored as impossible: the same terms for every K, so the sweep's comparison holds."""
    seen = np.array(sorted(int(w) for w in model.vocabulary))
    counts = test_counts.tocsr()[:, seen]
    topic_term = _topic_term(model, model.num_topics, test_counts.shape[1])[:, seen]

    def infer(shown):
        docs = [[str(seen[int(w)]) for w in d] for d in _docs(shown.tocsr())]
        keep = [i for i, d in enumerate(docs) if d]
        theta = np.full((len(docs), model.num_topics), 1.0 / model.num_topics)
        if keep:
            theta[keep] = np.asarray(model.transform([docs[i] for i in keep]), dtype=float)
        return theta

    return completion_perplexity(infer, topic_term, counts)
