"""Choosing the number of topics: fit every K with several seeds and score each.

Every fit sees the same training units (a fixed random ``1 - held_out`` share, drawn with the
experiment seed); the rest are held out. Per K this reports coherence (c_v, c_npmi, u_mass, on all
units' tokens), topic diversity, seed stability (mean matched cosine similarity of topics across
seeds), and the engine's held-out measure (perplexity for LDA, relative reconstruction error for
NMF), each as its mean over seeds and its range (lowest and highest seed). ``choose_k`` states the
rule that names a K, or says that no K can be told apart from the best within seed noise; its
record, a SweepVerdict, is what every view of the sweep shows.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import NamedTuple

import numpy as np

from .quality import evaluate
from .stability import ensemble
from ..config import EvaluateConfig
from ..config.schema import MIN_TOPICS
from ..errors import ModelError
from ..models.runner import run_fits
from ..models.seeds import ensemble_seeds
from ..models.tasks import FitTask

MEASURES = ("c_v", "c_npmi", "u_mass")  # the coherence measures; each can be [sweep] criterion (higher is better)
TIE = 1e-3  # criterion values closer than this count as equal (coherence is reported to three decimals)
RANGED = (*MEASURES, "diversity", "heldout", "stability")  # every measure reported with its seed range


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
    """One K: each measure's mean over seeds and its range over seeds (``<measure>_min``,
    ``<measure>_max``: the lowest and highest seed), and the topics that do not recur.

    stability is the mean matched similarity of the other seeds' topics to the first seed's; its
    range is over the other seeds (each seed's mean over topics). With one seed it is NaN."""

    k: int
    c_v: float
    c_npmi: float
    u_mass: float
    diversity: float
    heldout: float
    stability: float
    unstable_topics: int
    c_v_min: float
    c_v_max: float
    c_npmi_min: float
    c_npmi_max: float
    u_mass_min: float
    u_mass_max: float
    diversity_min: float
    diversity_max: float
    heldout_min: float
    heldout_max: float
    stability_min: float
    stability_max: float

    def seed_range(self, measure: str) -> tuple[float, float]:
        """(lowest, highest) seed's value of ``measure`` (a name in RANGED)."""
        return getattr(self, f"{measure}_min"), getattr(self, f"{measure}_max")


class SweepVerdict(NamedTuple):
    """What the sweep concludes about K, and the one sentence that says it (see ``choose_k``).

    chosen: the K named, or None when no K beats every other eligible K beyond seed noise (or none
    is eligible); best: the eligible K with the best mean criterion (None when none is eligible);
    within_noise: the eligible K whose seed range reaches the best's worst seed (the best included);
    parsimonious: the smallest of them (the chosen K when one is named); eligible: the K whose seed
    stability reaches [sweep] min_stability; tried: every K fitted; at_edge: a warning for each of
    the chosen, best or parsimonious K that lies at an end of the grid (empty when none does)."""

    chosen: int | None
    best: int | None
    within_noise: tuple[int, ...]
    parsimonious: int | None
    eligible: tuple[int, ...]
    tried: tuple[int, ...]
    at_edge: tuple[str, ...]
    sentence: str
    n_seeds: int = 0  # seeds per K (0: not recorded, a result saved before this field)

    def about(self, k: int) -> str:
        """One sentence on a run's K (model.n_topics, fixed by its config) against this verdict."""
        if k == self.chosen:
            return f"The run's K = {k} is the sweep's choice."
        fixed = f"The run fits K = {k}, fixed by the config ([model] n_topics)"
        standing = (
            f" (K = {k} was not tried)"
            if k not in self.tried
            else f" (K = {k} fell below the seed stability threshold)"
            if self.eligible and k not in self.eligible
            else ""
        )
        if self.chosen is not None:
            return f"{fixed}; the sweep's choice was K = {self.chosen}{standing}."
        if self.best is None:
            return f"{fixed}; the sweep named no K: none reached its seed stability threshold."
        if self.n_seeds == 1:
            return (
                f"{fixed}; the sweep named no K: with one seed per K it measured no seed spread "
                f"(its best mean was K = {self.best}){standing}."
            )
        noise = f"the sweep named no K: no K was distinguishable from the best (K = {self.best}) within seed noise"
        if k == self.parsimonious:
            why = f"K = {k} is its parsimonious choice, the smallest K within seed noise of the best"
        elif k in self.within_noise:
            why = f"K = {k} is within seed noise of the best; the smallest such K is K = {self.parsimonious}"
        elif k not in self.tried:
            why = f"K = {k} was not tried"
        elif k not in self.eligible:
            why = f"K = {k} fell below the seed stability threshold"
        else:
            why = f"K = {k} is worse than the best beyond seed noise"
        return f"{fixed}; {noise}, and {why}."


@dataclass(frozen=True)
class SweepResult:
    """rows: one SweepRow per K (mean and range over seeds); runs: one SweepRun per (K, seed);
    verdict: the conclusion (``choose_k``), its sentence shown wherever the sweep is."""

    rows: tuple[SweepRow, ...]
    runs: tuple[SweepRun, ...]
    verdict: SweepVerdict
    heldout_name: str
    criterion: str
    min_stability: float
    n_train: int
    n_heldout: int
    seeds: tuple
    notes: tuple = ()

    def rule(self) -> str:
        """The rule of ``choose_k`` in one sentence, with this sweep's settings (for methods.md)."""
        return (
            f"A K is named only if it has the highest mean {self.criterion} among the K whose seed stability "
            f"is at least {self.min_stability:.2f} and its worst seed beats the best seed of every other such K "
            f"(the seed ranges do not overlap); otherwise no K is named, and the smallest K whose best seed "
            f"reaches the best K's worst seed is given as the parsimonious choice."
        )

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
    results = run_fits(tasks, config.parallel, f"sweep over {len(ks)} K x {len(seeds)} seeds")
    rows, runs = [], []
    for i, k in enumerate(ks):
        fits = results[i * len(seeds) : (i + 1) * len(seeds)]
        ens = ensemble([m for m, _, _ in fits], seeds, config.stability.threshold)
        mine = [
            SweepRun(
                k=k,
                seed=s,
                **{c: metrics["coherence"][c]["mean"] for c in MEASURES},
                diversity=metrics["diversity"],
                heldout=heldout,
            )
            for s, (_, heldout, metrics) in zip(seeds, fits)
        ]
        runs += mine
        rows.append(sweep_row(k, mine, ens.credited.mean(axis=1), len(ens.unstable())))
    rows_t = tuple(rows)
    from ..models.engines import ENGINES

    return SweepResult(
        rows=rows_t,
        runs=tuple(runs),
        verdict=choose_k(rows_t, cfg.criterion, cfg.min_stability, len(seeds)),
        heldout_name=ENGINES[config.model.engine].heldout_name,
        criterion=cfg.criterion,
        min_stability=cfg.min_stability,
        n_train=len(train),
        n_heldout=len(test),
        seeds=tuple(seeds),
        notes=notes,
    )


def sweep_row(k: int, runs, seed_stability: np.ndarray, unstable_topics: int) -> SweepRow:
    """The SweepRow of one K from its fits (``runs``: one SweepRun per seed) and ``seed_stability``
    (n_seeds - 1,): each other seed's mean matched similarity to the first seed's topics."""
    values = {m: np.array([getattr(r, m) for r in runs], dtype=float) for m in RANGED if m != "stability"}
    values["stability"] = np.asarray(seed_stability, dtype=float)
    stats = {}
    for m, v in values.items():
        empty = v.size == 0  # stability with one seed: not measured
        stats[m] = float("nan") if empty else float(v.mean())
        stats[f"{m}_min"] = float("nan") if empty else float(v.min())
        stats[f"{m}_max"] = float("nan") if empty else float(v.max())
    return SweepRow(k=k, unstable_topics=unstable_topics, **stats)


def choose_k(rows, criterion: str, min_stability: float, n_seeds: int) -> SweepVerdict:
    """The sweep's verdict on K. ``rows``: one SweepRow per K; ``criterion``: a name in MEASURES
    (higher is better); ``n_seeds``: fits per K.

    1. Eligible K: mean seed stability >= ``min_stability`` (every K when stability is not measured,
       with one seed). A K whose topics do not come back with another seed cannot be read, however
       coherent one seed's topics are. If no K is eligible, no K is named.
    2. The best K: the eligible K with the highest mean ``criterion`` (the smaller K on a tie).
    3. It is named only if its worst seed beats the best seed of every other eligible K by more than
       TIE (0.001, the precision at which coherence is reported): the seed ranges (min to max over
       seeds) do not overlap. Otherwise no K is named; the verdict gives the K within seed noise of
       the best (those whose best seed comes within TIE of the best K's worst seed, or above it) and
       the smallest of them, the parsimonious choice.
    4. A warning when the chosen K (or, when none is named, the best or the parsimonious K) is the
       smallest or largest K tried: the best K may lie beyond the grid.

    Why non-overlapping ranges rather than a difference of means: the differences between K in
    coherence are often smaller than the spread over seeds at one K, and a mean over three seeds
    hides that. With n seeds per K and no real difference, every seed of one K beating every seed of
    another has probability 1 / C(2n, n) (0.05 for three seeds, 0.17 for two): the rule is the most
    extreme outcome of an exact one-sided rank test (Mann-Whitney U = 0), free of any assumption
    about the shape of the seed spread, and it reads directly off the ranges a reader sees. A rule
    on the difference of means against the larger range has no such meaning and, with few seeds,
    rests on a range estimated from two or three points either way. The best is compared with each
    other K, so this is a rule for naming, not a test at a stated level. TIE keeps a difference in
    the fourth decimal from naming a K when the seeds give identical fits (NMF's deterministic
    nndsvda start). With one seed per K the spread is not measured and no K is named."""
    tried = tuple(r.k for r in rows)
    measured = any(not np.isnan(r.stability) for r in rows)
    eligible = [r for r in rows if not measured or (not np.isnan(r.stability) and r.stability >= min_stability)]
    low = [r for r in rows if all(r is not e for e in eligible)]
    below = (
        f" Below seed stability {min_stability:.2f}, not eligible: "
        + ", ".join(f"K = {r.k} ({r.stability:.3f})" for r in low)
        + "."
        if low
        else ""
    )
    if not eligible:
        steady = max(rows, key=lambda r: (r.stability, -r.k))
        sentence = (
            f"No K is named: no K reached seed stability {min_stability:.2f} (the most stable is K = {steady.k}, "
            f"{steady.stability:.3f}); the topics of every K tried change with the seed, so read them with care."
        )
        return SweepVerdict(None, None, (), None, (), tried, (), sentence, n_seeds)

    def value(r) -> float:
        return getattr(r, criterion)

    def ranked(candidates):
        return max(candidates, key=lambda r: (round(value(r), 9), -r.k))

    best = ranked(eligible)
    floor = best.seed_range(criterion)[0] - TIE
    within = tuple(r.k for r in eligible if r is best or r.seed_range(criterion)[1] >= floor)
    chosen = best.k if within == (best.k,) and n_seeds >= 2 else None
    parsimonious = min(within)
    points = n_seeds >= 2 and all(r.seed_range(criterion)[0] == r.seed_range(criterion)[1] for r in eligible)

    def shown(r) -> str:
        lo, hi = r.seed_range(criterion)
        return f"{value(r):.3f}" + (f", seeds {lo:.3f} to {hi:.3f}" if n_seeds > 1 and not points else "")

    among = f"the highest mean {criterion}" + (
        f" among the K with seed stability >= {min_stability:.2f}" if measured else ""
    )
    others = [r for r in eligible if r is not best]
    if n_seeds < 2:
        sentence = (
            f"No K is named: with one seed per K the seed spread is not measured, so no K can be told apart "
            f"from the best; K = {best.k} has {among} ({shown(best)}). Set [sweep] seeds to 3 or more."
        )
    elif chosen is not None:
        sentence = f"K = {best.k} is named: {among} ({shown(best)})" + (
            f", and its worst seed beats the best seed of every other eligible K (next best: K = "
            f"{ranked(others).k}, {shown(ranked(others))})."
            if others
            else ", the only eligible K."
        )
    else:
        near = [k for k in within if k != best.k]
        one = len(near) == 1
        sentence = (
            f"No K is distinguishable from the best within seed noise: K = {best.k} has {among} "
            f"({shown(best)}), but "
            + (
                f"K = {', '.join(map(str, near))} come{'s' if one else ''} within {TIE} of it"
                if points
                else f"the best seed{'' if one else 's'} of K = {', '.join(map(str, near))} "
                f"reach{'es' if one else ''} its worst seed"
            )
            + f"; the smallest K within noise of the best is K = {parsimonious} (the parsimonious choice)."
        )
    if points:
        sentence += (
            f" Every seed gave the same {criterion} at each K (the fits do not depend on the seed), so the seed "
            f"ranges are single points and the verdict rests on the means alone (ties within {TIE})."
        )
    edges = _edges(tried, chosen if chosen is not None else best.k, parsimonious)
    sentence += below + "".join(f" {w}" for w in edges)
    return SweepVerdict(
        chosen, best.k, within, parsimonious, tuple(r.k for r in eligible), tried, edges, sentence, n_seeds
    )


def _edges(tried: tuple[int, ...], best: int, parsimonious: int) -> tuple[str, ...]:
    """A warning when the chosen (or best) K or the parsimonious K is the smallest or largest K tried
    (none below the grid when its smallest K is MIN_TOPICS, the fewest any model takes)."""
    out = []
    if best == max(tried):
        out.append(f"K = {best} is the largest K tried; the best K may lie beyond the grid; extend [sweep] k.")
    if best == min(tried) > MIN_TOPICS:
        out.append(f"K = {best} is the smallest K tried; the best K may lie below the grid; extend [sweep] k.")
    elif parsimonious == min(tried) > MIN_TOPICS:
        out.append(
            f"K = {parsimonious} is the smallest K tried; a smaller K may do as well as the best; extend [sweep] k."
        )
    return tuple(out)
