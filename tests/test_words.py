"""Words that tell topics apart (topics/analysis/words.py): FREX and relevance against a hand
computation on 3 topics x 5 words, corpus-wide words, deterministic ties, and labels that skip
corpus-wide words and do not repeat."""

from math import log

import numpy as np
import pytest
import scipy.sparse as sp

from topics.analysis import words
from topics.config import ReportConfig
from topics.data import DocTermMatrix, FittedModel, Unit

VOCAB = ("a", "b", "c", "d", "e")
PHI = (
    np.array(
        [
            [8, 4, 2, 1, 1],
            [2, 8, 4, 1, 1],
            [6, 2, 2, 3, 3],
        ]
    )
    / 16
)  # sixteenths: exact in binary, so equal values are equal floats; d and e are the same word twice
COUNTS = np.array([[2, 2, 1, 0, 0], [2, 1, 0, 1, 1]])  # column sums 4 3 1 1 1 of 10 tokens
SHARE = np.array([0.4, 0.3, 0.1, 0.1, 0.1])

# By hand. Column sums of PHI (in sixteenths): 16 14 8 5 5, so exclusivity phi / column sum is
#   T1 8/16 4/14 2/8 1/5 1/5    T2 2/16 8/14 4/8 1/5 1/5    T3 6/16 2/14 2/8 3/5 3/5
# Ranks within each row (ties share their average rank, as R's rank), over V = 5:
FREQ_ECDF = (
    np.array(
        [
            [5, 4, 3, 1.5, 1.5],  # d and e tie for ranks 1 and 2: 1.5 each
            [3, 5, 4, 1.5, 1.5],
            [5, 1.5, 1.5, 3.5, 3.5],
        ]
    )
    / 5
)
EXCL_ECDF = (
    np.array(
        [
            [5, 4, 3, 1.5, 1.5],
            [1, 5, 4, 2.5, 2.5],
            [3, 1, 2, 4.5, 4.5],
        ]
    )
    / 5
)
# FREX at weight 0.5 is the harmonic mean 2 / (1/F + 1/E):
FREX = np.array(
    [
        [1, 0.8, 0.6, 0.3, 0.3],  # F = E in T1
        [0.3, 1, 0.8, 0.375, 0.375],  # a: 2 / (1/.6 + 1/.2); d: 2 / (1/.3 + 1/.5)
        [0.75, 0.24, 2 / (1 / 0.3 + 2.5), 0.7875, 0.7875],  # a: 2 / (1 + 1/.6); d: 2 / (1/.7 + 1/.9)
    ]
)


def test_ecdf_ranks_ties_by_their_average_rank():
    assert np.allclose(words.ecdf(PHI), FREQ_ECDF)
    assert np.allclose(words.ecdf(words.exclusivity(PHI)), EXCL_ECDF)


def test_frex_matches_a_hand_computation():
    assert np.allclose(words.frex(PHI), FREX)
    assert words.frex(PHI)[2, 2] == pytest.approx(0.342857, abs=1e-6)


def test_the_frex_weight_is_on_frequency_as_in_stm():
    assert np.allclose(words.frex(PHI, 1.0), FREQ_ECDF)  # weight 1: frequency alone
    assert np.allclose(words.frex(PHI, 0.0), EXCL_ECDF)  # weight 0: exclusivity alone
    # T2, a: frequency ECDF .6, exclusivity ECDF .2; more weight on frequency ranks it higher
    assert words.frex(PHI, 0.25)[1, 0] == pytest.approx(1 / (0.25 / 0.6 + 0.75 / 0.2))  # 0.24
    assert words.frex(PHI, 0.75)[1, 0] == pytest.approx(1 / (0.75 / 0.6 + 0.25 / 0.2))  # 0.4
    with pytest.raises(ValueError, match="weight"):
        words.frex(PHI, 1.5)


def test_relevance_matches_a_hand_computation():
    rel = words.relevance(PHI, SHARE, 0.6)
    assert rel.shape == PHI.shape
    assert rel[0, 0] == pytest.approx(0.6 * log(0.5) + 0.4 * log(0.5 / 0.4))
    assert rel[0, 0] == pytest.approx(-0.326631, abs=1e-6)
    assert rel[1, 2] == pytest.approx(0.6 * log(0.25) + 0.4 * log(0.25 / 0.1))
    assert rel[2, 1] == pytest.approx(log(0.125) - 0.4 * log(0.3))
    assert np.allclose(words.relevance(PHI, SHARE, 1.0), np.log(PHI))  # lambda 1: probability alone
    assert np.allclose(words.relevance(PHI, SHARE, 0.0), np.log(PHI / SHARE))  # lambda 0: lift
    assert np.allclose(words.term_share(dtm()), SHARE)  # the corpus share of each term, from the counts


def test_corpus_wide_words_are_in_the_top_n_of_more_than_a_share_of_topics():
    # top 2 by probability: T1 a b, T2 b c, T3 a d (d before its tie e): a and b in 2 of 3 topics
    assert words.corpus_wide(PHI, VOCAB, top_n=2, share=0.5) == ("a", "b")
    assert words.corpus_wide(PHI, VOCAB, top_n=2, share=2 / 3) == ()  # in 2 topics, not more than 2
    assert words.corpus_wide(PHI, VOCAB, top_n=5, share=0.9) == VOCAB
    assert words.corpus_wide(PHI, VOCAB, top_n=5, share=1.0) == ()


def test_ties_are_broken_by_the_sorted_vocabulary():
    assert words.ranking(np.array([[1.0, 2.0, 2.0, 1.0]])).tolist() == [[1, 2, 0, 3]]
    tw = topic_words(top_words=5)
    assert [w.term for w in tw.frex[2]] == ["d", "e", "a", "c", "b"]  # d and e tie (0.7875)
    assert tw.frex[2][0].score == tw.frex[2][1].score
    assert [w.term for w in tw.probability[2]] == ["a", "d", "e", "b", "c"]  # d e tie, and b c
    assert topic_words(top_words=5) == tw


def dtm():
    units = tuple(Unit(f"u{i}", f"doc{i}", 2000 + i, i, "", "") for i in range(2))
    return DocTermMatrix(counts=sp.csr_matrix(COUNTS), vocab=VOCAB, units=units)


def topic_words(**report):
    model = FittedModel(engine="nmf", doc_topic=np.full((2, 3), 1 / 3), topic_term=PHI, vocab=VOCAB)
    return words.topic_words(model, dtm(), ReportConfig(**{"top_words": 3, **report}))


def test_topic_words_lists_each_topics_words_three_ways_with_the_settings():
    tw = topic_words(top_words=3, corpus_wide_share=0.5, relevance_lambda=0.6, frex_weight=0.5)
    assert tw.settings == words.WordSettings(3, 0.5, 0.6, 0.5, 3)
    assert [w.term for w in tw.probability[1]] == ["b", "c", "a"]
    assert [w.score for w in tw.probability[1]] == [0.5, 0.25, 0.125]
    assert [w.term for w in tw.frex[1]] == ["b", "c", "d"]  # d (and e) before a
    assert tw.frex[1][1].score == pytest.approx(0.8)
    assert [w.term for w in tw.relevance[1]] == ["b", "c", "a"]
    assert tw.relevance[1][1].score == pytest.approx(0.6 * log(0.25) + 0.4 * log(2.5))
    # top 3: T1 a b c, T2 b c a, T3 a d e: a in 3, b and c in 2 of 3 topics
    assert tw.corpus_wide == ("a", "b", "c")


def test_labels_skip_corpus_wide_words_and_take_the_next_frex_word_rather_than_repeat():
    tw = topic_words(top_words=2, label_words=1)  # corpus-wide: a, b (see above)
    assert tw.corpus_wide == ("a", "b")
    # FREX order: T1 a b c d e, T2 b c d e a, T3 d e a c b. Skipping a and b, T1 takes c; T2's
    # best is c too, so it takes its next FREX word, d; T3's best is d, taken: it takes e.
    assert tw.labels == ("c", "d", "e") and tw.automatic == (1, 2, 3)
    two = topic_words(top_words=2, label_words=2)
    assert two.labels == ("c·d", "c·e", "d·e")  # T2's c·d is T1's: its last word becomes e
    assert not {w for label in two.labels for w in label.split("·")} & set(two.corpus_wide)
    # without the corpus-wide rule (share 1), labels are the top FREX words
    assert topic_words(top_words=2, label_words=1, corpus_wide_share=1.0).labels == ("a", "b", "d")


def test_given_labels_win_and_automatic_labels_avoid_them():
    tw = topic_words(top_words=2, label_words=1, labels=((1, "d"),))
    assert tw.labels == ("d", "c", "e") and tw.automatic == (2, 3)  # T3's d is given to T1


def test_a_label_falls_back_to_frex_words_when_every_word_is_corpus_wide():
    tw = topic_words(top_words=5, label_words=2, corpus_wide_share=0.0)
    assert tw.corpus_wide == VOCAB
    assert tw.labels == ("a·b", "b·c", "d·e")


def test_bad_arrays_are_refused_with_what_was_expected():
    with pytest.raises(ValueError, match=r"\(K, V\)"):
        words.frex(np.ones(3))
    with pytest.raises(ValueError, match="term_share"):
        words.relevance(PHI, SHARE[:4])
    with pytest.raises(ValueError, match="non-negative"):
        words.frex(-PHI)


def test_labels_of_the_seeds_are_distinct_and_hold_no_corpus_wide_word(seeds_run):
    tw = seeds_run.topic_words
    labels = list(seeds_run.labels.values())
    assert len(set(labels)) == len(labels) == seeds_run.model.n_topics
    assert "干部" in tw.corpus_wide  # in the top words of most topics of the seeds
    used = {w for label in labels for w in label.split("·")}
    assert used and not used & set(tw.corpus_wide)
    frex_top = {w.term for lst in tw.frex for w in lst}
    assert used <= frex_top
