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

from ..processes import die_with_parent
from ..progress import tracked
from .dask import run_on_dask
from .tasks import FitTask, run_task


def n_workers(cfg, n_tasks: int) -> int:
    return max(1, min(cfg.workers or os.cpu_count() or 1, n_tasks))


def run_fits(tasks: list[FitTask], cfg, what: str = "fits") -> list:
    """Run every task; cfg is the [parallel] section. Results come back in task order. ``what``
    names the step in the progress bar (topics.progress), shown only on a terminal."""
    if not tasks:
        return []
    if cfg.scheduler:
        return run_on_dask(tasks, cfg.scheduler)
    workers = n_workers(cfg, len(tasks))
    if workers == 1:
        return list(tracked(map(run_task, tasks), len(tasks), what))
    ctx = multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=die_with_parent, initargs=(os.getpid(),)
    ) as pool:
        return list(tracked(pool.map(run_task, tasks), len(tasks), what))


def fit_seeds(dtm, model_cfg, seeds: list[int], parallel_cfg) -> list:
    """Fit ``model_cfg`` on ``dtm`` once per seed (in parallel where [parallel] allows), in seed order."""
    years = tuple(u.year for u in dtm.units)
    tasks = [FitTask(dtm.counts, dtm.vocab, years, model_cfg, s) for s in seeds]
    return [m for m, _, _ in run_fits(tasks, parallel_cfg, "fits over seeds")]
