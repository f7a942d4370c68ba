"""Benchmark: `topics run` stage by stage beside the bare library calls doing the same work.

    python benchmarks/bench.py                  # seeds, reports 1x, 10x, 50x; writes benchmarks/results/
    python benchmarks/bench.py --sizes 1,10     # fewer sizes

Corpora: the bundled seeds, and ../shared/corpora/gov_work_reports (every year) replicated 1x, 10x and
50x. Replica r > 0 of a report prefixes each of its lines with "R<r> ", so no two texts are equal and
every replica is segmented afresh (the package cuts each distinct text once). Every measurement runs in
a fresh process (benchmarks/worker.py) so its peak RSS is its own; the bare calls get the very unit
texts the package cut. Both sides import their libraries before timing (reported apart) and load
their dictionary inside the segment stage. On the seeds (7 times) and the reports 1x (3 times) the
package/bare pair runs in turn and the table gives medians. The package runs with a cold segmentation cache
(jieba's dictionary cache and the lexicon frequencies warm, as after a first run on the machine) and
benchmarks/bench.toml: NMF, K = 20, every year, one seed, and the research extras that do not grow
with the corpus turned down (no sweep, no comparison, 200 resamples). The package cuts text in as many
processes as there are cores when there is enough of it, as any run does; the 50x corpus runs in one
process (parallel.workers = 1). The table says how many processes cut. Segmentation
throughput is measured apart, with 1 and 2 processes, in rounds taken in turn.
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
sys.path.insert(0, str(ROOT))              # this checkout's topics, as the workers use it


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
            body_r = text if r == 0 else "\n".join(f"R{r} {line}" if line.strip() else line
                                                   for line in text.split("\n"))
            (dest / name).write_text(body_r, encoding="utf-8")
            out.append(f"{name},{rec['year']},{rec['year']}")
    (dest / "metadata.csv").write_text("\n".join(out) + "\n", encoding="utf-8")
    return dest


REPEATS = {"seeds": 7, "reports 1x": 3}   # package/bare pairs in turn (medians); larger corpora once: the
                                          # seeds' segment stage is ~0.07 s, where the dictionary load alone
                                          # varies by +-0.015 s from process to process


def _medians(runs: list) -> dict:
    """Per side, the first run's record with every timing replaced by the median over the runs."""
    import statistics
    out = {}
    for side in ("package", "bare"):
        rec = json.loads(json.dumps(runs[0][side]))
        for key in ("imports", "segment_setup", "segment_cut", "peak_rss_mb"):
            if key in rec:
                rec[key] = statistics.median(r[side][key] for r in runs)
        for stage in rec["stages"]:
            rec["stages"][stage] = statistics.median(r[side]["stages"][stage] for r in runs)
        out[side] = rec
    return out


def segmentation(corpus: Path, cache: Path, repeats: int) -> dict:
    """Cutting throughput: every variant in its own fresh process, ``repeats`` rounds taken in turn
    so that the machine's drift hits every variant alike; medians."""
    import statistics
    variants = ["bare jieba", "bare rjieba", "rjieba x1", "rjieba x2"]
    if sum(f.stat().st_size for f in corpus.glob("*.txt")) < 6_000_000:        # jieba is slow: small corpora only
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
    return {"chars": first["chars"], "units": first["units"], "repeats": repeats,
            "jieba_load": statistics.median(r["load"] for r in runs["bare jieba"]),
            "fork_from_chars": first["fork_from_chars"], "seconds": seconds,
            "all": {v: [r["seconds"] for r in rs] for v, rs in runs.items()}}


def worker(*args, timeout=3600) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "worker.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"worker {args[:2]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    """The machine, and the code measured: the checkout's commit and the libraries' versions."""
    import psutil
    from topics.record.provenance import git_state, versions
    return {"python": platform.python_version(), "machine": platform.machine(), "system": platform.system(),
            "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "processor": platform.processor() or "unknown", "git": git_state(ROOT), "versions": versions()}


def _code_line(m: dict) -> str:
    git = m.get("git") or {}
    commit = f"commit {git['commit'][:12]}{' with uncommitted changes' if git.get('dirty') else ''}" if git else "no git checkout"
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
                runs = []
                for r in range(REPEATS.get(name, 1)):          # package and bare in turn; medians
                    print(f"{name}: package and bare, segmenter {engine}, round {r + 1} ...", file=sys.stderr, flush=True)
                    (tmp / "out").mkdir(parents=True, exist_ok=True)
                    shutil.copytree(tmp / "warm" / ".cache" / "jieba", tmp / "out" / ".cache" / "jieba")
                    sets = [f"segment.engine={engine}"] + (["parallel.workers=1"] if name == "reports 50x" else [])
                    pkg = worker("package", str(path), json.dumps(sets), str(tmp / "out"))
                    bare = worker("bare", str(tmp / "out" / "units.jsonl"), "[]", engine)
                    runs.append({"package": pkg, "bare": bare})
                    shutil.rmtree(tmp / "out", ignore_errors=True)
                results["corpora"].append({"corpus": name, "segmenter": engine, **_medians(runs), "runs": len(runs)})
        if REPORTS.is_dir():
            results["segmentation"] = []
            for s in [s for s in sizes if s <= 10]:
                print(f"reports {s}x: segmentation throughput ...", file=sys.stderr, flush=True)
                cache = tmp / f"seg{s}"
                shutil.copytree(tmp / "warm" / ".cache", cache)
                results["segmentation"].append({"corpus": f"reports {s}x",
                                                **segmentation(tmp / f"x{s}", cache, 5 if s == 1 else 3)})
        if REPORTS.is_dir() and 1 in sizes:
            print("reports 1x: fits by engine, sweep speed-up, Dask ...", file=sys.stderr, flush=True)
            results["fits"] = worker("fits", str(tmp / "x1"), "[]")
            results["sweep"] = worker("sweep", str(tmp / "x1"), "[]")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    md = markdown(results)
    (out / "latest.md").write_text(md, encoding="utf-8")
    print(md)
    return 0


def _ratio(a, b):
    return f"{a / b:.2f}" if a and b else "–"


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"# Benchmark ({r['started']})", "",
             f"Machine: {m['cpus']} cores, {m['memory_gb']} GB, {m['machine']} {m['system']}, Python {m['python']}.", "",
             _code_line(m), "",
             "## Stages of `topics run` beside the bare library calls (seconds; NMF, K = 20)", "",
             "Each process imports numpy, scipy, scikit-learn, stopwordsiso and its segmenter before any timing (the "
             "`imports` row, the same set on both sides). Both sides' segment stage includes reading the "
             "stopword list and the lexicon and loading the dictionary. Medians of package/bare pairs run "
             f"in turn: {', '.join(f'{n} {k}' for k, n in REPEATS.items())}; larger corpora once.", "",
             "| corpus | chars | units | segmenter | stage | package s | bare s | package / bare | seg. chars/s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in r["corpora"]:
        pkg, bare = c["package"], c["bare"]
        twins = {"segment": "segment", "vectorize": "vectorize", "fit model": "fit"}
        head = (f"| {c['corpus']} | {pkg['chars']:,} | {pkg['units']:,} | {c['segmenter']}, cut in "
                f"{pkg['cut_processes']} process{'es' if pkg['cut_processes'] > 1 else ''} |")
        lines.append(f"{head} imports | {pkg['imports']:.2f} | {bare['imports']:.2f} | | | |")
        for stage, secs in pkg["stages"].items():
            b = bare["stages"].get(twins.get(stage, ""), None)
            speed = f"{pkg['chars'] / secs / 1e6:.2f} M" if stage == "segment" and secs else ""
            lines.append(f"{head} {stage} | {secs:.2f} | {'' if b is None else f'{b:.2f}'} | "
                         f"{'' if b is None else _ratio(secs, b)} | {speed} | {pkg['rss_after'][stage]:.0f} |")
        lines.append(f"| {c['corpus']} | | | {c['segmenter']} | **total** | {sum(pkg['stages'].values()):.2f} | "
                     f"{sum(bare['stages'].values()):.2f} | | cut {pkg['chars'] / pkg['segment_cut'] / 1e6:.2f} M/s; "
                     f"dictionary {pkg['segment_setup']:.2f} s (bare {bare['segment_setup']:.2f} s) | "
                     f"{pkg['peak_rss_mb']:.0f} (bare {bare['peak_rss_mb']:.0f}) |")
    if r.get("segmentation"):
        lines += ["", "## Segmentation throughput", "",
                  "Million characters per second, and in brackets the ratio to bare jieba (HMM off, the "
                  "package's default) on the same texts. Bare calls cut unit by unit with the dictionary "
                  "loaded. The package's rows are `segment()` on a cold segmentation cache, with 1 and 2 "
                  "processes: *cut* is the cutting with the dictionary loaded (texts to int32 ids, tokens "
                  "filtered), *stage* the whole call (lexicon, dictionary load, digests, cache write) beside "
                  "bare jieba's dictionary load plus its cutting. Every measurement in a fresh process, as a "
                  "run makes it; medians of rounds taken in turn.", "",
                  "| corpus | chars | rounds | bare jieba | bare rjieba | package rjieba x1 cut | package rjieba x2 cut "
                  "| package rjieba x2 stage | package jieba x1 cut | package jieba x2 cut |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for s in r["segmentation"]:
            sec, chars = s["seconds"], s["chars"]
            base = chars / sec["bare jieba"]
            base_stage = chars / (sec["bare jieba"] + s["jieba_load"])

            def cell(key, ref=base):
                return f"{chars / sec[key] / 1e6:.2f} ({chars / sec[key] / ref:.1f}x)" if key in sec else "–"
            stage = (f"{chars / sec['rjieba x2 stage'] / 1e6:.2f} ({chars / sec['rjieba x2 stage'] / base_stage:.1f}x "
                     f"bare jieba with its {s['jieba_load']:.2f} s load)")
            lines.append(f"| {s['corpus']} | {chars:,} | {s['repeats']} | {base / 1e6:.2f} | {cell('bare rjieba')} | "
                         f"{cell('rjieba x1')} | {cell('rjieba x2')} | {stage} | {cell('jieba x1')} | {cell('jieba x2')} |")
        fork = r["segmentation"][0].get("fork_from_chars", {})
        lines += ["", "The package forks when there is enough text to cut ("
                  + ", ".join(f"{name}: {n:,} characters" for name, n in sorted(fork.items()))
                  + "; a fork costs about 10 ms here). rjieba and jieba give identical tokens with HMM off "
                  "(tests/test_segment.py)."]
    if "fits" in r:
        lines += ["", "## Fits on the reports 1x (K = 20): package fit beside the engine's bare fit", "",
                  f"Medians of {r['fits']['rows'][0].get('repeats', 1)} rounds taken in turn; deterministic: the "
                  "package's fits in every round gave identical arrays.", "",
                  "| engine | settings | package s | bare s | package / bare | deterministic |", "|---|---|---|---|---|---|"]
        for f in r["fits"]["rows"]:
            lines.append(f"| {f['engine']} | {f['settings']} | {f['package']:.2f} | {f['bare']:.2f} | "
                         f"{_ratio(f['package'], f['bare'])} | {f.get('deterministic', '')} |")
    if "sweep" in r:
        s = r["sweep"]
        lines += ["", "## K sweep on the reports 1x", "",
                  f"{s['what']}: 1 worker {s['one']:.1f} s, {s['workers']} workers {s['many']:.1f} s "
                  f"(speed-up {s['one'] / s['many']:.2f}x); Dask LocalCluster ({s['workers']} workers) "
                  f"{s['dask']:.1f} s. Results identical: local pool {s['same_pool']}, Dask {s['same_dask']}."]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    sys.exit(main())
