"""One benchmark measurement in a fresh process; prints one JSON line. Called by bench.py:

    worker.py package CORPUS OVERRIDES_JSON OUT   # topics run, stage by stage; dumps the inputs of the bare run
    worker.py bare OUT CORPUS_JSON SEGMENTER      # every stage again with the bare libraries, on the same data
    worker.py render DASHBOARD _ [ROUNDS]         # the dashboard's first render in headless Chromium
    worker.py segmentation CORPUS _ VARIANT CACHE # one cutting measurement: bare jieba, rjieba, the package
    worker.py fits CORPUS _                       # package fit vs bare fit, per engine
    worker.py sweep CORPUS _                      # K sweep: 1 worker, all cores, Dask LocalCluster
    worker.py long FOLDER _ CHARS                 # topics check on one CHARS-character single-line document

Library imports (numpy, scipy, scikit-learn, stopwordsiso, the segmenter, gensim, pandas, plotly, matplotlib)
are done before any timing on both sides and reported apart; each side's segment stage includes loading its
dictionary. The bare side imports nothing from ``topics``: it reads the package run's output files (the
run folder, and units.jsonl / tokens.jsonl / bench_run.json that the package worker dumps beside it) and the
package's data files (topics/lexicon/*.tsv, topics/cues/*.tsv) as plain files.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
LEXICON = ROOT / "topics" / "lexicon"
CUES = ROOT / "topics" / "cues"
SEED = 20240501  # bench.toml's experiment seed (the bootstrap's seed: [uncertainty] seed is unset)
RESAMPLES = 200  # bench.toml [uncertainty] resamples
K = 20


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def preimport(segmenter: str) -> float:
    """Import the libraries both sides use before any timing, the same set on each side, and
    return the seconds it took (reported apart: a fixed cost of the process, not of the work)."""
    t = time.perf_counter()
    import numpy  # noqa: F401
    import scipy.interpolate  # noqa: F401
    import scipy.sparse  # noqa: F401
    import sklearn.decomposition  # noqa: F401
    import sklearn.feature_extraction.text  # noqa: F401
    import stopwordsiso  # noqa: F401
    import threadpoolctl  # noqa: F401

    __import__("rjieba" if segmenter == "rjieba" else "jieba")
    import gensim.corpora  # noqa: F401
    import gensim.models.coherencemodel  # noqa: F401
    import pandas  # noqa: F401
    import plotly.graph_objects as go
    import plotly.io  # noqa: F401
    import plotly.offline  # noqa: F401
    import plotly.subplots  # noqa: F401

    for name in ("Figure", "Scatter", "Bar", "Heatmap", "Layout"):  # plotly imports these lazily
        getattr(go, name)
    import matplotlib.backends.backend_agg  # noqa: F401
    import matplotlib.backends.backend_pdf  # noqa: F401
    import matplotlib.backends.backend_svg  # noqa: F401
    import matplotlib.figure  # noqa: F401
    import matplotlib.font_manager  # noqa: F401
    import matplotlib.ticker  # noqa: F401

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
    dtm = result.dtm
    with open(Path(out) / "units.jsonl", "w", encoding="utf-8") as f:  # the same texts for the bare run
        for u in dtm.units:
            f.write(json.dumps([u.text, u.doc_id, u.year], ensure_ascii=False) + "\n")
    with open(Path(out) / "tokens.jsonl", "w", encoding="utf-8") as f:  # the modelled tokens (coherence)
        for toks in dtm.texts():
            f.write(json.dumps(toks, ensure_ascii=False) + "\n")
    (Path(out) / "bench_run.json").write_text(
        json.dumps(
            {
                "run_dir": str(result.run_dir),
                "corpus": str(config.corpus.root),
                "vocab": list(dtm.vocab),
                "units_split": result.preparation.segment.get("units"),
                "seed": manifest["model"]["params"]["seed"],
                "blas_threads": manifest["model"].get("blas_threads_per_fit"),
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    seg = manifest["segment"]
    return {
        "cut_processes": seg["cut_processes"],
        "imports": imports,
        "stages": stages,
        "rss_after": rss,
        "peak_rss_mb": rss_mb(),
        "units": len(dtm.units),
        "chars": seg["chars_cut"],
        "terms": len(dtm.vocab),
        "segment_setup": seg["setup_seconds"],
        "segment_cut": seg["cut_seconds"],
        "metrics": {m: v["mean"] for m, v in result.metrics["coherence"].items()},
    }


# ====================================================================== the bare twins of every stage
# Each twin is the same work written with the plain libraries, on the same data: the package run's
# outputs are read before any timing (reading them is not a stage), then each stage is timed alone.

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_PUNCT = "，。、；：！？“”‘’《》（）【】〈〉「」『』…—"
SEP = r"[、，,.。；;·・\s“”‘’\"']{0,3}"


def tsv_rows(path: Path) -> list[list[str]]:
    """The rows of one of the package's data files: '#' comments and the header line skipped."""
    rows = [
        ln.split("\t") for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.startswith("#")
    ]
    return rows[1:]


def twin_load_corpus(root: Path):
    """csv.DictReader over metadata.csv; every listed file read, decoded, checked for Chinese
    characters, sha256 of its bytes and of its whitespace-folded text (duplicates), the folder's
    .txt files listed, and the corpus fingerprint (sheet digest + every (file, sha256))."""
    sheet = (root / "metadata.csv").read_bytes()
    rows = list(csv.DictReader(io.StringIO(sheet.decode("utf-8"), newline="")))
    han = re.compile(f"[{HAN}]")
    docs, seen = [], set()
    for row in rows:
        data = (root / row["file"].strip()).read_bytes()
        text = data.decode("utf-8")
        if not han.search(text):
            raise SystemExit(f"{row['file']}: no Chinese text")
        key = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
        if key in seen:
            raise SystemExit(f"{row['file']}: duplicate text")
        seen.add(key)
        docs.append(
            {
                "file": row["file"].strip(),
                "doc_id": Path(row["file"].strip()).stem,
                "year": int(row["year"]),
                "raw": text,
                "sha256": hashlib.sha256(data).hexdigest(),
            }
        )
    listed = {d["file"] for d in docs}
    if any(p.name not in listed for p in root.glob("*.txt")):
        raise SystemExit("unlisted .txt file")
    fp = hashlib.sha256(hashlib.sha256(sheet).hexdigest().encode())
    for d in sorted(docs, key=lambda d: d["file"]):
        fp.update(f"\n{d['file']}\t{d['sha256']}".encode("utf-8"))
    docs.sort(key=lambda d: (d["year"], d["file"]))
    return docs, fp.hexdigest()


class CleanRules:
    """Line-level boilerplate regexes and character normalisation substitutions, in the spirit of
    the package's (written here from scratch with ``re``)."""

    ads = re.compile(r"仅供学习|禁止外传|会员|[Qq]{2}群|订阅|倒卖|公众号|微信号|扫码关注|版权所有|转载请注明")
    footer = re.compile(
        r"本\w{0,8}(?:文档|文章|文件)由.{0,80}生成|因篇幅(?:问题|有限|原因).{0,20}(?:不能|无法)全部显示"
        r"|点此查看更多|(?:免费|完整版?)下载|下载全文|文档下载地址"
    )
    lost = re.compile(rf"(?:^|(?<=[\s,.;:!?()\[\]{CJK_PUNCT}]))[?？](?=[{HAN}])|\ufffd")
    punct = re.compile(rf"(?<=[{HAN}{CJK_PUNCT}])[,;:!?()]|[,;:!?()](?=[{HAN}{CJK_PUNCT}])")
    punct_map = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
    dot = re.compile(rf"(?<=[{HAN}'\"”’）)])\.(?=[{HAN}'\"“‘（(]|$)")
    quote = re.compile(rf"(?<=[{HAN}{CJK_PUNCT}])['\"]|['\"](?=[{HAN}{CJK_PUNCT}])")
    fullwidth = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
    placeholder = re.compile(
        rf"(?<=[{HAN}])[XxＸｘ×*＊]{{1,4}}(?![A-Za-z])|(?<![A-Za-z])[XxＸｘ×*＊]{{1,4}}(?=[{HAN}])"
    )
    space = re.compile(
        r"(?<![A-Za-z0-9])[ \t\u3000\u00a0\u2002-\u200b]+|[ \t\u3000\u00a0\u2002-\u200b]+(?![A-Za-z0-9])"
    )


def twin_clean(docs):
    """Per document: split on newlines; drop an advertising block at the top (marked lines among
    the first 30) and short footer/notice lines (regexes); strip each kept line and normalise it
    with re.subn (lost characters, ASCII and '.' punctuation, quotes, full-width letters and
    digits, placeholders, spaces), counting each rule's changes."""
    r = CleanRules
    out = []
    for d in docs:
        lines = d["raw"].replace("\r\n", "\n").replace("\r", "\n").split("\n")
        drop = set()
        first = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        if first is not None and r.ads.search(lines[first]):
            marked = [i for i in range(first, min(len(lines), first + 30)) if r.ads.search(lines[i])]
            drop.update(range(first, marked[-1] + 1))
        drop.update(i for i, ln in enumerate(lines) if len(ln) <= 120 and r.footer.search(ln))
        counts = dict.fromkeys(("lost", "punct", "dot", "quote", "fullwidth", "placeholder", "space"), 0)
        paras = []
        for i, line in enumerate(lines):
            original = line.strip(" \t\u3000\u00a0\ufeff")
            if i in drop or not original:
                continue
            text, n = r.lost.subn("□", original)
            counts["lost"] += n
            text, n = r.punct.subn(lambda m: r.punct_map[m.group()], text)
            counts["punct"] += n
            text, n = r.dot.subn("。", text)
            counts["dot"] += n
            text, n = r.quote.subn("“", text)
            counts["quote"] += n
            text, n = r.fullwidth.subn(lambda m: chr(ord(m.group()) - 0xFEE0), text)
            counts["fullwidth"] += n
            text, n = r.placeholder.subn(lambda m: "某" * len(m.group()), text)
            counts["placeholder"] += n
            text, n = r.space.subn("", text)
            counts["space"] += n
            paras.append((original, text))
        out.append({**d, "paragraphs": paras, "counts": counts, "removed": [lines[i] for i in sorted(drop)]})
    return out


SENTENCE_END = re.compile(r"[。！？；!?;…]+[”’」』）)]*")


def twin_split_units(cleaned, min_chars=20, max_chars=1000, run_chars=300):
    """Join paragraphs shorter than min_chars to the next (with a newline); cut a paragraph longer
    than max_chars into ceil(len / run_chars) runs at the sentence ends (regex) nearest to even
    shares of its length (bisect). Texts only: the original wording is kept per paragraph."""
    import bisect

    units = []
    for d in cleaned:
        joined, pending = [], None
        for original, text in d["paragraphs"]:
            if pending:
                original, text = pending[0] + "\n" + original, pending[1] + "\n" + text
                pending = None
            if len(text) < min_chars:
                pending = (original, text)
            else:
                joined.append((original, text))
        if pending:
            if joined:
                joined[-1] = (joined[-1][0] + "\n" + pending[0], joined[-1][1] + "\n" + pending[1])
            else:
                joined.append(pending)
        pos = 0
        for original, text in joined:
            pieces = [text]
            if len(text) > max_chars:
                n = math.ceil(len(text) / run_chars)
                ends = [m.end() for m in SENTENCE_END.finditer(text) if m.end() < len(text)]
                cuts = []
                for j in range(1, n):
                    target = j * len(text) / n
                    at = bisect.bisect_left(ends, target)
                    best = min((e for e in ends[max(0, at - 1) : at + 1]), key=lambda e: abs(e - target), default=None)
                    if best is not None and (not cuts or best > cuts[-1]):
                        cuts.append(best)
                edges = [0, *cuts, len(text)]
                pieces = [text[a:b] for a, b in zip(edges, edges[1:]) if b > a]
            for piece in pieces:
                units.append((f"{d['doc_id']}:{pos:04d}", d["doc_id"], d["year"], piece))
                pos += 1
    return units


def twin_evaluate(phi, vocab, texts, top_n=10, diversity_top_n=25):
    """gensim CoherenceModel (c_v, c_npmi; topn 10; one process) on the fitted topics' top words and
    the units' modelled tokens, with one Dictionary; topic diversity of the top 25 words."""
    import numpy as np
    from gensim.corpora import Dictionary
    from gensim.models import CoherenceModel

    order = np.argsort(-phi, axis=1, kind="stable")
    top = [[vocab[j] for j in row[:top_n]] for row in order]
    dictionary = Dictionary(texts)
    out = {}
    for measure in ("c_v", "c_npmi"):
        cm = CoherenceModel(topics=top, texts=texts, dictionary=dictionary, coherence=measure, topn=top_n, processes=1)
        per_topic = cm.get_coherence_per_topic()
        out[measure] = sum(per_topic) / len(per_topic)
    words = order[:, :diversity_top_n]
    out["diversity"] = len(np.unique(words)) / words.size
    return out


def twin_trends(theta, n_tok, year_idx, doc_idx, n_years, n_docs):
    """Token-weighted mean of the doc-topic rows by year and by document: a sparse indicator
    matrix (groups x units, token counts as weights) times theta, over the groups' token sums."""
    import numpy as np
    import scipy.sparse as sp

    n = len(n_tok)
    out = []
    for idx, g in ((year_idx, n_years), (doc_idx, n_docs)):
        m = sp.csr_matrix((n_tok, (idx, np.arange(n))), shape=(g, n))
        out.append((m @ theta) / np.asarray(m.sum(axis=1)))
    return out


def twin_uncertainty(theta, n_tok, year_idx, doc_idx, years, resamples=RESAMPLES, seed=SEED, level=0.95):
    """A two-stage bootstrap with numpy: within each year, documents drawn with replacement
    (multinomial copies), then within each drawn document its units (multinomial counts); the
    replicates' token-weighted year shares; quantiles; OLS slopes of every replicate and a scipy
    smoothing spline per topic (the penalty chosen by GCV on the point among 49, each penalty's
    spline built once by scipy as a linear map) applied to the point and every replicate, quantiles."""
    import numpy as np
    from scipy.interpolate import make_smoothing_spline

    rng = np.random.default_rng(seed)
    n = len(n_tok)
    groups = {}
    for i, (y, d) in enumerate(zip(year_idx, doc_idx)):
        groups.setdefault(y, {}).setdefault(d, []).append(i)
    struct = [[np.array(rows) for _, rows in sorted(groups[y].items())] for y in range(len(years))]
    w = np.zeros((resamples, n))
    for docs in struct:
        copies = (
            rng.multinomial(len(docs), [1 / len(docs)] * len(docs), size=resamples)
            if len(docs) > 1
            else np.ones((resamples, 1), dtype=np.int64)
        )
        for j, rows in enumerate(docs):
            w[:, rows] = rng.multinomial(copies[:, j] * len(rows), [1 / len(rows)] * len(rows))
    w *= n_tok
    reps = np.empty((resamples, len(years), theta.shape[1]))
    for yi, docs in enumerate(struct):
        rows = np.concatenate(docs)
        reps[:, yi] = (w[:, rows] @ theta[rows]) / w[:, rows].sum(axis=1, keepdims=True)
    alpha = (1 - level) / 2
    low, high = np.quantile(reps, [alpha, 1 - alpha], axis=0)
    x = np.asarray(years, dtype=float)
    xc = x - x.mean()
    slopes = np.einsum("y,ryk->rk", xc, reps) / (xc @ xc)
    slope_band = np.quantile(slopes, [alpha, 1 - alpha], axis=0)
    point = twin_trends(theta, n_tok, year_idx, doc_idx, len(years), max(doc_idx) + 1)[0]
    grid = np.arange(x[0], x[-1] + 1)
    splines = []
    if len(x) >= 5:  # cubic smoothing splines are linear in the data: one map per penalty, from scipy
        eye = np.eye(len(x))
        maps = [(s(x), s(grid)) for s in (make_smoothing_spline(x, eye, lam=lam) for lam in np.logspace(-4, 8, 49))]
        trace = np.array([np.trace(m) for m, _ in maps])
        for t in range(theta.shape[1]):
            y = point[:, t]
            gcv = [len(x) * np.sum((y - m @ y) ** 2) / (len(x) - tr) ** 2 for (m, _), tr in zip(maps, trace)]
            on_grid = maps[int(np.argmin(gcv))][1]  # the penalty GCV picks on the point, for every replicate
            band = np.clip(reps[:, :, t] @ on_grid.T, 0, 1)
            splines.append((np.clip(on_grid @ y, 0, 1), *np.quantile(band, [alpha, 1 - alpha], axis=0)))
    return low, high, slope_band, splines


def twin_theme_words(theta, phi, counts, year_idx, n_years, top_n=10):
    """Expected assignments per year: every count c[u, v] credited to topic k in proportion to
    theta[u, k] * phi[k, v] (scipy.sparse), summed over the year's units, normalised per topic;
    the top words per topic per year (argsort) and the words entering/leaving against the year before."""
    import numpy as np
    import scipy.sparse as sp

    rows_out, shifts = [], []
    tops = []
    for y in range(n_years):
        rows = np.flatnonzero(year_idx == y)
        coo = counts[rows].tocoo()
        th = theta[rows]
        denom = np.einsum("ik,ki->i", th[coo.row], phi[:, coo.col])
        r = sp.csr_matrix((coo.data / np.maximum(denom, 1e-300), (coo.row, coo.col)), shape=coo.shape)
        wk = np.asarray((r.T @ th).T) * phi
        wk /= np.maximum(wk.sum(axis=1, keepdims=True), 1e-300)
        top = np.argsort(-wk, axis=1, kind="stable")[:, :top_n]
        tops.append(top)
        rows_out.append(np.take_along_axis(wk, top, axis=1))
    for y in range(1, n_years):
        for k in range(phi.shape[0]):
            now, before = set(tops[y][k].tolist()), set(tops[y - 1][k].tolist())
            shifts.append((k, y, now - before, before - now))
    return tops, rows_out, shifts


def twin_formulations(cleaned, unit_docs, unit_tokens):
    """str.count of every lexicon term (formulations.tsv, '/' removed) in every document's cleaned
    text, a token count of each term per document (collections.Counter over the segmented tokens),
    and the per-year sums and rates per 10,000 characters."""
    from collections import Counter

    terms = [row[0].replace("/", "") for row in tsv_rows(LEXICON / "formulations.tsv")]
    tokens = {}
    for doc, toks in zip(unit_docs, unit_tokens):
        tokens.setdefault(doc, Counter()).update(toks)
    by_doc, by_year, chars_year = [], {}, {}
    for d in cleaned:
        text = "\0".join(t for _, t in d["paragraphs"])
        chars = len(text) - len(d["paragraphs"]) + 1
        chars_year[d["year"]] = chars_year.get(d["year"], 0) + chars
        tok = tokens.get(d["doc_id"], Counter())
        for term in terms:
            n_sub, n_tok = text.count(term), tok.get(term, 0)
            if n_sub or n_tok:
                by_doc.append((term, d["doc_id"], d["year"], n_sub, n_tok, 1e4 * n_sub / chars))
                acc = by_year.setdefault((term, d["year"]), [0, 0])
                acc[0] += n_sub
                acc[1] += n_tok
    rates = {key: 1e4 * v[0] / chars_year[key[1]] for key, v in by_year.items()}
    return by_doc, rates


def twin_date_audit(cleaned):
    """re.finditer of the cue patterns over every document's cleaned text: cues.tsv's first column
    ('/' as an optional separator), '<event>N周年' for anniversaries.tsv, '<congress>届<n>中' for
    plenums.tsv, and three explicit-year frames; each hit with its context."""
    patterns = [re.compile(SEP.join(re.escape(p) for p in row[0].split("/"))) for row in tsv_rows(CUES / "cues.tsv")]
    patterns += [
        re.compile(f"{re.escape(row[0])}(\\d{{1,3}}|[一二三四五六七八九十百两]{{1,4}})\\s*周年")
        for row in tsv_rows(CUES / "anniversaries.tsv")
    ]
    patterns += [
        re.compile(f"{row[0]}届(?:[一二三四五六七]中(?:全会)?[、和及，,]?)*{row[1]}中")
        for row in tsv_rows(CUES / "plenums.tsv")
    ]
    patterns += [
        re.compile(r"((?:19|20)\d\d)年是"),
        re.compile(r"在((?:19|20)\d\d)年[^。；;！!？?\n]{0,16}?(?:会议|大会)上的讲话"),
        re.compile(r"((?:19|20)\d\d)年以来"),
    ]
    found = []
    for d in cleaned:
        text = "\n".join(t for _, t in d["paragraphs"])
        for p in patterns:
            for m in p.finditer(text):
                s, e = m.span()
                found.append((d["file"], d["year"], m.group(), text[max(0, s - 12) : e + 12].replace("\n", " ")))
    return found


# ---------------------------------------------------------------------- write run
def dashboard_parts(path: Path) -> dict:
    """The package's dashboard.html (the overview page) taken apart (before any timing): the page head
    without plotly.js (with the "can and cannot say" section), each figure's section heading and its
    figure (data, layout, config parsed from the embedded Plotly.newPlot call), and the HTML after the
    figures (the quality table, links), verbatim. details.html and the topic pages are not rebuilt."""
    page = path.read_text(encoding="utf-8")
    js_start = page.index("<script>")
    js_end = page.index("</script>", js_start) + len("</script>")
    first = page.index('<section id="overview">')
    tail = page.index('<section id="quality">')
    decoder = json.JSONDecoder()
    figs = []
    for m in re.finditer(r'<section id="([^"]+)">(.*?)<div style="height', page[first:tail], re.S):
        key, heading = m.group(1), m.group(2)
        at = page.index("Plotly.newPlot(", first + m.end()) + len("Plotly.newPlot(")
        args = []
        for _ in range(4):  # div id, data, layout, config
            while page[at] in " \n\t,":
                at += 1
            value, at = decoder.raw_decode(page, at)
            args.append(value)
        figs.append(
            {"key": key, "heading": heading, "div_id": args[0], "data": args[1], "layout": args[2], "config": args[3]}
        )
    return {
        "head": page[:js_start] + page[js_end:first],
        "figures": figs,
        "tail": page[tail:],
        "bytes": len(page.encode("utf-8")),
    }


def static_inputs(run_dir: Path) -> dict:
    """The data behind the package's static figures, from its CSVs and manifest (before any timing)."""
    import numpy as np
    import pandas as pd

    trends = pd.read_csv(run_dir / "trends.csv")
    years = sorted(trends["year"].unique().tolist())
    k = int(trends["topic"].max())
    piv = {
        c: trends.pivot(index="year", columns="topic", values=c).to_numpy() for c in ("prevalence", "ci_low", "ci_high")
    }
    support = trends.groupby("year")["n_docs"].first().reindex(years).to_numpy()
    labels = trends.groupby("topic")["label"].first().to_dict()
    smooth = pd.read_csv(run_dir / "trend_smooth.csv")
    spline = {int(t): (g["year"].to_numpy(), g["fitted"].to_numpy()) for t, g in smooth.groupby("topic")}
    forms = pd.read_csv(run_dir / "formulations_by_year.csv", keep_default_na=False)
    chart = forms[forms["on_chart"].astype(str).str.lower() == "true"]
    series = [
        (term, g["year"].to_numpy(), g["rate_per_10k_chars"].to_numpy())
        for term, g in chart.groupby("term", sort=False)
    ]
    note = json.loads((run_dir / "manifest.json").read_text(encoding="utf-8"))["static_figures"]
    family = note.split("font: ", 1)[1].rsplit(" (", 1)[0] if note.startswith("font: ") else None
    formats = sorted({p.suffix[1:] for p in (run_dir / "figures").iterdir()}, key=["svg", "pdf", "png"].index)
    stems = sorted({p.stem for p in (run_dir / "figures").iterdir()})
    return {
        "years": np.array(years),
        "k": k,
        "point": piv["prevalence"],
        "low": piv["ci_low"],
        "high": piv["ci_high"],
        "thin": support == 1,
        "labels": labels,
        "spline": spline,
        "series": series,
        "family": family,
        "formats": formats,
        "dpi": 300,
        "stems": stems,
    }


PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#7f7f7f",
    "#bcbd22",
    "#393b79",
    "#ad494a",
    "#637939",
    "#8c6d31",
    "#7b4173",
    "#3182bd",
)


def static_figures(st: dict, folder: Path) -> list[str]:
    """matplotlib: the same figures (topic panels with interval bands, points and spline; yearly lines
    per topic; formulation rates), each savefig'd in the package's formats at 300 dpi, bbox tight,
    in its CJK font (path glyphs in SVG, Type 3 in PDF)."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator, PercentFormatter

    rc = {
        "svg.hashsalt": "bench",
        "pdf.fonttype": 3,
        "svg.fonttype": "path",
        "axes.unicode_minus": False,
        "font.size": 9,
        "axes.titlesize": 9,
        "legend.fontsize": 8,
        **({"font.family": [st["family"]], "font.sans-serif": [st["family"]]} if st["family"] else {}),
    }
    folder.mkdir()
    written = []

    def save(fig, stem):
        for fmt in st["formats"]:
            kw = {"svg": {"Date": None}, "pdf": {"CreationDate": None}}.get(fmt, {"Software": "bench"})
            fig.savefig(folder / f"{stem}.{fmt}", format=fmt, dpi=st["dpi"], bbox_inches="tight", metadata=kw)
            written.append(f"{stem}.{fmt}")

    def lines(series, ylabel, percent):
        fig = Figure(figsize=(8, 4.2))
        ax = fig.subplots()
        for label, xs, ys, colour in series:
            ax.plot(xs, ys, marker="o", ms=3, lw=1.3, color=colour, label=label)
        if percent:
            ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_ylabel(ylabel)
        ax.set_xlabel("year")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(alpha=0.3, lw=0.5)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), frameon=False)
        fig.tight_layout()
        return fig

    with matplotlib.rc_context(rc):
        k, years, thin = st["k"], st["years"], st["thin"]
        if "trend_bands" in st["stems"]:
            cols = 4 if k > 6 else min(k, 3)
            rows = -(-k // cols)
            fig = Figure(figsize=(2.6 * cols, 2.1 * rows + 0.5))
            axes = fig.subplots(rows, cols, sharex=True, squeeze=False)
            for t in range(1, k + 1):
                ax, c = axes[(t - 1) // cols][(t - 1) % cols], PALETTE[(t - 1) % len(PALETTE)]
                ax.fill_between(years, st["low"][:, t - 1], st["high"][:, t - 1], color=c, alpha=0.22, lw=0)
                ax.plot(years, st["point"][:, t - 1], color=c, lw=1.2)
                ax.scatter(years[~thin], st["point"][~thin, t - 1], color=c, s=10, zorder=3)
                ax.scatter(years[thin], st["point"][thin, t - 1], facecolor="white", edgecolor=c, s=10, zorder=3)
                if t in st["spline"]:
                    ax.plot(*st["spline"][t], color="#333333", lw=0.8, ls="--")
                ax.set_title(f"T{t} {st['labels'][t]}")
                ax.xaxis.set_major_locator(MaxNLocator(integer=True))
                ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
                ax.set_ylim(bottom=0)
                ax.grid(alpha=0.3, lw=0.5)
            for j in range(k, rows * cols):
                axes[j // cols][j % cols].set_visible(False)
            for ax in axes[-1]:
                ax.tick_params(axis="x", labelrotation=45)
            fig.suptitle(
                "Theme share by year, 95% bootstrap interval; dashed: smoothing spline; open markers: one document",
                fontsize=9,
            )
            fig.tight_layout()
            save(fig, "trend_bands")
        if "trend_lines" in st["stems"]:
            save(
                lines(
                    [
                        (f"T{t} {st['labels'][t]}", years, st["point"][:, t - 1], PALETTE[(t - 1) % len(PALETTE)])
                        for t in range(1, k + 1)
                    ],
                    "share of the year's tokens",
                    True,
                ),
                "trend_lines",
            )
        if "formulations" in st["stems"]:
            save(
                lines(
                    [(term, xs, ys, PALETTE[i % len(PALETTE)]) for i, (term, xs, ys) in enumerate(st["series"])],
                    "occurrences per 10,000 characters (substring count)",
                    False,
                ),
                "formulations",
            )
    return written


def write_inputs(run_dir: Path) -> dict:
    """Everything the run folder holds, read back before any timing: the CSVs as DataFrames (numbers
    parsed), the JSON files as objects, the text files as strings, the arrays, the dashboard's
    figures and the static figures' data."""
    import numpy as np
    import pandas as pd

    csvs = {p.name: pd.read_csv(p, keep_default_na=False) for p in sorted(run_dir.glob("*.csv"))}
    jsons = {
        name: json.loads((run_dir / name).read_text(encoding="utf-8"))
        for name in ("config.json", "metrics.json", "manifest.json", "result/result.json")
    }
    texts = {
        p.relative_to(run_dir).as_posix(): p.read_text(encoding="utf-8")
        for p in [run_dir / "config.toml", run_dir / "methods.md", *sorted((run_dir / "tables").glob("*"))]
    }
    arrays = {p.name: np.load(p, allow_pickle=False) for p in sorted((run_dir / "result" / "arrays").glob("*.npy"))}
    return {
        "csvs": csvs,
        "jsons": jsons,
        "texts": texts,
        "arrays": arrays,
        "dashboard": dashboard_parts(run_dir / "dashboard.html"),
        "static": static_inputs(run_dir),
    }


def twin_write_run(inp: dict, dest: Path) -> dict:
    """Write the run folder with the plain libraries into a staging folder renamed into place:
    DataFrame.to_csv of every table (6 decimals), json.dump of config, metrics, manifest and the
    saved result, the text files, matplotlib savefig of the static figures, the dashboard (a
    go.Figure from each figure's data and layout, plotly.io.to_html with plotly.js embedded once,
    the other HTML as it is), np.save of every array, and sha256 of every file written (the
    manifest's outputs). Returns the seconds of each part."""
    import numpy as np
    import plotly.graph_objects as go
    import plotly.io as pio

    parts = {}
    staging = dest.with_name(dest.name + ".staging")
    staging.mkdir(parents=True)
    t = time.perf_counter()
    for name, df in inp["csvs"].items():
        df.to_csv(staging / name, index=False, float_format="%.6f", lineterminator="\n")
    parts["csv"] = time.perf_counter() - t
    t = time.perf_counter()
    for name, obj in inp["jsons"].items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        with open(staging / name, "w", encoding="utf-8") as f:
            json.dump(obj, f, ensure_ascii=False, sort_keys=True, indent=1 if name.startswith("result/") else 2)
    (staging / "tables").mkdir()
    for name, text in inp["texts"].items():
        (staging / name).write_text(text, encoding="utf-8")
    parts["json and text"] = time.perf_counter() - t
    t = time.perf_counter()
    static_figures(inp["static"], staging / "figures")
    parts["matplotlib"] = time.perf_counter() - t
    t = time.perf_counter()
    dash = inp["dashboard"]
    body = []
    for i, f in enumerate(dash["figures"]):
        fig = go.Figure(data=f["data"], layout=f["layout"])
        body.append(
            f'<section id="{f["key"]}">{f["heading"]}'
            + pio.to_html(fig, full_html=False, include_plotlyjs=(i == 0), div_id=f["div_id"], config=f["config"])
            + "</section>\n"
        )
    page = dash["head"] + "".join(body) + dash["tail"]
    (staging / "dashboard.html").write_text(page, encoding="utf-8")
    parts["plotly"] = time.perf_counter() - t
    t = time.perf_counter()
    (staging / "result" / "arrays").mkdir(parents=True)
    for name, a in inp["arrays"].items():
        np.save(staging / "result" / "arrays" / name, a, allow_pickle=False)
    parts["arrays"] = time.perf_counter() - t
    t = time.perf_counter()
    outputs = {}
    for p in sorted(staging.rglob("*")):
        if p.is_file():
            outputs[p.relative_to(staging).as_posix()] = hashlib.sha256(p.read_bytes()).hexdigest()
    with open(staging / "manifest.json", "w", encoding="utf-8") as f:
        json.dump(
            {**inp["jsons"]["manifest.json"], "outputs": outputs}, f, ensure_ascii=False, sort_keys=True, indent=2
        )
    os.rename(staging, dest)
    parts["hashes and manifest"] = time.perf_counter() - t
    parts["dashboard_bytes"] = len(page.encode("utf-8"))
    return parts


def bare(out: str, corpus: str, segmenter: str) -> dict:
    """Every stage of the package run again with the bare libraries (see the twin_* functions), on
    the package run's data: its unit texts (cut by the bare segmenter, lexicon words added, the same
    stopwords dropped, counted by CountVectorizer, factorised by NMF with the same settings), its
    fitted doc-topic and topic-term arrays, its modelled tokens and its run folder's contents."""
    import numpy as np
    import scipy.sparse as sp
    import stopwordsiso

    imports = preimport(segmenter)
    out = Path(out)
    t = time.perf_counter()  # the package run's outputs: not timed
    info = json.loads((out / "bench_run.json").read_text(encoding="utf-8"))
    run_dir = Path(info["run_dir"])
    vocab = info["vocab"]
    units = [json.loads(line) for line in open(out / "units.jsonl", encoding="utf-8")]
    texts = [u[0] for u in units]
    unit_docs = [u[1] for u in units]
    modelled = [json.loads(line) for line in open(out / "tokens.jsonl", encoding="utf-8")]
    arrays = run_dir / "result" / "arrays"
    theta = np.load(arrays / "model.doc_topic.npy")
    phi = np.load(arrays / "model.topic_term.npy")
    counts = sp.csr_matrix(
        (
            np.load(arrays / "dtm.counts.data.npy"),
            np.load(arrays / "dtm.counts.indices.npy"),
            np.load(arrays / "dtm.counts.indptr.npy"),
        ),
        shape=(len(units), len(vocab)),
    )
    written = write_inputs(run_dir)
    inputs = time.perf_counter() - t
    stages, checks = {}, {}

    t = time.perf_counter()
    docs, fingerprint = twin_load_corpus(Path(corpus))
    stages["load corpus"] = time.perf_counter() - t
    t = time.perf_counter()
    cleaned = twin_clean(docs)
    stages["clean"] = time.perf_counter() - t
    t = time.perf_counter()
    bare_units = twin_split_units(cleaned)
    stages["split units"] = time.perf_counter() - t
    checks["units split (bare / package)"] = [len(bare_units), info.get("units_split")]

    t = time.perf_counter()  # the stage: stopwords, lexicon, load the dictionary, add the lexicon, cut
    stop = set(stopwordsiso.stopwords("zh"))
    terms = [row[0].replace("/", "") for row in tsv_rows(LEXICON / "formulations.tsv")]
    cut = bare_cutter(segmenter, terms)
    setup = time.perf_counter() - t
    tokens = [[w for w in cut(s) if len(w) > 1 and w not in stop] for s in texts]
    stages["segment"] = time.perf_counter() - t
    from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer

    t = time.perf_counter()
    bare_counts = CountVectorizer(
        analyzer=lambda x: x, lowercase=False, min_df=2, max_df=0.5, dtype=np.int32
    ).fit_transform(tokens)
    stages["vectorize"] = time.perf_counter() - t
    from sklearn.decomposition import NMF
    from threadpoolctl import threadpool_limits

    t = time.perf_counter()  # the package's seed, and one BLAS thread as the package fits (its manifest)
    with threadpool_limits(limits=info["blas_threads"]):
        NMF(n_components=K, init="nndsvda", max_iter=400, random_state=info["seed"]).fit_transform(
            TfidfTransformer().fit_transform(bare_counts)
        )
    stages["fit model"] = time.perf_counter() - t

    t = time.perf_counter()
    quality = twin_evaluate(phi, vocab, modelled)
    stages["evaluate"] = time.perf_counter() - t
    checks["coherence (bare)"] = quality

    years = sorted({u[2] for u in units})
    year_idx = np.searchsorted(years, [u[2] for u in units])
    doc_names = sorted(set(unit_docs))
    doc_idx = np.searchsorted(doc_names, unit_docs)
    t = time.perf_counter()
    n_tok = np.asarray(counts.sum(axis=1), dtype=float).ravel()
    by_year, _ = twin_trends(theta, n_tok, year_idx, doc_idx, len(years), len(doc_names))
    stages["trends"] = time.perf_counter() - t
    checks["trends max abs diff"] = float(np.abs(by_year - written["arrays"]["trends.matrix.npy"]).max())

    t = time.perf_counter()
    low, high, _, _ = twin_uncertainty(theta, n_tok, year_idx, doc_idx, years)
    stages["uncertainty"] = time.perf_counter() - t
    checks["band width median (bare, package)"] = [
        float(np.median(high - low)),
        float(np.median(written["arrays"]["findings.bands.high.npy"] - written["arrays"]["findings.bands.low.npy"])),
    ]

    t = time.perf_counter()
    tops, _, _ = twin_theme_words(theta, phi, counts, year_idx, len(years))
    stages["theme words"] = time.perf_counter() - t
    tw = written["csvs"]["theme_words.csv"]
    pkg_top = {(int(r.topic), int(r.year)): set() for r in tw.itertuples()}
    for r in tw.itertuples():
        pkg_top[(int(r.topic), int(r.year))].add(r.term)
    same = [
        len(pkg_top[(k + 1, y)] & {vocab[j] for j in tops[yi][k]}) / max(len(pkg_top[(k + 1, y)]), 1)
        for yi, y in enumerate(years)
        for k in range(phi.shape[0])
        if (k + 1, y) in pkg_top
    ]
    checks["theme words: share of the package's top words"] = float(np.mean(same))

    t = time.perf_counter()
    by_doc, _ = twin_formulations(cleaned, unit_docs, tokens)
    stages["formulations"] = time.perf_counter() - t
    checks["formulation rows (bare / package)"] = [len(by_doc), len(written["csvs"]["formulations_by_doc.csv"])]

    t = time.perf_counter()
    found = twin_date_audit(cleaned)
    stages["date audit"] = time.perf_counter() - t
    checks["date cue hits (bare / package evidence rows)"] = [len(found), len(written["csvs"]["date_audit.csv"])]

    import shutil

    shutil.rmtree(out / "bare-run", ignore_errors=True)
    t = time.perf_counter()
    parts = twin_write_run(written, out / "bare-run" / "bench")
    stages["write run"] = time.perf_counter() - t
    checks["dashboard bytes (bare / package)"] = [parts.pop("dashboard_bytes"), written["dashboard"]["bytes"]]
    return {
        "imports": imports,
        "inputs_seconds": inputs,
        "stages": stages,
        "write_parts": parts,
        "segment_setup": setup,
        "peak_rss_mb": rss_mb(),
        "chars": sum(map(len, texts)),
        "units": len(texts),
        "fingerprint": fingerprint,
        "checks": checks,
    }


# ---------------------------------------------------------------------- the dashboard in headless Chromium
WATCH = """(() => {
  const b = window.__bench = {done: false, frames: 0};
  const check = () => {
    b.frames++;
    const divs = document.querySelectorAll('.plotly-graph-div');
    if (document.readyState !== 'loading' && divs.length &&
        [...divs].every(d => d._fullLayout && d.querySelector('.main-svg'))) {
      b.render_ms = performance.now(); b.divs = divs.length; b.done = true; return;
    }
    requestAnimationFrame(check);
  };
  requestAnimationFrame(check);
})();"""


def _render_once(path: Path, timeout: float = 180.0) -> dict:
    """Open ``path`` in a fresh headless Chromium (new profile) over the DevTools pipe, as
    tests/browser.py does; a script injected before the page's own records performance.now() at the
    first animation frame where every .plotly-graph-div has drawn (its layout and SVG exist)."""
    import select
    import shutil
    import subprocess
    import tempfile

    profile = tempfile.mkdtemp(prefix="topics-bench-chromium-")
    to_r, to_w = os.pipe()
    from_r, from_w = os.pipe()

    def wire():
        a, b = os.dup(to_r), os.dup(from_w)
        os.dup2(a, 3)
        os.dup2(b, 4)

    proc = subprocess.Popen(
        [
            "/usr/bin/chromium",
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--disable-extensions",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--window-size=1300,2400",
            "about:blank",
        ],
        pass_fds=(3, 4, to_r, from_w),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire,
        start_new_session=True,
    )  # its own process group: its helpers end with it
    os.close(to_r)
    os.close(from_w)
    buf, ids = b"", [0]

    def send(method, params=None, session=None):
        nonlocal buf
        ids[0] += 1
        msg = {"id": ids[0], "method": method, "params": params or {}, **({"sessionId": session} if session else {})}
        os.write(to_w, json.dumps(msg).encode() + b"\0")
        end = time.time() + 60
        while time.time() < end:
            if select.select([from_r], [], [], 0.5)[0]:
                chunk = os.read(from_r, 1 << 20)
                if not chunk:
                    raise RuntimeError("Chromium closed the pipe")
                buf += chunk
                while b"\0" in buf:
                    raw, buf = buf.split(b"\0", 1)
                    reply = json.loads(raw)
                    if reply.get("id") == ids[0]:
                        if "error" in reply:
                            raise RuntimeError(reply["error"])
                        return reply.get("result", {})
        raise TimeoutError(method)

    try:
        target = send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        send("Page.enable", session=session)
        send("Runtime.enable", session=session)
        send("Page.addScriptToEvaluateOnNewDocument", {"source": WATCH}, session=session)
        start = time.perf_counter()
        send("Page.navigate", {"url": path.resolve().as_uri()}, session=session)
        end = time.time() + timeout
        value = {}
        while time.time() < end:
            value = send(
                "Runtime.evaluate",
                {"expression": "JSON.stringify(window.__bench || null)", "returnByValue": True},
                session=session,
            )["result"].get("value")
            value = json.loads(value) if value else {}
            if value.get("done"):
                break
            time.sleep(0.05)
        wall = time.perf_counter() - start
        if not value.get("done"):
            raise TimeoutError(f"the dashboard did not render within {timeout} s")
        time.sleep(0.3)
        nav = json.loads(
            send(
                "Runtime.evaluate",
                {
                    "expression": (
                        "JSON.stringify({dcl: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd, "
                        "load: performance.getEntriesByType('navigation')[0].loadEventEnd, "
                        "fcp: (performance.getEntriesByName('first-contentful-paint')[0] || {}).startTime || null})"
                    ),
                    "returnByValue": True,
                },
                session=session,
            )["result"]["value"]
        )
        return {"render_ms": value["render_ms"], "divs": value["divs"], "wall_s": wall, **nav}
    finally:
        import signal

        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the browser and the helpers it started, not others
        except ProcessLookupError:
            pass
        proc.wait()
        os.close(to_w)
        os.close(from_r)
        for _ in range(10):  # a helper may still be writing the profile
            shutil.rmtree(profile, ignore_errors=True)
            if not os.path.exists(profile):
                break
            time.sleep(0.2)


def render(dashboard: str, rounds: int = 3) -> dict:
    """The dashboard's first render, in ``rounds`` fresh Chromium processes and profiles; medians."""
    import statistics

    path = Path(dashboard)
    runs = [_render_once(path) for _ in range(rounds)]
    return {
        "rounds": rounds,
        "bytes": path.stat().st_size,
        "divs": runs[0]["divs"],
        **{
            k: statistics.median(r[k] for r in runs if r[k] is not None) for k in ("render_ms", "dcl", "load", "wall_s")
        },
        "fcp": statistics.median([r["fcp"] for r in runs if r["fcp"]] or [0]),
        "all_render_ms": [r["render_ms"] for r in runs],
    }


def _dtm(corpus: str):
    from topics.config import load_experiment
    from topics.pipeline import check
    from topics.text.segment import segment
    from topics.text.vectorize import vectorize

    config = load_experiment(
        ROOT / "experiments" / "baseline.toml", [f"corpus.path={corpus}", "corpus.years=[]", "segment.engine=rjieba"]
    )
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
        return replace(
            config.model,
            engine=engine,
            n_topics=20,
            params=tuple(sorted({**ENGINES[engine].defaults, **params}.items())),
        )

    def gensim_bare():
        bow = list(Sparse2Corpus(x, documents_columns=False))
        lda = LdaModel(
            bow,
            num_topics=20,
            id2word={i: str(i) for i in range(x.shape[1])},
            random_state=1,
            passes=10,
            iterations=50,
            chunksize=len(bow),
            eval_every=None,
            dtype=np.float64,
        )
        lda.inference(bow)

    def tomotopy_bare(workers):
        mdl = tp.LDAModel(k=20, alpha=0.1, eta=0.01, seed=1)
        for i in range(x.shape[0]):
            lo, hi = x.indptr[i], x.indptr[i + 1]
            mdl.add_doc([str(j) for j, c in zip(x.indices[lo:hi], x.data[lo:hi]) for _ in range(int(c))])
        mdl.train(500, workers=workers)
        return [d.get_topic_dist() for d in mdl.docs]

    pairs = [
        (
            "nmf",
            "max_iter 400",
            lambda: fit(dtm, model("nmf"), 1),
            lambda: NMF(20, init="nndsvda", max_iter=400, random_state=1).fit_transform(
                TfidfTransformer().fit_transform(x)
            ),
        ),
        (
            "sklearn-lda",
            "batch, 10 iterations, 1 start",
            lambda: fit(dtm, model("sklearn-lda", max_iter=10, n_init=1), 1),
            lambda: (
                LatentDirichletAllocation(20, learning_method="batch", max_iter=10, random_state=1).fit(x).transform(x)
            ),
        ),
        (
            "gensim-lda",
            "10 passes, 50 iterations, 1 start",
            lambda: fit(dtm, model("gensim-lda", passes=10, iterations=50, n_init=1), 1),
            gensim_bare,
        ),
        *[
            (
                "tomotopy-lda",
                f"500 iterations, {w} worker(s)",
                lambda w=w: fit(dtm, model("tomotopy-lda", workers=w), 1),
                lambda w=w: tomotopy_bare(w),
            )
            for w in (1, 2)
        ],
    ]
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
        row = {
            "engine": engine,
            "settings": settings,
            "repeats": repeats,
            **{side: statistics.median(times[(engine, settings, side)]) for side in ("package", "bare")},
        }
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
    config = replace(
        config,
        model=replace(
            config.model,
            params=tuple(sorted({**dict(config.model.params), "passes": 5, "iterations": 50, "n_init": 1}.items())),
        ),
        sweep=replace(config.sweep, k=(5, 10, 15, 20), seeds=2, n_init=0),
    )
    workers = os.cpu_count() or 1

    def run(par):
        t = time.perf_counter()
        result = sweep(dtm, replace(config, parallel=par))
        return time.perf_counter() - t, result

    one, r1 = run(replace(config.parallel, workers=1, scheduler=""))
    many, r2 = run(replace(config.parallel, workers=workers, scheduler=""))
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        dask, r3 = run(replace(config.parallel, workers=0, scheduler=cluster.scheduler_address))
    return {
        "what": "gensim LDA (5 passes, 1 start), K = 5, 10, 15, 20, 2 seeds: 8 fits",
        "workers": workers,
        "one": one,
        "many": many,
        "dask": dask,
        "same_pool": r1.rows == r2.rows and r1.runs == r2.runs,
        "same_dask": r1.rows == r3.rows and r1.runs == r3.runs,
    }


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
            f.unlink()  # a cold segmentation cache
        t = time.perf_counter()
        seg = segment(units, dataclasses.replace(cfg.segment, engine=engine), cache_dir=cache, workers=int(workers))
        stage = time.perf_counter() - t
        seconds, load = seg.info["cut_seconds"], seg.info["setup_seconds"]
    from topics.text.segment import PARALLEL_CHARS

    return {
        "chars": sum(map(len, texts)),
        "units": len(units),
        "seconds": seconds,
        "stage": stage,
        "load": load,
        "fork_from_chars": PARALLEL_CHARS,
    }


def long_line(folder: str, chars: int) -> dict:
    """``topics check`` stage by stage on a corpus of one document of ``chars`` characters without a
    line break (issue 15: 5 M characters took 364 s when splitting was quadratic)."""
    import topics
    from topics.analysis.dates import audit as audit_dates
    from topics.text.clean import clean_corpus
    from topics.text.corpus import load_corpus
    from topics.text.units import split_units

    root = Path(folder)
    root.mkdir(parents=True, exist_ok=True)
    sentence = "这是一个关于组织工作的句子，要坚持党的领导，加强干部队伍建设。"
    (root / "long.txt").write_text((sentence * (chars // len(sentence) + 1))[:chars], encoding="utf-8")
    (root / "metadata.csv").write_text("file,year,title\nlong.txt,2020,long\n", encoding="utf-8")
    config = topics.load_experiment(ROOT / "benchmarks" / "bench.toml", [f"corpus.path={root}"])
    stages = {}
    start = time.perf_counter()
    corpus = load_corpus(config.corpus)
    stages["load corpus"] = time.perf_counter() - start
    start = time.perf_counter()
    cleaned = clean_corpus(corpus, config.clean)
    stages["clean"] = time.perf_counter() - start
    start = time.perf_counter()
    units = split_units(cleaned, config.units)
    stages["split units"] = time.perf_counter() - start
    start = time.perf_counter()
    audit_dates(cleaned)
    stages["date audit"] = time.perf_counter() - start
    return {"chars": chars, "units": len(units), "stages": stages, "peak_rss_mb": rss_mb()}


if __name__ == "__main__":
    mode, corpus, extra = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    if mode == "package":
        out = package(corpus, extra, sys.argv[4])
    elif mode == "bare":
        out = bare(corpus, extra, sys.argv[4])
    elif mode == "render":
        out = render(corpus, int(sys.argv[4]) if len(sys.argv) > 4 else 3)
    elif mode == "fits":
        out = fits(corpus)
    elif mode == "segmentation":
        out = segmentation(corpus, sys.argv[4], Path(sys.argv[5]))
    elif mode == "long":
        out = long_line(corpus, int(sys.argv[4]))
    else:
        out = sweep_speed(corpus)
    print(json.dumps(out))
