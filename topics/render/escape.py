"""Every escaper of the package in one place: text from a corpus or a config is shown as text in
each target, never read as markup, mathematics or commands.

- ``html``: HTML text and attribute values (the dashboard and the pages beside it);
- ``plotly``: labels and hover text of plotly figures, which read a subset of HTML;
- ``mathtext``: matplotlib text, which reads ``$...$`` as mathematics;
- ``latex``: LaTeX table cells and captions (booktabs tables);
- ``bibtex``: BibTeX field values.
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
