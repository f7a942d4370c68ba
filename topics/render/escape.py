"""Every escaper of the package in one place: text from a corpus or a config is shown as text in
each target, never read as markup, mathematics or commands.

- ``html``: HTML text and attribute values (the dashboard and the pages beside it);
- ``plotly``: labels and hover text of plotly figures, which read a subset of HTML;
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


def html(text) -> str:
    return _html.escape(str(text), quote=True)


def plotly(text) -> str:
    return _html.escape(str(text), quote=False)


def mathtext(text) -> str:
    return str(text).replace("$", r"\$")


def latex(text) -> str:
    return "".join(_LATEX.get(ch, ch) for ch in str(text))


def bibtex(text) -> str:
    return "".join("\\" + ch if ch in _BIBTEX else ch for ch in str(text))


def terminal(text) -> str:
    return str(text).translate(_TERMINAL)
