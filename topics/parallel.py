"""Independent fits (seed ensembles, K sweeps, model comparison) spread over processes.

Every fit runs with BLAS on one thread (see models.fit_counts), so a fit gives the same numbers
whichever process runs it, and results are collected in task order: the outputs do not depend on
the executor or the number of workers.
"""
from __future__ import annotations

import multiprocessing
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from .models import fit_counts


@dataclass(frozen=True)
class FitTask:
    """One fit: counts (n_units, n_terms), vocab (n_terms,), years (n_units,), a ModelConfig and a
    seed; ``heldout`` (m, n_terms) counts to score, or None."""

    counts: object
    vocab: tuple
    years: tuple
    model: object
    seed: int
    heldout: object = None
    score: object = None        # (EvaluateConfig, TokenTexts): coherence and diversity, scored in the worker


def run_task(task: FitTask):
    """-> (FittedModel, held-out score or None, metrics or None)."""
    model, heldout = fit_counts(task.counts, task.vocab, task.years, task.model, task.seed, task.heldout)
    metrics = None
    if task.score is not None:
        from .evaluate import evaluate
        cfg, texts = task.score
        metrics = evaluate(model, texts, cfg)
    return model, heldout, metrics


def n_workers(cfg, n_tasks: int) -> int:
    return max(1, min(cfg.workers or os.cpu_count() or 1, n_tasks))


def run_fits(tasks: list[FitTask], cfg) -> list:
    """Run every task; cfg is the [parallel] section. Results come back in task order."""
    if not tasks:
        return []
    if cfg.scheduler:
        from .cluster import run_on_dask
        return run_on_dask(tasks, cfg.scheduler)
    workers = n_workers(cfg, len(tasks))
    if workers == 1:
        return [run_task(t) for t in tasks]
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
        return list(pool.map(run_task, tasks))
