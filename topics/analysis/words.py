"""Words that tell topics apart: FREX, relevance, corpus-wide words, and the labels made of them.

A topic's most probable words are often words of the whole corpus (干部, 组织工作 in speeches on
organization work), so labels of the top probability words do not tell topics apart. Two scores
weigh a word's probability in a topic against its use elsewhere:

- **FREX** (Roberts, Stewart & Airoldi 2016, "A model of text for experimentation in the social
  sciences", JASA; Bischof & Airoldi 2012): the weighted harmonic mean of a word's rank within the
  topic (its ECDF, rank / V) by frequency, phi[k, w], and by exclusivity, phi[k, w] / sum_j phi[j, w].
  ``frex`` follows stm's ``calcfrex`` (R package stm, without its optional James-Stein shrinkage of
  exclusivity): ``1 / (w / ECDF(frequency) + (1 - w) / ECDF(exclusivity))``, ties ranked by their
  average rank, as R's ``rank`` does. The weight ``w`` is on **frequency**, as in stm's code (and
  ``labelTopics(frexweight=)``); the paper writes omega on exclusivity, so omega = 1 - w. At the
  default 0.5 the two agree.
- **Relevance** (Sievert & Shirley 2014, "LDAvis", Workshop on Interactive Language Learning):
  ``lam * log(phi[k, w]) + (1 - lam) * log(phi[k, w] / p[w])``, with p[w] the word's share of the
  corpus' tokens (as pyLDAvis computes it from the term frequencies). lam = 1 is probability alone,
  lam = 0 the lift; 0.6 is the value their user study found best.

A **corpus-wide** word is among the top-n probability words of more than ``share`` of the topics.
Automatic labels are the top FREX words of each topic, corpus-wide words skipped; labels given in
``[report] labels`` win. Every ranking breaks ties by the sorted vocabulary (the lower index first),
as ``FittedModel.top_terms`` does. Pure numpy; no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from ..config import ReportConfig
from ..data import DocTermMatrix, FittedModel

LABEL_SEPARATOR = "·"


class Word(NamedTuple):
    """A word in one of a topic's ranked lists, with its score in that list."""

    term: str
    score: float


class WordSettings(NamedTuple):
    """The settings a TopicWords was made with ([report] keys)."""

    top_n: int  # words per list ([report] top_words)
    frex_weight: float  # FREX weight on frequency (stm's w)
    relevance_lambda: float
    corpus_wide_share: float
    label_words: int


@dataclass(frozen=True)
class TopicWords:
    """Each topic's words three ways, topics 0..K-1 in the model's order (numbered 1..K in outputs).

    probability, frex, relevance: K tuples of ``top_n`` Words, best first (score: phi[k, w], the
    FREX score in (0, 1], the relevance). corpus_wide: the corpus-wide words, in vocabulary order.
    labels: the label of each topic (K), given ([report] labels) or automatic; automatic: which
    topics' labels were made here (1-based)."""

    probability: tuple[tuple[Word, ...], ...]
    frex: tuple[tuple[Word, ...], ...]
    relevance: tuple[tuple[Word, ...], ...]
    corpus_wide: tuple[str, ...]
    labels: tuple[str, ...]
    automatic: tuple[int, ...]
    settings: WordSettings

    def is_corpus_wide(self, term: str) -> bool:
        return term in set(self.corpus_wide)


def _check(topic_term) -> np.ndarray:
    phi = np.asarray(topic_term, dtype=float)
    if phi.ndim != 2 or min(phi.shape) == 0:
        raise ValueError(f"topic_term must be a (K, V) array with K, V >= 1, got shape {phi.shape}")
    if (phi < 0).any() or not np.isfinite(phi).all():
        raise ValueError("topic_term must hold finite, non-negative word probabilities")
    return phi


def ecdf(scores: np.ndarray) -> np.ndarray:
    """(K, V) -> (K, V): each value's rank within its row over V (the row's empirical CDF; 1/V for
    the smallest, 1 for the largest), tied values sharing their average rank (R's ``rank``)."""
    scores = np.asarray(scores, dtype=float)
    k, v = scores.shape
    out = np.empty((k, v))
    for i in range(k):
        order = np.argsort(scores[i], kind="stable")
        s = scores[i, order]
        new = np.r_[True, s[1:] != s[:-1]]
        starts = np.flatnonzero(new)
        ends = np.r_[starts[1:], v]  # ranks starts+1 .. ends share (starts + 1 + ends) / 2
        ranks = np.empty(v)
        ranks[order] = ((starts + 1 + ends) / 2)[np.cumsum(new) - 1]
        out[i] = ranks / v
    return out


def exclusivity(topic_term) -> np.ndarray:
    """(K, V) -> (K, V): phi[k, w] / sum_j phi[j, w] (0 for a word no topic uses)."""
    phi = _check(topic_term)
    total = phi.sum(axis=0)
    return np.divide(phi, total, out=np.zeros_like(phi), where=total > 0)


def frex(topic_term, weight: float = 0.5) -> np.ndarray:
    """FREX scores, (K, V) -> (K, V) in (0, 1]: 1 / (weight / ECDF(phi[k]) + (1 - weight) /
    ECDF(exclusivity[k])), ``weight`` on frequency as in stm's ``calcfrex`` (the paper's omega on
    exclusivity is 1 - weight). weight = 1 ranks by probability alone, 0 by exclusivity alone."""
    phi = _check(topic_term)
    if not 0.0 <= weight <= 1.0:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    return 1.0 / (weight / ecdf(phi) + (1.0 - weight) / ecdf(exclusivity(phi)))


def term_share(dtm: DocTermMatrix) -> np.ndarray:
    """(V,): each term's share of the corpus' tokens (column sums of the counts over their total)."""
    matrix: Any = dtm.counts  # a scipy.sparse matrix (n_units, V)
    counts = np.asarray(matrix.sum(axis=0), dtype=float).ravel()
    return counts / counts.sum()


def relevance(topic_term, term_share, lam: float = 0.6) -> np.ndarray:
    """Relevance of Sievert & Shirley (2014), (K, V) with term_share (V,) -> (K, V):
    lam * log(phi[k, w]) + (1 - lam) * log(phi[k, w] / term_share[w]); -inf where phi[k, w] = 0."""
    phi = _check(topic_term)
    p = np.asarray(term_share, dtype=float)
    if p.shape != (phi.shape[1],) or not (p > 0).all():
        raise ValueError(f"term_share must be ({phi.shape[1]},) positive shares, got shape {p.shape}")
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    with np.errstate(divide="ignore"):
        log_phi = np.log(phi)
    return lam * log_phi + (1.0 - lam) * (log_phi - np.log(p))


def ranking(scores: np.ndarray) -> np.ndarray:
    """(K, V) -> (K, V): each row's word indices, highest score first, ties by index (sorted vocabulary)."""
    scores = np.asarray(scores, dtype=float)
    idx = np.arange(scores.shape[1])
    return np.stack([np.lexsort((idx, -row)) for row in scores])


def corpus_wide(topic_term, vocab, top_n: int = 10, share: float = 0.5) -> tuple[str, ...]:
    """Words in the ``top_n`` most probable words of more than ``share`` of the K topics, in
    vocabulary order (share = 1: none). topic_term (K, V), vocab (V,)."""
    phi = _check(topic_term)
    return tuple(vocab[i] for i in np.flatnonzero(_corpus_wide_mask(ranking(phi), top_n, share)))


def _corpus_wide_mask(order: np.ndarray, top_n: int, share: float) -> np.ndarray:
    k, v = order.shape
    counts = np.bincount(order[:, :top_n].ravel(), minlength=v)
    return counts > share * k


def label_topics(frex_order: np.ndarray, vocab, skip: np.ndarray, n_words: int, given=None) -> tuple[str, ...]:
    """The label of each topic (K): the one ``given`` for it ({topic 1..K: label}), else its
    ``n_words`` best FREX words (frex_order (K, V), from ``ranking``) joined by "·", skipping the
    words where ``skip`` (V,) is true (the corpus-wide words).

    No two labels hold the same set of words if it can be avoided: an automatic label whose words
    are those of a given label or of an earlier topic's label (topics in order, so the more
    prevalent topic keeps its words) replaces its last word by the topic's next FREX word until it
    is new. A topic with no word outside ``skip`` (a vocabulary of corpus-wide words only) takes
    its best FREX words."""
    given = dict(given or {})
    used = {frozenset(label.split(LABEL_SEPARATOR)) for label in given.values()}
    out = []
    for k, row in enumerate(frex_order):
        if k + 1 in given:
            out.append(given[k + 1])
            continue
        words = [vocab[i] for i in row if not skip[i]] or [vocab[i] for i in row]
        pick = words[:n_words]
        for nxt in words[n_words:]:
            if frozenset(pick) not in used:
                break
            pick = [*words[: n_words - 1], nxt]
        if frozenset(pick) in used:
            pick = words[:n_words]  # every choice is taken: the duplicate cannot be avoided
        used.add(frozenset(pick))
        out.append(LABEL_SEPARATOR.join(pick))
    return tuple(out)


def _lists(scores: np.ndarray, order: np.ndarray, vocab, n: int) -> tuple[tuple[Word, ...], ...]:
    return tuple(tuple(Word(vocab[i], float(scores[k, i])) for i in order[k, :n]) for k in range(len(order)))


def topic_words(model: FittedModel, dtm: DocTermMatrix, cfg: ReportConfig) -> TopicWords:
    """The probability, FREX and relevance words of every topic of ``model`` (topic_term (K, V),
    aligned with dtm.vocab), the corpus-wide words and the labels, with the settings of ``cfg``."""
    phi = _check(model.topic_term)
    vocab = model.vocab
    settings = WordSettings(
        cfg.top_words, cfg.frex_weight, cfg.relevance_lambda, cfg.corpus_wide_share, cfg.label_words
    )
    prob_order = ranking(phi)
    wide = _corpus_wide_mask(prob_order, settings.top_n, settings.corpus_wide_share)
    fx = frex(phi, settings.frex_weight)
    fx_order = ranking(fx)
    rel = relevance(phi, term_share(dtm), settings.relevance_lambda)
    given = cfg.label_map()
    n = settings.top_n
    return TopicWords(
        probability=_lists(phi, prob_order, vocab, n),
        frex=_lists(fx, fx_order, vocab, n),
        relevance=_lists(rel, ranking(rel), vocab, n),
        corpus_wide=tuple(vocab[i] for i in np.flatnonzero(wide)),
        labels=label_topics(fx_order, vocab, wide, settings.label_words, given),
        automatic=tuple(k + 1 for k in range(len(phi)) if k + 1 not in given),
        settings=settings,
    )
