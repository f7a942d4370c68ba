"""Every escaper of the package in one place: text from a corpus or a config is shown as text in
each target, never read as markup, mathematics or commands.

- ``html``: HTML text and attribute values (the dashboard and the pages beside it);
- ``html_text``: HTML element content from a corpus or config (the dashboard): ``html``, and bidi
  isolated in ``<bdi>`` when it holds bidirectional controls or right-to-left letters;
- ``plotly``: labels and hover text of plotly figures, which read a subset of HTML; bidi isolated
  between U+2068 and U+2069 in the same case;
- ``mathtext``: matplotlib text, which reads ``$...$`` as mathematics;
- ``latex``: LaTeX table cells and captions (booktabs tables);
- ``bibtex``: BibTeX field values;
- ``terminal``: text printed to a terminal: control characters (an ESC that starts a CSI or OSC
  sequence, a bell, a carriage return ...) and bidirectional-text controls are shown as ``\x1b``,
  ``\u202e``, so a scraped file name or passage cannot retitle, clear or reorder the terminal.
  Line breaks and tabs stay.
"""

from __future__ import annotations

import html as _html
import re

_LATEX = {
    "\\": r"\textbackslash{}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "{": r"\{",
    "}": r"\}",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
_BIBTEX = set("{}&%$#_")
_BIDI = {0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
_TERMINAL = {
    c: (f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}")
    for c in (*range(0x00, 0x20), *range(0x7F, 0xA0), *_BIDI)
    if c not in (0x09, 0x0A)
}


_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufeff\U00010800-\U00010fff\U0001e800-\U0001efff]")


def needs_isolation(text: str) -> bool:
    """Whether ``text`` holds a bidirectional control (U+202E ...) or a right-to-left letter, which
    would reorder the text around it on the same line unless isolated."""
    return any(ord(c) in _BIDI for c in text) or _RTL.search(text) is not None


def html(text) -> str:
    return _html.escape(str(text), quote=True)


def html_text(text) -> str:
    """HTML element content: escaped, and wrapped in ``<bdi>`` when it holds bidirectional controls
    or right-to-left letters, so that a title starting with U+202E reverses only itself, not the
    package's text after it (an isolate also ends any embedding left open inside it). Not for
    attribute values or ``<title>``, which cannot hold elements."""
    text = str(text)
    escaped = _html.escape(text, quote=True)
    return f"<bdi>{escaped}</bdi>" if needs_isolation(text) else escaped


def plotly(text) -> str:
    """Plotly labels and hover text (a subset of HTML, no ``<bdi>``): escaped, and isolated between
    FIRST STRONG ISOLATE and POP DIRECTIONAL ISOLATE (U+2068 ... U+2069) when it holds bidirectional
    controls or right-to-left letters; the PDI also closes any embedding opened inside it."""
    text = str(text)
    escaped = _html.escape(text, quote=False)
    if not needs_isolation(text):
        return escaped
    opened = sum(ord(c) in (0x202A, 0x202B, 0x202D, 0x202E) for c in text)  # embeddings and overrides
    return "\u2068" + escaped + "\u202c" * opened + "\u2069"


def mathtext(text) -> str:
    return str(text).replace("$", r"\$")


def latex(text) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in str(text))


def bibtex(text) -> str:
    return "".join("\\" + ch if ch in _BIBTEX else ch for ch in str(text))


def terminal(text) -> str:
    return str(text).translate(_TERMINAL)
