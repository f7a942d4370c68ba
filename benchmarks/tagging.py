"""Part-of-speech tags: the per-term dictionary lookup the vocabulary uses (topics/text/tagging.py),
against jieba.posseg cutting in context (HMM off and on) and rjieba's tagger, on a corpus.

    .venv/bin/python benchmarks/tagging.py [CORPUS_DIR]   (default: ../shared/corpora/gov_work_reports, else seeds/)

Prints, for each tagger, the share of tokens whose tag agrees with the lookup (tokens cut the same
way), and the seconds it took; writes nothing.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NUMBER = re.compile(r"[\d.,:%％+\-/～~]+")
sys.path.insert(0, str(ROOT))


def main(argv):
    from topics.config import load_experiment
    from topics.text.clean import clean_corpus
    from topics.text.corpus import load_corpus
    from topics.text.lexicon import load_lexicon
    from topics.text.segmenters import _jieba_tokenizer
    from topics.text.segmenters import RJiebaSegmenter
    from topics.text.tagging import CONTENT_TAGS, tag_terms
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
    content = set(CONTENT_TAGS)

    def compare(name, cut):
        start = time.perf_counter()
        # tokens the segmenter keeps (two characters or more, not numbers: drop_numbers is the default)
        pairs = [(w, t) for text in texts for w, t in cut(text) if len(w) >= 2 and not NUMBER.fullmatch(w)]
        seconds = time.perf_counter() - start
        lookup = tag_terms([w for w, _ in pairs], terms)
        same = sum(t == s for (_, t), s in zip(pairs, lookup))
        # what the vocabulary decides: kept (a content tag, or a lexicon formulation) or not
        decided = sum((t in content or w in terms) == (s in content or w in terms) for (w, t), s in zip(pairs, lookup))
        print(
            f"{name}: tags agree on {same / len(pairs):.2%} of {len(pairs):,} tokens, the keep-or-drop decision "
            f"on {decided / len(pairs):.2%}; {seconds:.1f} s"
        )
        disagree: dict = {}
        for (w, t), s in zip(pairs, lookup):
            if (t in content or w in terms) != (s in content or w in terms):
                disagree[(w, t, s)] = disagree.get((w, t, s), 0) + 1
        top = sorted(disagree.items(), key=lambda kv: -kv[1])[:6]
        print("   decisions differ most on: " + ", ".join(f"{w} {t}/{s} x{n}" for (w, t, s), n in top))

    compare("jieba.posseg in context, HMM off", lambda text: pos.lcut(text, HMM=False))
    compare("jieba.posseg in context, HMM on ", lambda text: pos.lcut(text, HMM=True))
    r = rjieba.Jieba()
    for word, freq, tag in RJiebaSegmenter(lexicon)._lexicon_calls():
        r.add_word(word, freq, tag)
    compare("rjieba.tag, HMM off", lambda text: r.tag(text, False))
    start = time.perf_counter()
    vocab = sorted({w for text in texts for w in tok.lcut(text, HMM=False) if len(w) >= 2})
    tag_terms(vocab, terms)
    print(f"lookup of {len(vocab):,} distinct terms: {time.perf_counter() - start:.2f} s")


if __name__ == "__main__":
    main(sys.argv[1:])
