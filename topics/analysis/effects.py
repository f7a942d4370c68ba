"""Covariate effects on topic prevalence by the method of composition (Roberts, Stewart & Tingley's
``estimateEffect``), with intervals from a bootstrap over documents.

The ``[effects]`` formula names metadata columns: ``year`` (linear, per decade), ``spline(year,
df=N)`` (a cubic B-spline basis of N columns), a column name (categorical, treatment coded against
its reference level) and ``col:year`` (that column's levels each with a slope of their own). It is
read by a small hand-written parser (``parse_formula``); nothing is evaluated.

Each composition draw samples every unit's topic shares from Dirichlet(theta_unit * (n_tokens_unit
+ alpha_sum)), so a unit resting on few tokens varies more; the draws are aggregated per document as
the trends are (token-weighted mean of the units' shares), and each topic's document shares are
regressed on the design by least squares. A bootstrap replicate resamples DOCUMENTS with replacement
within each design group (each combination of the formula's categorical levels keeps its number of
documents) and takes one composition draw (replicate r uses draw r mod ``draws``); intervals are the
percentiles of the replicates. Paragraphs of one speech are therefore never treated as independent.

Every estimate says how many documents stand behind it. An estimate resting on fewer than
``min_documents`` documents gets no interval (blank, flagged with the reason). In the coverage
simulation of tests/test_effects.py (200 simulations each, two groups, 200 resamples, 5 draws) 95%
intervals for a planted group difference (formula "group") covered it in 37% of simulations with 1
document per group, 79% with 2, 83% with 3, 90% with 5, 97% with 8, 95% with 10 and 97% with 20: the
nominal rate is reached from about 8-10 documents per group, hence the default of 10. (With "group +
year" the coverage at 2-3 documents per group looks nominal, 0.93-0.95, because a replicate that
repeats documents leaves the year and the group confounded or nearly so and its fit scatters widely:
at 2 per group a quarter of the replicates are rank-deficient. Not an interval to trust either.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ..config.formula import FormulaError, categorical_columns, parse_formula

KINDS = ("coefficient", "contrast")
NO_RESAMPLES = "no interval: effects.resamples = 0"


def check_columns(formula: str, meta_of: dict, reference=()) -> str:
    """The problem with a formula's columns for documents with metadata ``meta_of`` {doc_id: {column:
    value}} ("" when none): a column no document has, one with a single level, or a reference level
    (``reference``: (column, level) pairs) the column does not have; a reference for a column the
    formula does not name is not used (so that --set effects.formula can drop a column)."""
    terms = parse_formula(formula)
    columns = sorted({c for m in meta_of.values() for c in m})
    named = sorted({t.column for t in terms if t.kind in ("categorical", "interaction")})
    missing = [c for c in named if c not in columns]
    if missing:
        return (
            f"effects.formula names {', '.join(map(repr, missing))}, not a metadata column; the metadata columns: "
            + (", ".join(map(repr, columns)) or "none (add columns to the metadata sheet)")
            + "; or year"
        )
    for c in named:
        levels = sorted({str(m.get(c, "")) for m in meta_of.values()})
        if len(levels) < 2:
            return f"effects.formula: column {c!r} has one level only ({', '.join(map(repr, levels))}); drop it"
    cats = categorical_columns(terms)
    for c, level in reference:
        if c not in cats:  # a reference for a column the formula leaves out is not used
            continue
        known = sorted({str(m.get(c, "")) for m in meta_of.values()})
        if level not in known:
            return f"effects.reference: {c} has no level {level!r}; its levels: {', '.join(map(repr, known))}"
    return ""


# ------------------------------------------------------------------ design
@dataclass(frozen=True)
class Design:
    """The design of a formula over documents.

    columns: names of the design columns (intercept first); levels: {column: levels, reference
    first}; year_center and knots fix the year coding so that new rows (predictions) are coded the
    same way."""

    terms: tuple
    columns: tuple[str, ...]
    levels: dict
    year_center: float
    knots: tuple[float, ...]
    spline_df: int

    def matrix(self, years, values: dict) -> np.ndarray:
        """years (n,), values {column: (n,) level names or (n, L-1) dummy rows} -> X (n, p)."""
        years = np.asarray(years, dtype=float)
        n = len(years)
        dummies = {}
        for col, levels in self.levels.items():
            v = values[col]
            if isinstance(v, np.ndarray) and v.ndim == 2:
                dummies[col] = v.astype(float)
            else:
                v = np.asarray(v, dtype=object)
                dummies[col] = np.stack([(v == lv).astype(float) for lv in levels[1:]], axis=1).reshape(n, -1)
        yc = (years - self.year_center) / 10.0
        blocks = [np.ones((n, 1))]
        for t in self.terms:
            if t.kind == "year":
                blocks.append(yc[:, None])
            elif t.kind == "spline":
                blocks.append(_spline_basis(years, self.knots, self.spline_df))
            elif t.kind == "categorical":
                blocks.append(dummies[t.column])
            else:
                blocks.append(dummies[t.column] * yc[:, None])
        return np.concatenate(blocks, axis=1)


def _spline_basis(x: np.ndarray, knots: tuple[float, ...], df: int) -> np.ndarray:
    """A B-spline basis of df columns (the first basis function dropped: the intercept holds it).
    knots: (lo, interior..., hi); degree min(3, df)."""
    from scipy.interpolate import BSpline

    degree = min(3, df)
    lo, hi, interior = knots[0], knots[-1], list(knots[1:-1])
    t = np.r_[[lo] * (degree + 1), interior, [hi] * (degree + 1)]
    n_basis = len(t) - degree - 1
    xs = np.clip(x, lo, hi)
    basis = np.empty((len(x), n_basis))
    for j in range(n_basis):
        c = np.zeros(n_basis)
        c[j] = 1.0
        basis[:, j] = BSpline(t, c, degree, extrapolate=False)(xs)
    return np.nan_to_num(basis)[:, 1:]


def build_design(terms, years, values: dict, reference: dict) -> Design:
    """The Design of ``terms`` for documents with ``years`` (n,) and metadata ``values`` {column:
    (n,) strings}. reference: {column: level}; a column left out takes its most frequent level
    (ties: the first in sorted order)."""
    years = np.asarray(years, dtype=float)
    levels = {}
    for col in categorical_columns(terms):
        vals = [str(v) for v in values[col]]
        counts: dict[str, int] = {}
        for v in vals:
            counts[v] = counts.get(v, 0) + 1
        ref = reference.get(col) or sorted(counts, key=lambda v: (-counts[v], v))[0]
        if ref not in counts:
            raise FormulaError(
                f"effects.reference: {col} has no level {ref!r}; its levels: {', '.join(map(repr, sorted(counts)))}"
            )
        levels[col] = (ref, *sorted(v for v in counts if v != ref))
    spline = next((t for t in terms if t.kind == "spline"), None)
    df = spline.df if spline else 0
    knots: tuple[float, ...] = ()
    if spline:
        n_interior = max(df - 3, 0)
        inner = np.quantile(years, np.linspace(0, 1, n_interior + 2)[1:-1]) if n_interior else []
        knots = (float(years.min()), *map(float, inner), float(years.max()))
    columns = ["(intercept)"]
    for t in terms:
        if t.kind == "year":
            columns.append("year (per decade)")
        elif t.kind == "spline":
            columns += [f"spline(year, df={df})[{j}]" for j in range(1, df + 1)]
        elif t.kind == "categorical":
            columns += [f"{t.column}[{lv}]" for lv in levels[t.column][1:]]
        else:
            columns += [f"{t.column}[{lv}]:year (per decade)" for lv in levels[t.column][1:]]
    return Design(tuple(terms), tuple(columns), levels, float(years.mean()), knots, df)


# ------------------------------------------------------------------ results
class EffectRow(NamedTuple):
    """A coefficient or a contrast of one topic (1-based); low/high are nan when ``flag`` says why."""

    topic: int
    term: str
    kind: str
    estimate: float
    low: float
    high: float
    documents: int
    flag: str


class PredictedRow(NamedTuple):
    """Predicted prevalence of one topic in one year and group, with its band."""

    topic: int
    year: int
    group: str
    share: float
    low: float
    high: float
    documents: int
    flag: str
    has_data: bool = True  # the group has documents in this year (False: the curve between data years)


@dataclass(frozen=True)
class Effects:
    """What ``estimate_effects`` found: rows of effects.csv and effects_predicted.csv, and the settings."""

    formula: str
    group_column: str  # the column the predictions are drawn by ("" when none)
    rows: tuple
    predicted: tuple
    n_documents: int
    draws: int
    resamples: int
    level: float
    min_documents: int
    seed: int
    alpha_sum: float
    references: tuple = ()  # (column, reference level)

    @property
    def timed(self) -> bool:
        """The formula has a time term: predictions are a curve over the years, not one value per group."""
        return is_timed(self.formula)


def is_timed(formula: str) -> bool:
    return any(t.kind in ("year", "spline", "interaction") for t in parse_formula(formula))


def few(n: int, minimum: int) -> str:
    """The flag of an estimate on ``n`` documents ("" when enough)."""
    if n >= minimum:
        return ""
    return f"no interval: {n} document(s) behind it, fewer than effects.min_documents = {minimum}"


# ------------------------------------------------------------------ estimation
def document_table(units, n_tokens, meta_of: dict):
    """Units -> (doc_ids sorted, (n_docs, n_units) token-weight matrix (rows sum to 1), years (n_docs,),
    {column: (n_docs,) values}). meta_of: doc_id -> {column: value}."""
    import scipy.sparse as sp

    docs = sorted({u.doc_id for u in units})
    index = {d: i for i, d in enumerate(docs)}
    rows = np.array([index[u.doc_id] for u in units])
    w = np.asarray(n_tokens, dtype=float)
    agg = sp.csr_matrix((w, (rows, np.arange(len(units)))), shape=(len(docs), len(units)))
    totals = np.asarray(agg.sum(axis=1)).ravel()
    agg = sp.diags(1 / np.where(totals > 0, totals, 1)) @ agg
    years = np.zeros(len(docs))
    for u in units:
        years[index[u.doc_id]] = u.year
    columns = {c for m in meta_of.values() for c in m}
    values = {c: np.array([str(meta_of.get(d, {}).get(c, "")) for d in docs], dtype=object) for c in columns}
    return docs, agg.tocsr(), years, values


def composition_draws(theta, n_tokens, alpha_sum: float, draws: int, rng) -> list[np.ndarray]:
    """``draws`` samples of every unit's shares: each (n_units, K) from Dirichlet(theta * (n + alpha_sum))."""
    conc = np.clip(np.asarray(theta, dtype=float), 1e-12, None) * (np.asarray(n_tokens, float)[:, None] + alpha_sum)
    out = []
    for _ in range(draws):
        g = rng.standard_gamma(conc)
        out.append(g / g.sum(axis=1, keepdims=True))
    return out


def _solve(x: np.ndarray, y: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Weighted least squares for a batch: x (n, p), y (R, n, K), weights (R, n) -> beta (R, p, K).
    A rank-deficient replicate takes the minimum-norm solution (pseudo-inverse)."""
    xtwx = np.einsum("np,rn,nq->rpq", x, weights, x)
    xtwy = np.einsum("np,rn,rnk->rpk", x, weights, y)
    return np.linalg.pinv(xtwx, hermitian=True) @ xtwy


def _groups(values: dict, columns) -> np.ndarray:
    """(n_docs,) group index: each combination of the categorical columns' levels."""
    n = len(next(iter(values.values()))) if values else 0
    keys = [tuple(str(values[c][i]) for c in columns) for i in range(n)]
    table = {k: j for j, k in enumerate(sorted(set(keys)))}
    return np.array([table[k] for k in keys], dtype=int)


@dataclass(frozen=True)
class EffectsInput:
    """What the estimate needs: theta (n_units, K) unit shares, units (n_units,), n_tokens (n_units,),
    meta_of {doc_id: {column: value}}, alpha_sum the model's Dirichlet prior total."""

    theta: np.ndarray
    units: tuple
    n_tokens: np.ndarray
    meta_of: dict
    alpha_sum: float = 1.0


def estimate_effects(data: EffectsInput, cfg, seed: int) -> Effects:
    """cfg: the [effects] section (formula, reference, draws, resamples, level, min_documents)."""
    terms = parse_formula(cfg.formula)
    docs, agg, years, values = document_table(data.units, data.n_tokens, data.meta_of)
    cats = categorical_columns(terms)
    missing = [c for c in {*cats, *(t.column for t in terms if t.kind == "interaction")} if c not in values]
    if missing:
        raise FormulaError(
            f"effects.formula names {', '.join(map(repr, sorted(missing)))}, not a metadata column; the columns: "
            + (", ".join(map(repr, sorted(values))) or "none (add columns to the metadata sheet)")
        )
    design = build_design(terms, years, {c: values[c] for c in cats}, dict(cfg.reference))
    x = design.matrix(years, {c: values[c] for c in cats})
    n_docs, k = len(docs), data.theta.shape[1]
    rng = np.random.default_rng(seed)
    draws = composition_draws(data.theta, data.n_tokens, data.alpha_sum, cfg.draws, rng)
    y_draws = np.stack([agg @ d for d in draws])  # (draws, n_docs, K)
    point = _solve(x, y_draws, np.ones((cfg.draws, n_docs))).mean(axis=0)  # (p, K)
    group = _groups(values, cats) if cats else np.zeros(n_docs, dtype=int)
    reps = _bootstrap(x, y_draws, group, cfg.resamples, rng)  # (R, p, K) or None
    alpha = (1 - cfg.level) / 2
    counts = {c: {lv: int(np.sum(values[c] == lv)) for lv in design.levels[c]} for c in cats}

    def interval(est_reps, n: int):
        """(low (K,), high (K,), flag); low and high None when there is no interval."""
        flag = few(n, cfg.min_documents) if est_reps is not None else NO_RESAMPLES
        if flag:
            return None, None, flag
        lo, hi = np.quantile(est_reps, [alpha, 1 - alpha], axis=0)
        return lo, hi, ""

    rows: list[EffectRow] = []
    docs_of = _column_documents(design, counts, n_docs)
    for j, name in enumerate(design.columns):
        n = docs_of[j]
        lo, hi, flag = interval(None if reps is None else reps[:, j, :], n)
        for t in range(k):
            a, b = _pair(lo, hi, t)
            rows.append(EffectRow(t + 1, name, "coefficient", float(point[j, t]), a, b, n, flag))
    for col in cats:  # average contrasts: each level against the reference, at the documents' own years
        ref = design.levels[col][0]
        for lv in design.levels[col][1:]:
            c = _contrast_vector(design, years, values, cats, col, lv, ref)
            n = min(counts[col][lv], counts[col][ref])
            lo, hi, flag = interval(None if reps is None else np.einsum("p,rpk->rk", c, reps), n)
            est = c @ point
            for t in range(k):
                a, b = _pair(lo, hi, t)
                rows.append(EffectRow(t + 1, f"{col}: {lv} - {ref}", "contrast", float(est[t]), a, b, n, flag))
    group_col = cats[0] if cats else ""
    predicted = _predictions(design, years, values, cats, group_col, point, reps, counts, n_docs, cfg, alpha)
    return Effects(
        formula=cfg.formula,
        group_column=group_col,
        rows=tuple(sorted(rows, key=lambda r: (r.topic, KINDS.index(r.kind)))),
        predicted=predicted,
        n_documents=n_docs,
        draws=cfg.draws,
        resamples=cfg.resamples,
        level=cfg.level,
        min_documents=cfg.min_documents,
        seed=seed,
        alpha_sum=float(data.alpha_sum),
        references=tuple((c, design.levels[c][0]) for c in cats),
    )


def _pair(lo, hi, t) -> tuple[float, float]:
    if hi is None:
        return float("nan"), float("nan")
    return float(lo[t]), float(hi[t])


def _bootstrap(x, y_draws, group, resamples: int, rng):
    """(R, p, K) replicate coefficients: documents resampled within each group, draw r mod draws."""
    if not resamples:
        return None
    n = len(group)
    w = np.zeros((resamples, n))
    for g in np.unique(group):
        members = np.flatnonzero(group == g)
        w[:, members] = rng.multinomial(len(members), np.full(len(members), 1 / len(members)), size=resamples)
    out = np.empty((resamples, x.shape[1], y_draws.shape[2]))
    chunk = 200
    for start in range(0, resamples, chunk):
        idx = np.arange(start, min(start + chunk, resamples))
        out[idx] = _solve(x, y_draws[idx % len(y_draws)], w[idx])
    return out


def _column_documents(design: Design, counts: dict, n_docs: int) -> list[int]:
    """Documents behind each design column: a level's (or interaction's) column rests on that level's
    documents; the intercept on the reference cell's; the year and spline columns on all."""
    out = []
    levels = {f"{c}[{lv}]": counts[c][lv] for c in counts for lv in design.levels[c][1:]}
    ref_docs = min((counts[c][design.levels[c][0]] for c in counts), default=n_docs)
    for name in design.columns:
        if name == "(intercept)":
            out.append(ref_docs)
            continue
        base = name.split(":")[0]
        out.append(levels.get(base, n_docs))
    return out


def _held_dummies(design: Design, values, cats, n: int, col: str, level: str | None) -> dict:
    """Dummy values for n rows: ``col`` set to ``level``; every other column at its sample mean."""
    out = {}
    for c in cats:
        levels = design.levels[c]
        if c == col:
            out[c] = np.tile([[float(level == lv) for lv in levels[1:]]], (n, 1))
        else:
            mean = [float(np.mean(values[c] == lv)) for lv in levels[1:]]
            out[c] = np.tile([mean], (n, 1))
    return out


def _contrast_vector(design: Design, years, values, cats, col: str, level: str, ref: str) -> np.ndarray:
    """(p,): the mean over documents of x(level) - x(ref), the other columns as observed."""
    own = {c: np.stack([(values[c] == lv).astype(float) for lv in design.levels[c][1:]], axis=1) for c in cats}
    n = len(years)
    a = dict(own, **{col: _held_dummies(design, values, cats, n, col, level)[col]})
    b = dict(own, **{col: _held_dummies(design, values, cats, n, col, ref)[col]})
    return (design.matrix(years, a) - design.matrix(years, b)).mean(axis=0)


def _predictions(design, years, values, cats, group_col, point, reps, counts, n_docs, cfg, alpha):
    """Predicted shares by year and group. With a time term, every year from the first to the last
    data year, each row saying whether its group has documents that year; without one the
    prediction does not depend on the year, so it is given at the group's data years only."""
    timed = is_timed(cfg.formula)
    groups = design.levels[group_col] if group_col else ("all",)
    rows = []
    for g in groups:
        mine = years if not group_col else years[np.asarray(values[group_col]) == g]
        data_years = {int(y) for y in mine}
        grid = np.arange(int(years.min()), int(years.max()) + 1) if timed else np.array(sorted(data_years))
        x = design.matrix(grid, _held_dummies(design, values, cats, len(grid), group_col, g if group_col else None))
        share = x @ point  # (G, K)
        n = counts[group_col][g] if group_col else n_docs
        flag = few(n, cfg.min_documents) if reps is not None else NO_RESAMPLES
        lo = hi = None
        if not flag:
            lo, hi = np.quantile(np.einsum("gp,rpk->rgk", x, reps), [alpha, 1 - alpha], axis=0)
        for t in range(point.shape[1]):
            for i, y in enumerate(grid):
                rows.append(
                    PredictedRow(
                        t + 1,
                        int(y),
                        str(g),
                        float(share[i, t]),
                        float(lo[i, t]) if lo is not None else float("nan"),
                        float(hi[i, t]) if hi is not None else float("nan"),
                        n,
                        flag,
                        int(y) in data_years,
                    )
                )
    return tuple(sorted(rows, key=lambda r: (r.topic, r.group, r.year)))


def alpha_sum_of(params: dict, k: int) -> float:
    """The model's Dirichlet prior total on a unit's topic shares: sum of ``alpha`` when the engine
    records a number or a list, else 1: gensim's "symmetric" (1/K per topic) sums to exactly 1; for a
    learned or asymmetric prior ("auto", "asymmetric") 1 is an approximation (one pseudo-token)."""
    a = params.get("alpha") if isinstance(params, dict) else None
    if isinstance(a, bool):
        return 1.0
    if isinstance(a, (int, float)):
        return float(a) * k
    if isinstance(a, (list, tuple)) and a and all(isinstance(v, (int, float)) for v in a):
        return float(sum(a))
    return 1.0
