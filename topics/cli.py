"""The command line: the only place that reads argv, prints, or exits.

topics init CORPUS_DIR [--name NAME]
topics run [CONFIG] [--set section.key=value ...] [--force] [--out DIR]
topics check [CONFIG] [--set ...]
topics sweep [CONFIG] --k 5:30:5 [--seeds N] [--set ...]
topics report RUN_DIR [--set report.labels=... --set report.merge=...] [--out DIR]
topics compare RUN_A RUN_B [--out DIR] [--force]
topics cite RUN_DIR
topics validate RUN_DIR [--coders N] [--seed S] [--units N] [--force]
topics validate score RUN_DIR ANSWERS.csv [ANSWERS.csv ...]
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from . import __version__
from .errors import ExitStatus, TopicsError, file_access_error
from .progress import showing, shown

DEFAULT_CONFIG = "experiments/baseline.toml"


def _say(*parts, **kw) -> None:
    """print(), with every string made safe for a terminal (control and bidi characters shown as
    escapes): file names, titles, passages and labels come from the corpus and the config."""
    from .render.escape import terminal

    print(*(terminal(p) for p in parts), **kw)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="topics", description="Topic and trend models of Chinese political speeches.")
    p.add_argument("--version", action="version", version=f"topics {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp):
        sp.add_argument(
            "config", nargs="?", default=DEFAULT_CONFIG, help=f"experiment file (default: {DEFAULT_CONFIG})"
        )
        sp.add_argument(
            "--set",
            dest="overrides",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="override a config value, e.g. --set model.n_topics=12 (repeatable)",
        )
        sp.add_argument("--traceback", action="store_true", help="show the full traceback on errors")

    def writing(sp):
        sp.add_argument("--force", action="store_true", help="replace an existing folder of the same name")
        sp.add_argument("--out", default="reports", help="folder for run folders (default: reports)")
        sp.add_argument("--cache", default=None, help="segmentation cache folder (default: <out>/.cache)")
        sp.add_argument("--quiet", action="store_true", help="print only the result and errors")
        sp.add_argument("--workers", type=int, default=None, help="processes for independent fits (default: all cores)")
        sp.add_argument(
            "--scheduler", default=None, help="Dask scheduler address (tcp://host:8786) for independent fits"
        )

    i = sub.add_parser("init", help="check a corpus folder and write experiments/<name>.toml for it")
    i.add_argument("corpus_dir", help="a folder of .txt files with metadata.csv (file, year, ...)")
    i.add_argument("--name", default=None, help="experiment name (default: the folder's name)")
    i.add_argument("--experiments", default="experiments", help="folder for the file (default: experiments)")
    i.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    r = sub.add_parser("run", help="run an experiment and write reports/<name>/")
    common(r)
    writing(r)
    c = sub.add_parser("check", help="validate config and corpus; print the corpus, cleaning and date audit")
    common(c)
    s = sub.add_parser("sweep", help="fit every K (and seed) and report coherence, stability, held-out fit")
    common(s)
    s.add_argument(
        "--k",
        default=None,
        help="K values: start:stop:step (5:30:5) or a list (4,8,12); default: [sweep] k of the config",
    )
    s.add_argument("--seeds", type=int, default=None, help="seeds per K (default: [sweep] seeds)")
    writing(s)
    rp = sub.add_parser(
        "report", help="re-render a saved run with new labels, merged topics or export settings, without refitting"
    )
    rp.add_argument("run_dir", help="a run folder written by `topics run`, e.g. reports/baseline")
    rp.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help='a [report] or [export] setting, e.g. --set \'report.labels={"1" = "干部队伍"}\' or '
        "--set 'report.merge=[[2, 5]]' (repeatable)",
    )
    rp.add_argument("--out", default=None, help="write the report to OUT/<name>/ instead of into the run folder")
    rp.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    cp = sub.add_parser("compare", help="match the topics of two saved runs and write a comparison page")
    cp.add_argument("run_a", help="a run folder, e.g. reports/baseline")
    cp.add_argument("run_b", help="another run folder, e.g. reports/nmf")
    cp.add_argument("--out", default=None, help="folder for compare-<a>-<b>/ (default: beside RUN_A)")
    cp.add_argument("--force", action="store_true", help="replace an existing comparison folder")
    cp.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    t = sub.add_parser("cite", help="print a BibTeX entry and a one-line citation for a run folder")
    t.add_argument("run_dir", help="a run folder written by `topics run`, e.g. reports/baseline")
    t.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    v = sub.add_parser(
        "validate",
        help="draw a human validation kit (word, word-set and topic intrusion sheets) for a saved run; "
        "`topics validate score RUN_DIR ANSWERS.csv ...` scores the coders' answers",
        usage="topics validate RUN_DIR [--coders N] [--seed S] [--units N] [--force]\n"
        "       topics validate score RUN_DIR ANSWERS.csv [ANSWERS.csv ...]",
    )
    v.add_argument("run_dir", help="a run folder written by `topics run` (or `score`, then the run folder)")
    v.add_argument("answers", nargs="*", help="with score: the run folder, then one answer file per coder")
    v.add_argument("--coders", type=int, default=None, help="sheets to draw, one per coder (default: 2)")
    v.add_argument("--seed", type=int, default=None, help="seed of the draw (default: the experiment's seed)")
    v.add_argument("--units", type=int, default=None, help="units with a topic intrusion task (default: 20)")
    v.add_argument("--force", action="store_true", help="replace an existing kit (and its answers and scores)")
    v.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    return p


def _overrides(args) -> list[str]:
    """--set values plus the flags that stand for config keys."""
    extra = []
    if getattr(args, "workers", None) is not None:
        extra.append(f"parallel.workers={args.workers}")
    if getattr(args, "scheduler", None) is not None:
        extra.append(f'parallel.scheduler="{args.scheduler}"')
    if getattr(args, "seeds", None) is not None:
        extra.append(f"sweep.seeds={args.seeds}")
    return [*args.overrides, *extra]


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = _parser().parse_args(argv)
    args.command_line = ["topics", *argv]  # recorded in the manifest as the command that ran
    try:
        with showing(_bars(args)):
            return _COMMANDS[args.command](args)
    except TopicsError as exc:
        if args.traceback:
            traceback.print_exc()
        _say(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        _say("interrupted; no run folder was written", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except OSError as exc:  # the operating system refused a path: a message naming it, no traceback
        if args.traceback:
            traceback.print_exc()
        error = file_access_error(exc)
        _say(str(error), file=sys.stderr)
        return error.exit_code
    except Exception as exc:  # the one catch-all: an internal error, reported without a traceback
        if args.traceback:
            traceback.print_exc()
        else:
            _say(
                f"internal error: {type(exc).__name__}: {exc}\nrerun with --traceback and report it with the output",
                file=sys.stderr,
            )
        return ExitStatus.INTERNAL


def _bars(args) -> bool:
    """Progress bars (topics.progress) only on a terminal and without --quiet: a pipe, a log file or
    a cluster job's output gets the stage lines alone."""
    return not getattr(args, "quiet", False) and sys.stderr.isatty()


def _progress(stage: str, seconds: float | None) -> None:
    """One line per stage: its name as it starts, its time as it ends. On a terminal a step's bar
    (counts and time left) takes the line while it runs and the finished stage rewrites it."""
    if seconds is None:
        _say(f"  {stage} ...", end="", file=sys.stderr, flush=True)
    elif shown():
        sys.stderr.write("\r\x1b[K")  # our own control sequence: back to the line's start, clear it
        _say(f"  {stage} {seconds:.2f} s", file=sys.stderr, flush=True)
    else:
        _say(f" {seconds:.2f} s", file=sys.stderr, flush=True)


def _cmd_run(args) -> int:
    from .config import load_experiment
    from .pipeline import run

    config = load_experiment(args.config, _overrides(args))
    if not args.quiet:
        _say(f"topics {__version__}: experiment {config.name!r} from {args.config}", file=sys.stderr)
    start = time.perf_counter()
    result = run(
        config,
        out_dir=args.out,
        force=args.force,
        cache_dir=args.cache,
        progress=None if args.quiet else _progress,
        command=args.command_line,
    )
    for w in result.warnings:
        _say(f"warning: {w}", file=sys.stderr)
    m = result.metrics["coherence"]
    _say(
        f"wrote {result.run_dir}/ (run {result.run_id}) in {time.perf_counter() - start:.1f} s: "
        f"{len(result.dtm.units)} units, {result.model.n_topics} topics, "
        + ", ".join(f"{k} {v['mean']:.3f}" for k, v in m.items())
    )
    _say(f"open {Path(args.out) / config.name / 'dashboard.html'}")
    if result.findings.sweep is not None:
        _say(f"sweep page: {Path(args.out) / config.name / 'sweep.html'}")
    return 0


def _cmd_report(args) -> int:
    from .pipeline import report

    result = report(args.run_dir, args.overrides, out_dir=args.out, command=args.command_line)
    for w in result.warnings:
        _say(f"warning: {w}", file=sys.stderr)
    for c in result.curation:
        _say(f"{c.action}: {' + '.join(f'T{t}' for t in c.topics)} -> {c.value}")
    _say(
        f"wrote {result.run_dir}/ (fit {result.provenance.fit_id}, report {result.provenance.report_id}): "
        f"{result.model.n_topics} topics"
    )
    folder = Path(args.out) / result.config.name if args.out else Path(args.run_dir)
    _say(f"open {folder / 'dashboard.html'}")
    if result.findings.sweep is not None:
        _say(f"sweep page: {folder / 'sweep.html'}")
    return 0


def _cmd_compare(args) -> int:
    from .pipeline import compare

    target, cmp = compare(args.run_a, args.run_b, out_dir=args.out, force=args.force)
    matched = [m for m in cmp.matches if m.matched]
    _say(
        f"{len(matched)} of {sum(1 for m in cmp.matches if m.topic_a)} topics of {cmp.name_a} match a topic "
        f"of {cmp.name_b} (cosine similarity >= {cmp.threshold}); {len(cmp.differences)} settings differ"
    )
    _say(f"open {target / 'compare.html'}")
    return 0


def _cmd_init(args) -> int:
    from .config.scaffold import K_RULE
    from .pipeline import init

    path, s = init(args.corpus_dir, args.name, args.experiments)
    _say(f"wrote {path}: {s.n_documents} documents, {s.years[0]}-{s.years[1]}, {s.n_units} units")
    _say(f"  K = {s.n_topics} ({K_RULE})")
    _say(f"  formulation chart: {', '.join(s.chart) if s.chart else '(none of the lexicon occurs; [] charts none)'}")
    _say(f"next: topics check {path}   then   topics run {path}")
    return 0


def _cmd_check(args) -> int:
    from .config import load_experiment
    from .config.loading import carried_settings
    from .pipeline import check
    from .render.tables import CLEANING_COUNTS

    config = load_experiment(args.config, _overrides(args))
    result = check(config)
    if carried_settings(config):
        _say(f"warning: {carried_settings(config)}", file=sys.stderr)
    corpus = result.corpus
    for note in corpus.notes:
        _say(f"warning: {note}", file=sys.stderr)
    units: dict[str, int] = {}
    for u in result.units:
        units[u.doc_id] = units.get(u.doc_id, 0) + 1
    _say(
        f"config {args.config}: valid (experiment {config.name!r}, {config.model.engine}, "
        f"{config.model.n_topics} topics, seed {config.seed})"
    )
    years = sorted({d.year for d in corpus.documents})
    _say(
        f"corpus {corpus.root}: {len(corpus.documents)} documents, {len(years)} years "
        f"({years[0]}-{years[-1]}), {len(result.units)} units, fingerprint {corpus.fingerprint[:16]}"
    )
    for f, y, reason in corpus.excluded:
        _say(f"  left out: {f} ({y}): {reason}")
    cols = [c for c in CLEANING_COUNTS if c not in ("lines_raw",)]
    _say("cleaning per document:")
    _say("  " + "  ".join(["year", "file".ljust(28), *cols, "units"]))
    for cd in result.cleaned:
        d = cd.document
        _say(
            "  "
            + "  ".join(
                [
                    str(d.year),
                    d.file[:28].ljust(28),
                    *[str(cd.log.count(c)).rjust(len(c)) for c in cols],
                    str(units.get(d.doc_id, 0)).rjust(5),
                ]
            )
        )
        for line in cd.log.removed_lines:
            _say(f"      removed: {line[:70]}")
    single = [y for y in years if sum(d.year == y for d in corpus.documents) == 1]
    if single:
        _say(f"note: {len(single)} of {len(years)} years rest on one document: {', '.join(map(str, single))}")
    _say("date audit (stated year against dated cues in the text):")
    for a in result.audit:
        _say(f"  {a.summary()}")
        for e in a.conflicts:
            soft = ", soft" if e.strength == "soft" else ""
            _say(f"      {e.kind} {e.cue!r} ({e.reading}) allows {e.span()}{soft}: …{e.context}… ({e.source})")
        if (
            a.second is None
            and any(b.second for b in result.audit)
            or a.second
            and (a.conflicts or not a.second.allows(a.stated_year))
        ):
            _say(f"      second opinion: {a.second_opinion()}")
    if result.audit and not any(a.second for a in result.audit):
        _say(f"  second opinion: {result.audit[0].second_opinion()}")
    return 0


def _cmd_sweep(args) -> int:
    from .config import load_experiment
    from .pipeline import run_sweep
    from .analysis.sweep import parse_k

    config = load_experiment(args.config, _overrides(args))
    ks = parse_k(args.k) if args.k else config.sweep.k
    if not ks:
        from .errors import ConfigError

        raise ConfigError("no K values: give --k 5:30:5 or set [sweep] k = [5, 10, 15] in the experiment file")
    if not args.quiet:
        _say(
            f"topics {__version__}: sweeping K = {', '.join(map(str, ks))} with {config.sweep.seeds} seed(s) "
            f"for {config.name!r}",
            file=sys.stderr,
        )
    start = time.perf_counter()
    run_dir, sw = run_sweep(
        config,
        ks,
        out_dir=args.out,
        force=args.force,
        cache_dir=args.cache,
        progress=None if args.quiet else _progress,
        command=args.command_line,
    )
    shown = [m for m, _ in sw.measures() if m != "heldout"]
    v, crit = sw.verdict, sw.criterion
    _say(
        f"{'K':>4} "
        + " ".join(f"{m[:7]:>7}" for m in shown)
        + f"  {(crit + ' min')[:7]:>7} {(crit + ' max')[:7]:>7}  {sw.heldout_name}"
    )
    for r in sw.rows:
        lo, hi = r.seed_range(crit)
        mark = (
            "chosen"
            if r.k == v.chosen
            else "best mean"
            if r.k == v.best
            else "within noise"
            if r.k in v.within_noise
            else ""
        )
        _say(
            f"{r.k:>4} "
            + " ".join(f"{getattr(r, m):7.3f}" for m in shown)
            + f"  {lo:7.3f} {hi:7.3f}  {r.heldout:<10.4g}"
            + (f"   <- {mark}" if mark else "")
        )
    for note in sw.notes:
        _say(f"warning: {note}", file=sys.stderr)
    _say(v.sentence)
    _say(f"wrote {run_dir}/ in {time.perf_counter() - start:.1f} s")
    _say(f"open {Path(run_dir) / 'sweep.html'}")
    return 0


def _cmd_cite(args) -> int:
    from .record.cite import citation
    from .record.folder import read_manifest

    bib, line = citation(read_manifest(args.run_dir))
    _say(bib)
    _say(line)
    return 0


def _cmd_validate(args) -> int:
    from .errors import ConfigError

    if args.run_dir == "score":
        return _cmd_score(args)
    if args.answers:
        raise ConfigError(
            f"unexpected argument(s) {' '.join(args.answers)!r}: to score answers, run "
            f"topics validate score {args.run_dir} ANSWERS.csv ..."
        )
    from .pipeline import validate
    from .render.validation import KIND_NAMES

    run = Path(args.run_dir)
    kit = validate(
        run,
        coders=2 if args.coders is None else args.coders,
        seed=args.seed,
        units=args.units,
        force=args.force,
        command=args.command_line,
    )
    counts = kit.counts()
    _say(
        f"drew kit {kit.kit_id} for {run} (fit {kit.fit_id}, seed {kit.seed}): "
        + ", ".join(f"{n} {KIND_NAMES[kind]}" for kind, n in counts.items())
        + f" tasks; {kit.coders} coder(s), seeds {', '.join(map(str, kit.coder_seeds))}"
    )
    for note in kit.notes:
        _say(f"note: {note}", file=sys.stderr)
    for c in range(1, kit.coders + 1):
        _say(f"  sheet for coder {c}: {run / 'validation' / 'sheets' / f'coder-{c}.html'}")
    _say(f"keep {run / 'validation' / 'key.json'} from the coders; score their downloads with")
    _say(f"  topics validate score {run} " + " ".join(f"coder-{c}-answers.csv" for c in range(1, kit.coders + 1)))
    return 0


def _cmd_score(args) -> int:
    from .errors import ConfigError
    from .pipeline import score_validation
    from .render.validation import headlines

    given = [f for f, v in (("--coders", args.coders), ("--seed", args.seed), ("--units", args.units)) if v is not None]
    if args.force:
        given.append("--force")
    if given:
        raise ConfigError(f"{', '.join(given)}: only for drawing a kit (topics validate RUN_DIR {given[0]} ...)")
    if len(args.answers) < 2:
        raise ConfigError(
            "topics validate score needs the run folder and the answer files: "
            "topics validate score RUN_DIR coder-1-answers.csv coder-2-answers.csv"
        )
    run, files = Path(args.answers[0]), args.answers[1:]
    result = score_validation(run, files, command=args.command_line)
    v = result.validation
    assert v is not None
    for a in v.answers:
        _say(f"coder {a.coder}: {a.answers} answers from {a.given} (sha256 {a.sha256[:16]})")
    for line in headlines(v):
        _say(line)
    _say(f"wrote {run / 'validation.csv'}; the dashboard and methods.md have a validation section")
    _say(f"open {run / 'dashboard.html'}#validation")
    return 0


_COMMANDS = {
    "init": _cmd_init,
    "run": _cmd_run,
    "check": _cmd_check,
    "sweep": _cmd_sweep,
    "report": _cmd_report,
    "compare": _cmd_compare,
    "cite": _cmd_cite,
    "validate": _cmd_validate,
}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
