"""Cutting many texts: joined in small chunks, one call per chunk, shares of text per process.

A chunk's texts are joined with NUL (which no corpus text holds: the reader refuses NUL as
binary) and cut in one call; jieba and jieba-rs both cut a NUL out as a token of its own, so
the chunk's tokens are the texts' tokens with one NUL between neighbours, and the NULs give
back each text's length. Tokens are numbered as they come, into one vocabulary per share of
text. Chunks are small (about 20,000 characters) so that the tokens are still in the CPU's cache
when they are numbered, which measured faster than larger chunks.

On Linux, with more than one worker and enough text, the segmenter's dictionary is loaded once
and the process forks: each child inherits the loaded dictionary and the texts, cuts its share
and sends back (vocabulary, ids, lengths) as plain bytes over a pipe, nothing pickled, while the
parent cuts the first share itself. Results come back in text order, so the run's vocabulary
(the order tokens are first seen) is the same for any number of workers.
"""

from __future__ import annotations

import itertools
import os
import struct
import sys

from ..processes import die_with_parent

SEP = "\x00"
CHUNK_CHARS = 20_000  # text per call (see above)
ROUND_CHARS = 8_000_000  # text per worker per round of forks (bounds what a child holds to send)


def cut_chunk(cut, texts: list[str]):
    """Cut ``texts`` with ``cut`` (str -> list of tokens): (vocabulary in first-seen order,
    int32 ids into it of shape (n_tokens,), tokens per text)."""
    index = numbering()
    ids, lengths = _cut_into(cut, texts, index)
    return _finish(index, [ids], lengths)


def cut_share(segmenter, texts: list[str], keep=None):
    """Cut ``texts`` chunk by chunk into one vocabulary: (vocabulary in first-seen order, int32 ids
    of shape (n_tokens,), tokens per text). With ``keep`` (raw tokens -> for each, the form to keep
    or None to drop it) the tokens are filtered here, in the worker: the vocabulary holds kept forms."""
    import numpy as np

    index = numbering()
    pieces, lengths = [], []
    for chunk in chunks(texts):
        ids, chunk_lengths = _cut_into(segmenter.cut, chunk, index)
        pieces.append(ids)
        lengths.extend(chunk_lengths)
    if keep is None:
        return _finish(index, pieces, lengths)
    ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
    kept: dict = {}
    to_kept = np.fromiter(
        (-1 if f is None else kept.setdefault(f, len(kept)) for f in keep(list(index))), np.int32, len(index)
    )
    sep = _separator(index, ids)
    if sep is not None:
        to_kept[sep] = -1
    ids = to_kept[ids]
    mask = ids >= 0
    kept_before = np.concatenate([[0], np.cumsum(mask, dtype=np.int64)])
    per_text = np.diff(kept_before[np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])])
    return list(kept), ids[mask], per_text.tolist()


def _cut_into(cut, texts: list[str], index: dict):
    """Cut ``texts``, numbering tokens in ``index`` (a ``numbering()``, shared across calls):
    (int32 ids, tokens per text). Texts are joined with NUL and cut in one call; the NUL tokens
    give back the lengths and are dropped. One text, or a text holding NUL, is cut on its own."""
    import numpy as np

    number = index.__getitem__  # a token first seen takes the next id, in C
    if len(texts) > 1 and not any(SEP in t for t in texts):
        before = len(index)
        toks = cut(SEP.join(texts))
        ids = np.fromiter(map(number, toks), np.int32, len(toks))
        at = np.flatnonzero(ids == index[SEP]) if SEP in index else ()
        if len(at) == len(texts) - 1:
            lengths = np.diff(np.concatenate([[-1], at, [len(ids)]])) - 1
            return np.delete(ids, at), lengths.tolist()
        for word in list(itertools.islice(index, before, None)):  # a segmenter that merged a
            del index[word]  # NUL: undo, cut one by one
        index.default_factory = itertools.count(before).__next__
    out, lengths = [], []
    for text in texts:
        toks = cut(text)
        out.append(np.fromiter(map(number, toks), np.int32, len(toks)))
        lengths.append(len(toks))
    return (np.concatenate(out) if out else np.zeros(0, np.int32)), lengths


def numbering() -> dict:
    """An empty token -> id mapping in which looking up a new token gives it the next id."""
    import collections

    return collections.defaultdict(itertools.count().__next__)


def _finish(index: dict, pieces: list, lengths: list):
    """(vocabulary, ids, lengths), with the separator taken out of the vocabulary unless a text
    really held it."""
    import numpy as np

    ids = np.concatenate(pieces) if pieces else np.zeros(0, np.int32)
    vocab = list(index)
    sep = _separator(index, ids)
    if sep is not None:
        del vocab[sep]
        ids[ids > sep] -= 1
    return vocab, ids, lengths


def _separator(index: dict, ids) -> int | None:
    """The separator's id if ``index`` holds it only as the separator between joined texts (no
    token of a text is a NUL), else None."""
    import numpy as np

    sep = index.get(SEP)
    return sep if sep is not None and not np.any(ids == sep) else None


def remap(index: dict, vocab: list) -> "np.ndarray":
    """Ids in ``index`` for the words of ``vocab`` (distinct words), int32 of shape (len(vocab),).
    Words not yet in ``index`` are added with the next ids, in ``vocab`` order; all at C speed."""
    import numpy as np

    out = np.fromiter(map(index.get, vocab, itertools.repeat(-1)), np.int32, len(vocab))
    missing = np.flatnonzero(out < 0)
    if len(missing):
        start = len(index)
        index.update(zip(map(vocab.__getitem__, missing.tolist()), itertools.count(start)))
        out[missing] = np.arange(start, start + len(missing), dtype=np.int32)
    return out


def split(texts: list[str], n: int) -> list[list[str]]:
    """``texts`` in ``n`` consecutive parts of about equal characters (fewer if there are fewer texts)."""
    import numpy as np

    if not texts:
        return []
    cum = np.cumsum(np.fromiter(map(len, texts), np.int64, len(texts)))
    cuts = np.searchsorted(cum, [cum[-1] * k / n for k in range(1, n)], side="left").tolist()
    cuts = sorted({0, *cuts, len(texts)})
    return [texts[a:b] for a, b in zip(cuts, cuts[1:])]


def chunks(texts: list[str], chunk_chars: int | None = None) -> list[list[str]]:
    """Consecutive chunks of about equal characters, at most about ``chunk_chars`` each
    (default ``CHUNK_CHARS``)."""
    total = sum(map(len, texts))
    return split(texts, max(1, -(-total // (chunk_chars or CHUNK_CHARS))))


def can_fork() -> bool:
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def cut_rounds(segmenter, texts: list[str], workers: int, keep=None, round_chars: int | None = None):
    """Yield ``cut_share`` results (filtered by ``keep``) for consecutive shares of ``texts``, in
    text order. Each round of about ``round_chars`` characters per worker gives ``workers`` equal
    shares: the first is cut here, the others in forked children (``workers`` > 1, Linux), which
    inherit the loaded dictionary and send their results back when done."""
    segmenter.prepare()  # children inherit the loaded dictionary
    total = sum(map(len, texts))
    for round_texts in split(texts, max(1, -(-total // ((round_chars or ROUND_CHARS) * workers)))):
        shares = split(round_texts, workers)
        children = [_fork(segmenter, share, keep) for share in shares[1:]]
        # children whose share arrived are reaped at the end of the round, once the parent has used
        # their shares (a child's exit takes ms); not by a thread, as forking beside a live thread is
        # deprecated from Python 3.12
        sent = []
        try:
            yield cut_share(segmenter, shares[0], keep)
            while children:
                pid, fd = children.pop(0)
                result = _receive(pid, fd)  # (reaps the child itself when it fails)
                sent.append(pid)
                yield result
        finally:
            for pid, fd in children:  # stopped early or failed: end the children
                os.close(fd)
                _kill(pid)
                _wait(pid)
            for pid in sent:
                _wait(pid)


def _fork(segmenter, share, keep):
    read_fd, write_fd = os.pipe()
    parent = os.getpid()
    pid = os.fork()
    if pid == 0:  # the child: cut, send, exit (no cleanup)
        status = 1
        try:
            die_with_parent(parent)
            os.close(read_fd)
            payload = _encode(*cut_share(segmenter, share, keep))
            with os.fdopen(write_fd, "wb") as out:
                out.write(b"\x00" + payload)
            status = 0
        except BaseException as exc:  # noqa: BLE001 - reported to the parent
            try:
                os.write(write_fd, b"\x01" + f"{type(exc).__name__}: {exc}".encode("utf-8", "replace"))
            except OSError:
                pass
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def _receive(pid: int, fd: int):
    """The share a child sent (closing ``fd``). If there is none, the child is reaped (killed first
    if it is still running) and a WorkerError says why."""
    try:
        with os.fdopen(fd, "rb") as f:
            data = f.read()
        if data[:1] == b"\x00":
            try:
                return _decode(data, 1)
            except (ValueError, struct.error):  # cut short: the child died while sending
                pass
    except BaseException:  # interrupted while reading
        _kill(pid)
        _wait(pid)
        raise
    status = _wait(pid)
    from ..errors import WorkerError

    if data[:1] == b"\x01":
        raise WorkerError(
            f"a segmentation worker process failed: {data[1:].decode('utf-8', 'replace')}; "
            "set parallel.workers = 1 (or --workers 1) to cut in one process"
        )
    raise WorkerError(
        f"a segmentation worker process died or sent an incomplete result (exit status {status}, "
        "often the system ending it for lack of memory); run again, or set parallel.workers = 1 "
        "(or --workers 1) to cut in one process"
    )


def _kill(pid: int) -> None:
    import signal

    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def _wait(pid: int) -> int | None:
    """Reap a child: its exit code (negative: the signal that ended it), or None if already reaped."""
    try:
        return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])
    except ChildProcessError:
        return None


def _encode(vocab, ids, lengths) -> bytes:
    """A share's result as bytes: counts, word lengths (characters), tokens per text, ids, then the
    words joined, in UTF-8."""
    import numpy as np

    sizes = np.fromiter(map(len, vocab), np.int64, len(vocab))
    lens = np.asarray(lengths, np.int64)
    head = struct.pack("<QQQ", len(vocab), len(ids), len(lens))
    return (
        head
        + sizes.tobytes()
        + lens.tobytes()
        + np.ascontiguousarray(ids, np.int32).tobytes()
        + "".join(vocab).encode("utf-8", "surrogatepass")
    )


def _decode(data: bytes, at: int = 0):
    import numpy as np

    n_words, n_ids, n_lens = struct.unpack_from("<QQQ", data, at)
    at += 24
    ends = np.cumsum(np.frombuffer(data, np.int64, n_words, at)).tolist()
    at += 8 * n_words
    lengths = np.frombuffer(data, np.int64, n_lens, at).tolist()
    at += 8 * n_lens
    ids = np.frombuffer(data, np.int32, n_ids, at).copy()
    at += 4 * n_ids
    words = data[at:].decode("utf-8", "surrogatepass")
    if len(words) != (ends[-1] if ends else 0):
        raise ValueError("the words are cut short")
    vocab = list(map(words.__getitem__, map(slice, [0, *ends[:-1]], ends)))
    return vocab, ids, lengths
