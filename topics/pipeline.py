"""run(): the whole flow of an experiment, top to bottom. Read this first.

corpus -> cleaned -> units -> segmented -> counts -> model -> metrics, trends -> run folder
"""

from __future__ import annotations

import time
from collections import Counter
from contextlib import contextmanager
from dataclasses import asdict, replace
from pathlib import Path

from .record import provenance, staging
from .text.clean import clean_corpus
from .config import Experiment
from .config.loading import carried_settings
from .text.corpus import load_corpus
from .analysis.stability import ensemble
from .models.runner import fit_seeds
from .models.seeds import ensemble_seeds
from .analysis.compare import compare_models
from .analysis.dates import audit as audit_dates
from .analysis.degenerate import degenerate_finding
from .analysis.guards import fit_sizes
from .errors import ModelError
from .analysis.quality import evaluate
from .analysis.evolution import theme_words
from .record.manifest import now_utc
from .results import (
    SEGMENT_RUN,
    CheckResult,
    CorpusRecord,
    Curation,
    Findings,
    Preparation,
    Provenance,
    RunResult,
    SweepRecord,
)
from .analysis.formulations import count_formulations
from .record.writer import write_index, write_run, write_sweep
from .models.runner import n_workers
from .analysis.sweep import sweep
from .analysis.trends import prevalence_by_year
from .analysis.uncertainty import bootstrap, contrasts, fit_trends
from .text.segment import segment
from .text.units import split_units
from .text.vectorize import vectorize
from .text.vocabulary import WordRules


def run(
    config: Experiment,
    *,
    out_dir: str | Path = "reports",
    force: bool = False,
    cache_dir: str | Path | None = None,
    progress=None,
    command=None,
) -> RunResult:
    """Run one experiment and write reports/<name>/. ``cache_dir`` defaults to <out_dir>/.cache.

    ``progress(stage, seconds)`` is called as each stage starts (seconds=None) and ends."""
    out_dir = Path(out_dir)
    run_dir = out_dir / config.name
    staging.check_free(run_dir, force)  # fail before the work, not after it
    cache = Path(cache_dir) if cache_dir is not None else out_dir / ".cache"
    timer = _Timer(progress)

    with staging.run_lock(out_dir, config.name):  # one run of an experiment at a time per folder
        corpus, cleaned, segmented, dtm = prepare(config, cache, timer)
        effects_note = check_effect_columns(config, corpus.documents)  # an unknown column stops the run here
        sizes, size_warnings = fit_sizes(dtm, config, config.model.n_topics, config.sweep.k)  # "stop" stops here
        with timer("fit model"):  # the experiment seed first, then the stability seeds
            seeds = ensemble_seeds(config.seed, config.stability.seeds)
            models = ensemble(fit_seeds(dtm, config.model, seeds, config.parallel), seeds, config.stability.threshold)
            model = models.reference
        with timer("evaluate"):
            metrics = evaluate(model, dtm, config.evaluate)
        with timer("trends"):
            trends = prevalence_by_year(model, dtm)
        with timer("uncertainty"):
            bands = bootstrap(
                [m.doc_topic for m in models.models], dtm.units, dtm.n_tokens, config.uncertainty, models.pooled
            )  # a seed's shares of a topic are pooled only where its topic matched the reference's
            fits = fit_trends(bands, config.uncertainty.spline)
            eras, era_warnings = contrasts(bands, config.uncertainty)
        with timer("effects"):
            effects = None if effects_note else effects_if_asked(model, dtm, corpus.documents, config)
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
        notes = (*size_warnings, *era_warnings, *sweep_notes, *filter(None, (effects_note,)))
        findings = Findings(
            models, bands, fits, tuple(eras), evolution, forms, comparisons, swept, audit, notes, sizes, effects
        )
        result = RunResult(
            config=config,
            corpus=CorpusRecord.of(corpus),
            preparation=Preparation(
                cleaning=tuple(cd.log for cd in cleaned),
                units_per_doc=dict(Counter(u.doc_id for u in segmented.units)),
                segment={k: v for k, v in segmented.info.items() if k not in SEGMENT_RUN}
                | {"units": len(segmented.units)},
            ),
            dtm=dtm,
            model=model,
            trends=trends,
            metrics=metrics,
            findings=findings,
            warnings=tuple(filter(None, (carried_settings(config),)))
            + run_warnings(corpus, dtm, model, trends, findings),
            provenance=_provenance(
                config,
                corpus,
                timer.seconds,
                command,
                {k: v for k, v in segmented.info.items() if k in SEGMENT_RUN} | {"cache_hits": segmented.cache_hits},
            ),
        )
        with timer("write run"):
            written = write_run(result, run_dir, force)
    write_index(out_dir)
    return written


def _meta_of(documents) -> dict:
    return {d.doc_id: dict(d.meta) for d in documents}


def check_effect_columns(config: Experiment, documents) -> str:
    """Raise ConfigError when effects.formula names a column the metadata sheet does not have (or a
    reference level it lacks). When the formula came along with ``--set corpus.path`` from a file
    written for another corpus, return a warning instead (the run goes on without effects); "" when
    the formula fits."""
    from .analysis.effects import check_columns
    from .config.loading import parse_override
    from .errors import ConfigError

    problem = check_columns(config.effects.formula, _meta_of(documents), config.effects.reference)
    if not problem:
        return ""
    given = {parse_override(o)[:2] for o in config.overrides if "=" in o and "." in o.partition("=")[0]}
    if ("corpus", "path") in given and ("effects", "formula") not in given:
        return (
            f"covariate effects left out: the [effects] formula came along with --set corpus.path, and {problem}; "
            "--set effects.formula=... for this corpus (or effects.formula=\"\")"
        )
    raise ConfigError(problem, source=config.source or None)


def effects_if_asked(model, dtm, documents, config: Experiment):
    """The [effects] estimates of a fitted model (analysis/effects.py), or None when no formula is given.
    Seeded from the experiment seed, so the same config and corpus give the same numbers."""
    from .analysis.effects import EffectsInput, alpha_sum_of, estimate_effects

    if not config.effects.formula:
        return None
    data = EffectsInput(
        theta=model.doc_topic,
        units=dtm.units,
        n_tokens=dtm.n_tokens,
        meta_of=_meta_of(documents),
        alpha_sum=alpha_sum_of(model.params, model.n_topics),
    )
    return estimate_effects(data, config.effects, seed=config.seed)


def run_warnings(corpus, dtm, model, trends, findings) -> tuple[str, ...]:
    """What a reader of the run must know: thin data, K too large for it, pruned units, degenerate
    and unstable topics, date conflicts."""
    # corpus notes (unread .TXT files) come from loading the folder; a saved run's record has none
    warnings = [*getattr(corpus, "notes", ()), *trends.warnings, *model.notes, *findings.warnings]
    if dtm.dropped:
        warnings.append(f"{len(dtm.dropped)} unit(s) had no tokens left after pruning and were not modelled")
    modelled = {u.doc_id for u in dtm.units}
    lost = [d for d in corpus.documents if d.doc_id not in modelled]
    if lost:  # a document whose every unit was pruned is in no year's share
        shown = ", ".join(f"{d.file} ({d.year})" for d in lost[:10]) + (
            f" and {len(lost) - 10} more" if len(lost) > 10 else ""
        )
        warnings.append(
            f"{len(lost)} document(s) had no unit left after pruning and are in no trend: {shown}; "
            "check their text, or lower vectorize.min_df"
        )
    if corpus.excluded:
        warnings.append(f"{len(corpus.excluded)} document(s) outside [corpus] years were left out")
    degenerate = degenerate_finding(findings.ensemble.degenerate)
    if degenerate:
        warnings.append(degenerate)
    unstable = findings.ensemble.unstable()
    if unstable:
        warnings.append(
            f"topic(s) {', '.join(f'T{t}' for t in unstable)} do not recur in most other seeds "
            f"(matched similarity below {findings.ensemble.threshold}); read them with care"
        )
    for a in findings.audit:
        if a.conflicts:
            warnings.append(f"date audit: {a.summary()}")
    return tuple(warnings)


def _provenance(config: Experiment, corpus, timings: dict, command, segment_run: dict) -> Provenance:
    resolved = config.to_dict()
    vers = provenance.versions()
    fit = provenance.fit_id(resolved, corpus.fingerprint, vers)
    return Provenance(
        fit_id=fit,
        report_id=provenance.report_id(fit, resolved, []),
        created_utc=now_utc(),
        command=tuple(command) if command is not None else None,
        config_file=config.source,
        overrides=tuple(config.overrides),
        versions=vers,
        platform={**provenance.platform_info(), "python": vers["python"]},
        git=provenance.git_state(Path(config.source).resolve().parent if config.source else Path.cwd()),
        timings=dict(timings),
        peak_rss_mb=provenance.peak_rss_mb(),
        segment_run=segment_run,
    )


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
        dtm = vectorize(segmented, config.vectorize, WordRules.from_config(config.segment, config.vectorize))
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
    return result, (*result.notes, *(f"sweep: {w}" for w in result.verdict.at_edge))


def run_sweep(
    config: Experiment,
    ks=None,
    *,
    out_dir: str | Path = "reports",
    force: bool = False,
    cache_dir: str | Path | None = None,
    progress=None,
    command=None,
):
    """Only the K sweep: write reports/<name>-sweep/ and return the SweepResult."""
    out_dir = Path(out_dir)
    run_dir = out_dir / f"{config.name}-sweep"
    staging.check_free(run_dir, force)
    cache = Path(cache_dir) if cache_dir is not None else out_dir / ".cache"
    timer = _Timer(progress)
    with staging.run_lock(out_dir, run_dir.name):
        corpus, _, _, dtm = prepare(config, cache, timer)
        _, size_warnings = fit_sizes(dtm, config, None, tuple(ks or config.sweep.k))  # "stop" stops here
        with timer("sweep"):
            swept = sweep(dtm, config, ks)
        if size_warnings:
            swept = replace(swept, notes=(*size_warnings, *swept.notes))
        with timer("write sweep"):
            write_sweep(
                SweepRecord(
                    config,
                    corpus.fingerprint,
                    len(corpus.documents),
                    len(dtm.units),
                    len(dtm.vocab),
                    swept,
                    dict(timer.seconds),
                    tuple(command) if command is not None else None,
                ),
                run_dir,
                force,
            )
    write_index(out_dir)
    return run_dir, swept


def check(config: Experiment) -> CheckResult:
    """Validate config and corpus, clean and split, and audit dates, without segmenting or fitting."""
    corpus = load_corpus(config.corpus)
    cleaned = clean_corpus(corpus, config.clean)
    return CheckResult(
        corpus=corpus, cleaned=cleaned, units=split_units(cleaned, config.units), audit=audit_dates(cleaned)
    )


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


def report(
    run_dir: str | Path,
    overrides=(),
    *,
    out_dir: str | Path | None = None,
    command=None,
    fit: RunResult | None = None,
    carry: dict | None = None,
) -> RunResult:
    """Re-render a saved run with new report settings (``--set report.labels=...``,
    ``report.merge=[[2, 5]]``, [export] settings), without refitting. Writes into the run folder
    itself (replacing it whole, atomically), or into ``out_dir/<name>`` when given. The fit id stays;
    the report id and the manifest's curation record every decision. The run's validation kit
    (validation/) is kept. ``fit`` and ``carry`` (used by ``topics validate``): the saved fit with new
    validation scores, and the kit's files, instead of those in the folder."""
    from .analysis.curation import merge_findings, merge_plan
    from .config import with_report_settings
    from .record.folder import Run
    from .record.validation import kit_files

    run_dir = Path(run_dir)
    fit = fit if fit is not None else Run(run_dir).fit
    carry = carry if carry is not None else kit_files(run_dir)
    config = with_report_settings(fit.config, overrides)
    given, by = config.report.label_map(), config.report.curator
    curation: list[Curation] = []
    result = replace(fit, config=config)
    if config.report.merge:
        plan = merge_plan(fit.model.n_topics, config.report.merge)
        findings, model = merge_findings(fit.findings, plan, fit.dtm, config)
        if findings.effects is not None:  # the merged topics' effects, estimated afresh from their shares
            findings = replace(findings, effects=effects_if_asked(model, fit.dtm, fit.corpus.documents, config))
        labels = tuple(
            (i + 1, next(given[t] for t in g if t in given)) for i, g in enumerate(plan) if any(t in given for t in g)
        )  # a merged topic takes the first label given to its parts
        config = replace(config, report=replace(config.report, labels=labels))
        curation += [Curation("merge", g, str(i + 1), by) for i, g in enumerate(plan) if len(g) > 1]
        result = replace(
            result,
            config=config,
            model=model,
            findings=findings,
            trends=prevalence_by_year(model, fit.dtm),
            metrics=evaluate(model, fit.dtm, config.evaluate),
        )
        result = replace(
            result,
            warnings=run_warnings(fit.corpus, fit.dtm, model, result.trends, findings)
            + ("model comparison left out: other engines were matched to the topics before merging",),
        )
    old = fit.config.report.label_map()
    curation += [Curation("label", (t,), label, by) for t, label in sorted(given.items()) if old.get(t) != label]
    prov = fit.provenance
    scored = result.validation
    # the report id covers what the report shows beyond the fit: settings, curation, and the scored answers
    decisions = [asdict(c) for c in curation] + (
        [{"validation": scored.kit_id, "answers": [a.sha256 for a in scored.answers]}] if scored is not None else []
    )
    rid = provenance.report_id(prov.fit_id, config.to_dict(), decisions)
    changed = bool(curation or overrides or scored is not None)
    result = replace(
        result,
        curation=tuple(curation),
        provenance=replace(
            prov,
            report_id=rid,
            reported_utc=now_utc() if changed else "",
            report_command=tuple(command) if command is not None and changed else None,
        ),
    )
    target = Path(out_dir) / fit.config.name if out_dir is not None else run_dir
    with staging.run_lock(target.parent, target.name):
        written = write_run(result, target, force=True, saved=fit, carry=carry)
    write_index(target.parent)
    return written


def compare(run_a: str | Path, run_b: str | Path, *, out_dir: str | Path | None = None, force: bool = False):
    """Match the topics of two saved runs and write compare-<a>-<b>/ (page, CSVs, record) beside them."""
    from .analysis.runs import compare_runs
    from .record.folder import Run
    from .record.writer import write_comparison

    a, b = Run(run_a), Run(run_b)
    cmp = compare_runs(a.fit, b.fit, threshold=a.fit.config.stability.threshold)
    out = Path(out_dir) if out_dir is not None else Path(run_a).parent
    target = out / f"compare-{a.fit.config.name}-{b.fit.config.name}"
    safe = a.fit.config.export.spreadsheet_safe or b.fit.config.export.spreadsheet_safe
    sources = (Path(run_a), Path(run_b))
    write_comparison(cmp, a.fit.labels, b.fit.labels, target, force, sources, spreadsheet_safe=safe)
    write_index(out)
    return target, cmp


def validate(
    run_dir: str | Path,
    *,
    coders: int = 2,
    seed: int | None = None,
    units: int | None = None,
    force=False,
    command=None,
):
    """Draw a human validation kit for a saved run (without refitting) and write RUN_DIR/validation/:
    tasks.json, key.json and one offline sheet per coder (analysis/validation.py says what is drawn).
    ``seed`` defaults to the experiment's seed. With ``force`` an existing kit is replaced, and the
    scores of the old one are taken out of the run. Returns the Kit."""
    from .analysis.validation import TI_UNITS, KitSpec, draw_kit
    from .record.folder import Run
    from .record.validation import check_free
    from .record.writer import write_kit

    run_dir = Path(run_dir)
    fit = Run(run_dir).fit
    spec = KitSpec(coders=coders, seed=fit.config.seed if seed is None else seed, units=units or TI_UNITS)
    check_free(run_dir, force)  # before drawing
    kit = draw_kit(fit.model, fit.dtm, spec, fit.run_id)
    with staging.run_lock(run_dir.parent, run_dir.name):
        write_kit(kit, run_dir, fit.config.name, force)
    if fit.validation is not None:  # the old kit's scores go with it
        report(run_dir, _shown_settings(run_dir, fit), fit=replace(fit, validation=None), command=command)
    return kit


def score_validation(run_dir: str | Path, answer_files, *, command=None) -> RunResult:
    """Score coders' answer files (downloaded from the sheets of RUN_DIR/validation/) and re-render
    the run with them: validation.csv, the dashboard's validation section, methods.md, and the
    manifest's record of each answer file and its sha256. The answer files are kept in
    validation/answers/. The run's report settings (labels, merges) stay as they are."""
    from .analysis.validation import WI_WORDS, Validation, score
    from .record.folder import Run
    from .record.validation import kit_files, read_answers, read_kit

    run_dir = Path(run_dir)
    fit = Run(run_dir).fit
    kit = read_kit(run_dir, fit.run_id)
    answers = read_answers(answer_files, kit)
    rows = {u.unit_id: i for i, u in enumerate(fit.dtm.units)}
    validation = Validation(
        kit_id=kit.kit_id,
        fit_id=kit.fit_id,
        seed=kit.seed,
        coders=kit.coders,
        coder_seeds=kit.coder_seeds,
        tasks=kit.counts(),
        answers=answers.files,
        judgments=answers.judgments,
        scores=score(kit, answers.judgments, fit.model.doc_topic, rows),
        topic_words=tuple(tuple(w for w, _ in fit.model.top_terms(k, WI_WORDS)) for k in range(fit.model.n_topics)),
        notes=kit.notes,
    )
    return report(
        run_dir,
        _shown_settings(run_dir, fit),
        fit=replace(fit, validation=validation),
        carry=kit_files(run_dir, answers.data),
        command=command,
    )


def _shown_settings(run_dir: Path, fit: RunResult) -> list[str]:
    """The --set overrides that give the report settings the folder shows now (its config.json)
    from those of the saved fit, so that a re-render keeps the folder's labels and merges."""
    import json

    try:
        shown = json.loads((run_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    saved = json.loads(json.dumps(fit.config.to_dict()))
    report_shown = dict(shown.get("report") or {})
    if report_shown.get("merge") and isinstance(report_shown.get("labels"), dict):
        # a merged folder numbers its labels as the merged topics; report() reads labels as the fit's
        # numbers and gives a merged topic the label of its first part: put each label there
        from .analysis.curation import merge_plan

        plan = merge_plan(fit.model.n_topics, [tuple(g) for g in report_shown["merge"]])
        report_shown["labels"] = {
            str(plan[int(t) - 1][0]): label
            for t, label in report_shown["labels"].items()
            if str(t).isdigit() and 0 < int(t) <= len(plan)
        }
        shown = {**shown, "report": report_shown}
    return [
        f"{sec}.{provenance.to_toml({sec: {key: value}}).splitlines()[1]}"
        for sec in provenance.REPORT_SECTIONS
        for key, value in sorted((shown.get(sec) or {}).items())
        if key in saved[sec] and value != saved[sec][key]
    ]


# ------------------------------------------------------------------ topics init
def init(corpus_dir: str | Path, name: str | None = None, experiments_dir: str | Path = "experiments"):
    """Validate a corpus folder (as ``check`` does) and write ``experiments_dir/<name>.toml`` for it:
    years, description, K (``scaffold.K_RULE``) and formulation chart from the corpus, every other
    setting at the package default. Refuses to replace an existing file. Returns (path, Scaffold)."""
    import os
    import re

    from .analysis.formulations import term_patterns
    from .config import build_experiment
    from .config.scaffold import Scaffold, experiment_text, suggested_k
    from .errors import ConfigError
    from .record.experiment_file import write_new

    corpus_dir = Path(corpus_dir).resolve()
    folder = Path(experiments_dir)
    if name is None:
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", corpus_dir.name).strip("-.") or "mine"
    target = folder / f"{name}.toml"
    if target.exists():
        raise ConfigError(
            f"{str(target)!r} exists; `topics init` never replaces an experiment file: choose another name with "
            "--name, or edit that file"
        )
    project = folder.resolve().parent  # a corpus inside the project is written relative to the file
    path = os.path.relpath(corpus_dir, folder.resolve()) if corpus_dir.is_relative_to(project) else str(corpus_dir)
    raw = {"experiment": {"name": name, "seed": 1}, "corpus": {"path": path}}
    config = build_experiment(raw, base_dir=folder.resolve())  # checks the name and the path
    found = check(config)
    corpus = found.corpus
    years = (corpus.documents[0].year, corpus.documents[-1].year)
    patterns = term_patterns(config.formulations, config.segment)
    counts: Counter = Counter()
    for cd in found.cleaned:
        text = "\0".join(p.text for p in cd.paragraphs)
        for term, (_, pattern) in patterns.items():
            counts[term] += sum(1 for _ in pattern.finditer(text))
    top = config.formulations.chart_top
    chart = tuple(t for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top] if n > 0)
    scaffold = Scaffold(
        name=name,
        seed=int(corpus.fingerprint[:8], 16),
        description=_corpus_description(corpus, corpus_dir.name, years),
        corpus_path=path,
        years=years,
        n_topics=suggested_k(len(found.units), config.guards.units_per_topic),
        chart=chart,
        n_documents=len(corpus.documents),
        n_units=len(found.units),
    )
    raw = {
        "experiment": {"name": name, "seed": scaffold.seed, "description": scaffold.description},
        "corpus": {"path": path, "years": list(years)},
        "model": {"engine": config.model.engine, "n_topics": scaffold.n_topics},
        "formulations": {"chart": list(chart)},
    }
    defaults = build_experiment(raw, base_dir=folder.resolve()).to_dict()
    defaults["uncertainty"]["seed"] = None  # left to follow the experiment seed, as by default
    folder.mkdir(parents=True, exist_ok=True)
    write_new(target, experiment_text(scaffold, defaults))
    return target, scaffold


def _corpus_description(corpus, folder: str, years) -> str:
    """'gensim LDA on paragraph units of <folder>: 3 documents, 2019-2023 (level: city 2, county 1)'."""
    extra = []
    for column in ("level", "genre"):
        values = Counter(d.get(column) for d in corpus.documents if d.get(column))
        if values:
            extra.append(f"{column}: " + ", ".join(f"{v} {n}" for v, n in sorted(values.items())))
    span = str(years[0]) if years[0] == years[1] else f"{years[0]}-{years[1]}"
    return f"gensim LDA on paragraph units of {folder}: {len(corpus.documents)} documents, {span}" + (
        f" ({'; '.join(extra)})" if extra else ""
    )
