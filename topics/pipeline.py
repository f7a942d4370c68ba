"""run(): the whole flow of an experiment, top to bottom. Read this first.

    corpus -> cleaned -> units -> segmented -> counts -> model -> metrics, trends -> run folder
"""
from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from . import provenance, tables
from .clean import clean_corpus
from .config import Experiment
from .corpus import load_corpus
from .data import CleanDocument, Corpus, DocTermMatrix, FittedModel, Trends, Unit
from .evaluate import evaluate
from .models import ENGINES, fit
from .segment import segment
from .trends import prevalence_by_year
from .units import split_units
from .vectorize import vectorize


@dataclass(frozen=True)
class RunResult:
    run_dir: Path
    run_id: str
    corpus: Corpus
    dtm: DocTermMatrix
    model: FittedModel
    trends: Trends
    metrics: dict
    warnings: tuple[str, ...]


@dataclass(frozen=True)
class CheckResult:
    corpus: Corpus
    cleaned: tuple[CleanDocument, ...]
    units: tuple[Unit, ...]


def run(config: Experiment, *, out_dir: str | Path = "reports", force: bool = False,
        cache_dir: str | Path | None = None, progress=None, command=None) -> RunResult:
    """Run one experiment and write reports/<name>/. ``cache_dir`` defaults to <out_dir>/.cache.

    ``progress(stage, seconds)`` is called as each stage starts (seconds=None) and ends."""
    out_dir = Path(out_dir)
    run_dir = out_dir / config.name
    provenance.check_free(run_dir, force)          # fail before the work, not after it
    cache = Path(cache_dir) if cache_dir is not None else out_dir / ".cache"
    timer = _Timer(progress)

    with timer("load corpus"):
        corpus = load_corpus(config.corpus)
    with timer("clean"):
        cleaned = clean_corpus(corpus, config.clean)
    with timer("split units"):
        units = split_units(cleaned, config.units)
    with timer("segment"):
        segmented = segment(units, config.segment, cache_dir=cache)
    with timer("vectorize"):
        dtm = vectorize(segmented, config.vectorize)
    with timer("fit model"):
        model = fit(dtm, config.model, config.seed)
    with timer("evaluate"):
        metrics = evaluate(model, dtm, config.evaluate)
    with timer("trends"):
        trends = prevalence_by_year(model, dtm)
    with timer("write run"):
        return write_run(run_dir, force, config, corpus, cleaned, segmented, dtm, model, metrics,
                         trends, timer.seconds, command)


def check(config: Experiment) -> CheckResult:
    """Validate config and corpus, clean and split, without segmenting or fitting."""
    corpus = load_corpus(config.corpus)
    cleaned = clean_corpus(corpus, config.clean)
    return CheckResult(corpus=corpus, cleaned=cleaned, units=split_units(cleaned, config.units))


def write_run(run_dir, force, config, corpus, cleaned, segmented, dtm, model, metrics, trends,
              timings, command) -> RunResult:
    """Write every output into a staging folder, then rename it to ``run_dir``."""
    from .report import build_dashboard

    resolved = config.to_dict()
    vers = provenance.versions()
    rid = provenance.run_id(resolved, corpus.fingerprint, vers)
    labels = tables.topic_labels(model, config.report.label_map())
    files = {d.doc_id: d.file for d in corpus.documents}
    units_per_doc = Counter(u.doc_id for u in segmented.units)
    warnings = [*trends.warnings, *model.notes]
    if dtm.dropped:
        warnings.append(f"{len(dtm.dropped)} unit(s) had no tokens left after pruning and were not modelled")
    if corpus.excluded:
        warnings.append(f"{len(corpus.excluded)} document(s) outside [corpus] years were left out")

    with provenance.staged_run_folder(run_dir, force) as tmp:
        (tmp / "config.toml").write_text(config.source_text or provenance.to_toml(resolved), encoding="utf-8")
        provenance.write_json(tmp / "config.json", resolved)
        for name, (header, rows) in {
            "topics.csv": tables.topics_table(model, labels, config.report.top_words),
            "doc_topics.csv": tables.doc_topics_table(model, dtm, files),
            "trends.csv": tables.trends_table(trends, labels),
            "documents.csv": tables.documents_table(trends, labels, files),
            "cleaning.csv": tables.cleaning_table(cleaned, units_per_doc),
        }.items():
            provenance.write_csv(tmp / name, header, rows)
        provenance.write_json(tmp / "metrics.json", metrics)
        manifest = _manifest(rid, config, corpus, segmented, dtm, model, vers, timings, command,
                             warnings, tmp)
        (tmp / "dashboard.html").write_text(
            build_dashboard(config, corpus, dtm, model, trends, metrics, labels, manifest),
            encoding="utf-8")
        manifest["outputs"]["dashboard.html"] = provenance.sha256_file(tmp / "dashboard.html")
        provenance.write_json(tmp / "manifest.json", manifest)
    return RunResult(run_dir=run_dir, run_id=rid, corpus=corpus, dtm=dtm, model=model, trends=trends,
                     metrics=metrics, warnings=tuple(warnings))


def _manifest(rid, config, corpus, segmented, dtm, model, vers, timings, command, warnings, folder):
    return {
        "run_id": rid,
        "experiment": config.name,
        "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "command": command,
        "config_file": config.source,
        "overrides": list(config.overrides),
        "seed": config.seed,
        "corpus": {
            "path": config.corpus.path, "resolved_path": str(config.corpus.root),
            "fingerprint": corpus.fingerprint, "metadata_sha256": corpus.metadata_sha256,
            "documents": len(corpus.documents),
            "years": sorted({d.year for d in corpus.documents}),
            "files": [{"file": d.file, "year": d.year, "sha256": d.sha256} for d in corpus.documents],
            "excluded": [{"file": f, "year": y, "reason": r} for f, y, r in corpus.excluded],
        },
        "segment": {**segmented.info, "cache_hits": segmented.cache_hits, "units": len(segmented.units)},
        "counts": {"units": len(segmented.units), "units_modelled": len(dtm.units),
                   "units_dropped": len(dtm.dropped), "terms": len(dtm.vocab),
                   "tokens": int(dtm.n_tokens.sum())},
        "model": {"engine": model.engine, "method": ENGINES[model.engine].description,
                  "params": model.params, "notes": list(model.notes),
                  "fit": model.info},
        "versions": vers,
        "platform": provenance.platform_info(),
        "git": provenance.git_state(Path(config.source).resolve().parent if config.source else Path.cwd()),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "warnings": warnings,
        "outputs": {p.name: provenance.sha256_file(p) for p in sorted(folder.iterdir()) if p.is_file()},
    }


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
