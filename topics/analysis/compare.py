"""Model comparison: other engines fitted to the same counts, their topics aligned to the main
model's, with an agreement score and each matched topic's trend."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from .stability import aligned, match
from ..models.engines import ENGINES
from ..models.runner import run_fits
from ..models.tasks import FitTask
from .trends import prevalence_by_year


@dataclass(frozen=True)
class Comparison:
    """One other engine: its model with topics reordered to match the main model's (topic i of
    ``model`` is matched to main topic i), the similarity of each pair (K,), the engine's own
    topic numbers (K,), and the matched topics' yearly prevalence (n_years, K)."""

    engine: str
    model: object
    similarity: np.ndarray
    own_topic: np.ndarray
    trends: object

    @property
    def agreement(self) -> float:
        """Mean cosine similarity of matched topic-word distributions (1 = identical topics)."""
        return float(self.similarity.mean())


def compare_models(main, dtm, config) -> tuple[Comparison, ...]:
    """Fit each engine of config.compare.engines with config's K and seed (engine defaults for
    its other parameters) and align it to ``main``."""
    engines = config.compare.engines
    if not engines:
        return ()
    years = tuple(u.year for u in dtm.units)
    tasks = [
        FitTask(
            dtm.counts,
            dtm.vocab,
            years,
            replace(config.model, engine=e, params=tuple(sorted(ENGINES[e].defaults.items()))),
            config.seed,
        )
        for e in engines
    ]
    out = []
    for engine, (model, _, _) in zip(engines, run_fits(tasks, config.parallel, "other engines")):
        perm, sim = match(main.topic_term, model.topic_term)
        m = aligned(model, perm)
        out.append(
            Comparison(engine=engine, model=m, similarity=sim, own_topic=perm + 1, trends=prevalence_by_year(m, dtm))
        )
    return tuple(out)
