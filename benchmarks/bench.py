"""Benchmark: `topics run` stage by stage beside the bare library calls doing the same work.

    python benchmarks/bench.py                  # seeds, reports 1x, 10x, 50x; writes benchmarks/results/
    python benchmarks/bench.py --sizes 1,10     # fewer sizes

Corpora: the bundled seeds, and ../shared/corpora/gov_work_reports (every year) replicated 1x, 10x and
50x. Replica r > 0 of a report prefixes each of its lines with "R<r> ", so no two texts are equal and
every replica is segmented afresh (the package cuts each distinct text once). Every measurement runs in
a fresh process (benchmarks/worker.py) so its peak RSS is its own; the bare calls get the very unit
texts the package cut. The package runs with a cold segmentation cache (jieba's dictionary cache and
the lexicon frequencies warm, as after a first run on the machine) and benchmarks/bench.toml: NMF, K = 20, every year, one process for fits, and the
research extras that do not grow with the corpus turned down (one seed, no sweep, no comparison, 200
resamples).
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


def worker(*args, timeout=3600) -> dict:
    done = subprocess.run([sys.executable, str(HERE / "worker.py"), *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"worker {args[:2]} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import psutil
    return {"python": platform.python_version(), "machine": platform.machine(), "system": platform.system(),
            "cpus": os.cpu_count(), "memory_gb": round(psutil.virtual_memory().total / 2**30, 1),
            "processor": platform.processor() or "unknown"}


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
            for engine in ("rjieba", "jieba") if name in ("seeds", "reports 1x") else ("rjieba",):
                print(f"{name}: package, segmenter {engine} ...", file=sys.stderr, flush=True)
                (tmp / "out").mkdir(parents=True, exist_ok=True)
                shutil.copytree(tmp / "warm" / ".cache" / "jieba", tmp / "out" / ".cache" / "jieba")
                pkg = worker("package", str(path), json.dumps([f"segment.engine={engine}"]), str(tmp / "out"))
                print(f"{name}: bare, segmenter {engine} ...", file=sys.stderr, flush=True)
                bare = worker("bare", str(tmp / "out" / "units.jsonl"), "[]", engine)
                results["corpora"].append({"corpus": name, "segmenter": engine, "package": pkg, "bare": bare})
                shutil.rmtree(tmp / "out", ignore_errors=True)
        if REPORTS.is_dir():
            results["segmentation"] = []
            for s in [s for s in sizes if s <= 10]:
                print(f"reports {s}x: segmentation throughput ...", file=sys.stderr, flush=True)
                row = worker("segmentation", str(tmp / f"x{s}"), "[]", str(tmp / "warm" / ".cache"))
                results["segmentation"].append({"corpus": f"reports {s}x", **row})
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
             "## Stages of `topics run` beside the bare library calls (seconds; NMF, K = 20)", "",
             "| corpus | chars | units | segmenter | stage | package s | bare s | package / bare | seg. chars/s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for c in r["corpora"]:
        pkg, bare = c["package"], c["bare"]
        twins = {"segment": "segment", "vectorize": "vectorize", "fit model": "fit"}
        for stage, secs in pkg["stages"].items():
            b = bare["stages"].get(twins.get(stage, ""), None)
            speed = f"{pkg['chars'] / secs / 1e6:.2f} M" if stage == "segment" and secs else ""
            lines.append(f"| {c['corpus']} | {pkg['chars']:,} | {pkg['units']:,} | {c['segmenter']} | {stage} | "
                         f"{secs:.2f} | {'' if b is None else f'{b:.2f}'} | {'' if b is None else _ratio(secs, b)} | "
                         f"{speed} | {pkg['rss_after'][stage]:.0f} |")
        lines.append(f"| {c['corpus']} | | | {c['segmenter']} | **total** | {sum(pkg['stages'].values()):.2f} | "
                     f"{sum(bare['stages'].values()):.2f} | | cut {pkg['chars'] / pkg['segment_cut'] / 1e6:.2f} M/s "
                     f"(bare {bare['chars'] / bare['stages']['segment'] / 1e6:.2f}); dictionary "
                     f"{pkg['segment_setup']:.2f} s | {pkg['peak_rss_mb']:.0f} (bare {bare['peak_rss_mb']:.0f}) |")
    seg = {(c["corpus"], c["segmenter"]): c["package"] for c in r["corpora"]}
    for corpus in ("seeds", "reports 1x"):
        if (corpus, "jieba") in seg and (corpus, "rjieba") in seg:
            j, f = seg[(corpus, "jieba")], seg[(corpus, "rjieba")]
            lines += ["", f"Segmentation, {corpus}: cutting (dictionary loaded) rjieba {j['segment_cut'] / f['segment_cut']:.1f}x "
                          f"jieba; whole stage with the dictionary load {j['stages']['segment'] / f['stages']['segment']:.1f}x. "
                          f"Same lexicon; tokens identical with HMM off (tests/test_segment.py)."]
    if r.get("segmentation"):
        lines += ["", "## Segmentation throughput (cutting, dictionary loaded, cold segmentation cache)", "",
                  "million characters per second, and the ratio to bare jieba (HMM off) on the same texts.", "",
                  "| corpus | chars | bare jieba | " + " | ".join(r["segmentation"][0]["package"]) + " |",
                  "|---|---|---|" + "---|" * len(r["segmentation"][0]["package"])]
        for s in r["segmentation"]:
            base = s["bare_jieba"]
            lines.append(f"| {s['corpus']} | {s['chars']:,} | {base / 1e6:.2f} | "
                         + " | ".join(f"{v / 1e6:.2f} ({v / base:.1f}x)" for v in s["package"].values()) + " |")
        lines += ["", "rjieba uses processes only above 5 M characters to cut (below that a pool costs more than "
                  "it saves), jieba above 0.4 M; so on the 1x corpus rjieba x2 equals x1."]
    if "fits" in r:
        lines += ["", "## Fits on the reports 1x (K = 20): package fit beside the engine's bare fit", "",
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
