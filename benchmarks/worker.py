"""One benchmark measurement in a fresh process; prints one JSON line. Called by bench.py:

    worker.py package CORPUS OVERRIDES_JSON OUT   # topics run, stage by stage
    worker.py bare CORPUS OVERRIDES_JSON SEGMENTER  # the bare library calls doing the same work
    worker.py segmentation CORPUS _ VARIANT CACHE # one cutting measurement: bare jieba, rjieba, the package
    worker.py fits CORPUS _                       # package fit vs bare fit, per engine
    worker.py sweep CORPUS _                      # K sweep: 1 worker, all cores, Dask LocalCluster

Library imports (numpy, scipy, scikit-learn, stopwordsiso, the segmenter) are done before any timing on both
sides and reported apart; each side's segment stage includes loading its dictionary.
"""
from __future__ import annotations

import csv
import json
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def preimport(segmenter: str) -> float:
    """Import the libraries both sides use before any timing, the same set on each side, and
    return the seconds it took (reported apart: a fixed cost of the process, not of the work)."""
    t = time.perf_counter()
    import numpy  # noqa: F401
    import scipy.sparse  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    import stopwordsiso  # noqa: F401
    __import__("rjieba" if segmenter == "rjieba" else "jieba")
    return time.perf_counter() - t


def bare_cutter(segmenter: str, terms=()):
    """The bare segmenter ("jieba" or "rjieba") with its dictionary loaded and ``terms`` added; HMM
    off, the package's default. Returns str -> list of tokens."""
    if segmenter == "rjieba":
        import rjieba
        fast = rjieba.Jieba()
        for term in terms:
            fast.add_word(term, 10000, "nz")
        return lambda s: fast.cut(s, False)
    import jieba
    tok = jieba.Tokenizer()
    tok.initialize()
    for term in terms:
        tok.add_word(term)
    return lambda s: tok.lcut(s, HMM=False)


def package(corpus: str, overrides: list[str], out: str) -> dict:
    import topics

    imports = preimport(next((o.split("=", 1)[1] for o in overrides if o.startswith("segment.engine=")), "rjieba"))
    config = topics.load_experiment(ROOT / "benchmarks" / "bench.toml", [f"corpus.path={corpus}", *overrides])
    stages, rss = {}, {}

    def progress(stage, seconds):
        if seconds is not None:
            stages[stage] = seconds
            rss[stage] = rss_mb()
    result = topics.run(config, out_dir=out, cache_dir=Path(out) / ".cache", force=True, progress=progress)
    manifest = json.loads((result.run_dir / "manifest.json").read_text(encoding="utf-8"))
    with open(Path(out) / "units.jsonl", "w", encoding="utf-8") as f:      # the same texts for the bare run
        for u in result.dtm.units:
            f.write(json.dumps(u.text, ensure_ascii=False) + "\n")
    seg = manifest["segment"]
    return {"cut_processes": seg["cut_processes"], "imports": imports, "stages": stages, "rss_after": rss, "peak_rss_mb": rss_mb(), "units": len(result.dtm.units),
            "chars": seg["chars_cut"], "terms": len(result.dtm.vocab), "segment_setup": seg["setup_seconds"],
            "segment_cut": seg["cut_seconds"]}


def bare(units_file: str, overrides: list[str], segmenter: str) -> dict:
    """The same unit texts as the package run, cut by the bare segmenter (lexicon words added, the
    same stopwords dropped), counted by CountVectorizer, factorised by NMF with the same settings."""
    import numpy as np
    import stopwordsiso
    from topics.text.lexicon import builtin_text

    imports = preimport(segmenter)
    stages = {}
    t = time.perf_counter()
    texts = [json.loads(line) for line in open(units_file, encoding="utf-8")]
    stages["load"] = time.perf_counter() - t
    t = time.perf_counter()           # the stage: stopwords, lexicon, load the dictionary, add the lexicon, cut
    stop = set(stopwordsiso.stopwords("zh"))
    terms = [ln.split("\t")[0].replace("/", "") for ln in builtin_text("formulations.tsv").splitlines()
             if ln and not ln.startswith("#") and not ln.startswith("term\t")]
    cut = bare_cutter(segmenter, terms)
    setup = time.perf_counter() - t
    tokens = [[w for w in cut(s) if len(w) > 1 and w not in stop] for s in texts]
    stages["segment"] = time.perf_counter() - t
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
    t = time.perf_counter()
    counts = CountVectorizer(analyzer=lambda x: x, lowercase=False, min_df=2, max_df=0.5,
                             dtype=np.int32).fit_transform(tokens)
    stages["vectorize"] = time.perf_counter() - t
    from sklearn.decomposition import NMF
    t = time.perf_counter()
    NMF(n_components=20, init="nndsvda", max_iter=400, random_state=1).fit_transform(
        TfidfTransformer().fit_transform(counts))
    stages["fit"] = time.perf_counter() - t
    return {"imports": imports, "stages": stages, "segment_setup": setup, "peak_rss_mb": rss_mb(),
            "chars": sum(map(len, texts)), "units": len(texts)}


def _dtm(corpus: str):
    from topics.config import load_experiment
    from topics.pipeline import check
    from topics.text.segment import segment
    from topics.text.vectorize import vectorize

    config = load_experiment(ROOT / "experiments" / "baseline.toml",
                             [f"corpus.path={corpus}", "corpus.years=[]", "segment.engine=rjieba"])
    units = check(config).units
    return vectorize(segment(units, config.segment), config.vectorize), config


def fits(corpus: str, repeats: int = 3) -> dict:
    """Each engine's package fit beside its bare fit on the same matrix, ``repeats`` rounds taken
    in turn (package, bare, next engine ...); medians."""
    import statistics

    import numpy as np
    import tomotopy as tp
    from dataclasses import replace
    from gensim.matutils import Sparse2Corpus
    from gensim.models import LdaModel
    from sklearn.decomposition import NMF, LatentDirichletAllocation
    from sklearn.feature_extraction.text import TfidfTransformer
    from topics.models import ENGINES, fit

    dtm, config = _dtm(corpus)
    x = dtm.counts

    def model(engine, **params):
        return replace(config.model, engine=engine, n_topics=20,
                       params=tuple(sorted({**ENGINES[engine].defaults, **params}.items())))

    def gensim_bare():
        bow = list(Sparse2Corpus(x, documents_columns=False))
        lda = LdaModel(bow, num_topics=20, id2word={i: str(i) for i in range(x.shape[1])}, random_state=1,
                       passes=10, iterations=50, chunksize=len(bow), eval_every=None, dtype=np.float64)
        lda.inference(bow)

    def tomotopy_bare(workers):
        mdl = tp.LDAModel(k=20, alpha=0.1, eta=0.01, seed=1)
        for i in range(x.shape[0]):
            lo, hi = x.indptr[i], x.indptr[i + 1]
            mdl.add_doc([str(j) for j, c in zip(x.indices[lo:hi], x.data[lo:hi]) for _ in range(int(c))])
        mdl.train(500, workers=workers)
        return [d.get_topic_dist() for d in mdl.docs]

    pairs = [
        ("nmf", "max_iter 400", lambda: fit(dtm, model("nmf"), 1),
         lambda: NMF(20, init="nndsvda", max_iter=400, random_state=1).fit_transform(TfidfTransformer().fit_transform(x))),
        ("sklearn-lda", "batch, 10 iterations, 1 start", lambda: fit(dtm, model("sklearn-lda", max_iter=10, n_init=1), 1),
         lambda: LatentDirichletAllocation(20, learning_method="batch", max_iter=10, random_state=1).fit(x).transform(x)),
        ("gensim-lda", "10 passes, 50 iterations, 1 start",
         lambda: fit(dtm, model("gensim-lda", passes=10, iterations=50, n_init=1), 1), gensim_bare),
        *[("tomotopy-lda", f"500 iterations, {w} worker(s)", lambda w=w: fit(dtm, model("tomotopy-lda", workers=w), 1),
           lambda w=w: tomotopy_bare(w)) for w in (1, 2)]]
    times: dict = {}
    outputs: dict = {}
    for _ in range(repeats):
        for engine, settings, package_fit, bare_fit in pairs:
            for side, f in (("package", package_fit), ("bare", bare_fit)):
                t = time.perf_counter()
                out = f()
                times.setdefault((engine, settings, side), []).append(time.perf_counter() - t)
                if side == "package" and engine.startswith("tomotopy"):
                    outputs.setdefault(settings, []).append(out.doc_topic)
    rows = []
    for engine, settings, _, _ in pairs:
        row = {"engine": engine, "settings": settings, "repeats": repeats,
               **{side: statistics.median(times[(engine, settings, side)]) for side in ("package", "bare")}}
        if settings in outputs:
            row["deterministic"] = all(np.array_equal(outputs[settings][0], o) for o in outputs[settings][1:])
        rows.append(row)
    return {"rows": rows, "units": x.shape[0], "terms": x.shape[1]}


def sweep_speed(corpus: str) -> dict:
    import os
    from dataclasses import replace

    from distributed import LocalCluster
    from topics.analysis.sweep import sweep

    dtm, config = _dtm(corpus)
    config = replace(config, model=replace(config.model, params=tuple(sorted(
        {**dict(config.model.params), "passes": 5, "iterations": 50, "n_init": 1}.items()))),
        sweep=replace(config.sweep, k=(5, 10, 15, 20), seeds=2, n_init=0))
    workers = os.cpu_count() or 1

    def run(par):
        t = time.perf_counter()
        result = sweep(dtm, replace(config, parallel=par))
        return time.perf_counter() - t, result
    one, r1 = run(replace(config.parallel, workers=1, scheduler=""))
    many, r2 = run(replace(config.parallel, workers=workers, scheduler=""))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask, r3 = run(replace(config.parallel, workers=0, scheduler=cluster.scheduler_address))
    return {"what": "gensim LDA (5 passes, 1 start), K = 5, 10, 15, 20, 2 seeds: 8 fits", "workers": workers,
            "one": one, "many": many, "dask": dask, "same_pool": r1.rows == r2.rows and r1.runs == r2.runs,
            "same_dask": r1.rows == r3.rows and r1.runs == r3.runs}


def segmentation(corpus: str, variant: str, cache: Path) -> dict:
    """One cutting measurement in this fresh process, as a run would make it. ``variant``: "bare
    jieba" or "bare rjieba" (cut unit by unit, the dictionary loaded first; jieba HMM off, the
    package's default), or "ENGINE xN": the package's ``segment`` on a cold segmentation cache with
    N processes. Returns the seconds cutting, the seconds of the whole call and of the dictionary load."""
    import dataclasses

    from topics.config import load_experiment
    from topics.pipeline import check
    from topics.text.segment import segment

    cfg = load_experiment(ROOT / "benchmarks" / "bench.toml", [f"corpus.path={corpus}"])
    units = check(cfg).units
    texts = [u.text for u in units]
    if variant.startswith("bare"):
        t = time.perf_counter()
        cut = bare_cutter(variant.split()[1])
        load = time.perf_counter() - t
        t = time.perf_counter()
        for s in texts:
            cut(s)
        seconds = time.perf_counter() - t
        stage = load + seconds
    else:
        engine, workers = variant.split(" x")
        for f in cache.glob("segment-*"):
            f.unlink()                                      # a cold segmentation cache
        t = time.perf_counter()
        seg = segment(units, dataclasses.replace(cfg.segment, engine=engine), cache_dir=cache, workers=int(workers))
        stage = time.perf_counter() - t
        seconds, load = seg.info["cut_seconds"], seg.info["setup_seconds"]
    from topics.text.segment import PARALLEL_CHARS
    return {"chars": sum(map(len, texts)), "units": len(units), "seconds": seconds, "stage": stage, "load": load,
            "fork_from_chars": PARALLEL_CHARS}


if __name__ == "__main__":
    mode, corpus, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if mode == "package":
        out = package(corpus, extra, sys.argv[4])
    elif mode == "bare":
        out = bare(corpus, extra, sys.argv[4])
    elif mode == "fits":
        out = fits(corpus)
    elif mode == "segmentation":
        out = segmentation(corpus, sys.argv[4], Path(sys.argv[5]))
    else:
        out = sweep_speed(corpus)
    print(json.dumps(out))
