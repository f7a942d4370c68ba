"""Honest uncertainty for trends: a bootstrap over units, fitted trends, and era contrasts.

The model's unit shares theta (n_units, K) are held fixed; what is resampled is which units stand
behind each year. Under "documents+units" each replicate draws, within every year, that year's
documents with replacement and then, within every drawn document, its units with replacement (a
two-stage cluster bootstrap; with one document in a year it reduces to resampling that document's
units). Under "units" only the second stage is run. When the model was fitted with several seeds,
the same draws are applied to every seed's (aligned) shares and the replicates are pooled, so the
bands hold the spread across seeds as well as across units. A seed's replicates of a topic are
pooled only when that seed's topic matched the reference topic (``pooled``, from
stability.Ensemble): an unmatched seed's column is another topic, so a topic matched in no other
seed has a band from the reference fit alone.

A year resting on one document gets a band that describes that one text's variability, not the
year's: the tables and the dashboard say so beside the figure.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..progress import steps

SCHEMES = {
    "documents+units": "documents resampled within each year, then units within each document",
    "units": "units resampled within each document; documents fixed",
}
CHUNK_CELLS = 4_000_000  # replicates are drawn a chunk at a time: (chunk, n_units) stays under this


@dataclass(frozen=True)
class Bands:
    """Bootstrap replicates of prevalence by year and the intervals read from them.

    reps: (n_seeds * R, n_years, K), seed-major: rows [s * R, (s + 1) * R) are seed s's R replicates
    (R = resamples, or 1 when resamples is 0: then each row is a seed's point estimate), every seed
    kept. pooled: (n_seeds, K) bool, which seeds' replicates make each topic's interval (row 0, the
    reference, always; None when built: every seed). low/high: (n_years, K), read from each topic's
    pooled rows only (``rows``)."""

    years: tuple[int, ...]
    point: np.ndarray
    reps: np.ndarray
    low: np.ndarray
    high: np.ndarray
    seed_points: np.ndarray  # (n_seeds, n_years, K): each seed's point estimates
    level: float
    resamples: int
    seed: int
    scheme: str
    n_seeds: int
    info: dict = field(default_factory=dict)
    pooled: np.ndarray = None  # type: ignore[assignment]  # filled in: every seed pooled

    def __post_init__(self):
        if self.pooled is None:  # a result saved before pooling was recorded pooled every seed
            object.__setattr__(self, "pooled", np.ones((self.n_seeds, self.point.shape[1]), dtype=bool))

    @property
    def seeds_pooled(self) -> np.ndarray:
        """(K,): how many seed fits (the reference included) make each topic's band."""
        return self.pooled.sum(axis=0)

    def rows(self, topic: int) -> np.ndarray | slice:
        """The replicate rows of reps pooled for ``topic`` (0-based): a (n_seeds * R,) bool mask, or
        every row (a slice, so that the numbers are those of the whole stack, bit for bit)."""
        if self.pooled[:, topic].all():
            return slice(None)
        return np.repeat(self.pooled[:, topic], self.reps.shape[0] // self.n_seeds)

    @property
    def seed_min(self) -> np.ndarray:
        """(n_years, K): the lowest point estimate among the pooled seeds."""
        return np.where(self.pooled[:, None, :], self.seed_points, np.inf).min(axis=0)

    @property
    def seed_max(self) -> np.ndarray:
        return np.where(self.pooled[:, None, :], self.seed_points, -np.inf).max(axis=0)

    def median_width(self, reference_only: bool = False) -> float:
        """Median width of the yearly intervals over years and topics (a one-number summary). With
        ``reference_only``, of the intervals from the reference seed's replicates alone (units only,
        without the spread across seeds)."""
        if not reference_only or self.n_seeds == 1 or not self.resamples:
            return float(np.median(self.high - self.low))
        alpha = (1 - self.level) / 2
        low, high = np.quantile(self.reps[: self.resamples], [alpha, 1 - alpha], axis=0)
        return float(np.median(high - low))


def _structure(units):
    """year -> list of arrays of unit rows, one array per document (sorted by doc id)."""
    rows = defaultdict(lambda: defaultdict(list))
    for i, u in enumerate(units):
        rows[u.year][u.doc_id].append(i)
    return {y: [np.array(rows[y][d]) for d in sorted(rows[y])] for y in sorted(rows)}


def _weights(structure, n_units: int, n_rep: int, scheme: str, rng) -> np.ndarray:
    """Multiplicity of every unit in each replicate: (n_rep, n_units)."""
    w = np.zeros((n_rep, n_units))
    for year in structure:
        docs = structure[year]
        if scheme == "documents+units" and len(docs) > 1:
            copies = rng.multinomial(len(docs), np.full(len(docs), 1 / len(docs)), size=n_rep)
        else:
            copies = np.ones((n_rep, len(docs)), dtype=int)
        for j, rows in enumerate(docs):
            draws = copies[:, j] * len(rows)
            w[:, rows] = rng.multinomial(draws, np.full(len(rows), 1 / len(rows)))
    return w


def _year_shares(w_tok: np.ndarray, theta: np.ndarray, structure) -> np.ndarray:
    """(n_rep, n_units) token weights x (n_units, K) shares -> (n_rep, n_years, K)."""
    out = []
    for year in structure:
        rows = np.concatenate(structure[year])
        num = w_tok[:, rows] @ theta[rows]
        out.append(num / w_tok[:, rows].sum(axis=1, keepdims=True))
    return np.stack(out, axis=1)


def pooled_quantiles(reps: np.ndarray, pooled: np.ndarray, qs) -> np.ndarray:
    """reps (n_seeds * R, ..., K) seed-major, pooled (n_seeds, K) -> (len(qs), ..., K): each topic's
    quantiles over the replicates of its pooled seeds only. With every seed pooled this is
    np.quantile over all rows, the same numbers bit for bit."""
    if pooled.all():
        return np.quantile(reps, qs, axis=0)
    per_seed = reps.shape[0] // pooled.shape[0]
    out = np.empty((len(qs), *reps.shape[1:]))
    for t in range(reps.shape[-1]):
        out[..., t] = np.quantile(reps[np.repeat(pooled[:, t], per_seed), ..., t], qs, axis=0)
    return out


def pooling_finding(seeds_pooled, n_seeds: int, threshold: float) -> str:
    """The sentence on topics whose bands pool fewer than all ``n_seeds`` fits ("" when none does).
    seeds_pooled: (K,) fits pooled per topic, the reference included (Bands.seeds_pooled)."""
    fewer = [(t + 1, int(n)) for t, n in enumerate(seeds_pooled) if n < n_seeds]
    if not fewer:
        return ""
    return (
        f"A seed's replicates of a topic were pooled only where that seed's topic matched the first fit's "
        f"(similarity >= {threshold}): "
        + ", ".join(
            f"T{t} pools {n} of {n_seeds} fits" if n > 1 else f"T{t} rests on the first fit alone" for t, n in fewer
        )
        + ("; every other topic pools all of them." if len(fewer) < len(seeds_pooled) else ".")
    )


def bootstrap(thetas: list[np.ndarray], units, n_tokens: np.ndarray, cfg, pooled=None) -> Bands:
    """thetas: one (n_units, K) array per seed, topics aligned to the first (the reference).

    units and n_tokens (n_units,) align with the rows of every theta. pooled: (n_seeds, K) bool,
    which seeds' shares of each topic to pool (stability.Ensemble.pooled; row 0 must be all True);
    None pools every seed."""
    structure = _structure(units)
    years = tuple(structure)
    n_tok = np.asarray(n_tokens, dtype=float)
    point = _year_shares(n_tok[None, :], thetas[0], structure)[0]
    per_seed = np.stack([_year_shares(n_tok[None, :], t, structure)[0] for t in thetas])
    if cfg.resamples:
        rng = np.random.default_rng(cfg.seed)
        by_seed: list[list[np.ndarray]] = [[] for _ in thetas]
        done = 0
        with steps(cfg.resamples, "bootstrap", unit="resamples") as bar:
            while done < cfg.resamples:
                n = min(max(1, CHUNK_CELLS // max(len(units), 1)), cfg.resamples - done)
                w_tok = _weights(structure, len(units), n, cfg.resample, rng) * n_tok[None, :]
                for chunks, t in zip(by_seed, thetas):
                    chunks.append(_year_shares(w_tok, t, structure))
                done += n
                bar.advance(n)
        reps = np.concatenate([c for chunks in by_seed for c in chunks])  # seed-major: the first
    else:  # ``resamples`` are seed 0's
        reps = per_seed
    k = thetas[0].shape[1]
    pool = np.ones((len(thetas), k), dtype=bool) if pooled is None else np.array(pooled, dtype=bool)
    if pool.shape != (len(thetas), k) or not pool[0].all():
        raise ValueError(f"pooled must be ({len(thetas)}, {k}) with the reference row all True")
    alpha = (1 - cfg.level) / 2
    low, high = pooled_quantiles(reps, pool, [alpha, 1 - alpha])
    return Bands(
        years=years,
        point=point,
        reps=reps,
        low=low,
        high=high,
        seed_points=per_seed,
        level=cfg.level,
        resamples=cfg.resamples,
        seed=cfg.seed,
        scheme=cfg.resample,
        n_seeds=len(thetas),
        pooled=pool,
    )


# ------------------------------------------------------------------ fitted trends
class LinearTrend(NamedTuple):
    """Least-squares slope of one topic's yearly share on year, per decade, with its interval."""

    topic: int
    slope_per_decade: float
    low: float
    high: float
    fitted_first_year: float


class SplineCurve(NamedTuple):
    """A topic's smoothing spline on a grid of years (G,), with its interval."""

    years: tuple
    fitted: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class TrendFits:
    """Prevalence regressed on year, per topic, with bootstrap intervals.

    linear: rows (topic, slope_per_decade, low, high, intercept_at_first_year).
    spline: {topic: (grid years, fitted (G,), low (G,), high (G,))}; empty when too few years."""

    linear: tuple
    spline: dict
    spline_note: str = ""


def fit_trends(bands: Bands, spline: bool) -> TrendFits:
    x = np.asarray(bands.years, dtype=float)
    k = bands.point.shape[1]
    alpha = (1 - bands.level) / 2
    linear = []
    if len(x) >= 2:
        xc = x - x.mean()
        slope_of = lambda y: (xc @ y) / (xc @ xc)  # noqa: E731  OLS slope along the year axis
        for t in range(k):
            s = slope_of(bands.point[:, t])
            rep = np.array([slope_of(r[:, t]) for r in bands.reps[bands.rows(t)]])
            lo, hi = np.quantile(rep, [alpha, 1 - alpha])
            linear.append(
                LinearTrend(
                    t + 1,
                    float(10 * s),
                    float(10 * lo),
                    float(10 * hi),
                    float(bands.point[:, t].mean() - s * (x.mean() - x[0])),
                )
            )
    fits, note = {}, ""
    if spline and len(x) >= 5:
        grid = np.arange(x[0], x[-1] + 1)  # inside the data's range only
        smoother = _gcv_choice(_smoothers(x, grid), bands.point)
        fitted = _onto_simplex(smoother @ bands.point)  # (G, K)
        rep = _onto_simplex(np.einsum("gn,rnk->rgk", smoother, bands.reps))  # (rows, G, K)
        for t in range(k):
            lo, hi = np.quantile(rep[bands.rows(t), :, t], [alpha, 1 - alpha], axis=0)
            fits[t + 1] = SplineCurve(tuple(int(g) for g in grid), fitted[:, t], lo, hi)
    elif spline:
        note = f"no smoothing spline ({len(x)} year(s) with documents; a spline needs at least 5)"
    return TrendFits(linear=tuple(linear), spline=fits, spline_note=note)


SPLINE_METHOD = (
    "a cubic smoothing spline with one penalty for all topics, chosen by generalised cross-validation and "
    "held fixed across replicates, evaluated from the first to the last data year; a smoothed share below 0 is "
    "set to 0 and each year's smoothed shares are rescaled to sum to 1"
)
LAMBDAS = np.logspace(-4, 8, 49)  # the penalties generalised cross-validation chooses among


def _smoothers(x, grid):
    """For each penalty: the cubic smoothing spline as linear maps from the values at x to the
    values at x (n, n) and on grid (G, n). A smoothing spline is linear in the data."""
    from scipy.interpolate import make_smoothing_spline

    eye = np.eye(len(x))
    out = []
    for lam in LAMBDAS:
        spl = make_smoothing_spline(x, eye, lam=lam)  # every unit vector at once (axis 0)
        out.append((spl(x), spl(grid)))
    return out


def _gcv_choice(smoothers, shares) -> np.ndarray:
    """The grid map (G, n) of the penalty with the lowest GCV score, summed over topics:
    n * sum_k |(I-S) y_k|^2 / (n - tr S)^2 for the year-by-topic shares (n, K).

    One penalty for every topic: a smoothing spline reproduces constants, so the smoothed shares of a
    year sum to 1 as the shares do (before ``_onto_simplex``). The penalty is chosen once, on the point
    estimate, and held fixed across replicates, so the band shows the data's variability, not the
    penalty's."""
    n = shares.shape[0]
    scores = [n * np.sum((shares - s_x @ shares) ** 2) / (n - np.trace(s_x)) ** 2 for s_x, _ in smoothers]
    return smoothers[int(np.argmin(scores))][1]


def _onto_simplex(smoothed: np.ndarray) -> np.ndarray:
    """Smoothed shares (..., G, K) with any value below 0 set to 0 and each year's shares rescaled
    to sum to 1 (a spline between distant data years can overshoot below zero)."""
    clipped = np.clip(smoothed, 0, None)
    return clipped / clipped.sum(axis=-1, keepdims=True)


# ------------------------------------------------------------------ era contrasts
@dataclass(frozen=True)
class Contrast:
    topic: int
    later: str
    earlier: str
    later_years: tuple
    earlier_years: tuple
    later_mean: float
    earlier_mean: float
    difference: float
    low: float
    high: float


def contrasts(bands: Bands, cfg) -> tuple[list[Contrast], list[str]]:
    """Later-era mean minus earlier-era mean of yearly prevalence (each year with documents
    weighs the same), per topic, with the bootstrap interval. Returns contrasts and warnings."""
    spans = dict(cfg.eras)
    years = np.asarray(bands.years)
    alpha = (1 - bands.level) / 2
    out, warnings = [], []
    for later, earlier in cfg.era_pairs():
        masks = {}
        for name in (later, earlier):
            first, last = spans[name]
            masks[name] = (years >= first) & (years <= last)
        empty = [n for n in (later, earlier) if not masks[n].any()]
        if empty:
            warnings.append(f"era contrast {later} vs {earlier} skipped: no documents in {', '.join(empty)}")
            continue
        a, b = masks[later], masks[earlier]
        diff_reps = bands.reps[:, a].mean(axis=1) - bands.reps[:, b].mean(axis=1)  # (n_seeds * R, K)
        lo, hi = pooled_quantiles(diff_reps, bands.pooled, [alpha, 1 - alpha])
        for t in range(bands.point.shape[1]):
            ma, mb = bands.point[a, t].mean(), bands.point[b, t].mean()
            out.append(
                Contrast(
                    t + 1,
                    later,
                    earlier,
                    tuple(int(y) for y in years[a]),
                    tuple(int(y) for y in years[b]),
                    float(ma),
                    float(mb),
                    float(ma - mb),
                    float(lo[t]),
                    float(hi[t]),
                )
            )
    return out, warnings
