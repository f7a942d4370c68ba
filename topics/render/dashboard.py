"""The dashboard: one self-contained HTML file, plotly.js embedded once, no network.

A Content-Security-Policy forbids every network request, and every string from the corpus or the
config is escaped, so a document holding HTML is shown as text.
"""

from __future__ import annotations


from . import escape, figures
from .shell import FIGURE_CONFIG, NO_SCRIPT_CSP
from ..analysis.uncertainty import pooling_finding
from .effects import effects_panels

MAX_DOCUMENT_ROWS = 300  # above this, the per-document heatmap is left out (documents.csv has it all)

_e = escape.html_text  # element content: bidi isolated (escape.py); <title> uses escape.html


def build_dashboard(result, manifest: dict) -> str:
    """The overview page's HTML (dashboard.html) for a RunResult; ``dashboard_pages`` gives every page."""
    return dashboard_pages(result, manifest)["dashboard.html"]


def dashboard_pages(result, manifest: dict) -> dict[str, str]:
    """{path in the run folder: HTML} of the dashboard's pages: the overview (dashboard.html), every
    other chart and table (details.html), one page per topic (topics/topic-NN.html, topic_view.py)
    and, when the run swept K, the sweep page (sweep.html). ``manifest``: the run record, for the
    set-up tables. Shapes: model.doc_topic (n_units, K) aligned with dtm.units."""
    from .topic_view import topic_pages

    config, trends = result.config, result.trends
    years = config.corpus.years or (min(trends.years), max(trends.years))
    span = (min(years[0], *trends.years), max(years[1], *trends.years))
    pages = {
        "dashboard.html": _overview(result, manifest, span),
        "details.html": _details(result, manifest, span),
        **topic_pages(result, span),
    }
    if result.findings.sweep is not None:
        sw = result.findings.sweep
        pages["sweep.html"] = sweep_page(
            config.name, sw, back="dashboard.html", about=sw.verdict.about(result.model.n_topics)
        )
    return pages


def _figure(key: str, title: str, fig, note: str = "") -> str:
    import plotly.io as pio

    body = pio.to_html(fig, full_html=False, include_plotlyjs=False, div_id=f"fig-{key}", config=FIGURE_CONFIG)
    note_html = f'<p class="note">{_e(note)}</p>' if note else ""
    return f'<section id="{key}"><h2>{_e(title)}</h2>{note_html}{body}</section>'


def _shell(result, manifest: dict, title: str, nav: list[tuple[str, str]], sections: list[str]) -> str:
    """A dashboard page: plotly.js once, the run's header, a sticky navigation bar of (href, text)."""
    from .pages import page

    body = (
        _header(result, manifest)
        + "<nav>"
        + "".join(f'<a href="{escape.html(href)}">{_e(text)}</a>' for href, text in nav)
        + "</nav><main>"
        + "".join(sections)
        + "</main>"
    )
    return page(title, body, plotly=True)


def _topic_links(result, prefix: str = "") -> str:
    from .topic_view import FOLDER, page_name

    return " ".join(
        f'<a class="topic-link" href="{prefix}{FOLDER}/{page_name(t)}" style="color:{figures.color(t)}">T{t} '
        f"<bdi>{_e(result.labels[t])}</bdi></a>"
        for t in range(1, result.model.n_topics + 1)
    )


def _overview(result, manifest: dict, span) -> str:
    """What this run can and cannot say; corpus; theme prevalence (small multiples with bands);
    stacked shares; formulations; model quality and stability in one table; links."""
    from .readout import sentences

    config, f, labels, trends = result.config, result.findings, result.labels, result.trends
    sections = [
        '<section id="readout"><h2>What this run can and cannot say</h2><ul class="readout">'
        + "".join(f"<li>{_e(s)}</li>" for s in sentences(result))
        + "</ul></section>",
        _figure("overview", "Corpus", figures.corpus_overview(trends, span), _support_note(trends.support)),
        _figure(
            "lines",
            "Theme prevalence with intervals",
            figures.trend_bands(f.bands, f.fits, labels, trends.support, span),
            f"Share of each year's modelled tokens per theme (token-weighted mean of unit shares). Bands: "
            f"{f.bands.level:.0%} intervals from {f.bands.resamples} bootstrap resamples ({f.bands.scheme}) of "
            f"each of {f.bands.n_seeds} seed fit(s), pooled where a fit finds the topic. Open markers: the year "
            f"rests on one document, so its band shows that text's variability, not the year's. Lines break at "
            f"years without documents; a year standing alone shows its interval as a bar. Dotted: smoothing "
            f"spline (one penalty for all themes, so a year's smoothed shares sum to 1), interpolated between "
            f"data years. "
            + (f.fits.spline_note or "")
            + " "
            + pooling_finding(f.bands.seeds_pooled, f.bands.n_seeds, f.ensemble.threshold),
        ),
        _figure(
            "area",
            "Theme prevalence (stacked)",
            figures.prevalence_area(trends, labels, span),
            "The same shares stacked to 100%.",
        ),
    ]
    if f.formulations.chart:
        sections.append(
            _figure(
                "formulations",
                "Formulations (提法)",
                figures.formulations(f.formulations, span),
                "Occurrences per 10,000 characters of cleaned text, counted as substrings (variant "
                "separators allowed); formulations_by_year.csv also has token counts; the other page has "
                "passages in context.",
            )
        )
    sections.append(_quality(result))
    sections.append(
        '<section id="links"><h2>Topics and other pages</h2><p>Each topic\'s words, trend and all its passages '
        f"(search and filters): {_topic_links(result)}</p><p>"
        '<a href="details.html">Every other chart and table</a> (stability, topic by year, words, theme words '
        "by year, era contrasts, model comparison, tables, set-up)"
        + (' · <a href="sweep.html">Choosing K (the sweep)</a>' if f.sweep is not None else "")
        + " · methods.md, the CSV files and figures/ are in this folder.</p></section>"
    )
    nav = [("#readout", "Can and cannot say"), ("#overview", "Corpus"), ("#lines", "Prevalence"), ("#area", "Stacked")]
    if f.formulations.chart:
        nav.append(("#formulations", "Formulations"))
    nav += [("#quality", "Quality and stability"), ("#links", "Topics"), ("details.html", "Charts and tables")]
    if f.sweep is not None:
        nav.append(("sweep.html", "Choosing K"))
    return _shell(result, manifest, f"{config.name} · topics dashboard", nav, sections)


def _quality(result) -> str:
    """Model quality and stability in one table: the topics summary with a link to each topic's page
    and in how many other seeds the topic recurs."""
    from .summaries import topics_summary
    from .topic_view import FOLDER, page_name

    s = topics_summary(result)
    ens = result.findings.ensemble
    others = len(ens.seeds) - 1
    head = "".join(f"<th>{_e(h)}</th>" for h in (*s.header, "Recurs in other seeds"))
    body = []
    for i, row in enumerate(s.rows):
        cells = [_e(c) for c in row]
        if i < result.model.n_topics:
            cells[0] = f'<a href="{FOLDER}/{page_name(i + 1)}">{cells[0]}</a>'
            cells[1] = f"<bdi>{cells[1]}</bdi>"
            cells.append(f"{int(ens.recurs[i])} of {others}")
        else:
            cells.append("")
        body.append("<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>")
    return (
        f'<section id="quality"><h2>Model quality and stability</h2><p class="note">{_e(s.caption)}. '
        f"Stability: mean cosine similarity to the Hungarian-matched topic in the other seeds' fits "
        f"(recurs: similarity at least {ens.threshold:g}). {_e(s.note)}</p>"
        f"<table><tr>{head}</tr>{''.join(body)}</table></section>"
    )


def _details(result, manifest: dict, span) -> str:
    """Every chart and table not on the overview, each once."""
    config, corpus, model, f = result.config, result.corpus, result.model, result.findings
    trends, labels = result.trends, result.labels
    titles = {d.doc_id: d.get("title") or d.file for d in corpus.documents}
    one_each = max(trends.support.values()) == 1
    sections = [
        _figure(
            "stability",
            "Seed stability",
            figures.stability(f.ensemble, labels),
            "Each topic's mean cosine similarity to its Hungarian-matched topic in fits with other seeds. "
            "Red: recurs in fewer than half of the other seeds. Grey: degenerate (near-uniform, or a repeat of "
            "a larger topic), stability 0; a match to a degenerate topic counts 0. "
            + " ".join(d.describe() + "." for ds in f.ensemble.reference_degenerate().values() for d in ds),
        ),
        _figure(
            "heatmap",
            "Topic by year",
            figures.heatmap(trends, labels),
            "One document stands behind each year, so this is also the per-document view (the Documents "
            "table below names each year's document)."
            if one_each
            else "",
        ),
    ]
    if not one_each and len(corpus.documents) <= MAX_DOCUMENT_ROWS:
        sections.append(
            _figure(
                "documents",
                "Per document",
                figures.documents_heatmap(trends, labels, titles),
                "Each document's theme shares (token-weighted over its units); rows in year order.",
            )
        )
    sections += [
        _figure(
            "words",
            "Top words",
            figures.top_words(result.topic_words, model.topic_term, model.vocab, labels),
            _words_note(result.topic_words),
        ),
        _figure(
            "evolution",
            "Theme words by year",
            figures.theme_words(f.evolution, labels, model.n_topics),
            f"Choose a theme from the menu. Rows: words in a year's top {config.evolution.top_n}; cells: the "
            f"word's weight in the theme that year (#rank); words listed in the order they enter. Weighting: "
            f"{f.evolution.method}.",
        ),
    ]
    if f.contrasts:
        sections.append(
            _figure(
                "contrasts",
                "Era contrasts",
                figures.contrasts(f.contrasts, labels),
                "Mean yearly share in the later era minus the earlier, with bootstrap intervals "
                "(contrasts.csv and tables/contrasts.tex have the numbers).",
            )
        )
    sections += [_figure(*panel) for panel in effects_panels(f.effects, labels)]  # [effects]: trends by group
    if f.comparisons:
        sections.append(
            _figure(
                "compare",
                "Model comparison",
                figures.comparison(trends, f.comparisons, labels, span),
                "Other engines fitted to the same units with the same K and seed; their topics are matched "
                "to this model's by the Hungarian algorithm on topic-word cosine similarity. Agreement: the "
                "mean similarity of matched topics.",
            )
        )
    sections += [_validation(result, manifest), _findings_tables(result), _summary(result, manifest)]
    keys = [("#stability", "Stability"), ("#heatmap", "Topic by year")]
    if not one_each and len(corpus.documents) <= MAX_DOCUMENT_ROWS:
        keys.append(("#documents", "Per document"))
    keys += [("#words", "Top words"), ("#evolution", "Theme words")]
    if f.contrasts:
        keys.append(("#contrasts", "Era contrasts"))
    if f.effects is not None:
        keys.append(("#effects", "Trends by group"))
    if f.comparisons:
        keys.append(("#compare", "Model comparison"))
    if result.validation is not None:
        keys.append(("#validation", "Validation"))
    keys += [("#tables", "Tables"), ("#summary", "Model and corpus"), ("dashboard.html", "Overview")]
    if f.sweep is not None:
        keys.append(("sweep.html", "Choosing K"))
    return _shell(result, manifest, f"{config.name} · charts and tables", keys, sections)


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
        + "<h3>Documents</h3>"
        + _table(["year", "file", "title", "level", "genre", "units", "tokens"], docs)
        + "<h3>Versions</h3>"
        + _table(["package", "version"], versions)
        + "</section>"
    )


def sweep_page(name: str, sw, back: str = "", about: str = "") -> str:
    """The page of a sweep (sweep.html of a sweep folder, or of a run that swept K): the verdict and its
    reason, one small inline-SVG panel per measure over exactly the swept K (mean over seeds, bars from
    the lowest to the highest seed, the named K dashed red; or, when none is named, the parsimonious K
    dashed red and the best mean dotted grey), and the table of every measure per K. No plotly.js, so
    the page is a few kilobytes; ``back``: a link to the run's overview ("" = none); ``about``: where
    the run's own K stands (a run's sweep page)."""
    from . import svg
    from .pages import page
    from .summaries import sweep_summary

    v = sw.verdict
    ks = [r.k for r in sw.rows]
    marks = []
    if v.chosen is not None:
        marks.append((v.chosen, "#d62728"))
    elif v.best is not None:
        marks.append((v.parsimonious, "#d62728"))
        if v.best != v.parsimonious:
            marks.append((v.best, "#7f7f7f"))
    panels = []
    for key, title in sw.measures():
        lows, highs = zip(*(r.seed_range(key) for r in sw.rows))
        chart = svg.Chart(
            title=title,
            x=tuple(ks),
            mean=tuple(float(getattr(r, key)) for r in sw.rows),
            low=tuple(float(x) for x in lows),
            high=tuple(float(x) for x in highs),
            x_range=(ks[0] - 0.5, ks[-1] + 0.5) if len(ks) > 1 else (ks[0] - 1, ks[0] + 1),
            ticks=tuple(ks),
            marks=tuple(marks),
            bars=True,
            x_title="K",
            size=(370, 220),
        )
        panels.append(svg.render(chart))
    if v.chosen is not None:
        named = f"The sweep names K = {v.chosen} (dashed red)."
    elif v.best is not None:
        named = (
            f"No K is named: the best mean is K = {v.best} (dotted grey) and the smallest K within seed noise of "
            f"it is K = {v.parsimonious} (dashed red)."
            if v.best != v.parsimonious
            else f"No K is named: K = {v.best} has the best mean and is the smallest within seed noise (dashed red)."
        )
    else:
        named = "No K reached the seed stability threshold."
    table = sweep_summary(sw)
    body = (
        f"<header><h1>{_e(name)}: choosing K</h1><p>K = {_e(', '.join(map(str, ks)))}, {len(sw.seeds)} seed(s) "
        f"each, criterion {_e(sw.criterion)}</p></header>"
        + (f'<nav><a href="{escape.html(back)}">Overview</a></nav>' if back else "")
        + f'<main><section id="verdict"><h2>The choice and its reason</h2><p>{_e(named)}</p>'
        f"<p>{_e(v.sentence)}</p>" + (f"<p>{_e(about)}</p>" if about else "") + "</section>"
        '<section id="measures"><h2>Measures by K</h2><p class="note">Points: the mean over seeds; bars: the '
        "lowest to the highest seed at that K; the axis ticks exactly the K values swept.</p>"
        f'<div class="panels">{"".join(panels)}</div></section>'
        f'<section id="table"><h2>{_e(table.caption)}</h2>{_table(table.header, table.rows)}</section></main>'
    )
    return page(f"{name} · K sweep", body, csp=NO_SCRIPT_CSP, css=".panels{display:flex;flex-wrap:wrap;gap:8px}")
