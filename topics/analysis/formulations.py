"""Formulation tracking (提法): how often each formulation appears, per document and per year.

Two counts stand side by side, and every table says which is which:

- ``substring_count``: non-overlapping occurrences in the cleaned text (within paragraphs,
  after web noise, punctuation and spaces were normalised), where the lexicon marks separator
  points ('/') a separator may stand there (不忘初心、牢记使命 counts for 不忘初心牢记使命). A
  formulation inside a longer one is counted for both.
- ``token_count``: tokens equal to the formulation after segmentation (so it misses a formulation
  that jieba cut differently, and counts only whole-word uses).

Rates are per 10,000 characters of cleaned text (punctuation included, line breaks not).
Keyword-in-context passages quote the original wording around each hit.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import NamedTuple

from ..text.lexicon import builtin_text, load_lexicon

PER = 10_000


class TermInDocument(NamedTuple):
    term: str
    category: str
    doc_id: str
    year: int
    substring_count: int
    token_count: int
    chars: int
    rate: float  # substring occurrences per PER characters of cleaned text


class TermInYear(NamedTuple):
    term: str
    category: str
    year: int
    n_docs: int
    substring_count: int
    token_count: int
    chars: int
    rate: float


class InContext(NamedTuple):
    """A formulation in its context (key word in context), in the original wording."""

    term: str
    year: int
    doc_id: str
    left: str
    match: str
    right: str


@dataclass(frozen=True)
class Formulations:
    """by_doc rows: (term, category, doc_id, year, substring_count, token_count, chars, rate)
    by_year rows: (term, category, year, n_docs, substring_count, token_count, chars, rate)
    kwic rows: (term, year, doc_id, left, match, right); chart: the terms on the chart."""

    by_doc: tuple
    by_year: tuple
    kwic: tuple
    chart: tuple
    n_terms: int


def categories() -> dict[str, str]:
    """The built-in lexicon's category per (canonical) term."""
    out = {}
    for line in builtin_text("formulations.tsv").splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[0] != "term" and not cols[0].startswith("#"):
            out[cols[0].replace("/", "")] = cols[1]
    return out


def term_patterns(cfg, segment_cfg) -> dict[str, tuple[str, re.Pattern]]:
    """term -> (category, compiled pattern) for the lexicon (when ``lexicon``), cfg.terms and cfg.chart."""
    lexicon = load_lexicon(segment_cfg)
    cats = categories()
    out = {}
    if cfg.lexicon:
        for t in lexicon.terms:
            out[t] = (cats.get(t, "lexicon (extra)"), re.compile(lexicon.variants.get(t, re.escape(t))))
    for t in dict.fromkeys((*cfg.terms, *cfg.chart)):  # a charted term is always counted
        term = t.replace("/", "")
        pattern = lexicon.variants.get(term) or "[、，,.。；;·・\\s“”‘’\"']{0,3}".join(
            re.escape(p) for p in t.split("/")
        )
        if term in out:
            out[term] = (out[term][0] + " + config", out[term][1])
        else:
            out[term] = ("config", re.compile(pattern))
    return dict(sorted(out.items()))


def count_formulations(cleaned, segmented, cfg, segment_cfg) -> Formulations:
    """cleaned: CleanDocuments; segmented: the units' tokens (for token counts)."""
    patterns = term_patterns(cfg, segment_cfg)
    import numpy as np

    vocab_index = {t: i for i, t in enumerate(segmented.vocab)}
    term_ids = {t: vocab_index[t] for t in patterns if t in vocab_index}
    wanted = np.array(sorted(set(term_ids.values())), dtype=np.int64)
    tokens_by_doc: dict[str, Counter] = defaultdict(Counter)
    for i, unit in enumerate(segmented.units):
        ids = segmented.unit_ids(i)
        hit = ids[np.isin(ids, wanted)]
        if len(hit):
            tokens_by_doc[unit.doc_id].update(segmented.vocab[j] for j in hit.tolist())
    by_doc, hits = [], defaultdict(list)
    per_year = defaultdict(lambda: [set(), 0, 0, 0])  # (term, year) -> docs, sub, tok, chars
    chars_by_year = defaultdict(int)
    docs_by_year = defaultdict(set)
    for cd in cleaned:
        d = cd.document
        chars = sum(len(p.text) for p in cd.paragraphs)
        chars_by_year[d.year] += chars
        docs_by_year[d.year].add(d.doc_id)
        # one scan per term over the whole document; paragraphs joined by NUL, which no pattern matches
        joined = "\0".join(p.text for p in cd.paragraphs)
        starts = np.cumsum([0] + [len(p.text) + 1 for p in cd.paragraphs[:-1]])
        for term, (cat, pattern) in patterns.items():
            n_sub = 0
            for m in pattern.finditer(joined):
                n_sub += 1
                if n_sub <= cfg.kwic:  # keyword-in-context uses at most this many per document
                    pi = int(np.searchsorted(starts, m.start(), side="right")) - 1
                    at = int(starts[pi])
                    hits[term].append((d.year, d.doc_id, pi, m.start() - at, m.end() - at, cd.paragraphs[pi]))
            n_tok = tokens_by_doc[d.doc_id].get(term, 0)
            if n_sub or n_tok:
                by_doc.append(
                    TermInDocument(term, cat, d.doc_id, d.year, n_sub, n_tok, chars, PER * n_sub / max(chars, 1))
                )
                acc = per_year[(term, d.year)]
                acc[0].add(d.doc_id)
                acc[1] += n_sub
                acc[2] += n_tok
    years = sorted(chars_by_year)
    totals = Counter()
    by_year = []
    for term, (cat, _) in patterns.items():
        if not any((term, y) in per_year for y in years):
            continue
        for y in years:
            _, n_sub, n_tok, _ = per_year.get((term, y), [set(), 0, 0, 0])
            totals[term] += n_sub
            by_year.append(
                TermInYear(
                    term,
                    cat,
                    y,
                    len(docs_by_year[y]),
                    n_sub,
                    n_tok,
                    chars_by_year[y],
                    PER * n_sub / max(chars_by_year[y], 1),
                )
            )
    chart = tuple(t.replace("/", "") for t in cfg.chart) or tuple(
        t for t, _ in sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[: cfg.chart_top] if totals[t] > 0
    )
    kwic = []
    for term in sorted(set(chart) | {t.replace("/", "") for t in cfg.terms}):
        for year, doc_id, _, s, e, p in _spread(hits.get(term, []), cfg.kwic):
            kwic.append(
                InContext(
                    term,
                    year,
                    doc_id,
                    p.original_span(max(0, s - cfg.kwic_chars), s),
                    p.original_span(s, e),
                    p.original_span(e, min(len(p.text), e + cfg.kwic_chars)),
                )
            )
    return Formulations(
        by_doc=tuple(sorted(by_doc, key=lambda r: (r[0], r[3], r[2]))),
        by_year=tuple(by_year),
        kwic=tuple(kwic),
        chart=chart,
        n_terms=len(patterns),
    )


def _spread(hits, n: int):
    """Up to n hits, taking the first hit of each document in year order before any second hit."""
    if n == 0:
        return []
    seen, first, rest = set(), [], []
    for h in sorted(hits, key=lambda h: (h[0], h[1], h[2], h[3])):
        (rest if h[1] in seen else first).append(h)
        seen.add(h[1])
    return (first + rest)[:n]
