"""Theme words by year: the weighting checked by hand, shifts between years, dynamic-model input;
model comparison on a planted corpus."""

import numpy as np
import pytest
import scipy.sparse as sp

from topics.data import DocTermMatrix, FittedModel, Unit
from topics.analysis.evolution import theme_words
from topics.config.schema import EvolutionConfig

VOCAB = ("a", "b", "c")


def dtm_and_model(years=(2020, 2020)):
    units = tuple(Unit(f"u{i}", f"d{i}", y, 0, "", "") for i, y in enumerate(years))
    counts = sp.csr_matrix(np.array([[2, 2, 2], [1, 0, 0]][: len(years)]))
    dtm = DocTermMatrix(counts=counts, vocab=VOCAB, units=units)
    model = FittedModel(
        engine="x",
        doc_topic=np.array([[0.5, 0.5], [1.0, 0.0]]),
        topic_term=np.array([[0.5, 0.5, 0.0], [0.0, 0.5, 0.5]]),
        vocab=VOCAB,
    )
    return dtm, model


def weights(evo, topic, year):
    return {term: w for t, y, _, term, w in evo.rows if t == topic and y == year}


def test_assignment_weighting_by_hand():
    dtm, model = dtm_and_model()
    evo = theme_words(model, dtm, EvolutionConfig(top_n=3, weighting="assignment"))
    # topic 1 is credited a: 2 + 1, b: 1, c: 0 -> 0.75, 0.25; topic 2: b 1, c 2 -> 1/3, 2/3
    assert weights(evo, 1, 2020) == pytest.approx({"a": 0.75, "b": 0.25})
    assert weights(evo, 2, 2020) == pytest.approx({"b": 1 / 3, "c": 2 / 3})
    assert [r[3] for r in evo.rows if r[0] == 2] == ["c", "b"]  # ranked by weight


def test_share_weighting_by_hand():
    dtm, model = dtm_and_model()
    evo = theme_words(model, dtm, EvolutionConfig(top_n=3, weighting="share"))
    assert weights(evo, 1, 2020) == pytest.approx({"a": 0.5, "b": 0.25, "c": 0.25})
    assert weights(evo, 2, 2020) == pytest.approx({"a": 1 / 3, "b": 1 / 3, "c": 1 / 3})


def test_words_entering_and_leaving():
    dtm, model = dtm_and_model(years=(2019, 2020))
    evo = theme_words(model, dtm, EvolutionConfig(top_n=1, weighting="assignment"))
    assert evo.years == (2019, 2020)
    # 2019: topic 1 tops with a, topic 2 with c; 2020's one unit is all topic 1, so topic 2 is credited nothing
    assert set(evo.shifts) == {(1, 2020, (), ()), (2, 2020, (), ("c",))}


def test_dynamic_model_words_are_used_as_given():
    dtm, model = dtm_and_model(years=(2019, 2020))
    per_year = (
        (2019, np.array([[0.7, 0.2, 0.1], [0.1, 0.2, 0.7]])),
        (2020, np.array([[0.1, 0.2, 0.7], [0.7, 0.2, 0.1]])),
    )
    dyn = FittedModel(
        engine="gensim-ldaseq",
        doc_topic=model.doc_topic,
        topic_term=model.topic_term,
        vocab=VOCAB,
        topic_term_by_year=per_year,
    )
    evo = theme_words(dyn, dtm, EvolutionConfig(top_n=1))
    assert [(t, y, w) for t, y, _, w, _ in evo.rows] == [(1, 2019, "a"), (1, 2020, "c"), (2, 2019, "c"), (2, 2020, "a")]
    assert "dynamic" in evo.method
    assert (1, 2020, ("c",), ("a",)) in evo.shifts


@pytest.mark.slow  # a few seconds: kept out of the default run (under three minutes), run in CI
def test_engines_agree_on_a_planted_corpus():
    from topics.analysis.compare import compare_models
    from topics.config import build_experiment
    from topics.models import fit

    from .conftest import K_TRUE, SEEDS, planted_corpus

    dtm = planted_corpus(n_units=120)[0]
    raw = {
        "experiment": {"name": "t", "seed": 5},
        "corpus": {"path": str(SEEDS)},
        "model": {"engine": "gensim-lda", "n_topics": K_TRUE},
        "compare": {"engines": ["sklearn-lda", "nmf"]},
    }
    config = build_experiment(raw, base_dir=SEEDS)
    main = fit(dtm, config.model, config.seed)
    result = compare_models(main, dtm, config)
    assert [c.engine for c in result] == ["sklearn-lda", "nmf"]
    for c in result:
        assert c.agreement > 0.9 and sorted(c.own_topic) == [1, 2, 3, 4]
        from topics.analysis.stability import cosine

        assert np.allclose(np.diag(cosine(main.topic_term, c.model.topic_term)), c.similarity)  # aligned
        assert c.trends.matrix.shape == (10, K_TRUE)
