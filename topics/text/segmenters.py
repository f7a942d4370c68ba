"""Segmenters: jieba (the reference) and rjieba (jieba-rs, fast), each with the political lexicon.

Both load jieba's dictionary and add the lexicon's formulations by the same sequence of
``add_word`` calls with the same frequencies: the sequence is recorded from a private jieba
Tokenizer and replayed into rjieba, so both segment alike (a test measures the agreement).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from ..files import atomic_write
from .dictionary_cache import load_prefix_dict
from .lexicon import Lexicon, dist_version


def _jieba_tokenizer(lexicon, dict_cache_dir: Path | None, record: list | None = None):
    """A private jieba Tokenizer with the lexicon added; ``record`` collects every add_word call."""
    import jieba

    jieba.setLogLevel(logging.WARNING)

    class Recording(jieba.Tokenizer):
        def add_word(self, word, freq=None, tag=None):
            super().add_word(word, freq, tag)
            if record is not None:
                record.append((word, int(self.FREQ[word]), tag or "nz"))

    tok = Recording()
    # the prefix dictionary from the package's own checked cache (dictionary_cache.py), never jieba's
    tok.FREQ, tok.total = load_prefix_dict(tok, dict_cache_dir, dist_version("jieba"))
    tok.initialized = True
    # shorter terms first, so that a longer formulation is tuned against its parts as kept
    for term in sorted(lexicon.terms, key=lambda t: (len(t), t)):
        tok.add_word(term, freq=tok.suggest_freq(term, tune=False) + 1, tag="nz")
    for term in sorted(lexicon.terms, key=lambda t: (len(t), t)):
        tok.suggest_freq(term, tune=True)
    return tok


class JiebaSegmenter:
    """jieba with a private Tokenizer. Settings stored here; the dictionary loads on first use."""

    name = "jieba"

    def __init__(self, lexicon: Lexicon, hmm: bool = False, dict_cache_dir: Path | None = None):
        self.lexicon = lexicon
        self.hmm = hmm
        self.dict_cache_dir = dict_cache_dir
        self._tokenizer: Any = None  # jieba.Tokenizer or rjieba.Jieba, built on first use

    @property
    def version(self) -> str:
        return dist_version("jieba")

    def _build(self):
        return _jieba_tokenizer(self.lexicon, self.dict_cache_dir)

    def __getstate__(self):  # a worker process builds its own tokenizer
        return {**self.__dict__, "_tokenizer": None}

    def prepare(self) -> None:
        """Load the dictionary now (otherwise the first cut does)."""
        if self._tokenizer is None:
            self._tokenizer = self._build()

    def cut(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = self._build()
        return self._tokenizer.lcut(self.lexicon.fold(text), HMM=self.hmm)


class RJiebaSegmenter(JiebaSegmenter):
    """rjieba (Rust jieba-rs) with the same dictionary, lexicon words and frequencies as jieba."""

    name = "rjieba"

    @property
    def version(self) -> str:
        return f"rjieba {dist_version('rjieba')} (lexicon frequencies from jieba {dist_version('jieba')})"

    def _build(self):
        try:
            import rjieba
        except ImportError as exc:
            from ..errors import ConfigError

            raise ConfigError(
                "segment.engine = 'rjieba' needs the rjieba package, a dependency of topics that "
                "is missing here: pip install rjieba (or reinstall topics), "
                "or use engine = 'jieba'"
            ) from exc
        tok = rjieba.Jieba()
        for word, freq, tag in self._lexicon_calls():
            tok.add_word(word, freq, tag)
        return tok

    def _lexicon_calls(self) -> list:
        """jieba's add_word calls for the lexicon, recorded once per lexicon and jieba version and
        kept beside jieba's dictionary cache (a JSON list; rebuilt if unreadable)."""
        import hashlib
        import json

        key = hashlib.sha256(f"{self.lexicon.sha256} {dist_version('jieba')}".encode()).hexdigest()[:20]
        path = self.dict_cache_dir / f"lexicon-freq-{key}.json" if self.dict_cache_dir else None
        if path is not None and path.is_file():
            try:
                calls = json.loads(path.read_text(encoding="utf-8"))
                if all(isinstance(c, list) and len(c) == 3 and isinstance(c[1], int) for c in calls):
                    return calls
            except (OSError, ValueError):
                pass
        calls = []
        _jieba_tokenizer(self.lexicon, self.dict_cache_dir, record=calls)
        if path is not None:
            atomic_write(path, json.dumps(calls, ensure_ascii=False).encode("utf-8"))
        return calls

    def cut(self, text: str) -> list[str]:
        if self._tokenizer is None:
            self._tokenizer = self._build()
        return self._tokenizer.cut(self.lexicon.fold(text), self.hmm)


ENGINES = {"jieba": JiebaSegmenter, "rjieba": RJiebaSegmenter}
