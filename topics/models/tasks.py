"""One independent fit as a task a worker process (local or on Dask) can run."""

from __future__ import annotations

from dataclasses import dataclass

from .engines import fit_counts


@dataclass(frozen=True)
class FitTask:
    """One fit: counts (n_units, n_terms), vocab (n_terms,), years (n_units,), a ModelConfig and a
    seed; ``heldout`` (m, n_terms) counts to score, or None. ``score`` is (scorer, EvaluateConfig,
    TokenTexts): a module-level function ``scorer(model, texts, cfg)`` run in the worker on the fitted
    model (coherence and diversity in a sweep), or None."""

    counts: object
    vocab: tuple
    years: tuple
    model: object
    seed: int
    heldout: object = None
    score: object = None


def run_task(task: FitTask):
    """-> (FittedModel, held-out score or None, metrics or None)."""
    model, heldout = fit_counts(task.counts, task.vocab, task.years, task.model, task.seed, task.heldout)
    metrics = None
    if task.score is not None:
        scorer, cfg, texts = task.score
        metrics = scorer(model, texts, cfg)
    return model, heldout, metrics
