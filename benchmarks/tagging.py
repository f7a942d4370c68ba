"""Part-of-speech tags: the per-term dictionary lookup the vocabulary uses (topics/text/tagging.py),
against jieba.posseg cutting in context (HMM off and on) and rjieba's tagger, on a corpus.

    .venv/bin/python benchmarks/tagging.py [CORPUS_DIR]   (default: ../shared/corpora/gov_work_reports, else seeds/)

Prints, for each tagger, the share of tokens whose tag agrees with the lookup (tokens cut the same
way), and the seconds it took; writes nothing.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main(argv):
    from topics.config import load_experiment
    from topics.text.clean import clean_corpus
    from topics.text.corpus import load_corpus
    from topics.text.lexicon import load_lexicon
    from topics.text.segmenters import _jieba_tokenizer
    from topics.text.tagging import tag_terms
    from topics.text.units import split_units

    reports = ROOT.parent / "shared" / "corpora" / "gov_work_reports"
    corpus_dir = Path(argv[0]) if argv else (reports if reports.is_dir() else ROOT / "seeds")
    cfg = load_experiment(ROOT / "experiments" / "baseline.toml", [f"corpus.path={corpus_dir}", "corpus.years=[]"])
    units = split_units(clean_corpus(load_corpus(cfg.corpus), cfg.clean), cfg.units)
    lexicon = load_lexicon(cfg.segment)
    texts = [lexicon.fold(u.text) for u in units]
    print(f"{corpus_dir}: {len(texts)} units, {sum(map(len, texts)):,} characters")

    import jieba.posseg
    import rjieba

    tok = _jieba_tokenizer(lexicon, None)
    pos = jieba.posseg.POSTokenizer(tok)
    terms = frozenset(lexicon.terms)
    for hmm in (False, True):
        start = time.perf_counter()
        pairs = [(w, t) for text in texts for w, t in pos.lcut(text, HMM=hmm) if len(w) >= 2]
        seconds = time.perf_counter() - start
        lookup = tag_terms([w for w, _ in pairs], terms)
        same = sum(t == s for (_, t), s in zip(pairs, lookup))
        print(
            f"jieba.posseg in context, HMM {'on ' if hmm else 'off'}: {same / len(pairs):.4%} of {len(pairs):,} tokens agree with the lookup; {seconds:.1f} s"
        )
    r = rjieba.Jieba()
    from topics.text.segmenters import RJiebaSegmenter

    for word, freq, tag in RJiebaSegmenter(lexicon)._lexicon_calls():
        r.add_word(word, freq, tag)
    start = time.perf_counter()
    pairs = [(w, t) for text in texts for w, t in r.tag(text, False) if len(w) >= 2]
    seconds = time.perf_counter() - start
    lookup = tag_terms([w for w, _ in pairs], terms)
    same = sum(t == s for (_, t), s in zip(pairs, lookup))
    print(
        f"rjieba.tag, HMM off: {same / len(pairs):.4%} of {len(pairs):,} tokens agree with the lookup; {seconds:.1f} s"
    )
    start = time.perf_counter()
    vocab = sorted({w for w, _ in pairs})
    tag_terms(vocab, terms)
    print(f"lookup of {len(vocab):,} distinct terms: {time.perf_counter() - start:.2f} s (dictionary load included)")
    disagree = {}
    for (w, t), s in zip(pairs, lookup):
        if t != s:
            disagree[(w, t, s)] = disagree.get((w, t, s), 0) + 1
    for (w, t, s), n in sorted(disagree.items(), key=lambda kv: -kv[1])[:10]:
        print(f"  rjieba {w}/{t} vs lookup {s}: {n}")


if __name__ == "__main__":
    main(sys.argv[1:])
