"""Topic matching: permuted topics are matched back; stability flags a topic that does not recur."""

import numpy as np

from topics.analysis.stability import ensemble, match
from topics.models.seeds import ensemble_seeds
from topics.data import FittedModel


def model(topic_term, n_units=6, seed=0):
    rng = np.random.default_rng(seed)
    k, v = topic_term.shape
    return FittedModel(
        engine="x",
        doc_topic=rng.dirichlet(np.ones(k), size=n_units),
        topic_term=topic_term,
        vocab=tuple(f"w{i:03d}" for i in range(v)),
    )


def random_topics(k=8, v=200, seed=1):
    return np.random.default_rng(seed).dirichlet(np.full(v, 0.1), size=k)


def test_permuted_topics_are_matched_back():
    ref = random_topics()
    rng = np.random.default_rng(2)
    for _ in range(5):
        perm = rng.permutation(8)
        noisy = ref[perm] + rng.uniform(0, 1e-3, size=ref.shape)
        noisy /= noisy.sum(axis=1, keepdims=True)
        found, sim = match(ref, noisy)
        assert np.array_equal(perm[found], np.arange(8))  # other[found[i]] is ref[i]
        assert sim.min() > 0.99


def test_ensemble_aligns_and_scores_stability():
    ref = random_topics()
    same = model(ref[[3, 1, 0, 2, 7, 6, 5, 4]])
    changed = ref.copy()
    changed[5] = random_topics(k=1, seed=9)[0]  # topic 6 replaced by something new
    ens = ensemble([model(ref), same, model(changed[[1, 0, 2, 3, 4, 5, 7, 6]])], [1, 2, 3], threshold=0.5)
    assert np.allclose(ens.models[1].topic_term, ref)  # aligned to the reference order
    assert ens.similarity.shape == (2, 8)
    assert ens.stability[5] < 0.7 and np.all(np.delete(ens.stability, 5) > 0.99)
    assert list(ens.recurs) == [2, 2, 2, 2, 2, 1, 2, 2]
    assert ens.unstable() == []  # recurs in 1 of 2: half, not fewer
    ens3 = ensemble([model(ref), model(changed), model(changed)], [1, 2, 3], threshold=0.5)
    assert ens3.unstable() == [6]


def test_single_seed_is_perfectly_stable_and_seeds_are_recorded():
    ens = ensemble([model(random_topics())], [42], threshold=0.5)
    assert np.all(ens.stability == 1.0) and ens.unstable() == []
    assert ensemble_seeds(42, 3) == [42, 42 + 7919, 42 + 2 * 7919]
