"""Comparing two fitted runs: their topics matched one to one on word distributions, their
matched trends side by side, and what differs in their configurations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .stability import cosine


class TopicMatch(NamedTuple):
    """A topic of run A and its match in run B (0 where it has none), with their similarity."""

    topic_a: int
    topic_b: int
    similarity: float
    matched: bool  # similarity at least the threshold


class ConfigDifference(NamedTuple):
    key: str  # section.key, or "corpus.fingerprint" / "versions.<package>"
    value_a: str
    value_b: str


@dataclass(frozen=True)
class RunComparison:
    """matches: one row per topic of A, then B's topics left without a partner (topic_a = 0).
    similarity: (K_A, K_B) cosine similarities of topic-word distributions on the union vocabulary.
    years: the union of both runs' years; trends_a (n_years, K_A), trends_b (n_years, K_B), NaN
    where a run has no document that year."""

    name_a: str
    name_b: str
    matches: tuple[TopicMatch, ...]
    similarity: np.ndarray
    threshold: float
    years: tuple[int, ...]
    trends_a: np.ndarray
    trends_b: np.ndarray
    differences: tuple[ConfigDifference, ...]


def _on_vocab(topic_term: np.ndarray, vocab, union: dict) -> np.ndarray:
    out = np.zeros((topic_term.shape[0], len(union)))
    out[:, [union[w] for w in vocab]] = topic_term
    return out


def _flat(d: dict, prefix: str = "") -> dict:
    out = {}
    for k, v in d.items():
        key = f"{prefix}{k}"
        if isinstance(v, dict) and v and not key.startswith("report.labels"):
            out.update(_flat(v, key + "."))
        else:
            out[key] = v
    return out


def _trends_on(years: tuple[int, ...], trends) -> np.ndarray:
    out = np.full((len(years), trends.matrix.shape[1]), np.nan)
    for i, y in enumerate(trends.years):
        out[years.index(y)] = trends.matrix[i]
    return out


def compare_runs(a, b, threshold: float = 0.5) -> RunComparison:
    """Match the topics of RunResult ``b`` to those of ``a`` (Hungarian assignment on cosine
    similarity, scipy's linear_sum_assignment; K may differ: the larger side keeps unmatched topics)."""
    from scipy.optimize import linear_sum_assignment

    union = {w: i for i, w in enumerate(sorted(set(a.model.vocab) | set(b.model.vocab)))}
    sim = cosine(
        _on_vocab(a.model.topic_term, a.model.vocab, union), _on_vocab(b.model.topic_term, b.model.vocab, union)
    )
    rows, cols = linear_sum_assignment(-sim)
    partner = dict(zip(rows.tolist(), cols.tolist()))
    matches = [
        TopicMatch(
            i + 1,
            partner[i] + 1 if i in partner else 0,
            float(sim[i, partner[i]]) if i in partner else 0.0,
            bool(i in partner and sim[i, partner[i]] >= threshold),
        )
        for i in range(sim.shape[0])
    ]
    taken = set(partner.values())
    matches += [TopicMatch(0, j + 1, 0.0, False) for j in range(sim.shape[1]) if j not in taken]
    fa, fb = _flat(a.config.to_dict()), _flat(b.config.to_dict())
    fa.update(
        {"corpus.fingerprint": a.corpus.fingerprint, **{f"versions.{k}": v for k, v in a.provenance.versions.items()}}
    )
    fb.update(
        {"corpus.fingerprint": b.corpus.fingerprint, **{f"versions.{k}": v for k, v in b.provenance.versions.items()}}
    )
    diffs = tuple(
        ConfigDifference(k, str(fa.get(k, "")), str(fb.get(k, "")))
        for k in sorted(set(fa) | set(fb))
        if fa.get(k) != fb.get(k)
    )
    years = tuple(sorted(set(a.trends.years) | set(b.trends.years)))
    return RunComparison(
        name_a=a.config.name,
        name_b=b.config.name,
        matches=tuple(matches),
        similarity=sim,
        threshold=threshold,
        years=years,
        trends_a=_trends_on(years, a.trends),
        trends_b=_trends_on(years, b.trends),
        differences=diffs,
    )
