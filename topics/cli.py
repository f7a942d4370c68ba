"""The command line: the only place that reads argv, prints, or exits.

    topics run [CONFIG] [--set section.key=value ...] [--force] [--out DIR]
    topics check [CONFIG] [--set ...]
"""
from __future__ import annotations

import argparse
import sys
import time
import traceback
from pathlib import Path

from . import __version__
from .errors import TopicsError

DEFAULT_CONFIG = "experiments/baseline.toml"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="topics", description="Topic and trend models of Chinese political speeches.")
    p.add_argument("--version", action="version", version=f"topics {__version__}")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def common(sp):
        sp.add_argument("config", nargs="?", default=DEFAULT_CONFIG,
                        help=f"experiment file (default: {DEFAULT_CONFIG})")
        sp.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                        help="override a config value, e.g. --set model.n_topics=12 (repeatable)")
        sp.add_argument("--traceback", action="store_true", help="show the full traceback on errors")

    r = sub.add_parser("run", help="run an experiment and write reports/<name>/")
    common(r)
    r.add_argument("--force", action="store_true", help="replace an existing run folder")
    r.add_argument("--out", default="reports", help="folder for run folders (default: reports)")
    r.add_argument("--cache", default=None, help="segmentation cache folder (default: <out>/.cache)")
    r.add_argument("--quiet", action="store_true", help="print only the result and errors")
    c = sub.add_parser("check", help="validate config and corpus; print the corpus and cleaning summary")
    common(c)
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _COMMANDS[args.command](args)
    except TopicsError as exc:
        if args.traceback:
            traceback.print_exc()
        print(str(exc), file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("interrupted; no run folder was written", file=sys.stderr)
        return 130
    except Exception as exc:  # the one catch-all: an internal error, reported without a traceback
        if args.traceback:
            traceback.print_exc()
        else:
            print(f"internal error: {type(exc).__name__}: {exc}\n"
                  f"rerun with --traceback and report it with the output", file=sys.stderr)
        return 70


def _progress(stage: str, seconds: float | None) -> None:
    if seconds is None:
        print(f"  {stage} ...", end="", file=sys.stderr, flush=True)
    else:
        print(f" {seconds:.2f} s", file=sys.stderr, flush=True)


def _cmd_run(args) -> int:
    from .config import load_experiment
    from .pipeline import run

    config = load_experiment(args.config, args.overrides)
    if not args.quiet:
        print(f"topics {__version__}: experiment {config.name!r} from {args.config}", file=sys.stderr)
    start = time.perf_counter()
    result = run(config, out_dir=args.out, force=args.force, cache_dir=args.cache,
                 progress=None if args.quiet else _progress, command=["topics", *sys.argv[1:]])
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    m = result.metrics["coherence"]
    print(f"wrote {result.run_dir}/ (run {result.run_id}) in {time.perf_counter() - start:.1f} s: "
          f"{len(result.dtm.units)} units, {result.model.n_topics} topics, "
          + ", ".join(f"{k} {v['mean']:.3f}" for k, v in m.items()))
    print(f"open {Path(result.run_dir) / 'dashboard.html'}")
    return 0


def _cmd_check(args) -> int:
    from .config import load_experiment
    from .pipeline import check
    from .tables import CLEANING_COUNTS

    config = load_experiment(args.config, args.overrides)
    result = check(config)
    corpus = result.corpus
    units = {}
    for u in result.units:
        units[u.doc_id] = units.get(u.doc_id, 0) + 1
    print(f"config {args.config}: valid (experiment {config.name!r}, {config.model.engine}, "
          f"{config.model.n_topics} topics, seed {config.seed})")
    years = sorted({d.year for d in corpus.documents})
    print(f"corpus {corpus.root}: {len(corpus.documents)} documents, {len(years)} years "
          f"({years[0]}-{years[-1]}), {len(result.units)} units, fingerprint {corpus.fingerprint[:16]}")
    for f, y, reason in corpus.excluded:
        print(f"  left out: {f} ({y}): {reason}")
    cols = [c for c in CLEANING_COUNTS if c not in ("lines_raw",)]
    print("cleaning per document:")
    print("  " + "  ".join(["year", "file".ljust(28), *cols, "units"]))
    for cd in result.cleaned:
        d = cd.document
        print("  " + "  ".join([str(d.year), d.file[:28].ljust(28),
                                *[str(cd.log.count(c)).rjust(len(c)) for c in cols],
                                str(units.get(d.doc_id, 0)).rjust(5)]))
        for line in cd.log.removed_lines:
            print(f"      removed: {line[:70]}")
    single = [y for y in years if sum(d.year == y for d in corpus.documents) == 1]
    if single:
        print(f"note: {len(single)} of {len(years)} years rest on one document: {', '.join(map(str, single))}")
    return 0


_COMMANDS = {"run": _cmd_run, "check": _cmd_check}


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
