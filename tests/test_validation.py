"""The human validation kit (`topics validate`): drawing is determined by the seed and never puts an
intruder among a topic's own top words, the sheets hold no answer and show corpus text as text, the
measures are the published ones (Krippendorff's alpha on Krippendorff's worked examples), bad answer
files get one message naming the file and row, and two scripted coders answer their sheets in headless
Chromium, download their answers, and `topics validate score` gives the numbers computed here by hand."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import shutil
from html.parser import HTMLParser

import numpy as np
import pytest

import topics
from topics.analysis import validation as va
from topics.cli import main
from topics.data import FittedModel, Segmented, Unit
from topics.errors import ValidationError
from topics.record.provenance import fmt
from topics.render import tables
from topics.render.sheets import coder_sheet

from .browser import Page, find_chromium
from .conftest import ROOT

HOSTILE_TEXT = "第{}段：加强党的建设。<script>document.title='pwned'</script> <img src=x onerror=alert(1)> & 完"
HOSTILE_WORD = "<b>粗体</b>"


# ---------------------------------------------------------------- a small model, drawn by hand
def toy(k=8, n_units=40, n_terms=80, seed=0):
    """A fitted model without fitting: Dirichlet topic-word and unit-topic shares over a toy corpus
    whose texts and one word hold HTML. Returns (model, dtm)."""
    from topics.config import VectorizeConfig
    from topics.text.vectorize import vectorize

    rng = np.random.default_rng(seed)
    words = [f"词{i:03d}" for i in range(n_terms - 1)] + [HOSTILE_WORD]
    units, tokens = [], []
    for i in range(n_units):
        units.append(
            Unit(f"d{i // 10}:{i % 10:04d}", f"d{i // 10}", 2005 + i // 10, i % 10, HOSTILE_TEXT.format(i), "")
        )
        tokens.append(tuple(words[j] for j in rng.integers(0, n_terms, size=10 + 5 * (i % 8))))
    tokens[0] = tuple(words)  # every word occurs
    dtm = vectorize(Segmented.from_tokens(units, tokens), VectorizeConfig(min_df=1, max_df=1.0))
    topic_term = rng.dirichlet(np.full(len(dtm.vocab), 0.1), size=k)
    doc_topic = rng.dirichlet(np.full(k, 0.3), size=len(dtm.units))
    return FittedModel("gensim-lda", doc_topic, topic_term, dtm.vocab), dtm


@pytest.fixture(scope="module")
def drawn():
    model, dtm = toy()
    return model, dtm, va.draw_kit(model, dtm, va.KitSpec(coders=3, seed=11, units=12), "fit0")


def top(model, k, n):
    return [w for w, _ in model.top_terms(k, n)]


def option(task, letter):
    return next(o for o in task.options if o.id == letter)


def test_the_draw_is_determined_by_the_seed(drawn):
    model, dtm, kit = drawn
    again = va.draw_kit(model, dtm, va.KitSpec(coders=3, seed=11, units=12), "fit0")
    assert again == kit and again.kit_id == kit.kit_id
    other = va.draw_kit(model, dtm, va.KitSpec(coders=3, seed=12, units=12), "fit0")
    assert other.tasks != kit.tasks and other.kit_id != kit.kit_id
    assert kit.counts() == {"word_intrusion": 8, "word_set_intrusion": 8, "topic_intrusion": 12}


def test_a_word_intruder_is_improbable_in_its_topic_and_among_another_topics_top_words(drawn):
    model, dtm, kit = drawn
    key = {e.task: e for e in kit.key}
    n_terms = len(model.vocab)
    for task in (t for t in kit.tasks if t.kind == "word_intrusion"):
        e, k = key[task.id], task.topic - 1
        intruder = option(task, e.answer).words[0]
        assert intruder not in top(model, k, va.WI_POOL)  # never among the topic's top words
        assert intruder in top(model, e.intruder_topic - 1, va.WI_POOL) and e.intruder_topic != task.topic
        assert e.intruder_rank > n_terms // 2  # in the topic's bottom half (no fallback note for the toy)
        assert e.intruder_rank == top(model, k, n_terms).index(intruder) + 1
        shown = sorted(o.words[0] for o in task.options if o.id != e.answer)
        assert shown == sorted(top(model, k, va.WI_WORDS))
        assert [o.id for o in task.options] == list("ABCDEF")
    assert kit.notes == ()
    assert len({key[t.id].answer for t in kit.tasks if t.kind == "word_intrusion"}) > 1  # positions are shuffled


def shared_words(k=4, n_terms=40, seed=0):
    """Topics that share their common words: each topic's top 10 is the same ten words but one, plus a
    word of its own; the next words are the other topics' own words, then the rest in a random order.
    No word of another topic's top 10 is in a topic's bottom half."""
    model, dtm = toy(k=k, n_terms=n_terms)
    rng = np.random.default_rng(seed)
    v = len(dtm.vocab)
    core, own = list(range(10)), list(range(10, 10 + k))
    rows = []
    for t in range(k):
        rest = [w for w in range(v) if w not in core and w not in own]
        ranking = [w for w in core if w != t] + [own[t], t] + [w for w in own if w != own[t]]
        ranking += [rest[i] for i in rng.permutation(len(rest))]
        row = np.empty(v)
        row[ranking] = 0.8 ** np.arange(v)
        rows.append(row / row.sum())
    return FittedModel(
        "gensim-lda", model.doc_topic[:, :k] / model.doc_topic[:, :k].sum(1, keepdims=True), np.array(rows), dtm.vocab
    ), dtm


@pytest.mark.parametrize("seed", range(4))
def test_without_a_bottom_half_word_the_intruder_is_one_the_topic_ranks_lowest_never_its_own(seed):
    model, dtm = shared_words(seed=seed)
    kit = va.draw_kit(model, dtm, va.KitSpec(seed=seed, units=3), "fit0")
    key = {e.task: e for e in kit.key}
    assert [n.split(":")[0] for n in kit.notes] == [f"word intrusion, topic {t}" for t in range(1, 5)]
    for task in (t for t in kit.tasks if t.kind == "word_intrusion"):
        k, e = task.topic - 1, key[task.id]
        intruder = option(task, e.answer).words[0]
        own = top(model, k, va.WI_POOL)
        pool = {w for j in range(4) if j != k for w in top(model, j, va.WI_POOL)} - set(own)
        ranking = top(model, k, len(model.vocab))
        lowest = sorted(pool, key=ranking.index)[-math.ceil(va.WI_FALLBACK * len(pool)) :]
        assert intruder not in own and intruder in lowest


def test_topics_with_the_same_top_words_have_no_word_intruder():
    model, dtm = shared_words()
    same = np.tile(model.topic_term[0], (4, 1))
    with pytest.raises(ValidationError, match=r"topic 1: every word in the other topics' top 10 is in its own top 10"):
        va.draw_kit(FittedModel("gensim-lda", model.doc_topic, same, model.vocab), dtm, va.KitSpec(), "fit0")


def test_a_word_set_intruder_comes_from_another_topic_and_none_of_its_words_is_this_topics(drawn):
    model, dtm, kit = drawn
    key = {e.task: e for e in kit.key}
    for task in (t for t in kit.tasks if t.kind == "word_set_intrusion"):
        e, own = key[task.id], set(top(model, task.topic - 1, va.WSI_POOL))
        intruder = set(option(task, e.answer).words)
        assert len(intruder) == va.WSI_SET_WORDS and not intruder & own
        assert intruder <= set(top(model, e.intruder_topic - 1, va.WSI_POOL)) and e.intruder_topic != task.topic
        sets = [set(o.words) for o in task.options if o.id != e.answer]
        assert len(sets) == va.WSI_SETS and all(len(s) == va.WSI_SET_WORDS and s <= own for s in sets)
        assert len(set().union(*sets)) == va.WSI_SETS * va.WSI_SET_WORDS  # the sets share no word


def test_topic_intrusion_shows_a_units_three_most_probable_topics_and_one_improbable_one(drawn):
    model, dtm, kit = drawn
    key = {e.task: e for e in kit.key}
    rows = {u.unit_id: i for i, u in enumerate(dtm.units)}
    tasks = [t for t in kit.tasks if t.kind == "topic_intrusion"]
    assert len({t.unit for t in tasks}) == 12
    for task in tasks:
        e, i = key[task.id], rows[task.unit]
        theta = model.doc_topic[i]
        by_share = [int(t) + 1 for t in np.argsort(-theta, kind="stable")]
        assert set(e.option_topics) - {e.intruder_topic} == set(by_share[:3])
        assert e.intruder_topic in by_share[3:] and by_share.index(e.intruder_topic) >= len(theta) // 2
        assert task.text == dtm.units[i].original and dtm.n_tokens[i] >= np.median(dtm.n_tokens)
        for o, t in zip(task.options, e.option_topics):
            assert list(o.words) == top(model, t - 1, va.TI_WORDS)
        assert e.theta == tuple(float(theta[t - 1]) for t in e.option_topics)


def test_each_coder_sees_every_task_once_in_their_own_order(drawn):
    model, dtm, kit = drawn
    ids = [t.id for t in kit.tasks]
    assert kit.coder_seeds == tuple((11 + c * 104_729) % 2**32 for c in (1, 2, 3))
    for c, order in enumerate(kit.orders, start=1):
        assert sorted(order) == sorted(ids)
        kinds = [kit.task(t).kind for t in order]
        assert kinds == sorted(kinds, key=list(va.KINDS).index)  # kinds in blocks, in KINDS order
        rng, expected = np.random.default_rng(kit.coder_seeds[c - 1]), []  # numpy's generator on the coder's seed
        for kind in va.KINDS:
            ids_of_kind = [t.id for t in kit.tasks if t.kind == kind]
            expected += [ids_of_kind[i] for i in rng.permutation(len(ids_of_kind))]
        assert list(order) == expected
    assert len(set(kit.orders)) == 3


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.options, self.text = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "button" and dict(attrs).get("class") == "option":
            self.options.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def test_a_sheet_holds_no_answer_and_shows_the_corpus_as_text(drawn):
    model, dtm, kit = drawn
    page = coder_sheet(kit.sheet(2, "exp<i>"))
    parsed = Elements()
    parsed.feed(page)
    n_options = sum(len(t.options) for t in kit.tasks)
    assert len(parsed.options) == n_options
    # every option button is like every other: nothing marks the intruder
    assert {tuple(sorted(o)) for o in parsed.options} == {("aria-pressed", "class", "data-option", "type")}
    assert {o["aria-pressed"] for o in parsed.options} == {"false"}
    for word in ('"answer"', "data-answer", "intruder", "correct", "theta", "option_topics"):
        assert word not in page
    assert not any(f"{x:.6f}" in page for e in kit.key for x in e.theta)
    # the options are shown in the order drawn, so their place says nothing either
    assert [o["data-option"] for o in parsed.options] == [o.id for t in kit.sheet(2, "x").tasks for o in t.options]
    # corpus text is text: the only elements are the sheet's own, one script, no URL anywhere
    assert [t for t, _ in parsed.tags].count("script") == 1 and "img" not in [t for t, _ in parsed.tags]
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in page
    assert "&lt;b&gt;粗体&lt;/b&gt;" in page and "exp&lt;i&gt;" in page
    assert not [a for _, attrs in parsed.tags for k, a in attrs.items() if k in ("src", "href", "action")]
    assert 'http-equiv="Content-Security-Policy"' in page and "connect-src 'none'" in page
    assert ".innerHTML" not in page and "insertAdjacentHTML" not in page and "textContent" in page


def test_too_few_topics_or_terms_are_refused_with_what_to_do():
    model, dtm = toy(k=3)
    with pytest.raises(ValidationError, match=r"the run has 3 topics.*model.n_topics >= 4"):
        va.draw_kit(model, dtm, va.KitSpec(), "fit0")
    model, dtm = toy(k=5, n_terms=30)
    with pytest.raises(ValidationError, match=r"the run has \d+ terms.*lower vectorize.min_df"):
        va.draw_kit(model, dtm, va.KitSpec(), "fit0")
    with pytest.raises(Exception, match=r"--coders 0: expected a whole number from 1 to 100"):
        va.KitSpec(coders=0)


# ---------------------------------------------------------------- measures
def test_krippendorffs_alpha_on_krippendorffs_worked_examples():
    """Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", example C (nominal, four
    observers, 12 units, missing values; also Wikipedia's example): alpha = 0.743. Example A (binary,
    two observers, 10 units): alpha = 0.095."""
    n = None
    observers = [
        [1, 2, 3, 3, 2, 1, 4, 1, 2, n, n, n],
        [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, n, 3],
        [n, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, n],
        [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, n],
    ]
    units = [[v for v in unit if v is not None] for unit in zip(*observers)]
    assert va.krippendorff_alpha(units) == pytest.approx(0.743, abs=5e-4)
    a, b = [0, 1, 0, 0, 0, 0, 0, 0, 1, 0], [1, 1, 1, 0, 0, 1, 0, 0, 0, 0]
    assert va.krippendorff_alpha(zip(a, b)) == pytest.approx(0.095, abs=5e-4)
    assert va.krippendorff_alpha([["A", "A"], ["B", "B"], ["C", "C", "C"]]) == 1.0
    assert va.krippendorff_alpha([["A"], ["B"]]) is None  # nothing pairable
    assert va.krippendorff_alpha([["A", "A"], ["A", "A"]]) is None  # no variation: undefined


def pairs_alpha(units):
    """Nominal alpha for two values per unit, as one reads it off the pairs: 1 - D_o / D_e, D_o the
    share of units whose two values differ, D_e the share of differing ordered pairs among all values."""
    values = [v for u in units for v in u]
    d_o = sum(a != b for a, b in units) / len(units)
    d_e = sum(x != y for i, x in enumerate(values) for j, y in enumerate(values) if i != j) / (
        len(values) * (len(values) - 1)
    )
    return 1 - d_o / d_e


def test_scores_are_the_numbers_computed_by_hand(drawn):
    model, dtm, kit = drawn
    key = {e.task: e for e in kit.key}
    rows = {u.unit_id: i for i, u in enumerate(dtm.units)}
    wrong = {t.id: next(o.id for o in t.options if o.id != key[t.id].answer) for t in kit.tasks}
    judgments = [va.Judgment(1, t.id, key[t.id].answer) for t in kit.tasks]  # coder 1 always right
    wi = [t for t in kit.tasks if t.kind == "word_intrusion"]
    ti = [t for t in kit.tasks if t.kind == "topic_intrusion"]
    judgments += [va.Judgment(2, t.id, key[t.id].answer if t.topic <= 2 else wrong[t.id]) for t in wi]
    judgments += [va.Judgment(2, t.id, wrong[t.id]) for t in ti[:5]]
    got = {(s.kind, s.task, s.measure): s for s in va.score(kit, judgments, model.doc_topic, rows)}
    assert got["word_intrusion", "wi-01", "model_precision"].value == 1.0
    assert got["word_intrusion", "wi-03", "model_precision"][5:] == (0.5, 2, 2)
    assert got["word_intrusion", "", "model_precision"][5:] == (pytest.approx((2 + 6 * 0.5) / 8), 2, 16)
    assert got["word_set_intrusion", "", "model_precision"][5:] == (1.0, 1, 8)

    def log_odds(task, choice):
        e, theta = key[task.id], model.doc_topic[rows[task.unit]]
        topic = dict(zip((o.id for o in task.options), e.option_topics))
        return math.log(theta[topic[e.answer] - 1]) - math.log(theta[topic[choice] - 1])

    per_unit = [(0 + log_odds(t, wrong[t.id])) / 2 for t in ti[:5]] + [0.0] * 7
    assert got["topic_intrusion", ti[0].id, "topic_log_odds"].value == pytest.approx(per_unit[0])
    assert got["topic_intrusion", ti[0].id, "topic_log_odds"].value < 0
    assert got["topic_intrusion", ti[9].id, "topic_log_odds"].value == 0.0
    assert got["topic_intrusion", "", "topic_log_odds"][5:] == (pytest.approx(sum(per_unit) / 12), 2, 17)
    pairs = [(key[t.id].answer, key[t.id].answer if t.topic <= 2 else wrong[t.id]) for t in wi]
    assert got["word_intrusion", "", "krippendorff_alpha"][5:] == (pytest.approx(pairs_alpha(pairs)), 2, 8)
    pairs += [(key[t.id].answer, wrong[t.id]) for t in ti[:5]]
    assert got["all", "", "krippendorff_alpha"][5:] == (pytest.approx(pairs_alpha(pairs)), 2, 13)
    assert got["word_set_intrusion", "", "krippendorff_alpha"][5:] == (None, 0, 0)  # one coder only


# ---------------------------------------------------------------- the command line on the session's run
@pytest.fixture(scope="module")
def base_run(seeds_run, tmp_path_factory):
    """The session's baseline run, copied, with static figures off (so that a re-render takes a second)."""
    dest = tmp_path_factory.mktemp("validate") / "baseline"
    shutil.copytree(seeds_run.run_dir, dest)
    assert main(["report", str(dest), "--set", "export.static=false"]) == 0
    return dest


@pytest.fixture
def run_copy(base_run, tmp_path):
    dest = tmp_path / "runs" / "baseline"
    shutil.copytree(base_run, dest)
    return dest


@pytest.fixture(scope="module")
def kit_run(base_run, tmp_path_factory):
    """A copy of the run with a kit of two coders drawn (read only: for answer files that are refused)."""
    dest = tmp_path_factory.mktemp("kit") / "baseline"
    shutil.copytree(base_run, dest)
    assert main(["validate", str(dest)]) == 0
    return dest


def documented(part: str) -> bool:
    return part in (ROOT / "docs" / "troubleshooting.md").read_text(encoding="utf-8")


def read_json(path):
    return json.loads(path.read_text(encoding="utf-8"))


def tree(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_validate_writes_a_kit_recorded_with_its_seeds_and_redraws_it_byte_for_byte(kit_run, capsys):
    folder = kit_run / "validation"
    tasks, key = read_json(folder / "tasks.json"), read_json(folder / "key.json")
    manifest = read_json(kit_run / "manifest.json")
    assert tasks["fit_id"] == manifest["fit_id"] == key["fit_id"] and tasks["kit_id"] == key["kit_id"]
    assert tasks["seed"] == manifest["seed"] == 20240501 and tasks["coders"] == 2
    assert tasks["coder_seeds"] == {"1": 20240501 + 104_729, "2": 20240501 + 2 * 104_729}
    assert tasks["counts"] == {"word_intrusion": 8, "word_set_intrusion": 8, "topic_intrusion": 20}
    assert sorted(p.name for p in (folder / "sheets").iterdir()) == ["coder-1.html", "coder-2.html"]
    assert "answer" not in json.dumps(tasks["tasks"])  # the record of what was drawn holds no answer either
    for c in ("1", "2"):
        sheet = (folder / "sheets" / f"coder-{c}.html").read_text(encoding="utf-8")
        assert [t for t in tasks["orders"][c]] == [
            line.split('data-task="')[1].split('"')[0] for line in sheet.split("<article")[1:]
        ]
        assert "key.json" not in sheet and '"answer"' not in sheet
    before = tree(folder)
    capsys.readouterr()
    assert main(["validate", str(kit_run)]) == 10
    err = capsys.readouterr().err
    assert "exists already (a kit was drawn for this run)" in err and "--force" in err
    assert documented("exists already (a kit was drawn for this run)")
    assert main(["validate", str(kit_run), "--force"]) == 0
    assert tree(folder) == before  # the same seed draws the same kit, byte for byte


def test_validate_refuses_a_folder_that_is_not_a_run(tmp_path, capsys):
    assert main(["validate", str(tmp_path / "nothing")]) == 8
    assert "is not a run folder (no such folder)" in capsys.readouterr().err
    assert main(["validate", "score", str(tmp_path)]) == 2
    assert documented("topics validate score needs the run folder and the answer files")


def answers_file(path, kit, coder, rows, header="kit,coder,task,choice", encoding="utf-8"):
    lines = [header, *(",".join(map(str, r if len(r) == 4 else (kit, coder, *r))) for r in rows)]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


BAD = [  # (id, rows of coder 1's file, the message, the part troubleshooting.md lists, the row it names)
    ("unknown-task", [("wi-01", "A"), ("wi-99", "A")], "unknown task 'wi-99'", "unknown task", 3),
    (
        "wrong-coder",
        [("KIT", 3, "wi-01", "A")],
        "coder '3' is not a coder of this kit",
        "is not a coder of this kit",
        2,
    ),
    (
        "two-coders-in-one-file",
        [("wi-01", "A"), ("KIT", 2, "wi-02", "A")],
        "coder 2 in a file of coder 1",
        "in a file of coder",
        3,
    ),
    (
        "choice-not-offered",
        [("ti-01", "F")],
        "choice 'F' is not an option of task ti-01",
        "is not an option of task",
        2,
    ),
    (
        "formula",
        [("wi-01", "A"), ("KIT", 1, "wi-02", "=HYPERLINK(1)")],
        "cell '=HYPERLINK(1)' looks like a spreadsheet formula",
        "looks like a spreadsheet formula",
        3,
    ),
    (
        "another-kit",
        [("0123456789abcdef", 1, "wi-01", "A")],
        "answers kit '0123456789abcdef', but this run's kit is",
        "but this run's kit is",
        2,
    ),
    (
        "answered-twice",
        [("wi-01", "A"), ("wi-01", "B")],
        "task wi-01 answered twice (rows 2 and 3)",
        "answered twice",
        3,
    ),
    ("not-utf8", "gbk", "not UTF-8 text (byte", "not UTF-8 text", 0),
    ("missing-column", "header", "missing column(s) choice", "missing column(s)", 0),
    ("empty", "empty", "the file is empty", "the file is empty", 0),
    ("only-a-header", [], "holds no answers", "holds no answers", 0),
]


@pytest.mark.parametrize("name, rows, message, part, row", BAD, ids=[b[0] for b in BAD])
def test_a_bad_answer_file_gets_one_message_naming_the_file_and_row(
    kit_run, tmp_path, capsys, name, rows, message, part, row
):
    kit = read_json(kit_run / "validation" / "tasks.json")["kit_id"]
    path = tmp_path / "coder-1-answers.csv"
    if rows == "gbk":
        answers_file(path, kit, 1, [("wi-01", "A")], header="kit,coder,task,choice,备注", encoding="gbk")
    elif rows == "header":
        answers_file(path, kit, 1, [("wi-01", "A")], header="kit,coder,task")
    elif rows == "empty":
        path.write_bytes(b"")
    else:
        answers_file(path, kit, 1, [tuple(kit if c == "KIT" else c for c in r) for r in rows])
    good = answers_file(tmp_path / "coder-2-answers.csv", kit, 2, [("wi-01", "A")])
    capsys.readouterr()
    assert main(["validate", "score", str(kit_run), str(path), str(good)]) == 10
    err = capsys.readouterr().err
    assert err.startswith("validation error") and message in err and "Traceback" not in err
    assert (f"{path} row {row}: " if row else f"{path}: ") in err
    assert err.count("\n") == 1  # one message
    assert not (kit_run / "validation.csv").exists() and not (kit_run / "validation" / "answers").exists()
    assert part in message and documented(part), f"{name}: not in docs/troubleshooting.md"


def test_two_answer_files_of_one_coder_and_a_missing_file_are_refused(kit_run, tmp_path, capsys):
    kit = read_json(kit_run / "validation" / "tasks.json")["kit_id"]
    a = answers_file(tmp_path / "a.csv", kit, 1, [("wi-01", "A")])
    b = answers_file(tmp_path / "b.csv", kit, 1, [("wi-02", "A")])
    capsys.readouterr()
    assert main(["validate", "score", str(kit_run), str(a), str(b), str(tmp_path / "c.csv")]) == 10
    err = capsys.readouterr().err
    assert f"{b}: coder 1 answered in {a} too; give one answer file per coder" in err
    assert f"{tmp_path / 'c.csv'}: no such file" in err and "2 problems" in err
    assert documented("too; give one answer file per coder") and documented(": no such file")


def test_scoring_a_merged_run_keeps_each_label_on_its_topic(run_copy, tmp_path):
    """A merged folder numbers its labels as the merged topics; scoring re-renders it from the fit and
    must not move them onto the neighbouring topic."""
    merged = ["--set", "report.merge=[[2, 5]]", "--set", 'report.labels={"7" = "七", "8" = "八"}']
    assert main(["report", str(run_copy), *merged, "--set", "export.static=false"]) == 0

    def labels():
        return {r["topic"]: r["label"] for r in csv.DictReader(open(run_copy / "topics.csv", encoding="utf-8"))}

    before = labels()
    assert before["6"] == "七" and before["7"] == "八"  # fit topics 7 and 8 are merged topics 6 and 7
    assert main(["validate", str(run_copy), "--coders", "1", "--units", "2"]) == 0
    tasks = read_json(run_copy / "validation" / "tasks.json")
    key = {e["task"]: e["answer"] for e in read_json(run_copy / "validation" / "key.json")["key"]}
    answers = answers_file(tmp_path / "a.csv", tasks["kit_id"], 1, [("wi-01", key["wi-01"])])
    assert main(["validate", "score", str(run_copy), str(answers)]) == 0
    assert labels() == before


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_scoring_keeps_the_runs_labels_and_later_reports_keep_the_kit(run_copy, tmp_path, capsys):
    relabel = ["--set", 'report.labels={"2" = "整改<问题>"}', "--set", "export.static=false"]
    assert main(["report", str(run_copy), *relabel]) == 0
    assert main(["validate", str(run_copy), "--coders", "1", "--seed", "7", "--units", "3"]) == 0
    tasks = read_json(run_copy / "validation" / "tasks.json")
    assert tasks["seed"] == 7 and tasks["coders"] == 1 and tasks["counts"]["topic_intrusion"] == 3
    key = {e["task"]: e["answer"] for e in read_json(run_copy / "validation" / "key.json")["key"]}
    missed = "A" if key["wi-02"] != "A" else "B"
    answers = answers_file(tmp_path / "mine.csv", tasks["kit_id"], 1, [("wi-02", missed), ("ti-01", key["ti-01"])])
    assert main(["validate", "score", str(run_copy), str(answers)]) == 0
    labels = {r["topic"]: r["label"] for r in csv.DictReader(open(run_copy / "topics.csv", encoding="utf-8"))}
    assert labels["2"] == "整改<问题>"  # the relabelling stays
    scored = tree(run_copy)
    assert scored["validation/answers/coder-1.csv"] == answers.read_bytes()
    m = read_json(run_copy / "manifest.json")
    assert m["validation"]["answers"][0]["sha256"] == hashlib.sha256(answers.read_bytes()).hexdigest()
    assert m["outputs"]["validation/answers/coder-1.csv"] == hashlib.sha256(answers.read_bytes()).hexdigest()
    assert m["validation"]["seed"] == 7 and m["fit_id"] == tasks["fit_id"]
    # a report with the same settings keeps the kit, the answers and the scores, byte for byte
    assert main(["report", str(run_copy), *relabel]) == 0
    again = tree(run_copy)
    assert {n: b for n, b in again.items() if n != "manifest.json"} == {
        n: b for n, b in scored.items() if n != "manifest.json"
    }
    assert b'id="validation"' in again["details.html"] and b"## Human validation" in again["methods.md"]
    fit = topics.load_run(run_copy).fit
    header, rows = tables.run_tables(fit)["validation.csv"]
    assert again["validation.csv"].decode("utf-8").splitlines() == [
        ",".join(header),
        *(",".join(fmt(v) for v in r) for r in rows),
    ]
    tex = again["tables/validation.tex"].decode("utf-8")
    assert "整改" not in tex  # topics by their words, numbered as in the fit
    words = [" ".join(w for w, _ in fit.model.top_terms(k, va.WI_WORDS)) for k in (0, 1)]
    assert f"T2 & {words[1]} & 0 of 1 \\\\\n" in tex and f"T1 & {words[0]} & – \\\\\n" in tex
    assert "Word-set intrusion" not in tex  # coder 1 missed T2's intruder and did no word-set intrusion
    # a new kit takes the old kit's scores out of the run
    assert main(["validate", str(run_copy), "--force"]) == 0
    assert not (run_copy / "validation.csv").exists() and not (run_copy / "validation" / "answers").exists()
    assert b'id="validation"' not in (run_copy / "details.html").read_bytes()
    assert "validation" not in read_json(run_copy / "manifest.json")
    assert topics.load_run(run_copy).fit.validation is None


# ---------------------------------------------------------------- two coders in a real browser
@pytest.mark.skipif(find_chromium() is None, reason="no Chromium on this machine")
@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_two_coders_answer_their_sheets_in_chromium_and_the_scores_are_those_computed_by_hand(run_copy, tmp_path):
    assert main(["validate", str(run_copy)]) == 0
    folder = run_copy / "validation"
    tasks = {t["id"]: t for t in read_json(folder / "tasks.json")["tasks"]}
    key = {e["task"]: e for e in read_json(folder / "key.json")["key"]}
    run = topics.load_run(run_copy)
    rows = {u: i for i, u in enumerate(run.units["unit_id"])}

    def theta(task_id, letter):
        t, e = tasks[task_id], key[task_id]
        topic = e["option_topics"][[o["id"] for o in t["options"]].index(letter)]
        return run.doc_topic[rows[t["unit"]], topic - 1]

    def most_probable(task_id):  # the wrong answer a careless coder gives in topic intrusion
        return max((o["id"] for o in tasks[task_id]["options"]), key=lambda letter: theta(task_id, letter))

    def not_the_intruder(task_id):
        return next(o["id"] for o in tasks[task_id]["options"] if o["id"] != key[task_id]["answer"])

    right = {t: key[t]["answer"] for t in tasks}
    plan = {  # coder -> {task: option}; a task left out is skipped with "Next"
        1: {
            **{t: (right[t] if tasks[t]["topic"] <= 6 else not_the_intruder(t)) for t in tasks if t.startswith("wi-")},
            **{t: right[t] for t in tasks if t.startswith("wsi-")},
            **{t: (right[t] if int(t[3:]) % 2 else most_probable(t)) for t in tasks if t.startswith("ti-")},
        },
        2: {
            **{t: (right[t] if tasks[t]["topic"] <= 4 else not_the_intruder(t)) for t in tasks if t.startswith("wi-")},
            **{t: (right[t] if int(t[3:]) <= 10 else most_probable(t)) for t in tasks if t.startswith("ti-")},
        },
    }
    downloads = {}
    for coder, answers in plan.items():
        inbox = tmp_path / f"downloads-{coder}"
        inbox.mkdir()
        with Page(1200, 1400, downloads=str(inbox)) as page:
            page.open((folder / "sheets" / f"coder-{coder}.html").as_uri())
            order = page.evaluate("Array.from(document.querySelectorAll('article.task')).map(t => t.dataset.task)")
            assert order == read_json(folder / "tasks.json")["orders"][str(coder)]
            for i, task in enumerate(order):
                shown = f"document.querySelector('article.task:not([hidden])').dataset.task === '{task}'"
                assert page.wait(shown, 10), f"coder {coder}: task {task} not shown"
                if task in answers:
                    page.click(f"article[data-task='{task}'] button[data-option='{answers[task]}']")
                    pressed = f"article[data-task='{task}'] button[aria-pressed='true']"
                    assert page.evaluate(f"document.querySelector(\"{pressed}\").dataset.option") == answers[task]
                if i < 3 and task in answers:
                    continue  # the sheet moves on by itself after a first answer
                if i < len(order) - 1:
                    page.click("#next")
            progress = page.evaluate("document.getElementById('progress-text').textContent")
            assert progress == f"{len(answers)} of {len(order)} answered"
            assert page.evaluate("document.getElementById('done').hidden") is (len(answers) < len(order))
            page.click("#download")
            done = page.wait_download()
            report = page.report()
        assert report.errors == []  # no console error, no CSP report
        assert [u for u in report.requests if not u.startswith(("file:", "blob:", "data:"))] == []
        downloads[coder] = inbox / "coder-{}-answers.csv".format(coder)
        assert done["filePath"] == str(downloads[coder])
        got = list(csv.DictReader(open(downloads[coder], encoding="utf-8", newline="")))
        assert {r["task"]: r["choice"] for r in got} == answers and {r["coder"] for r in got} == {str(coder)}

    assert main(["validate", "score", str(run_copy), str(downloads[1]), str(downloads[2])]) == 0
    table = {
        (r["task_type"], r["task"], r["measure"]): r
        for r in csv.DictReader(open(run_copy / "validation.csv", encoding="utf-8", newline=""))
    }

    def value(kind, task, measure):
        return float(table[kind, task, measure]["value"])

    # word intrusion: topics 1-4 found by both, 5-6 by coder 1 only, 7-8 by neither
    for t in range(1, 9):
        assert value("word_intrusion", f"wi-{t:02d}", "model_precision") == (1.0 if t <= 4 else 0.5 if t <= 6 else 0.0)
    assert value("word_intrusion", "", "model_precision") == pytest.approx((4 + 2 * 0.5) / 8, abs=1e-6)
    assert value("word_set_intrusion", "", "model_precision") == 1.0
    assert table["word_set_intrusion", "", "model_precision"]["coders"] == "1"
    # topic log odds: per unit the mean over both coders of log θ(intruder) - log θ(chosen)
    per_unit = {}
    for t in (t for t in tasks if t.startswith("ti-")):
        odds = [math.log(theta(t, right[t])) - math.log(theta(t, plan[c][t])) for c in (1, 2)]
        per_unit[t] = sum(odds) / 2
        assert value("topic_intrusion", t, "topic_log_odds") == pytest.approx(per_unit[t], abs=1e-6)
    assert value("topic_intrusion", "", "topic_log_odds") == pytest.approx(sum(per_unit.values()) / 20, abs=1e-6)
    assert sum(per_unit.values()) < 0 and per_unit["ti-01"] == 0.0  # ti-01: both right
    # agreement over the tasks both coders answered (word and topic intrusion), by pairs
    wi = [(plan[1][t], plan[2][t]) for t in sorted(tasks) if t.startswith("wi-")]
    ti = [(plan[1][t], plan[2][t]) for t in sorted(tasks) if t.startswith("ti-")]
    assert value("word_intrusion", "", "krippendorff_alpha") == pytest.approx(pairs_alpha(wi), abs=1e-6)
    assert value("topic_intrusion", "", "krippendorff_alpha") == pytest.approx(pairs_alpha(ti), abs=1e-6)
    assert value("all", "", "krippendorff_alpha") == pytest.approx(pairs_alpha(wi + ti), abs=1e-6)
    assert table["all", "", "krippendorff_alpha"]["n"] == "28"
    # the run records the answers and shows the scores
    m = read_json(run_copy / "manifest.json")
    assert [a["sha256"] for a in m["validation"]["answers"]] == [
        hashlib.sha256(downloads[c].read_bytes()).hexdigest() for c in (1, 2)
    ]
    assert (folder / "answers" / "coder-2.csv").read_bytes() == downloads[2].read_bytes()
    methods = (run_copy / "methods.md").read_text(encoding="utf-8")
    assert f"{(4 + 2 * 0.5) / 8:.2f} for word intrusion" in methods
    assert "Krippendorff's alpha, nominal" in methods and f"is {pairs_alpha(wi + ti):.2f}" in methods
    dashboard = (run_copy / "details.html").read_text(encoding="utf-8")
    assert 'id="validation"' in dashboard and 'href="#validation"' in dashboard and 'id="fig-validation"' in dashboard
    assert run.manifest["fit_id"] == m["fit_id"]  # scoring never changes the fit
