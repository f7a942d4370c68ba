"""Trends: token-weighted prevalence against numbers worked out by hand."""

import numpy as np
import pytest
from scipy.sparse import csr_matrix

from topics.data import DocTermMatrix, FittedModel, Unit
from topics.analysis.trends import prevalence_by_year


def unit(i, doc, year):
    return Unit(unit_id=f"{doc}:{i:04d}", doc_id=doc, year=year, position=i, original="", text="")


@pytest.fixture
def trends():
    units = (unit(0, "a", 2005), unit(1, "a", 2005), unit(0, "b", 2006), unit(0, "c", 2006))
    counts = csr_matrix(np.array([[10, 0], [15, 15], [20, 0], [0, 20]]))  # 10, 30, 20, 20 tokens
    dtm = DocTermMatrix(counts=counts, vocab=("x", "y"), units=units)
    theta = np.array([[1.0, 0.0], [0.5, 0.5], [0.2, 0.8], [0.6, 0.4]])
    model = FittedModel(engine="test", doc_topic=theta, topic_term=np.array([[0.5, 0.5], [0.5, 0.5]]), vocab=("x", "y"))
    return prevalence_by_year(model, dtm)


def test_prevalence_by_year_is_token_weighted(trends):
    # 2005: (10*1 + 30*0.5) / 40 = 0.625 ; 2006: (20*0.2 + 20*0.6) / 40 = 0.4
    assert trends.years == (2005, 2006)
    assert np.allclose(trends.matrix, [[0.625, 0.375], [0.4, 0.6]])
    assert trends.by_year[0] == (2005, 1, pytest.approx(0.625), 1, 2, 40)
    assert trends.by_year[2] == (2006, 1, pytest.approx(0.4), 2, 2, 40)


def test_prevalence_by_document(trends):
    rows = {(d, t): p for d, _, t, p, _, _ in trends.by_doc}
    assert rows[("a", 1)] == pytest.approx(0.625)
    assert rows[("b", 2)] == pytest.approx(0.8) and rows[("c", 1)] == pytest.approx(0.6)


def test_single_document_years_are_flagged(trends):
    (warning,) = trends.warnings
    assert "1 of 2 years rest on a single document (2005)" in warning
