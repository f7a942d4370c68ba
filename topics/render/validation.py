"""Views of a scored validation kit (RunResult.validation): validation.csv, its summary table (the
dashboard and tables/validation.tex), the paragraph of methods.md and of the dashboard (written once,
here, from the run record) and the precision figure; the dashboard's section puts them together.
"""

from __future__ import annotations

from .summaries import Summary
from ..analysis.validation import ALL, KINDS

MEASURE_NAMES = {
    "model_precision": "model precision",
    "topic_log_odds": "topic log odds",
    "krippendorff_alpha": "Krippendorff's alpha",
}
KIND_NAMES = {
    "word_intrusion": "word intrusion",
    "word_set_intrusion": "word-set intrusion",
    "topic_intrusion": "topic intrusion",
    ALL: "all tasks",
}


def validation_table(v):
    """validation.csv: one row per task and measure, and each kind's overall value (task "")."""
    header = ["task_type", "task", "topic", "unit", "measure", "value", "coders", "n"]
    rows = [
        (s.kind, s.task, s.topic or "", s.unit, s.measure, "" if s.value is None else s.value, s.coders, s.n)
        for s in v.scores
    ]
    return header, rows


def _found(v, kind: str, topic: int) -> str:
    s = next((s for s in v.scores if s.kind == kind and s.topic == topic and s.task), None)
    if s is None or s.value is None:
        return "–"
    return f"{round(s.value * s.n)} of {s.n}"


def validation_summary(r):
    """Per topic of the fit: its top words and how many coders found the intruder in each kind."""
    v = r.validation
    if v is None:
        return None
    kinds = [k for k in ("word_intrusion", "word_set_intrusion") if v.overall(k, "model_precision")]
    rows = [
        (f"T{t}", " ".join(words), *[_found(v, k, t) for k in kinds]) for t, words in enumerate(v.topic_words, start=1)
    ]
    means = [v.overall(k, "model_precision") for k in kinds]
    rows.append(("mean", "", *[f"{s.value:.2f}" if s and s.value is not None else "–" for s in means]))
    return Summary(
        "Human validation: coders who found the intruder, per topic of the fit",
        ("Topic", "Top words", *[KIND_NAMES[k].capitalize() for k in kinds]),
        tuple(rows),
        "ll" + "r" * len(kinds),
        "Model precision: the share of coders who picked the intruder (chance: "
        + ", ".join(f"1 in {KINDS[k].options} for {KIND_NAMES[k]}" for k in kinds)
        + "). Topic numbers are the fit's.",
    )


def _value(x: dict | None, digits: int = 2) -> str:
    return "–" if x is None or x["value"] is None else f"{x['value']:.{digits}f}"


def _fallback(m: dict) -> str:
    """For the topics whose intruder came from oolong's rule (no bottom-half word), as the kit noted."""
    from ..analysis import validation as va

    n = sum(note.startswith("word intrusion, topic") for note in m.get("notes", ()))
    if not n:
        return ""
    return (
        f" or, for {n} topic(s) with no such word, one of the {va.WI_FALLBACK:.0%} of those words it ranks "
        f"lowest (validation/tasks.json names them)"
    )


def paragraph(m: dict) -> str:
    """The validation paragraph of methods.md and of the dashboard, from the run record's
    ``validation`` (manifest.json)."""
    from ..analysis import validation as va

    overall = {(o["kind"], o["measure"]): o for o in m["overall"]}
    counts, answered = m["tasks"], len(m["answers"])
    text = (
        f"{answered} coder(s) ({m['coders']} sheet(s) drawn) did the tasks of validation kit {m['kit_id']} "
        f"(topics validate, seed {m['seed']}): word intrusion for each of the {counts['word_intrusion']} topics "
        f"(its {va.WI_WORDS} most probable words and an intruder, a word of another topic's top {va.WI_POOL} that "
        f"this topic ranks in its bottom half{_fallback(m)}; Chang et al. 2009), word-set intrusion ({va.WSI_SETS} sets of "
        f"{va.WSI_SET_WORDS} of the topic's top {va.WSI_POOL} words and one set from another topic; Ying, "
        f"Montgomery and Stewart 2022) and topic intrusion for {counts['topic_intrusion']} units (the unit's "
        f"{va.TI_TOPICS} most probable topics and an improbable one, each shown by its top {va.TI_WORDS} words)."
    )
    found = [
        f"{_value(overall[k, 'model_precision'])} for {KIND_NAMES[k]} ({overall[k, 'model_precision']['n']} "
        f"judgments; chance {1 / KINDS[k].options:.2f})"
        for k in ("word_intrusion", "word_set_intrusion")
        if (k, "model_precision") in overall
    ]
    if found:
        text += " Model precision, the share of coders who found the intruder averaged over topics, is " + (
            " and ".join(found) + "."
        )
    tlo = overall.get(("topic_intrusion", "topic_log_odds"))
    if tlo:
        text += (
            f" The mean topic log odds is {_value(tlo)} ({tlo['n']} judgments of {tlo['coders']} coder(s); "
            f"0 when every coder finds the improbable topic, lower the more probable the topic chosen instead)."
        )
    alpha = overall.get((ALL, "krippendorff_alpha"))
    if alpha is None or alpha["n"] == 0:
        text += " Agreement between coders was not measured: no task was answered by two coders."
    elif alpha["value"] is None:
        text += f" Agreement between coders is undefined: every coder chose the same option in all {alpha['n']} tasks."
    else:
        per_kind = [
            f"{KIND_NAMES[k]} {_value(overall[k, 'krippendorff_alpha'])}"
            for k in KINDS
            if (k, "krippendorff_alpha") in overall and overall[k, "krippendorff_alpha"]["n"]
        ]
        text += (
            f" Agreement between coders (Krippendorff's alpha, nominal, over the options chosen in the "
            f"{alpha['n']} tasks answered by two or more coders) is {_value(alpha)}"
            + (f" ({'; '.join(per_kind)})" if per_kind else "")
            + "."
        )
    return (
        text + " Each answer file's sha256 is in manifest.json (validation.answers) and validation.csv has every value."
    )


def precision_figure(v):
    """Bars: model precision per topic of the fit, one trace per kind, with each kind's chance level."""
    import plotly.graph_objects as go

    from .figures import layout, safe

    fig = go.Figure()
    for kind, dash in (("word_intrusion", "dot"), ("word_set_intrusion", "dash")):
        rows = [s for s in v.scores if s.kind == kind and s.task and s.measure == "model_precision"]
        if not rows:
            continue
        fig.add_bar(
            x=[f"T{s.topic}" for s in rows],
            y=[s.value for s in rows],
            name=safe(KIND_NAMES[kind]),
            customdata=[[s.n, safe(" ".join(v.topic_words[s.topic - 1]))] for s in rows],
            hovertemplate="%{x} %{customdata[1]}<br>%{y:.2f} of %{customdata[0]} coder(s)<extra></extra>",
        )
        fig.add_hline(
            y=1 / KINDS[kind].options,
            line_dash=dash,
            line_color="#888",
            annotation_text=safe(f"chance, {KIND_NAMES[kind]}"),
        )
    layout(fig, "Model precision per topic (share of coders who found the intruder)", 380)
    fig.update_yaxes(range=[0, 1.05], title_text="model precision")
    fig.update_layout(barmode="group")
    return fig


def headlines(v) -> list[str]:
    """One line per kind and measure overall, as `topics validate score` prints them."""
    out = []
    for s in v.scores:
        if s.task:
            continue
        value = "undefined" if s.value is None else f"{s.value:.2f}"
        if s.measure == "krippendorff_alpha":
            if s.n == 0:
                continue
            out.append(
                f"{KIND_NAMES[s.kind]}: {MEASURE_NAMES[s.measure]} {value} over {s.n} task(s) answered by 2+ coders"
            )
        else:
            out.append(
                f"{KIND_NAMES[s.kind]}: {MEASURE_NAMES[s.measure]} {value} ({s.n} judgments, {s.coders} coder(s))"
            )
    return out
