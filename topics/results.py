"""The research outputs of a run beside the model: uncertainty, stability, theme words,
formulations, model comparison, the K sweep and the date audit; and their tables.

Table builders are pure functions returning (header, rows), rows sorted for deterministic output.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Findings:
    ensemble: object            # align.Ensemble: the reference model and the other seeds
    bands: object               # uncertainty.Bands
    fits: object                # uncertainty.TrendFits
    contrasts: tuple            # uncertainty.Contrast rows
    evolution: object           # evolution.Evolution
    formulations: object        # formulations.Formulations
    comparisons: tuple          # compare.Comparison per other engine
    sweep: object               # sweep.SweepResult or None
    audit: tuple                # dates.DocumentAudit per document
    warnings: tuple = ()


def stability_table(ens, labels):
    others = ens.seeds[1:]
    header = ["topic", "label", "stability", "recurs_in", "other_seeds", "flag",
              *[f"similarity_seed_{s}" for s in others]]
    unstable = set(ens.unstable())
    rows = [(t + 1, labels[t + 1], float(ens.stability[t]), int(ens.recurs[t]), len(others),
             "does not recur" if t + 1 in unstable else "", *[float(x) for x in ens.similarity[:, t]])
            for t in range(ens.reference.n_topics)]
    return header, rows


def trend_fits_table(fits, labels):
    header = ["topic", "label", "slope_per_decade", "ci_low", "ci_high", "fitted_first_year"]
    return header, [(t, labels[t], s, lo, hi, a) for t, s, lo, hi, a in fits.linear]


def smooth_table(fits, labels):
    header = ["topic", "label", "year", "fitted", "ci_low", "ci_high"]
    rows = [(t, labels[t], y, float(f), float(lo), float(hi))
            for t, (grid, fitted, low, high) in sorted(fits.spline.items())
            for y, f, lo, hi in zip(grid, fitted, low, high)]
    return header, rows


def contrasts_table(contrasts, labels):
    header = ["topic", "label", "later_era", "earlier_era", "later_years", "earlier_years", "later_mean",
              "earlier_mean", "difference", "ci_low", "ci_high", "interval_excludes_zero"]
    rows = [(c.topic, labels[c.topic], c.later, c.earlier, " ".join(map(str, c.later_years)),
             " ".join(map(str, c.earlier_years)), c.later_mean, c.earlier_mean, c.difference, c.low, c.high,
             c.low > 0 or c.high < 0) for c in contrasts]
    return header, sorted(rows, key=lambda r: (r[2], r[3], r[0]))


def theme_words_table(evo, labels):
    header = ["topic", "label", "year", "rank", "term", "weight"]
    return header, [(t, labels[t], y, r, w, x) for t, y, r, w, x in evo.rows]


def theme_shifts_table(evo, labels):
    header = ["topic", "label", "year", "entering", "leaving"]
    return header, [(t, labels[t], y, " ".join(e), " ".join(lv)) for t, y, e, lv in evo.shifts]


def formulations_tables(f, files):
    doc = (["term", "category", "doc_id", "file", "year", "substring_count", "token_count", "chars",
            "rate_per_10k_chars"],
           [(t, c, d, files[d], y, s, k, ch, r) for t, c, d, y, s, k, ch, r in f.by_doc])
    year = (["term", "category", "year", "n_docs", "substring_count", "token_count", "chars",
             "rate_per_10k_chars", "on_chart"],
            [(*row, row[0] in f.chart) for row in f.by_year])
    kwic = (["term", "year", "doc_id", "file", "left", "match", "right"],
            [(t, y, d, files[d], left, m, right) for t, y, d, left, m, right in f.kwic])
    return doc, year, kwic


def compare_tables(main, comparisons, labels, n_words: int = 8):
    header = ["engine", "topic", "label", "matched_topic", "similarity", "agreement", "top_words_main",
              "top_words_engine"]
    rows = []
    for c in comparisons:
        for t in range(main.n_topics):
            rows.append((c.engine, t + 1, labels[t + 1], int(c.own_topic[t]), float(c.similarity[t]), c.agreement,
                         " ".join(w for w, _ in main.top_terms(t, n_words)),
                         " ".join(w for w, _ in c.model.top_terms(t, n_words))))
    trend_rows = [(c.engine, y, t + 1, labels[t + 1], float(c.trends.matrix[i, t]))
                  for c in comparisons for i, y in enumerate(c.trends.years) for t in range(main.n_topics)]
    return (header, rows), (["engine", "year", "topic", "label", "prevalence"], trend_rows)


def sweep_tables(sw):
    cols = ["c_v", "c_npmi", "u_mass", "diversity", "stability", "heldout"]
    summary = (["k", *cols, "unstable_topics", "chosen"],
               [(r["k"], *[r[c] for c in cols], r["unstable_topics"], r["k"] == sw.chosen_k) for r in sw.rows])
    runs = (["k", "seed", "c_v", "c_npmi", "u_mass", "diversity", "heldout"],
            [(r["k"], r["seed"], r["c_v"], r["c_npmi"], r["u_mass"], r["diversity"], r["heldout"]) for r in sw.runs])
    return summary, runs


def audit_table(audit):
    header = ["file", "stated_year", "kind", "cue", "condition", "allows", "conflict", "context", "source"]
    rows = [(e.file, e.stated_year, e.kind, e.cue, e.condition, e.span(), e.conflict, e.context, e.source)
            for a in audit for e in a.evidence]
    return header, rows


def audit_summary_table(audit):
    header = ["file", "stated_year", "cues", "conflicts", "best_supported_years", "support", "verdict"]
    rows = [(a.file, a.stated_year, len(a.evidence), len(a.conflicts), " ".join(map(str, a.best_years)),
             a.best_support, a.summary()) for a in audit]
    return header, rows


def year_support(trends) -> dict[int, int]:
    """Documents behind each year with documents."""
    return {y: nd for (y, _, _, nd, _, _) in trends.by_year}


def interval_width(bands, reference_only: bool = False) -> float:
    """Median width of the yearly intervals over years and topics (a one-number summary). With
    ``reference_only``, of the intervals from the reference seed's replicates alone (units only,
    without the spread across seeds)."""
    if not reference_only or bands.n_seeds == 1 or not bands.resamples:
        return float(np.median(bands.high - bands.low))
    alpha = (1 - bands.level) / 2
    low, high = np.quantile(bands.reps[:bands.resamples], [alpha, 1 - alpha], axis=0)
    return float(np.median(high - low))
