"""Read a corpus folder: UTF-8 .txt files plus a metadata sheet with at least ``file`` and ``year``.

Every problem is collected and reported at once, each naming the file.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from .config import CorpusConfig
from .data import Corpus, Document
from .errors import CorpusError

REQUIRED_COLUMNS = ("file", "year")
_YEAR = re.compile(r"\s*(\d{4})\s*")


def load_corpus(cfg: CorpusConfig) -> Corpus:
    """Validate the folder and return its documents sorted by (year, file).

    Raises CorpusError listing: a missing folder or sheet, missing columns, rows without a file,
    files listed twice, listed files that do not exist, .txt files that are not listed, years that
    are not four-digit numbers, texts that cannot be decoded, empty texts, duplicate texts."""
    root = cfg.root
    sheet = root / cfg.metadata
    if not root.is_dir():
        raise CorpusError(f"corpus folder {str(root)!r} not found; set [corpus] path to a folder "
                          f"holding .txt files and {cfg.metadata}")
    if not sheet.is_file():
        raise CorpusError(f"metadata sheet {str(sheet)!r} not found; add a CSV with at least the "
                          f"columns file and year (one row per .txt file)")
    sheet_bytes = sheet.read_bytes()
    rows, problems = _read_sheet(sheet_bytes, sheet.name)
    if problems:
        raise CorpusError(problems, source=str(root))

    documents, seen_files, by_text = [], set(), {}
    for line_no, row in rows:
        name = (row.get("file") or "").strip()
        where = f"{sheet.name} line {line_no}"
        if not name:
            problems.append(f"{where}: the file column is empty; name a .txt file in {root}")
            continue
        if name in seen_files:
            problems.append(f"{where}: {name} is listed twice; keep one row per file")
            continue
        seen_files.add(name)
        path = root / name
        if Path(name).name != name or not path.is_file():
            problems.append(f"{name}: listed in {sheet.name} (line {line_no}) but no such file in {root}")
            continue
        year_text = row.get("year") or ""
        match = _YEAR.fullmatch(year_text)
        if not match:
            problems.append(f"{name}: year {year_text!r} ({where}) is not a four-digit year")
            continue
        data = path.read_bytes()
        try:
            text = data.decode(cfg.encoding)
        except UnicodeDecodeError as exc:
            problems.append(f"{name}: cannot be read as {cfg.encoding} (byte {exc.start}); save it as "
                            f"UTF-8 or set [corpus] encoding to the file's encoding")
            continue
        text = text.removeprefix("\ufeff")
        if not text.strip():
            problems.append(f"{name}: the text is empty; remove its row or add the text")
            continue
        key = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
        if key in by_text:
            problems.append(f"{name}: same text as {by_text[key]}; remove one of them")
            continue
        by_text[key] = name
        meta = tuple((k, (v or "").strip()) for k, v in row.items()
                     if k not in REQUIRED_COLUMNS and k is not None)
        documents.append(Document(doc_id=Path(name).stem, file=name, year=int(match.group(1)),
                                  raw=text, sha256=hashlib.sha256(data).hexdigest(), meta=meta))

    on_disk = sorted(p.name for p in root.glob("*.txt"))
    for name in on_disk:
        if name not in seen_files:
            problems.append(f"{name}: a .txt file in the corpus folder with no row in {sheet.name}; "
                            f"add a row (file, year, ...) or move the file out")
    stems = {}
    for doc in documents:
        if doc.doc_id in stems:
            problems.append(f"{doc.file}: same name without extension as {stems[doc.doc_id]}; rename one")
        stems[doc.doc_id] = doc.file
    if problems:
        raise CorpusError(problems, source=str(root))

    kept, excluded = _filter_years(documents, cfg.years)
    if not kept:
        first, last = cfg.years
        raise CorpusError(f"no document has a year in {first}-{last}; widen [corpus] years or "
                          f"set it to [] for all years", source=str(root))
    kept.sort(key=lambda d: (d.year, d.file))
    return Corpus(root=root, documents=tuple(kept),
                  fingerprint=fingerprint(sheet_bytes, documents),
                  metadata_sha256=hashlib.sha256(sheet_bytes).hexdigest(),
                  excluded=tuple(excluded))


def _read_sheet(data: bytes, name: str):
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [f"{name}: not UTF-8 text (byte {exc.start}); save the sheet as 'CSV UTF-8'"]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [], [f"{name}: missing column(s) {', '.join(missing)}; the first row must name the "
                    f"columns, at least: file,year (found: {', '.join(columns) or 'nothing'})"]
    rows = [(reader.line_num, row) for row in reader if any((v or "").strip() for v in row.values()
                                                            if isinstance(v, str))]
    return rows, []


def _filter_years(documents, years):
    if not years:
        return list(documents), []
    first, last = years
    kept = [d for d in documents if first <= d.year <= last]
    excluded = sorted((d.file, d.year, f"year outside {first}-{last}")
                      for d in documents if not first <= d.year <= last)
    return kept, excluded


def fingerprint(sheet_bytes: bytes, documents) -> str:
    """sha256 over the metadata sheet and each (file, sha256) pair, in file order."""
    h = hashlib.sha256()
    h.update(hashlib.sha256(sheet_bytes).hexdigest().encode())
    for doc in sorted(documents, key=lambda d: d.file):
        h.update(f"\n{doc.file}\t{doc.sha256}".encode("utf-8"))
    return h.hexdigest()
