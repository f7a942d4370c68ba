"""jieba's prefix dictionary, cached by the package rather than by jieba.

jieba's own cache (``jieba.cache``) is loaded without any check and is keyed by nothing, so a
changed or truncated file would change every token while the run id stays the same; and jieba
writes it with a traceback on a full disk, leaving its temporary file behind. Here the cache file
is named by the dictionary's sha256 and jieba's version, and it records both beside the sha256 of
its payload (a ``marshal`` dump of jieba's ``(FREQ, total)``, as jieba itself writes). A file that
does not match in every respect is rebuilt from the dictionary; it is written atomically
(:func:`topics.files.atomic_write`).
"""

from __future__ import annotations

import hashlib
import json
import marshal
from pathlib import Path

from ..files import atomic_write

MAGIC = b"topics-jieba-dict 1\n"  # first line of a cache file; the second is its JSON record


def dictionary_bytes(tokenizer) -> bytes:
    """The bytes of the dictionary ``tokenizer`` (a jieba.Tokenizer) loads (jieba's dict.txt by default)."""
    with tokenizer.get_dict_file() as f:
        return f.read()


def cache_path(folder: Path, dictionary_sha256: str, jieba_version: str) -> Path:
    return folder / f"dict-{dictionary_sha256[:16]}-jieba-{jieba_version}.cache"


def load_prefix_dict(tokenizer, folder: Path | None, jieba_version: str) -> tuple[dict, int]:
    """jieba's ``(FREQ, total)`` for ``tokenizer``'s dictionary: from the cache in ``folder`` when it
    matches the dictionary's sha256, the jieba version and its own payload hash, else built from
    the dictionary (and, with a folder, written to the cache)."""
    import io

    data = dictionary_bytes(tokenizer)
    digest = hashlib.sha256(data).hexdigest()
    path = cache_path(folder, digest, jieba_version) if folder is not None else None
    if path is not None:
        cached = read(path, digest, jieba_version)
        if cached is not None:
            return cached
    freq, total = tokenizer.gen_pfdict(io.BytesIO(data))
    if path is not None:
        atomic_write(path, encode(freq, total, digest, jieba_version))
    return freq, total


def encode(freq: dict, total: int, dictionary_sha256: str, jieba_version: str) -> bytes:
    payload = marshal.dumps((freq, total))
    record = {
        "dictionary_sha256": dictionary_sha256,
        "jieba": jieba_version,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    return MAGIC + json.dumps(record, sort_keys=True).encode("ascii") + b"\n" + payload


def read(path: Path, dictionary_sha256: str, jieba_version: str) -> tuple[dict, int] | None:
    """The cached ``(FREQ, total)``, or None when the file is absent, unreadable, for another
    dictionary or jieba version, or changed since it was written (payload hash)."""
    try:
        blob = path.read_bytes()
    except OSError:
        return None
    if not blob.startswith(MAGIC):
        return None
    line, sep, payload = blob[len(MAGIC) :].partition(b"\n")
    try:
        record = json.loads(line)
    except ValueError:
        return None
    expected = {
        "dictionary_sha256": dictionary_sha256,
        "jieba": jieba_version,
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    if not sep or record != expected:
        return None
    try:
        freq, total = marshal.loads(payload)
    except (ValueError, EOFError, TypeError):
        return None
    if not isinstance(freq, dict) or not isinstance(total, int):
        return None
    return freq, total
