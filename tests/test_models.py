"""Every engine recovers planted topics and honours the contract (shapes, rows summing to 1,
sorted vocabulary, topics ordered by prevalence, same seed -> same result)."""

import numpy as np
import pytest
from scipy.optimize import linear_sum_assignment

from topics.config import ModelConfig, build_experiment
from topics.errors import ModelError
from topics.models import ENGINES, fit

from .conftest import DYNAMIC_ENGINES, K_TRUE, SEEDS, engine_params, planted_corpus


def model_config(engine, k=K_TRUE):
    raw = {
        "experiment": {"name": "t", "seed": 1},
        "corpus": {"path": str(SEEDS)},
        "model": {"engine": engine, "n_topics": k},
    }
    return build_experiment(raw, base_dir=SEEDS).model


@pytest.fixture(scope="module")
def planted():
    return planted_corpus()


# sklearn's batch LDA is slow too; its contract test below stays in the default run, and so does the
# agreement of sklearn-lda with gensim-lda on a planted corpus in test_evolution.py
@pytest.mark.parametrize("engine", engine_params(sorted(ENGINES), slow=(*DYNAMIC_ENGINES, "sklearn-lda")))
def test_engine_recovers_planted_topics(planted, engine):
    dtm, truth, vocab = planted
    light = {"gensim-ldaseq": {"n_init": 2, "em_min_iter": 1, "em_max_iter": 2}}  # slow engine, lighter run
    model = fit(dtm, model_config_with(engine, **light[engine]) if engine in light else model_config(engine), seed=7)
    # overlap of each fitted topic's top 10 words with each true word set
    overlap = np.array(
        [[len({w for w, _ in model.top_terms(j, 10)} & set(vocab[k])) for k in range(K_TRUE)] for j in range(K_TRUE)]
    )
    rows, cols = linear_sum_assignment(-overlap)
    assert overlap[rows, cols].min() >= 9, overlap
    mapping = dict(zip(rows, cols))
    predicted = np.array([mapping[j] for j in model.doc_topic.argmax(axis=1)])
    assert (predicted == truth).mean() >= 0.9


@pytest.mark.parametrize("engine", engine_params(sorted(ENGINES)))
def test_contract_and_determinism(planted, engine):
    dtm, _, _ = planted
    fast = {
        "nmf": {},
        "gensim-ldaseq": {"n_init": 1, "passes": 5, "em_min_iter": 1, "em_max_iter": 1},
        "tomotopy-lda": {},
        "tomotopy-dtm": {"n_init": 1, "iterations": 200},
    }
    config = model_config_with(engine, **fast.get(engine, {"n_init": 1}))
    a = fit(dtm, config, seed=3)
    b = fit(dtm, config, seed=3)
    assert a.doc_topic.shape == (dtm.counts.shape[0], K_TRUE)
    assert a.topic_term.shape == (K_TRUE, len(dtm.vocab))
    assert np.allclose(a.doc_topic.sum(axis=1), 1) and np.allclose(a.topic_term.sum(axis=1), 1)
    assert list(a.vocab) == sorted(a.vocab)
    assert np.array_equal(a.doc_topic, b.doc_topic) and np.array_equal(a.topic_term, b.topic_term)
    share = dtm.n_tokens @ a.doc_topic
    assert list(share) == sorted(share, reverse=True)  # topic 1 is the largest
    assert a.params["seed"] == 3 and not a.doc_topic.flags.writeable
    if engine in ("gensim-ldaseq", "tomotopy-dtm"):  # one topic-word matrix per year
        assert [y for y, _ in a.topic_term_by_year] == sorted({u.year for u in dtm.units})
        assert all(m.shape == a.topic_term.shape for _, m in a.topic_term_by_year)


def test_too_many_topics_is_a_clear_error(planted):
    dtm, _, _ = planted
    with pytest.raises(ModelError, match="cannot support 500 topics"):
        fit(
            dtm,
            ModelConfig(
                engine="nmf", n_topics=500, params=(("init", "nndsvda"), ("max_iter", 50), ("sublinear_tf", False))
            ),
            seed=1,
        )


@pytest.mark.parametrize("engine", engine_params(["gensim-lda", "sklearn-lda"], slow=("sklearn-lda",)))
def test_best_of_several_starts_is_kept_and_recorded(planted, engine):
    dtm, _, _ = planted
    many = fit(dtm, model_config(engine), seed=7)
    bounds = many.info["bounds"]
    assert len(bounds) == 4 and many.info["chosen_start"] == int(np.argmax(bounds))
    single = fit(dtm, model_config_with(engine, n_init=1), seed=7)
    assert single.info["bounds"] == [bounds[0]]  # start 0 is the experiment seed itself


def model_config_with(engine, **params):
    raw = {
        "experiment": {"name": "t", "seed": 1},
        "corpus": {"path": str(SEEDS)},
        "model": {"engine": engine, "n_topics": K_TRUE, **params},
    }
    return build_experiment(raw, base_dir=SEEDS).model


@pytest.mark.parametrize("workers", [1, 2])
@pytest.mark.parametrize("engine", engine_params(["tomotopy-lda", "tomotopy-dtm"]))
def test_tomotopy_is_deterministic_for_its_recorded_worker_count(planted, workers, engine):
    dtm, _, _ = planted
    config = model_config_with(
        engine, workers=workers, iterations=200, **({"n_init": 1} if engine == "tomotopy-dtm" else {})
    )
    a, b = fit(dtm, config, seed=11), fit(dtm, config, seed=11)
    assert np.array_equal(a.doc_topic, b.doc_topic) and np.array_equal(a.topic_term, b.topic_term)
    assert a.params["workers"] == workers and a.info["workers"] == workers


@pytest.mark.slow
def test_tomotopy_dtm_keeps_its_best_start_and_recovers_planted_topics_on_other_corpora():
    """The planted test above fits seed 7 of corpus 0; here corpus 1 with seed 1 (with these
    defaults 11 of 12 corpus/seed pairs tried were recovered in full; one merged two topics)."""
    dtm, truth, vocab = planted_corpus(seed=1)
    for seed in (1,):
        model = fit(dtm, model_config("tomotopy-dtm"), seed=seed)
        assert len(model.info["bounds"]) == 4 and model.info["chosen_start"] == int(np.argmax(model.info["bounds"]))
        overlap = np.array(
            [
                [len({w for w, _ in model.top_terms(j, 10)} & set(vocab[k])) for k in range(K_TRUE)]
                for j in range(K_TRUE)
            ]
        )
        rows, cols = linear_sum_assignment(-overlap)
        assert overlap[rows, cols].min() >= 9, (seed, overlap)
