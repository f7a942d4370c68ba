"""Units: the pieces a model is fitted on.

With a handful of speeches, a speech-level model is meaningless, so the default unit is the
paragraph. Paragraphs shorter than ``min_chars`` (titles, headings, "同志们：") are joined to the next
paragraph; paragraphs longer than ``max_chars`` (including documents with no paragraph breaks at all)
are cut into runs of whole sentences of about ``run_chars`` characters each.
"""

from __future__ import annotations

import bisect
import math
import re

from ..config import UnitsConfig
from ..data import CleanDocument, Paragraph, Unit

# Where a sentence ends (after the normalisation in clean.py): terminators plus closing quotes.
_SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*")
_CLAUSE_END = re.compile(r"[，、：,:]+[”’」』）)]*")


def split_units(documents: tuple[CleanDocument, ...], cfg: UnitsConfig) -> tuple[Unit, ...]:
    """Cut every document into units, in corpus order; positions count from 0 in each document."""
    build = KINDS[cfg.kind]
    units = []
    for cd in documents:
        doc = cd.document
        for pos, (original, text) in enumerate(build(cd.paragraphs, cfg)):
            units.append(
                Unit(
                    unit_id=f"{doc.doc_id}:{pos:04d}",
                    doc_id=doc.doc_id,
                    year=doc.year,
                    position=pos,
                    original=original,
                    text=text,
                )
            )
    return tuple(units)


def _paragraph_units(paragraphs, cfg: UnitsConfig):
    for para in _join_short(paragraphs, cfg.min_chars):
        if cfg.max_chars and len(para.text) > cfg.max_chars:
            cuts = sentence_runs(para.text, cfg.run_chars, cfg.max_chars)
        else:
            cuts = [(0, len(para.text))]
        for a, b in cuts:
            yield para.original_span(a, b), para.text[a:b]


def _document_units(paragraphs, cfg: UnitsConfig):
    if paragraphs:
        whole = paragraphs[0]
        for p in paragraphs[1:]:
            whole = join_paragraphs(whole, p)
        yield whole.original, whole.text


KINDS = {"paragraph": _paragraph_units, "document": _document_units}


def _join_short(paragraphs, min_chars: int) -> list[Paragraph]:
    out: list[Paragraph] = []
    pending: Paragraph | None = None
    for p in paragraphs:
        p = join_paragraphs(pending, p) if pending else p
        pending = None
        if len(p.text) < min_chars:
            pending = p
        else:
            out.append(p)
    if pending is not None:
        if out:
            out[-1] = join_paragraphs(out[-1], pending)
        else:
            out.append(pending)
    return out


def join_paragraphs(a: Paragraph, b: Paragraph) -> Paragraph:
    """a and b as one paragraph, joined by a line break in both forms."""
    shift = len(a.original) + 1
    return Paragraph(
        original=a.original + "\n" + b.original,
        text=a.text + "\n" + b.text,
        removed=a.removed + tuple(r + shift for r in b.removed),
    )


def sentence_runs(text: str, run_chars: int, max_chars: int) -> list[tuple[int, int]]:
    """Cut ``text`` into consecutive (start, end) spans of whole sentences of similar length.

    The number of runs is ceil(len / run_chars); each cut is the sentence end nearest to its even
    share of the text. A run still longer than ``max_chars`` (a sentence without a stop) is cut at
    clause marks, and failing those at ``run_chars`` characters."""
    spans = _even_cuts(text, 0, len(text), run_chars, _SENTENCE_END)
    out = []
    for a, b in spans:
        if max_chars and b - a > max_chars:
            for c, d in _even_cuts(text, a, b, run_chars, _CLAUSE_END):
                if d - c > max_chars:
                    out += [(i, min(i + run_chars, d)) for i in range(c, d, run_chars)]
                else:
                    out.append((c, d))
        else:
            out.append((a, b))
    return out


def _even_cuts(text: str, start: int, end: int, run_chars: int, marks: re.Pattern) -> list[tuple[int, int]]:
    length = end - start
    n = max(1, math.ceil(length / run_chars))
    bounds = sorted({m.end() for m in marks.finditer(text, start, end) if start < m.end() < end})
    if n == 1 or not bounds:
        return [(start, end)]
    cuts, lo = [], 0
    for r in range(1, n):
        target = start + r * length / n
        if lo >= len(bounds):
            break
        # the nearest bound at or after index lo is one of the two around the target (ties: the earlier):
        # a binary search, so a long text with many sentences is cut in n log n, not n squared
        p = bisect.bisect_left(bounds, target, lo)
        best = min((i for i in (p - 1, p) if lo <= i < len(bounds)), key=lambda i: (abs(bounds[i] - target), i))
        if not cuts or bounds[best] > cuts[-1]:
            cuts.append(bounds[best])
        lo = best + 1
    edges = [start, *cuts, end]
    return [(a, b) for a, b in zip(edges, edges[1:]) if b > a]
