"""manifest.json: the run record beside the results (ids, config, data hashes, versions, timings,
curation, every output's hash), built from a RunResult."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from . import provenance
from ..analysis.uncertainty import SPLINE_METHOD
from ..results import RunResult


def now_utc() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def outputs_of(folder: Path) -> dict:
    """sha256 of every file in the run folder, by path relative to it (sorted)."""
    return {
        p.relative_to(folder).as_posix(): provenance.sha256_file(p)
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != "manifest.json"
    }


def build_manifest(result: RunResult, outputs: dict) -> dict:
    from ..analysis.uncertainty import SCHEMES
    from ..models.engines import ENGINES

    config, corpus, model, dtm = result.config, result.corpus, result.model, result.dtm
    findings, prov = result.findings, result.provenance
    ens, bands, sw = findings.ensemble, findings.bands, findings.sweep
    return {
        "run_id": prov.fit_id,
        "fit_id": prov.fit_id,
        "report_id": prov.report_id,
        "experiment": config.name,
        "created_utc": prov.created_utc,
        **({"reported_utc": prov.reported_utc} if prov.reported_utc else {}),
        **({"report_command": list(prov.report_command)} if prov.report_command else {}),
        "command": list(prov.command) if prov.command is not None else None,
        "config_file": prov.config_file,
        "overrides": list(prov.overrides),
        "seed": config.seed,
        "corpus": {
            "path": config.corpus.path,
            "resolved_path": str(config.corpus.root),
            "fingerprint": corpus.fingerprint,
            "metadata_sha256": corpus.metadata_sha256,
            "documents": len(corpus.documents),
            "years": sorted({d.year for d in corpus.documents}),
            "files": [{"file": d.file, "year": d.year, "sha256": d.sha256} for d in corpus.documents],
            "excluded": [{"file": f, "year": y, "reason": r} for f, y, r in corpus.excluded],
        },
        "segment": {**result.preparation.segment, **prov.segment_run},
        "vocabulary": _vocabulary(dtm.pruning),
        "counts": {
            "units": result.preparation.segment["units"],
            "units_modelled": len(dtm.units),
            "units_dropped": len(dtm.dropped),
            "terms": len(dtm.vocab),
            "tokens": int(dtm.n_tokens.sum()),
        },
        "model": {
            "engine": model.engine,
            "method": ENGINES[model.engine].description,
            "params": model.params,
            "notes": list(model.notes),
            "fit": model.info,
            "blas_threads_per_fit": 1,
        },
        "stability": {
            "seeds": list(ens.seeds),
            "threshold": ens.threshold,
            "mean_stability": float(ens.stability.mean()),
            "unstable_topics": ens.unstable(),
            "degenerate_topics": [d.describe() for d in ens.degenerate if d.fit == 0],
            "fits": [m.info for m in ens.models[1:]],
        },
        "guards": {
            "small": config.guards.small,
            "sizes": [
                {
                    "k": c.k,
                    "scope": c.scope,
                    **{f"{p.name}_per_topic": p.per_topic for p in c.counts},
                    "short": [p.name for p in c.short],
                }
                for c in findings.sizes
            ],
            "degenerate": [d._asdict() | {"seed": ens.seeds[d.fit]} for d in ens.degenerate],
        },
        "uncertainty": {
            "resamples": bands.resamples,
            "seed": bands.seed,
            "level": bands.level,
            "scheme": bands.scheme,
            "scheme_text": SCHEMES[bands.scheme],
            "replicates_pooled": int(bands.reps.shape[0]),  # every seed's; a topic pools those of seeds_pooled
            "replicates_per_topic": [
                int(n) * (bands.reps.shape[0] // max(bands.n_seeds, 1)) for n in bands.seeds_pooled
            ],
            "n_seeds": bands.n_seeds,
            "seeds_pooled": [int(n) for n in bands.seeds_pooled],  # per topic: the reference and matched seeds
            "median_interval_width": bands.median_width(),
            "median_interval_width_reference_seed": bands.median_width(reference_only=True),
            "spline": findings.fits.spline_note or (SPLINE_METHOD if findings.fits.spline else "off"),
        },
        "evolution": {"method": findings.evolution.method},
        "formulations": {"terms": findings.formulations.n_terms, "chart": list(findings.formulations.chart)},
        "compare": [{"engine": c.engine, "agreement": c.agreement} for c in findings.comparisons],
        "sweep": None if sw is None else {**sweep_record(sw), "run_k": sw.verdict.about(config.model.n_topics)},
        "date_audit": [
            {
                "file": a.file,
                "stated_year": a.stated_year,
                "cues": len(a.evidence),
                "conflicts": len(a.conflicts),
                "best_supported_years": list(a.best_years),
                "verdict": a.verdict,
                "second_opinion": None if a.second is None else [a.second.year, a.second.low, a.second.high],
            }
            for a in findings.audit
        ],
        "year_support": {str(y): n for y, n in sorted(result.trends.support.items())},
        "curation": [
            {"action": c.action, "topics": list(c.topics), "value": c.value, "by": c.by} for c in result.curation
        ],
        **({"validation": validation_record(result.validation)} if result.validation is not None else {}),
        "static_figures": prov.static_figures,
        "versions": prov.versions,
        "platform": prov.platform,
        "git": prov.git,
        "timings_seconds": {k: round(v, 3) for k, v in prov.timings.items()},
        "peak_rss_mb": prov.peak_rss_mb,
        "warnings": list(result.warnings),
        "outputs": outputs,
    }


def validation_record(v) -> dict:
    """The run record of a scored validation kit: how it was drawn, each answer file and its
    sha256, and the overall value of every measure (validation.csv has them all)."""
    return {
        "kit_id": v.kit_id,
        "seed": v.seed,
        "coders": v.coders,
        "coder_seeds": list(v.coder_seeds),
        "tasks": dict(v.tasks),
        "answers": [a._asdict() for a in v.answers],
        "overall": [
            {"kind": s.kind, "measure": s.measure, "value": s.value, "coders": s.coders, "n": s.n}
            for s in v.scores
            if not s.task
        ],
        "notes": list(v.notes),
    }


def _vocabulary(record) -> dict:
    """The vocabulary record in brief: rules in order, terms and tokens each removed (vocabulary.csv lists them)."""
    if record is None:
        return {}
    return {
        **record.settings,
        "rules": [{"rule": r, "terms": n, "tokens": t} for r, (n, t) in record.by_rule().items()],
        "pos_kept": list(record.pos_kept),
        "protected_terms": record.protected,
        "terms_before": record.terms_before,
        "tokens_before": record.tokens_before,
        "terms_kept": record.terms_kept,
        "tokens_kept": record.tokens_kept,
    }


def sweep_record(sw) -> dict:
    """The sweep as a manifest records it: the grid, the seeds and the verdict (chosen_k is None
    when no K beats the others beyond seed noise)."""
    v = sw.verdict
    return {
        "k": [r.k for r in sw.rows],
        "seeds": list(sw.seeds),
        "criterion": sw.criterion,
        "min_stability": sw.min_stability,
        "chosen_k": v.chosen,
        "best_k": v.best,
        "within_noise": list(v.within_noise),
        "parsimonious_k": v.parsimonious,
        "eligible": list(v.eligible),
        "at_edge": list(v.at_edge),
        "rule": sw.rule(),
        "verdict": v.sentence,
        "n_train": sw.n_train,
        "n_heldout": sw.n_heldout,
        "heldout_measure": sw.heldout_name,
    }


def sweep_manifest(record, static_note: str) -> dict:
    """The manifest of a sweep folder (a SweepRecord)."""
    config, sw = record.config, record.sweep
    vers = provenance.versions()
    return {
        "experiment": config.name,
        "kind": "sweep",
        "created_utc": now_utc(),
        "command": list(record.command) if record.command is not None else None,
        "config_file": config.source,
        "overrides": list(config.overrides),
        "seed": config.seed,
        "corpus": {"fingerprint": record.corpus_fingerprint, "documents": record.n_documents},
        "counts": {"units": record.n_units, "terms": record.n_terms},
        "sweep": sweep_record(sw),
        "static_figures": static_note,
        "versions": vers,
        "platform": {**provenance.platform_info(), "python": vers["python"]},
        "timings_seconds": {k: round(v, 3) for k, v in record.timings.items()},
    }
