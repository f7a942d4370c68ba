"""Merging topics of a fitted run without refitting.

A group of topics becomes one topic: its unit shares are the sums of theirs (so its yearly
prevalence is the sum of their prevalences, exactly, since prevalence is a token-weighted mean);
its word distribution is their mixture, each weighted by its share of the corpus' tokens. The
bands are read again from the saved bootstrap replicates summed the same way (the replicates are
yearly shares, so the sum of a group's replicates is the replicate of the merged topic under the
same draws), and the linear trends, splines and era contrasts are fitted again from them. Seed
stability of a merged topic is the cosine similarity between the reference fit's merged word
distribution and each other seed's, merged the same way (the seeds are aligned to the reference).

Topics are renumbered 1..K' in the fit's order, a merged group standing where its first topic stood.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from .stability import Ensemble, cosine, flag_degenerate
from .uncertainty import Bands, contrasts, fit_trends, pooled_quantiles
from ..data import FittedModel


def merge_plan(n_topics: int, groups) -> list[tuple[int, ...]]:
    """The new topics as groups of old topic numbers (1-based), in the fit's order.

    >>> merge_plan(5, [(2, 4)])
    [(1,), (2, 4), (3,), (5,)]"""
    member = {t: tuple(g) for g in groups for t in g}
    plan = []
    for t in range(1, n_topics + 1):
        g = member.get(t, (t,))
        if g[0] == t:
            plan.append(g)
    return plan


def _columns(a: np.ndarray, plan) -> np.ndarray:
    """Sum the last axis of ``a`` over each group of the plan: (..., K) -> (..., K')."""
    return np.stack([a[..., [t - 1 for t in g]].sum(axis=-1) for g in plan], axis=-1)


def merge_model(model: FittedModel, plan, n_tokens: np.ndarray) -> FittedModel:
    """doc_topic (n_units, K) -> (n_units, K'); topic_term (K, V) -> (K', V) as token-weighted mixtures."""
    weight = np.asarray(n_tokens, float) @ model.doc_topic  # (K,) tokens per topic

    def rows(tt):
        out = []
        for g in plan:
            idx = [t - 1 for t in g]
            w = weight[idx] / max(weight[idx].sum(), 1e-300)
            out.append(w @ tt[idx])
        m = np.vstack(out)
        return m / m.sum(axis=1, keepdims=True)

    return FittedModel(
        engine=model.engine,
        doc_topic=_columns(model.doc_topic, plan),
        topic_term=rows(model.topic_term),
        vocab=model.vocab,
        params=model.params,
        notes=model.notes,
        info=model.info,
        topic_term_by_year=tuple((y, rows(a)) for y, a in model.topic_term_by_year),
    )


def merge_bands(bands: Bands, plan, pooled: np.ndarray) -> Bands:
    """``pooled`` (n_seeds, K'): the merged ensemble's pooled seeds per merged topic."""
    alpha = (1 - bands.level) / 2
    reps = _columns(bands.reps, plan)
    low, high = pooled_quantiles(reps, pooled, [alpha, 1 - alpha])
    return replace(
        bands,
        point=_columns(bands.point, plan),
        reps=reps,
        low=low,
        high=high,
        seed_points=_columns(bands.seed_points, plan),
        pooled=pooled,
    )


def merge_ensemble(ens: Ensemble, plan, n_tokens: np.ndarray) -> Ensemble:
    """The merged topics' similarity and degenerate flags are measured again on the merged models."""
    models = tuple(merge_model(m, plan, n_tokens) for m in ens.models)
    ref = models[0].topic_term
    sims = [np.diag(cosine(ref, m.topic_term)) for m in models[1:]]
    sim = np.array(sims) if sims else np.zeros((0, len(plan)))
    return replace(ens, models=models, similarity=sim, degenerate=flag_degenerate(models))


def merge_findings(findings, plan, dtm, config):
    """(findings, merged reference model) of a run with its topics merged by ``plan``; the model
    comparison is left out (other engines were matched one to one to the unmerged topics)."""
    from .evolution import theme_words

    n_tok = dtm.n_tokens
    ens = merge_ensemble(findings.ensemble, plan, n_tok)
    bands = merge_bands(findings.bands, plan, ens.pooled)
    eras, _ = contrasts(bands, config.uncertainty)  # its warnings concern the eras' years: unchanged
    return replace(
        findings,
        ensemble=ens,
        bands=bands,
        fits=fit_trends(bands, config.uncertainty.spline),
        contrasts=tuple(eras),
        evolution=theme_words(ens.reference, dtm, config.evolution),
        comparisons=(),
    ), ens.reference
