"""`topics init`: an experiment file of the corpus's own (years, description, formulation chart, K),
every other setting at the package default, never replacing a file; and the warning when
`--set corpus.path=` carries another corpus's settings along."""

from __future__ import annotations

import pytest

from topics.cli import main
from topics.config import load_experiment
from topics.config.loading import carried_settings
from topics.config.scaffold import suggested_k

from .conftest import EXPERIMENTS, write_corpus

PARAGRAPHS = [
    "全面推进乡村振兴，加快农业农村现代化，巩固拓展脱贫攻坚成果同乡村振兴有效衔接。",
    "坚持和加强党的全面领导，全面从严治党向纵深发展，基层党组织的政治功能和组织功能不断增强。",
    "实施乡村振兴战略，培育新型农业经营主体，发展壮大村级集体经济，增加农民收入。",
    "加强干部队伍建设，树立正确选人用人导向，激励干部担当作为，锻炼年轻干部。",
    "推动生态文明建设，坚持绿水青山就是金山银山，打好污染防治攻坚战，改善农村人居环境。",
    "深化党史学习教育，不忘初心牢记使命，以高质量党建引领乡村振兴和基层治理。",
]


def three_speeches(folder):
    docs = {
        f"speech_{y}.txt": (y, "\n".join(PARAGRAPHS[(i + j) % len(PARAGRAPHS)] for j in range(12)))
        for i, y in enumerate((2019, 2021, 2023))
    }
    corpus = write_corpus(folder, docs)
    rows = (corpus / "metadata.csv").read_text(encoding="utf-8").splitlines()
    levels = ["county", "city", "county"]
    (corpus / "metadata.csv").write_text(
        "\n".join([rows[0] + ",level"] + [f"{r},{lv}" for r, lv in zip(rows[1:], levels)]) + "\n", encoding="utf-8"
    )
    return corpus


def test_init_writes_an_experiment_of_the_corpus_own_that_loads(tmp_path, capsys):
    corpus = three_speeches(tmp_path / "my-speeches")
    assert main(["init", str(corpus), "--experiments", str(tmp_path / "experiments")]) == 0
    out = capsys.readouterr().out
    path = tmp_path / "experiments" / "my-speeches.toml"
    assert f"wrote {path}" in out and "K = round(4 x log10(units))" in out
    config = load_experiment(path)
    assert config.name == "my-speeches" and config.corpus.years == (2019, 2023)
    assert config.experiment.description.startswith(
        "gensim LDA on paragraph units of my-speeches: 3 documents, 2019-2023"
    )
    assert "level: city 1, county 2" in config.experiment.description
    assert "乡村振兴" in config.formulations.chart and "组织工作" not in config.formulations.chart
    assert config.model.n_topics == suggested_k(36, 5) and config.uncertainty.seed == config.seed
    text = path.read_text(encoding="utf-8")
    assert text.count("# README: ") == len(config.to_dict())  # every section names where it is explained
    assert 'path = "../my-speeches"' in text  # inside the project: relative to the file
    assert carried_settings(config) == ""


def test_init_refuses_to_replace_an_experiment_file(tmp_path, capsys):
    corpus = three_speeches(tmp_path / "c")
    folder = tmp_path / "experiments"
    folder.mkdir()
    (folder / "c.toml").write_text("# mine\n", encoding="utf-8")
    assert main(["init", str(corpus), "--experiments", str(folder)]) == 2
    err = capsys.readouterr().err
    assert "c.toml' exists; `topics init` never replaces an experiment file: choose another name with --name" in err
    assert (folder / "c.toml").read_text(encoding="utf-8") == "# mine\n"
    assert main(["init", str(corpus), "--experiments", str(folder), "--name", "c2"]) == 0


def test_init_of_a_bad_corpus_writes_nothing(tmp_path, capsys):
    corpus = three_speeches(tmp_path / "c")
    (corpus / "speech_2021.txt").unlink()
    assert main(["init", str(corpus), "--experiments", str(tmp_path / "experiments")]) == 3
    assert "speech_2021.txt" in capsys.readouterr().err
    assert not (tmp_path / "experiments" / "c.toml").exists()


def test_suggested_k_gives_the_bundled_experiments_k_and_respects_the_guards():
    assert suggested_k(117, 5) == 8  # the seeds: baseline.toml's K
    assert suggested_k(5892, 5) == 15  # the government work reports: gov-reports.toml's K
    assert suggested_k(12, 5) == 2 and suggested_k(1, 5) == 2


def test_pointing_an_experiment_at_another_corpus_names_the_settings_that_came_along(tmp_path, capsys):
    corpus = three_speeches(tmp_path / "c")
    config = load_experiment(EXPERIMENTS / "baseline.toml", [f"corpus.path={corpus}"])
    message = carried_settings(config)
    assert "corpus.years, experiment.description, formulations.chart, uncertainty.eras, experiment.name" in message
    assert "the run is written under its name 'baseline'" in message and f"topics init {corpus}" in message
    assert main(["check", "--set", f"corpus.path={corpus}", "--set", "corpus.years=[2019, 2023]"]) == 0
    err = capsys.readouterr().err
    assert err.count("warning: --set corpus.path points") == 1 and "corpus.years" not in err.split("came along")[1][:40]


@pytest.mark.slow  # a whole run of the made-up corpus
def test_init_then_run_gives_the_new_corpus_its_own_axes_description_and_chart(tmp_path):
    import json

    corpus = three_speeches(tmp_path / "c")
    assert main(["init", str(corpus), "--experiments", str(tmp_path / "experiments")]) == 0
    path = tmp_path / "experiments" / "c.toml"
    assert main(["run", str(path), "--out", str(tmp_path / "reports"), "--quiet"]) == 0
    run = tmp_path / "reports" / "c"
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["corpus"]["years"] == [2019, 2021, 2023] and not manifest["corpus"]["excluded"]
    html = (run / "dashboard.html").read_text(encoding="utf-8")
    assert "gensim LDA on paragraph units of c: 3 documents, 2019-2023" in html
    assert "乡村振兴" in html and "organization-work" not in html
    assert not [w for w in manifest["warnings"] if "came along" in w]
