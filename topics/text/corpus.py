"""Read a corpus folder: UTF-8 .txt files plus a metadata sheet with at least ``file`` and ``year``.

Every problem is collected and reported at once, each naming the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path

from ..config import CorpusConfig
from ..data import Corpus, Document
from ..errors import CorpusError

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
        raise CorpusError(
            f"corpus folder {str(root)!r} not found; set [corpus] path to a folder "
            f"holding .txt files and {cfg.metadata}"
        )
    try:
        sheet.stat()  # a folder without search permission: say so, not "not found"
    except PermissionError as exc:
        from ..errors import file_access_error

        raise file_access_error(exc) from exc
    except OSError:
        pass
    if not sheet.is_file():
        raise CorpusError(
            f"metadata sheet {str(sheet)!r} not found; add a CSV with at least the "
            f"columns file and year (one row per .txt file)"
        )
    try:
        sheet_bytes = sheet.read_bytes()
    except OSError as exc:  # permission denied, a folder of that name ...: the path and what to do
        from ..errors import file_access_error

        raise file_access_error(exc) from exc
    rows, problems = _read_sheet(sheet_bytes, sheet.name, cfg.encoding)
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
        unfit = _not_a_text_file(path, name, root) if Path(name).name == name else "no such file"
        if unfit:
            problems.append(f"{name}: listed in {sheet.name} (line {line_no}) but {unfit}")
            continue
        year_text = row.get("year") or ""
        match = _YEAR.fullmatch(year_text)
        if not match:
            problems.append(f"{name}: year {year_text!r} ({where}) is not a four-digit year")
            continue
        try:
            data = path.read_bytes()
        except OSError as exc:
            problems.append(f"{name}: cannot be read ({exc.strerror or exc}); check its permissions")
            continue
        text, problem = decode(data, cfg.encoding, name)
        if problem:
            problems.append(problem)
            continue
        if not text.strip():
            problems.append(f"{name}: the text is empty; remove its row or add the text")
            continue
        if not _HAN.search(text):
            problems.append(
                f"{name}: no Chinese characters in it; check that it is the right file and that "
                f"[corpus] encoding ({cfg.encoding!r}) is its encoding"
            )
            continue
        key = hashlib.sha256(" ".join(text.split()).encode("utf-8")).hexdigest()
        if key in by_text:
            problems.append(f"{name}: same text as {by_text[key]}; remove one of them")
            continue
        by_text[key] = name
        meta = tuple((k, (v or "").strip()) for k, v in row.items() if k not in REQUIRED_COLUMNS and k is not None)
        documents.append(
            Document(
                doc_id=Path(name).stem,
                file=name,
                year=int(match.group(1)),
                raw=text,
                sha256=hashlib.sha256(data).hexdigest(),
                meta=meta,
            )
        )

    on_disk = sorted(p.name for p in root.glob("*.txt"))
    for name in on_disk:
        if name not in seen_files:
            problems.append(
                f"{name}: a .txt file in the corpus folder with no row in {sheet.name}; "
                f"add a row (file, year, ...) or move the file out"
            )
    notes = []
    odd_case = sorted(
        p.name for p in root.iterdir() if p.suffix.lower() == ".txt" and p.suffix != ".txt" and p.name not in seen_files
    )
    if odd_case:  # *.txt is case-sensitive: name them, the researcher may have meant them as texts
        notes.append(
            f"{len(odd_case)} file(s) in the corpus folder end in a .txt of other case and are not in "
            f"{sheet.name}, so they are not read: {', '.join(odd_case[:10])}"
            + (f" and {len(odd_case) - 10} more" if len(odd_case) > 10 else "")
            + "; add a row for each (file, year, ...) or rename them to .txt"
        )
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
        raise CorpusError(
            f"no document has a year in {first}-{last}; widen [corpus] years or set it to [] for all years",
            source=str(root),
        )
    kept.sort(key=lambda d: (d.year, d.file))
    return Corpus(
        root=root,
        documents=tuple(kept),
        fingerprint=fingerprint(sheet_bytes, documents),
        metadata_sha256=hashlib.sha256(sheet_bytes).hexdigest(),
        excluded=tuple(excluded),
        notes=tuple(notes),
    )


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def decode(data: bytes, encoding: str, name: str) -> tuple[str, str | None]:
    """(text, None), or ("", a sentence saying what is wrong and what to do).

    A byte-order mark is certain and wins (UTF-8 or UTF-16, as Word and Notepad write them). Otherwise
    the bytes must decode in ``encoding``; when they do not, the message names the encoding they do
    decode in (GB18030 for files saved on Chinese Windows) rather than guess it."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(codec).removeprefix("\ufeff"), None
            except UnicodeDecodeError as exc:
                return "", f"{name}: starts with a {codec} byte-order mark but is not valid {codec} (byte {exc.start})"
    if b"\x00" in data[:4096]:
        return "", (
            f"{name}: holds NUL bytes, so it is a binary file (or UTF-16 without a byte-order mark); "
            f"a corpus file must be plain text: export it as .txt"
        )
    try:
        return data.decode(encoding), None
    except UnicodeDecodeError as exc:
        hint = ""
        if codecs_name(encoding) != "gb18030":
            try:
                if _HAN.search(data.decode("gb18030")):
                    hint = (
                        " It reads as Chinese in GB18030 (GBK), as Chinese Windows saves text: set "
                        "[corpus] encoding = \"gb18030\", or save the file as UTF-8."
                    )
            except UnicodeDecodeError:
                pass
        return "", (
            f"{name}: cannot be read as {encoding} (byte {exc.start})."
            + (hint or " Save it as UTF-8, or set [corpus] encoding to the file's encoding.")
        )


def codecs_name(encoding: str) -> str:
    import codecs

    return codecs.lookup(encoding).name


def _read_sheet(data: bytes, name: str, encoding: str = "utf-8"):
    text, problem = decode(data, encoding, name)
    if problem:
        return [], [problem.replace(" Save it as UTF-8, or", "") + " In Excel, save it as 'CSV UTF-8'."]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    columns = [c.strip() for c in (reader.fieldnames or [])]
    reader.fieldnames = columns
    twice = sorted({c for c in columns if columns.count(c) > 1 and c})
    if twice:  # csv would keep the last of them silently, pairing values wrongly
        return [], [
            f"{name}: column(s) {', '.join(repr(c) for c in twice)} named more than once in the first row; "
            f"give each column one name (rename or delete the extra column)"
        ]
    missing = [c for c in REQUIRED_COLUMNS if c not in columns]
    if missing:
        return [], [
            f"{name}: missing column(s) {', '.join(missing)}; the first row must name the "
            f"columns, at least: file,year (found: {', '.join(columns) or 'nothing'})"
        ]
    if text.count('"') % 2 and any("\n" in c for c in columns):
        return [], [_unterminated(name, 1)]
    rows, start = [], reader.line_num + 1
    for row in reader:
        rows.append((reader.line_num, row, start))
        start = reader.line_num + 1
    if text.count('"') % 2:  # a quote never closed: csv reads the lines after it as one value
        swallowed = [r for r in rows if any("\n" in v for v in r[1].values() if isinstance(v, str))]
        if swallowed:
            return [], [_unterminated(name, swallowed[0][2])]
    return [(n, row) for n, row, _ in rows if any((v or "").strip() for v in row.values() if isinstance(v, str))], []


def _unterminated(name: str, line: int) -> str:
    return (
        f"{name} line {line}: a quote (\") opens a value that is never closed, so the lines after it are "
        f"read as part of that value and their files seem unlisted; close the quote, or remove it (a quote inside a value is written \"\")"
    )


def _filter_years(documents, years):
    if not years:
        return list(documents), []
    first, last = years
    kept = [d for d in documents if first <= d.year <= last]
    excluded = sorted(
        (d.file, d.year, f"year outside {first}-{last}") for d in documents if not first <= d.year <= last
    )
    return kept, excluded


def fingerprint(sheet_bytes: bytes, documents) -> str:
    """sha256 over the metadata sheet and each (file, sha256) pair, in file order."""
    h = hashlib.sha256()
    h.update(hashlib.sha256(sheet_bytes).hexdigest().encode())
    for doc in sorted(documents, key=lambda d: d.file):
        h.update(f"\n{doc.file}\t{doc.sha256}".encode("utf-8"))
    return h.hexdigest()


def _not_a_text_file(path: Path, name: str, root: Path) -> str:
    """Why ``path`` cannot be read as one of the corpus's texts ("" when it can)."""
    import stat

    try:
        mode = path.stat().st_mode  # follows a link
    except FileNotFoundError:
        return f"no such file in {root}"
    except OSError as exc:
        return f"it cannot be read ({exc.strerror or exc}); check its permissions"
    if stat.S_ISDIR(mode):
        return "it is a folder, not a text file; give each .txt file inside it a row of its own"
    if not stat.S_ISREG(mode):
        return "it is not a regular file (a pipe, socket or device); save the text as a .txt file"
    if path.is_symlink() and root.resolve() not in path.resolve().parents:
        return (
            f"it is a link to a file outside the corpus folder ({path.resolve()}); a corpus reads only files "
            f"inside its folder: copy the file into {root}"
        )
    return ""
