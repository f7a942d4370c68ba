"""Writing a run folder: every table, figure, the dashboard, methods.md and the manifest, into a
staging folder that is renamed into place only when complete."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

from .. import results as ft
from . import provenance
from ..render import tables
from ..results import interval_width, year_support
from ..models.engines import ENGINES
from ..analysis.uncertainty import SCHEMES


def write_run(run_dir, force, config, corpus, cleaned, segmented, dtm, model, metrics, trends, findings,
              timings, command) -> tuple[str, tuple[str, ...]]:
    """Write every output into a staging folder, then rename it to ``run_dir``.

    Returns the run id and the run's warnings."""
    from ..render.latex import write_latex
    from ..render.methods import methods_text
    from ..render.dashboard import build_dashboard
    from ..render.paper import write_static

    resolved = config.to_dict()
    vers = provenance.versions()
    rid = provenance.run_id(resolved, corpus.fingerprint, vers)
    labels = tables.topic_labels(model, config.report.label_map())
    files = {d.doc_id: d.file for d in corpus.documents}
    units_per_doc = Counter(u.doc_id for u in segmented.units)
    support = year_support(trends)
    warnings = [*trends.warnings, *model.notes, *findings.warnings]
    if dtm.dropped:
        warnings.append(f"{len(dtm.dropped)} unit(s) had no tokens left after pruning and were not modelled")
    if corpus.excluded:
        warnings.append(f"{len(corpus.excluded)} document(s) outside [corpus] years were left out")
    unstable = findings.ensemble.unstable()
    if unstable:
        warnings.append(f"topic(s) {', '.join(f'T{t}' for t in unstable)} do not recur in most other seeds "
                        f"(matched similarity below {findings.ensemble.threshold}); read them with care")
    for a in findings.audit:
        if a.conflicts:
            warnings.append(f"date audit: {a.summary()}")

    fw = findings.formulations
    doc_f, year_f, kwic_f = ft.formulations_tables(fw, files)
    csvs = {
        "topics.csv": tables.topics_table(model, labels, config.report.top_words),
        "doc_topics.csv": tables.doc_topics_table(model, dtm, files),
        "trends.csv": tables.trends_table(trends, labels, findings.bands),
        "documents.csv": tables.documents_table(trends, labels, files),
        "cleaning.csv": tables.cleaning_table(cleaned, units_per_doc),
        "stability.csv": ft.stability_table(findings.ensemble, labels),
        "trend_fits.csv": ft.trend_fits_table(findings.fits, labels),
        "trend_smooth.csv": ft.smooth_table(findings.fits, labels),
        "contrasts.csv": ft.contrasts_table(findings.contrasts, labels),
        "theme_words.csv": ft.theme_words_table(findings.evolution, labels),
        "theme_shifts.csv": ft.theme_shifts_table(findings.evolution, labels),
        "formulations_by_doc.csv": doc_f, "formulations_by_year.csv": year_f, "kwic.csv": kwic_f,
        "date_audit.csv": ft.audit_table(findings.audit),
        "date_audit_summary.csv": ft.audit_summary_table(findings.audit),
    }
    if findings.comparisons:
        csvs["compare.csv"], csvs["compare_trends.csv"] = ft.compare_tables(model, findings.comparisons, labels)
    if findings.sweep is not None:
        csvs["sweep.csv"], csvs["sweep_runs.csv"] = ft.sweep_tables(findings.sweep)

    with provenance.staged_run_folder(run_dir, force) as tmp:
        (tmp / "config.toml").write_text(config.source_text or provenance.to_toml(resolved), encoding="utf-8")
        provenance.write_json(tmp / "config.json", resolved)
        for name, (header, rows) in csvs.items():
            provenance.write_csv(tmp / name, header, rows)
        provenance.write_json(tmp / "metrics.json", metrics)
        static_note = "static figures off (export.static = false)"
        if config.export.static:
            written, static_note = write_static(tmp / "figures", config.export, findings.bands, findings.fits,
                                                findings.contrasts, fw, findings.sweep, labels, support)
            if not written:
                warnings.append(static_note)
        if config.export.latex:
            write_latex(tmp / "tables", model, labels, findings.ensemble, findings.bands, findings.fits,
                        findings.contrasts, findings.sweep, metrics, support)
        manifest = _manifest(rid, config, corpus, segmented, dtm, model, trends, findings, vers, timings, command,
                             warnings, tmp)
        manifest["static_figures"] = static_note
        (tmp / "methods.md").write_text(methods_text(config, manifest, findings, labels), encoding="utf-8")
        (tmp / "dashboard.html").write_text(
            build_dashboard(config, corpus, dtm, model, trends, metrics, labels, manifest, findings),
            encoding="utf-8")
        manifest["outputs"] = outputs_of(tmp)
        provenance.write_json(tmp / "manifest.json", manifest)
    return rid, tuple(warnings)


def outputs_of(folder: Path) -> dict:
    """sha256 of every file in the run folder, by path relative to it (sorted)."""
    return {p.relative_to(folder).as_posix(): provenance.sha256_file(p)
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != "manifest.json"}


def _manifest(rid, config, corpus, segmented, dtm, model, trends, findings, vers, timings, command, warnings, folder):
    ens, bands, sw = findings.ensemble, findings.bands, findings.sweep
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
                  "fit": model.info, "blas_threads_per_fit": 1},
        "stability": {"seeds": list(ens.seeds), "threshold": ens.threshold,
                      "mean_stability": float(ens.stability.mean()), "unstable_topics": ens.unstable(),
                      "fits": [m.info for m in ens.models[1:]]},
        "uncertainty": {"resamples": bands.resamples, "seed": bands.seed, "level": bands.level,
                        "scheme": bands.scheme, "scheme_text": SCHEMES[bands.scheme],
                        "replicates_pooled": int(bands.reps.shape[0]), "n_seeds": bands.n_seeds,
                        "median_interval_width": interval_width(bands),
                        "median_interval_width_reference_seed": interval_width(bands, reference_only=True),
                        "spline": findings.fits.spline_note or ("cubic smoothing spline, penalty by GCV"
                                                                if findings.fits.spline else "off")},
        "evolution": {"method": findings.evolution.method},
        "formulations": {"terms": findings.formulations.n_terms, "chart": list(findings.formulations.chart)},
        "compare": [{"engine": c.engine, "agreement": c.agreement} for c in findings.comparisons],
        "sweep": None if sw is None else {"k": [r["k"] for r in sw.rows], "seeds": list(sw.seeds),
                                          "chosen_k": sw.chosen_k, "reason": sw.reason,
                                          "criterion": sw.criterion, "n_train": sw.n_train,
                                          "n_heldout": sw.n_heldout, "heldout_measure": sw.heldout_name},
        "date_audit": [{"file": a.file, "stated_year": a.stated_year, "cues": len(a.evidence),
                        "conflicts": len(a.conflicts), "best_supported_years": list(a.best_years)}
                       for a in findings.audit],
        "year_support": {str(y): n for y, n in sorted(year_support(trends).items())},
        "versions": vers,
        "platform": {**provenance.platform_info(), "python": vers["python"]},
        "git": provenance.git_state(Path(config.source).resolve().parent if config.source else Path.cwd()),
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        "peak_rss_mb": provenance.peak_rss_mb(),
        "warnings": warnings,
        "outputs": outputs_of(folder),
    }




def write_sweep(run_dir, force, config, corpus, dtm, sw, timings, command) -> None:
    """A sweep folder: sweep.csv, sweep_runs.csv, sweep.html, figures/, tables/sweep.tex, manifest.json."""
    import plotly.io as pio
    from plotly.offline import get_plotlyjs

    from ..render.figures import sweep as sweep_figure
    from ..render.latex import sweep_table
    from ..render.dashboard import CSP, FIGURE_CONFIG
    from ..render.paper import RC, find_font, save, sweep_plot

    resolved = config.to_dict()
    vers = provenance.versions()
    summary, runs = ft.sweep_tables(sw)
    with provenance.staged_run_folder(run_dir, force) as tmp:
        provenance.write_json(tmp / "config.json", resolved)
        provenance.write_csv(tmp / "sweep.csv", *summary)
        provenance.write_csv(tmp / "sweep_runs.csv", *runs)
        body = pio.to_html(sweep_figure(sw), full_html=False, include_plotlyjs=False, div_id="fig-sweep",
                           config=FIGURE_CONFIG)
        import html
        (tmp / "sweep.html").write_text(
            f'<!DOCTYPE html><html lang="zh-Hans"><head><meta charset="utf-8">'
            f'<meta http-equiv="Content-Security-Policy" content="{CSP}"><title>{html.escape(config.name)} · K sweep'
            f"</title><script>{get_plotlyjs()}</script></head><body style=\"font-family:sans-serif\">"
            f"<h1>{html.escape(config.name)}: choosing K</h1><p>{html.escape(sw.reason)}</p>{body}</body></html>\n",
            encoding="utf-8")
        note = "static figures off"
        if config.export.static:
            import matplotlib
            family, where = find_font(config.export.font)
            if family:
                (tmp / "figures").mkdir()
                with matplotlib.rc_context({**RC, "font.family": [family]}):
                    save(sweep_plot(sw), tmp / "figures", "sweep", config.export)
                note = f"font: {family} ({where})"
            else:
                note = f"static figures not written: {where}"
        if config.export.latex:
            (tmp / "tables").mkdir()
            (tmp / "tables" / "sweep.tex").write_text(sweep_table(sw), encoding="utf-8")
        manifest = {
            "experiment": config.name, "kind": "sweep",
            "created_utc": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "command": command, "config_file": config.source, "overrides": list(config.overrides),
            "seed": config.seed, "corpus": {"fingerprint": corpus.fingerprint, "documents": len(corpus.documents)},
            "counts": {"units": len(dtm.units), "terms": len(dtm.vocab)},
            "sweep": {"k": [r["k"] for r in sw.rows], "seeds": list(sw.seeds), "chosen_k": sw.chosen_k,
                      "reason": sw.reason, "n_train": sw.n_train, "n_heldout": sw.n_heldout,
                      "heldout_measure": sw.heldout_name, "criterion": sw.criterion},
            "static_figures": note, "versions": vers,
            "platform": {**provenance.platform_info(), "python": vers["python"]},
            "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
        }
        manifest["outputs"] = outputs_of(tmp)
        provenance.write_json(tmp / "manifest.json", manifest)
