"""Document-term counts from pre-tokenised units (scikit-learn's CountVectorizer)."""
from __future__ import annotations

from .config import VectorizeConfig
from .data import DocTermMatrix, Segmented
from .errors import ModelError


def _identity(tokens):
    return tokens


def vectorize(segmented: Segmented, cfg: VectorizeConfig) -> DocTermMatrix:
    """Counts of shape (n_units, n_terms); vocabulary sorted; units left empty by pruning dropped.

    min_df / max_df: a term is kept if it occurs in at least min_df and at most max_df units
    (a whole number counts units, a fraction is a share of units)."""
    from sklearn.feature_extraction.text import CountVectorizer
    import numpy as np

    n_units = len(segmented.units)
    if n_units == 0:
        raise ModelError("no units to fit: every document was empty after cleaning")
    if not any(segmented.tokens):
        raise ModelError("no tokens left after segmentation and stopwords; check [segment] settings "
                         "and that the corpus is Chinese text")
    vec = CountVectorizer(analyzer=_identity, lowercase=False, min_df=cfg.min_df, max_df=cfg.max_df,
                          max_features=cfg.max_features or None, dtype=np.int32)
    try:
        counts = vec.fit_transform(segmented.tokens)
    except ValueError as exc:
        raise ModelError(f"the vocabulary is empty after pruning ({exc}); lower vectorize.min_df "
                         f"or raise vectorize.max_df (the corpus has {n_units} units)") from None
    vocab = tuple(vec.get_feature_names_out().tolist())
    keep = np.flatnonzero(np.asarray(counts.sum(axis=1)).ravel() > 0)
    vocab_set = set(vocab)
    units = tuple(segmented.units[i] for i in keep)
    tokens = tuple(tuple(t for t in segmented.tokens[i] if t in vocab_set) for i in keep)
    kept = set(keep.tolist())
    dropped = tuple(u.unit_id for i, u in enumerate(segmented.units) if i not in kept)
    counts = counts[keep].tocsr()
    counts.sort_indices()
    return DocTermMatrix(counts=counts, vocab=vocab, units=units, tokens=tokens, dropped=dropped)
