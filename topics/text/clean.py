"""Cleaning in code: remove web noise, normalise the text for segmentation, record what changed.

Two layers. Structural rules remove whole lines (advertising header blocks, generator footers,
truncation notices, blank lines); what remains is kept verbatim as each paragraph's ``original``.
Normalising rules then rewrite characters for segmentation: lost-character marks, ASCII and '.'
punctuation, spaces, anonymised placeholders. Each rule counts its changes per document.
"""

from __future__ import annotations

import re

from ..config import CleanConfig
from ..data import CleanDocument, CleanLog, Corpus, Paragraph

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_PUNCT = "，。、；：！？“”‘’《》（）【】〈〉「」『』…—"

# ------------------------------------------------------------------ structural rules (whole lines)
# Markers of an advertising block at the top of a scraped file. The block runs from the first line
# (which must carry a marker) to the last marked line among the first HEADER_SCAN lines.
AD_MARKERS = re.compile(r"仅供学习|禁止外传|会员|[Qq]{2}群|订阅|倒卖|公众号|微信号|扫码关注|版权所有|转载请注明")
HEADER_SCAN = 30
HEADER_LINE_MAX = 80  # a header line is short; a long line is speech text, never removed

# Lines a web generator or viewer adds; removed wherever they stand if the line is short.
FOOTER_RULES = {
    "generator footer": re.compile(r"本\w{0,8}(文档|文章|文件)由.{0,80}生成"),
    "truncation notice": re.compile(r"因篇幅(问题|有限|原因).{0,20}(不能|无法)全部显示|点此查看更多"),
    "download notice": re.compile(r"(免费|完整版?)下载|下载全文|文档下载地址"),
}
FOOTER_LINE_MAX = 120


def clean_corpus(corpus: Corpus, cfg: CleanConfig) -> tuple[CleanDocument, ...]:
    """Clean every document; order follows the corpus. A document with no text left after its web
    boilerplate is removed is an error naming it (CorpusError)."""
    from ..errors import CorpusError

    cleaned = tuple(clean_document(doc, cfg) for doc in corpus.documents)
    empty = [
        f"{cd.document.file}: nothing is left after removing web boilerplate "
        f"({cd.log.count('boilerplate_lines')} line(s) removed); remove its row or check the file"
        for cd in cleaned
        if not cd.paragraphs
    ]
    if empty:
        raise CorpusError(empty, source=str(corpus.root))
    return cleaned


def clean_document(doc, cfg: CleanConfig) -> CleanDocument:
    lines = doc.raw.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    counts = {"lines_raw": len(lines), "chars_raw": len(doc.raw)}
    removed: list[str] = []
    keep = [True] * len(lines)
    if cfg.boilerplate:
        for i in _header_block(lines):
            keep[i] = False
        for i, line in enumerate(lines):
            if keep[i] and len(line) <= FOOTER_LINE_MAX and any(r.search(line) for r in FOOTER_RULES.values()):
                keep[i] = False
        removed = [lines[i].strip() for i in range(len(lines)) if not keep[i] and lines[i].strip()]
    counts["boilerplate_lines"] = len(removed)
    counts["boilerplate_chars"] = sum(len(x) for x in removed)
    paragraphs = []
    totals = dict.fromkeys(RULE_NAMES, 0)
    for i, line in enumerate(lines):
        text = line.strip(" \t\u3000\u00a0\ufeff")
        if not keep[i] or not text:
            continue
        para, changed = normalise(text, cfg)
        paragraphs.append(para)
        for k, v in changed.items():
            totals[k] += v
    counts["blank_lines"] = sum(1 for i, l in enumerate(lines) if keep[i] and not l.strip())
    counts["paragraphs"] = len(paragraphs)
    counts["chars_clean"] = sum(len(p.original) for p in paragraphs)
    counts.update(totals)
    return CleanDocument(
        document=doc,
        paragraphs=tuple(paragraphs),
        log=CleanLog(doc_id=doc.doc_id, counts=tuple(counts.items()), removed_lines=tuple(removed)),
    )


def _header_block(lines: list[str]) -> range:
    first = next((i for i, l in enumerate(lines) if l.strip()), None)
    if first is None or not AD_MARKERS.search(lines[first]):
        return range(0)
    last = first
    for i in range(first, min(len(lines), first + HEADER_SCAN)):
        if len(lines[i].strip()) > HEADER_LINE_MAX:
            break
        if AD_MARKERS.search(lines[i]):
            last = i
    return range(first, last + 1)


# ------------------------------------------------------------------ normalising rules (characters)
_BEFORE_LOST = rf"(?:^|(?<=[\s,.;:!?()\[\]{_CJK_PUNCT}]))"
_LOST = re.compile(rf"{_BEFORE_LOST}[?？](?=[{HAN}])|\ufffd")
_ASCII_PUNCT = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT = re.compile(rf"(?<=[{HAN}{_CJK_PUNCT}])[,;:!?()]|[,;:!?()](?=[{HAN}{_CJK_PUNCT}])")
_DOT = re.compile(rf"(?<=[{HAN}'\"”’）)])\.(?=[{HAN}'\"“‘（(]|$)")
_QUOTE = re.compile(rf"(?<=[{HAN}{_CJK_PUNCT}])['\"]|['\"](?=[{HAN}{_CJK_PUNCT}])")
_FULLWIDTH = re.compile(r"[\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")
_SPACE = re.compile(r"[ \t\u3000\u00a0\u2002-\u200b]+")
_PLACEHOLDER = re.compile(rf"(?<![A-Za-z])[XxＸｘ×*＊]{{1,4}}(?![A-Za-z])")


def _lost_chars(text):
    return _LOST.subn("□", text)


def _punctuation(text):
    text, n1 = _PUNCT.subn(lambda m: _ASCII_PUNCT[m.group()], text)
    text, n2 = _DOT.subn("。", text)
    quotes = iter(range(10**9))
    text, n3 = _QUOTE.subn(lambda m: "“" if next(quotes) % 2 == 0 else "”", text)
    text, n4 = _FULLWIDTH.subn(lambda m: chr(ord(m.group()) - 0xFEE0), text)
    return text, n1 + n2 + n3 + n4


def _placeholders(text):
    def repl(m):
        a, b = m.start(), m.end()
        before = text[a - 1] if a else ""
        after = text[b] if b < len(text) else ""
        if re.match(rf"[{HAN}]", before) or re.match(rf"[{HAN}]", after):
            return "某" * (b - a)
        return m.group()

    out = _PLACEHOLDER.sub(repl, text)
    return out, sum(1 for x, y in zip(text, out) if x != y)


# name -> (config switch, rule). Order matters: a lost '?' must be caught before '?' turns into '？'.
# Every rule here maps characters one for one; spaces are handled in normalise() because they are
# the one rule that deletes characters, and their positions are recorded.
_RULES = {
    "lost_chars": ("lost_chars", _lost_chars),
    "punctuation": ("punctuation", _punctuation),
    "placeholders": ("placeholders", _placeholders),
}
RULE_NAMES = (*_RULES, "spaces")


def normalise(text: str, cfg: CleanConfig) -> tuple[Paragraph, dict]:
    """Normalise one paragraph for segmentation; return it with a count per rule."""
    counts = {}
    out = text
    for name, (switch, rule) in _RULES.items():
        if getattr(cfg, switch):
            out, counts[name] = rule(out)
        else:
            counts[name] = 0
    removed: list[int] = []
    if cfg.spaces:
        out, removed = _drop_spaces(out)
    counts["spaces"] = len(removed)
    return Paragraph(original=text, text=out, removed=tuple(removed)), counts


def _drop_spaces(text: str) -> tuple[str, list[int]]:
    """Delete whitespace unless it separates two ASCII letters or digits ("GDP 增长" loses its
    space, "Xi Jinping" keeps it); spaces inside numbers ("95 周年", "420 ”") go."""
    removed, pieces, last = [], [], 0
    for m in _SPACE.finditer(text):
        a, b = m.start(), m.end()
        before = text[a - 1] if a else ""
        after = text[b] if b < len(text) else ""
        keep = 1 if (before.isascii() and before.isalnum() and after.isascii() and after.isalnum()) else 0
        pieces.append(text[last : a + keep])
        removed.extend(range(a + keep, b))
        last = b
    pieces.append(text[last:])
    return "".join(pieces), removed
