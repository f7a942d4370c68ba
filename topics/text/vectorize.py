"""Document-term counts from the segmented token ids, built directly as a sparse matrix.

The word rules of text/vocabulary.py (stopwords, filler, generic terms, part of speech) come first;
then scikit-learn CountVectorizer's pruning rules (min_df, max_df, max_features), applied to the
compact token arrays without making Python strings per token; the benchmark times this against
CountVectorizer on the same tokens. Every term left out is recorded (``DocTermMatrix.pruning``).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from ..config import VectorizeConfig
from ..data import DocTermMatrix, Segmented
from ..errors import ModelError
from .vocabulary import RULES, RemovedTerm, VocabularyRecord, WordRules


def vectorize(segmented: Segmented, cfg: VectorizeConfig, words: WordRules | None = None) -> DocTermMatrix:
    """Counts of shape (n_units, n_terms); vocabulary sorted; units left empty by pruning dropped.

    ``words``: the word rules (None: none, only the pruning rules). min_df / max_df: a term is kept
    if it occurs in at least min_df and at most max_df units (a whole number counts units, a
    fraction is a share of units), counted before the word rules."""
    import scipy.sparse as sp

    n_units = len(segmented.units)
    if n_units == 0:
        raise ModelError("no units to fit: every document was empty after cleaning")
    if len(segmented.ids) == 0:
        raise ModelError(
            "no tokens left after segmentation; check [segment] settings and that the corpus is Chinese text"
        )
    n_vocab = len(segmented.vocab)
    counts = sp.csr_matrix(
        (np.ones(len(segmented.ids), dtype=np.int32), segmented.ids.copy(), segmented.offsets.copy()),
        shape=(n_units, n_vocab),
    )
    counts.sum_duplicates()
    df = np.bincount(counts.indices, minlength=n_vocab)
    high = cfg.max_df if isinstance(cfg.max_df, Integral) else cfg.max_df * n_units
    low = cfg.min_df if isinstance(cfg.min_df, Integral) else cfg.min_df * n_units
    if high < low:
        raise ModelError(
            f"vectorize.max_df ({cfg.max_df}) allows fewer units than vectorize.min_df "
            f"({cfg.min_df}) on {n_units} units; raise max_df or lower min_df"
        )
    totals = np.asarray(counts.sum(axis=0)).ravel()
    removed: dict[int, tuple[str, str]] = {}  # term id -> (rule, note)
    tags: tuple = ()
    if words is not None:
        from .tagging import tag_terms

        tags = tag_terms(segmented.vocab, words.lexicon_terms) if words.pos_kept is not None else ()
        for i, term in enumerate(segmented.vocab):
            if totals[i]:
                hit = words.rule_of(term, tags[i] if tags else "")
                if hit is not None:
                    removed[i] = hit
    alphabetical = np.array(sorted(range(n_vocab), key=segmented.vocab.__getitem__), dtype=np.int64)
    alive = np.array([i not in removed for i in alphabetical], dtype=bool) & (totals[alphabetical] > 0)
    if words is not None and not alive.any():
        raise ModelError(
            "no tokens left after segmentation, stopwords and the word rules of [vectorize] (every term is a "
            "stopword, filler, generic term or not a content word); check [segment] stopwords and "
            "[vectorize] pos, and that the corpus is Chinese text"
        )
    for i in alphabetical[alive & (df[alphabetical] < low)]:
        removed[int(i)] = ("min_df", "")
    for i in alphabetical[alive & (df[alphabetical] >= low) & (df[alphabetical] > high)]:
        removed[int(i)] = ("max_df", "")
    keep = alphabetical[alive & (df[alphabetical] >= low) & (df[alphabetical] <= high)]
    if cfg.max_features and len(keep) > cfg.max_features:
        chosen = keep[np.argsort(-totals[keep], kind="stable")[: cfg.max_features]]  # ties: alphabetical
        for i in keep[~np.isin(keep, chosen)]:
            removed[int(i)] = ("max_features", "")
        keep = keep[np.isin(keep, chosen)]
    if len(keep) == 0:
        raise ModelError(
            f"the vocabulary is empty after pruning (min_df {cfg.min_df}, max_df {cfg.max_df}"
            f"{', and the word rules of [vectorize]' if words is not None else ''}); "
            f"lower vectorize.min_df or raise vectorize.max_df, or set vectorize.pos = 'all' "
            f"(the corpus has {n_units} units)"
        )
    order = list(RULES)
    record = VocabularyRecord(
        rules=tuple(r for r in order if r in {rule for rule, _ in removed.values()} or _applied(r, words, cfg)),
        removed=tuple(
            sorted(
                (
                    RemovedTerm(segmented.vocab[i], rule, tags[i] if tags else "", int(totals[i]), int(df[i]), note)
                    for i, (rule, note) in removed.items()
                ),
                key=lambda t: (order.index(t.rule), -t.tokens, t.term),
            )
        ),
        terms_before=int((totals > 0).sum()),
        tokens_before=int(totals.sum()),
        terms_kept=len(keep),
        tokens_kept=int(totals[keep].sum()),
        pos_kept=tuple(words.pos_kept or ()) if words is not None else (),
        protected=sum(1 for i, t in enumerate(segmented.vocab) if totals[i] and t in words.protected) if words else 0,
        settings=dict(words.settings) if words is not None else {},
    )
    new_id = np.full(n_vocab, -1, dtype=np.int32)
    new_id[keep] = np.arange(len(keep))
    vocab = tuple(segmented.vocab[i] for i in keep)
    counts = counts[:, keep].tocsr()
    rows = np.flatnonzero(np.diff(counts.indptr) > 0)
    counts = counts[rows].tocsr()
    counts.sort_indices()
    # the pruned token sequence of each kept unit, as ids into the sorted vocabulary
    mapped = new_id[segmented.ids]
    unit_of = np.repeat(np.arange(n_units, dtype=np.int32), np.diff(segmented.offsets))
    kept_token = mapped >= 0  # a unit with no kept token contributes none
    ids = mapped[kept_token].astype(np.int32)
    lengths = np.bincount(unit_of[kept_token], minlength=n_units)[rows]
    offsets = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    kept = set(rows.tolist())
    dropped = tuple(u.unit_id for i, u in enumerate(segmented.units) if i not in kept)
    return DocTermMatrix(
        counts=counts.astype(np.int32),
        vocab=vocab,
        units=tuple(segmented.units[i] for i in rows),
        ids=ids,
        offsets=offsets,
        dropped=dropped,
        pruning=record,
    )


def _applied(rule: str, words: WordRules | None, cfg: VectorizeConfig) -> bool:
    """Whether ``rule`` was in force (a rule in force that removed nothing is still listed)."""
    if rule in ("min_df", "max_df"):
        return True
    if rule == "max_features":
        return bool(cfg.max_features)
    if words is None:
        return False
    return bool({"stopword": words.stopword, "filler": words.filler, "generic": words.generic}.get(rule, True)) and (
        rule != "pos" or words.pos_kept is not None
    )
