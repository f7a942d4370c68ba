"""Operating-system failures end in one message naming the path and what to do, with an exit code of
their own (11), no traceback, and no partial file in any cache (issue 15, items 5 and 7). Tests run as
root, which ignores file modes, so permission errors are simulated by monkeypatching the one call that
meets them, and a full disk by a file size limit in a subprocess or a failing rename."""

from __future__ import annotations

import errno
import json
import marshal
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from topics.cli import main
from topics.errors import ExitStatus, FileAccessError, SchedulerError, file_access_error

from .conftest import EXPERIMENTS, ROOT
from .test_bad_inputs import FAST, make_corpus

DOCS = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")


def run_args(corpus: Path, out: Path, *extra: str) -> list[str]:
    return [
        "run",
        str(EXPERIMENTS / "baseline.toml"),
        "--out",
        str(out),
        "--quiet",
        "--set",
        f"corpus.path={corpus}",
    ] + [
        *FAST,
        *extra,
    ]


def refuse(monkeypatch, method: str, target: Path, code=errno.EACCES):
    """Path.<method> raises the OSError the OS would give for ``target``; every other path works."""
    real = getattr(Path, method)

    def fake(self, *a, **kw):
        if Path(self) == target:
            raise OSError(code, os.strerror(code), str(self))
        return real(self, *a, **kw)

    monkeypatch.setattr(Path, method, fake)


def assert_clear(err: str, *parts: str) -> None:
    assert "Traceback" not in err and "internal error" not in err, err
    assert err.startswith("file access error: "), err
    for part in parts:
        assert part in err, err


def test_every_os_failure_has_a_row_and_a_documented_message():
    for name in ("EACCES", "ENOSPC", "ENOTDIR", "EISDIR", "EEXIST", "EROFS"):
        error = file_access_error(OSError(getattr(errno, name), os.strerror(getattr(errno, name)), "/x/y"))
        assert isinstance(error, FileAccessError) and error.exit_code == ExitStatus.FILE_ACCESS == 11
        assert f"({name}): '/x/y'; " in str(error)
        assert str(error).split(":")[1].split("(")[0].strip() in DOCS, name
    renamed = file_access_error(OSError(errno.EXDEV, "Invalid cross-device link", "/a", None, "/b"))
    assert "'/a' -> '/b'" in str(renamed)


def test_permission_denied_on_metadata_csv_names_it(tmp_path, monkeypatch, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    refuse(monkeypatch, "read_bytes", corpus / "metadata.csv")
    assert main(run_args(corpus, tmp_path / "out")) == 11
    assert_clear(capsys.readouterr().err, "permission denied (EACCES)", str(corpus / "metadata.csv"), "chmod")


def test_permission_denied_on_a_text_file_is_a_corpus_problem(tmp_path, monkeypatch, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    refuse(monkeypatch, "read_bytes", corpus / "d1.txt")
    assert main(run_args(corpus, tmp_path / "out")) == 3
    err = capsys.readouterr().err
    assert "d1.txt: cannot be read (Permission denied); check its permissions" in err and "Traceback" not in err


def test_permission_denied_on_the_config_names_it(tmp_path, monkeypatch, capsys):
    config = tmp_path / "x.toml"
    config.write_text((EXPERIMENTS / "baseline.toml").read_text(encoding="utf-8"), encoding="utf-8")
    refuse(monkeypatch, "read_text", config)
    assert main(["check", str(config)]) == 11
    assert_clear(capsys.readouterr().err, "permission denied", str(config))


def test_permission_denied_on_the_output_folder_names_it(tmp_path, monkeypatch, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    out = tmp_path / "out"
    refuse(monkeypatch, "mkdir", out / ".cache" / "jieba")
    assert main(run_args(corpus, out)) == 11
    assert_clear(capsys.readouterr().err, "permission denied", str(out / ".cache" / "jieba"))


@pytest.mark.parametrize("flag", ["--out", "--cache"])
def test_out_or_cache_pointing_at_a_file(tmp_path, capsys, flag):
    corpus = make_corpus(tmp_path / "corpus")
    afile = tmp_path / "afile"
    afile.write_text("x", encoding="utf-8")
    args = run_args(corpus, tmp_path / "out") if flag == "--cache" else run_args(corpus, afile)
    assert main([*args, "--cache", str(afile)] if flag == "--cache" else args) == 11
    err = capsys.readouterr().err
    assert_clear(err, str(afile), "move the file away")
    assert afile.read_text(encoding="utf-8") == "x"


def test_a_full_disk_while_writing_a_cache_leaves_no_partial_file(tmp_path, monkeypatch, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    cache = tmp_path / "cache"
    real = os.replace

    def full(src, dst, *a, **kw):
        if str(dst).endswith(".cache"):  # jieba's dictionary cache, the first cache a run writes
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real(src, dst, *a, **kw)

    monkeypatch.setattr("topics.files.os.replace", full)
    assert main([*run_args(corpus, tmp_path / "out"), "--cache", str(cache)]) == 11
    assert_clear(capsys.readouterr().err, "no space left on the device (ENOSPC)", "--cache")
    assert [p.name for p in (cache / "jieba").iterdir()] == []


def test_a_file_size_limit_in_a_real_process_is_a_clear_message(tmp_path):
    """RLIMIT_FSIZE makes the kernel refuse the write itself (EFBIG), as a full disk refuses it."""
    corpus = make_corpus(tmp_path / "corpus")
    cache = tmp_path / "cache"
    code = (
        "import resource, signal, sys\n"
        "signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n"
        "resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))\n"
        "from topics.cli import main\n"
        f"sys.exit(main({json.dumps([*run_args(corpus, tmp_path / 'out'), '--cache', str(cache)])}))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert done.returncode == 11, done.stderr
    assert_clear(done.stderr, "(EFBIG)", str(cache / "jieba" / "dict-"))
    assert not any(p.name.endswith(".tmp") for p in cache.rglob("*")), list(cache.rglob("*"))


def test_unterminated_quote_is_blamed_on_metadata_csv_with_its_line(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    sheet = corpus / "metadata.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines[3] = lines[3].replace(",讲话", ',"讲话')  # line 4 of the file opens a quote and never closes it
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert main(["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}"]) == 3
    err = capsys.readouterr().err
    assert "metadata.csv line 4: a quote" in err and "no row in metadata.csv" not in err


def test_a_bom_in_metadata_csv_is_accepted(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", sheet_encoding="utf-8-sig")
    assert (corpus / "metadata.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert main(["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}"]) == 0
    assert "6 documents" in capsys.readouterr().out


def test_unlisted_files_whose_extension_differs_in_case_are_named(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "D9.TXT").write_text("第九篇讲话。", encoding="utf-8")
    (corpus / "notes.md").write_text("x", encoding="utf-8")
    assert main(["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}"]) == 0
    err = capsys.readouterr().err
    assert "1 file(s) in the corpus folder end in a .txt of other case" in err and "D9.TXT" in err
    assert "notes.md" not in err and "end in a .txt of other case" in DOCS


# ------------------------------------------------------------------ Dask addresses


def _server(send: bytes | None):
    """A one-connection TCP server on localhost that sends ``send`` (None: nothing) and waits."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(1)
    stop = threading.Event()

    def serve():
        conn, _ = srv.accept()
        if send == b"":  # closes at once
            conn.close()
            srv.close()
            return
        if send is not None:
            conn.sendall(send)
        stop.wait(5)
        conn.close()
        srv.close()

    threading.Thread(target=serve, daemon=True).start()
    return f"tcp://127.0.0.1:{srv.getsockname()[1]}", stop


@pytest.mark.parametrize(
    "send, message",
    [
        (b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", "answers, but not as a Dask scheduler"),
        (b"\xff" * 64, "answers, but not as a Dask scheduler"),  # a length of 18 EiB if read as Dask's
        (b"", "answers, but not as a Dask scheduler"),
        (None, "sent nothing in 1 s"),
    ],
    ids=["http", "huge-length", "closes", "silent"],
)
def test_a_port_where_another_service_answers_is_not_a_dask_scheduler(send, message):
    from topics.models.dask import probe_scheduler

    address, stop = _server(send)
    try:
        with pytest.raises(SchedulerError, match=message):
            probe_scheduler(address, timeout=1.0)
    finally:
        stop.set()
    assert "another service on that port" in DOCS


def test_the_dask_client_is_never_reached_with_a_wrong_service(monkeypatch):
    pytest.importorskip("distributed")
    from topics.models import dask as d

    address, stop = _server(b"\xff" * 64)
    monkeypatch.setattr("distributed.Client", lambda *a, **k: pytest.fail("Client called"))
    try:
        with pytest.raises(SchedulerError, match="not as a Dask scheduler"):
            d.run_on_dask([], address)
    finally:
        stop.set()


@pytest.mark.slow
def test_a_real_scheduler_passes_the_probe():
    distributed = pytest.importorskip("distributed")
    from topics.models.dask import probe_scheduler

    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None) as c:
        probe_scheduler(c.scheduler_address)


# ------------------------------------------------------------------ jieba's dictionary cache


def test_a_changed_dictionary_cache_is_detected_and_rebuilt(tmp_path):
    from topics.config import SegmentConfig
    from topics.text import dictionary_cache as dc
    from topics.text.lexicon import load_lexicon
    from topics.text.segmenters import JiebaSegmenter

    lexicon = load_lexicon(SegmentConfig())
    text = "加强干部队伍建设，推进全面从严治党，做好新时代人才工作。"
    fresh = JiebaSegmenter(lexicon, dict_cache_dir=tmp_path).cut(text)
    (path,) = tmp_path.glob("dict-*.cache")
    assert path.name.startswith("dict-") and "-jieba-" in path.name
    blob = path.read_bytes()
    head, payload = blob.split(b"\n", 2)[:2], blob.split(b"\n", 2)[2]
    freq, total = marshal.loads(payload)
    freq = {w: (10**9 if len(w) == 1 else 0) for w in freq}  # a dictionary that cuts into characters
    tampered = b"\n".join(head) + b"\n" + marshal.dumps((freq, total))
    record = json.loads(head[1])
    assert dc.read(path, record["dictionary_sha256"], record["jieba"]) is not None
    for changed in (tampered, blob[: len(blob) // 2], b"junk", blob.replace(b'"jieba": "', b'"jieba": "0')):
        path.write_bytes(changed)
        assert dc.read(path, record["dictionary_sha256"], record["jieba"]) is None
    assert dc.read(path.with_name("absent"), record["dictionary_sha256"], record["jieba"]) is None
    path.write_bytes(tampered)  # jieba's own cache would load this and cut into single characters
    assert JiebaSegmenter(lexicon, dict_cache_dir=tmp_path).cut(text) == fresh
    assert path.read_bytes() == blob  # rebuilt and written again
    assert [p.name for p in tmp_path.iterdir()] == [path.name]


def test_atomic_write_removes_its_temporary_file_on_failure(tmp_path, monkeypatch):
    from topics.files import atomic_write

    target = tmp_path / "c" / "x.cache"
    atomic_write(target, b"old")

    def full(src, dst):
        raise OSError(errno.ENOSPC, "No space left on device", str(dst))

    monkeypatch.setattr("topics.files.os.replace", full)
    with pytest.raises(OSError):
        atomic_write(target, b"new" * 1000)
    assert target.read_bytes() == b"old" and [p.name for p in target.parent.iterdir()] == ["x.cache"]


@pytest.mark.parametrize(
    "manifest, message",
    [
        ('{"kind": "sweep", "experiment": "b", "sweep": {"chosen_k": 6}}', "is a sweep folder"),
        ('{"kind": "run", "run_id": ', "manifest.json is not valid JSON"),
        (b"\xff\xfe\x00garbage", "manifest.json is not valid JSON"),
        ("[1, 2]", "holds a list, not a JSON object"),
        ('{"kind": "run"}', "is not a complete run record"),
    ],
    ids=["sweep-folder", "truncated", "binary", "list", "incomplete"],
)
def test_cite_on_a_sweep_folder_or_a_malformed_manifest_is_a_clear_message(tmp_path, capsys, manifest, message):
    folder = tmp_path / "run"
    folder.mkdir()
    data = manifest if isinstance(manifest, bytes) else manifest.encode("utf-8")
    (folder / "manifest.json").write_bytes(data)
    assert main(["cite", str(folder)]) == ExitStatus.RUN_FOLDER
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err and "internal error" not in err


def test_a_corpus_folder_without_permission_is_not_reported_as_not_found(tmp_path, monkeypatch, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    refuse(monkeypatch, "stat", corpus / "metadata.csv")  # as stat meets a folder without search (x) permission
    assert main(["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}"]) == 11
    err = capsys.readouterr().err
    assert_clear(err, "permission denied", str(corpus / "metadata.csv"))
    assert "not found" not in err


def test_a_font_without_chinese_glyphs_is_a_config_error(tmp_path, capsys):
    import matplotlib

    latin = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"  # shipped with matplotlib
    assert latin.is_file()
    config = ["check", str(EXPERIMENTS / "baseline.toml"), "--set", f'export.font="{latin}"']
    assert main(config) == 2
    err = capsys.readouterr().err
    assert "export.font" in err and "has no glyph for 中国共产党: it does not cover Chinese" in err
    assert "it does not cover Chinese" in DOCS


def test_a_deeply_nested_experiment_file_is_a_config_error_naming_it(tmp_path, capsys):
    deep = tmp_path / "deep.toml"
    deep.write_text('[experiment]\nname = "x"\nseed = ' + "[" * 50_000 + "]" * 50_000 + "\n", encoding="utf-8")
    assert main(["check", str(deep)]) == 2
    err = capsys.readouterr().err
    assert f"config error in {deep}: arrays or tables are nested too deeply to read" in err
    assert "Traceback" not in err and "RecursionError" not in err
