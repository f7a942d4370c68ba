"""The run's tables, as (header, rows) pairs built from a RunResult (pure functions), and the
registry of the CSV files a run writes (``TABLES``: file name -> builder, looked up by name).

Topics are numbered from 1 in every table; rows are sorted so that output is deterministic.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from . import summaries as sm
from . import validation as vd
from ..analysis.sweep import SweepRun
from ..analysis.words import TopicWords
from ..data import CleanLog, DocTermMatrix, FittedModel, Trends


TOPICS_HEADER = [
    "topic",
    "label",
    "rank",
    "term",  # the rank-th most probable word
    "weight",  # its probability in the topic
    "frex_term",  # the rank-th word by FREX
    "frex",  # its FREX score
    "relevance_term",  # the rank-th word by relevance
    "relevance",  # its relevance
    "corpus_wide",  # whether ``term`` is a corpus-wide word (never in an automatic label)
]


def topics_table(words: TopicWords, labels: dict[int, str]):
    """One row per topic and rank (long format): the rank-th word of each of the topic's three
    lists (``analysis.words``), each with its score, and whether the probability word is corpus-wide."""
    wide = set(words.corpus_wide)
    rows = [
        (k + 1, labels[k + 1], r + 1, p.term, p.score, f.term, f.score, v.term, v.score, p.term in wide)
        for k, lists in enumerate(zip(words.probability, words.frex, words.relevance))
        for r, (p, f, v) in enumerate(zip(*lists))
    ]
    return list(TOPICS_HEADER), rows


class Meta(NamedTuple):
    """The corpus's own metadata columns (title, place, level, genre, ...), in sheet order, and each
    document's values: joined into the per-document and per-unit tables, so a researcher needs no join."""

    columns: tuple[str, ...]
    values: dict  # doc_id -> tuple of strings, one per column

    @classmethod
    def of(cls, documents, taken=()) -> "Meta":
        """A column whose name the table uses already (``taken``) is written as meta_<name>."""
        names: dict[str, None] = {}
        for d in documents:
            names.update(dict.fromkeys(k for k, _ in d.meta))
        columns = tuple(names)
        header = tuple(f"meta_{c}" if c in taken else c for c in columns)
        return cls(header, {d.doc_id: tuple(d.get(c) for c in columns) for d in documents})


def doc_topics_table(model: FittedModel, dtm: DocTermMatrix, files: dict[str, str], meta: Meta = Meta((), {})):
    k = model.n_topics
    header = [
        "unit_id",
        "doc_id",
        "file",
        "year",
        *meta.columns,
        "position",
        "n_tokens",
        "dominant_topic",
        *[f"topic_{t + 1}" for t in range(k)],
        "text",
    ]
    n_tok = dtm.n_tokens
    order = sorted(range(len(dtm.units)), key=lambda i: (dtm.units[i].year, dtm.units[i].doc_id, dtm.units[i].position))

    def rows():  # generated row by row: a large corpus never holds the table in memory
        for i in order:
            u, theta = dtm.units[i], model.doc_topic[i]
            yield (
                u.unit_id,
                u.doc_id,
                files[u.doc_id],
                u.year,
                *meta.values.get(u.doc_id, ("",) * len(meta.columns)),
                u.position,
                int(n_tok[i]),
                int(np.argmax(theta)) + 1,
                *[float(x) for x in theta],
                u.original,
            )

    return header, rows()


def trends_table(trends: Trends, labels: dict[int, str], bands=None):
    """Yearly prevalence with its interval (ci_low, ci_high: bootstrap over units, pooled across the
    seeds whose topic matched the reference's), the range of those seeds' point estimates
    (seed_min, seed_max) and how many seed fits are pooled (seeds_pooled, the reference included)."""
    header = [
        "year",
        "topic",
        "label",
        "prevalence",
        "ci_low",
        "ci_high",
        "seed_min",
        "seed_max",
        "seeds_pooled",
        "n_docs",
        "n_units",
        "n_tokens",
        "single_document",
    ]
    rows = []
    for y, t, p, nd, nu, nt in trends.by_year:
        if bands is not None:
            i = bands.years.index(y)
            extra: tuple = (
                bands.low[i, t - 1],
                bands.high[i, t - 1],
                bands.seed_min[i, t - 1],
                bands.seed_max[i, t - 1],
                int(bands.seeds_pooled[t - 1]),
            )
        else:
            extra = ("", "", "", "", "")
        rows.append((y, t, labels[t], p, *extra, nd, nu, nt, nd == 1))
    return header, sorted(rows, key=lambda r: (r[0], r[1]))


DOCUMENTS_COLUMNS = ("doc_id", "file", "year", "topic", "label", "prevalence", "n_units", "n_tokens")


def documents_table(trends: Trends, labels: dict[int, str], files: dict[str, str], meta: Meta = Meta((), {})):
    header = ["doc_id", "file", "year", *meta.columns, "topic", "label", "prevalence", "n_units", "n_tokens"]
    blank = ("",) * len(meta.columns)
    rows = [
        (d, files[d], y, *meta.values.get(d, blank), t, labels[t], p, nu, nt) for (d, y, t, p, nu, nt) in trends.by_doc
    ]
    return header, sorted(rows, key=lambda r: (r[2], r[0], r[3 + len(blank)]))


CLEANING_COUNTS = (
    "lines_raw",
    "chars_raw",
    "boilerplate_lines",
    "boilerplate_chars",
    "blank_lines",
    "paragraphs",
    "chars_clean",
    "lost_chars",
    "punctuation",
    "spaces",
    "placeholders",
)


def cleaning_table(documents, logs: tuple[CleanLog, ...], units_per_doc: dict[str, int]):
    """documents: records with doc_id, file, year; logs: one CleanLog per document (by doc_id)."""
    header = ["doc_id", "file", "year", *CLEANING_COUNTS, "units", "removed_lines"]
    by_id = {log.doc_id: log for log in logs}
    rows = []
    for d in documents:
        log = by_id[d.doc_id]
        rows.append(
            (
                d.doc_id,
                d.file,
                d.year,
                *[log.count(c) for c in CLEANING_COUNTS],
                units_per_doc.get(d.doc_id, 0),
                " | ".join(log.removed_lines),
            )
        )
    return header, sorted(rows, key=lambda r: (r[2], r[1]))


def stability_table(ens, labels):
    """Per topic: stability (the mean of the similarity columns, which count 0 for a match to or of a
    degenerate topic), recurrence, and the reference fit's degenerate flags: the rules that flag a
    topic (space-separated), the first one's measure, and each flag's sentence in ``flag``."""
    others = ens.seeds[1:]
    header = [
        "topic",
        "label",
        "stability",
        "recurs_in",
        "other_seeds",
        "flag",
        "degenerate",
        "degenerate_measure",
        *[f"similarity_seed_{s}" for s in others],
    ]
    unstable = set(ens.unstable())
    flags = ens.reference_degenerate()
    credited = ens.credited
    rows = [
        (
            t + 1,
            labels[t + 1],
            float(ens.stability[t]),
            int(ens.recurs[t]),
            len(others),
            "; ".join((["does not recur"] if t + 1 in unstable else []) + [d.describe() for d in flags.get(t + 1, [])]),
            " ".join(d.rule for d in flags.get(t + 1, [])),
            flags[t + 1][0].measure if t + 1 in flags else "",  # the first rule's measure
            *[float(x) for x in credited[:, t]],
        )
        for t in range(ens.reference.n_topics)
    ]
    return header, rows


def trend_fits_table(fits, labels):
    header = ["topic", "label", "slope_per_decade", "ci_low", "ci_high", "fitted_first_year"]
    return header, [(t, labels[t], s, lo, hi, a) for t, s, lo, hi, a in fits.linear]


def smooth_table(fits, labels, years):
    """The smoothing spline per topic and year of the range; ``has_data``: whether the year has
    documents (the others are interpolated between data years)."""
    header = ["topic", "label", "year", "fitted", "ci_low", "ci_high", "has_data"]
    data = {int(y) for y in years}
    rows = [
        (t, labels[t], y, float(f), float(lo), float(hi), int(y) in data)
        for t, (grid, fitted, low, high) in sorted(fits.spline.items())
        for y, f, lo, hi in zip(grid, fitted, low, high)
    ]
    return header, rows


def contrasts_table(contrasts, labels):
    header = [
        "topic",
        "label",
        "later_era",
        "earlier_era",
        "later_years",
        "earlier_years",
        "later_mean",
        "earlier_mean",
        "difference",
        "ci_low",
        "ci_high",
        "interval_excludes_zero",
    ]
    rows = [
        (
            c.topic,
            labels[c.topic],
            c.later,
            c.earlier,
            " ".join(map(str, c.later_years)),
            " ".join(map(str, c.earlier_years)),
            c.later_mean,
            c.earlier_mean,
            c.difference,
            c.low,
            c.high,
            c.low > 0 or c.high < 0,
        )
        for c in contrasts
    ]
    return header, sorted(rows, key=lambda r: (r[2], r[3], r[0]))


def _blank(x: float):
    """An interval end as written: "" when there is none (nan)."""
    return "" if x != x else x


def effects_table(effects, labels):
    """effects.csv: each topic's coefficients and level contrasts, interval, documents behind it, flag."""
    header = ["topic", "label", "term", "kind", "estimate", "low", "high", "documents", "flag"]
    rows = [
        (e.topic, labels[e.topic], e.term, e.kind, e.estimate, _blank(e.low), _blank(e.high), e.documents, e.flag)
        for e in effects.rows
    ]
    return header, rows


def effects_predicted_table(effects, labels):
    """effects_predicted.csv: predicted prevalence by topic, year and group, with its band."""
    header = ["topic", "label", "year", "group", "has_data", "share", "low", "high", "documents", "flag"]
    rows = [
        (
            p.topic,
            labels[p.topic],
            p.year,
            p.group,
            int(p.has_data),
            p.share,
            _blank(p.low),
            _blank(p.high),
            p.documents,
            p.flag,
        )
        for p in effects.predicted
    ]
    return header, rows


def theme_words_table(evo, labels):
    header = ["topic", "label", "year", "rank", "term", "weight"]
    return header, [(t, labels[t], y, r, w, x) for t, y, r, w, x in evo.rows]


def theme_shifts_table(evo, labels):
    """One row per word that enters or leaves a theme's top words in a year (long format)."""
    header = ["topic", "label", "year", "change", "rank", "term"]
    rows = [
        (t, labels[t], y, change, r, w)
        for t, y, e, lv in evo.shifts
        for change, words in (("entering", e), ("leaving", lv))
        for r, w in enumerate(words, start=1)
    ]
    return header, rows


def formulations_tables(f, files):
    doc = (
        ["term", "category", "doc_id", "file", "year", "substring_count", "token_count", "chars", "rate_per_10k_chars"],
        [(t, c, d, files[d], y, s, k, ch, r) for t, c, d, y, s, k, ch, r in f.by_doc],
    )
    year = (
        [
            "term",
            "category",
            "year",
            "n_docs",
            "substring_count",
            "token_count",
            "chars",
            "rate_per_10k_chars",
            "on_chart",
        ],
        [(*row, row[0] in f.chart) for row in f.by_year],
    )
    kwic = (
        ["term", "year", "doc_id", "file", "left", "match", "right"],
        [(t, y, d, files[d], left, m, right) for t, y, d, left, m, right in f.kwic],
    )
    return doc, year, kwic


def compare_tables(main, comparisons, labels, n_words: int = 8):
    header = [
        "engine",
        "topic",
        "label",
        "matched_topic",
        "similarity",
        "agreement",
        "top_words_main",
        "top_words_engine",
    ]
    rows = []
    for c in comparisons:
        for t in range(main.n_topics):
            rows.append(
                (
                    c.engine,
                    t + 1,
                    labels[t + 1],
                    int(c.own_topic[t]),
                    float(c.similarity[t]),
                    c.agreement,
                    " ".join(w for w, _ in main.top_terms(t, n_words)),
                    " ".join(w for w, _ in c.model.top_terms(t, n_words)),
                )
            )
    trend_rows = [
        (c.engine, y, t + 1, labels[t + 1], float(c.trends.matrix[i, t]))
        for c in comparisons
        for i, y in enumerate(c.trends.years)
        for t in range(main.n_topics)
    ]
    return (header, rows), (["engine", "year", "topic", "label", "prevalence"], trend_rows)


def sweep_tables(sw):
    """sweep.csv: per K, each measure's mean over seeds and its range (<measure>_min, _max), and
    where the K stands in the verdict; sweep_runs.csv: one row per K and seed."""
    v = sw.verdict
    cols = [c for m, _ in sw.measures() for c in (m, f"{m}_min", f"{m}_max")]
    summary = (
        ["k", *cols, "unstable_topics", "eligible", "best", "within_noise", "chosen"],
        [
            (
                r.k,
                *[getattr(r, c) for c in cols],
                r.unstable_topics,
                r.k in v.eligible,
                r.k == v.best,
                r.k in v.within_noise,
                r.k == v.chosen,
            )
            for r in sw.rows
        ],
    )
    runs = (list(SweepRun._fields), [tuple(r) for r in sw.runs])
    return summary, runs


def audit_table(audit):
    header = [
        "file",
        "stated_year",
        "kind",
        "cue",
        "condition",
        "reading",
        "bound",
        "strength",
        "allows",
        "conflict",
        "position",
        "context",
        "source",
    ]
    rows = [
        (
            e.file,
            e.stated_year,
            e.kind,
            e.cue,
            e.condition,
            e.reading,
            e.bound,
            e.strength,
            e.span(),
            e.conflict,
            e.position,
            e.context,
            e.source,
        )
        for a in audit
        for e in a.evidence
    ]
    return header, rows


def audit_summary_table(audit):
    header = [
        "file",
        "stated_year",
        "verdict",
        "cues",
        "conflicts",
        "hard_lower",
        "hard_upper",
        "soft_upper",
        "best_supported_years",
        "support",
        "second_opinion_year",
        "second_opinion_range",
        "second_opinion_agrees",
        "second_opinion_neighbours",
        "evidence",
    ]
    rows = []
    for a in audit:
        low, high = a.hard_range()
        o = a.second
        rows.append(
            (
                a.file,
                a.stated_year,
                a.verdict,
                len(a.evidence),
                len(a.conflicts),
                "" if low is None else low,
                "" if high is None else high,
                "" if a.soft_upper() is None else a.soft_upper(),
                " ".join(map(str, a.best_years)),
                a.best_support,
                "" if o is None else o.year,
                a.second_note if o is None else o.span(),
                "" if o is None else o.allows(a.stated_year),
                "" if o is None else " ".join(f"{f}:{y}:{sim:.3f}" for f, y, sim in o.neighbours),
                a.summary(),
            )
        )
    return header, rows


def vocabulary_table(record):
    """Every term the model's vocabulary left out: the rule that removed it (text/vocabulary.RULES,
    in the order applied), its part-of-speech tag, its tokens and the units it is in, and a note."""
    header = ["term", "rule", "tag", "tokens", "units", "note"]
    return header, [tuple(t) for t in record.removed]


class Table(NamedTuple):
    """One table of a run, defined once: its CSV (every value unformatted) and, where a reader sees it,
    its summary (numbers formatted; render/summaries.py), which the dashboard shows as HTML and
    ``tables/*.tex`` holds as LaTeX."""

    csv: Callable | None  # RunResult -> (header, rows), written as <name>.csv
    when: Callable = lambda result: True  # whether the run has this table at all
    summary: Callable | None = None  # RunResult -> summaries.Summary or None
    latex: str = ""  # file name under tables/ ("" = no LaTeX view)
    html: bool = False  # shown in the dashboard's Tables section


def _files(result) -> dict[str, str]:
    return {d.doc_id: d.file for d in result.corpus.documents}


DOC_TOPICS_FIXED = ("unit_id", "doc_id", "file", "year", "position", "n_tokens", "dominant_topic", "text")


def _meta(result, taken) -> Meta:
    return Meta.of(result.corpus.documents, {*taken, *(f"topic_{t}" for t in range(1, result.model.n_topics + 1))})


def _formulation(i: int):
    return lambda r: formulations_tables(r.findings.formulations, _files(r))[i]


def _has_comparisons(r) -> bool:
    return bool(r.findings.comparisons)


def _has_effects(r) -> bool:
    return r.findings.effects is not None


def _has_sweep(r) -> bool:
    return r.findings.sweep is not None


TABLES: dict[str, Table] = {
    "topics": Table(
        lambda r: topics_table(r.topic_words, r.labels),
        summary=sm.topics_summary,
        latex="topics.tex",
    ),  # the dashboard's quality table
    "doc_topics": Table(lambda r: doc_topics_table(r.model, r.dtm, _files(r), _meta(r, DOC_TOPICS_FIXED))),
    "trends": Table(
        lambda r: trends_table(r.trends, r.labels, r.findings.bands), summary=sm.trends_summary, latex="trends.tex"
    ),  # the dashboard draws them
    "documents": Table(lambda r: documents_table(r.trends, r.labels, _files(r), _meta(r, DOCUMENTS_COLUMNS))),
    "cleaning": Table(
        lambda r: cleaning_table(r.corpus.documents, r.preparation.cleaning, r.preparation.units_per_doc)
    ),
    "stability": Table(lambda r: stability_table(r.findings.ensemble, r.labels)),
    "trend_fits": Table(
        lambda r: trend_fits_table(r.findings.fits, r.labels),
        summary=sm.trend_fits_summary,
        latex="trend_fits.tex",
        html=True,
    ),
    "trend_smooth": Table(lambda r: smooth_table(r.findings.fits, r.labels, r.findings.bands.years)),
    "contrasts": Table(
        lambda r: contrasts_table(r.findings.contrasts, r.labels),
        summary=sm.contrasts_summary,
        latex="contrasts.tex",
    ),  # the dashboard draws them
    "effects": Table(
        lambda r: effects_table(r.findings.effects, r.labels),
        _has_effects,
        summary=sm.effects_summary,
        latex="effects.tex",
    ),
    "effects_predicted": Table(lambda r: effects_predicted_table(r.findings.effects, r.labels), _has_effects),
    "compare": Table(
        lambda r: compare_tables(r.model, r.findings.comparisons, r.labels)[0],
        _has_comparisons,
        summary=sm.agreement_summary,
        html=True,
    ),
    "compare_trends": Table(lambda r: compare_tables(r.model, r.findings.comparisons, r.labels)[1], _has_comparisons),
    "theme_words": Table(lambda r: theme_words_table(r.findings.evolution, r.labels)),
    "theme_shifts": Table(
        lambda r: theme_shifts_table(r.findings.evolution, r.labels), summary=sm.shifts_summary, html=True
    ),
    "formulations_by_doc": Table(_formulation(0)),
    "formulations_by_year": Table(_formulation(1)),
    "kwic": Table(_formulation(2), summary=sm.kwic_summary, html=True),
    "date_audit_summary": Table(lambda r: audit_summary_table(r.findings.audit), summary=sm.audit_summary, html=True),
    "date_audit": Table(lambda r: audit_table(r.findings.audit), summary=sm.conflicts_summary, html=True),
    "vocabulary": Table(
        lambda r: vocabulary_table(r.dtm.pruning),
        lambda r: r.dtm.pruning is not None,
        summary=sm.vocabulary_summary,
        latex="vocabulary.tex",
        html=True,
    ),
    "sweep": Table(
        lambda r: sweep_tables(r.findings.sweep)[0],
        _has_sweep,
        summary=lambda r: sm.sweep_summary(r.findings.sweep),
        latex="sweep.tex",
    ),  # the dashboard draws it
    "sweep_runs": Table(lambda r: sweep_tables(r.findings.sweep)[1], _has_sweep),
    "validation": Table(
        lambda r: vd.validation_table(r.validation),
        lambda r: r.validation is not None,
        summary=vd.validation_summary,
        latex="validation.tex",
    ),  # `topics validate score`; the dashboard's validation section shows it
}


def summaries(result, view: str) -> dict:
    """name -> Summary of every table the run shows in ``view`` ("html" or "latex"), in registry order."""
    out = {}
    for name, t in TABLES.items():
        if t.summary is not None and t.when(result) and (bool(t.latex) if view == "latex" else t.html):
            s = t.summary(result)
            if s is not None:
                out[name] = s
    return out


def run_tables(result) -> dict:
    """file name -> (header, rows) of every CSV the run writes."""
    return {f"{name}.csv": t.csv(result) for name, t in TABLES.items() if t.csv is not None and t.when(result)}
