"""Cutting many texts: joined into chunks, each chunk cut in one call, chunks shared among processes.

A chunk's texts are joined with NUL (which no corpus text holds: the reader refuses NUL as
binary) and cut in one call; jieba and jieba-rs both cut a NUL out as a token of its own, so
the chunk's tokens are the texts' tokens with one NUL between neighbours, and the NULs give
back each text's length. The tokens become a small vocabulary and int32 ids at C speed.

On Linux, with more than one worker and enough text, the segmenter's dictionary is loaded once
and the process forks: each child inherits the loaded dictionary and the texts, cuts its share
and sends back (vocabulary, ids, lengths) as plain bytes over a pipe, nothing pickled, while the
parent cuts the first share itself. Results come back in text order, so the run's vocabulary
(the order tokens are first seen) is the same for any number of workers.
"""
from __future__ import annotations

import os
import struct
import sys

SEP = "\x00"
CHUNK_CHARS = 100_000        # text per call: smaller chunks cut a little faster (caches) and bound memory
ROUND_CHARS = 8_000_000      # text per worker per round of forks (bounds what a child holds to send)


def cut_chunk(cut, texts: list[str]):
    """Cut ``texts`` with ``cut`` (str -> list of tokens): (vocabulary in first-seen order,
    int32 ids into it of shape (n_tokens,), tokens per text)."""
    import numpy as np

    if not texts:
        return [], np.zeros(0, np.int32), []
    if len(texts) > 1 and not any(SEP in t for t in texts):
        toks = cut(SEP.join(texts))
        index = dict.fromkeys(toks)                       # C speed: one hash per token
        for i, t in enumerate(index):
            index[t] = i
        ids = np.fromiter(map(index.__getitem__, toks), np.int32, len(toks))
        sep = index.get(SEP)
        at = np.flatnonzero(ids == sep) if sep is not None else np.zeros(0, np.intp)
        if len(at) == len(texts) - 1:
            lengths = np.diff(np.concatenate([[-1], at, [len(ids)]])) - 1
            vocab = list(index)
            if sep is not None:          # drop the separator and close the gap it leaves
                ids = ids[ids != sep]
                ids[ids > sep] -= 1
                del vocab[sep]
            return vocab, ids, lengths.tolist()
    index, ids, lengths = {}, [], []     # one text, or a text holding NUL: cut one by one
    for text in texts:
        toks = cut(text)
        ids.extend(index.setdefault(t, len(index)) for t in toks)
        lengths.append(len(toks))
    return list(index), np.array(ids, dtype=np.int32), lengths


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


def cut_forked(segmenter, texts: list[str], workers: int, round_chars: int | None = None):
    """Yield ``segmenter.cut_chunk`` results for consecutive chunks of ``texts``, in text order.
    Each round gives ``workers`` equal shares of text: the first is cut here, the others in forked
    children, which inherit the loaded dictionary and send their results back when done."""
    segmenter.prepare()                                  # children inherit the loaded dictionary
    total = sum(map(len, texts))
    for round_texts in split(texts, max(1, -(-total // ((round_chars or ROUND_CHARS) * workers)))):
        shares = split(round_texts, workers)
        children = [_fork(segmenter, share) for share in shares[1:]]
        try:
            for chunk in chunks(shares[0]):
                yield segmenter.cut_chunk(chunk)
            while children:
                pid, fd = children[0]
                results = _receive(pid, fd)
                children.pop(0)
                yield from results
        finally:
            for pid, fd in children:                     # stopped early or failed: end the children
                _reap(pid, fd, kill=True)


def _fork(segmenter, share):
    read_fd, write_fd = os.pipe()
    pid = os.fork()
    if pid == 0:                                         # the child: cut, send, exit (no cleanup)
        status = 1
        try:
            os.close(read_fd)
            payload = b"".join(_encode(*segmenter.cut_chunk(chunk)) for chunk in chunks(share))
            with os.fdopen(write_fd, "wb") as out:
                out.write(b"\x00" + payload)
            status = 0
        except BaseException as exc:                     # noqa: BLE001 - reported to the parent
            try:
                os.write(write_fd, b"\x01" + f"{type(exc).__name__}: {exc}".encode("utf-8", "replace"))
            except OSError:
                pass
        finally:
            os._exit(status)
    os.close(write_fd)
    return pid, read_fd


def _receive(pid: int, fd: int):
    with os.fdopen(fd, "rb") as f:
        data = f.read()
    _, status = os.waitpid(pid, 0)
    if data[:1] == b"\x00" and os.waitstatus_to_exitcode(status) == 0:
        return _decode_all(data)
    if data[:1] == b"\x01":
        raise RuntimeError(f"a segmentation worker process failed: {data[1:].decode('utf-8', 'replace')}")
    raise RuntimeError(f"a segmentation worker process died (exit status {os.waitstatus_to_exitcode(status)}); "
                       "run again, or set parallel.workers = 1")


def _reap(pid: int, fd: int, kill: bool) -> None:
    import signal
    try:
        os.close(fd)
    except OSError:
        pass
    if kill:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass


def _encode(vocab, ids, lengths) -> bytes:
    """One chunk's result as bytes: counts, word sizes, lengths, ids, then the words in UTF-8."""
    import numpy as np
    words = [w.encode("utf-8", "surrogatepass") for w in vocab]
    sizes = np.fromiter(map(len, words), np.int64, len(words))
    lens = np.asarray(lengths, np.int64)
    body = sizes.tobytes() + lens.tobytes() + np.ascontiguousarray(ids, np.int32).tobytes() + b"".join(words)
    return struct.pack("<QQQQ", len(body), len(words), len(ids), len(lens)) + body


def _decode_all(data: bytes) -> list:
    out, at = [], 1                                      # after the status byte
    while at < len(data):
        size = struct.unpack_from("<Q", data, at)[0]
        out.append(_decode(data, at + 8))
        at += 32 + size
    return out


def _decode(data: bytes, at: int):
    import numpy as np
    n_words, n_ids, n_lens = struct.unpack_from("<QQQ", data, at)
    at += 24
    sizes = np.frombuffer(data, np.int64, n_words, at)
    at += 8 * n_words
    lengths = np.frombuffer(data, np.int64, n_lens, at).tolist()
    at += 8 * n_lens
    ids = np.frombuffer(data, np.int32, n_ids, at).copy()
    at += 4 * n_ids
    ends = (at + np.cumsum(sizes)).tolist()
    starts = [at, *ends[:-1]]
    vocab = [data[a:b].decode("utf-8", "surrogatepass") for a, b in zip(starts, ends)]
    return vocab, ids, lengths
