"""The dashboard panel of [effects]: predicted theme share by year, one line per group, with bands.

A pure figure builder (Effects -> plotly Figure); every label from the corpus or config goes through
the plotly escaper.
"""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from .figures import PALETTE, labelled_years, layout, rgba, safe, topic_name

COLUMNS = 3  # subplots per row


def group_trends(effects, labels: dict[int, str]) -> go.Figure:
    """One subplot per topic; a line per group (``effects.group_column``, or "all"); a band where the
    group has enough documents for an interval (effects.min_documents), none where it has not."""
    topics = sorted({p.topic for p in effects.predicted})
    groups = sorted({p.group for p in effects.predicted})
    rows = -(-len(topics) // COLUMNS)
    fig = make_subplots(
        rows=rows,
        cols=COLUMNS,
        subplot_titles=[topic_name(t, labels) for t in topics],
        shared_xaxes=True,
        vertical_spacing=min(0.08, 0.6 / max(rows, 1)),
    )
    for i, t in enumerate(topics):
        r, c = i // COLUMNS + 1, i % COLUMNS + 1
        for j, g in enumerate(groups):
            pts = [p for p in effects.predicted if p.topic == t and p.group == g]
            colour = PALETTE[j % len(PALETTE)]
            years = [p.year for p in pts]
            if not effects.timed:  # no time term: one value per data year, no line between them  # the formula has no time term: one value per data year, no line between them
                fig.add_trace(_points(pts, colour, g, i == 0), row=r, col=c)
                continue
            if all(p.low == p.low for p in pts):  # a band only where there is an interval
                fig.add_trace(
                    go.Scatter(
                        x=years + years[::-1],
                        y=[p.high for p in pts] + [p.low for p in pts][::-1],
                        fill="toself",
                        fillcolor=rgba(colour, 0.15),
                        line=dict(width=0),
                        hoverinfo="skip",
                        showlegend=False,
                    ),
                    row=r,
                    col=c,
                )
            name = safe(f"{g} ({pts[0].documents} documents)" if pts else g)
            fig.add_trace(
                go.Scatter(
                    x=years,
                    y=[p.share for p in pts],
                    mode="lines+markers",
                    marker=dict(size=[6 if p.has_data else 0 for p in pts], color=colour),  # data years
                    line=dict(color=colour, dash="solid" if not (pts and pts[0].flag) else "dot"),
                    name=name,
                    legendgroup=safe(g),
                    showlegend=i == 0,
                    text=[name] * len(pts),  # a label from the metadata is data, never part of the template
                    hovertemplate="%{text}<br>%{x}: %{y:.1%}<extra></extra>",
                ),
                row=r,
                col=c,
            )
    data_years = sorted({p.year for p in effects.predicted if p.has_data})
    fig.update_xaxes(tickvals=labelled_years(data_years, 6), showticklabels=True)  # data years, on every row
    fig.update_yaxes(tickformat=".0%", rangemode="tozero")
    return layout(fig, f"Predicted theme share by group: {effects.formula}", height=260 * rows + 80)


def effects_panels(effects, labels: dict[int, str]) -> list:
    """The dashboard's (key, title, figure, note) entries for [effects]: [] when no formula was given."""
    if effects is None:
        return []
    by = f" by {effects.group_column}" if effects.group_column else ""
    note = (
        f"Predicted share of each theme{by} from the [effects] formula {effects.formula}, other covariates held "
        f"at their sample means. Method of composition ({effects.draws} draws of each unit's shares, aggregated per "
        f"document over {effects.n_documents} documents); bands: {effects.level:.0%} percentile intervals from "
        f"{effects.resamples} bootstrap resamples of documents within each group. Dotted lines without a band: the "
        f"group has fewer than {effects.min_documents} documents, too few for an interval to mean anything. "
        "The bands rest on the reference fit alone and leave out the variation between seed fits that the "
        "theme prevalence bands pool. effects.csv has the coefficients and contrasts; effects_predicted.csv the "
        "numbers drawn here."
    )
    return [("effects", "Trends by group", group_trends(effects, labels), note)]


def _points(pts, colour: str, group: str, legend: bool) -> go.Scatter:
    """A group's predicted share at its data years, as markers with their interval (when it has one)."""
    name = safe(f"{group} ({pts[0].documents} documents)" if pts else group)
    has = all(p.low == p.low for p in pts)
    return go.Scatter(
        x=[p.year for p in pts],
        y=[p.share for p in pts],
        mode="markers",
        marker=dict(color=colour, size=7, symbol="circle" if has else "circle-open"),
        error_y=dict(
            type="data",
            symmetric=False,
            array=[p.high - p.share for p in pts],
            arrayminus=[p.share - p.low for p in pts],
            color=colour,
        )
        if has
        else None,
        name=name,
        legendgroup=safe(group),
        showlegend=legend,
        text=[name] * len(pts),
        hovertemplate="%{text}<br>%{x}: %{y:.1%}<extra></extra>",
    )
