"""One page per topic (``topics/topic-NN.html`` in the run folder): its words by probability and by
FREX side by side, its trend by year (inline SVG, no plotly.js), and all its passages ranked by share
with year, title, place, level and genre, with a search box and filters by metadata.

Search and filters run in the page with no network, under a Content-Security-Policy that allows
exactly one script, by its sha256 hash (``SCRIPT``; no inline event handlers, no eval). The passages
are embedded as JSON in a ``<script type="application/json">`` element with ``<``, ``>`` and ``&``
escaped as ``\\u003c`` …, so ``</script>`` in a passage cannot end the element, and the script shows
them with ``textContent`` inside ``<bdi>``, never as markup.

A page is assembled from ``SECTIONS``, a list of (id, title, builder) rows: another section (a trend
by group, say) is one row more. A builder takes a ``TopicContext`` and returns HTML (or "" to leave
the section out).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from . import escape, figures, svg

_e = escape.html

MIN_SHARE = 0.1  # a unit is one of a topic's passages when the topic has at least this share of it
META_FIELDS = ("level", "genre", "place")  # metadata columns shown and filtered, when the corpus has them
FOLDER = "topics"  # the topic pages' folder inside the run folder


def page_name(topic: int) -> str:
    """The file name of topic ``topic``'s page (1-based), inside FOLDER."""
    return f"topic-{topic:02d}.html"


SCRIPT = """(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("passages-data").textContent);
  var list = document.getElementById("passage-list");
  var search = document.getElementById("passage-search");
  var count = document.getElementById("passage-count");
  var filters = Array.prototype.slice.call(document.querySelectorAll("select[data-field]"));
  filters.forEach(function (sel) {
    var field = sel.getAttribute("data-field"), seen = {};
    data.rows.forEach(function (r) { seen[r[field]] = true; });
    Object.keys(seen).sort().forEach(function (v) {
      var o = document.createElement("option");
      o.value = v;
      o.textContent = v === "" ? "(none)" : v;
      sel.appendChild(o);
    });
  });
  function bdi(text) {
    var b = document.createElement("bdi");
    b.textContent = text;
    return b;
  }
  function render() {
    var q = search.value.trim().toLowerCase();
    var chosen = filters.filter(function (s) { return s.value !== "*"; })
      .map(function (s) { return [s.getAttribute("data-field"), s.value]; });
    list.textContent = "";
    var shown = 0;
    data.rows.forEach(function (r) {
      if (q && (r.text + "\\n" + r.title).toLowerCase().indexOf(q) < 0) { return; }
      for (var i = 0; i < chosen.length; i++) {
        if (r[chosen[i][0]] !== chosen[i][1]) { return; }
      }
      shown += 1;
      var li = document.createElement("li");
      li.className = "passage-item";
      li.setAttribute("data-unit", r.unit);
      var meta = document.createElement("div");
      meta.className = "meta";
      meta.appendChild(document.createTextNode(r.share + " · " + r.year + " · "));
      meta.appendChild(bdi(r.title));
      data.fields.forEach(function (f) {
        if (r[f]) { meta.appendChild(document.createTextNode(" · " + f + " ")); meta.appendChild(bdi(r[f])); }
      });
      meta.appendChild(document.createTextNode(" · unit " + r.unit));
      var text = document.createElement("div");
      text.className = "passage";
      text.appendChild(bdi(r.text));
      li.appendChild(meta);
      li.appendChild(text);
      list.appendChild(li);
    });
    count.textContent = shown + " of " + data.rows.length + " passages shown";
  }
  search.addEventListener("input", render);
  filters.forEach(function (s) { s.addEventListener("change", render); });
  render();
})();"""
SCRIPT_HASH = "sha256-" + base64.b64encode(hashlib.sha256(SCRIPT.encode("utf-8")).digest()).decode("ascii")
CSP = (
    f"default-src 'none'; script-src '{SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src data:; "
    "connect-src 'none'; base-uri 'none'; form-action 'none'"
)


def json_for_script(value) -> str:
    """``value`` as JSON safe inside a ``<script type="application/json">`` element: ``<``, ``>``, ``&``
    and the line separators U+2028/U+2029 written as escapes, so no text can close the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(ch, esc)
    return text


@dataclass(frozen=True)
class TopicContext:
    """What a section builder reads: the run, the topic (1-based) and what every page shares."""

    result: Any
    topic: int
    span: tuple[int, int]  # the year axis
    fields: tuple[str, ...]  # the META_FIELDS this corpus has


def _words(ctx: TopicContext) -> str:
    words = ctx.result.topic_words
    t = ctx.topic - 1
    wide = set(words.corpus_wide)
    prob, frex = words.probability[t], words.frex[t]
    rows = []
    for i in range(max(len(prob), len(frex))):
        p = prob[i] if i < len(prob) else None
        x = frex[i] if i < len(frex) else None
        rows.append(
            "<tr>"
            f"<td>{i + 1}</td>"
            + (
                f"<td><bdi>{_e(p.term)}</bdi>{'*' if p.term in wide else ''}</td><td>{p.score:.4f}</td>"
                if p
                else "<td></td><td></td>"
            )
            + (
                f"<td><bdi>{_e(x.term)}</bdi>{'*' if x.term in wide else ''}</td><td>{x.score:.3f}</td>"
                if x
                else "<td></td><td></td>"
            )
            + "</tr>"
        )
    return (
        '<p class="note">Left: the most probable words of the topic (probability in the topic). Right: the '
        "highest-FREX words (frequent in the topic and exclusive to it; FREX score). * marks a corpus-wide word. "
        "topics.csv has both lists and the relevance list.</p>"
        '<table class="words"><tr><th>Rank</th><th>Word (probability)</th><th>Probability</th>'
        f"<th>Word (FREX)</th><th>FREX</th></tr>{''.join(rows)}</table>"
    )


def _trend(ctx: TopicContext) -> str:
    r = ctx.result
    bands, support = r.findings.bands, r.trends.support
    t = ctx.topic - 1
    years = [int(y) for y in bands.years]
    index = {y: i for i, y in enumerate(years)}
    labelled = figures.labelled_years(years, 16)
    chart = svg.Chart(
        title=f"Share of the year's tokens, with {bands.level:.0%} intervals",
        x=tuple(years),
        mean=tuple(float(v) for v in bands.point[:, t]),
        low=tuple(float(v) for v in bands.low[:, t]),
        high=tuple(float(v) for v in bands.high[:, t]),
        x_range=(ctx.span[0] - 0.5, ctx.span[1] + 0.5),
        ticks=tuple(labelled),
        minor=tuple(y for y in years if y not in set(labelled)),
        runs=tuple(tuple(index[y] for y in run) for run in figures.year_runs(years)),
        hollow=frozenset(i for i, y in enumerate(years) if support[y] == 1),
        color=figures.color(ctx.topic),
        percent=True,
        x_title="year",
        size=(760, 240),
    )
    note = (
        "Lines break at years without documents; a year standing alone shows its interval as a bar. Open "
        "markers: the year rests on one document. The overview shows every theme side by side."
    )
    linear = [x for x in r.findings.fits.linear if x.topic == ctx.topic]
    if linear:
        x = linear[0]
        crosses = x.low <= 0 <= x.high
        note += (
            f" Linear trend: {100 * x.slope_per_decade:+.1f} percentage points per decade "
            f"[{100 * x.low:+.1f}, {100 * x.high:+.1f}]"
            + ("; the interval includes zero, so no trend can be read." if crosses else "; the interval excludes zero.")
        )
    return f'<p class="note">{_e(note)}</p>{svg.render(chart)}'


def passage_rows(ctx: TopicContext) -> list[dict]:
    """The topic's passages, highest share first (ties in unit order): every unit with at least
    MIN_SHARE of the topic, with its year, title, metadata fields, unit id and original text."""
    r = ctx.result
    dtm, model, corpus = r.dtm, r.model, r.corpus
    docs = {d.doc_id: d for d in corpus.documents}
    share = model.doc_topic[:, ctx.topic - 1]
    keep = np.flatnonzero(share >= MIN_SHARE)
    order = keep[np.lexsort((keep, -share[keep]))]
    rows = []
    for i in order:
        u, d = dtm.units[i], docs[dtm.units[i].doc_id]
        row = {
            "unit": u.unit_id,
            "year": str(u.year),
            "title": d.get("title") or d.file,
            "share": f"{share[i]:.0%}",
            "text": u.original,
        }
        row.update({f: d.get(f) for f in ctx.fields})
        rows.append(row)
    return rows


def _passages(ctx: TopicContext) -> str:
    rows = passage_rows(ctx)
    n_units = len(ctx.result.dtm.units)
    selects = "".join(
        f'<label>{_e(f)} <select data-field="{_e(f)}"><option value="*">all</option></select></label>'
        for f in ("year", *ctx.fields)
    )
    data = {"fields": list(ctx.fields), "rows": rows}
    return (
        f'<p class="note">All {len(rows)} units (of {n_units}) in which this topic has at least '
        f"{MIN_SHARE:.0%} of the words, highest share first, in the original text; doc_topics.csv has every "
        "unit's share of every topic. Search matches the text and the title; filters keep the passages with "
        "that value.</p>"
        f'<div class="controls"><label>Search <input id="passage-search" type="search" '
        f'placeholder="words in the passage or title" autocomplete="off"></label>{selects}'
        '<span id="passage-count" class="meta"></span></div>'
        '<ol id="passage-list" class="passages"></ol>'
        f'<script type="application/json" id="passages-data">{json_for_script(data)}</script>'
    )


def _group_trend(ctx: TopicContext) -> str:
    """[effects]: the topic's predicted share by year in each group, one small chart per group;
    "" when the run has no [effects] formula."""
    eff = ctx.result.findings.effects
    if eff is None:
        return ""
    rows = [p for p in eff.predicted if p.topic == ctx.topic]
    charts = []
    top = max((v for p in rows for v in (p.share, p.high) if v == v), default=0.0)  # one y scale for all groups
    for group in dict.fromkeys(p.group for p in rows):
        mine = sorted((p for p in rows if p.group == group), key=lambda p: p.year)
        years = [p.year for p in mine]
        timed = eff.timed  # a curve over every year, or values at the group's data years only
        labelled = figures.labelled_years(years, 8)
        nan = float("nan")
        chart = svg.Chart(
            title=f"{eff.group_column} = {group}" if eff.group_column else "all documents",
            x=tuple(years),
            mean=tuple(p.share for p in mine),
            low=tuple(nan if p.flag else p.low for p in mine),
            high=tuple(nan if p.flag else p.high for p in mine),
            x_range=(ctx.span[0] - 0.5, ctx.span[1] + 0.5),
            ticks=tuple(labelled),
            minor=tuple(y for y in years if y not in set(labelled)),
            runs=(tuple(range(len(years))),) if timed else (),  # no time term: each data year alone
            bare=frozenset(i for i, p in enumerate(mine) if not p.has_data),
            color=figures.color(ctx.topic),
            percent=True,
            y_max=top,
            size=(380, 200),
        )
        charts.append(svg.render(chart))
    flagged = sorted({p.group for p in rows if p.flag})
    note = (
        f"Predicted share from the [effects] formula {eff.formula}, other covariates at their sample means, with "
        f"{eff.level:.0%} intervals from a bootstrap over documents. "
        + (
            "The formula has no time term, so each group's share is the same in every year; it is shown at the "
            "years in which the group has documents."
            if not eff.timed
            else "Markers: years in which the group has documents; between them the curve is the model's."
        )
        + (
            f" No interval for {', '.join(flagged)}: fewer than {eff.min_documents} documents stand behind it."
            if flagged
            else ""
        )
        + " effects.csv has the coefficients and contrasts."
    )
    return f'<p class="note">{_e(note)}</p><div style="display:flex;flex-wrap:wrap;gap:8px">{"".join(charts)}</div>'


Section = tuple[str, str, Callable[[TopicContext], str]]
SECTIONS: list[Section] = [
    ("words", "Words", _words),
    ("trend", "Trend by year", _trend),
    ("groups", "Trend by group", _group_trend),
    ("passages", "Passages", _passages),
]

PAGE_CSS = """
.controls{display:flex;flex-wrap:wrap;gap:12px;align-items:center;margin:8px 0}
.controls input{width:280px;padding:4px 6px}
ol.passages{list-style:none;padding:0;margin:0}
bdi{unicode-bidi:isolate}
.topicnav a{margin-right:12px}
"""


def topic_page(ctx: TopicContext, sections: list[Section] | None = None) -> str:
    """The HTML of one topic's page (offline; one script, allowed by its hash)."""
    from .pages import page

    r = ctx.result
    labels, k = r.labels, r.model.n_topics
    t = ctx.topic
    nav = ['<a href="../dashboard.html">Overview</a>', '<a href="../details.html">Charts and tables</a>']
    if t > 1:
        nav.append(f'<a href="{page_name(t - 1)}">← T{t - 1}</a>')
    if t < k:
        nav.append(f'<a href="{page_name(t + 1)}">T{t + 1} →</a>')
    parts = []
    for key, title, build in sections if sections is not None else SECTIONS:
        html = build(ctx)
        if html:
            parts.append(f'<section id="{_e(key)}"><h2>{_e(title)}</h2>{html}</section>')
    body = (
        f'<header><h1 style="border-left:8px solid {figures.color(t)};padding-left:10px">T{t} '
        f"<bdi>{_e(labels[t])}</bdi></h1><p>{_e(r.config.name)}: one topic of {k}</p></header>"
        f'<nav class="topicnav">{"".join(nav)}</nav><main>{"".join(parts)}</main>'
        f"<script>{SCRIPT}</script>"
    )
    return page(f"T{t} {labels[t]} · {r.config.name}", body, csp=CSP, css=PAGE_CSS)


def topic_pages(result, span) -> dict[str, str]:
    """{path in the run folder: HTML} of every topic's page."""
    docs = result.corpus.documents
    fields = tuple(f for f in META_FIELDS if any(d.get(f) for d in docs))
    return {
        f"{FOLDER}/{page_name(t)}": topic_page(TopicContext(result, t, span, fields))
        for t in range(1, result.model.n_topics + 1)
    }
