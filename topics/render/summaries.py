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


SUMMARY_WORDS = 8  # words of each list in the topics summary
WIDE_MARK = "*"  # marks a corpus-wide word in a summary


def marked(words, corpus_wide) -> str:
    """Words joined by spaces, each corpus-wide one marked with WIDE_MARK."""
    wide = set(corpus_wide)
    return " ".join(w.term + (WIDE_MARK if w.term in wide else "") for w in words)


def labelling_note(words) -> str:
    """How the automatic labels were made, in one sentence (the dashboard, methods.md)."""
    s = words.settings
    given = [t for t in range(1, len(words.labels) + 1) if t not in words.automatic]
    return (
        f"Automatic labels are each topic's {s.label_words} highest-FREX words (FREX of Roberts, Stewart "
        f"& Airoldi 2016 as in stm, weight {s.frex_weight:g} on frequency and {1 - s.frex_weight:g} on "
        f"exclusivity), skipping corpus-wide words (among the {s.top_n} most probable words of more than "
        f"{s.corpus_wide_share:.0%} of topics"
        + (f": {' '.join(words.corpus_wide)}" if words.corpus_wide else ": none in this run")
        + "); a topic whose words repeat another label's takes its next FREX word"
        + (
            f"; {', '.join(f'T{t}' for t in given)} carry labels given in [report] labels."
            if given
            else "; labels given in [report] labels would replace them."
        )
    )


def topics_summary(r) -> Summary:
    f, labels, metrics, words = r.findings, r.labels, r.metrics, r.topic_words
    measures = list(metrics["coherence"])
    unstable, degenerate = set(f.ensemble.unstable()), f.ensemble.reference_degenerate()
    rows = [
        (
            f"T{t + 1}",
            labels[t + 1],
            marked(words.probability[t][:SUMMARY_WORDS], words.corpus_wide),
            marked(words.frex[t][:SUMMARY_WORDS], words.corpus_wide),
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
            "",
            *[f"{metrics['coherence'][m]['mean']:.3f}" for m in measures],
            f"{f.ensemble.stability.mean():.2f}",
        )
    )
    return Summary(
        f"Topics: top words by probability and by FREX, coherence and seed stability ({len(f.ensemble.seeds)} "
        f"seeds); {WIDE_MARK} marks a corpus-wide word",
        ("Topic", "Label", "Top words (probability)", "Top words (FREX)", *measures, "Stability"),
        tuple(rows),
        "llll" + "r" * (len(measures) + 1),
        labelling_note(words),
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


def effects_summary(r):
    """The contrasts of [effects] (or, with no categorical column, the year terms), one row per topic and term."""
    e = r.findings.effects
    if e is None:
        return None
    kind = "contrast" if any(x.kind == "contrast" for x in e.rows) else "coefficient"
    rows = tuple(
        (
            f"T{x.topic}",
            r.labels[x.topic],
            x.term,
            pp(x.estimate),
            interval(x.low, x.high) if x.low == x.low else "no interval",
            str(x.documents),
        )
        for x in e.rows
        if x.kind == kind and x.term != "(intercept)"
    )
    what = "level contrasts (average difference in share)" if kind == "contrast" else "coefficients"
    return Summary(
        f"Covariate effects on theme share: {what}, {e.formula}",
        ("Topic", "Label", "Term", "Estimate (pp)", f"{e.level:.0%} interval", "Documents"),
        rows,
        "lllrlr",
        f"Method of composition ({e.draws} draws) with a bootstrap over documents ({e.resamples} resamples); "
        f"no interval where fewer than {e.min_documents} documents stand behind an estimate.",
    )


def sweep_summary(sw) -> Summary:
    """Also the table of a sweep folder (``topics sweep``), which has no RunResult. Each cell: the
    mean over seeds and, in brackets, the lowest and highest seed."""
    measures, v = sw.measures(), sw.verdict

    def cell(row, m: str, spec: str) -> str:
        lo, hi = row.seed_range(m)
        mean = getattr(row, m)
        if lo != lo or len(sw.seeds) < 2:  # NaN: not measured (one seed)
            return f"{mean:{spec}}"
        return f"{mean:{spec}} [{lo:{spec}}, {hi:{spec}}]"

    named = f"K = {v.chosen} named" if v.chosen is not None else "no K named"
    return Summary(
        f"Choosing the number of topics ({named}): mean over {len(sw.seeds)} seeds [lowest, highest seed]",
        ("K", *[m if m.startswith(("c_", "u_")) else m.capitalize() for m, _ in measures[:-1]], sw.heldout_name),
        tuple(
            (str(row.k), *[cell(row, m, ".3f") for m, _ in measures[:-1]], cell(row, "heldout", ".4g"))
            for row in sw.rows
        ),
        "r" * (len(measures) + 1),
        v.sentence,
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
        ("Document", "Stated", "Verdict", "Evidence", "Second opinion"),
        tuple((a.file, str(a.stated_year), a.verdict, a.summary(), a.second_opinion()) for a in r.findings.audit),
        "lrlll",
        "Each document's stated year against dated cues in its own text: cues bound the year from below "
        "and from above (hard: the cue's own date; soft: the next congress, plenum or plan after the latest "
        "the text names has not happened yet). Beside it, the corpus's second opinion: the years of the "
        "three documents whose formulation profile is most alike. Conflicts are listed with the words "
        "that raised them; years are never changed.",
    )


def conflicts_summary(r):
    rows = tuple(
        (e.file, e.cue, e.span() + (" (soft)" if e.strength == "soft" else ""), e.context, e.source)
        for a in r.findings.audit
        for e in a.conflicts
    )
    if not rows:
        return None
    return Summary(
        "Dated cues that disagree with the stated year",
        ("Document", "Cue", "Allows", "Context", "Source"),
        rows,
        "lllll",
    )


RULE_TEXT = {  # rule -> how a reader is told what it removed (methods.md, the dashboard)
    "stopword": "general stopwords",
    "filler": "speech filler words",
    "generic": "generic policy verbs, nouns and speech formula",
    "pos": "words by part of speech (verbs, adjectives, adverbs, idioms, numerals, time words ...)",
    "min_df": "rare terms (in fewer than min_df units)",
    "max_df": "common terms (in more than max_df of units)",
    "max_features": "terms beyond max_features",
}


def vocabulary_summary(r) -> Summary:
    """Per rule: terms and tokens removed, and the most frequent of them."""
    rec = r.dtm.pruning
    examples: dict[str, list[str]] = {}
    for t in rec.removed:  # sorted by rule, then tokens: the first are the most frequent
        if len(examples.setdefault(t.rule, [])) < 8:
            examples[t.rule].append(t.term)
    rows = tuple(
        (rule, f"{n:,}", f"{tok:,}", pct(tok / max(rec.tokens_before, 1)), " ".join(examples.get(rule, [])))
        for rule, (n, tok) in rec.by_rule().items()
    ) + (("kept", f"{rec.terms_kept:,}", f"{rec.tokens_kept:,}", pct(rec.tokens_kept / max(rec.tokens_before, 1)), ""),)
    return Summary(
        caption="The model's vocabulary: terms left out by each rule, in the order applied",
        header=("rule", "terms", "tokens", "% of tokens", "most frequent"),
        rows=rows,
        align="lrrrl",
        note=vocabulary_sentence(rec),
    )


def vocabulary_sentence(rec) -> str:
    """One paragraph: what the model's vocabulary left out, rule by rule (methods.md and the dashboard)."""
    parts = []
    for rule, (n, tok) in rec.by_rule().items():
        top = [t.term for t in rec.removed if t.rule == rule][:3]
        parts.append(f"{n:,} {RULE_TEXT[rule]} ({tok:,} tokens{'; ' + ', '.join(top) if top else ''})")
    pos = (
        f" The part-of-speech rule kept jieba's dictionary tags {', '.join(rec.pos_kept)}; {rec.protected:,} "
        "terms of the corpus (lexicon formulations, policy terms and keep_terms) were exempt from it and from "
        "the generic list."
        if rec.pos_kept
        else ""
    )
    return (
        f"The model's vocabulary left out, in this order, {'; '.join(parts)}, keeping {rec.terms_kept:,} of "
        f"{rec.terms_before:,} terms and {rec.tokens_kept:,} of {rec.tokens_before:,} tokens.{pos} "
        "Formulation counts and passages use the full text. vocabulary.csv lists every term left out, with its "
        "rule, tag and counts."
    )
