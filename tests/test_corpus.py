"""Loading a corpus: the seeds load; every problem is reported at once, naming the file."""

import pytest

from topics.config import CorpusConfig
from topics.text.corpus import load_corpus
from topics.errors import CorpusError

from .conftest import SEEDS, SHARED, write_corpus

TEXT = "这是一篇关于加强基层党组织建设的讲话稿，内容涉及干部队伍和人才工作。"


def load(folder, **kw):
    return load_corpus(CorpusConfig(path=str(folder), root=folder, **kw))


def test_seeds_load_sorted_by_year():
    corpus = load(SEEDS)
    assert [d.year for d in corpus.documents] == [2005, 2008, 2016, 2020, 2024]
    assert {d.file for d in corpus.documents} == {p.name for p in SEEDS.glob("*.txt")}
    assert corpus.documents[0].get("level") == "county"
    assert len(corpus.fingerprint) == 64


def test_seed_files_are_the_shared_originals_byte_for_byte():
    if not (SHARED / "seeds").is_dir():
        pytest.skip("../shared is absent")
    for path in SHARED.joinpath("seeds").glob("*.txt"):
        assert (SEEDS / path.name).read_bytes() == path.read_bytes(), path.name


def test_every_problem_reported_at_once(tmp_path):
    folder = write_corpus(
        tmp_path / "c",
        {
            "a.txt": (2005, TEXT),
            "b.txt": ("二〇〇五", TEXT + "不同"),
            "c.txt": (2006, "   \n\n"),
            "d.txt": (2007, TEXT),  # same text as a.txt
        },
        extra_rows="missing.txt,2008,x\n,2009,no file\n",
    )
    (folder / "stray.txt").write_text(TEXT + "多余", encoding="utf-8")
    with pytest.raises(CorpusError) as info:
        load(folder)
    text = str(info.value)
    assert len(info.value.problems) == 6, text
    assert "b.txt: year '二〇〇五'" in text
    assert "c.txt: the text is empty" in text
    assert "d.txt: same text as a.txt" in text
    assert "missing.txt: listed in metadata.csv" in text
    assert "file column is empty" in text
    assert "stray.txt: a .txt file in the corpus folder with no row" in text


def test_missing_folder_sheet_and_columns(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder .* not found"):
        load(tmp_path / "nowhere")
    (tmp_path / "x").mkdir()
    with pytest.raises(CorpusError, match="metadata sheet .* not found"):
        load(tmp_path / "x")
    (tmp_path / "x" / "metadata.csv").write_text("name,date\na.txt,2005\n", encoding="utf-8")
    with pytest.raises(CorpusError, match="missing column.*file, year"):
        load(tmp_path / "x")


def test_wrong_encoding_names_file_and_setting(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": (2005, TEXT)})
    (folder / "a.txt").write_bytes(TEXT.encode("gb18030"))
    with pytest.raises(CorpusError, match=r"a.txt: cannot be read as utf-8.*encoding"):
        load(folder)
    assert load(folder, encoding="gb18030").documents[0].raw == TEXT


def test_year_range_leaves_documents_out_and_records_them(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": (1999, TEXT), "b.txt": (2010, TEXT + "二")})
    corpus = load(folder, years=(2005, 2024))
    assert [d.file for d in corpus.documents] == ["b.txt"]
    assert corpus.excluded == (("a.txt", 1999, "year outside 2005-2024"),)
    with pytest.raises(CorpusError, match="no document has a year in 2030-2040"):
        load(folder, years=(2030, 2040))


def test_bom_and_crlf_sheet(tmp_path):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "metadata.csv").write_bytes("\ufefffile,year\r\na.txt,2005\r\n".encode("utf-8"))
    assert load(folder).documents[0].year == 2005


def test_fingerprint_changes_with_content(tmp_path):
    folder = write_corpus(tmp_path / "c", {"a.txt": (2005, TEXT)})
    before = load(folder).fingerprint
    (folder / "a.txt").write_text(TEXT + "。", encoding="utf-8")
    assert load(folder).fingerprint != before
