"""The contract between stages: frozen data objects, documents and units in rows.

Arrays are made read-only on creation and their shapes checked, so a stage can never change
what an earlier stage handed it.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

import numpy as np


def _frozen(array, dtype=None) -> np.ndarray:
    out = np.array(array, dtype=dtype, copy=True)
    out.setflags(write=False)
    return out


@dataclass(frozen=True)
class Document:
    """One text file of the corpus, as read from disk (``raw`` is never changed)."""

    doc_id: str  # file name without extension, unique in the corpus
    file: str  # file name relative to the corpus folder
    year: int
    raw: str  # decoded text exactly as in the file
    sha256: str  # of the file's bytes
    meta: tuple[tuple[str, str], ...] = ()  # the other metadata columns, in sheet order

    def get(self, key: str, default: str = "") -> str:
        return dict(self.meta).get(key, default)


@dataclass(frozen=True)
class Corpus:
    """A validated corpus: documents sorted by (year, file)."""

    root: Path
    documents: tuple[Document, ...]
    fingerprint: str  # hash of metadata + every file's bytes; identifies the data
    metadata_sha256: str
    excluded: tuple[tuple[str, int, str], ...] = ()  # (file, year, reason) left out by the year range
    notes: tuple[str, ...] = ()  # warnings from loading (files whose extension differs only in case)


@dataclass(frozen=True)
class CleanLog:
    """What cleaning did to one document: counts per rule and the removed lines themselves."""

    doc_id: str
    counts: tuple[tuple[str, int], ...]
    removed_lines: tuple[str, ...] = ()

    def count(self, rule: str) -> int:
        return dict(self.counts).get(rule, 0)


@dataclass(frozen=True)
class Paragraph:
    """One paragraph in two forms: ``original`` as written (web noise removed, ends trimmed) and
    ``text`` normalised for segmentation. Normalisation changes characters one for one except that it
    deletes some spaces; ``removed`` holds their positions in ``original``, ascending."""

    original: str
    text: str
    removed: tuple[int, ...] = ()

    def original_index(self, j: int) -> int:
        """Position in ``original`` of character ``j`` of ``text``: j plus the number of removed
        positions before it. ``removed[c] - c`` never decreases, so that number is a binary search
        (a long paragraph with many removed spaces is mapped in log time per position)."""
        return j + bisect.bisect_right(self._shifted, j)

    @cached_property
    def _shifted(self) -> list[int]:
        return [r - c for c, r in enumerate(self.removed)]

    def original_span(self, start: int, end: int) -> str:
        """The original wording behind ``text[start:end]``."""
        if end <= start:
            return ""
        return self.original[self.original_index(start) : self.original_index(end - 1) + 1]


@dataclass(frozen=True)
class CleanDocument:
    """A document after cleaning: web noise gone, one Paragraph per line of text."""

    document: Document
    paragraphs: tuple[Paragraph, ...]
    log: CleanLog


@dataclass(frozen=True)
class Unit:
    """The modelling unit: a paragraph, a run of sentences, or a whole document.

    ``original`` is the source wording (for display and quotation); ``text`` is the normalised
    form that is segmented (punctuation, spaces, placeholders and lost characters normalised)."""

    unit_id: str  # "<doc_id>:<position>"
    doc_id: str
    year: int
    position: int  # 0-based order of the unit inside its document
    original: str
    text: str


class TokenArrays:
    """Token lists stored compactly: ``ids`` (int32) of every unit's tokens, concatenated, and
    ``offsets`` (int64, n_units + 1): unit i's tokens are ``vocab[ids[offsets[i]:offsets[i + 1]]]``.
    Tens of millions of tokens take four bytes each instead of a Python string apiece."""

    def unit_ids(self, i: int) -> np.ndarray:
        return self.ids[self.offsets[i] : self.offsets[i + 1]]

    def unit_tokens(self, i: int) -> tuple[str, ...]:
        return tuple(self.vocab[j] for j in self.unit_ids(i))

    @property
    def n_units(self) -> int:
        return len(self.offsets) - 1

    def texts(self, rows=None) -> list[list[str]]:
        """The units' tokens as lists of strings (all units, or those in ``rows``)."""
        rows = range(self.n_units) if rows is None else rows
        return [[self.vocab[j] for j in self.unit_ids(i)] for i in rows]

    @property
    def tokens(self) -> tuple[tuple[str, ...], ...]:
        """Every unit's tokens as strings (materialised on each call: for small corpora and tests)."""
        return tuple(self.unit_tokens(i) for i in range(len(self.offsets) - 1))

    def _check(self, n_units: int, name: str):
        object.__setattr__(self, "ids", _frozen(self.ids, np.int32))
        object.__setattr__(self, "offsets", _frozen(self.offsets, np.int64))
        if len(self.offsets) != n_units + 1 or self.offsets[0] != 0 or self.offsets[-1] != len(self.ids):
            raise ValueError(f"{name}: offsets do not match {n_units} units and {len(self.ids)} tokens")
        if len(self.ids) and (self.ids.min() < 0 or self.ids.max() >= len(self.vocab)):
            raise ValueError(f"{name}: token ids outside the vocabulary")


def pack(tokens, vocab_index: dict | None = None):
    """Token lists -> (ids, offsets, vocab) with ids in first-seen order of the vocabulary."""
    index = {} if vocab_index is None else vocab_index
    ids, offsets = [], [0]
    for toks in tokens:
        ids.extend(index.setdefault(t, len(index)) for t in toks)
        offsets.append(len(ids))
    return np.array(ids, dtype=np.int32), np.array(offsets, dtype=np.int64), tuple(index)


@dataclass(frozen=True)
class Segmented(TokenArrays):
    """Tokens per unit, aligned with ``units`` (see TokenArrays). ``vocab`` holds every token seen."""

    units: tuple[Unit, ...]
    ids: np.ndarray
    offsets: np.ndarray
    vocab: tuple[str, ...]
    cache_hits: int = 0
    info: dict = field(default_factory=dict)  # engine, lexicon and stopword sizes and hashes

    def __post_init__(self):
        self._check(len(self.units), "Segmented")

    @classmethod
    def from_tokens(cls, units, tokens, **kw) -> "Segmented":
        ids, offsets, vocab = pack(tokens)
        return cls(units=tuple(units), ids=ids, offsets=offsets, vocab=vocab, **kw)


@dataclass(frozen=True)
class DocTermMatrix(TokenArrays):
    """Sparse counts, shape (n_units, n_terms), vocabulary sorted.

    ``units`` are the units that kept at least one token after pruning; ``dropped`` lists the
    ids of those that did not. ``ids``/``offsets`` hold each unit's pruned tokens in order, as
    indices into ``vocab`` (see TokenArrays); left out, there are none."""

    counts: object  # scipy.sparse.csr_matrix of int, (n_units, n_terms)
    vocab: tuple[str, ...]
    units: tuple[Unit, ...]
    ids: np.ndarray = None
    offsets: np.ndarray = None
    dropped: tuple[str, ...] = ()
    pruning: object = None  # text.vocabulary.VocabularyRecord: every term left out, and why

    def __post_init__(self):
        n, v = self.counts.shape
        if self.ids is None:
            object.__setattr__(self, "ids", np.zeros(0, np.int32))
            object.__setattr__(self, "offsets", np.zeros(n + 1, np.int64))
        if n != len(self.units) or v != len(self.vocab):
            raise ValueError(
                f"DocTermMatrix: counts {self.counts.shape} do not match "
                f"{len(self.units)} units x {len(self.vocab)} terms"
            )
        if list(self.vocab) != sorted(self.vocab):
            raise ValueError("DocTermMatrix: vocabulary must be sorted")
        self._check(n, "DocTermMatrix")

    @property
    def n_tokens(self) -> np.ndarray:
        """Tokens per unit, shape (n_units,)."""
        return np.asarray(self.counts.sum(axis=1)).ravel()

    def token_texts(self) -> "TokenTexts":
        """Only the token arrays (what a worker needs to score coherence), without counts or units."""
        return TokenTexts(ids=self.ids, offsets=self.offsets, vocab=self.vocab)


@dataclass(frozen=True)
class TokenTexts(TokenArrays):
    """Token arrays alone (see TokenArrays)."""

    ids: np.ndarray
    offsets: np.ndarray
    vocab: tuple[str, ...]

    def __post_init__(self):
        self._check(len(self.offsets) - 1, "TokenTexts")


@dataclass(frozen=True)
class FittedModel:
    """What every engine returns, in one orientation.

    doc_topic: (n_units, n_topics), rows sum to 1.
    topic_term: (n_topics, n_terms), rows sum to 1.
    Topics are numbered 1..K in outputs, in order of corpus-wide prevalence (largest first)."""

    engine: str
    doc_topic: np.ndarray
    topic_term: np.ndarray
    vocab: tuple[str, ...]
    params: dict = field(default_factory=dict)  # effective settings, seed included
    notes: tuple[str, ...] = ()
    info: dict = field(default_factory=dict)  # fit diagnostics (bounds of each start, errors)
    topic_term_by_year: tuple = ()  # dynamic models only: ((year, (K, n_terms)), ...)

    def __post_init__(self):
        object.__setattr__(self, "doc_topic", _frozen(self.doc_topic, float))
        object.__setattr__(self, "topic_term", _frozen(self.topic_term, float))
        object.__setattr__(
            self, "topic_term_by_year", tuple((int(y), _frozen(a, float)) for y, a in self.topic_term_by_year)
        )
        n, k = self.doc_topic.shape
        k2, v = self.topic_term.shape
        if k != k2 or v != len(self.vocab):
            raise ValueError(
                f"FittedModel: doc_topic {self.doc_topic.shape} and topic_term "
                f"{self.topic_term.shape} do not agree with {len(self.vocab)} terms"
            )
        for name, arr in (("doc_topic", self.doc_topic), ("topic_term", self.topic_term)):
            if not np.allclose(arr.sum(axis=1), 1.0, atol=1e-6):
                raise ValueError(f"FittedModel: rows of {name} must sum to 1")

    @property
    def n_topics(self) -> int:
        return self.topic_term.shape[0]

    def top_terms(self, k: int, n: int) -> list[tuple[str, float]]:
        """The n heaviest terms of topic k (0-based), ties broken by the sorted vocabulary."""
        row = self.topic_term[k]
        order = np.lexsort((np.arange(row.size), -row))[:n]
        return [(self.vocab[i], float(row[i])) for i in order]


class YearShare(NamedTuple):
    """One topic's prevalence in one year, with the documents, units and tokens behind it."""

    year: int
    topic: int  # 1-based
    prevalence: float
    n_docs: int
    n_units: int
    n_tokens: int


class DocShare(NamedTuple):
    """One topic's prevalence in one document."""

    doc_id: str
    year: int
    topic: int
    prevalence: float
    n_units: int
    n_tokens: int


@dataclass(frozen=True)
class Trends:
    """Token-weighted prevalence of each topic by year and by document.

    by_year rows: (year, topic, prevalence, n_docs, n_units, n_tokens), topic 1-based.
    by_doc rows:  (doc_id, year, topic, prevalence, n_units, n_tokens)."""

    years: tuple[int, ...]
    by_year: tuple[YearShare, ...]
    by_doc: tuple[DocShare, ...]
    matrix: np.ndarray  # (n_years, n_topics) prevalence, rows sum to 1
    warnings: tuple[str, ...] = ()

    def __post_init__(self):
        object.__setattr__(self, "matrix", _frozen(self.matrix, float))

    @property
    def support(self) -> dict[int, int]:
        """Documents behind each year with documents."""
        return {r.year: r.n_docs for r in self.by_year}
