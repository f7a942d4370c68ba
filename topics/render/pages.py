"""Small pages beside the dashboard: the comparison of two runs and the index of every run in a
reports folder. Self-contained, offline, every string escaped."""

from __future__ import annotations

from . import escape, figures
from .shell import CSP, CSS, FIGURE_CONFIG


_e = escape.html
_t = escape.html_text  # corpus/config text as element content: bidi isolated (experiment names are ASCII)


def _table(header, rows) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><tr>{head}</tr>{body}</table>"


def page(title: str, body: str, plotly: bool = False, csp: str = CSP, css: str = "") -> str:
    """A page in the dashboard's shell (its CSS, a Content-Security-Policy, plotly.js once when
    ``plotly``); ``body``: the HTML inside <body>, already escaped; ``css``: more rules."""
    script = ""
    if plotly:
        from plotly.offline import get_plotlyjs

        script = f"<script>{get_plotlyjs()}</script>"
    return (
        "<!DOCTYPE html>\n<html lang=\"zh-Hans\">\n<head>\n<meta charset=\"utf-8\">\n"
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_e(title)}</title>\n<style>{CSS}{css}</style>\n{script}\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )


_page = page


def comparison_table(cmp, labels_a, labels_b):
    """compare_runs.csv: one row per topic of A (and B's unmatched topics)."""
    header = ["topic_a", "label_a", "topic_b", "label_b", "similarity", "matched"]
    rows = [
        (
            m.topic_a or "",
            labels_a.get(m.topic_a, ""),
            m.topic_b or "",
            labels_b.get(m.topic_b, ""),
            m.similarity if m.topic_a and m.topic_b else "",
            m.matched,
        )
        for m in cmp.matches
    ]
    return header, rows


def differences_table(cmp):
    return ["setting", "run_a", "run_b"], [tuple(d) for d in cmp.differences]


def comparison_page(cmp, labels_a, labels_b) -> str:
    import plotly.io as pio

    matched = [m for m in cmp.matches if m.matched]
    rows = [
        (
            f"T{m.topic_a} {_t(labels_a[m.topic_a])}" if m.topic_a else "–",
            f"T{m.topic_b} {_t(labels_b[m.topic_b])}" if m.topic_b else "–",
            f"{m.similarity:.3f}" if m.topic_a and m.topic_b else "",
            "yes" if m.matched else "<b>no</b>",
        )
        for m in cmp.matches
    ]
    fig = pio.to_html(
        figures.run_comparison(cmp, labels_a, labels_b),
        full_html=False,
        include_plotlyjs=False,
        div_id="fig-compare",
        config=FIGURE_CONFIG,
    )
    diffs = [(_e(d.key), _t(d.value_a), _t(d.value_b)) for d in cmp.differences]
    body = (
        f"<header><h1>{_e(cmp.name_a)} and {_e(cmp.name_b)}: topics compared</h1>"
        f"<p>{len(matched)} of {sum(1 for m in cmp.matches if m.topic_a)} topics of {_e(cmp.name_a)} have a "
        f"partner in {_e(cmp.name_b)} with cosine similarity at least {cmp.threshold}.</p></header><main>"
        '<section><h2>Matched topics</h2><p class="note">Topics matched one to one by the Hungarian algorithm '
        "on the cosine similarity of their word distributions (on the union of both vocabularies), as fitted: "
        "before any merging by topics report, with the fits' labels. A pair "
        f"below {cmp.threshold} is listed but not counted as matched; a topic without a partner has none "
        "because the other run has fewer topics.</p>"
        + _table(["run A topic", "run B topic", "similarity", "matched"], rows)
        + "</section>"
        + f'<section><h2>Trends of matched topics</h2>{fig}</section>'
        + '<section><h2>What differs between the runs</h2><p class="note">Resolved settings, corpus '
        "fingerprint and package versions that differ.</p>"
        + (_table(["setting", "run A", "run B"], diffs) if diffs else "<p>Nothing: the same configuration.</p>")
        + "</section></main>"
    )
    return _page(f"{cmp.name_a} vs {cmp.name_b} · topics", body, plotly=True)


def index_page(runs, comparisons=()) -> str:
    """runs: (folder name, manifest, metrics or None) for every run and sweep folder, sorted by name;
    comparisons: (folder name, manifest) of every comparison folder."""
    rows = []
    for name, m, metrics in runs:
        if m.get("kind") == "sweep":
            sw = m.get("sweep") or {}
            rows.append(
                (
                    f'<a href="{_e(name)}/sweep.html">{_e(name)}</a>',
                    _e(m.get("created_utc", "")),
                    _e(f"{(m.get('corpus') or {}).get('documents', '')} documents"),
                    "sweep",
                    _e(
                        f"{sw.get('k', [''])[0]}–{sw.get('k', [''])[-1]} "
                        + (
                            f"(chooses {sw['chosen_k']})"
                            if sw.get("chosen_k") is not None
                            else f"(no K named; best mean {sw['best_k']})"
                            if sw.get("best_k") is not None
                            else "(no K named; none stable enough)"
                        )
                    ),
                    "",
                )
            )
            continue
        corpus, model = m.get("corpus") or {}, m.get("model") or {}
        years = corpus.get("years") or []
        coherence = ""
        if metrics:
            measures = metrics.get("coherence", {})
            first = "c_v" if "c_v" in measures else next(iter(measures), None)
            if first:
                coherence = f"{first} {metrics['coherence'][first]['mean']:.3f}"
        k = (model.get("params") or {}).get("n_topics", "")
        merged = sum(len(c.get("topics", ())) - 1 for c in m.get("curation") or [] if c.get("action") == "merge")
        rows.append(
            (
                f'<a href="{_e(name)}/dashboard.html">{_e(name)}</a>',
                _e(m.get("created_utc", "")),
                _e(
                    f"{corpus.get('documents', '')} documents, {min(years) if years else ''}–"
                    f"{max(years) if years else ''} ({str(corpus.get('fingerprint', ''))[:12]})"
                ),
                _e(model.get("engine", "")),
                _e(f"{k} (shown as {k - merged}, merged)" if merged else k),
                _e(coherence),
            )
        )
    cmps = [
        (
            f'<a href="{_e(name)}/compare.html">{_e(name)}</a>',
            _e(m.get("created_utc", "")),
            _e(" and ".join(map(str, m.get("names") or []))),
            _e(m.get("matched", "")),
        )
        for name, m in comparisons
    ]
    body = (
        "<header><h1>Runs in this folder</h1><p>Each run's dashboard, by folder name. This page is rewritten "
        "after every run, report, sweep and comparison.</p></header><main><section>"
        + (
            _table(["run", "created (UTC)", "corpus", "engine", "K", "coherence"], rows)
            if rows
            else "<p>No runs yet.</p>"
        )
        + "</section>"
        + (
            f"<section><h2>Comparisons</h2>{_table(['comparison', 'created (UTC)', 'runs', 'topics matched'], cmps)}"
            "</section>"
            if cmps
            else ""
        )
        + "</main>"
    )
    return _page("topics runs", body, plotly=False)
