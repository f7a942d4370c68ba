"""A second opinion on each document's year, learnt from the corpus itself: the years of the documents
whose formulation profile its own most resembles.

A profile is the document's character-bigram TF-IDF vector (bigrams within runs of Chinese characters,
so digits and explicit years play no part; see ``profiles``). For each document, leaving it out, the ``K`` most similar
other documents (cosine similarity) vote for their stated years with weight ``similarity ** POWER``;
the weighted mean is the estimate, and the neighbours' years, widened by SLACK either side (with one
document a year, the document's own year is left out with it), are its range. Stated years of the other
documents are taken as they are, so one mislabelled neighbour can pull an estimate: this is a second
opinion beside the cues, never a correction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

K = 3
POWER = 8
SLACK = 1  # the range runs a year past the neighbours' years: left out, a document's own year is often absent
MIN_DOCUMENTS = 10
BLOCK = 512
MIN_YEARS = 5
TOO_FEW = "too few documents for a second opinion"
NO_PROFILE = "no second opinion: the text shares no character bigram with the other documents"
TOP = 1000  # bigrams kept per document: its most characteristic ones (keeps comparing every pair cheap)
BUCKETS = 4_194_301  # a prime: a bigram's column is its code modulo BUCKETS (no vocabulary to sort)
MIN_DF, MAX_DF = 2, 0.5  # bigrams kept: in at least MIN_DF documents and at most MAX_DF of them


@dataclass(frozen=True)
class SecondOpinion:
    """The corpus's guess at one document's year: ``year`` (weighted mean of the neighbours' years,
    rounded), ``low``-``high`` (the neighbours' years, widened by SLACK), and the neighbours as (file, year, similarity)."""

    year: int
    low: int
    high: int
    neighbours: tuple[tuple[str, int, float], ...]

    def allows(self, year: int) -> bool:
        return self.low <= year <= self.high

    def span(self) -> str:
        return str(self.low) if self.low == self.high else f"{self.low}-{self.high}"

    def describe(self) -> str:
        near = ", ".join(f"{f} ({y}, {s:.2f})" for f, y, s in self.neighbours)
        return f"about {self.year} (range {self.span()}; most similar: {near})"


def profiles(texts) -> sparse.csr_matrix:
    """Character-bigram TF-IDF profiles, shape (n_documents, n_bigrams), rows L2-normalised.

    Bigrams are pairs of adjacent Chinese characters (a run of other characters breaks a pair), each in
    column (first << 16 | second) mod BUCKETS (a corpus has some 10^5 distinct bigrams, so two rarely
    share a column; the columns are the same on every machine); tf is
    sublinear (1 + log count), idf smooth (ln((1 + n) / (1 + df)) + 1, as scikit-learn's), and bigrams
    in fewer than MIN_DF documents or in more than MAX_DF of them are left out (the common ones say
    little about a year and dominate the cost of comparing every pair of documents); of the rest, each
    document keeps its TOP highest-weighted bigrams."""
    codes, counts, lengths = [], [], []
    for text in texts:
        chars = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
        han = (chars >= 0x4E00) & (chars <= 0x9FFF)
        pairs = han[:-1] & han[1:]
        u, c = np.unique((chars[:-1] << 16 | chars[1:])[pairs] % BUCKETS, return_counts=True)
        codes.append(u)
        counts.append(c)
        lengths.append(len(u))
    n = len(lengths)
    columns = np.concatenate(codes) if n else np.zeros(0, dtype=np.int64)
    rows = np.repeat(np.arange(n), lengths)
    tf = sparse.csr_matrix((1.0 + np.log(np.concatenate(counts)), (rows, columns)), shape=(n, BUCKETS))
    df = np.bincount(columns, minlength=BUCKETS)
    keep = np.flatnonzero((df >= MIN_DF) & (df <= MAX_DF * n))
    idf = np.log((1.0 + n) / (1.0 + df[keep])) + 1.0
    weighted = sparse.csr_matrix(tf[:, keep] @ sparse.diags(idf))
    # each document's TOP most characteristic bigrams (ties by column, so reproducibly), L2-normalised
    rows_kept, cols_kept, vals_kept = [], [], []
    for i in range(n):
        lo, hi = weighted.indptr[i], weighted.indptr[i + 1]
        vals, cols = weighted.data[lo:hi], weighted.indices[lo:hi]
        if len(vals) > TOP:
            chosen = np.lexsort((cols, -vals))[:TOP]
            vals, cols = vals[chosen], cols[chosen]
        norm = np.sqrt(vals @ vals)
        rows_kept.append(np.full(len(vals), i))
        cols_kept.append(cols)
        vals_kept.append(vals / norm if norm > 0 else vals)
    return sparse.csr_matrix(
        (np.concatenate(vals_kept), (np.concatenate(rows_kept), np.concatenate(cols_kept))), shape=weighted.shape
    )


def second_opinions(texts, years, files=None) -> tuple[SecondOpinion | None, ...]:
    """One opinion per document (``texts`` and ``years`` of length n_documents), or all None when the
    corpus has fewer than MIN_DOCUMENTS documents or fewer than MIN_YEARS distinct years (TOO_FEW), and
    None for a document whose profile shares nothing with any other (NO_PROFILE)."""
    texts, years = list(texts), [int(y) for y in years]
    files = list(files) if files is not None else [str(i) for i in range(len(texts))]
    if len(texts) != len(years) or len(files) != len(texts):
        raise ValueError("second_opinions: texts, years and files must have one entry per document")
    if len(texts) < MIN_DOCUMENTS or len(set(years)) < MIN_YEARS:
        return tuple(None for _ in texts)
    profile = profiles(texts)  # (n_documents, n_bigrams)
    n = len(texts)
    opinions: list[SecondOpinion | None] = []
    for start in range(0, n, BLOCK):  # a block of rows at a time: memory grows with BLOCK x n, not n x n
        similarity = (profile[start : start + BLOCK] @ profile.T).toarray()  # (block, n_documents)
        rows = np.arange(similarity.shape[0])
        similarity[rows, rows + start] = -np.inf  # leave the document itself out
        # the K most similar; ties broken by corpus order (a stable sort), so the answer is reproducible
        nearest = np.argsort(-similarity, axis=1, kind="stable")[:, :K]
        for r, order in enumerate(nearest):
            sims = np.clip(similarity[r, order], 0.0, None)
            weights = sims**POWER
            ys = np.array([years[j] for j in order], dtype=float)
            if not weights.sum() > 0:  # nothing in common with any other document
                opinions.append(None)
                continue
            year = float(ys @ weights / weights.sum())
            opinions.append(
                SecondOpinion(
                    int(np.floor(year + 0.5)),
                    int(ys.min()) - SLACK,
                    int(ys.max()) + SLACK,
                    tuple((files[j], years[j], round(float(similarity[r, j]), 4)) for j in order),
                )
            )
    return tuple(opinions)
