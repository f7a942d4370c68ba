"""The run's tables as a reader sees them (numbers formatted, intervals in brackets): the
summary view of a table of ``tables.TABLES``, which the dashboard shows as HTML and ``tables/*.tex``
holds as LaTeX, both from the same rows (the CSV view keeps every value unformatted). Cells are plain
text: each view escapes them for its own target.
"""

from __future__ import annotations

from typing import NamedTuple


class Summary(NamedTuple):
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    align: str = ""  # LaTeX column alignment (l, r), one letter per column
    note: str = ""  # a sentence shown under the caption on the dashboard


def pct(x: float) -> str:
    return f"{100 * x:.1f}"


def pp(x: float) -> str:
    """Percentage points with a sign."""
    return f"{100 * x:+.1f}"


def interval(low: float, high: float) -> str:
    return f"[{pp(low)}, {pp(high)}]"


def topics_summary(r) -> Summary:
    f, labels, metrics = r.findings, r.labels, r.metrics
    measures = list(metrics["coherence"])
    unstable, degenerate = set(f.ensemble.unstable()), f.ensemble.reference_degenerate()
    rows = [
        (
            f"T{t + 1}",
            labels[t + 1],
            " ".join(w for w, _ in r.model.top_terms(t, 8)),
            *[f"{metrics['coherence'][m]['per_topic'][t]:.3f}" for m in measures],
            f"{f.ensemble.stability[t]:.2f}"
            + (" (degenerate)" if t + 1 in degenerate else " (does not recur)" if t + 1 in unstable else ""),
        )
        for t in range(r.model.n_topics)
    ]
    rows.append(
        (
            "mean",
            "",
            "",
            *[f"{metrics['coherence'][m]['mean']:.3f}" for m in measures],
            f"{f.ensemble.stability.mean():.2f}",
        )
    )
    return Summary(
        f"Topics: top words, coherence and seed stability ({len(f.ensemble.seeds)} seeds)",
        ("Topic", "Label", "Top words", *measures, "Stability"),
        tuple(rows),
        "lll" + "r" * (len(measures) + 1),
    )


def trends_summary(r) -> Summary:
    bands, support, k = r.findings.bands, r.trends.support, r.model.n_topics
    rows = tuple(
        (
            str(y),
            str(support[y]),
            *[f"{pct(bands.point[i, t])} [{pct(bands.low[i, t])}, {pct(bands.high[i, t])}]" for t in range(k)],
        )
        for i, y in enumerate(bands.years)
    )
    return Summary(
        f"Theme share by year, percent, with {bands.level:.0%} bootstrap intervals",
        ("Year", "Docs", *[f"T{t + 1}" for t in range(k)]),
        rows,
        "rr" + "l" * k,
    )


def trend_fits_summary(r):
    fits, level = r.findings.fits, r.findings.bands.level
    if not fits.linear:
        return None
    return Summary(
        "Linear trend of theme share on year",
        ("Topic", "Label", "Change per decade (pp)", f"{level:.0%} interval"),
        tuple((f"T{x.topic}", r.labels[x.topic], pp(x.slope_per_decade), interval(x.low, x.high)) for x in fits.linear),
        "llrl",
        f"Least-squares slope of yearly share on year, in percentage points per decade, with "
        f"{level:.0%} bootstrap intervals.",
    )


def contrasts_summary(r):
    f = r.findings
    if not f.contrasts:
        return None
    return Summary(
        "Era contrasts in theme share (mean of yearly shares)",
        ("Topic", "Label", "Contrast", "Later", "Earlier", "Difference (pp)", f"{f.bands.level:.0%} interval"),
        tuple(
            (
                f"T{c.topic}",
                r.labels[c.topic],
                f"{c.later} − {c.earlier}",
                f"{c.later_mean:.1%}",
                f"{c.earlier_mean:.1%}",
                pp(c.difference),
                interval(c.low, c.high),
            )
            for c in f.contrasts
        ),
        "lllrrrl",
        "Mean yearly share in the later era minus the earlier, with bootstrap intervals.",
    )


def sweep_summary(sw) -> Summary:
    """Also the table of a sweep folder (``topics sweep``), which has no RunResult."""
    measures = sw.measures()
    return Summary(
        f"Choosing the number of topics; chosen K = {sw.chosen_k}",
        ("K", *[m if m.startswith(("c_", "u_")) else m.capitalize() for m, _ in measures[:-1]], sw.heldout_name),
        tuple(
            (str(row.k), *[f"{getattr(row, m):.3f}" for m, _ in measures[:-1]], f"{row.heldout:.4g}") for row in sw.rows
        ),
        "r" * (len(measures) + 1),
        "Why this K: " + sw.reason,
    )


def agreement_summary(r):
    import numpy as np

    cs = r.findings.comparisons
    if not cs:
        return None
    return Summary(
        "Agreement between engines",
        ("Engine", "Agreement", "Least similar matched topic"),
        tuple(
            (c.engine, f"{c.agreement:.3f}", f"T{int(np.argmin(c.similarity)) + 1} ({c.similarity.min():.2f})")
            for c in cs
        ),
        "lrl",
    )


def shifts_summary(r):
    rows = tuple(
        (f"T{s.topic}", r.labels[s.topic], str(s.year), " ".join(s.entering) or "–", " ".join(s.leaving) or "–")
        for s in r.findings.evolution.shifts
    )
    if not rows:
        return None
    return Summary(
        "Words entering and leaving each theme",
        ("Topic", "Label", "Year", "Entering", "Leaving"),
        rows,
        "lllll",
        "Against the previous year with documents.",
    )


def kwic_summary(r):
    kwic = r.findings.formulations.kwic
    if not kwic:
        return None
    return Summary(
        "Formulations in context",
        ("Formulation", "Year", "Document", "Context"),
        tuple((k.term, str(k.year), k.doc_id, f"…{k.left}【{k.match}】{k.right}…") for k in kwic),
        "llll",
    )


def audit_summary(r) -> Summary:
    return Summary(
        "Date audit",
        ("Document", "Stated", "Verdict"),
        tuple((a.file, str(a.stated_year), a.summary()) for a in r.findings.audit),
        "lrl",
        "Each document's stated year against dated cues in its own text. Conflicts are listed with "
        "the words that raised them; years are never changed.",
    )


def conflicts_summary(r):
    rows = tuple((e.file, e.cue, e.span(), e.context, e.source) for a in r.findings.audit for e in a.conflicts)
    if not rows:
        return None
    return Summary(
        "Dated cues that disagree with the stated year",
        ("Document", "Cue", "Allows", "Context", "Source"),
        rows,
        "lllll",
    )
