"""Small charts drawn as inline SVG, for pages that carry no plotly.js (a topic's view, the sweep
page): a few kilobytes each, no script, every label escaped.

A ``Chart`` is one panel: a measure over x (years or K) with its interval as a band (per run of
consecutive x, so a line breaks where there is no data) or as error bars, tick marks exactly at
``ticks`` (labelled) and ``minor`` (a mark only), and vertical marks (the chosen K).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from . import escape

_e = escape.html


@dataclass(frozen=True)
class Chart:
    """One panel. ``x``, ``mean``, ``low``, ``high``: one value per point, (n,); NaN in low/high draws
    no interval there. ``runs``: lists of indexes drawn as one line and one band each ([] = every
    point alone, drawn with error bars). ``hollow``: indexes drawn as open markers (one document).
    ``x_range``: (first, last) of the axis. ``percent``: y labels as percentages."""

    title: str
    x: tuple
    mean: tuple
    low: tuple
    high: tuple
    x_range: tuple[float, float]
    ticks: tuple = ()
    minor: tuple = ()
    runs: tuple = ()
    hollow: frozenset = frozenset()
    bare: frozenset = frozenset()
    y_max: float = 0.0  # the axis reaches at least this high (panels meant to be compared share it)  # indexes drawn without a marker (a curve's points between data years)
    marks: tuple = ()  # (x, colour) vertical dashed lines
    color: str = "#1f3b57"
    percent: bool = False
    bars: bool = False  # intervals as error bars at every point, one line through all points
    x_title: str = ""
    size: tuple[int, int] = (560, 210)


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{100 * v:.0f}%" if abs(round(100 * v) - 100 * v) < 1e-6 else f"{100 * v:.1f}%"
    return f"{v:.3g}"


def _ticks(lo: float, hi: float) -> list[float]:
    """Round values between lo and hi, three to six of them (steps of 1, 2, 2.5 or 5 times a power of ten)."""
    raw = (hi - lo) / 5
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _finite(values) -> list[float]:
    return [float(v) for v in values if v == v and not math.isinf(v)]


def render(c: Chart) -> str:
    """The panel as an ``<svg>`` element (role img, its title as the accessible name)."""
    w, h = c.size
    left, right, top, bottom = 56, 14, 26, 44 if c.x_title else 34
    values = _finite((*c.mean, *c.low, *c.high))
    lo = 0.0 if c.percent or not values else min(values)
    hi = max([*values, c.y_max]) if values else max(c.y_max, 1.0)
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    pad = 0.06 * (hi - lo)
    lo, hi = (lo if c.percent else lo - pad), hi + pad
    x0, x1 = c.x_range
    if x1 <= x0:
        x0, x1 = x0 - 1, x1 + 1

    def sx(x) -> float:
        return left + (float(x) - x0) / (x1 - x0) * (w - left - right)

    def sy(y) -> float:
        return top + (hi - float(y)) / (hi - lo) * (h - top - bottom)

    out = [
        f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'role="img" aria-label="{_e(c.title)}">',
        f'<text x="{left}" y="15" font-size="13" font-weight="600">{_e(c.title)}</text>',
    ]
    for y in _ticks(lo, hi):  # y grid and labels at round values
        out.append(
            f'<line x1="{left}" x2="{w - right}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" stroke="#eee"/>'
            f'<text x="{left - 6}" y="{sy(y) + 4:.1f}" font-size="11" text-anchor="end" fill="#555">'
            f"{_e(_fmt(y, c.percent))}</text>"
        )
    base = h - bottom
    out.append(f'<line x1="{left}" x2="{w - right}" y1="{base}" y2="{base}" stroke="#999"/>')
    for x in c.ticks:
        out.append(
            f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{base}" y2="{base + 5}" stroke="#666"/>'
            f'<text x="{sx(x):.1f}" y="{base + 17}" font-size="11" text-anchor="middle" fill="#333">{_e(x)}</text>'
        )
    for x in c.minor:
        out.append(f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{base}" y2="{base + 3}" stroke="#999"/>')
    if c.x_title:
        out.append(
            f'<text x="{(left + w - right) / 2:.1f}" y="{h - 6}" font-size="11" text-anchor="middle" '
            f'fill="#555">{_e(c.x_title)}</text>'
        )
    for x, colour in c.marks:
        out.append(
            f'<line x1="{sx(x):.1f}" x2="{sx(x):.1f}" y1="{top}" y2="{base}" stroke="{colour}" stroke-dasharray="5,4"/>'
        )
    runs = ((tuple(range(len(c.x))),) if c.bars else c.runs) or tuple((i,) for i in range(len(c.x)))
    has = [c.low[i] == c.low[i] and c.high[i] == c.high[i] for i in range(len(c.x))]
    for run in runs:
        run = [i for i in run if has[i]]
        if c.bars:
            for i in run:
                xx = sx(c.x[i])
                out.append(
                    f'<path d="M{xx - 4:.1f},{sy(c.high[i]):.1f}h8M{xx:.1f},{sy(c.high[i]):.1f}V{sy(c.low[i]):.1f}'
                    f'M{xx - 4:.1f},{sy(c.low[i]):.1f}h8" stroke="#7f8fa6" fill="none"/>'
                )
        elif len(run) > 1:
            pts = [(sx(c.x[i]), sy(c.high[i])) for i in run] + [(sx(c.x[i]), sy(c.low[i])) for i in reversed(run)]
            out.append(
                '<polygon points="' + " ".join(f"{a:.1f},{b:.1f}" for a, b in pts) + f'" fill="{c.color}" '
                'fill-opacity="0.18" stroke="none"/>'
            )
        elif run:
            i = run[0]
            xx = sx(c.x[i])
            out.append(
                f'<path d="M{xx - 4:.1f},{sy(c.high[i]):.1f}h8M{xx:.1f},{sy(c.high[i]):.1f}V{sy(c.low[i]):.1f}'
                f'M{xx - 4:.1f},{sy(c.low[i]):.1f}h8" stroke="{c.color}" stroke-opacity="0.55" fill="none"/>'
            )
    for run in runs:
        if len(run) > 1:
            out.append(
                '<polyline points="'
                + " ".join(f"{sx(c.x[i]):.1f},{sy(c.mean[i]):.1f}" for i in run)
                + f'" fill="none" stroke="{c.color}" stroke-width="2"/>'
            )
    for i, (x, m) in enumerate(zip(c.x, c.mean)):
        if i in c.bare:
            continue
        fill = "#fff" if i in c.hollow else c.color
        tip = f"{x}: {_fmt(m, c.percent)}" + (
            f" [{_fmt(c.low[i], c.percent)}, {_fmt(c.high[i], c.percent)}]" if has[i] else ""
        )
        out.append(
            f'<circle cx="{sx(x):.1f}" cy="{sy(m):.1f}" r="3.5" fill="{fill}" stroke="{c.color}" '
            f'stroke-width="1.5"><title>{_e(tip)}</title></circle>'
        )
    out.append("</svg>")
    return "".join(out)
