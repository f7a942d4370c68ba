"""The run's tables, as (header, rows) pairs built from the result objects (pure functions).

Topics are numbered from 1 in every table; rows are sorted so that output is deterministic.
"""
from __future__ import annotations

import numpy as np

from ..data import CleanDocument, DocTermMatrix, FittedModel, Trends


def topic_labels(model: FittedModel, labels: dict[int, str], n_words: int = 3) -> dict[int, str]:
    """Label per topic 1..K: from the config when given, else the top three words."""
    return {k + 1: labels.get(k + 1) or "·".join(w for w, _ in model.top_terms(k, n_words))
            for k in range(model.n_topics)}


def topics_table(model: FittedModel, labels: dict[int, str], top_words: int):
    header = ["topic", "label", "rank", "term", "weight"]
    rows = [(k + 1, labels[k + 1], r + 1, term, weight)
            for k in range(model.n_topics)
            for r, (term, weight) in enumerate(model.top_terms(k, top_words))]
    return header, rows


def doc_topics_table(model: FittedModel, dtm: DocTermMatrix, files: dict[str, str]):
    k = model.n_topics
    header = ["unit_id", "doc_id", "file", "year", "position", "n_tokens", "dominant_topic",
              *[f"topic_{t + 1}" for t in range(k)], "text"]
    n_tok = dtm.n_tokens
    order = sorted(range(len(dtm.units)), key=lambda i: (dtm.units[i].year, dtm.units[i].doc_id,
                                                         dtm.units[i].position))

    def rows():          # generated row by row: a large corpus never holds the table in memory
        for i in order:
            u, theta = dtm.units[i], model.doc_topic[i]
            yield (u.unit_id, u.doc_id, files[u.doc_id], u.year, u.position, int(n_tok[i]),
                   int(np.argmax(theta)) + 1, *[float(x) for x in theta], u.original)
    return header, rows()


def trends_table(trends: Trends, labels: dict[int, str], bands=None):
    """Yearly prevalence with its interval (ci_low, ci_high: bootstrap over units, pooled across
    seeds) and the range of the seeds' point estimates (seed_min, seed_max)."""
    header = ["year", "topic", "label", "prevalence", "ci_low", "ci_high", "seed_min", "seed_max", "n_docs",
              "n_units", "n_tokens", "single_document"]
    rows = []
    for (y, t, p, nd, nu, nt) in trends.by_year:
        if bands is not None:
            i = bands.years.index(y)
            extra = (bands.low[i, t - 1], bands.high[i, t - 1], bands.seed_min[i, t - 1], bands.seed_max[i, t - 1])
        else:
            extra = ("", "", "", "")
        rows.append((y, t, labels[t], p, *extra, nd, nu, nt, nd == 1))
    return header, sorted(rows, key=lambda r: (r[0], r[1]))


def documents_table(trends: Trends, labels: dict[int, str], files: dict[str, str]):
    header = ["doc_id", "file", "year", "topic", "label", "prevalence", "n_units", "n_tokens"]
    rows = [(d, files[d], y, t, labels[t], p, nu, nt) for (d, y, t, p, nu, nt) in trends.by_doc]
    return header, sorted(rows, key=lambda r: (r[2], r[0], r[3]))


CLEANING_COUNTS = ("lines_raw", "chars_raw", "boilerplate_lines", "boilerplate_chars", "blank_lines",
                   "paragraphs", "chars_clean", "lost_chars", "punctuation", "spaces", "placeholders")


def cleaning_table(cleaned: tuple[CleanDocument, ...], units_per_doc: dict[str, int]):
    header = ["doc_id", "file", "year", *CLEANING_COUNTS, "units", "removed_lines"]
    rows = []
    for cd in cleaned:
        d = cd.document
        rows.append((d.doc_id, d.file, d.year, *[cd.log.count(c) for c in CLEANING_COUNTS],
                     units_per_doc.get(d.doc_id, 0), " | ".join(cd.log.removed_lines)))
    return header, sorted(rows, key=lambda r: (r[2], r[1]))
