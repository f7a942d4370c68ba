"""What a run can and cannot say: a few plain sentences written from its numbers (documents per
year, single-document years, band widths, which linear trends and era contrasts exclude zero), shown
first on the dashboard's overview. Plain text; the page escapes it."""

from __future__ import annotations

import numpy as np


def _topics(items, labels) -> str:
    return ", ".join(f"T{t} {labels[t]}" for t in items)


def _flagged(items, labels, unstable) -> str:
    return ", ".join(
        f"T{t} {labels[t]}" + (" (a topic that does not recur across seeds)" if t in unstable else "") for t in items
    )


def _excludes_zero(low: float, high: float) -> bool:
    return low > 0 or high < 0


def _era_documents(contrasts, support) -> str:
    """How many documents stand behind each era of the contrasts, as a sentence ("" when each has many)."""
    eras: dict[str, int] = {}
    for c in contrasts:
        eras[c.later] = sum(support.get(y, 0) for y in c.later_years)
        eras[c.earlier] = sum(support.get(y, 0) for y in c.earlier_years)
    if min(eras.values(), default=99) >= 10:
        return ""
    return " Documents behind each era: " + ", ".join(f"{e}: {n}" for e, n in sorted(eras.items())) + "."


def sentences(result) -> list[str]:
    """The overview's "What this run can and cannot say" block, one sentence (or two) per item."""
    f, labels, support = result.findings, result.labels, result.trends.support
    unstable = set(f.ensemble.unstable())
    years = sorted(support)
    docs = [support[y] for y in years]
    single = [y for y in years if support[y] == 1]
    out = [
        f"{sum(docs)} documents in {len(years)} years ({years[0]}–{years[-1]}), "
        + (
            f"{min(docs)} to {max(docs)} per year (median {float(np.median(docs)):g})."
            if min(docs) != max(docs)
            else f"{docs[0]} per year."
        )
    ]
    if single:
        out.append(
            f"{len(single)} of {len(years)} years rest on a single document"
            + (" (every year)" if len(single) == len(years) else "")
            + ": a year's share there is that text's share, and its band shows the variability of that "
            "text's units, not of the year's speeches; differences between such years are differences "
            "between texts."
        )
    width = f.bands.high - f.bands.low
    if np.isfinite(width).any():
        out.append(
            f"The median {f.bands.level:.0%} band is {100 * float(np.nanmedian(width)):.1f} percentage points wide "
            f"(widest {100 * float(np.nanmax(width)):.1f}) for shares that average "
            f"{100 / max(result.model.n_topics, 1):.1f}%."
        )
    if f.fits.linear:
        clear = [x.topic for x in f.fits.linear if _excludes_zero(x.low, x.high)]
        rest = [x.topic for x in f.fits.linear if not _excludes_zero(x.low, x.high)]
        if not clear:
            out.append(
                f"No linear trend excludes zero: for every theme the {f.bands.level:.0%} interval of the change "
                "per decade includes no change, so these data do not show any theme rising or falling."
            )
        else:
            ups = [x.topic for x in f.fits.linear if x.low > 0]
            downs = [x.topic for x in f.fits.linear if x.high < 0]
            out.append(
                "Linear trends whose interval excludes zero: "
                + "; ".join(
                    part
                    for part in (
                        f"rising {_flagged(ups, labels, unstable)}" if ups else "",
                        f"falling {_flagged(downs, labels, unstable)}" if downs else "",
                    )
                    if part
                )
                + "."
                + (f" The others ({_topics(rest, labels)}) cross zero: no trend can be read from them." if rest else "")
            )
    if f.contrasts:
        clear_c = [c for c in f.contrasts if _excludes_zero(c.low, c.high)]
        pairs = sorted({f"{c.later} vs {c.earlier}" for c in f.contrasts})
        if not clear_c:
            out.append(
                f"Every era contrast ({', '.join(pairs)}) crosses zero: the interval of each theme's difference "
                "includes no difference, so these data cannot say that any theme's share changed between the eras."
                + _era_documents(f.contrasts, support)
            )
        else:
            out.append(
                "Era contrasts whose interval excludes zero: "
                + "; ".join(
                    f"T{c.topic} {labels[c.topic]} ({c.later} vs {c.earlier}, {100 * c.difference:+.1f} pp"
                    + ("; a topic that does not recur across seeds" if c.topic in unstable else "")
                    + ")"
                    for c in clear_c
                )
                + f". The other {len(f.contrasts) - len(clear_c)} of {len(f.contrasts)} contrasts cross zero."
                + _era_documents(f.contrasts, support)
            )
    if unstable:
        out.append(
            f"{_topics(sorted(unstable), labels)} "
            + ("does" if len(unstable) == 1 else "do")
            + " not recur across seeds: read "
            + ("its" if len(unstable) == 1 else "their")
            + " trend as an artefact of one fit until another seed finds it."
        )
    out.append(
        "Topics are word patterns found by the model, not measured concepts: name and validate them by reading "
        "their passages (each topic's page) before citing a trend."
    )
    return out
