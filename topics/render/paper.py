"""Static figures for papers (SVG, PDF, PNG) drawn with matplotlib, Chinese text included.

Chinese needs a font with CJK glyphs: ``export.font`` names a font file, else the first installed
font whose family is one of CJK_FAMILIES is used. With none, no static figure is written and the
run says so (a figure with empty boxes for every character would be worse than none). Output is
byte-for-byte repeatable: no dates in the files, a fixed SVG hash salt, PDF fonts embedded as
Type 3 subsets.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from . import escape
from .figures import PALETTE, YEAR_LABELS, labelled_years, with_breaks, year_runs

CJK_FAMILIES = (
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Noto Sans SC",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Droid Sans Fallback",
    "SimHei",
    "Microsoft YaHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "AR PL UMing CN",
)
RC = {
    "svg.hashsalt": "topics",
    "pdf.fonttype": 3,
    "svg.fonttype": "path",
    "axes.unicode_minus": False,
    "font.size": 9,
    "axes.titlesize": 9,
    "legend.fontsize": 8,
}


def find_font(path: str = "") -> tuple[str | None, str]:
    """(font family name, where it came from), or (None, why not)."""
    from matplotlib import font_manager as fm

    if path:
        if not Path(path).is_file():
            return None, f"export.font {path!r} is not a file"
        fm.fontManager.addfont(path)
        return fm.FontProperties(fname=path).get_name(), path
    found = _cjk_family(fm.fontManager)
    if found is None and not _REBUILT:  # matplotlib's font list may predate the font's install
        found = _cjk_family(_rebuild_font_list())
    if found is not None:
        return found
    return None, (
        "no font with Chinese glyphs is installed (e.g. Debian: apt-get install fonts-noto-cjk), "
        "or set export.font to a font file"
    )


def _cjk_family(manager) -> tuple[str, str] | None:
    installed = {f.name: f.fname for f in manager.ttflist}
    for family in CJK_FAMILIES:
        if family in installed:
            return family, installed[family]
    return None


_REBUILT = False


def _rebuild_font_list():
    """Add the system's fonts that matplotlib's cached font list lacks, and rewrite the cache (once
    per process).

    matplotlib reads its font list from a cache in MPLCONFIGDIR written the first time it ran; a font
    installed after that is not in it until the cache is rebuilt."""
    global _REBUILT
    import matplotlib
    from matplotlib import font_manager as fm

    _REBUILT = True
    manager = fm.fontManager  # added to in place: matplotlib's findfont is bound to this manager
    known = {f.fname for f in (*manager.ttflist, *manager.afmlist)}
    for path in fm.findSystemFonts():
        if path not in known:
            try:
                manager.addfont(path)
            except (OSError, RuntimeError, ValueError):  # a broken font file is skipped, as matplotlib does
                pass
    cache = Path(matplotlib.get_cachedir()) / f"fontlist-v{fm.FontManager.__version__}.json"
    try:
        fm.json_dump(manager, cache)  # the next process finds the font without a rebuild
    except OSError:
        pass
    return manager


def save(fig, folder: Path, stem: str, cfg) -> list[str]:
    names = []
    for fmt in cfg.formats:
        name = f"{stem}.{fmt}"
        kw = {"metadata": {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {"Software": "topics"})}
        fig.savefig(folder / name, format=fmt, dpi=cfg.dpi, bbox_inches="tight", **kw)
        names.append(name)
    return names


PANEL_YEAR_LABELS = 8  # year labels with room on a 2.6-inch panel; YEAR_LABELS on a full-width axis


def _year_ticks(ax, years, most: int) -> None:
    """Major ticks (labelled) at ``figures.labelled_years``, minor ticks at the other data years."""
    labelled = labelled_years(years, most)
    ax.set_xticks(labelled)
    ax.set_xticks(sorted(set(int(y) for y in years) - set(labelled)), minor=True)


def _color(t: int) -> str:
    return PALETTE[(t - 1) % len(PALETTE)]


def trend_bands(bands, fits, labels, support):
    """One panel per topic: yearly share, its interval band, and the smoothing spline."""
    from matplotlib.figure import Figure

    k = bands.point.shape[1]
    cols = 4 if k > 6 else min(k, 3)
    rows = -(-k // cols)
    fig = Figure(figsize=(2.6 * cols, 2.1 * rows + 0.5))
    axes = fig.subplots(rows, cols, sharex=True, squeeze=False)
    years = np.array(bands.years)
    thin = np.array([support[y] == 1 for y in bands.years])
    for t in range(1, k + 1):
        ax = axes[(t - 1) // cols][(t - 1) % cols]
        c = _color(t)
        for run in year_runs(list(bands.years)):
            at = np.isin(years, run)
            low, high = bands.low[at, t - 1], bands.high[at, t - 1]
            if len(run) > 1:
                ax.fill_between(years[at], low, high, color=c, alpha=0.22, lw=0)
            else:  # a year standing alone: its interval as a bar (a band one year wide is invisible)
                ax.vlines(years[at], low, high, color=c, alpha=0.35, lw=4)
        ax.plot(*_broken(bands.years, bands.point[:, t - 1]), color=c, lw=1.2)
        ax.scatter(years[~thin], bands.point[~thin, t - 1], color=c, s=10, zorder=3)
        ax.scatter(years[thin], bands.point[thin, t - 1], facecolor="white", edgecolor=c, s=10, zorder=3)
        if t in fits.spline:
            grid, fitted, _, _ = fits.spline[t]
            ax.plot(grid, fitted, color="#333333", lw=0.8, ls="--")
        ax.set_title(f"T{t} {labels[t]}")
        _year_ticks(ax, bands.years, PANEL_YEAR_LABELS)
        ax.yaxis.set_major_formatter(_percent())
        ax.set_ylim(bottom=0)
        ax.grid(alpha=0.3, lw=0.5)
    for j in range(k, rows * cols):
        axes[j // cols][j % cols].set_visible(False)
    for ax in axes[-1]:
        ax.tick_params(axis="x", labelrotation=45)
    fig.suptitle(
        f"Theme share by year, {bands.level:.0%} bootstrap interval ({bands.resamples} resamples x "
        f"{bands.n_seeds} seed(s)); dashed: smoothing spline; open markers: one document",
        fontsize=9,
    )
    fig.tight_layout()
    return fig


def _year_lines(series, ylabel: str, percent: bool = False):
    """One line per (label, years, values, colour), years on x, the legend to the right."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(8, 4.2))
    ax = fig.subplots()
    ticks: set[int] = set()
    for label, xs, ys, colour in series:
        ax.plot(*_broken(xs, ys), marker="o", ms=3, lw=1.3, color=colour, label=label)
        ticks.update(xs)
    if percent:
        ax.yaxis.set_major_formatter(_percent())
    ax.set_ylabel(ylabel)
    ax.set_xlabel("year")
    _year_ticks(ax, ticks, YEAR_LABELS)
    ax.tick_params(axis="x", labelrotation=45)
    ax.grid(alpha=0.3, lw=0.5)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
    fig.tight_layout()
    return fig


def trend_lines(bands, labels):
    return _year_lines(
        [
            (f"T{t} {labels[t]}", bands.years, bands.point[:, t - 1], _color(t))
            for t in range(1, bands.point.shape[1] + 1)
        ],
        "share of the year's tokens",
        percent=True,
    )


def contrasts_plot(contrasts, labels):
    """Era differences with intervals, one row per topic (a forest plot) per pair of eras."""
    from matplotlib.figure import Figure

    pairs = sorted({(c.later, c.earlier) for c in contrasts})
    fig = Figure(
        figsize=(4.2 * len(pairs), 0.35 * max(len([c for c in contrasts if (c.later, c.earlier) == pairs[0]]), 4) + 1)
    )
    axes = fig.subplots(1, len(pairs), squeeze=False)[0]
    for ax, (later, earlier) in zip(axes, pairs):
        rows = [c for c in contrasts if (c.later, c.earlier) == (later, earlier)]
        y = np.arange(len(rows))[::-1]
        for yi, c in zip(y, rows):
            ax.plot([c.low * 100, c.high * 100], [yi, yi], color=_color(c.topic), lw=2)
            ax.plot(c.difference * 100, yi, "o", color=_color(c.topic), ms=4)
        ax.axvline(0, color="#555555", lw=0.8)
        ax.set_yticks(y, [f"T{c.topic} {labels[c.topic]}" for c in rows])
        ax.set_xlabel("difference in share, percentage points")
        ax.set_title(f"{later} minus {earlier}")
        ax.grid(axis="x", alpha=0.3, lw=0.5)
    fig.tight_layout()
    return fig


def formulations_plot(forms):
    series = []
    for i, term in enumerate(forms.chart):
        pts = [(y, r) for (t, _, y, _, _, _, _, r) in forms.by_year if t == term]
        if pts:
            series.append((_plain(term), *zip(*pts), PALETTE[i % len(PALETTE)]))
    return _year_lines(series, "occurrences per 10,000 characters (substring count)")


def sweep_plot(sw):
    """Each measure's mean over seeds with bars from the lowest to the highest seed; the K the
    verdict names (dashed), or when it names none the parsimonious K (dashed) and the best (dotted)."""
    from matplotlib.figure import Figure

    ks = [r.k for r in sw.rows]
    v = sw.verdict
    marks = [(v.chosen, "--")] if v.chosen is not None else []
    if v.chosen is None and v.best is not None:
        marks = [(v.parsimonious, "--")] + ([(v.best, ":")] if v.best != v.parsimonious else [])
    fig = Figure(figsize=(10, 5.4))
    axes = fig.subplots(2, 3).ravel()
    for ax, (key, title) in zip(axes, sw.measures()):
        mean = np.array([getattr(r, key) for r in sw.rows], dtype=float)
        low, high = (np.array(x, dtype=float) for x in zip(*(r.seed_range(key) for r in sw.rows)))
        bars = np.nan_to_num(np.vstack([mean - low, high - mean]))
        ax.errorbar(ks, mean, yerr=bars, marker="o", ms=4, color="#1f3b57", ecolor="#7f8fa6", elinewidth=0.8, capsize=2)
        for k, style in marks:
            ax.axvline(k, color="#d62728" if style == "--" else "#7f7f7f", lw=0.8, ls=style)
        ax.set_title(title)
        ax.set_xlabel("K")
        ax.grid(alpha=0.3, lw=0.5)
    if v.chosen is not None:
        named = f"K = {v.chosen} named (dashed)"
    elif v.best is None:
        named = "no K named (none stable enough)"
    else:
        named = f"no K named; smallest within seed noise of the best: K = {v.parsimonious} (dashed)" + (
            f", best mean K = {v.best} (dotted)" if v.best != v.parsimonious else ""
        )
    fig.suptitle(f"Choosing K: {named}; bars: lowest to highest seed", fontsize=9)
    fig.tight_layout()
    return fig


LABEL_CHARS = 40  # a longer topic label is cut short in the static figures (in full on the dashboard)


def _plain(text: str) -> str:
    """Text shown as written: matplotlib would read '$...$' as mathematics. Labels longer than
    LABEL_CHARS end in an ellipsis, so that the axes keep room for the data."""
    text = str(text)
    if len(text) > LABEL_CHARS:
        text = text[: LABEL_CHARS - 1] + "…"
    return escape.mathtext(text)


def _broken(years, values) -> tuple[np.ndarray, np.ndarray]:
    """x and y (floats) with NaN between data years more than one apart: matplotlib breaks the line
    there. years, values: (n,)."""
    years = list(years)
    xs = with_breaks(years, years)
    ys = with_breaks(years, [float(v) for v in values])
    return (
        np.array([np.nan if x is None else x for x in xs], dtype=float),
        np.array([np.nan if y is None else y for y in ys], dtype=float),
    )


def _percent():
    from matplotlib.ticker import PercentFormatter

    return PercentFormatter(1.0, decimals=0)


def write_sweep_figure(sw, folder: Path, cfg) -> str:
    """The sweep's static figure in ``folder``; returns the note the manifest records."""
    import matplotlib

    family, where = find_font(cfg.font)
    if not family:
        return f"static figures not written: {where}"
    folder.mkdir()
    with matplotlib.rc_context({**RC, "font.family": [family]}):
        save(sweep_plot(sw), folder, "sweep", cfg)
    return f"font: {family} ({where})"


def write_static(folder: Path, cfg, result) -> tuple[list[str], str]:
    """Write every static figure of a RunResult into ``folder`` (``cfg``: its [export] section);
    returns (file names, note). Without a font that covers Chinese, writes nothing and says why."""
    import matplotlib

    family, where = find_font(cfg.font)
    if family is None:
        return [], f"static figures not written: {where}"
    f = result.findings
    bands, fits, contrasts, forms, sweep = f.bands, f.fits, f.contrasts, f.formulations, f.sweep
    support = result.trends.support
    folder.mkdir(exist_ok=True)
    written = []
    labels = {t: _plain(v) for t, v in result.labels.items()}
    with matplotlib.rc_context({**RC, "font.family": [family], "font.sans-serif": [family]}):
        plots = [
            ("trend_bands", lambda: trend_bands(bands, fits, labels, support)),
            ("trend_lines", lambda: trend_lines(bands, labels)),
        ]
        if contrasts:
            plots.append(("era_contrasts", lambda: contrasts_plot(contrasts, labels)))
        if forms.chart:
            plots.append(("formulations", lambda: formulations_plot(forms)))
        if sweep is not None:
            plots.append(("sweep", lambda: sweep_plot(sweep)))
        for stem, make in plots:
            written += save(make(), folder, stem, cfg)
    return written, f"font: {family} ({where})"
