"""The table of bad inputs (docs/troubleshooting.md): each gives one clear message naming the file
or key, its exit code, and leaves no run folder behind; the inputs the package can read safely
(byte-order marks, Excel's CSV, a declared GB18030 corpus) run through."""

import os
import shutil
from pathlib import Path

import pytest

from topics.cli import main

from .conftest import EXPERIMENTS, ROOT

FAST = [
    "--set",
    "sweep.k=[]",
    "--set",
    "compare.engines=[]",
    "--set",
    "stability.seeds=1",
    "--set",
    "uncertainty.resamples=50",
    "--set",
    "export.static=false",
    "--set",
    "model.n_topics=3",
    "--set",
    "evaluate.coherence=[\"u_mass\"]",
]
QUOTE = '"'
PARAS = [
    "加强基层党组织建设，推进干部队伍建设，做好新时代人才工作，落实全面从严治党要求。",
    "坚持党管干部原则，完善干部考核评价机制，激励干部担当作为，推动高质量发展。",
    "深化党史学习教育成果，巩固主题教育成果，筑牢基层战斗堡垒，服务乡村振兴大局。",
    "抓好换届选举工作，严肃换届纪律，营造风清气正的政治生态，确保换届平稳有序。",
]


def text(i: int) -> str:
    return "\n".join(f"第{i}篇第{j}段：{PARAS[(i + j) % 4]}{PARAS[(i + 2 * j) % 4]}" for j in range(6)) + "\n"


def make_corpus(
    folder: Path,
    n: int = 6,
    encoding: str = "utf-8",
    sheet_encoding: str = "utf-8",
    sheet_extra: str = "",
    newline: str = "\n",
) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    rows = ["file,year,title"]
    for i in range(n):
        (folder / f"d{i}.txt").write_bytes(text(i).encode(encoding))
        rows.append(f"d{i}.txt,{2010 + i % 3},讲话{i}")
    (folder / "metadata.csv").write_bytes((newline.join(rows) + newline + sheet_extra).encode(sheet_encoding))
    return folder


def set_row(folder: Path, file: str, year: str):
    sheet = folder / "metadata.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines()
    lines = [f"{file},{year},x" if ln.startswith(f"{file},") else ln for ln in lines]
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")


def gbk_corpus(c):
    (c / "d0.txt").write_bytes(text(0).encode("gbk"))


def utf16_no_bom(c):
    (c / "d0.txt").write_bytes(text(0).encode("utf-16-le"))


def binary(c):
    (c / "d0.txt").write_bytes(bytes.fromhex("89504e470d0a1a0a0000000d49484452") + bytes(range(256)))


def only_boilerplate(c):
    (c / "d0.txt").write_text(
        "仅供学习 禁止外传\n会员群：123456\nQQ群：654321\n本DOCX文档由 某软件 生成\n", encoding="utf-8"
    )


def row_without_file(c):
    (c / "d0.txt").unlink()


def file_without_row(c):
    (c / "stray.txt").write_text(text(9), encoding="utf-8")


def folder_not_file(c):
    (c / "d0.txt").unlink()
    (c / "d0.txt").mkdir()


def fifo_not_file(c):
    (c / "d0.txt").unlink()
    os.mkfifo(c / "d0.txt")  # reading it would block the run for ever


def link_outside(c):
    outside = c.parent / "outside.txt"
    shutil.move(c / "d0.txt", outside)
    (c / "d0.txt").symlink_to(outside)


def duplicate(c):
    shutil.copy(c / "d0.txt", c / "d1.txt")


def no_chinese(c):
    (c / "d0.txt").write_text("This speech was saved in English only.\nNothing else here.\n", encoding="utf-8")


def stopwords_only(c):
    fillers = ["我们", "这个", "那个", "就是", "也都", "的是", "在和", "了吗"]
    for i, p in enumerate(sorted(c.glob("*.txt"))):  # distinct texts, every word a stopword
        p.write_text("，".join(fillers[i:] + fillers[:i]) + "。\n", encoding="utf-8")


def empty(c):
    (c / "d0.txt").write_text("  \n\n", encoding="utf-8")


BAD = [  # (id, change to a valid corpus, extra args, exit code, message fragment)
    ("gbk-text", gbk_corpus, [], 3, "reads as Chinese in GB18030"),
    ("utf16-without-bom", utf16_no_bom, [], 3, "NUL bytes"),
    ("binary-file", binary, [], 3, "binary file"),
    ("empty-file", empty, [], 3, "the text is empty"),
    ("only-boilerplate", only_boilerplate, [], 3, "nothing is left after removing web boilerplate"),
    ("row-without-file", row_without_file, [], 3, "but no such file"),
    ("folder-not-file", folder_not_file, [], 3, "but it is a folder, not a text file"),
    ("fifo-not-file", fifo_not_file, [], 3, "but it is not a regular file (a pipe, socket or device)"),
    ("link-outside", link_outside, [], 3, "but it is a link to a file outside the corpus folder"),
    ("file-without-row", file_without_row, [], 3, "no row in metadata.csv"),
    ("year-missing", lambda c: set_row(c, "d0.txt", ""), [], 3, "is not a four-digit year"),
    ("year-not-a-number", lambda c: set_row(c, "d0.txt", "二〇一〇"), [], 3, "is not a four-digit year"),
    ("all-years-outside", lambda c: None, ["--set", "corpus.years=[1990, 1999]"], 3, "no document has a year in"),
    ("duplicate-texts", duplicate, [], 3, "same text as d0.txt"),
    (
        "metadata-gbk",
        lambda c: (c / "metadata.csv").write_bytes("file,year,title\nd0.txt,2010,讲话\n".encode("gbk")),
        [],
        3,
        "In Excel, save it as 'CSV UTF-8'",
    ),
    (
        "metadata-missing-column",
        lambda c: (c / "metadata.csv").write_text("file,title\nd0.txt,x\n", encoding="utf-8"),
        [],
        3,
        "missing column(s) year",
    ),
    ("no-metadata", lambda c: (c / "metadata.csv").unlink(), [], 3, "metadata sheet"),
    (  # csv would take the years from the second 'year' column without a word
        "metadata-year-twice",
        lambda c: (c / "metadata.csv").write_text(
            "file,year,year\n" + "".join(f"d{i}.txt,{2010 + i},{1990 + i}\n" for i in range(6)), encoding="utf-8"
        ),
        [],
        3,
        "column(s) 'year' named more than once",
    ),
    (  # ... and with 'file' twice each year would be attached to another file
        "metadata-file-twice",
        lambda c: (c / "metadata.csv").write_text(
            "file,year,file\n" + "".join(f"d{i}.txt,{2010 + i},d{5 - i}.txt\n" for i in range(6)), encoding="utf-8"
        ),
        [],
        3,
        "column(s) 'file' named more than once",
    ),
    (  # csv would read every later line into one value, and blame the files of those lines as unlisted
        "metadata-unterminated-quote",
        lambda c: (c / "metadata.csv").write_text(
            "file,year,title\n" + "".join(f"d{i}.txt,{2010 + i},{QUOTE if i == 2 else ''}讲话{i}\n" for i in range(6)),
            encoding="utf-8",
        ),
        [],
        3,
        "a quote (\") opens a value that is never closed",
    ),
    ("no-chinese", no_chinese, [], 3, "no Chinese characters"),
    ("stopwords-only", stopwords_only, [], 4, "no tokens left after segmentation"),
    ("more-topics-than-units", lambda c: None, ["--set", "model.n_topics=500"], 4, "cannot support 500 topics"),
    ("unknown-config-key", lambda c: None, ["--set", "model.topics=5"], 2, "unknown key model.topics"),
    ("bad-config-value", lambda c: None, ["--set", "uncertainty.level=2"], 2, "uncertainty.level"),
    ("unknown-engine", lambda c: None, ["--set", "segment.engine=hanlp"], 2, "'rjieba'"),
    *[
        (
            f"encoding-{codec}",
            lambda c: None,
            ["--set", f"corpus.encoding={codec}"],
            2,
            "is a codec but not a text encoding",
        )
        for codec in ("rot13", "base64", "zlib", "hex")
    ],
    (
        "font-not-a-font",
        lambda c: (c / "font.ttf").write_bytes(b"not a font at all"),
        ["--set", "export.font=FONT_DIR/font.ttf"],
        2,
        "is not a font file matplotlib can read",
    ),
    (
        "lexicon-is-a-csv",
        lambda c: (c / "lex.csv").write_text("术语,频次\n加强党的建设,10\n", encoding="utf-8"),
        ["--set", 'segment.extra_lexicon=["FONT_DIR/lex.csv"]'],
        2,
        "holds ',', which no term holds",
    ),
    (
        "lexicon-is-binary",
        lambda c: (c / "lex.bin").write_bytes(bytes(range(256)) * 4),
        ["--set", 'segment.extra_lexicon=["FONT_DIR/lex.bin"]'],
        2,
        "a lexicon file is UTF-8 text",
    ),
    (
        "scheduler-not-dask",
        lambda c: None,
        ["--set", 'parallel.scheduler="http://h:80"'],
        2,
        "is not a Dask scheduler address",
    ),
    ("scheduler-no-port", lambda c: None, ["--set", 'parallel.scheduler="tcp://h"'], 2, "expected tcp://host:port"),
    ("scheduler-bad-port", lambda c: None, ["--scheduler", "tcp://h:99999"], 2, "the port must be a number from 1 to"),
    (
        "nested-too-deeply",
        lambda c: None,
        ["--set", "model.n_topics=" + "[" * 5000 + "]" * 5000],
        2,
        "nested too deeply to read",
    ),
]


@pytest.mark.parametrize("name, change, args, code, message", BAD, ids=[b[0] for b in BAD])
def test_bad_input_gives_one_clear_message_and_no_run_folder(tmp_path, capsys, name, change, args, code, message):
    corpus = make_corpus(tmp_path / "corpus")
    change(corpus)
    out = tmp_path / "out"
    got = main(
        [
            "run",
            str(EXPERIMENTS / "baseline.toml"),
            "--out",
            str(out),
            "--quiet",
            "--set",
            f"corpus.path={corpus}",
            *FAST,
            *(a.replace("FONT_DIR", str(corpus)) for a in args),
        ]
    )
    err = capsys.readouterr().err
    assert got == code, err
    assert message in err and "Traceback" not in err
    assert [p.name for p in out.iterdir() if p.name != ".cache"] == [] if out.exists() else True
    documented = (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")
    assert message.strip("'") in documented, f"{name}: message not in docs/troubleshooting.md"


GOOD = [  # (id, how the corpus is written, extra args)
    ("utf8-bom", dict(encoding="utf-8-sig"), []),
    ("utf16-bom", dict(encoding="utf-16"), []),
    ("excel-sheet-bom-crlf", dict(sheet_encoding="utf-8-sig", newline="\r\n"), []),
    (
        "gb18030-corpus-declared",
        dict(encoding="gb18030", sheet_encoding="gb18030"),
        ["--set", "corpus.encoding=gb18030"],
    ),
]


@pytest.mark.parametrize("name, how, args", GOOD, ids=[g[0] for g in GOOD])
def test_readable_encodings_run_through(tmp_path, capsys, name, how, args):
    corpus = make_corpus(tmp_path / "corpus", **how)
    out = tmp_path / "out"
    assert (
        main(
            [
                "run",
                str(EXPERIMENTS / "baseline.toml"),
                "--out",
                str(out),
                "--quiet",
                "--set",
                f"corpus.path={corpus}",
                *FAST,
                *args,
            ]
        )
        == 0
    ), capsys.readouterr().err
    import csv

    with open(out / "baseline" / "doc_topics.csv", encoding="utf-8", newline="") as f:
        texts = [r["text"] for r in csv.DictReader(f)]
    assert any("基层党组织" in t for t in texts)  # decoded, not mojibake


def test_year_outside_the_range_is_left_out_with_a_warning(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus")
    set_row(corpus, "d0.txt", "1999")
    assert (
        main(
            [
                "run",
                str(EXPERIMENTS / "baseline.toml"),
                "--out",
                str(tmp_path / "out"),
                "--quiet",
                "--set",
                f"corpus.path={corpus}",
                *FAST,
                "--set",
                "corpus.years=[2005, 2024]",
            ]
        )
        == 0
    )
    assert "1 document(s) outside [corpus] years were left out" in capsys.readouterr().err


@pytest.mark.slow
def test_a_ten_megabyte_document_runs(tmp_path, capsys):
    corpus = make_corpus(tmp_path / "corpus", n=3)
    big = "".join(f"第{i}节。{PARAS[i % 4]}{PARAS[(i * 7) % 4]}\n" for i in range(80_000))
    (corpus / "d0.txt").write_text(big, encoding="utf-8")
    assert (corpus / "d0.txt").stat().st_size > 10_000_000
    assert (
        main(
            [
                "run",
                str(EXPERIMENTS / "nmf.toml"),
                "--out",
                str(tmp_path / "out"),
                "--quiet",
                "--set",
                f"corpus.path={corpus}",
                *FAST,
                "--set",
                "segment.engine=rjieba",
            ]
        )
        == 0
    ), capsys.readouterr().err


def test_control_characters_from_the_corpus_reach_the_terminal_as_escapes(tmp_path, capsys):
    """An OSC/CSI sequence or a bidi override in a scraped file name is printed visibly, not obeyed,
    by `topics check` and in error messages."""
    corpus = make_corpus(tmp_path / "corpus")
    hostile = "d0\x1b]0;owned\x07\x1b[2J\u202e.txt"
    (corpus / "d0.txt").rename(corpus / hostile)
    sheet = corpus / "metadata.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace("d0.txt", hostile), encoding="utf-8")
    assert main(["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}"]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "d0\\x1b]0;owned\\x07\\x1b[2J\\u202e" in out
    (corpus / hostile).unlink()  # now a row names a missing file
    assert main(["check", str(EXPERIMENTS / "baseline.toml"), "--set", f"corpus.path={corpus}"]) == 3
    err = capsys.readouterr().err
    assert "\x1b" not in err and "d0\\x1b]0;owned" in err and "no such file" in err


def test_a_document_whose_every_unit_is_pruned_is_named(tmp_path, capsys):
    """It has a row and a text, but no unit keeps a token: it is in no year's share, and the run says so."""
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "d0.txt").write_text("我们就是这个，那个也都是的。\n我们这个那个就是也都。\n", encoding="utf-8")
    out = tmp_path / "out"
    args = ["run", str(EXPERIMENTS / "baseline.toml"), "--out", str(out), "--quiet", "--set", f"corpus.path={corpus}"]
    assert main(args + FAST) == 0
    err = capsys.readouterr().err
    assert "1 document(s) had no unit left after pruning and are in no trend: d0.txt (2010)" in err
