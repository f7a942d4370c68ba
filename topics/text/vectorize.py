"""Document-term counts from the segmented token ids, built directly as a sparse matrix.

The pruning rules are scikit-learn CountVectorizer's (min_df, max_df, max_features), applied to
the compact token arrays without making Python strings per token; the benchmark times this against
CountVectorizer on the same tokens.
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from ..config import VectorizeConfig
from ..data import DocTermMatrix, Segmented
from ..errors import ModelError


def vectorize(segmented: Segmented, cfg: VectorizeConfig) -> DocTermMatrix:
    """Counts of shape (n_units, n_terms); vocabulary sorted; units left empty by pruning dropped.

    min_df / max_df: a term is kept if it occurs in at least min_df and at most max_df units
    (a whole number counts units, a fraction is a share of units)."""
    import scipy.sparse as sp

    n_units = len(segmented.units)
    if n_units == 0:
        raise ModelError("no units to fit: every document was empty after cleaning")
    if len(segmented.ids) == 0:
        raise ModelError(
            "no tokens left after segmentation and stopwords; check [segment] settings "
            "and that the corpus is Chinese text"
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
    alphabetical = np.array(sorted(range(n_vocab), key=segmented.vocab.__getitem__), dtype=np.int64)
    keep = alphabetical[(df[alphabetical] >= low) & (df[alphabetical] <= high)]
    if cfg.max_features and len(keep) > cfg.max_features:
        totals = np.asarray(counts.sum(axis=0)).ravel()
        chosen = keep[np.argsort(-totals[keep], kind="stable")[: cfg.max_features]]  # ties: alphabetical
        keep = keep[np.isin(keep, chosen)]
    if len(keep) == 0:
        raise ModelError(
            f"the vocabulary is empty after pruning (min_df {cfg.min_df}, max_df {cfg.max_df}); "
            f"lower vectorize.min_df or raise vectorize.max_df (the corpus has {n_units} units)"
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
    )
