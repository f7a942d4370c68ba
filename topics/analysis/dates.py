"""Date audit: does each document's stated year agree with the dated cues in its own text?

Cues come from data files in ``topics/cues/`` (each entry with its years and source): five-year plan
periods and their phrasing (收官之年, 开局之年, ...), Party congresses and Central Committee plenums,
anniversaries (建党95周年), named campaigns and dated formulations, plus explicit years in a few
unambiguous frames (2020年是…, 在2020年…会议上的讲话, 2019年以来). Each cue allows a span of speech
years; a stated year outside a cue's span is a conflict, reported with the words that raised it.
The audit reads the cleaned text and never changes a year: it reports, the researcher decides.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace
from importlib import resources

from .date_profiles import NO_PROFILE, TOO_FEW, SecondOpinion, second_opinions

CLAUSE = r"[^。；;！!？?\n]"
PHRASE = r"[^。；;！!？?\n，,]"  # within a clause, up to the next comma
_SEP = r"[、，,.。；;·・\s“”‘’\"']{0,3}"
CONDITIONS = {  # condition -> (text required before the cue, text required after it)
    "mention": ("", ""),
    "final": ("", f"{PHRASE}{{0,12}}?(?:收官之年|最后一年)"),
    "closing": ("", f"{PHRASE}{{0,12}}?收官"),
    "first": ("", f"{PHRASE}{{0,12}}?(?:开局之年|第一年|起步之年)"),
    "planning": ("", f"{PHRASE}{{0,12}}?(?:谋划之年|编制)"),
    "first after": ("今年是全面(?:贯彻|落实|贯彻落实)(?:党的)?", f"{PHRASE}{{0,4}}?精神的(?:开局之年|第一年)"),
    "active": (f"(?:开展|启动|部署|推进|抓好|搞好|组织开展|深入开展|扎实开展|第[一二三]批){CLAUSE}{{0,14}}?", ""),
    "upcoming": (f"(?:迎接|即将召开的){CLAUSE}{{0,4}}?", ""),
}
_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "两": 2}


@dataclass(frozen=True)
class Cue:
    cue: str
    kind: str
    condition: str
    first: int
    last: int | None
    source: str
    pattern: re.Pattern


HARD, SOFT = "hard", "soft"
VERDICTS = ("consistent", "too early", "too late", "conflicting", "no dated cues")


@dataclass(frozen=True)
class Evidence:
    """One cue found in one document: the words, the years it allows (``first``, ``last``; None where
    it gives no bound on that side), whether the bound is hard (the cue's own date) or soft (what the
    text does not yet know: the next congress, plenum or plan after the latest one it names), how it
    was read (mention, looking ahead, launched by the text, latest known), and whether the stated year
    falls outside it."""

    doc_id: str
    file: str
    stated_year: int
    kind: str
    cue: str
    condition: str
    first: int | None
    last: int | None
    context: str
    source: str
    position: int = 0  # character offset of the cue in the cleaned text
    strength: str = HARD
    reading: str = "mention"

    @property
    def too_early(self) -> bool:
        return self.first is not None and self.stated_year < self.first

    @property
    def too_late(self) -> bool:
        return self.last is not None and self.stated_year > self.last

    @property
    def conflict(self) -> bool:
        return self.too_early or self.too_late

    @property
    def bound(self) -> str:
        if self.first is not None and self.last is not None:
            return "both"
        return "lower" if self.first is not None else "upper"

    def allows(self, year: int) -> bool:
        return (self.first is None or year >= self.first) and (self.last is None or year <= self.last)

    def span(self) -> str:
        if self.last is None:
            return f"{self.first} or later"
        if self.first is None:
            return f"{self.last} or earlier"
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"

    def describe(self) -> str:
        soft = ", soft" if self.strength == SOFT else ""
        return f"{self.cue} ({self.reading}) allows {self.span()}{soft}"


@dataclass(frozen=True)
class DocumentAudit:
    """The audit of one document: every cue found (``evidence``), the verdict they give on the stated
    year (one of VERDICTS), the years that satisfy the most cues, and the corpus's second opinion
    (None when the corpus is too small for one)."""

    doc_id: str
    file: str
    stated_year: int
    evidence: tuple[Evidence, ...]
    best_years: tuple[int, ...]  # the years that satisfy the most cues
    best_support: int
    second: SecondOpinion | None = None
    second_note: str = TOO_FEW  # why there is no second opinion

    @property
    def conflicts(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.conflict)

    @property
    def verdict(self) -> str:
        if not self.evidence:
            return "no dated cues"
        early = any(e.too_early for e in self.evidence)
        late = any(e.too_late for e in self.evidence)
        if early and late:
            return "conflicting"
        return "too early" if early else "too late" if late else "consistent"

    def hard_range(self) -> tuple[int | None, int | None]:
        """The latest hard lower bound and the earliest hard upper bound (None: no bound that side)."""
        hard = [e for e in self.evidence if e.strength == HARD]
        lows = [e.first for e in hard if e.first is not None]
        highs = [e.last for e in hard if e.last is not None]
        return (max(lows) if lows else None, min(highs) if highs else None)

    def soft_upper(self) -> int | None:
        highs = [e.last for e in self.evidence if e.strength == SOFT and e.last is not None]
        return min(highs) if highs else None

    def second_opinion(self) -> str:
        if self.second is None:
            return self.second_note or TOO_FEW
        agree = "agrees" if self.second.allows(self.stated_year) else "disagrees"
        return f"the corpus {agree}: {self.second.describe()}"

    def summary(self) -> str:
        n, c = len(self.evidence), self.conflicts
        if not n:
            return f"{self.file} ({self.stated_year}): no dated cues found"
        if not c:
            low, high = self.hard_range()
            soft = self.soft_upper()
            bounds = f"hard bounds {low or '…'} to {high or '…'}" + (f", soft upper bound {soft}" if soft else "")
            return f"{self.file} ({self.stated_year}): consistent with all {n} dated cues ({bounds})"
        best = "/".join(map(str, self.best_years))
        shown = "; ".join(e.describe() for e in c[:3]) + ("; …" if len(c) > 3 else "")
        return (
            f"{self.file}: stated {self.stated_year}, {self.verdict}: {len(c)} of {n} dated cues disagree "
            f"({shown}); {best} fits the most cues ({self.best_support} of {n})"
        )


def _read(name: str) -> list[list[str]]:
    text = resources.files("topics.cues").joinpath(name).read_text(encoding="utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line.strip() and not line.startswith("#")]
    return rows[1:]  # the header line


def load_cues() -> tuple[Cue, ...]:
    """Every cue of cues.tsv, anniversaries.tsv and plenums.tsv, with its compiled pattern."""
    cues = []
    for cue, kind, cond, first, last, source in _read("cues.tsv"):
        before, after = CONDITIONS[cond]
        body = _SEP.join(re.escape(p) for p in cue.split("/"))
        cues.append(
            Cue(
                cue.replace("/", ""),
                kind,
                cond,
                int(first),
                int(last) if last else None,
                source,
                re.compile(f"{before}{body}{after}"),
            )
        )
    return tuple(cues)


def _number(text: str) -> int | None:
    """'95', '九十五', '一百', '100' -> the number."""
    if text.isdigit():
        return int(text)
    total, unit_seen, digit = 0, False, 0
    for ch in text:
        if ch in _NUM:
            digit = _NUM[ch]
        elif ch == "十":
            total += (digit or 1) * 10
            digit, unit_seen = 0, True
        elif ch == "百":
            total += (digit or 1) * 100
            digit, unit_seen = 0, True
        else:
            return None
    return total + digit if (unit_seen or total + digit) else None


_AHEAD_BEFORE = re.compile(f"(?:迎接|即将|将于|筹备){CLAUSE}{{0,10}}$")
_AFTER_EVENT = re.compile("(?:贯彻|落实|学习|精神|胜利召开|召开了)")
_AHEAD_AFTER = re.compile(f"^{PHRASE}{{0,6}}?(?:即将召开|将召开|将于|召开之际|即将到来)")
_WHEN = re.compile(f"(明年|今年)(?:将|要|即将|是)?(?:召开|举行|迎来)?{CLAUSE}{{0,10}}$")
_HELD = re.compile(f"(?:召开|举行|迎来|迎接|是){CLAUSE}{{0,10}}$|^{PHRASE}{{0,6}}?(?:召开|举行|到来)")

_LAUNCH = re.compile(
    f"(?:要|将|把|适时|今年|明年|在全党|在全党范围内|决定){CLAUSE}{{0,14}}?(?:开展|启动|部署|组织){CLAUSE}{{0,20}}$"
)
_RECALLED = re.compile("(?:了|过|以来|期间|成果|成效)")
_SINCE = re.compile(f"^{PHRASE}{{0,3}}?以来")


def _ahead(text: str, s: int, e: int) -> str:
    """How the words at text[s:e] look ahead: 'next year' (明年将召开…, 明年是…周年), 'this year'
    (今年将召开…), 'ahead' (迎接…, 即将召开的…, …将于…召开) or '' (they do not: 明年要贯彻…精神
    is said after the event)."""
    before, after = text[max(0, s - 14) : s], text[e : e + 10]
    when = _WHEN.search(before)
    if (
        when
        and not _AFTER_EVENT.search(before[when.start() :])
        and (_HELD.search(before[when.start() :]) or _HELD.search(after))
    ):
        return {"明年": "next year", "今年": "this year"}[when.group(1)]
    ahead = _AHEAD_BEFORE.search(before)
    if ahead and not _AFTER_EVENT.search(before[ahead.start() :]) or _AHEAD_AFTER.search(after):
        return "ahead"
    return ""


def _launched(text: str, s: int, e: int) -> bool:
    """A campaign the text itself launches (要/将/在全党 … 开展 …), not one it recalls."""
    before = text[max(0, s - 40) : s]
    clause = re.split(r"[。；;！!？?\n]", before)[-1]
    return bool(_LAUNCH.search(clause)) and not _RECALLED.search(text[e : e + 4])


def _looking_ahead(reading: str, year: int) -> tuple[int, int]:
    """The years a speech looking ahead to an event in ``year`` can be given in."""
    return {"next year": (year - 1, year - 1), "this year": (year, year)}.get(reading, (year - 1, year))


def _families(cues) -> dict[str, list[tuple[int, str]]]:
    """Events whose order is known, each family sorted by date: congresses, plenums, plan periods."""
    plenums = [(int(y), f"{c}届{p}中全会") for c, p, y, _ in _read("plenums.tsv")]

    def by_year(kind):  # one event a year (十九大 and 第十九次全国代表大会 are one), shortest name first
        events: dict[int, str] = {}
        for c in cues:
            if (
                c.kind == kind
                and c.condition == "mention"
                and (c.first not in events or len(c.cue) < len(events[c.first]))
            ):
                events[c.first] = c.cue
        return sorted(events.items())

    # plenums in the table's order, which is the order they met
    return {"congress": by_year("congress"), "plenum": plenums, "plan": by_year("plan")}


def audit_document(doc_id: str, file: str, stated_year: int, text: str, cues=None) -> DocumentAudit:
    """Audit one document: every dated cue in ``text`` with the years it allows, and the verdict."""
    cues = load_cues() if cues is None else cues
    found = []
    known: dict[str, list[tuple[int, str, int, int]]] = {}  # family -> (order, name, start, end)

    def add(kind, cue, cond, first, last, m, source, strength=HARD, reading="mention"):
        s, e = m if isinstance(m, tuple) else m.span()
        context = text[max(0, s - 12) : e + 12].replace("\n", " ")
        position = text.find(cue, s, e) if cue in text[s:e] else s
        found.append(
            Evidence(
                doc_id, file, stated_year, kind, cue, cond, first, last, context, source, position, strength, reading
            )
        )

    families = _families(cues)
    order = {(fam, name): i for fam, events in families.items() for i, (_, name) in enumerate(events)}
    dated = {kind: [y for y, _ in families[kind]] for kind in ("congress", "plan")}
    for c in cues:  # every name of a congress or plan period, by its year
        if c.kind in dated and c.condition == "mention":
            order[(c.kind, c.cue)] = dated[c.kind].index(c.first)
    for c in cues:
        for m in c.pattern.finditer(text):
            first, last, reading = c.first, c.last, c.condition
            ahead = _ahead(text, *m.span()) if c.kind == "congress" and c.condition == "mention" else ""
            if ahead:
                (first, last), reading = _looking_ahead(ahead, c.first), ahead
            elif c.kind == "campaign" and _launched(text, *m.span()):
                first, reading = c.first - 1, "launched by the text"
            add(c.kind, c.cue, c.condition, first, last, m, c.source, reading=reading)
            if c.kind in ("congress", "plan") and c.condition == "mention" and not _SINCE.match(text[m.end() :]):
                known.setdefault(c.kind, []).append((order[(c.kind, c.cue)], c.cue, *m.span()))
    for event, base, source in _read("anniversaries.tsv"):
        for m in re.finditer(f"{re.escape(event)}(\\d{{1,3}}|[一二三四五六七八九十百两]{{1,4}})\\s*周年", text):
            n = _number(m.group(1))
            if not n:
                continue
            year = int(base) + n
            tail = text[m.end() : m.end() + 12]
            head = text[max(0, m.start() - 8) : m.start()]
            reading = _ahead(text, *m.span())
            if reading in ("next year", "ahead"):
                first, last = _looking_ahead(reading, year)
                add("anniversary", m.group(), "ahead", first, last, m, source, reading=reading)
            elif re.match(f"{CLAUSE}{{0,8}}?之年", tail) or "今年是" in head:  # that year, or its review
                add("anniversary", m.group(), "this year", year, year + 1, m, source)
            else:
                add("anniversary", m.group(), "mention", year - 1, None, m, source)
                add("anniversary", m.group(), "mention", None, year + 1, m, source, SOFT, "recalled soon after")
    plenums = {(c, p): (int(y), s) for c, p, y, s in _read("plenums.tsv")}
    for m in re.finditer(r"(十[六七八九]|二十)届((?:[一二三四五六七]中(?:全会)?[、和及，,]?)+)", text):
        for p in re.findall(r"([一二三四五六七])中", m.group(2)):
            if (m.group(1), p) in plenums:
                year, source = plenums[(m.group(1), p)]
                name = f"{m.group(1)}届{p}中全会"
                reading = _ahead(text, *m.span())
                first, last = _looking_ahead(reading, year) if reading else (year, None)
                add("plenum", name, "mention", first, last, m, source, reading=reading or "mention")
                known.setdefault("plenum", []).append((order[("plenum", name)], name, *m.span()))
    for pattern, cond, lo, hi in _EXPLICIT:
        for m in re.finditer(pattern, text):
            y = int(m.group(1))
            add(
                "explicit year",
                m.group(),
                cond,
                y + lo,
                None if hi is None else y + hi,
                m,
                "the year written in the text",
            )
    for family, mentions in sorted(known.items()):
        i, name, s, e = max(mentions)
        if i + 1 < len(families[family]):
            next_year, next_name = families[family][i + 1]
            add(
                "latest known",
                name,
                f"before {next_name}",
                None,
                next_year,
                (s, e),
                f"the latest {family} the text names; the next, {next_name}, is dated {next_year}",
                SOFT,
                "latest known",
            )
    return _summarise(doc_id, file, stated_year, found)


_EXPLICIT = (  # (pattern, condition, offset of first allowed year, offset of last or None)
    (r"((?:19|20)\d\d)年是", "this year", -1, 1),  # said the year before (plans), in it, or after (reviews)
    (r"在((?:19|20)\d\d)年" + CLAUSE + r"{0,16}?(?:会议|大会)上的讲话", "title", 0, 0),
    (r"((?:19|20)\d\d)年\d{1,2}月\d{1,2}日在" + CLAUSE + r"{0,24}?(?:会议|大会)", "date line", 0, 0),
    (r"((?:19|20)\d\d)年以来", "since", 0, None),
    (r"((?:19|20)\d\d)年(?:底|末)[，,]", "year end", 0, None),
    (r"((?:19|20)\d\d)年工作回顾", "review", 0, 1),  # a review of the year, at its end or after
    (  # the tasks of a year: set out at the end of the year before or in it
        r"((?:19|20)\d\d)年(?:的)?(?:工作总体部署|政府工作任务|重点工作|经济社会发展(?:的)?(?:总体要求|主要预期目标))",
        "tasks",
        -1,
        0,
    ),
)


def _summarise(doc_id, file, stated_year, found) -> DocumentAudit:
    # one occurrence of a cue counts once: where several conditions matched it (收官之年 matches
    # both "final" and "closing"), keep the narrowest span
    narrowest = {}
    for e in found:
        key = (e.cue, e.position, e.strength)
        width = (e.last if e.last is not None else 10_000) - (e.first if e.first is not None else -10_000)
        if key not in narrowest or width < narrowest[key][0]:
            narrowest[key] = (width, e)
    found = [e for _, e in narrowest.values()]
    found.sort(key=lambda e: (e.kind, e.cue, e.first or 0, e.last or 0, e.position, e.strength))
    if not found:
        return DocumentAudit(doc_id, file, stated_year, (), (), 0)
    years = [stated_year] + [y for e in found for y in (e.first, e.last) if y is not None]
    candidates = range(min(years) - 1, max(years) + 2)
    support = Counter({y: sum(e.allows(y) for e in found) for y in candidates})
    best = max(support.values())
    return DocumentAudit(
        doc_id, file, stated_year, tuple(found), tuple(y for y in candidates if support[y] == best), best
    )


def audit(cleaned) -> tuple[DocumentAudit, ...]:
    """Audit every cleaned document (CleanDocument), in corpus order, each with the corpus's second
    opinion on its year (topics.analysis.date_profiles) beside the cue verdict."""
    cues = load_cues()
    texts = ["\n".join(p.text for p in cd.paragraphs) for cd in cleaned]
    docs = [cd.document for cd in cleaned]
    second = second_opinions(texts, [d.year for d in docs], [d.file for d in docs]) if docs else ()
    absent = TOO_FEW if not any(second) else NO_PROFILE  # why a document has none
    return tuple(
        replace(
            audit_document(d.doc_id, d.file, d.year, text, cues), second=opinion, second_note="" if opinion else absent
        )
        for d, text, opinion in zip(docs, texts, second)
    )
