"""The validation kit in a run folder, and coders' answer files read and checked.

``RUN_DIR/validation/`` (written by ``topics validate``, kept by every re-render of the run):

- ``tasks.json``: what was drawn: kit id, fit id, seed, coders and each coder's seed, the sizes,
  every task as the coders see it and each coder's order;
- ``key.json``: the answers, and the topic behind each option (keep it from the coders);
- ``sheets/coder-<c>.html``: one offline sheet per coder;
- ``answers/coder-<c>.csv``: the answer files ``topics validate score`` scored, byte for byte.

record/writer.py writes the kit (``write_kit``) and keeps it when a run is re-rendered (``kit_files``).
Nothing read here is evaluated: JSON and CSV only, every value checked against the kit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from pathlib import Path
from typing import NamedTuple

from ..analysis.validation import (
    KINDS,
    AnswerFile,
    Judgment,
    Kit,
    KeyEntry,
    Option,
    Task,
)
from ..errors import ValidationError
from .provenance import FORMULA

KIT = "validation"  # the kit's folder in the run folder
REQUIRED_COLUMNS = ("coder", "task", "choice")  # and "kit", checked when present (the sheets write it)


def sizes() -> dict:
    """The kit's sizes, as the module defines them (recorded in tasks.json)."""
    from ..analysis import validation as v

    names = ("WI_WORDS", "WI_POOL", "WI_FALLBACK", "WSI_SETS", "WSI_SET_WORDS", "WSI_POOL", "TI_TOPICS", "TI_WORDS")
    return {n.lower(): getattr(v, n) for n in (*names, "THETA_FLOOR")}


def kit_record(kit: Kit, experiment: str) -> tuple[dict, dict]:
    """tasks.json and key.json of a kit."""
    from .. import __version__

    tasks = {
        "kit_id": kit.kit_id,
        "fit_id": kit.fit_id,
        "experiment": experiment,
        "seed": kit.seed,
        "coders": kit.coders,
        "coder_seeds": {str(c + 1): s for c, s in enumerate(kit.coder_seeds)},
        "units_asked": kit.units_asked,
        "sizes": sizes(),
        "kinds": {k: spec._asdict() for k, spec in KINDS.items()},
        "counts": kit.counts(),
        "tasks": [
            {
                "id": t.id,
                "kind": t.kind,
                "topic": t.topic,
                "unit": t.unit,
                "text": t.text,
                "options": [{"id": o.id, "words": list(o.words)} for o in t.options],
            }
            for t in kit.tasks
        ],
        "orders": {str(c + 1): list(o) for c, o in enumerate(kit.orders)},
        "notes": list(kit.notes),
        "topics_version": __version__,
    }
    key = {
        "kit_id": kit.kit_id,
        "fit_id": kit.fit_id,
        "note": "the answers to the tasks of tasks.json: keep this file from the coders",
        "key": [e._asdict() for e in kit.key],
    }
    return tasks, key


def check_free(run_dir: Path, force: bool) -> None:
    if (run_dir / KIT).exists() and not force:
        raise ValidationError(
            f"{run_dir / KIT} exists already (a kit was drawn for this run); score its answers with "
            f"topics validate score {run_dir} ANSWERS.csv ..., or pass --force to draw a new kit (the old "
            f"kit, its answers and scores are removed)"
        )


def _json(path: Path, what: str) -> dict:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ValidationError(
            f"{path.parent.parent} has no validation kit ({path.name} missing in {KIT}/); draw one with "
            f"topics validate {path.parent.parent}"
        ) from None
    except (OSError, ValueError) as exc:
        raise ValidationError(
            f"{path} cannot be read ({exc}); the kit is damaged: draw a new one with topics validate --force"
        ) from exc
    if not isinstance(data, dict):
        raise ValidationError(
            f"{path} holds no {what}; the kit is damaged: draw a new one with topics validate --force"
        )
    return data


def read_kit(run_dir: Path, fit_id: str) -> Kit:
    """The kit of ``run_dir/validation/``, checked to be whole and drawn from the run's fit."""
    folder = run_dir / KIT
    tasks, key = _json(folder / "tasks.json", "tasks"), _json(folder / "key.json", "key")
    try:
        kit = Kit(
            fit_id=tasks["fit_id"],
            seed=tasks["seed"],
            coders=tasks["coders"],
            coder_seeds=tuple(tasks["coder_seeds"][str(c)] for c in range(1, tasks["coders"] + 1)),
            units_asked=tasks["units_asked"],
            tasks=tuple(
                Task(
                    t["id"],
                    t["kind"],
                    t["topic"],
                    t["unit"],
                    t["text"],
                    tuple(Option(o["id"], tuple(o["words"])) for o in t["options"]),
                )
                for t in tasks["tasks"]
            ),
            key=tuple(
                KeyEntry(
                    e["task"],
                    e["answer"],
                    e["intruder_topic"],
                    tuple(e["option_topics"]),
                    e["intruder_rank"],
                    tuple(e["theta"]),
                )
                for e in key["key"]
            ),
            orders=tuple(tuple(tasks["orders"][str(c)]) for c in range(1, tasks["coders"] + 1)),
            notes=tuple(tasks["notes"]),
        )
    except (KeyError, TypeError) as exc:
        raise ValidationError(
            f"{folder}: tasks.json or key.json lacks {exc} or holds the wrong kind of value; the kit is damaged: "
            f"draw a new one with topics validate {run_dir} --force"
        ) from exc
    if kit.kit_id != tasks.get("kit_id") or key.get("kit_id") != tasks.get("kit_id"):
        raise ValidationError(
            f"{folder}: tasks.json and key.json do not belong to kit {tasks.get('kit_id')!r} (edited since they "
            f"were drawn?); draw a new kit with topics validate {run_dir} --force"
        )
    if kit.fit_id != fit_id:
        raise ValidationError(
            f"{folder} was drawn from fit {kit.fit_id}, but the run now holds fit {fit_id} (it was run again); "
            f"draw a new kit with topics validate {run_dir} --force"
        )
    return kit


def kit_files(run_dir: Path, answers: dict[str, bytes] | None = None) -> dict[str, bytes]:
    """Every file of the run's kit by its path in the run folder (``validation/...``): what a
    re-render of the run keeps. With ``answers``, the kit's answer files are replaced by them."""
    folder = run_dir / KIT
    if not folder.is_dir():
        return {}
    out = {
        p.relative_to(run_dir).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and (answers is None or p.parent != folder / "answers")
    }
    return out | (answers or {})


class Answers(NamedTuple):
    """Answer files read and checked: ``files`` (AnswerFile per coder, in coder order), every
    ``judgments`` row, and ``data`` (the files' bytes by their path in the run folder)."""

    files: tuple[AnswerFile, ...]
    judgments: tuple[Judgment, ...]
    data: dict[str, bytes]


def read_answers(paths, kit: Kit) -> Answers:
    """Read coders' answer files (CSV, columns kit, coder, task, choice, as a sheet downloads them)
    and check every row against ``kit``. Raises ValidationError listing every problem, each naming
    the file and row."""
    problems: list[str] = []
    by_coder: dict[int, tuple[str, bytes, list[Judgment]]] = {}
    if not paths:
        raise ValidationError("no answer files given: topics validate score RUN_DIR coder-1-answers.csv ...")
    for path in map(Path, paths):
        got = _read_file(path, kit, problems)
        if got is None:
            continue
        coder, data, judgments = got
        if coder in by_coder:
            problems.append(
                f"{path}: coder {coder} answered in {by_coder[coder][0]} too; give one answer file per coder"
            )
            continue
        by_coder[coder] = (str(path), data, judgments)
    if problems:
        raise ValidationError(problems)
    files, judgments, data = [], [], {}
    for coder in sorted(by_coder):
        given, raw, rows = by_coder[coder]
        name = f"{KIT}/answers/coder-{coder}.csv"
        files.append(AnswerFile(coder, name, Path(given).name, hashlib.sha256(raw).hexdigest(), len(rows)))
        judgments += rows
        data[name] = raw
    return Answers(tuple(files), tuple(judgments), data)


def _read_file(path: Path, kit: Kit, problems: list[str]):
    """(coder, bytes, judgments) of one answer file, or None with its problems appended."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        problems.append(f"{path}: no such file")
        return None
    except OSError as exc:
        problems.append(f"{path}: cannot be read ({exc.strerror})")
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        problems.append(
            f"{path}: not UTF-8 text (byte {exc.start}); a sheet downloads UTF-8: download the answers again, "
            f"or save the file as 'CSV UTF-8'"
        )
        return None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        problems.append(f"{path}: the file is empty; give the CSV a coder's sheet downloaded")
        return None
    except csv.Error as exc:
        problems.append(f"{path} row 1: not a CSV row ({exc})")
        return None
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        problems.append(
            f"{path}: missing column(s) {', '.join(missing)}; the first row must be "
            f"kit,coder,task,choice, as a sheet's download writes it"
        )
        return None
    col = {c: header.index(c) for c in (*REQUIRED_COLUMNS, "kit") if c in header}
    before = len(problems)
    coder: int | None = None
    seen: dict[str, int] = {}
    judgments: list[Judgment] = []
    try:
        for row in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            formula = next((c for c in row if c.startswith(FORMULA)), None)
            if formula is not None:
                problems.append(
                    f"{path} row {line}: cell {formula!r} looks like a spreadsheet formula; an answer holds only "
                    f"the kit id, a coder number, a task id and an option letter: download the answers from "
                    f"the sheet again"
                )
                continue
            cells = {c: (row[i].strip() if i < len(row) else "") for c, i in col.items()}
            if "kit" in cells and cells["kit"] != kit.kit_id:
                problems.append(
                    f"{path} row {line}: answers kit {cells['kit']!r}, but this run's kit is {kit.kit_id} (drawn "
                    f"again since?); score answers with the kit whose sheets they came from"
                )
                continue
            number = int(cells["coder"]) if cells["coder"].isdigit() and cells["coder"].isascii() else None
            if number is None or not 1 <= number <= kit.coders:
                problems.append(
                    f"{path} row {line}: coder {cells['coder']!r} is not a coder of this kit (coders 1 to {kit.coders})"
                )
                continue
            if coder is not None and number != coder:
                problems.append(
                    f"{path} row {line}: coder {number} in a file of coder {coder}; keep one coder's answers per file"
                )
                continue
            coder = number
            task = kit.task(cells["task"])
            if task is None:
                problems.append(
                    f"{path} row {line}: unknown task {cells['task']!r}; this kit's tasks are "
                    f"{kit.tasks[0].id} ... {kit.tasks[-1].id} (is the file from another kit?)"
                )
                continue
            offered = [o.id for o in task.options]
            if cells["choice"] not in offered:
                problems.append(
                    f"{path} row {line}: choice {cells['choice']!r} is not an option of task {task.id} "
                    f"(options {', '.join(offered)})"
                )
                continue
            if task.id in seen:
                problems.append(
                    f"{path} row {line}: task {task.id} answered twice (rows {seen[task.id]} and {line}); keep one"
                )
                continue
            seen[task.id] = line
            judgments.append(Judgment(number, task.id, cells["choice"]))
    except csv.Error as exc:
        problems.append(f"{path} row {reader.line_num}: not a CSV row ({exc})")
    if len(problems) > before:
        return None
    if not judgments or coder is None:
        problems.append(f"{path}: holds no answers (only its header); give the file a coder's sheet downloaded")
        return None
    return coder, raw, judgments
