"""Plotly figure builders (pure: result objects in, go.Figure out).

Every string that comes from a corpus or config passes through ``safe()`` first: plotly.js reads a
subset of HTML in labels and hover text, so text is escaped and shown as text, never markup.
"""

from __future__ import annotations


import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from . import escape
from ..data import Trends

FONT = (
    '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
    '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif'
)
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
    "#8c6d31",
    "#7b4173",
    "#3182bd",
)


safe = escape.plotly


def color(topic: int) -> str:
    return PALETTE[(topic - 1) % len(PALETTE)]


BAR_WIDTH = 0.8  # a bar on a year axis, in years: never wider than its year


def year_runs(years) -> list[list[int]]:
    """Runs of consecutive data years, in order: (2005, 2008, 2009, 2016) -> [[2005], [2008, 2009],
    [2016]]. ``years``: increasing sequence of ints (n,)."""
    runs: list[list[int]] = []
    for y in years:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return runs


def with_breaks(years, values, gap=None) -> list:
    """``values`` (one per year, (n,)) with ``gap`` inserted between data years more than one year
    apart, so a line drawn through them breaks where there are no documents; ``with_breaks(years,
    years)`` gives the matching x. (n + number of gaps,)."""
    out: list = []
    previous = None
    for y, v in zip(years, values):
        if previous is not None and y > previous + 1:
            out.append(gap)
        out.append(v)
        previous = y
    return out


def labelled_years(years, most: int) -> list[int]:
    """The data years (sorted, (n,)) that carry a label on an axis with room for about ``most`` labels.

    Every data year is labelled when they fit. Otherwise labels are at least ``ceil(span / most)``
    years apart: the first and last data years always, then each data year far enough from the last
    labelled one and from the final year. The other data years keep an unlabelled tick mark. Shared by
    the dashboard and the static figures, so both label the same years."""
    years = sorted(int(y) for y in years)
    if len(years) <= most:
        return years
    gap = -(-(years[-1] - years[0]) // max(most - 1, 1))
    out = [years[0]]
    for y in years[1:-1]:
        if y - out[-1] >= gap and years[-1] - y >= gap:
            out.append(y)
    return out + [years[-1]] if years[-1] != out[-1] else out


YEAR_LABELS = 30  # about how many year labels a full-width dashboard axis has room for


def year_axis(fig: go.Figure, years, most: int = YEAR_LABELS, **at) -> go.Figure:
    """Tick the data years (``years``: (n,)), on every x axis of ``fig`` (or the one ``at`` names):
    labels at ``labelled_years``, an unlabelled tick mark at every other data year."""
    labelled = labelled_years(years, most)
    fig.update_xaxes(tickvals=labelled, **at)
    rest = sorted(set(int(y) for y in years) - set(labelled))
    if rest:
        fig.update_xaxes(minor=dict(tickvals=rest, ticks="outside", ticklen=3, showgrid=False), **at)
    return fig


def layout(
    fig: go.Figure,
    title: str,
    height: int,
    year_span: tuple[int, int] | None = None,
    years=None,
):
    fig.update_layout(
        template="plotly_white",
        title=dict(text=safe(title), x=0, xanchor="left"),
        height=height,
        font=dict(family=FONT, size=13),
        margin=dict(l=60, r=30, t=60, b=50),
        hoverlabel=dict(font_family=FONT),
        legend=dict(traceorder="normal"),
    )
    if year_span:
        first, last = year_span
        fig.update_xaxes(range=[first - 0.5, last + 0.5], tickangle=-45, title_text="year")
    if years is not None:
        year_axis(fig, years)
    return fig


def topic_name(t: int, labels: dict[int, str]) -> str:
    return safe(f"T{t} {labels[t]}")


def corpus_overview(trends: Trends, year_span) -> go.Figure:
    """Documents (top panel) and modelled tokens (bottom panel) per year, on one year axis."""
    per_year = {y: (nd, nu, nt) for (y, _, _, nd, nu, nt) in trends.by_year}
    years = list(trends.years)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.4, 0.6])
    fig.add_trace(
        go.Bar(
            x=years,
            y=[per_year[y][0] for y in years],
            name="documents",
            width=BAR_WIDTH,
            marker_color="#4c72b0",
            customdata=[[per_year[y][1]] for y in years],
            text=[per_year[y][0] for y in years],
            textposition="auto",
            hovertemplate="%{x}: %{y} document(s), %{customdata[0]} units<extra></extra>",
        ),
        row=1,
        col=1,
    )
    fig.add_trace(
        go.Bar(
            x=years,
            y=[per_year[y][2] for y in years],
            name="tokens modelled",
            width=BAR_WIDTH,
            marker_color="#dd8452",
            hovertemplate="%{x}: %{y} tokens<extra></extra>",
        ),
        row=2,
        col=1,
    )
    most = max(per_year[y][0] for y in years)
    fig.update_yaxes(title_text="documents", rangemode="tozero", dtick=1 if most <= 6 else None, row=1, col=1)
    fig.update_yaxes(title_text="tokens", rangemode="tozero", row=2, col=1)
    layout(fig, "Corpus: documents and tokens per year", 420, year_span, years)
    fig.update_xaxes(title_text="", row=1, col=1)
    return fig


def _hover(trends: Trends):
    counts = {y: (nd, nu, nt) for (y, _, _, nd, nu, nt) in trends.by_year}
    return [[*counts[y], "  (one document)" if counts[y][0] == 1 else ""] for y in trends.years]


def prevalence_area(trends: Trends, labels, year_span) -> go.Figure:
    """Stacked bars, one per data year: each year's tokens divided among the topics (sums to 100%);
    nothing is drawn for a year without documents."""
    fig = go.Figure()
    hover = _hover(trends)
    for t in range(1, trends.matrix.shape[1] + 1):
        fig.add_trace(
            go.Bar(
                x=list(trends.years),
                y=trends.matrix[:, t - 1],
                name=topic_name(t, labels),
                width=BAR_WIDTH,
                marker=dict(color=color(t), line=dict(width=0.5, color="white")),
                customdata=hover,
                hovertemplate=(
                    f"{topic_name(t, labels)}<br>%{{x}}: %{{y:.1%}} of tokens<br>"
                    "%{customdata[0]} doc(s), %{customdata[1]} units, %{customdata[2]} tokens"
                    "%{customdata[3]}<extra></extra>"
                ),
            )
        )
    fig.update_layout(barmode="stack")
    fig.update_yaxes(tickformat=".0%", range=[0, 1], title_text="share of the year's tokens")
    return layout(fig, "Theme prevalence by year (stacked)", 480, year_span, trends.years)


def heatmap(trends: Trends, labels) -> go.Figure:
    """Topics (rows) by years with documents (columns)."""
    k = trends.matrix.shape[1]
    names = [topic_name(t, labels) for t in range(1, k + 1)]
    years = [str(y) for y in trends.years]
    fig = go.Figure(
        go.Heatmap(
            z=trends.matrix.T,
            x=years,
            y=names,
            colorscale="Blues",
            zmin=0,
            text=[[f"{v:.0%}" for v in row] for row in trends.matrix.T],
            texttemplate="%{text}",
            colorbar=dict(title=dict(text="share"), tickformat=".0%"),
            hovertemplate="%{y}<br>%{x}: %{z:.1%}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(type="category", title_text="year (only years with documents)")
    return layout(fig, "Topic by year", 120 + 36 * k)


WIDE_COLOR = "#b8b8b8"  # bars of corpus-wide words
WIDE_MARK = "*"  # after a corpus-wide word on the axis


def word_bars(words, weight: dict, wide: set, topic: int) -> go.Bar:
    """Horizontal bars of one ranked word list (first at the top), each bar the word's probability in
    the topic (``weight``: term -> probability) and its list score in the hover; corpus-wide words
    grey and marked."""
    shown = list(words)[::-1]
    return go.Bar(
        x=[weight[w.term] for w in shown],
        y=[safe(w.term) + (WIDE_MARK if w.term in wide else "") for w in shown],
        orientation="h",
        marker_color=[WIDE_COLOR if w.term in wide else color(topic) for w in shown],
        customdata=[[w.score, "corpus-wide word" if w.term in wide else ""] for w in shown],
        showlegend=False,
        hovertemplate="%{y}: probability %{x:.4f}, score %{customdata[0]:.4f} %{customdata[1]}<extra></extra>",
    )


def top_words(words, topic_term: np.ndarray, vocab, labels) -> go.Figure:
    """Each topic's most probable words (left) beside its highest-FREX words in FREX order (right),
    one row per topic, bars on one scale: the word's probability in the topic (topic_term (K, V),
    vocab (V,)). ``words``: an analysis.words.TopicWords; corpus-wide words grey, marked with *."""
    k = len(words.probability)
    n = max((len(p) for p in words.probability), default=1)
    wide = set(words.corpus_wide)
    index = {w: i for i, w in enumerate(vocab)}
    fig = make_subplots(
        rows=k,
        cols=2,
        horizontal_spacing=0.22,
        vertical_spacing=0.3 / k,
        subplot_titles=[
            title for t in range(1, k + 1) for title in (f"{topic_name(t, labels)}: by probability", "by FREX")
        ],
    )
    for t in range(1, k + 1):
        row = topic_term[t - 1]
        for col, ranked in ((1, words.probability[t - 1]), (2, words.frex[t - 1])):
            weight = {w.term: float(row[index[w.term]]) for w in ranked}
            fig.add_trace(word_bars(ranked, weight, wide, t), row=t, col=col)
        top = max(float(row.max()), 1e-12) * 1.05
        fig.update_xaxes(range=[0, top], row=t)  # both panels of a topic on one scale
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(tickfont=dict(size=12), automargin=True, type="category", dtick=1)
    return layout(
        fig,
        "Top words per topic: by probability and by FREX (bar: probability in the topic; * corpus-wide)",
        100 + k * (50 + 18 * n),
    )


def documents_heatmap(trends: Trends, labels, titles: dict[str, str]) -> go.Figure:
    """Documents (rows, in year order) by topics (columns): which speech carries which theme."""
    k = trends.matrix.shape[1]
    share, years = {}, {}
    for doc_id, year, t, p, _, _ in trends.by_doc:
        share.setdefault(doc_id, [0.0] * k)[t - 1] = p
        years[doc_id] = year
    docs = sorted(share, key=lambda d: (years[d], d))
    rows = [safe(f"{years[d]} {titles.get(d, d)[:24]}") for d in docs]
    z = [share[d] for d in docs]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[topic_name(t, labels) for t in range(1, k + 1)],
            y=rows,
            colorscale="Blues",
            zmin=0,
            colorbar=dict(title=dict(text="share"), tickformat=".0%"),
            hovertemplate="%{y}<br>%{x}: %{z:.1%}<extra></extra>",
        )
    )
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(type="category", tickangle=-30, automargin=True)
    return layout(fig, "Theme shares per document", max(360, 160 + 24 * len(docs)))


def rgba(hex_color: str, alpha: float) -> str:
    h = hex_color.lstrip("#")
    return f"rgba({int(h[0:2], 16)},{int(h[2:4], 16)},{int(h[4:6], 16)},{alpha})"


def band_traces(years, low, high, fill: str) -> list[go.Scatter]:
    """A topic's interval drawn per run of consecutive data years: a polygon (along the top, back along
    the bottom) over a run of two or more years, an error bar on the marker of a year standing alone
    (a polygon one year wide would be invisible). years (n,), low and high (n,) per year."""
    at = {y: i for i, y in enumerate(years)}
    traces, alone = [], []
    for run in year_runs(years):
        idx = [at[y] for y in run]
        if len(run) == 1:
            alone.append(idx[0])
            continue
        traces.append(
            go.Scatter(
                x=run + run[::-1],
                y=[float(high[i]) for i in idx] + [float(low[i]) for i in idx[::-1]],
                mode="lines",
                fill="toself",
                fillcolor=fill,
                line=dict(width=0),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    if alone:
        middle = [(float(low[i]) + float(high[i])) / 2 for i in alone]
        traces.append(
            go.Scatter(
                x=[years[i] for i in alone],
                y=middle,
                mode="markers",
                marker=dict(size=1, opacity=0),
                error_y=dict(
                    type="data",
                    symmetric=False,
                    array=[float(high[i]) - m for i, m in zip(alone, middle)],
                    arrayminus=[m - float(low[i]) for i, m in zip(alone, middle)],
                    color=fill,
                    thickness=6,
                    width=0,
                ),
                hoverinfo="skip",
                showlegend=False,
            )
        )
    return traces


def trend_bands(bands, fits, labels, support, year_span) -> go.Figure:
    """One panel per topic: yearly share (a line broken at years without documents), its interval as
    a band per run of consecutive data years (an error bar on a year standing alone), and the
    smoothing spline (dotted, the one line drawn across years without documents). Open markers:
    years resting on one document."""
    k = bands.point.shape[1]
    cols = 4 if k > 6 else min(k, 3)
    rows = -(-k // cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.32 / rows,
        horizontal_spacing=0.05,
        subplot_titles=[topic_name(t, labels) for t in range(1, k + 1)],
    )
    years = list(bands.years)
    docs = [support[y] for y in years]
    for t in range(1, k + 1):
        name, c = topic_name(t, labels), color(t)
        at = dict(row=(t - 1) // cols + 1, col=(t - 1) % cols + 1)
        for band in band_traces(years, bands.low[:, t - 1], bands.high[:, t - 1], rgba(c, 0.2)):
            fig.add_trace(band, **at)
        if t in fits.spline:
            grid, fitted, _, _ = fits.spline[t]
            fig.add_trace(
                go.Scatter(
                    x=list(grid),
                    y=fitted,
                    mode="lines",
                    line=dict(color="#444", width=1, dash="dot"),
                    showlegend=False,
                    hoverinfo="skip",
                ),
                **at,
            )
        hover = [[float(lo), float(hi), d] for lo, hi, d in zip(bands.low[:, t - 1], bands.high[:, t - 1], docs)]
        fig.add_trace(
            go.Scatter(
                x=with_breaks(years, years),
                y=with_breaks(years, [float(v) for v in bands.point[:, t - 1]]),
                name=name,
                mode="lines+markers",
                showlegend=False,
                connectgaps=False,
                line=dict(color=c, width=2),
                marker=dict(
                    size=7,
                    color=with_breaks(years, ["white" if d == 1 else c for d in docs], c),
                    line=dict(color=c, width=1.5),
                ),
                customdata=with_breaks(years, hover, [None, None, None]),
                hovertemplate=(
                    f"{name}<br>%{{x}}: %{{y:.1%}} [%{{customdata[0]:.1%}}, %{{customdata[1]:.1%}}]"
                    "<br>%{customdata[2]} document(s)<extra></extra>"
                ),
            ),
            **at,
        )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig = layout(fig, f"Theme prevalence with {bands.level:.0%} intervals", 140 + 230 * rows)
    fig.update_xaxes(range=[year_span[0] - 0.5, year_span[1] + 0.5], tickangle=-45)
    year_axis(fig, years, most=max(4, YEAR_LABELS // cols))
    fig.update_annotations(font_size=12)
    return fig


def stability(ens, labels) -> go.Figure:
    k = ens.reference.n_topics
    names = [topic_name(t, labels) for t in range(1, k + 1)]
    unstable = set(ens.unstable())
    flags = ens.reference_degenerate()  # grey: degenerate, stability 0
    fig = go.Figure(
        go.Bar(
            x=list(ens.stability),
            y=names,
            orientation="h",
            marker_color=[
                "#999999" if t in flags else "#d62728" if t in unstable else color(t) for t in range(1, k + 1)
            ],
            text=[
                f"{s:.2f}"
                + ("  degenerate: " + ", ".join(d.rule for d in flags[t + 1]) if t + 1 in flags else "")
                + ("  does not recur" if t + 1 in unstable and t + 1 not in flags else "")
                for t, s in enumerate(ens.stability)
            ],
            textposition="auto",
            customdata=list(ens.recurs),
            hovertemplate=f"%{{y}}<br>stability %{{x:.3f}}<br>recurs in %{{customdata}} of {len(ens.seeds) - 1} "
            "other seeds<extra></extra>",
        )
    )
    fig.add_vline(x=ens.threshold, line_dash="dash", line_color="#555")
    fig.update_xaxes(range=[0, 1], title_text="mean matched cosine similarity across seeds")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return layout(fig, f"Seed stability ({len(ens.seeds)} seeds; dashed: recurrence threshold)", 120 + 34 * k)


def contrasts(rows, labels) -> go.Figure:
    pairs = sorted({(c.later, c.earlier) for c in rows})
    fig = make_subplots(
        rows=1, cols=len(pairs), subplot_titles=[safe(f"{a} minus {b}") for a, b in pairs], shared_yaxes=True
    )
    for j, pair in enumerate(pairs, start=1):
        sel = [c for c in rows if (c.later, c.earlier) == pair]
        fig.add_trace(
            go.Scatter(
                x=[c.difference for c in sel],
                y=[topic_name(c.topic, labels) for c in sel],
                mode="markers",
                marker=dict(color=[color(c.topic) for c in sel], size=9),
                showlegend=False,
                error_x=dict(
                    type="data",
                    symmetric=False,
                    array=[c.high - c.difference for c in sel],
                    arrayminus=[c.difference - c.low for c in sel],
                ),
                hovertemplate="%{y}<br>difference %{x:.1%}<extra></extra>",
            ),
            row=1,
            col=j,
        )
        fig.add_vline(x=0, line_color="#555", row=1, col=j)
    fig.update_xaxes(tickformat="+.0%", title_text="difference in share")
    fig.update_yaxes(autorange="reversed", automargin=True)
    return layout(
        fig,
        "Era contrasts (mean yearly share, later minus earlier, with intervals)",
        140 + 30 * len({c.topic for c in rows}),
    )


def theme_words(evo, labels, k: int) -> go.Figure:
    """One heatmap per topic (chosen from a menu): rows are words that reach a year's top list, columns
    are years, cells are the word's weight in the theme that year. Words appear in the order they
    first enter."""
    fig = go.Figure()
    buttons = []
    for t in range(1, k + 1):
        rows = [r for r in evo.rows if r[0] == t]
        order = []
        for _, y, _, term, _ in sorted(rows, key=lambda r: (r[1], r[2])):
            if term not in order:
                order.append(term)
        weight = {(y, term): w for _, y, _, term, w in rows}
        rank = {(y, term): r for _, y, r, term, _ in rows}
        z = [[weight.get((y, term)) for y in evo.years] for term in order]
        text = [[f"#{rank[(y, term)]}" if (y, term) in rank else "" for y in evo.years] for term in order]
        fig.add_trace(
            go.Heatmap(
                z=z,
                x=[str(y) for y in evo.years],
                y=[safe(w) for w in order],
                text=text,
                texttemplate="%{text}",
                colorscale="Blues",
                visible=(t == 1),
                showscale=False,
                hovertemplate="%{y} in %{x}: weight %{z:.4f} (%{text})<extra></extra>",
                name=topic_name(t, labels),
            )
        )
        buttons.append(
            dict(label=topic_name(t, labels), method="update", args=[{"visible": [i == t - 1 for i in range(k)]}])
        )
    fig.update_layout(
        updatemenus=[dict(buttons=buttons, x=0, xanchor="left", y=1.08, yanchor="bottom", direction="down")]
    )
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(type="category", title_text="year")
    fig = layout(fig, "", 160 + 16 * max(len({r[3] for r in evo.rows if r[0] == t}) for t in range(1, k + 1)))
    fig.update_layout(margin=dict(t=90))
    return fig


def formulations(forms, year_span) -> go.Figure:
    fig = go.Figure()
    for i, term in enumerate(forms.chart):
        pts = [r for r in forms.by_year if r[0] == term]
        at = [r[2] for r in pts]
        fig.add_trace(
            go.Scatter(
                x=with_breaks(at, at),
                y=with_breaks(at, [r[7] for r in pts]),
                name=safe(term),
                mode="lines+markers",
                connectgaps=False,
                line=dict(color=color(i + 1), width=2),
                customdata=with_breaks(at, [[r[4], r[5], r[3]] for r in pts], [None, None, None]),
                hovertemplate=(
                    f"{safe(term)}<br>%{{x}}: %{{y:.2f}} per 10,000 characters<br>%{{customdata[0]}} "
                    "occurrences (substring), %{customdata[1]} as a token, %{customdata[2]} doc(s)"
                    "<extra></extra>"
                ),
            )
        )
    fig.update_yaxes(rangemode="tozero", title_text="per 10,000 characters (substring count)")
    years = sorted({r[2] for r in forms.by_year})
    return layout(fig, "Formulations over time", 460, year_span, years)


def comparison(main_trends, comparisons, labels, year_span) -> go.Figure:
    k = main_trends.matrix.shape[1]
    cols = 4 if k > 6 else 2
    rows = -(-k // cols)
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        subplot_titles=[topic_name(t, labels) for t in range(1, k + 1)],
        vertical_spacing=0.3 / rows,
    )
    dashes = ["dash", "dot", "dashdot", "longdash"]
    for t in range(1, k + 1):
        r, c = (t - 1) // cols + 1, (t - 1) % cols + 1
        main_years = list(main_trends.years)
        fig.add_trace(
            go.Scatter(
                x=with_breaks(main_years, main_years),
                y=with_breaks(main_years, [float(v) for v in main_trends.matrix[:, t - 1]]),
                mode="lines+markers",
                connectgaps=False,
                line=dict(color="#1f3b57", width=2),
                name="main model",
                legendgroup="main",
                showlegend=(t == 1),
            ),
            row=r,
            col=c,
        )
        for j, cmp in enumerate(comparisons):
            own = list(cmp.trends.years)
            fig.add_trace(
                go.Scatter(
                    x=with_breaks(own, own),
                    y=with_breaks(own, [float(v) for v in cmp.trends.matrix[:, t - 1]]),
                    mode="lines+markers",
                    marker=dict(size=4),
                    connectgaps=False,
                    line=dict(color=color(j + 2), width=1.5, dash=dashes[j % len(dashes)]),
                    name=f"{cmp.engine} (agreement {cmp.agreement:.2f})",
                    legendgroup=cmp.engine,
                    showlegend=(t == 1),
                    hovertemplate=(
                        f"{cmp.engine} topic {int(cmp.own_topic[t - 1])}, similarity "
                        f"{cmp.similarity[t - 1]:.2f}<br>%{{x}}: %{{y:.1%}}<extra></extra>"
                    ),
                ),
                row=r,
                col=c,
            )
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    fig = layout(fig, "Matched topics across engines", 160 + 190 * rows)
    return year_axis(fig, sorted({*main_trends.years, *(y for cmp in comparisons for y in cmp.trends.years)}))


def seed_range(ks, mean, low, high, title: str) -> go.Scatter:
    """One measure over K: the mean over seeds (line and markers) with error bars from the lowest to
    the highest seed. ks, mean, low, high: sequences of the same length (one value per K); a NaN
    range (not measured) draws no bar."""
    mean, low, high = (np.asarray(a, dtype=float) for a in (mean, low, high))
    up, down = np.nan_to_num(high - mean), np.nan_to_num(mean - low)
    return go.Scatter(
        x=list(ks),
        y=mean,
        mode="lines+markers",
        showlegend=False,
        line=dict(color="#1f3b57"),
        error_y=dict(type="data", symmetric=False, array=up, arrayminus=down, color="#7f8fa6", thickness=1),
        customdata=np.column_stack([low, high]),
        hovertemplate=safe(title) + " at K=%{x}: mean %{y:.4g}, seeds %{customdata[0]:.4g} to "
        "%{customdata[1]:.4g}<extra></extra>",
    )


def sweep(sw) -> go.Figure:
    """One panel per measure: mean over seeds with the seed range; the K the verdict names (red,
    dashed), or when it names none the best mean (grey, dotted) and the parsimonious K (red, dashed)."""
    panels, v = sw.measures(), sw.verdict
    fig = make_subplots(rows=2, cols=3, subplot_titles=[p[1] for p in panels])
    ks = [r.k for r in sw.rows]
    marks = []
    if v.chosen is not None:
        marks.append((v.chosen, "dash", "#d62728"))
    elif v.best is not None:
        marks += [(v.parsimonious, "dash", "#d62728")] + (
            [(v.best, "dot", "#7f7f7f")] if v.best != v.parsimonious else []
        )
    for i, (key, title) in enumerate(panels):
        at = dict(row=i // 3 + 1, col=i % 3 + 1)
        lows, highs = zip(*(r.seed_range(key) for r in sw.rows))
        fig.add_trace(seed_range(ks, [getattr(r, key) for r in sw.rows], lows, highs, title), **at)
        for k, dash, colour in marks:
            fig.add_vline(x=k, line_dash=dash, line_color=colour, **at)
    fig.update_xaxes(title_text="K", tickvals=ks)
    if v.chosen is not None:
        title = f"Choosing K: the sweep names K = {v.chosen} (dashed); bars: lowest to highest seed"
    elif v.best is not None:
        marked = (
            f"best mean K = {v.best} (dotted), smallest within noise K = {v.parsimonious} (dashed)"
            if v.best != v.parsimonious
            else f"best mean and smallest within noise K = {v.best} (dashed)"
        )
        title = f"Choosing K: no K stands out from seed noise; {marked}; bars: lowest to highest seed"
    else:
        title = "Choosing K: no K reached the seed stability threshold; bars: lowest to highest seed"
    return layout(fig, title, 560)


def run_comparison(cmp, labels_a, labels_b) -> go.Figure:
    """One panel per matched pair of topics: run A's yearly share (solid) and run B's (dashed), with
    gaps where a run has no document that year."""
    pairs = [m for m in cmp.matches if m.topic_a and m.topic_b]
    cols = 3 if len(pairs) > 4 else max(1, min(len(pairs), 2))
    rows = max(1, -(-len(pairs) // cols))
    fig = make_subplots(
        rows=rows,
        cols=cols,
        shared_xaxes=True,
        vertical_spacing=0.3 / rows,
        subplot_titles=[
            safe(f"A T{m.topic_a} {labels_a[m.topic_a]} ~ B T{m.topic_b} ({m.similarity:.2f})") for m in pairs
        ],
    )
    years = list(cmp.years)
    for i, m in enumerate(pairs):
        at = dict(row=i // cols + 1, col=i % cols + 1)
        for name, series, dash, topic in (
            (cmp.name_a, cmp.trends_a[:, m.topic_a - 1], "solid", m.topic_a),
            (cmp.name_b, cmp.trends_b[:, m.topic_b - 1], "dash", m.topic_b),
        ):
            fig.add_trace(
                go.Scatter(
                    x=with_breaks(years, years),
                    y=with_breaks(years, [None if np.isnan(v) else float(v) for v in series]),
                    mode="lines+markers",
                    name=safe(name),
                    legendgroup=safe(name),
                    showlegend=i == 0,
                    connectgaps=False,
                    line=dict(color=color(m.topic_a), dash=dash),
                    hovertemplate=safe(f"{name} T{topic}") + "<br>%{x}: %{y:.1%}<extra></extra>",
                ),
                **at,
            )
    fig.update_yaxes(tickformat=".0%")
    year_axis(fig, years)
    return layout(fig, f"Matched topics: {cmp.name_a} (solid) and {cmp.name_b} (dashed)", 120 + 260 * rows)
