"""Segmentation: a private jieba.Tokenizer loaded with the political lexicon, the token filter, a cache.

No global jieba state is touched: each run builds its own Tokenizer, adds the lexicon's
formulations so each stays one token, and folds variant spellings (不忘初心、牢记使命) into the
canonical form before cutting. Segmented units are cached on disk as numpy arrays (token ids per
unit and the vocabulary), keyed by the unit's text and by everything that changes the result
(lexicon, options, segmenter and its version). Stopwords are not removed here: the model's
vocabulary (text/vocabulary.py) removes them and records what it removed.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import tempfile
import time
from pathlib import Path

from .clean import HAN
from .cutting import remap
from ..config import SegmentConfig
from ..data import Segmented, Unit
from ..files import ordinary_permissions
from ..progress import steps
from .lexicon import load_lexicon
from .segmenters import ENGINES

SEGMENT_VERSION = 3  # bump when the token filter changes, to invalidate caches (3: stopwords left in)
_NUMBER = re.compile(r"[\d.,:%％+\-/～~]+")
_LATIN = re.compile(r"[A-Za-z][A-Za-z0-9.+\-]*")
_HAS_HAN = re.compile(f"[{HAN}]")


def keep_token(tok: str, cfg: SegmentConfig, stopwords: frozenset) -> bool:
    """The token filter: no punctuation, numbers, short tokens or stopwords."""
    if not tok or tok in stopwords:
        return False
    if len(tok) < cfg.min_chars:  # short: only a number can stay
        return not cfg.drop_numbers and _NUMBER.fullmatch(tok) is not None
    if _HAS_HAN.search(tok):
        return len(tok) >= cfg.min_chars
    if _LATIN.fullmatch(tok):
        return not cfg.drop_latin and len(tok) >= cfg.min_chars
    if _NUMBER.fullmatch(tok):
        return not cfg.drop_numbers
    return False


def kept_forms(words, cfg: SegmentConfig, stopwords: frozenset) -> list:
    """For each raw token, the form the vocabulary keeps (stripped of spaces), or None to drop it:
    ``keep_token`` over a whole vocabulary, with the common case (a Han word long enough and not a
    stopword) answered inline."""
    han, shortest = _HAS_HAN.search, cfg.min_chars
    return [
        w if (len(w) >= shortest and w not in stopwords and han(w)) or keep_token(w, cfg, stopwords) else None
        for w in map(str.strip, words)
    ]


PARALLEL_CHARS = {"jieba": 50_000, "rjieba": 150_000}  # less text than this: one process is faster (fork ~10 ms)


def segment(units: tuple[Unit, ...], cfg: SegmentConfig, cache_dir: Path | None = None, workers: int = 1) -> Segmented:
    """Tokens for every unit, shape-aligned with ``units``, as compact id arrays. Uses and updates
    the on-disk cache in ``cache_dir`` (None: no cache). Text is cut in ``workers`` processes when
    there is enough of it (``PARALLEL_CHARS``); each distinct text is cut once."""
    import numpy as np

    lexicon = load_lexicon(cfg)
    segmenter = ENGINES[cfg.engine](lexicon, hmm=cfg.hmm, dict_cache_dir=cache_dir / "jieba" if cache_dir else None)
    key = _cache_key(cfg, segmenter, lexicon)
    cache_file = cache_dir / f"segment-{key[:20]}.npz" if cache_dir else None
    cache = _read_cache(cache_file, key)  # text digest -> ids, in the cache's vocabulary
    index = {t: i for i, t in enumerate(cache.vocab)}  # the run's vocabulary starts as the cache's
    digests = [_text_key(unit.text) for unit in units]
    todo = {}
    for h, unit in zip(digests, units):
        if h not in cache.rows:
            todo.setdefault(h, unit.text)
    start = time.perf_counter()
    segmenter.prepare()  # load the dictionary (timed apart from cutting)
    setup = time.perf_counter() - start
    # texts are cut in shares, each returned filtered as its own vocabulary and int32 ids (from
    # this process or a forked one), so a large corpus never holds its tokens as strings
    pieces, lengths = [np.zeros(0, np.int32)], []
    texts = list(todo.values())
    chars = sum(map(len, texts))
    processes = workers if workers > 1 and chars >= PARALLEL_CHARS.get(segmenter.name, 0) else 1
    keep = functools.partial(kept_forms, cfg=cfg, stopwords=frozenset())  # stopwords: vocabulary.py
    with steps(len(texts), "segmentation", unit="units") as bar:
        for share_vocab, share_ids, share_lengths in _cut_shares(segmenter, texts, processes, keep):
            pieces.append(remap(index, share_vocab)[share_ids])
            lengths.extend(share_lengths)
            bar.advance(len(share_lengths))
    flat = np.concatenate(pieces)
    bounds = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    cut_seconds = time.perf_counter() - start - setup
    if len(todo) == len(digests):  # every unit cut here, each text once
        ids, offsets = flat, bounds
    else:
        row = {h: i for i, h in enumerate(todo)}
        pieces = [cache.ids_of(h) if h in cache.rows else flat[bounds[row[h]] : bounds[row[h] + 1]] for h in digests]
        ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
        offsets = np.concatenate([[0], np.cumsum([len(p) for p in pieces])]).astype(np.int64)
    vocab = tuple(index)
    if cache_file is not None and todo:
        _write_cache(cache_file, key, cache, list(todo), flat, bounds, vocab)
    info = {
        "engine": cfg.engine,
        "engine_version": segmenter.version,
        "lexicon_terms": len(lexicon.terms),
        "lexicon_sha256": lexicon.sha256,
        "cache_key": key,
        "setup_seconds": round(setup, 3),
        "cut_seconds": round(cut_seconds, 3),
        "chars_cut": chars,
        "cut_processes": processes,
    }
    return Segmented(
        units=tuple(units),
        ids=ids,
        offsets=offsets,
        vocab=vocab,
        cache_hits=sum(h in cache.rows for h in digests),
        info=info,
    )


STALE_SECONDS = 3600  # a temporary cache file this old belongs to no running writer


def _cut_shares(segmenter, texts: list[str], processes: int, keep):
    """Yield (vocabulary, int32 ids, tokens per text) for consecutive shares of texts, in order:
    in this process, or in ``processes`` forked ones (neither segmenter gains from threads: jieba
    is pure Python and rjieba holds the interpreter lock)."""
    from .cutting import can_fork, cut_rounds, split

    if processes <= 1 or can_fork():
        yield from cut_rounds(segmenter, texts, processes, keep)
    else:  # no fork: worker processes load their own dictionary
        import itertools
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=processes) as pool:
            yield from pool.map(
                _worker_cut_share, itertools.repeat(segmenter), split(texts, processes * 4), itertools.repeat(keep)
            )


_WORKER_SEGMENTERS: dict = {}


def _worker_cut_share(segmenter, texts, keep):
    """In a spawned worker process: reuse the segmenter (and its loaded dictionary) across shares."""
    from .cutting import cut_share

    key = (segmenter.name, segmenter.lexicon.sha256, segmenter.hmm)
    return cut_share(_WORKER_SEGMENTERS.setdefault(key, segmenter), texts, keep)


def _text_key(text: str) -> bytes:
    return hashlib.sha1(text.encode("utf-8")).digest()


def _cache_key(cfg, segmenter, lexicon) -> str:
    parts = {
        "segment_version": SEGMENT_VERSION,
        "engine": cfg.engine,
        "version": segmenter.version,
        "hmm": cfg.hmm,
        "min_chars": cfg.min_chars,
        "drop_numbers": cfg.drop_numbers,
        "drop_latin": cfg.drop_latin,
        "lexicon": lexicon.sha256,
    }
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


class _Cache:
    """A segmentation cache read from disk: digests (n, 20) -> rows of ids/offsets; vocab."""

    def __init__(self, digests=None, ids=None, offsets=None, vocab=()):
        import numpy as np

        self.ids = np.zeros(0, np.int32) if ids is None else ids
        self.offsets = np.zeros(1, np.int64) if offsets is None else offsets
        self.vocab = tuple(vocab)
        self.digests = np.zeros((0, 20), np.uint8) if digests is None else digests
        self.rows = {bytes(d): i for i, d in enumerate(self.digests)}

    def ids_of(self, digest: bytes):
        i = self.rows[digest]
        return self.ids[self.offsets[i] : self.offsets[i + 1]]


def _read_cache(path: Path | None, key: str) -> _Cache:
    """The cache, or an empty one when absent, unreadable, inconsistent or for another key (it is
    rebuilt then). numpy arrays only, read with allow_pickle=False: nothing is unpickled."""
    import numpy as np

    if path is None or not path.is_file():
        return _Cache()
    try:
        with np.load(path, allow_pickle=False) as z:
            if bytes(z["key"]).decode("ascii") != key:
                return _Cache()
            digests, ids, offsets = z["digests"], z["ids"], z["offsets"]
            vocab = bytes(z["vocab"]).decode("utf-8").split("\n") if len(z["vocab"]) else []
        ok = (
            digests.ndim == 2
            and digests.shape[1] == 20
            and len(offsets) == len(digests) + 1
            and offsets[0] == 0
            and offsets[-1] == len(ids)
            and np.all(np.diff(offsets) >= 0)
            and (len(ids) == 0 or (ids.min() >= 0 and ids.max() < len(vocab)))
        )
        return _Cache(digests, ids.astype(np.int32), offsets.astype(np.int64), vocab) if ok else _Cache()
    except (OSError, ValueError, KeyError, UnicodeDecodeError, EOFError):
        return _Cache()


def _write_cache(path: Path, key: str, old: _Cache, digests: list, ids, offsets, vocab: tuple) -> None:
    """Old entries plus fresh ones (text ``digests[i]`` has ``ids[offsets[i]:offsets[i + 1]]``), in the
    run's vocabulary (which extends the old one). Atomic: written to a temporary file beside the
    cache, then renamed over it."""
    import numpy as np

    digests = np.concatenate([old.digests, np.frombuffer(b"".join(digests), np.uint8).reshape(-1, 20)])
    ids = np.concatenate([old.ids, ids]).astype(np.int32)
    offsets = np.concatenate([old.offsets, old.offsets[-1] + offsets[1:]]).astype(np.int64)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in path.parent.glob(".segment-*.tmp.npz"):  # left by a run killed while writing
        if time.time() - stale.stat().st_mtime > STALE_SECONDS:
            stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".segment-", suffix=".tmp.npz", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            np.savez(
                f,
                key=np.frombuffer(key.encode("ascii"), np.uint8),
                digests=digests,
                ids=ids,
                offsets=offsets,
                vocab=np.frombuffer("\n".join(vocab).encode("utf-8"), np.uint8),
            )
        ordinary_permissions(Path(tmp), 0o666)
        os.replace(tmp, path)
    except BaseException as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, OSError) and exc.filename is None:  # a failed write names no file: name it
            raise OSError(exc.errno, exc.strerror, str(path)) from exc
        raise
