"""Writing a run folder from a RunResult: the saved result, every table, figure, the dashboard,
methods.md and the manifest, into a staging folder that is renamed into place only when complete.

This module writes; what it writes comes from ``render`` (views of the result) and ``manifest``.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from . import provenance, staging, store
from .manifest import build_manifest, now_utc, outputs_of, sweep_manifest
from ..results import RunResult, SweepRecord


def write_run(
    result: RunResult, run_dir: Path, force: bool = False, saved: RunResult | None = None, carry=None
) -> RunResult:
    """Write ``result`` into a staging folder, then rename it to ``run_dir``. The folder's result/
    keeps ``saved`` (the fit as fitted, when ``result`` is a curated report of it) or ``result``;
    ``carry`` ({path in the folder: bytes}) holds files kept from the folder it replaces (the
    validation kit, record/validation.py), written first so that the manifest hashes them.

    Returns the result placed in ``run_dir``, its warnings extended by what writing found (a
    static-figure note when no CJK font is installed)."""
    from ..render import tables
    from ..render.dashboard import dashboard_pages
    from ..render.latex import write_latex
    from ..render.methods import methods_text
    from ..render.paper import write_static

    config = result.config
    warnings = list(result.warnings)
    with staging.staged_run_folder(run_dir, force) as tmp:
        for name, data in sorted((carry or {}).items()):
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_bytes(data)
        (tmp / "config.toml").write_text(config.source_text or provenance.to_toml(config.to_dict()), encoding="utf-8")
        provenance.write_json(tmp / "config.json", config.to_dict())
        for name, (header, rows) in tables.run_tables(result).items():
            provenance.write_csv(tmp / name, header, rows, spreadsheet_safe=config.export.spreadsheet_safe)
        provenance.write_json(tmp / "metrics.json", result.metrics)
        static_note = "static figures off (export.static = false)"
        if config.export.static:
            written, static_note = write_static(tmp / "figures", config.export, result)
            if not written:
                warnings.append(static_note)
        if config.export.latex:
            write_latex(tmp / "tables", result)
        shown = replace(
            result, warnings=tuple(warnings), provenance=replace(result.provenance, static_figures=static_note)
        )
        manifest = build_manifest(shown, outputs_of(tmp))
        (tmp / "methods.md").write_text(methods_text(shown, manifest), encoding="utf-8")
        for name, html in dashboard_pages(shown, manifest).items():
            (tmp / name).parent.mkdir(parents=True, exist_ok=True)
            (tmp / name).write_text(html, encoding="utf-8")
        store.save(saved if saved is not None else result, tmp / "result")
        manifest["outputs"] = outputs_of(tmp)
        provenance.write_json(tmp / "manifest.json", manifest)
    return shown.placed(run_dir)


def write_sweep(record: SweepRecord, run_dir: Path, force: bool = False) -> None:
    """A sweep folder: sweep.csv, sweep_runs.csv, sweep.html, figures/, tables/sweep.tex, manifest.json."""
    from ..render.dashboard import sweep_page
    from ..render.latex import sweep_table
    from ..render.paper import write_sweep_figure
    from ..render.tables import sweep_tables

    config, sw = record.config, record.sweep
    summary, runs = sweep_tables(sw)
    with staging.staged_run_folder(run_dir, force) as tmp:
        provenance.write_json(tmp / "config.json", config.to_dict())
        provenance.write_csv(tmp / "sweep.csv", *summary, spreadsheet_safe=config.export.spreadsheet_safe)
        provenance.write_csv(tmp / "sweep_runs.csv", *runs, spreadsheet_safe=config.export.spreadsheet_safe)
        (tmp / "sweep.html").write_text(sweep_page(config.name, sw), encoding="utf-8")
        note = "static figures off"
        if config.export.static:
            note = write_sweep_figure(sw, tmp / "figures", config.export)
        if config.export.latex:
            (tmp / "tables").mkdir()
            (tmp / "tables" / "sweep.tex").write_text(sweep_table(sw), encoding="utf-8")
        manifest = sweep_manifest(record, note)
        manifest["outputs"] = outputs_of(tmp)
        provenance.write_json(tmp / "manifest.json", manifest)


def write_comparison(
    cmp, labels_a: dict, labels_b: dict, target: Path, force: bool, sources, *, spreadsheet_safe: bool = False
) -> None:
    """A comparison folder: compare.html, compare_runs.csv, config_diff.csv, manifest.json
    (``spreadsheet_safe``: as ``[export] spreadsheet_safe`` of either run)."""
    from ..render.pages import comparison_page, comparison_table, differences_table

    with staging.staged_run_folder(target, force) as tmp:
        (tmp / "compare.html").write_text(comparison_page(cmp, labels_a, labels_b), encoding="utf-8")
        provenance.write_csv(
            tmp / "compare_runs.csv", *comparison_table(cmp, labels_a, labels_b), spreadsheet_safe=spreadsheet_safe
        )
        provenance.write_csv(tmp / "config_diff.csv", *differences_table(cmp), spreadsheet_safe=spreadsheet_safe)
        manifest = {
            "kind": "comparison",
            "created_utc": now_utc(),
            "runs": [str(s) for s in sources],
            "names": [cmp.name_a, cmp.name_b],
            "threshold": cmp.threshold,
            "matched": sum(1 for m in cmp.matches if m.matched),
            "versions": provenance.versions(),
        }
        manifest["outputs"] = outputs_of(tmp)
        provenance.write_json(tmp / "manifest.json", manifest)


def write_index(out_dir: Path) -> Path:
    """Rewrite ``out_dir/index.html``: every run folder in it, with a link to its dashboard."""
    import json

    from ..render.pages import index_page
    from .folder import runs_in

    rows, comparisons = [], []
    for folder, manifest in runs_in(Path(out_dir)):
        if manifest.get("kind") == "comparison":
            comparisons.append((folder.name, manifest))
            continue
        try:
            metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            metrics = None
        rows.append((folder.name, manifest, metrics if isinstance(metrics, dict) else None))
    path = Path(out_dir) / "index.html"
    tmp = path.with_name(f".index.html.{os.getpid()}")
    tmp.write_text(index_page(rows, comparisons), encoding="utf-8")
    os.replace(tmp, path)
    return path


def write_kit(kit, run_dir: Path, experiment: str, force: bool = False) -> Path:
    """Write ``run_dir/validation/`` (tasks.json, key.json, sheets/) through a staging folder renamed
    into place; an existing kit is replaced only with ``force``."""
    import shutil
    import tempfile

    from ..files import ordinary_permissions
    from ..render.sheets import coder_sheet
    from .validation import KIT, check_free, kit_record

    target = run_dir / KIT
    check_free(run_dir, force)
    stage = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}{staging.STAGING}{KIT}-", dir=run_dir.parent))
    try:
        tasks, key = kit_record(kit, experiment)
        provenance.write_json(stage / "tasks.json", tasks)
        provenance.write_json(stage / "key.json", key)
        (stage / "sheets").mkdir()
        for c in range(1, kit.coders + 1):
            (stage / "sheets" / f"coder-{c}.html").write_text(coder_sheet(kit.sheet(c, experiment)), encoding="utf-8")
        ordinary_permissions(stage, 0o777)  # mkdtemp makes 0700; the kit is an ordinary folder
        old = None
        if target.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{run_dir.name}{staging.OLD}{KIT}-", dir=run_dir.parent))
            os.rename(target, old / KIT)
        os.rename(stage, target)
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    except BaseException:
        shutil.rmtree(stage, ignore_errors=True)
        raise
    return target
