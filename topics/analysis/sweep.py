"""Choosing the number of topics: fit every K with several seeds and score each.

Every fit sees the same training units (a fixed random ``1 - held_out`` share, drawn with the
experiment seed); the rest are held out. Per K this reports coherence (c_v, c_npmi, u_mass, on all
units' tokens), topic diversity, seed stability (mean matched cosine similarity of topics across
seeds), and the engine's held-out measure (perplexity for LDA, relative reconstruction error for
NMF), each averaged over seeds. The rule that names a K is stated with the result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from .quality import evaluate
from .stability import ensemble
from ..config import EvaluateConfig
from ..errors import ModelError
from ..models.runner import run_fits
from ..models.seeds import ensemble_seeds
from ..models.tasks import FitTask

MEASURES = ("c_v", "c_npmi", "u_mass")


class SweepRun(NamedTuple):
    """One fit of the sweep: one K, one seed."""

    k: int
    seed: int
    c_v: float
    c_npmi: float
    u_mass: float
    diversity: float
    heldout: float


class SweepRow(NamedTuple):
    """One K: the measures' means over seeds, seed stability and the topics that do not recur."""

    k: int
    c_v: float
    c_npmi: float
    u_mass: float
    diversity: float
    heldout: float
    stability: float
    unstable_topics: int


@dataclass(frozen=True)
class SweepResult:
    """rows: one SweepRow per K (means over seeds); runs: one SweepRun per (K, seed)."""

    rows: tuple[SweepRow, ...]
    runs: tuple[SweepRun, ...]
    chosen_k: int
    reason: str
    heldout_name: str
    criterion: str
    n_train: int
    n_heldout: int
    seeds: tuple
    notes: tuple = ()

    def measures(self) -> list[tuple[str, str]]:
        """(field of SweepRow, title) of every measure the sweep reports, in display order."""
        return [
            *((m, f"coherence {m}") for m in MEASURES),
            ("diversity", "topic diversity"),
            ("stability", "seed stability"),
            ("heldout", self.heldout_name),
        ]


def heldout_split(n_units: int, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Sorted indices of training and held-out units (at least one of each)."""
    rng = np.random.default_rng(seed)
    n_test = min(max(1, int(round(n_units * fraction))), n_units - 1)
    test = np.sort(rng.permutation(n_units)[:n_test])
    train = np.setdiff1d(np.arange(n_units), test)
    return train, test


def parse_k(spec: str) -> tuple[int, ...]:
    """'5:30:5' -> (5, 10, ..., 30); '4,8,12' -> (4, 8, 12)."""
    from ..config.schema import MAX_TOPICS
    from ..errors import ConfigError

    try:
        if ":" in spec:
            parts = [int(p) for p in spec.split(":")]
            start, stop, step = (parts + [1])[:3] if len(parts) == 2 else parts
            if stop > MAX_TOPICS:  # before the range is built: 2:10000000:1 is refused at once
                raise ConfigError(f"--k {spec!r}: at most {MAX_TOPICS} topics, as for [sweep] k")
            ks = tuple(range(start, stop + 1, step))
        else:
            ks = tuple(int(p) for p in spec.split(","))
    except ValueError:
        ks = ()
    if ks and max(ks) > MAX_TOPICS:
        raise ConfigError(f"--k {spec!r}: at most {MAX_TOPICS} topics, as for [sweep] k")
    if not ks or min(ks) < 2:
        raise ConfigError(f"--k {spec!r}: expected start:stop:step (e.g. 5:30:5) or a list (4,8,12) of numbers >= 2")
    return tuple(sorted(set(ks)))


def sweep(dtm, config, ks=None) -> SweepResult:
    """Fit config.model at every K in ``ks`` (default config.sweep.k) with config.sweep.seeds seeds."""
    cfg = config.sweep
    ks = tuple(ks or cfg.k)
    params = dict(config.model.params)
    if cfg.n_init and "n_init" in params:
        params["n_init"] = cfg.n_init
    train, test = heldout_split(dtm.counts.shape[0], cfg.held_out, config.seed)
    limit = min(len(train), len(dtm.vocab))
    notes = ()
    if max(ks) > limit:
        notes = (
            f"sweep: K = {', '.join(str(k) for k in ks if k > limit)} left out: {len(train)} training units "
            f"and {len(dtm.vocab)} terms support at most {limit} topics",
        )
        ks = tuple(k for k in ks if k <= limit)
    if len(ks) < 2:
        raise ModelError(
            f"sweep: {len(train)} training units and {len(dtm.vocab)} terms leave fewer than two "
            f"K values to compare (at most {limit} topics); choose smaller K or a larger corpus"
        )
    seeds = ensemble_seeds(config.seed, cfg.seeds)
    years = tuple(dtm.units[i].year for i in train)
    counts_train, counts_test = dtm.counts[train], dtm.counts[test]
    ecfg = EvaluateConfig(
        top_n=config.evaluate.top_n,
        coherence=MEASURES,
        max_units=config.evaluate.max_units,
        diversity_top_n=config.evaluate.diversity_top_n,
    )
    score = (evaluate, ecfg, dtm.token_texts())  # coherence is scored in the worker, beside its fit
    tasks = [
        FitTask(
            counts_train,
            dtm.vocab,
            years,
            replace(config.model, n_topics=k, params=tuple(sorted(params.items()))),
            s,
            counts_test,
            score,
        )
        for k in ks
        for s in seeds
    ]
    results = run_fits(tasks, config.parallel)
    rows, runs = [], []
    for i, k in enumerate(ks):
        fits = results[i * len(seeds) : (i + 1) * len(seeds)]
        models = [m for m, _, _ in fits]
        ens = ensemble(models, seeds, config.stability.threshold)
        for s, (m, heldout, metrics) in zip(seeds, fits):
            coherence = {c: metrics["coherence"][c]["mean"] for c in MEASURES}
            runs.append(SweepRun(k=k, seed=s, **coherence, diversity=metrics["diversity"], heldout=heldout))
        mine = runs[-len(seeds) :]
        means = {c: float(np.mean([getattr(r, c) for r in mine])) for c in (*MEASURES, "diversity", "heldout")}
        rows.append(
            SweepRow(
                k=k,
                **means,
                stability=float(ens.stability.mean()) if len(seeds) > 1 else float("nan"),
                unstable_topics=len(ens.unstable()),
            )
        )
    chosen, reason = choose_k(rows, cfg.criterion, cfg.min_stability)
    from ..models.engines import ENGINES

    return SweepResult(
        rows=tuple(rows),
        runs=tuple(runs),
        chosen_k=chosen,
        reason=reason,
        heldout_name=ENGINES[config.model.engine].heldout_name,
        criterion=cfg.criterion,
        n_train=len(train),
        n_heldout=len(test),
        seeds=tuple(seeds),
        notes=notes,
    )


def choose_k(rows, criterion: str, min_stability: float) -> tuple[int, str]:
    """Among the K whose seed stability reaches ``min_stability``, the one with the highest mean
    ``criterion`` (the smaller K on a tie). If none is stable enough, the most stable K."""
    stable = [r for r in rows if not np.isnan(r.stability) and r.stability >= min_stability]
    if not any(not np.isnan(r.stability) for r in rows):
        stable = list(rows)
        pre = "stability not measured (one seed); "
    else:
        pre = ""
    if not stable:
        best = max(rows, key=lambda r: (r.stability, -r.k))
        return best.k, (
            f"no K reached stability {min_stability:.2f}; K = {best.k} is the most "
            f"stable ({best.stability:.3f}). Treat its topics with care."
        )
    best = max(stable, key=lambda r: (round(getattr(r, criterion), 9), -r.k))
    others = ", ".join(f"K={r.k}: {getattr(r, criterion):.3f}" for r in stable if r is not best)
    stab = f", stability {best.stability:.3f}" if not np.isnan(best.stability) else ""
    return best.k, (
        f"{pre}highest mean {criterion} ({getattr(best, criterion):.3f}{stab}) among the K with seed "
        f"stability >= {min_stability:.2f}" + (f" (others: {others})" if others else "")
    )
