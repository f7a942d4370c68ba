"""Topic models behind one interface: the engine registry, one adapter module per engine family,
held-out scoring, the seed rule, and the runner that spreads independent fits over processes."""

from __future__ import annotations

from .engines import ENGINES, EngineSpec, fit, fit_counts
from .heldout import completion_perplexity, completion_split
from .seeds import best_of, ensemble_seeds, restart_seeds

__all__ = [
    "ENGINES",
    "EngineSpec",
    "fit",
    "fit_counts",
    "completion_perplexity",
    "completion_split",
    "best_of",
    "ensemble_seeds",
    "restart_seeds",
]
