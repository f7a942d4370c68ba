"""Topic quality: coherence (gensim's CoherenceModel) and topic diversity.

Coherence measures follow Röder, Both & Hinneburg (2015), "Exploring the space of topic coherence
measures"; c_npmi after Aletras & Stevenson (2013); u_mass after Mimno et al. (2011). Diversity is
the share of unique words among all topics' top words (Dieng, Ruiz & Blei 2020).
"""

from __future__ import annotations

from ..config import EvaluateConfig
from ..data import DocTermMatrix, FittedModel

# name -> what it is. Every measure is computed by gensim's CoherenceModel over the units' tokens.
MEASURES = {
    "c_v": "sliding window (110), NPMI-based context vectors, cosine (Röder et al. 2015)",
    "c_npmi": "sliding window (10), normalised pointwise mutual information (Aletras & Stevenson 2013)",
    "c_uci": "sliding window (10), pointwise mutual information (Newman et al. 2010)",
    "u_mass": "document co-occurrence, log conditional probability (Mimno et al. 2011)",
}


def evaluate(model: FittedModel, dtm: DocTermMatrix, cfg: EvaluateConfig) -> dict:
    """Coherence per measure (mean and per topic, topics 1..K) and diversity, as plain numbers.

    ``dtm`` may be anything with token arrays (a DocTermMatrix, or its TokenTexts in a worker)."""
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    import numpy as np

    n = dtm.n_units
    rows = None
    if cfg.max_units and n > cfg.max_units:  # a fixed random sample keeps large corpora in bounds
        rows = np.sort(np.random.default_rng(0).choice(n, cfg.max_units, replace=False))
    texts = dtm.texts(rows)
    dictionary = Dictionary(texts)
    top = [[w for w, _ in model.top_terms(k, cfg.top_n)] for k in range(model.n_topics)]
    out = {"top_n": cfg.top_n, "coherence": {}, "units_scored": len(texts), "units": n}
    for name in cfg.coherence:
        cm = CoherenceModel(topics=top, texts=texts, dictionary=dictionary, coherence=name, topn=cfg.top_n, processes=1)
        per_topic = [float(x) for x in cm.get_coherence_per_topic()]
        out["coherence"][name] = {
            "mean": sum(per_topic) / len(per_topic),
            "per_topic": per_topic,
            "method": MEASURES[name],
        }
    out["diversity"] = topic_diversity(model, cfg.diversity_top_n)
    out["diversity_top_n"] = cfg.diversity_top_n
    return out


def topic_diversity(model: FittedModel, top_n: int) -> float:
    """Unique words among the top_n words of every topic, over K * top_n (1 = no overlap)."""
    words = [w for k in range(model.n_topics) for w, _ in model.top_terms(k, top_n)]
    return len(set(words)) / len(words)
