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
from dataclasses import dataclass
from importlib import resources

CLAUSE = r"[^。；;！!？?\n]"
PHRASE = r"[^。；;！!？?\n，,]"  # within a clause, up to the next comma
_SEP = r"[、，,.。；;·・\s“”‘’\"']{0,3}"
CONDITIONS = {  # condition -> (text required before the cue, text required after it)
    "mention": ("", ""),
    "final": ("", f"{PHRASE}{{0,12}}?(?:收官之年|最后一年)"),
    "closing": ("", f"{PHRASE}{{0,12}}?收官"),
    "first": ("", f"{PHRASE}{{0,12}}?(?:开局之年|第一年|起步之年)"),
    "planning": ("", f"{PHRASE}{{0,12}}?(?:谋划之年|编制)"),
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


@dataclass(frozen=True)
class Evidence:
    """One cue found in one document: the words, the years it allows, and whether the stated year
    falls outside them."""

    doc_id: str
    file: str
    stated_year: int
    kind: str
    cue: str
    condition: str
    first: int
    last: int | None
    context: str
    source: str
    position: int = 0  # character offset of the cue in the cleaned text

    @property
    def conflict(self) -> bool:
        return self.stated_year < self.first or (self.last is not None and self.stated_year > self.last)

    def span(self) -> str:
        if self.last is None:
            return f"{self.first} or later"
        return str(self.first) if self.first == self.last else f"{self.first}-{self.last}"


@dataclass(frozen=True)
class DocumentAudit:
    doc_id: str
    file: str
    stated_year: int
    evidence: tuple[Evidence, ...]
    best_years: tuple[int, ...]  # the years that satisfy the most cues
    best_support: int

    @property
    def conflicts(self) -> tuple[Evidence, ...]:
        return tuple(e for e in self.evidence if e.conflict)

    def summary(self) -> str:
        n, c = len(self.evidence), len(self.conflicts)
        if not n:
            return f"{self.file} ({self.stated_year}): no dated cues found"
        best = "/".join(map(str, self.best_years))
        if not c:
            return f"{self.file} ({self.stated_year}): consistent with all {n} dated cues"
        return (
            f"{self.file}: stated {self.stated_year}, but {c} of {n} dated cues disagree; "
            f"{best} fits the most cues ({self.best_support} of {n})"
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


def audit_document(doc_id: str, file: str, stated_year: int, text: str, cues=None) -> DocumentAudit:
    cues = load_cues() if cues is None else cues
    found = []

    def add(kind, cue, cond, first, last, m, source):
        s, e = m.span()
        context = text[max(0, s - 12) : e + 12].replace("\n", " ")
        found.append(
            Evidence(
                doc_id,
                file,
                stated_year,
                kind,
                cue,
                cond,
                first,
                last,
                context,
                source,
                text.find(cue, s, e) if cue in text[s:e] else s,
            )
        )

    for c in cues:
        for m in c.pattern.finditer(text):
            add(c.kind, c.cue, c.condition, c.first, c.last, m, c.source)
    for event, base, source in _read("anniversaries.tsv"):
        for m in re.finditer(f"{re.escape(event)}(\\d{{1,3}}|[一二三四五六七八九十百两]{{1,4}})\\s*周年", text):
            n = _number(m.group(1))
            if not n:
                continue
            tail = text[m.end() : m.end() + 12]
            head = text[max(0, m.start() - 8) : m.start()]
            if re.match(f"{CLAUSE}{{0,8}}?之年", tail) or "今年是" in head:  # that year, or its review
                add("anniversary", m.group(), "this year", base_n := int(base) + n, base_n + 1, m, source)
            else:
                add("anniversary", m.group(), "mention", int(base) + n - 1, None, m, source)
    plenums = {(c, p): (int(y), s) for c, p, y, s in _read("plenums.tsv")}
    for m in re.finditer(r"(十[六七八九]|二十)届((?:[一二三四五六七]中(?:全会)?[、和及，,]?)+)", text):
        for p in re.findall(r"([一二三四五六七])中", m.group(2)):
            if (m.group(1), p) in plenums:
                year, source = plenums[(m.group(1), p)]
                add("plenum", f"{m.group(1)}届{p}中全会", "mention", year, None, m, source)
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
    return _summarise(doc_id, file, stated_year, found)


_EXPLICIT = (  # (pattern, condition, offset of first allowed year, offset of last or None)
    (r"((?:19|20)\d\d)年是", "this year", -1, 1),  # said the year before (plans), in it, or after (reviews)
    (r"在((?:19|20)\d\d)年" + CLAUSE + r"{0,16}?(?:会议|大会)上的讲话", "title", 0, 0),
    (r"((?:19|20)\d\d)年以来", "since", 0, None),
)


def _summarise(doc_id, file, stated_year, found) -> DocumentAudit:
    # one occurrence of a cue counts once: where several conditions matched it (收官之年 matches
    # both "final" and "closing"), keep the narrowest span
    narrowest = {}
    for e in found:
        key = (e.cue, e.position)
        width = (e.last if e.last is not None else 10_000) - e.first
        if key not in narrowest or width < narrowest[key][0]:
            narrowest[key] = (width, e)
    found = [e for _, e in narrowest.values()]
    found.sort(key=lambda e: (e.kind, e.cue, e.first, e.context))
    if not found:
        return DocumentAudit(doc_id, file, stated_year, (), (), 0)
    candidates = range(
        min(stated_year, *(e.first for e in found)) - 1, max(stated_year, *(e.last or e.first for e in found)) + 2
    )
    support = Counter({y: sum(e.first <= y and (e.last is None or y <= e.last) for e in found) for y in candidates})
    best = max(support.values())
    return DocumentAudit(
        doc_id, file, stated_year, tuple(found), tuple(y for y in candidates if support[y] == best), best
    )


def audit(cleaned) -> tuple[DocumentAudit, ...]:
    """Audit every cleaned document (CleanDocument), in corpus order."""
    cues = load_cues()
    return tuple(
        audit_document(
            cd.document.doc_id, cd.document.file, cd.document.year, "\n".join(p.text for p in cd.paragraphs), cues
        )
        for cd in cleaned
    )
