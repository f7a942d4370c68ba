"""A second opinion on each document's year, learnt from the corpus itself: the years of the documents
whose formulation profile its own most resembles.

A profile is the document's character-bigram TF-IDF vector (bigrams within runs of Chinese characters,
so digits and explicit years play no part). For each document, leaving it out, the ``K`` most similar
other documents (cosine similarity) vote for their stated years with weight ``similarity ** POWER``;
the weighted mean is the estimate, and the neighbours' years, widened by SLACK either side (with one
document a year, the document's own year is left out with it), are its range. Stated years of the other
documents are taken as they are, so one mislabelled neighbour can pull an estimate: this is a second
opinion beside the cues, never a correction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

K = 3
POWER = 8
SLACK = 1  # the range runs a year past the neighbours' years: left out, a document's own year is often absent
MIN_DOCUMENTS = 10
MIN_YEARS = 5
TOO_FEW = "too few documents for a second opinion"
_HAN = re.compile(r"[\u4e00-\u9fff]+")


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


def _bigrams(text: str) -> list[str]:
    return [run[i : i + 2] for run in _HAN.findall(text) for i in range(len(run) - 1)]


def second_opinions(texts, years, files=None) -> tuple[SecondOpinion | None, ...]:
    """One opinion per document (``texts`` and ``years`` of length n_documents), or all None when the
    corpus has fewer than MIN_DOCUMENTS documents or fewer than MIN_YEARS distinct years."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts, years = list(texts), [int(y) for y in years]
    files = list(files) if files is not None else [str(i) for i in range(len(texts))]
    if len(texts) != len(years) or len(files) != len(texts):
        raise ValueError("second_opinions: texts, years and files must have one entry per document")
    if len(texts) < MIN_DOCUMENTS or len(set(years)) < MIN_YEARS:
        return tuple(None for _ in texts)
    vectoriser = TfidfVectorizer(analyzer=_bigrams, sublinear_tf=True, min_df=2)
    profiles = vectoriser.fit_transform(texts)  # (n_documents, n_bigrams), rows L2-normalised
    similarity = (profiles @ profiles.T).toarray()  # (n_documents, n_documents)
    np.fill_diagonal(similarity, -np.inf)  # leave the document itself out
    opinions = []
    for i in range(len(texts)):
        # the K most similar; ties broken by corpus order, so the answer is reproducible
        order = sorted(range(len(texts)), key=lambda j: (-similarity[i, j], j))[:K]
        sims = np.array([max(similarity[i, j], 0.0) for j in order])
        weights = sims**POWER
        ys = np.array([years[j] for j in order], dtype=float)
        year = float(ys @ weights / weights.sum()) if weights.sum() > 0 else float(np.median(ys))
        opinions.append(
            SecondOpinion(
                int(np.floor(year + 0.5)),
                int(ys.min()) - SLACK,
                int(ys.max()) + SLACK,
                tuple((files[j], years[j], round(float(similarity[i, j]), 4)) for j in order),
            )
        )
    return tuple(opinions)
