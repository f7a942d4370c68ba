"""Plotly figure builders (pure: result objects in, go.Figure out).

Every string that comes from a corpus or config passes through ``safe()`` first: plotly.js reads a
subset of HTML in labels and hover text, so text is escaped and shown as text, never markup.
"""
from __future__ import annotations

import html

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .data import FittedModel, Trends

FONT = ('"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB", '
        '"Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif')
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
           "#7f7f7f", "#bcbd22", "#393b79", "#ad494a", "#637939", "#8c6d31", "#7b4173", "#3182bd")


def safe(text) -> str:
    return html.escape(str(text), quote=False)


def color(topic: int) -> str:
    return PALETTE[(topic - 1) % len(PALETTE)]


def _layout(fig: go.Figure, title: str, height: int, year_span: tuple[int, int] | None = None):
    fig.update_layout(template="plotly_white", title=dict(text=safe(title), x=0, xanchor="left"),
                      height=height, font=dict(family=FONT, size=13), margin=dict(l=60, r=30, t=60, b=50),
                      hoverlabel=dict(font_family=FONT), legend=dict(traceorder="normal"))
    if year_span:
        first, last = year_span
        fig.update_xaxes(range=[first - 0.5, last + 0.5], dtick=1, tickangle=-45, title_text="year")
    return fig


def _topic_name(t: int, labels: dict[int, str]) -> str:
    return safe(f"T{t} {labels[t]}")


def corpus_overview(trends: Trends, year_span) -> go.Figure:
    """Documents (top panel) and modelled tokens (bottom panel) per year, on one year axis."""
    per_year = {y: (nd, nu, nt) for (y, _, _, nd, nu, nt) in trends.by_year}
    years = list(trends.years)
    fig = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.08, row_heights=[0.4, 0.6])
    fig.add_trace(go.Bar(x=years, y=[per_year[y][0] for y in years], name="documents",
                         marker_color="#4c72b0", customdata=[[per_year[y][1]] for y in years],
                         text=[per_year[y][0] for y in years], textposition="auto",
                         hovertemplate="%{x}: %{y} document(s), %{customdata[0]} units<extra></extra>"),
                  row=1, col=1)
    fig.add_trace(go.Bar(x=years, y=[per_year[y][2] for y in years], name="tokens modelled",
                         marker_color="#dd8452",
                         hovertemplate="%{x}: %{y} tokens<extra></extra>"), row=2, col=1)
    most = max(per_year[y][0] for y in years)
    fig.update_yaxes(title_text="documents", rangemode="tozero", dtick=1 if most <= 6 else None, row=1, col=1)
    fig.update_yaxes(title_text="tokens", rangemode="tozero", row=2, col=1)
    _layout(fig, "Corpus: documents and tokens per year", 420, year_span)
    fig.update_xaxes(title_text="", row=1, col=1)
    return fig


def _hover(trends: Trends):
    counts = {y: (nd, nu, nt) for (y, _, _, nd, nu, nt) in trends.by_year}
    return [[*counts[y], "  (one document)" if counts[y][0] == 1 else ""] for y in trends.years]


def prevalence_area(trends: Trends, labels, year_span) -> go.Figure:
    """Stacked areas: each year's tokens divided among the topics (sums to 100%)."""
    fig = go.Figure()
    hover = _hover(trends)
    for t in range(1, trends.matrix.shape[1] + 1):
        fig.add_trace(go.Scatter(
            x=list(trends.years), y=trends.matrix[:, t - 1], name=_topic_name(t, labels),
            stackgroup="share", mode="lines+markers", line=dict(width=0.5, color=color(t)),
            customdata=hover,
            hovertemplate=(f"{_topic_name(t, labels)}<br>%{{x}}: %{{y:.1%}} of tokens<br>"
                           "%{customdata[0]} doc(s), %{customdata[1]} units, %{customdata[2]} tokens"
                           "%{customdata[3]}<extra></extra>")))
    fig.update_yaxes(tickformat=".0%", range=[0, 1], title_text="share of the year's tokens")
    return _layout(fig, "Theme prevalence by year (stacked)", 480, year_span)


def heatmap(trends: Trends, labels) -> go.Figure:
    """Topics (rows) by years with documents (columns)."""
    k = trends.matrix.shape[1]
    names = [_topic_name(t, labels) for t in range(1, k + 1)]
    years = [str(y) for y in trends.years]
    fig = go.Figure(go.Heatmap(
        z=trends.matrix.T, x=years, y=names, colorscale="Blues", zmin=0,
        text=[[f"{v:.0%}" for v in row] for row in trends.matrix.T], texttemplate="%{text}",
        colorbar=dict(title=dict(text="share"), tickformat=".0%"),
        hovertemplate="%{y}<br>%{x}: %{z:.1%}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(type="category", title_text="year (only years with documents)")
    return _layout(fig, "Topic by year", 120 + 36 * k)


def top_words(model: FittedModel, labels, n_words: int) -> go.Figure:
    """Horizontal bars of each topic's heaviest words, two topics to a row."""
    k = model.n_topics
    cols = 2
    rows = (k + cols - 1) // cols
    fig = make_subplots(rows=rows, cols=cols, horizontal_spacing=0.18, vertical_spacing=0.25 / rows,
                        subplot_titles=[_topic_name(t, labels) for t in range(1, k + 1)])
    for t in range(1, k + 1):
        terms = model.top_terms(t - 1, n_words)[::-1]
        fig.add_trace(go.Bar(x=[w for _, w in terms], y=[safe(term) for term, _ in terms],
                             orientation="h", marker_color=color(t), showlegend=False,
                             hovertemplate="%{y}: %{x:.4f}<extra></extra>"),
                      row=(t - 1) // cols + 1, col=(t - 1) % cols + 1)
    fig.update_xaxes(showticklabels=False)
    fig.update_yaxes(tickfont=dict(size=12), automargin=True)
    return _layout(fig, "Top words per topic (weight in the topic)", max(400, 80 + 20 * n_words * rows))


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
    fig = go.Figure(go.Heatmap(
        z=z, x=[_topic_name(t, labels) for t in range(1, k + 1)], y=rows, colorscale="Blues", zmin=0,
        colorbar=dict(title=dict(text="share"), tickformat=".0%"),
        hovertemplate="%{y}<br>%{x}: %{z:.1%}<extra></extra>"))
    fig.update_yaxes(autorange="reversed", automargin=True, type="category")
    fig.update_xaxes(type="category", tickangle=-30, automargin=True)
    return _layout(fig, "Theme shares per document", max(360, 160 + 24 * len(docs)))
