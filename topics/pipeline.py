"""run(): the whole flow of an experiment, top to bottom. Read this first.

    corpus -> cleaned -> units -> segmented -> counts -> model -> metrics, trends -> run folder
"""
from __future__ import annotations

import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from .record import provenance
from .text.clean import clean_corpus
from .config import Experiment
from .text.corpus import load_corpus
from .data import CleanDocument, Corpus, DocTermMatrix, FittedModel, Trends, Unit
from .analysis.stability import ensemble
from .models.runner import fit_seeds
from .models.seeds import ensemble_seeds
from .analysis.compare import compare_models
from .analysis.dates import audit as audit_dates
from .errors import ModelError
from .analysis.quality import evaluate
from .analysis.evolution import theme_words
from .results import Findings
from .analysis.formulations import count_formulations
from .record.writer import write_run, write_sweep
from .models.runner import n_workers
from .analysis.sweep import sweep
from .analysis.trends import prevalence_by_year
from .analysis.uncertainty import bootstrap, contrasts, fit_trends
from .text.segment import segment
from .text.units import split_units
from .text.vectorize import vectorize


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    run_id: str
    corpus: Corpus
    dtm: DocTermMatrix
    model: FittedModel
    trends: Trends
    metrics: dict
    findings: Findings
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    corpus: Corpus
    cleaned: tuple[CleanDocument, ...]
    units: tuple[Unit, ...]
    audit: tuple = ()


def run(config: Experiment, *, out_dir: str | Path = "reports", force: bool = False,
        cache_dir: str | Path | None = None, progress=None, command=None) -> RunResult:
    """Run one experiment and write reports/<name>/. ``cache_dir`` defaults to <out_dir>/.cache.

    ``progress(stage, seconds)`` is called as each stage starts (seconds=None) and ends."""
    out_dir = Path(out_dir)
    run_dir = out_dir / config.name
    provenance.check_free(run_dir, force)          # fail before the work, not after it
    cache = Path(cache_dir) if cache_dir is not None else out_dir / ".cache"
    timer = _Timer(progress)

    with provenance.run_lock(out_dir, config.name):     # one run of an experiment at a time per folder
        corpus, cleaned, segmented, dtm = prepare(config, cache, timer)
        with timer("fit model"):               # the experiment seed first, then the stability seeds
            seeds = ensemble_seeds(config.seed, config.stability.seeds)
            models = ensemble(fit_seeds(dtm, config.model, seeds, config.parallel), seeds,
                              config.stability.threshold)
            model = models.reference
        with timer("evaluate"):
            metrics = evaluate(model, dtm, config.evaluate)
        with timer("trends"):
            trends = prevalence_by_year(model, dtm)
        with timer("uncertainty"):
            bands = bootstrap([m.doc_topic for m in models.models], dtm.units, dtm.n_tokens, config.uncertainty)
            fits = fit_trends(bands, config.uncertainty.spline)
            eras, era_warnings = contrasts(bands, config.uncertainty)
        with timer("theme words"):
            evolution = theme_words(model, dtm, config.evolution)
        with timer("formulations"):
            forms = count_formulations(cleaned, segmented, config.formulations, config.segment)
        with timer("compare models"):
            comparisons = compare_models(model, dtm, config)
        with timer("sweep"):
            swept, sweep_notes = sweep_if_asked(dtm, config)
        with timer("date audit"):
            audit = audit_dates(cleaned)
        findings = Findings(models, bands, fits, tuple(eras), evolution, forms, comparisons, swept, audit,
                            (*era_warnings, *sweep_notes))
        with timer("write run"):
            rid, warnings = write_run(run_dir, force, config, corpus, cleaned, segmented, dtm, model, metrics,
                                      trends, findings, timer.seconds, command)
    return RunResult(run_dir=run_dir, run_id=rid, corpus=corpus, dtm=dtm, model=model, trends=trends,
                     metrics=metrics, findings=findings, warnings=warnings)


def prepare(config: Experiment, cache: Path, timer):
    """corpus -> cleaned -> units -> segmented -> counts: the stages every command starts with."""
    with timer("load corpus"):
        corpus = load_corpus(config.corpus)
    with timer("clean"):
        cleaned = clean_corpus(corpus, config.clean)
    with timer("split units"):
        units = split_units(cleaned, config.units)
    with timer("segment"):
        segmented = segment(units, config.segment, cache_dir=cache, workers=n_workers(config.parallel, 64))
    with timer("vectorize"):
        dtm = vectorize(segmented, config.vectorize)
    return corpus, cleaned, segmented, dtm


def sweep_if_asked(dtm, config):
    """The [sweep] of a run, if the config asks for one: (SweepResult or None, notes). A corpus too
    small for the configured K values skips the sweep with a note instead of failing the run."""
    if not config.sweep.k:
        return None, ()
    try:
        result = sweep(dtm, config)
    except ModelError as exc:
        return None, (f"{exc.problems[0]} (the run went on without the sweep)",)
    return result, result.notes


def run_sweep(config: Experiment, ks=None, *, out_dir: str | Path = "reports", force: bool = False,
              cache_dir: str | Path | None = None, progress=None, command=None):
    """Only the K sweep: write reports/<name>-sweep/ and return the SweepResult."""
    out_dir = Path(out_dir)
    run_dir = out_dir / f"{config.name}-sweep"
    provenance.check_free(run_dir, force)
    cache = Path(cache_dir) if cache_dir is not None else out_dir / ".cache"
    timer = _Timer(progress)
    with provenance.run_lock(out_dir, run_dir.name):
        corpus, _, _, dtm = prepare(config, cache, timer)
        with timer("sweep"):
            swept = sweep(dtm, config, ks)
        with timer("write sweep"):
            write_sweep(run_dir, force, config, corpus, dtm, swept, timer.seconds, command)
    return run_dir, swept


def check(config: Experiment) -> CheckResult:
    """Validate config and corpus, clean and split, and audit dates, without segmenting or fitting."""
    corpus = load_corpus(config.corpus)
    cleaned = clean_corpus(corpus, config.clean)
    return CheckResult(corpus=corpus, cleaned=cleaned, units=split_units(cleaned, config.units),
                       audit=audit_dates(cleaned))


class _Timer:
    def __init__(self, progress):
        self.progress = progress
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, stage: str):
        if self.progress:
            self.progress(stage, None)
        start = time.perf_counter()
        yield
        self.seconds[stage] = time.perf_counter() - start
        if self.progress:
            self.progress(stage, self.seconds[stage])
