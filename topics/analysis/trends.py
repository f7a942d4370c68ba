"""Theme prevalence by year and by document.

prevalence[y, k] = sum over units u of year y of n_tokens(u) * theta[u, k] / sum of n_tokens(u):
the share of year y's (modelled) tokens that topic k accounts for. The same with documents in
place of years gives prevalence per document. Counts of documents, units and tokens stand beside
every figure, so thin years stay visible.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np

from ..data import DocShare, DocTermMatrix, FittedModel, Trends, YearShare


def prevalence_by_year(model: FittedModel, dtm: DocTermMatrix) -> Trends:
    """Token-weighted prevalence; model.doc_topic (n_units, K) rows align with dtm.units."""
    theta = model.doc_topic
    n_tok = dtm.n_tokens.astype(float)
    k = theta.shape[1]
    by_year_units, by_doc_units = defaultdict(list), defaultdict(list)
    for i, unit in enumerate(dtm.units):
        by_year_units[unit.year].append(i)
        by_doc_units[(unit.year, unit.doc_id)].append(i)
    years = tuple(sorted(by_year_units))
    docs_per_year = defaultdict(set)
    for year, doc_id in by_doc_units:
        docs_per_year[year].add(doc_id)

    def share(rows):
        w = n_tok[rows]
        return (w @ theta[rows]) / w.sum()

    matrix = np.vstack([share(by_year_units[y]) for y in years])
    by_year = []
    for yi, y in enumerate(years):
        rows = by_year_units[y]
        for t in range(k):
            by_year.append(
                YearShare(y, t + 1, float(matrix[yi, t]), len(docs_per_year[y]), len(rows), int(n_tok[rows].sum()))
            )
    by_doc = []
    for (y, doc_id), rows in sorted(by_doc_units.items()):
        s = share(rows)
        for t in range(k):
            by_doc.append(DocShare(doc_id, y, t + 1, float(s[t]), len(rows), int(n_tok[rows].sum())))
    thin = [y for y in years if len(docs_per_year[y]) == 1]
    warnings = []
    if thin:
        warnings.append(
            f"{len(thin)} of {len(years)} years rest on a single document "
            f"({', '.join(map(str, thin))}): their shares describe one text, not a year"
        )
    return Trends(years=years, by_year=tuple(by_year), by_doc=tuple(by_doc), matrix=matrix, warnings=tuple(warnings))
