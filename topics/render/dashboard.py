"""The dashboard: one self-contained HTML file, plotly.js embedded once, no network.

A Content-Security-Policy forbids every network request, and every string from the corpus or the
config is escaped, so a document holding HTML is shown as text.
"""

from __future__ import annotations


import numpy as np

from . import escape, figures
from ..analysis.uncertainty import pooling_finding

MAX_DOCUMENT_ROWS = 300  # above this, the per-document heatmap is left out (documents.csv has it all)
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; connect-src 'none'"
)
FIGURE_CONFIG = {"displaylogo": False, "responsive": True, "toImageButtonOptions": {"format": "svg", "scale": 1}}
CSS = (
    """
body{font-family:%s;margin:0;color:#222;background:#fafafa}
header{background:#1f3b57;color:#fff;padding:18px 28px}
header h1{margin:0 0 6px 0;font-size:24px} header p{margin:2px 0;opacity:.9}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:8px 28px;z-index:10}
nav a{margin-right:16px;color:#1f3b57;text-decoration:none;font-size:14px}
main{padding:10px 28px 40px 28px;max-width:1200px}
section{background:#fff;border:1px solid #e3e3e3;border-radius:6px;margin:18px 0;padding:12px 18px}
h2{font-size:19px;margin:6px 0 10px 0}
.note{color:#555;font-size:13px;margin:4px 0 8px 0}
.warn{background:#fff4e5;border-left:4px solid #f0a020;padding:8px 12px;margin:10px 0;font-size:14px}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
td,th{border-bottom:1px solid #eee;padding:4px 10px;text-align:left;vertical-align:top}
th{background:#f3f5f7}
.passage{margin:6px 0 12px 0;padding:8px 12px;border-left:4px solid #ccc;background:#fbfbfb;
 white-space:pre-wrap;line-height:1.6;font-size:14px}
.meta{color:#666;font-size:12px}
.topic h3{font-size:16px;margin:14px 0 4px 0}
"""
    % figures.FONT
)


_e = escape.html_text  # element content: bidi isolated (escape.py); <title> uses escape.html


def build_dashboard(result, manifest: dict) -> str:
    """The dashboard's HTML for a RunResult (``manifest``: its run record, for the set-up tables).
    Shapes: model.doc_topic (n_units, K) aligned with dtm.units."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    config, corpus, dtm, model = result.config, result.corpus, result.dtm, result.model
    trends, labels, findings = result.trends, result.labels, result.findings

    titles = {d.doc_id: d.get("title") or d.file for d in corpus.documents}
    years = config.corpus.years or (min(trends.years), max(trends.years))
    span = (min(years[0], *trends.years), max(years[1], *trends.years))
    f = findings
    support = trends.support
    figs = [
        ("overview", "Corpus overview", figures.corpus_overview(trends, span), _support_note(support)),
        (
            "lines",
            "Theme prevalence with intervals",
            figures.trend_bands(f.bands, f.fits, labels, support, span),
            f"Share of each year's modelled tokens per theme (token-weighted mean of unit shares). Bands: "
            f"{f.bands.level:.0%} intervals from {f.bands.resamples} bootstrap resamples ({f.bands.scheme}) of "
            f"each of {f.bands.n_seeds} seed fit(s), pooled where a fit finds the topic (below). Open markers: the year rests on one document, so "
            f"its band shows that text's variability, not the year's. Lines break at years without documents; a "
            f"year standing alone shows its interval as a bar. Dotted: smoothing spline (one penalty for all themes, so "
            f"a year's smoothed shares sum to 1), interpolated between data years. "
            + (f.fits.spline_note or "")
            + " "
            + pooling_finding(f.bands.seeds_pooled, f.bands.n_seeds, f.ensemble.threshold),
        ),
        (
            "area",
            "Theme prevalence (stacked)",
            figures.prevalence_area(trends, labels, span),
            "The same shares stacked to 100%.",
        ),
        (
            "stability",
            "Seed stability",
            figures.stability(f.ensemble, labels),
            "Each topic's mean cosine similarity to its Hungarian-matched topic in fits with other seeds. "
            "Red: recurs in fewer than half of the other seeds. Grey: degenerate (near-uniform, or a repeat of "
            "a larger topic), stability 0; a match to a degenerate topic counts 0. "
            + " ".join(d.describe() + "." for ds in f.ensemble.reference_degenerate().values() for d in ds),
        ),
        ("heatmap", "Topic by year", figures.heatmap(trends, labels), ""),
        *(
            [
                (
                    "documents",
                    "Per document",
                    figures.documents_heatmap(trends, labels, titles),
                    "Each document's theme shares (token-weighted over its units); rows in year order.",
                )
            ]
            if len(corpus.documents) <= MAX_DOCUMENT_ROWS
            else []
        ),
        (
            "words",
            "Top words",
            figures.top_words(result.topic_words, model.topic_term, model.vocab, labels),
            _words_note(result.topic_words),
        ),
        (
            "evolution",
            "Theme words by year",
            figures.theme_words(f.evolution, labels, model.n_topics),
            f"Choose a theme from the menu. Rows: words in a year's top {config.evolution.top_n}; cells: the word's "
            f"weight in the theme that year (#rank); words listed in the order they enter. Weighting: "
            f"{f.evolution.method}.",
        ),
    ]
    if f.contrasts:
        figs.append(
            (
                "contrasts",
                "Era contrasts",
                figures.contrasts(f.contrasts, labels),
                "Mean yearly share in the later era minus the earlier, with bootstrap intervals.",
            )
        )
    if f.formulations.chart:
        figs.append(
            (
                "formulations",
                "Formulations (提法)",
                figures.formulations(f.formulations, span),
                "Occurrences per 10,000 characters of cleaned text, counted as substrings (variant "
                "separators allowed); formulations_by_year.csv also has token counts.",
            )
        )
    if f.comparisons:
        figs.append(
            (
                "compare",
                "Model comparison",
                figures.comparison(trends, f.comparisons, labels, span),
                "Other engines fitted to the same units with the same K and seed; their topics are matched "
                "to this model's by the Hungarian algorithm on topic-word cosine similarity. Agreement: the "
                "mean similarity of matched topics.",
            )
        )
    if f.sweep is not None:
        verdict = f.sweep.verdict
        figs.append(
            (
                "sweep",
                "Number of topics",
                figures.sweep(f.sweep),
                f"{verdict.sentence} {verdict.about(config.model.n_topics)}",
            )
        )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="zh-Hans">',
        "<head>",
        '<meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape.html(config.name)} · topics dashboard</title>",
        f"<style>{CSS}</style>",
        f"<script>{get_plotlyjs()}</script>",
        "</head>",
        "<body>",
        _header(result, manifest),
        "<nav>"
        + "".join(f'<a href="#{key}">{_e(title)}</a>' for key, title, _, _ in figs)
        + ('<a href="#validation">Validation</a>' if result.validation is not None else "")
        + '<a href="#tables">Tables</a><a href="#passages">Passages</a><a href="#summary">Model and corpus</a>'
        + "</nav>",
        "<main>",
    ]
    for key, title, fig, note in figs:
        body = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"fig-{key}", config=FIGURE_CONFIG)
        note_html = f'<p class="note">{_e(note)}</p>' if note else ""
        parts.append(f'<section id="{key}"><h2>{_e(title)}</h2>{note_html}{body}</section>')
    parts.append(_validation(result, manifest))
    parts.append(_findings_tables(result))
    parts.append(_passages(config, titles, dtm, model, labels))
    parts.append(_summary(result, manifest))
    parts += ["</main>", "</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _words_note(words) -> str:
    from .summaries import labelling_note

    s = words.settings
    return (
        f"Left: each topic's {s.top_n} most probable words. Right: its {s.top_n} highest-FREX words, "
        f"in FREX order (frequent in the topic and exclusive to it). Bars: the word's probability in the "
        f"topic, on one scale per topic; the hover gives the FREX score. Grey bars marked * are "
        f"corpus-wide words. topics.csv also lists each topic's words by relevance "
        f"(Sievert & Shirley 2014, lambda {s.relevance_lambda:g}). " + labelling_note(words)
    )


def _support_note(support: dict) -> str:
    thin = [y for y, n in sorted(support.items()) if n == 1]
    text = "Documents behind each year: " + ", ".join(f"{y}: {n}" for y, n in sorted(support.items())) + "."
    if thin:
        text += f" {len(thin)} of {len(support)} years rest on a single document."
    return text + " Years without a bar have no document."


def _validation(result, manifest: dict) -> str:
    """The human validation section (render/validation.py), once ``topics validate score`` has
    scored the run's kit; "" before."""
    import plotly.io as pio

    from . import validation as views

    v = result.validation
    if v is None:
        return ""
    s = views.validation_summary(result)
    fig = pio.to_html(
        views.precision_figure(v),
        full_html=False,
        include_plotlyjs=False,
        div_id="fig-validation",
        config=FIGURE_CONFIG,
    )
    units = [x for x in v.scores if x.kind == "topic_intrusion" and x.task]
    return (
        '<section id="validation"><h2>Human validation</h2>'
        f'<p class="note">{_e(views.paragraph(manifest["validation"]))}</p>{fig}'
        f'<h3>{_e(s.caption)}</h3><p class="note">{_e(s.note)}</p>{_table(s.header, s.rows)}'
        + (
            "<h3>Topic intrusion: topic log odds per unit</h3>"
            + _table(
                ["Task", "Unit", "Topic log odds", "Coders"],
                [(x.task, x.unit, f"{x.value:.2f}", x.coders) for x in units],
            )
            if units
            else ""
        )
        + "</section>"
    )


def _findings_tables(result) -> str:
    from .tables import summaries

    out = ['<section id="tables"><h2>Tables</h2>']
    for s in summaries(result, "html").values():
        out.append(f"<h3>{_e(s.caption)}</h3>" + (f'<p class="note">{_e(s.note)}</p>' if s.note else ""))
        out.append(_table(s.header, s.rows))
    out.append("</section>")
    return "".join(out)


def _header(result, manifest: dict) -> str:
    config, corpus, dtm, model, trends = result.config, result.corpus, result.dtm, result.model, result.trends
    first, last = min(trends.years), max(trends.years)
    lines = [
        f"<h1>{_e(config.name)}: themes in {len(corpus.documents)} documents, {first}–{last}</h1>",
        f"<p>{_e(config.experiment.description)}</p>" if config.experiment.description else "",
        f"<p>{_e(model.engine)}, {model.n_topics} topics, seed {config.seed} · {len(dtm.units)} units, "
        f"{int(dtm.n_tokens.sum())} tokens, {len(dtm.vocab)} terms · run {_e(manifest['run_id'])}</p>",
    ]
    curation = manifest.get("curation") or []
    if curation:
        merged = [c for c in curation if c["action"] == "merge"]
        named = [c for c in curation if c["action"] == "label"]
        by = sorted({c["by"] for c in curation if c["by"]})
        parts = [" + ".join(f"T{t}" for t in c["topics"]) + f" of the fit merged into T{c['value']}" for c in merged]
        if named:
            parts.append("labels given to " + ", ".join(f"T{c['topics'][0]}" for c in named))
        lines.append(
            f"<p>Curated after the fit (fit {_e(manifest['fit_id'])}, report {_e(manifest['report_id'])}"
            f"{', by ' + _e(', '.join(by)) if by else ''}): {_e('; '.join(parts))}.</p>"
        )
    warns = "".join(f'<div class="warn">{_e(w)}</div>' for w in manifest["warnings"])
    return f"<header>{''.join(lines)}</header>" + (f'<div style="padding:0 28px">{warns}</div>' if warns else "")


def _passages(config, titles, dtm, model, labels) -> str:
    """For each topic, the units with the highest share of it (among units of at least the median
    length, so a three-word unit cannot win), in original wording."""
    n = config.report.passages
    if n == 0:
        return ""
    n_tok = dtm.n_tokens
    eligible = np.flatnonzero(n_tok >= np.median(n_tok))
    out = [
        '<section id="passages"><h2>Representative passages</h2><p class="note">Units with the '
        "highest share of each theme, in the original text (web noise removed).</p>"
    ]
    for k in range(model.n_topics):
        share = model.doc_topic[eligible, k]
        order = eligible[np.lexsort((eligible, -share))][:n]
        out.append(f'<div class="topic"><h3 style="color:{figures.color(k + 1)}">T{k + 1} {_e(labels[k + 1])}</h3>')
        for i in order:
            u = dtm.units[i]
            text = (
                u.original
                if len(u.original) <= config.report.passage_chars
                else u.original[: config.report.passage_chars] + "…"
            )
            out.append(
                f'<div class="meta">{u.year} · {_e(titles[u.doc_id])} · unit {_e(u.unit_id)} · '
                f"share {model.doc_topic[i, k]:.0%}</div><div class=\"passage\">{_e(text)}</div>"
            )
        out.append("</div>")
    out.append("</section>")
    return "".join(out)


def _table(header, rows) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def _summary(result, manifest: dict) -> str:
    config, corpus, dtm, model = result.config, result.corpus, result.dtm, result.model
    metrics = result.metrics
    units_per_doc, tokens_per_doc = {}, {}
    for u, nt in zip(dtm.units, dtm.n_tokens):
        units_per_doc[u.doc_id] = units_per_doc.get(u.doc_id, 0) + 1
        tokens_per_doc[u.doc_id] = tokens_per_doc.get(u.doc_id, 0) + int(nt)
    docs = [
        (
            d.year,
            d.file,
            d.get("title"),
            d.get("level"),
            d.get("genre"),
            units_per_doc.get(d.doc_id, 0),
            tokens_per_doc.get(d.doc_id, 0),
        )
        for d in corpus.documents
    ]
    from .summaries import topics_summary

    quality = topics_summary(result)
    params = sorted(model.params.items())
    seg = manifest["segment"]
    setup = [
        ("model", manifest["model"]["method"]),
        ("corpus", f"{config.corpus.path} · fingerprint {manifest['corpus']['fingerprint'][:16]}"),
        (
            "units",
            f"{config.units.kind}: min {config.units.min_chars}, max {config.units.max_chars}, "
            f"runs of ~{config.units.run_chars} characters",
        ),
        (
            "segmentation",
            f"{seg['engine']} {seg['engine_version']}, lexicon {seg['lexicon_terms']} terms, HMM {config.segment.hmm}",
        ),
        (
            "vocabulary",
            f"part of speech {config.vectorize.pos}, generic list {'on' if config.vectorize.generic else 'off'}, "
            f"min_df {config.vectorize.min_df}, max_df {config.vectorize.max_df}: {len(dtm.vocab)} terms "
            "(the Tables section lists what each rule left out)",
        ),
        ("topic diversity", f"{metrics['diversity']:.3f} (top {metrics['diversity_top_n']} words)"),
    ]
    versions = sorted(manifest["versions"].items())
    return (
        '<section id="summary"><h2>Model and corpus</h2>'
        + "<h3>Set-up</h3>"
        + _table(["", ""], setup)
        + "<h3>Model parameters</h3>"
        + _table(["parameter", "value"], params)
        + f"<h3>{_e(quality.caption)}</h3>"
        + _table(quality.header, quality.rows)
        + "<h3>Documents</h3>"
        + _table(["year", "file", "title", "level", "genre", "units", "tokens"], docs)
        + "<h3>Versions</h3>"
        + _table(["package", "version"], versions)
        + "</section>"
    )


def sweep_page(name: str, sw) -> str:
    """The page of a sweep folder: the verdict, the sweep figure (means with seed ranges) and the
    table of every measure per K (mean [lowest, highest seed])."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    from .summaries import sweep_summary

    body = pio.to_html(
        figures.sweep(sw), full_html=False, include_plotlyjs=False, div_id="fig-sweep", config=FIGURE_CONFIG
    )
    table = sweep_summary(sw)
    return (
        f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><title>{escape.html(name)} · K sweep'
        f"</title><style>{CSS}</style><script>{get_plotlyjs()}</script></head><body>"
        f"<header><h1>{_e(name)}: choosing K</h1><p>{_e(sw.verdict.sentence)}</p></header><main>"
        f"<section>{body}</section><section><h2>{_e(table.caption)}</h2>{_table(table.header, table.rows)}"
        "</section></main></body></html>\n"
    )
