"""Human validation of a fitted model: intrusion tasks drawn from the fit, and what coders' answers
say about it (Grimmer & Stewart 2013: "validate, validate, validate").

Three kinds of task, each a row of ``KINDS``:

- **word intrusion** (Chang et al. 2009), one per topic: the topic's ``WI_WORDS`` most probable
  words and one intruder, shuffled. The intruder is a word of another topic's top ``WI_POOL`` that
  this topic ranks in the bottom half of its vocabulary. Where no such word exists (a small
  vocabulary whose topics share their common words), it is drawn from the ``WI_FALLBACK`` share of
  those words this topic ranks lowest, never from its own top ``WI_POOL`` (oolong's rule; the kit's
  notes name the topics). The key records the intruder's rank in the topic.
- **word-set intrusion** (Ying, Montgomery & Stewart 2022), one per topic: ``WSI_SETS`` sets of
  ``WSI_SET_WORDS`` words drawn from the topic's top ``WSI_POOL``, and one set of as many words from
  another topic's top ``WSI_POOL`` that are not in this topic's; shuffled.
- **topic intrusion** (Chang et al. 2009), for ``units`` units (default ``TI_UNITS``) drawn among those
  with at least the median number of tokens: the unit's text with its ``TI_TOPICS`` most probable
  topics and one improbable one (from the bottom half of the unit's topics), each shown by its top
  ``TI_WORDS`` words; shuffled.

Measures (``score``): **model precision** per topic and kind, the share of coders who picked the
intruder (chance: 1 / options); **topic log odds** per unit, the mean over coders of
log θ(unit, intruder) − log θ(unit, chosen), 0 when right and below 0 when wrong (shares under
``THETA_FLOOR`` count as it, so a zero share of NMF gives no -inf); each overall value is the mean
over tasks; **Krippendorff's alpha** (nominal) of the options chosen, over the tasks that two or
more coders answered, per kind and for all tasks.

Every draw comes from ``numpy.random.default_rng(seed)`` in one fixed order (word intrusion for
topics 1..K, word-set intrusion for topics 1..K, the units, topic intrusion per unit). Coder c sees
the kinds in the order of ``KINDS`` and the tasks of each kind in an order drawn from their own seed,
``coder_seeds(seed, coders)[c - 1]`` (topics/models/seeds.py).
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from ..data import DocTermMatrix, FittedModel
from ..errors import ConfigError, ValidationError
from ..models.seeds import coder_seeds

WI_WORDS = 5  # a topic's top words shown in word intrusion
WI_POOL = 10  # the intruder comes from another topic's top WI_POOL words, never this topic's
WI_FALLBACK = 0.4  # without a bottom-half candidate: the share of candidates this topic ranks lowest
WSI_SETS = 3  # sets of the topic's own words in word-set intrusion
WSI_SET_WORDS = 4  # words per set
WSI_POOL = 20  # sets are drawn from a topic's top WSI_POOL words
TI_UNITS = 20  # units with a topic intrusion task (the default of --units)
TI_TOPICS = 3  # a unit's most probable topics shown beside the intruder
TI_WORDS = 8  # words shown for each topic in topic intrusion
MIN_TOPICS = TI_TOPICS + 1  # topic intrusion needs three probable topics and an improbable one
THETA_FLOOR = 1e-6  # topic log odds read shares below this as this
MAX_CODERS = 100
LETTERS = "ABCDEFGHIJ"  # option ids, in the order options are shown


class Kind(NamedTuple):
    """One kind of task: its task id prefix, its measure, options per task, what a coder is shown."""

    prefix: str
    measure: str
    options: int
    shows: str


KINDS = {
    "word_intrusion": Kind("wi", "model_precision", WI_WORDS + 1, f"{WI_WORDS} top words of a topic and an intruder"),
    "word_set_intrusion": Kind(
        "wsi",
        "model_precision",
        WSI_SETS + 1,
        f"{WSI_SETS} sets of {WSI_SET_WORDS} words from a topic's top {WSI_POOL} and one set from another topic",
    ),
    "topic_intrusion": Kind(
        "ti",
        "topic_log_odds",
        TI_TOPICS + 1,
        f"a unit's text, its {TI_TOPICS} most probable topics and an improbable one, each by its top {TI_WORDS} words",
    ),
}
ALL = "all"  # the kind of the agreement over every task


class Option(NamedTuple):
    """One option of a task: its id (a letter) and the words it shows (one word, a set, a topic)."""

    id: str
    words: tuple[str, ...]


class Task(NamedTuple):
    """What a coder is shown: never which option is the intruder (that is in the KeyEntry)."""

    id: str  # "wi-01": kind prefix and number
    kind: str  # a key of KINDS
    topic: int  # the topic tested (1-based); 0 for topic intrusion
    unit: str  # topic intrusion: the unit's id; "" otherwise
    text: str  # topic intrusion: the unit's original text; "" otherwise
    options: tuple[Option, ...]


class KeyEntry(NamedTuple):
    """The answer to one task and where each option came from (kept apart from the sheets)."""

    task: str
    answer: str  # the intruder's option id
    intruder_topic: int  # the topic the intruder comes from (1-based)
    option_topics: tuple[int, ...]  # the topic behind each option, in option order
    intruder_rank: int  # word intrusion: the intruder's rank in the tested topic (1 = most probable); else 0
    theta: tuple[float, ...] = ()  # topic intrusion: the unit's share of each option's topic


class Sheet(NamedTuple):
    """What one coder's sheet holds: tasks in the coder's order, and no answer."""

    experiment: str
    fit_id: str
    kit_id: str
    coder: int
    coders: int
    tasks: tuple[Task, ...]


@dataclass(frozen=True)
class KitSpec:
    """How a kit is drawn: ``coders`` sheets, the draw's ``seed``, ``units`` topic intrusion tasks.
    Checked when built (the command line's boundary)."""

    coders: int = 2
    seed: int = 0
    units: int = TI_UNITS

    def __post_init__(self):
        problems = [
            f"{flag} {value!r}: expected a whole number from {lo} to {hi}"
            for flag, value, lo, hi in (
                ("--coders", self.coders, 1, MAX_CODERS),
                ("--seed", self.seed, 0, 2**32 - 1),
                ("--units", self.units, 1, 10_000),
            )
            if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi
        ]
        if problems:
            raise ConfigError(problems)


@dataclass(frozen=True)
class Kit:
    """A drawn validation kit: tasks, their key, each coder's order, and how it was drawn."""

    fit_id: str
    seed: int
    coders: int
    coder_seeds: tuple[int, ...]
    units_asked: int
    tasks: tuple[Task, ...]
    key: tuple[KeyEntry, ...]
    orders: tuple[tuple[str, ...], ...]  # per coder (1..coders), task ids in the order shown
    notes: tuple[str, ...] = ()

    @property
    def kit_id(self) -> str:
        """A hash of what the coders see and of the draw (fit, seed, orders): names the kit in answers."""
        blob = json.dumps(
            [self.fit_id, self.seed, [list(map(_plain, t)) for t in self.tasks], [list(o) for o in self.orders]],
            ensure_ascii=False,
        )
        return hashlib.sha256(blob.encode("utf-8")).hexdigest()[:16]

    def task(self, task_id: str) -> Task | None:
        return self._tasks.get(task_id)

    @property
    def _tasks(self) -> dict[str, Task]:
        return {t.id: t for t in self.tasks}

    def counts(self) -> dict[str, int]:
        return {kind: sum(t.kind == kind for t in self.tasks) for kind in KINDS}

    def sheet(self, coder: int, experiment: str) -> Sheet:
        """Coder ``coder``'s sheet (1-based): the tasks in their order, without the key."""
        by_id = self._tasks
        return Sheet(
            experiment, self.fit_id, self.kit_id, coder, self.coders, tuple(by_id[t] for t in self.orders[coder - 1])
        )


def _plain(v):
    if isinstance(v, tuple):
        return [_plain(x) for x in v]
    return v


# ---------------------------------------------------------------- drawing
def _ranks(topic_term: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """order (K, V): each topic's words from most to least probable (ties by vocabulary order, as
    FittedModel.top_terms); rank (K, V): each word's place in that order (0 = most probable)."""
    k, v = topic_term.shape
    order = np.stack([np.lexsort((np.arange(v), -topic_term[t])) for t in range(k)])
    rank = np.empty_like(order)
    rows = np.arange(k)[:, None]
    rank[rows, order] = np.arange(v)[None, :]
    return order, rank


def _shuffled(rng, options: list, intruder: int):
    """Options, each (words, topic), in a random order, lettered; returns (options, answer letter,
    the topic behind each option in the order shown)."""
    perm = rng.permutation(len(options))
    shown = tuple(Option(LETTERS[i], options[p][0]) for i, p in enumerate(perm))
    answer = LETTERS[int(np.flatnonzero(perm == intruder)[0])]
    return shown, answer, tuple(options[p][1] for p in perm)


def _word_intrusion(k: int, order, rank, vocab, rng, notes: list[str]) -> tuple[Task, KeyEntry]:
    n_terms = rank.shape[1]
    others = [j for j in range(rank.shape[0]) if j != k]
    pool = sorted({int(w) for j in others for w in order[j, :WI_POOL]} - {int(w) for w in order[k, :WI_POOL]})
    if not pool:
        raise ValidationError(
            f"topic {k + 1}: every word in the other topics' top {WI_POOL} is in its own top {WI_POOL}, so word "
            f"intrusion has no intruder; fit more distinct topics (lower model.n_topics or vectorize.max_df)"
        )
    candidates = [w for w in pool if rank[k, w] >= n_terms - n_terms // 2]
    if not candidates:
        lowest = sorted(pool, key=lambda w: -rank[k, w])
        candidates = sorted(lowest[: max(1, math.ceil(WI_FALLBACK * len(pool)))])
        notes.append(
            f"word intrusion, topic {k + 1}: no word of another topic's top {WI_POOL} is in its bottom half; the "
            f"intruder was drawn from the {len(candidates)} of {len(pool)} such words it ranks lowest"
        )
    intruder = int(rng.choice(candidates))
    source = next(j for j in others if intruder in order[j, :WI_POOL])
    words = [((vocab[int(w)],), k + 1) for w in order[k, :WI_WORDS]] + [((vocab[intruder],), source + 1)]
    options, answer, topics = _shuffled(rng, words, WI_WORDS)
    task = Task(f"wi-{k + 1:02d}", "word_intrusion", k + 1, "", "", options)
    return task, KeyEntry(task.id, answer, source + 1, topics, int(rank[k, intruder]) + 1)


def _word_set_intrusion(k: int, order, vocab, rng) -> tuple[Task, KeyEntry]:
    own = [int(w) for w in order[k, :WSI_POOL]]
    drawn = [own[i] for i in rng.permutation(len(own))[: WSI_SETS * WSI_SET_WORDS]]
    sets = [
        (tuple(vocab[w] for w in drawn[s * WSI_SET_WORDS : (s + 1) * WSI_SET_WORDS]), k + 1) for s in range(WSI_SETS)
    ]
    outside = {j: [int(w) for w in order[j, :WSI_POOL] if int(w) not in own] for j in range(order.shape[0]) if j != k}
    sources = [j for j, words in outside.items() if len(words) >= WSI_SET_WORDS]
    if not sources:
        raise ValidationError(
            f"topic {k + 1}: no other topic has {WSI_SET_WORDS} words in its top {WSI_POOL} outside topic {k + 1}'s, "
            f"so word-set intrusion has no intruding set; fit more distinct topics"
        )
    j = int(rng.choice(sources))
    pick = [outside[j][i] for i in sorted(rng.choice(len(outside[j]), WSI_SET_WORDS, replace=False))]
    options, answer, topics = _shuffled(rng, [*sets, (tuple(vocab[w] for w in pick), j + 1)], WSI_SETS)
    task = Task(f"wsi-{k + 1:02d}", "word_set_intrusion", k + 1, "", "", options)
    return task, KeyEntry(task.id, answer, j + 1, topics, 0)


def _sample_units(dtm: DocTermMatrix, n: int, rng, notes: list[str]) -> list[int]:
    """Rows of ``n`` units drawn without replacement among those with at least the median number
    of tokens (a unit of three words has no clear topics), in corpus order."""
    n_tok = dtm.n_tokens
    eligible = np.flatnonzero(n_tok >= np.median(n_tok))
    if n > len(eligible):
        notes.append(
            f"topic intrusion: {n} units asked, {len(eligible)} have at least the median number of tokens; all taken"
        )
        n = len(eligible)
    return sorted(int(i) for i in rng.choice(eligible, n, replace=False))


def _topic_intrusion(number: int, row: int, model: FittedModel, dtm: DocTermMatrix, rng) -> tuple[Task, KeyEntry]:
    theta = model.doc_topic[row]
    k = len(theta)
    by_share = np.lexsort((np.arange(k), -theta))  # most probable first, ties by topic number
    improbable = by_share[max(TI_TOPICS, k - k // 2) :]
    intruder = int(rng.choice(improbable))
    chosen = [int(t) for t in by_share[:TI_TOPICS]] + [intruder]
    words = [(tuple(w for w, _ in model.top_terms(t, TI_WORDS)), t + 1) for t in chosen]
    options, answer, topics = _shuffled(rng, words, TI_TOPICS)
    unit = dtm.units[row]
    task = Task(f"ti-{number:02d}", "topic_intrusion", 0, unit.unit_id, unit.original, options)
    return task, KeyEntry(task.id, answer, intruder + 1, topics, 0, tuple(float(theta[t - 1]) for t in topics))


def draw_kit(model: FittedModel, dtm: DocTermMatrix, spec: KitSpec, fit_id: str) -> Kit:
    """Draw every task of a kit from a fit. Shapes: model.doc_topic (n_units, K) aligned with
    dtm.units; model.topic_term (K, n_terms). Raises ValidationError when the fit has too few
    topics or words for the tasks."""
    k, n_terms = model.topic_term.shape
    if k < MIN_TOPICS:
        raise ValidationError(
            f"the run has {k} topics; topic intrusion shows a unit's {TI_TOPICS} most probable topics and "
            f"an improbable one, so a kit needs at least {MIN_TOPICS}: fit the model again with "
            f"model.n_topics >= {MIN_TOPICS} (topics run --set model.n_topics={MIN_TOPICS})"
        )
    if n_terms < 2 * WSI_POOL:
        raise ValidationError(
            f"the run has {n_terms} terms; word-set intrusion draws from each topic's top {WSI_POOL} words "
            f"and another topic's, so a kit needs at least {2 * WSI_POOL}: lower vectorize.min_df and run again"
        )
    order, rank = _ranks(model.topic_term)
    rng = np.random.default_rng(spec.seed)
    notes: list[str] = []
    drawn = [_word_intrusion(t, order, rank, model.vocab, rng, notes) for t in range(k)]
    drawn += [_word_set_intrusion(t, order, model.vocab, rng) for t in range(k)]
    rows = _sample_units(dtm, spec.units, rng, notes)
    drawn += [_topic_intrusion(i + 1, row, model, dtm, rng) for i, row in enumerate(rows)]
    tasks = tuple(t for t, _ in drawn)
    seeds = tuple(coder_seeds(spec.seed, spec.coders))
    return Kit(
        fit_id=fit_id,
        seed=spec.seed,
        coders=spec.coders,
        coder_seeds=seeds,
        units_asked=spec.units,
        tasks=tasks,
        key=tuple(e for _, e in drawn),
        orders=tuple(coder_order(tasks, s) for s in seeds),
        notes=tuple(notes),
    )


def coder_order(tasks: tuple[Task, ...], seed: int) -> tuple[str, ...]:
    """Task ids as one coder sees them: the kinds in KINDS order, each kind's tasks shuffled with ``seed``."""
    rng = np.random.default_rng(seed)
    out: list[str] = []
    for kind in KINDS:
        ids = [t.id for t in tasks if t.kind == kind]
        out += [ids[i] for i in rng.permutation(len(ids))]
    return tuple(out)


# ---------------------------------------------------------------- scoring
class Judgment(NamedTuple):
    """One coder's answer to one task."""

    coder: int
    task: str
    choice: str  # the option id chosen


class AnswerFile(NamedTuple):
    """One coder's answer file as scored: where the run keeps it, the name it was given, its hash."""

    coder: int
    file: str  # relative to the run folder: validation/answers/coder-<c>.csv
    given: str  # the file's name as given to `topics validate score`
    sha256: str
    answers: int


class Score(NamedTuple):
    """One row of validation.csv. ``task`` "" is the kind's overall value; ``value`` None: not defined
    (agreement without a task answered by two coders, or without any variation)."""

    kind: str  # a key of KINDS, or ALL for the agreement over every task
    task: str
    topic: int  # the topic tested (word and word-set intrusion); 0 otherwise
    unit: str  # topic intrusion: the unit's id
    measure: str  # model_precision, topic_log_odds or krippendorff_alpha
    value: float | None
    coders: int  # coders behind the value
    n: int  # judgments behind the value (tasks answered by 2+ coders, for agreement)


@dataclass(frozen=True)
class Validation:
    """A scored kit: how it was drawn, the answer files, every judgment and every measure."""

    kit_id: str
    fit_id: str
    seed: int
    coders: int
    coder_seeds: tuple[int, ...]
    tasks: dict  # kind -> tasks drawn
    answers: tuple[AnswerFile, ...]
    judgments: tuple[Judgment, ...]
    scores: tuple[Score, ...]
    topic_words: tuple[tuple[str, ...], ...] = ()  # the top WI_WORDS words of each topic of the fit
    notes: tuple[str, ...] = field(default=())

    def overall(self, kind: str, measure: str) -> Score | None:
        return next((s for s in self.scores if s.kind == kind and s.measure == measure and not s.task), None)


def krippendorff_alpha(units) -> float | None:
    """Krippendorff's alpha for nominal values. ``units``: for each unit, the values the coders gave
    it (missing ones left out). Units with fewer than two values are not pairable and left out.
    alpha = 1 - D_o / D_e from the coincidence matrix (Krippendorff 2011, "Computing Krippendorff's
    alpha-reliability"); None when no unit is pairable or every value is the same (D_e = 0)."""
    pairable = [list(u) for u in units if len(u) >= 2]
    totals: dict = {}
    observed = 0.0
    for values in pairable:
        m = len(values)
        counts: dict = {}
        for v in values:
            counts[v] = counts.get(v, 0) + 1
        observed += (m * m - sum(c * c for c in counts.values())) / (m - 1)  # pairs that disagree, weighted
        for v, c in counts.items():
            totals[v] = totals.get(v, 0) + c
    n = sum(totals.values())
    if n < 2:
        return None
    expected = (n * n - sum(c * c for c in totals.values())) / (n - 1)
    if expected == 0:
        return None
    return 1.0 - observed / expected


def score(kit: Kit, judgments, doc_topic: np.ndarray, rows: dict[str, int]) -> tuple[Score, ...]:
    """Every measure of ``judgments`` on ``kit``. doc_topic (n_units, K): the fit's unit shares;
    ``rows``: unit id -> row of doc_topic."""
    key = {e.task: e for e in kit.key}
    answered: dict[str, list[Judgment]] = {}
    for j in judgments:
        answered.setdefault(j.task, []).append(j)
    out: list[Score] = []
    for kind, spec in KINDS.items():
        per_task = []
        for t in (t for t in kit.tasks if t.kind == kind and t.id in answered):
            js, e = answered[t.id], key[t.id]
            if spec.measure == "model_precision":
                value = sum(j.choice == e.answer for j in js) / len(js)
            else:
                theta = doc_topic[rows[t.unit]]
                topic_of = dict(zip((o.id for o in t.options), e.option_topics))

                def log_share(option: str) -> float:
                    return math.log(max(float(theta[topic_of[option] - 1]), THETA_FLOOR))

                value = sum(log_share(e.answer) - log_share(j.choice) for j in js) / len(js)
            per_task.append(Score(kind, t.id, t.topic, t.unit, spec.measure, value, len(js), len(js)))
        out += per_task
        if per_task:
            js = [j for s in per_task for j in answered[s.task]]
            out.append(
                Score(
                    kind,
                    "",
                    0,
                    "",
                    spec.measure,
                    sum(s.value for s in per_task if s.value is not None) / len(per_task),
                    len({j.coder for j in js}),
                    len(js),
                )
            )
    for kind in (*KINDS, ALL):
        tasks = [t for t in kit.tasks if (kind == ALL or t.kind == kind) and len(answered.get(t.id, ())) >= 2]
        if kind != ALL and not any(t.kind == kind and t.id in answered for t in kit.tasks):
            continue
        coders = {j.coder for t in tasks for j in answered[t.id]}
        alpha = krippendorff_alpha([[j.choice for j in answered[t.id]] for t in tasks])
        out.append(Score(kind, "", 0, "", "krippendorff_alpha", alpha, len(coders), len(tasks)))
    return tuple(out)
