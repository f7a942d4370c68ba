"""Benchmark: `topics run` stage by stage beside the bare library calls doing the same work.

    python benchmarks/bench.py                  # seeds, reports 1x, 10x, 50x; writes benchmarks/results/
    python benchmarks/bench.py --sizes 1,10     # fewer sizes

Corpora: the bundled seeds, and ../shared/corpora/gov_work_reports (every year) replicated 1x, 10x and
50x. Replica r > 0 of a report prefixes each of its lines with "R<r> ", so no two texts are equal and
every replica is segmented afresh (the package cuts each distinct text once). Every measurement runs in
a fresh process (benchmarks/worker.py) so its peak RSS is its own. Every stage of the run has a bare
twin (worker.py `bare`, run right after the package run on the package's own outputs: the unit texts
it cut, its fitted arrays, its modelled tokens, its run folder's contents, read before any timing),
written with the plain libraries and without the package's code (TWINS below says what each does);
the model comparison and the sweep are off in bench.toml and have none. Both sides import their
libraries before timing (reported apart) and load their dictionary inside the segment stage. On the
seeds (7 times) and the reports 1x (3 times) the package/bare pair runs in turn and the table gives
medians. The package runs with a cold segmentation cache (jieba's dictionary cache and the lexicon
frequencies warm, as after a first run on the machine) and benchmarks/bench.toml: NMF, K = 20, every
year, one seed, and the research extras that do not grow with the corpus turned down (no sweep, no
comparison, 200 resamples). The package cuts text in as many processes as there are cores when there
is enough of it, as any run does; the 50x corpus runs in one process (parallel.workers = 1). The table
says how many processes cut. The dashboard of each corpus's first package run is opened in headless
Chromium (worker.py `render`, 3 fresh browsers) for its first render time. Segmentation throughput is
measured apart, with 1 and 2 processes, in rounds taken in turn.
Writes results/latest.json and results/latest.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
REPORTS = ROOT.parent / "shared" / "corpora" / "gov_work_reports"
sys.path.insert(0, str(ROOT))  # this checkout's topics, as the workers use it


LONG_LINE = 5_000_000  # characters of the single-line document (issue 15: it took 364 s to check)


def replicate(src: Path, dest: Path, times: int) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    rows = (src / "metadata.csv").read_text(encoding="utf-8").splitlines()
    header, body = rows[0], rows[1:]
    out = ["file,year,title"]
    import csv

    for rec in csv.DictReader([header, *body]):
        text = (src / rec["file"]).read_text(encoding="utf-8")
        for r in range(times):
            name = rec["file"] if r == 0 else rec["file"].replace(".txt", f"_r{r:02d}.txt")
            body_r = (
                text if r == 0 else "\n".join(f"R{r} {line}" if line.strip() else line for line in text.split("\n"))
            )
            (dest / name).write_text(body_r, encoding="utf-8")
            out.append(f"{name},{rec['year']},{rec['year']}")
    (dest / "metadata.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return dest


# stage -> its bare twin (worker.py), as the tables describe it; None: off in bench.toml, no twin
TWINS = {
    "load corpus": "csv.DictReader of metadata.csv; every file read and decoded, sha256 of its bytes and of its "
    "whitespace-folded text, the corpus fingerprint",
    "clean": "re: advertising-header and footer line regexes, then re.subn normalisation of every kept line "
    "(lost characters, ASCII punctuation, '.', quotes, full-width forms, placeholders, spaces)",
    "split units": "short paragraphs joined to the next; paragraphs over 1,000 characters cut at the sentence "
    "ends (regex) nearest to even 300-character shares (bisect); texts only",
    "segment": "rjieba/jieba with the lexicon added, HMM off, stopwords-iso dropped, on the package's unit texts",
    "vectorize": "scikit-learn CountVectorizer (min_df 2, max_df 0.5)",
    "fit model": "scikit-learn TfidfTransformer + NMF (K = 20, nndsvda, max_iter 400, the package's seed; one BLAS "
    "thread (threadpoolctl), as the package fits)",
    "evaluate": "gensim Dictionary + CoherenceModel c_v and c_npmi (topn 10, one process) on the package's "
    "topics and modelled tokens; topic diversity (top 25)",
    "trends": "numpy/scipy.sparse token-weighted mean of the doc-topic rows by year and by document",
    "uncertainty": "numpy bootstrap, 200 resamples: documents within years, then units within documents "
    "(multinomial counts); quantiles; OLS slopes per replicate; scipy smoothing spline "
    "(GCV-chosen penalty as a linear map) on the point and every replicate",
    "theme words": "scipy.sparse expected assignments (counts x theta x phi, normalised) per year; top 10 "
    "words per topic per year (argsort); words entering and leaving",
    "formulations": "str.count of every lexicon term in every document's cleaned text; Counter of the tokens; "
    "per-year sums and rates",
    "compare models": None,
    "sweep": None,
    "date audit": "re.finditer of the cue patterns (topics/cues/*.tsv) and explicit-year frames over the "
    "cleaned texts, each hit with its context (the package's stage also reads bounds and look-ahead and "
    "computes the corpus second opinion, which this twin does not do)",
    "write run": "pandas DataFrame.to_csv of the same tables; json.dump of config, metrics, manifest and the "
    "saved result; matplotlib savefig of the same static figures (svg, pdf, png at 300 dpi); "
    "plotly go.Figure + plotly.io.to_html of the dashboard's figures (plotly.js embedded once) "
    "with the page's other HTML as it is; np.save of the arrays; sha256 of every file",
}

REPEATS = {"seeds": 7, "reports 1x": 3}  # package/bare pairs in turn (medians); larger corpora once: the
# seeds' segment stage is ~0.07 s, where the dictionary load alone
# varies by +-0.015 s from process to process


def _medians(runs: list) -> dict:
    """Per side, the first run's record with every timing replaced by the median over the runs."""
    import statistics

    out = {}
    for side in ("package", "bare"):
        rec = json.loads(json.dumps(runs[0][side]))
        for key in ("imports", "segment_setup", "segment_cut", "peak_rss_mb", "inputs_seconds"):
            if key in rec:
                rec[key] = statistics.median(r[side][key] for r in runs)
        for group in ("stages", "write_parts"):
            for stage in rec.get(group, {}):
                rec[group][stage] = statistics.median(r[side][group][stage] for r in runs)
        rec["whole_run"] = statistics.median(sum(r[side]["stages"].values()) for r in runs)
        out[side] = rec
    return out


def segmentation(corpus: Path, cache: Path, repeats: int) -> dict:
    """Cutting throughput: every variant in its own fresh process, ``repeats`` rounds taken in turn
    so that the machine's drift hits every variant alike; medians."""
    import statistics

    variants = ["bare jieba", "bare rjieba", "rjieba x1", "rjieba x2"]
    if sum(f.stat().st_size for f in corpus.glob("*.txt")) < 6_000_000:  # jieba is slow: small corpora only
        variants += ["jieba x1", "jieba x2"]
    runs: dict = {}
    for _ in range(repeats):
        for v in variants:
            runs.setdefault(v, []).append(worker("segmentation", str(corpus), "[]", v, str(cache)))
    first = runs[variants[0]][0]
    seconds = {}
    for v, rs in runs.items():
        seconds[v] = statistics.median(r["seconds"] for r in rs)
        seconds[f"{v} stage"] = statistics.median(r["stage"] for r in rs)
    return {
        "chars": first["chars"],
        "units": first["units"],
        "repeats": repeats,
        "jieba_load": statistics.median(r["load"] for r in runs["bare jieba"]),
        "fork_from_chars": first["fork_from_chars"],
        "seconds": seconds,
        "all": {v: [r["seconds"] for r in rs] for v, rs in runs.items()},
    }


def worker(*args, timeout=3600) -> dict:
    done = subprocess.run(
        [sys.executable, str(HERE / "worker.py"), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    if done.returncode != 0:
        raise SystemExit(f"worker {args[:2]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    """The machine, and the code measured: the checkout's commit and the libraries' versions."""
    import psutil
    from topics.record.provenance import git_state, versions

    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "system": platform.system(),
        "cpus": os.cpu_count(),
        "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
        "processor": platform.processor() or "unknown",
        "git": git_state(ROOT),
        "versions": versions(),
        "chromium": _chromium_version(),
    }


def _chromium_version() -> str:
    try:
        out = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        return "chromium not found"
    return out.strip().splitlines()[-1] if out.strip() else "chromium"


class LoadWatch:
    """Samples, every few seconds, the 1-minute load average and the processes outside this benchmark
    that are busy (over 20% of a core): the machine is shared, and the report says when it was loaded."""

    def __init__(self, every: float = 5.0):
        import threading

        self.every, self.samples, self.others = every, [], {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        import psutil

        me = psutil.Process()
        seen = {}
        while not self.stop.wait(self.every):
            ours = {me.pid, *(c.pid for c in me.children(recursive=True))}
            busy = []
            for proc in psutil.process_iter(["pid", "name", "cmdline"]):
                if proc.pid in ours:
                    continue
                try:
                    if proc.pid not in seen:  # the first reading only starts the count
                        seen[proc.pid] = proc
                        proc.cpu_percent()
                        continue
                    cpu = seen[proc.pid].cpu_percent()
                except psutil.Error:
                    continue
                if cpu and cpu > 20:
                    busy.append(" ".join(proc.info["cmdline"] or [proc.info["name"] or "?"])[:80])
            for b in busy:
                self.others[b] = self.others.get(b, 0) + 1
            self.samples.append({"t": time.time(), "load1": os.getloadavg()[0], "busy_others": len(busy)})

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.thread.join()

    def summary(self) -> dict:
        import statistics

        loads = [x["load1"] for x in self.samples] or [os.getloadavg()[0]]
        busy = sum(1 for x in self.samples if x["busy_others"])
        top = sorted(self.others.items(), key=lambda kv: -kv[1])[:5]
        return {
            "samples": len(self.samples),
            "load1_min": min(loads),
            "load1_median": statistics.median(loads),
            "load1_max": max(loads),
            "samples_with_other_busy_process": busy,
            "other_busy_processes": [{"command": c, "samples": n} for c, n in top],
        }


def _code_line(m: dict) -> str:
    git = m.get("git") or {}
    commit = (
        f"commit {git['commit'][:12]}{' with uncommitted changes' if git.get('dirty') else ''}"
        if git
        else "no git checkout"
    )
    libs = ", ".join(f"{k} {v}" for k, v in sorted((m.get("versions") or {}).items()) if k != "python")
    return f"Code: {commit}; {libs}."


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="1,10,50", help="replication factors of the reports corpus")
    p.add_argument("--out", default=str(HERE / "results"))
    args = p.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    tmp = Path(tempfile.mkdtemp(prefix="topics-bench-"))
    results = {"machine": machine(), "started": time.strftime("%Y-%m-%d %H:%M:%S"), "corpora": []}
    watch = LoadWatch()
    watch.__enter__()
    try:
        corpora = [("seeds", ROOT / "seeds")]
        if REPORTS.is_dir():
            corpora += [(f"reports {s}x", replicate(REPORTS, tmp / f"x{s}", s)) for s in sizes]
        else:
            print("../shared/corpora/gov_work_reports is absent: seeds only", file=sys.stderr)
        print("warming the dictionary caches ...", file=sys.stderr, flush=True)
        worker("package", str(ROOT / "seeds"), json.dumps(["segment.engine=rjieba"]), str(tmp / "warm"))
        for name, path in corpora:
            small = name in ("seeds", "reports 1x")
            for engine in ("rjieba", "jieba") if small else ("rjieba",):
                runs, dashboard = [], None
                for r in range(REPEATS.get(name, 1)):  # package and bare in turn; medians
                    print(
                        f"{name}: package and bare, segmenter {engine}, round {r + 1} ...", file=sys.stderr, flush=True
                    )
                    (tmp / "out").mkdir(parents=True, exist_ok=True)
                    shutil.copytree(tmp / "warm" / ".cache" / "jieba", tmp / "out" / ".cache" / "jieba")
                    sets = [f"segment.engine={engine}"] + (["parallel.workers=1"] if name == "reports 50x" else [])
                    pkg = worker("package", str(path), json.dumps(sets), str(tmp / "out"))
                    bare = worker("bare", str(tmp / "out"), json.dumps(str(path)), engine)
                    runs.append({"package": pkg, "bare": bare})
                    if dashboard is None and engine == "rjieba":
                        print(f"{name}: the dashboard in headless Chromium ...", file=sys.stderr, flush=True)
                        dashboard = worker("render", str(tmp / "out" / "bench" / "dashboard.html"), "[]", "3")
                    shutil.rmtree(tmp / "out", ignore_errors=True)
                results["corpora"].append(
                    {
                        "corpus": name,
                        "segmenter": engine,
                        **_medians(runs),
                        "runs": len(runs),
                        "whole_run_ratios": [
                            sum(x["package"]["stages"].values()) / sum(x["bare"]["stages"].values()) for x in runs
                        ],
                        **({"dashboard": dashboard} if dashboard else {}),
                    }
                )
        if REPORTS.is_dir():
            results["segmentation"] = []
            for s in [s for s in sizes if s <= 10]:
                print(f"reports {s}x: segmentation throughput ...", file=sys.stderr, flush=True)
                cache = tmp / f"seg{s}"
                shutil.copytree(tmp / "warm" / ".cache", cache)
                results["segmentation"].append(
                    {"corpus": f"reports {s}x", **segmentation(tmp / f"x{s}", cache, 5 if s == 1 else 3)}
                )
        print(f"one {LONG_LINE:,}-character line: topics check ...", file=sys.stderr, flush=True)
        results["long_line"] = worker("long", str(tmp / "long"), "[]", str(LONG_LINE))
        if REPORTS.is_dir() and 1 in sizes:
            print("reports 1x: fits by engine, sweep speed-up, Dask ...", file=sys.stderr, flush=True)
            results["fits"] = worker("fits", str(tmp / "x1"), "[]")
            results["sweep"] = worker("sweep", str(tmp / "x1"), "[]")
    finally:
        watch.__exit__(None, None, None)
        shutil.rmtree(tmp, ignore_errors=True)
    results["load"] = load = watch.summary()
    results["load_note"] = (
        f"1-minute load average {load['load1_min']:.1f}-{load['load1_max']:.1f} (median {load['load1_median']:.1f}) "
        f"on {os.cpu_count()} cores over {load['samples']} samples; another process outside the benchmark was busy "
        f"in {load['samples_with_other_busy_process']} of them"
        + (f" (mostly: {load['other_busy_processes'][0]['command']})" if load["other_busy_processes"] else "")
        + (": timings taken on a loaded machine." if load["samples_with_other_busy_process"] else ".")
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = markdown(results)
    (out / "latest.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


def _fmt_check(v):
    if isinstance(v, float):
        return f"{v:.3g}"
    if isinstance(v, dict):
        return "(" + ", ".join(f"{k} {x:.3f}" for k, x in v.items()) + ")"
    if isinstance(v, list):
        return " / ".join(
            _fmt_check(x) if isinstance(x, float) else f"{x:,}" if isinstance(x, int) else str(x) for x in v
        )
    return str(v)


def _ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"# Benchmark ({r['started']})",
        "",
        f"Machine: {m['cpus']} cores, {m['memory_gb']} GB, {m['machine']} {m['system']}, Python {m['python']}.",
        "",
        _code_line(m),
        "",
        "## Stages of `topics run` beside the bare library calls (seconds; NMF, K = 20)",
        "",
        "Each process imports numpy, scipy, scikit-learn, stopwordsiso, its segmenter, gensim, pandas, plotly "
        "and matplotlib before any timing (the `imports` row, the same set on both sides). Both sides' segment "
        "stage includes reading the stopword list and the lexicon and loading the dictionary. Every stage has "
        "a bare twin run on the package run's own data (listed below the table); the model comparison and the "
        "sweep are off in benchmarks/bench.toml (about 0 s) and have none. **whole run**: the sum of the "
        "package's stages against the sum of the bare stages (imports left out on both sides). Medians of "
        f"package/bare pairs run in turn: {', '.join(f'{n} {k}' for k, n in REPEATS.items())}; larger "
        "corpora once.",
        "",
        *([f"Load: {r['load_note']}", ""] if r.get("load_note") else []),
        "| corpus | chars | units | segmenter | stage | package s | bare s | package / bare | seg. chars/s | peak RSS MB |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for c in r["corpora"]:
        pkg, bare = c["package"], c["bare"]
        head = (
            f"| {c['corpus']} | {pkg['chars']:,} | {pkg['units']:,} | {c['segmenter']}, cut in "
            f"{pkg['cut_processes']} process{'es' if pkg['cut_processes'] > 1 else ''} |"
        )
        lines.append(f"{head} imports | {pkg['imports']:.2f} | {bare['imports']:.2f} | | | |")
        for stage, secs in pkg["stages"].items():
            b = bare["stages"].get(stage)
            speed = f"{pkg['chars'] / secs / 1e6:.2f} M" if stage == "segment" and secs else ""
            if b is None:
                cells = "off in bench.toml, no twin | –" if TWINS.get(stage, "") is None else "no twin | –"
            else:
                cells = f"{b:.2f} | {_ratio(secs, b)}"
            lines.append(f"{head} {stage} | {secs:.2f} | {cells} | {speed} | {pkg['rss_after'][stage]:.0f} |")
        total_p, total_b = sum(pkg["stages"].values()), sum(bare["stages"].values())
        rounds = sorted(c.get("whole_run_ratios", []))
        spread = f"; rounds {rounds[0]:.2f}-{rounds[-1]:.2f}" if len(rounds) > 1 else ""
        lines.append(
            f"| {c['corpus']} | | | {c['segmenter']} | **whole run** | **{total_p:.2f}** | **{total_b:.2f}** | "
            f"**{_ratio(total_p, total_b)}**{spread} | cut {pkg['chars'] / pkg['segment_cut'] / 1e6:.2f} M/s; "
            f"dictionary {pkg['segment_setup']:.2f} s (bare {bare['segment_setup']:.2f} s) | "
            f"{pkg['peak_rss_mb']:.0f} (bare {bare['peak_rss_mb']:.0f}) |"
        )
    lines += [
        "",
        "Whole run, package / bare: "
        + "; ".join(
            f"{c['corpus']} ({c['segmenter']}) {_ratio(sum(c['package']['stages'].values()), sum(c['bare']['stages'].values()))}"
            for c in r["corpora"]
        )
        + ".",
        "",
        "The bare twins (benchmarks/worker.py; no code of the package, only its output files and data files):",
        "",
    ]
    lines += [f"- *{stage}*: {what}" for stage, what in TWINS.items() if what]
    parts = [(c["corpus"], c["segmenter"], c["bare"].get("write_parts", {})) for c in r["corpora"]]
    if any(p for _, _, p in parts):
        lines += [
            "",
            "The bare write run by part (seconds): "
            + "; ".join(
                f"{name} ({seg}): " + ", ".join(f"{k} {v:.2f}" for k, v in p.items()) for name, seg, p in parts if p
            )
            + ".",
        ]
    checks = [(c["corpus"], c["bare"].get("checks")) for c in r["corpora"] if c["segmenter"] == "rjieba"]
    if any(ch for _, ch in checks):
        lines += [
            "",
            "Same data on both sides (first round, rjieba): "
            + "; ".join(
                f"{name}: " + ", ".join(f"{k} {_fmt_check(v)}" for k, v in ch.items()) for name, ch in checks if ch
            )
            + ".",
        ]
    dash = [(c["corpus"], c["dashboard"]) for c in r["corpora"] if c.get("dashboard")]
    if dash:
        lines += [
            "",
            "## Dashboard first render in headless Chromium",
            "",
            "The package run's dashboard.html opened from disk in headless Chromium "
            f"({r['machine'].get('chromium', 'chromium')}; --headless --no-sandbox --disable-gpu, a fresh "
            "profile per round, DevTools over a pipe). *First render*: `performance.now()` (from navigation "
            "start) at the first animation frame where every `.plotly-graph-div` has drawn (its layout and "
            "SVG exist), recorded by a script injected before the page's own; medians of fresh browsers.",
            "",
            "| corpus | dashboard MB | figures | rounds | first render ms | DOMContentLoaded ms | load ms | "
            "first contentful paint ms | every round ms |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for name, d in dash:
            lines.append(
                f"| {name} | {d['bytes'] / 1e6:.1f} | {d['divs']} | {d['rounds']} | {d['render_ms']:.0f} | "
                f"{d['dcl']:.0f} | {d['load']:.0f} | {d['fcp']:.0f} | "
                f"{', '.join(f'{x:.0f}' for x in d['all_render_ms'])} |"
            )
    if r.get("segmentation"):
        lines += [
            "",
            "## Segmentation throughput",
            "",
            "Million characters per second, and in brackets the ratio to bare jieba (HMM off, the "
            "package's default) on the same texts. Bare calls cut unit by unit with the dictionary "
            "loaded. The package's rows are `segment()` on a cold segmentation cache, with 1 and 2 "
            "processes: *cut* is the cutting with the dictionary loaded (texts to int32 ids, tokens "
            "filtered), *stage* the whole call (lexicon, dictionary load, digests, cache write) beside "
            "bare jieba's dictionary load plus its cutting. Every measurement in a fresh process, as a "
            "run makes it; medians of rounds taken in turn.",
            "",
            "| corpus | chars | rounds | bare jieba | bare rjieba | package rjieba x1 cut | package rjieba x2 cut "
            "| package rjieba x2 stage | package jieba x1 cut | package jieba x2 cut |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for s in r["segmentation"]:
            sec, chars = s["seconds"], s["chars"]
            base = chars / sec["bare jieba"]
            base_stage = chars / (sec["bare jieba"] + s["jieba_load"])

            def cell(key, ref=base):
                return f"{chars / sec[key] / 1e6:.2f} ({chars / sec[key] / ref:.1f}x)" if key in sec else "–"

            stage = (
                f"{chars / sec['rjieba x2 stage'] / 1e6:.2f} ({chars / sec['rjieba x2 stage'] / base_stage:.1f}x "
                f"bare jieba with its {s['jieba_load']:.2f} s load)"
            )
            lines.append(
                f"| {s['corpus']} | {chars:,} | {s['repeats']} | {base / 1e6:.2f} | {cell('bare rjieba')} | "
                f"{cell('rjieba x1')} | {cell('rjieba x2')} | {stage} | {cell('jieba x1')} | {cell('jieba x2')} |"
            )
        fork = r["segmentation"][0].get("fork_from_chars", {})
        lines += [
            "",
            "The package forks when there is enough text to cut ("
            + ", ".join(f"{name}: {n:,} characters" for name, n in sorted(fork.items()))
            + "; a fork costs about 10 ms here). rjieba and jieba give identical tokens with HMM off "
            "(tests/test_segment.py).",
        ]
    if "long_line" in r:
        ll = r["long_line"]
        lines += [
            "",
            f"## One {ll['chars']:,}-character document without a line break (`topics check` stages)",
            "",
            "| chars | units | load corpus s | clean s | split units s | date audit s | peak RSS MB |",
            "|---|---|---|---|---|---|---|",
            f"| {ll['chars']:,} | {ll['units']:,} | "
            + " | ".join(f"{ll['stages'][k]:.2f}" for k in ("load corpus", "clean", "split units", "date audit"))
            + f" | {ll['peak_rss_mb']:.0f} |",
        ]
    if "fits" in r:
        lines += [
            "",
            "## Fits on the reports 1x (K = 20): package fit beside the engine's bare fit",
            "",
            f"Medians of {r['fits']['rows'][0].get('repeats', 1)} rounds taken in turn; deterministic: the "
            "package's fits in every round gave identical arrays.",
            "",
            "| engine | settings | package s | bare s | package / bare | deterministic |",
            "|---|---|---|---|---|---|",
        ]
        for f in r["fits"]["rows"]:
            lines.append(
                f"| {f['engine']} | {f['settings']} | {f['package']:.2f} | {f['bare']:.2f} | "
                f"{_ratio(f['package'], f['bare'])} | {f.get('deterministic', '')} |"
            )
    if "sweep" in r:
        s = r["sweep"]
        lines += [
            "",
            "## K sweep on the reports 1x",
            "",
            f"{s['what']}: 1 worker {s['one']:.1f} s, {s['workers']} workers {s['many']:.1f} s "
            f"(speed-up {s['one'] / s['many']:.2f}x); Dask LocalCluster ({s['workers']} workers) "
            f"{s['dask']:.1f} s. Results identical: local pool {s['same_pool']}, Dask {s['same_dask']}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
