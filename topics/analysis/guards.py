"""K checked against the data before fitting: the guard for small corpora (degenerate topics, found
after fitting, are in analysis/degenerate.py).

Every K a command will fit (``model.n_topics``, which the stability
seeds and the ``[compare]`` engines share, and each K of a sweep) is set against the units, terms
and tokens the fit sees, per topic, each with a minimum from ``[guards]``:

- ``units_per_topic`` (5): with fewer units than that per topic, a topic can be one paragraph's
  words, and the unit bootstrap behind the bands has next to nothing to resample.
- ``terms_per_topic`` (10): K top-10 word lists need 10 K distinct terms to be distinct lists; with
  fewer than 10 terms per topic some top words must be shared.
- ``tokens_per_topic`` (300): when a topic's word frequencies follow Zipf's law over 1,000 terms,
  its 10th word holds 1/(10 H_1000) = 1.3% of its tokens; at 300 tokens per topic that word is
  expected 4 times, below that the order of its top-10 list is noise.

``[guards] small`` says what happens when a K falls short: "warn" fits it and says so in the run's
warnings, "stop" refuses it before anything is fitted (a ModelError naming the numbers).

"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

ACTIONS = {
    "warn": "fit every K and list those too large for the data in the run's warnings",
    "stop": "refuse a K too large for the data before fitting, naming the numbers",
}


# ------------------------------------------------------------------ before fitting
class PerTopic(NamedTuple):
    """One count of the data divided by K, against its minimum (0: the rule is off)."""

    name: str  # "units", "terms" or "tokens"
    total: int
    per_topic: float
    minimum: int

    @property
    def short(self) -> bool:
        return self.per_topic < self.minimum

    @property
    def largest_k(self) -> int | None:
        """The largest K this count supports (None: no limit, the rule is off)."""
        return self.total // self.minimum if self.minimum else None


class SizeCheck(NamedTuple):
    """K against the data a fit with K topics sees: units, terms and tokens per topic."""

    k: int
    scope: str  # what fits this K: "model" (model.n_topics) or "sweep" (a K of the sweep)
    counts: tuple[PerTopic, ...]

    @property
    def short(self) -> tuple[PerTopic, ...]:
        return tuple(c for c in self.counts if c.short)

    @property
    def ok(self) -> bool:
        return not self.short

    @property
    def largest_k(self) -> int | None:
        """The largest K every rule allows (None: every rule is off)."""
        limits = [c.largest_k for c in self.counts if c.largest_k is not None]
        return min(limits) if limits else None

    def describe(self) -> str:
        """The numbers that fall short, e.g. '1.5 units per topic (12 units / K = 8; at least 5)'."""
        return ", ".join(
            f"{c.per_topic:.3g} {c.name} per topic ({c.total} {c.name} / K = {self.k}; at least {c.minimum})"
            for c in self.short
        )


RULE_KEYS = (("units", "units_per_topic"), ("terms", "terms_per_topic"), ("tokens", "tokens_per_topic"))


def size_check(k: int, n_units: int, n_terms: int, n_tokens: int, cfg, scope: str = "model") -> SizeCheck:
    """K against n_units, n_terms and n_tokens (of the counts the fit sees), each per topic against
    its minimum in ``cfg`` (a GuardsConfig)."""
    totals = {"units": n_units, "terms": n_terms, "tokens": n_tokens}
    return SizeCheck(
        k,
        scope,
        tuple(PerTopic(name, int(totals[name]), totals[name] / k, getattr(cfg, key)) for name, key in RULE_KEYS),
    )


def size_finding(checks, action: str) -> str:
    """One sentence on the K of ``checks`` that fall short (all of one scope), ending in what to do;
    "" when none does. The warning and the error say the same, in this one place."""
    bad = [c for c in checks if not c.ok]
    if not bad:
        return ""
    scope = bad[0].scope
    largest = min((c.largest_k for c in bad if c.largest_k is not None), default=None)
    key = "model.n_topics" if scope == "model" else "those K in sweep.k or --k"
    if largest is not None and largest >= 2:
        todo = f"lower {key} to at most {largest}, or add text"
    else:
        todo = f"add text (no K of 2 or more passes every rule, so lowering {key} is not enough)"
    if scope == "model":
        head = f"K = {bad[0].k} topics is more than this corpus supports: {bad[0].describe()}"
    else:
        numbers = "; ".join(f"K = {c.k}: {c.describe()}" for c in bad)
        verb = "is" if len(bad) == 1 else "are"
        head = f"sweep: K = {', '.join(str(c.k) for c in bad)} {verb} more than the training units support: {numbers}"
    if action == "stop":
        return f'{head}. Nothing was fitted: {todo}, or set guards.small = "warn" to fit anyway'
    return f'{head}. Fitted anyway (guards.small = "warn"): read these topics with great care; {todo}'


# ------------------------------------------------------------------ the check of a command's fits
def fit_sizes(dtm, config, model_k: int | None, sweep_ks=()) -> tuple[tuple[SizeCheck, ...], tuple[str, ...]]:
    """Check every K a command will fit before fitting: ``model_k`` (model.n_topics, shared by the
    stability seeds and the [compare] engines) against all of ``dtm``, each K of ``sweep_ks``
    against the sweep's training units (the held-out split of analysis/sweep.py).

    Returns the checks and the warnings; under guards.small = "stop" a K that falls short raises
    ModelError instead, before anything is fitted, naming every such K."""
    from ..errors import ModelError
    from .sweep import heldout_split

    cfg = config.guards
    model: tuple[SizeCheck, ...] = ()
    if model_k is not None:
        model = (size_check(model_k, len(dtm.units), len(dtm.vocab), int(dtm.n_tokens.sum()), cfg, "model"),)
    swept: tuple[SizeCheck, ...] = ()
    if sweep_ks:
        train, _ = heldout_split(dtm.counts.shape[0], config.sweep.held_out, config.seed)
        counts = dtm.counts[train]
        n_terms = int((np.asarray(counts.sum(axis=0)).ravel() > 0).sum())
        n_tokens = int(np.asarray(dtm.n_tokens)[train].sum())
        swept = tuple(size_check(k, len(train), n_terms, n_tokens, cfg, "sweep") for k in sweep_ks)
    findings = [f for f in (size_finding(model, cfg.small), size_finding(swept, cfg.small)) if f]
    if findings and cfg.small == "stop":
        raise ModelError(findings)
    return (*model, *swept), tuple(findings)
