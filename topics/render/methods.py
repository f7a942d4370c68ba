"""methods.md: a methods paragraph for a paper, written from the run's manifest and findings.

Every figure in it is read from the run; nothing is typed by hand. Edit the wording freely, but
cite the run id so readers can find the run record.
"""

from __future__ import annotations

import re

from ..analysis.uncertainty import SPLINE_METHOD, pooling_finding
from ..models.engines import ENGINES
from .summaries import labelling_note, vocabulary_sentence


def _dating_bounds(audit) -> str:
    """How the date audit bounds a year, and whether the corpus gave a second opinion."""
    second = [a for a in audit if a.get("second_opinion")]
    text = (
        "Cues bound the year from below and from above; the latest congress, plenum or plan period a "
        "text names bounds it softly from above (the next one has not happened yet), and phrases that look "
        "ahead (明年, 即将召开, 迎接) date a text to the year before the event. "
    )
    if second:
        disagree = sum(not (lo <= a["stated_year"] <= hi) for a in second for _, lo, hi in [a["second_opinion"]])
        text += (
            "As a second opinion, each document's year was estimated from the three other documents whose "
            "character-bigram TF-IDF profiles are most similar (leave one out, weights similarity^8); "
            f"it disagrees with {disagree} of {len(second)} stated years. "
        )
    elif audit:
        text += "The corpus had too few documents (under 10, or under 5 years) for a second opinion from it. "
    return text


def _code(text: str) -> str:
    """``text`` as a Markdown code span: the fence is one backtick longer than any run inside it."""
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _engine(name: str, what: str) -> str:
    """An engine's short ``name`` or its ``prose`` for a paper (the registry key if it has none)."""
    spec = ENGINES.get(name)
    return (getattr(spec, what) if spec is not None else "") or name


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _span(years) -> str:
    first, last = min(years), max(years)
    return f"in {first}" if first == last else f"from {first} to {last}"


def _years_text(support: dict) -> str:
    return ", ".join(f"{y} ({n})" for y, n in sorted(support.items(), key=lambda kv: int(kv[0])))


def _guards_text(unc: dict, stab: dict) -> str:
    """Degenerate topics, and topics whose band pools fewer than every seed fit ("" when none)."""
    out = ""
    if stab.get("degenerate_topics"):
        out += (
            f" Degenerate topics were given stability 0 and a match to one did not count: "
            f"{'; '.join(stab['degenerate_topics'])}."
        )
    pooling = pooling_finding(unc.get("seeds_pooled", []), unc["n_seeds"], stab["threshold"])
    return out + (f" {pooling}" if pooling else "")


def methods_text(result, m: dict) -> str:
    """methods.md of a run: ``result`` the RunResult as shown (labels, TopicWords, vocabulary record),
    ``m`` its manifest."""
    config, findings, labels = result.config, result.findings, result.labels
    words, vocabulary = result.topic_words, result.dtm.pruning
    c, seg, counts, model = m["corpus"], m["segment"], m["counts"], m["model"]
    unc, stab = m["uncertainty"], m["stability"]
    support = m["year_support"]
    thin = [y for y, n in support.items() if n == 1]
    params = ", ".join(f"{k} = {v}" for k, v in sorted(model["params"].items()) if k not in ("seed", "n_topics"))
    units = config.units
    v = m["versions"]
    lines = [
        f"# Methods: run {m['run_id']} ({m['experiment']})",
        "",
        "## Corpus",
        f"The corpus holds {c['documents']} document{'s' if c['documents'] != 1 else ''} {_span(c['years'])} "
        f"(corpus fingerprint {c['fingerprint'][:16]}). Documents per year: {_years_text(support)}."
        + (
            f" {len(thin)} of {len(support)} years rest on a single document ({', '.join(sorted(thin))}); "
            "their figures describe one text, not a year."
            if thin
            else ""
        )
        + (f" {len(c['excluded'])} documents outside the configured years were left out." if c["excluded"] else ""),
        "",
        "## Preparation",
        "Web boilerplate (advertising blocks, generator footers, truncation notices) was removed by rule, "
        "punctuation and spaces were normalised and anonymised placeholders replaced, in code; the source files "
        "were not edited (the removed lines are listed in cleaning.csv). "
        f"Texts were split into {units.kind} units (paragraphs under {units.min_chars} characters joined to the "
        f"next; paragraphs over {units.max_chars} characters cut into runs of whole sentences of about "
        f"{units.run_chars} characters), giving {counts['units']} units. "
        f"Units were segmented with {seg['engine']} {seg['engine_version']} (HMM {'on' if config.segment.hmm else 'off'}) "
        f"and a lexicon of {seg['lexicon_terms']} political formulations kept whole. "
        + (
            vocabulary_sentence(vocabulary)
            + f" min_df was {config.vectorize.min_df} and max_df {config.vectorize.max_df}; {counts['units_modelled']} "
            "units kept a token."
            if vocabulary is not None
            else f"Terms in fewer than {config.vectorize.min_df} units or in more than {config.vectorize.max_df} of "
            f"units were dropped, leaving {counts['terms']} terms and {counts['tokens']} tokens in "
            f"{counts['units_modelled']} units."
        ),
        "",
        "## Model",
        f"The topic model is {_engine(model['engine'], 'prose')}; K = {model['params']['n_topics']} topics "
        f"({params}), seed {m['seed']}. "
        + (
            f"Of {len(model['fit']['bounds'])} random starts, the one with the highest variational bound was kept. "
            if "bounds" in model["fit"]
            else ""
        )
        + "A theme's share of a year is the token-weighted mean of its share in that year's units. "
        + labelling_note(words),
        "",
        "## Uncertainty and stability",
        f"Intervals are {unc['level']:.0%} percentile intervals from {unc['resamples']} bootstrap resamples "
        f"(seed {unc['seed']}; {unc['scheme_text']})"
        + (
            f", applied to each of {unc['n_seeds']} model fits with different seeds and pooled "
            + (
                f"({unc['replicates_pooled']} replicates), so they include the variation across seeds"
                if all(n == unc["n_seeds"] for n in unc.get("seeds_pooled", []))
                else f"where a fit's topic matches the first fit's (at most {unc['replicates_pooled']} replicates "
                "per topic; see below), so they include the variation across the seeds that find the topic"
            )
            if unc["n_seeds"] > 1
            else ""
        )
        + f". The median interval width is {100 * unc['median_interval_width']:.1f} percentage points"
        + (
            f" ({100 * unc['median_interval_width_reference_seed']:.1f} from the first seed's fit alone)"
            if unc["n_seeds"] > 1
            else ""
        )
        + ". "
        + _trends_text(findings.fits, len(support))
        + (
            f"The model was refitted with {len(stab['seeds'])} seeds ({', '.join(map(str, stab['seeds']))}); "
            f"topics were matched to the first fit by the Hungarian algorithm on the cosine similarity of "
            f"topic-word distributions. Mean stability is {stab['mean_stability']:.2f}"
            + (
                f"; {_unstable(stab['unstable_topics'])} in fewer than half of the other seeds "
                f"(similarity < {stab['threshold']})."
                if stab["unstable_topics"]
                else f"; every topic recurs in at least half of the other seeds (similarity >= {stab['threshold']})."
            )
            if len(stab["seeds"]) > 1
            else "Stability across seeds was not measured (one seed)."
        )
        + _guards_text(unc, stab),
    ]
    lines += ["", "## Era contrasts", *_contrasts_text(findings.contrasts, labels, config.uncertainty.eras)]
    lines += _effects_text(findings.effects)
    lines += ["", "## Number of topics"]
    if not m["sweep"]:
        lines.append(
            f"K = {model['params']['n_topics']} was set in the configuration; no sweep over K was run, so this "
            "K was not compared with others."
        )
    else:
        sw = m["sweep"]
        lines += [
            f"K was compared over {', '.join(map(str, sw['k']))} with {len(sw['seeds'])} seeds each, fitted "
            f"on {sw['n_train']} units with {sw['n_heldout']} held out; the held-out measure is {sw['heldout_measure']}. "
            f"Per K, each measure is the mean over seeds, with its range from the lowest to the highest seed. "
            f"{sw['rule']} {sw['verdict']} {sw['run_k']}",
        ]
    lines += ["", "## Other engines"]
    if m["compare"]:
        agreements = [f"{x['agreement']:.2f}" for x in m["compare"]]
        lines.append(
            f"For comparison, the same units were also fitted with {_and(_engine(x['engine'], 'name') for x in m['compare'])} "
            f"at the same K. Matched to this model's topics by the Hungarian algorithm, their topic-word "
            f"distributions agree at {_and(agreements)} "
            f"{'respectively ' if len(m['compare']) > 1 else ''}(mean cosine similarity of matched topics)."
        )
    else:
        lines.append("No other engine was fitted for comparison.")
    conflicts = [a for a in m["date_audit"] if a["conflicts"]]
    lines += [
        "",
        "## Dating",
        f"Each document's stated year was checked against dated cues in its text (plan periods, congresses, "
        f"plenums, anniversaries, campaigns). "
        + _dating_bounds(m["date_audit"])
        + (
            "; ".join(
                f"{a['file']}: stated {a['stated_year']}, {a['conflicts']} of {a['cues']} cues disagree, "
                f"best supported {'/'.join(map(str, a['best_supported_years']))}"
                for a in conflicts
            )
            + " (kept as stated; see date_audit.csv)."
            if conflicts
            else "No conflicts were found."
        ),
    ]
    if m.get("validation"):
        from .validation import paragraph

        lines += ["", "## Human validation", paragraph(m["validation"])]
    lines += [
        "",
        "## Software and record",
        f"topics {v.get('topics')}, Python {m['platform']['python']}, jieba {v.get('jieba')}, gensim "
        f"{v.get('gensim')}, scikit-learn {v.get('scikit-learn')}, numpy {v.get('numpy')}, scipy "
        f"{v.get('scipy')}{_engine_library(model['engine'], v)}. Run id {m['run_id']}; the configuration, versions, data hashes and every "
        f"output's hash are in manifest.json. Reproduce with {_code(_command(m))}.",
        "",
    ]
    return "\n".join(lines)


def _command(m: dict) -> str:
    """The command that reproduces the run, with each --set value quoted for a POSIX shell."""
    import shlex

    parts = ["topics", "run", m["config_file"] or "CONFIG"]
    for o in m["overrides"]:
        parts += ["--set", o]
    return " ".join(shlex.quote(p) for p in parts)


def _unstable(topics) -> str:
    names = _and([f"T{t}" for t in topics])
    return f"topic {names} recurs" if len(topics) == 1 else f"topics {names} recur"


def _trends_text(fits, n_years: int) -> str:
    """The sentences on the linear and the smooth trend, for what was fitted."""
    if n_years < 2:
        return "With documents from one year only, no trend over time was estimated. "
    out = "Linear trends are ordinary least squares of yearly share on year, with bootstrap intervals. "
    if fits.spline:
        return out + f"The smooth trend is {SPLINE_METHOD}, with intervals from the same replicates. "
    if fits.spline_note:
        return (
            out
            + f"No smooth trend was fitted: {n_years} years have documents and a smoothing spline needs at least 5. "
        )
    return out + "No smooth trend was asked for ([uncertainty] spline = false). "


def _effects_text(effects) -> list[str]:
    """The [effects] paragraph: formula, method, and how many estimates got no interval ([] when off)."""
    if effects is None:
        return []
    blank = sum(1 for e in effects.rows if e.flag)
    refs = "; ".join(f"{c} against {lv}" for c, lv in effects.references)
    return [
        "",
        "## Covariate effects",
        f"Topic prevalence was regressed on {_code(effects.formula)} by the method of composition "
        "(Roberts, Stewart & Tingley's estimateEffect): "
        f"{effects.draws} draws of each unit's topic shares from a Dirichlet around the model's shares, aggregated "
        f"per document over {effects.n_documents} documents, then least squares per topic"
        + (f" ({refs})" if refs else "")
        + f"; {effects.level:.0%} intervals are percentiles of {effects.resamples} bootstrap resamples of documents "
        f"within each covariate group, so paragraphs of one document are never counted as independent. "
        f"An estimate resting on fewer than {effects.min_documents} documents was given no interval"
        + (f" ({blank} of {len(effects.rows)} rows of effects.csv)." if blank else " (none was).")
        + " The effects rest on the reference fit alone: unlike the yearly bands, they leave out the variation "
        "between seed fits, so a topic that does not recur across seeds has an effect no firmer than the topic.",
    ]


def _contrasts_text(contrasts, labels, eras) -> list[str]:
    """The era contrasts whose interval excludes zero, or one sentence saying why there are none."""
    if not eras:
        return ["No eras were defined ([uncertainty] eras), so no era contrasts were estimated."]
    if not contrasts:
        return ["Eras were defined, but fewer than two of them hold documents, so no era contrast was estimated."]
    clear = [c for c in contrasts if c.low > 0 or c.high < 0]
    if not clear:
        return [
            f"None of the {len(contrasts)} era contrasts (mean yearly share of the later era minus the earlier) "
            "has an interval that excludes zero; contrasts.csv lists them all."
        ]
    return [
        f"Of {len(contrasts)} era contrasts (mean yearly share of the later era minus the earlier), "
        f"{len(clear)} {'has an interval' if len(clear) == 1 else 'have intervals'} that exclude{'s' if len(clear) == 1 else ''} zero "
        "(contrasts.csv lists them all):",
        "",
        *(
            f"- T{c.topic} {labels[c.topic]}: {c.later} minus {c.earlier} = {100 * c.difference:+.1f} percentage "
            f"points [{100 * c.low:+.1f}, {100 * c.high:+.1f}]"
            for c in clear
        ),
    ]


ENGINE_LIBRARIES = {"tomotopy-lda": "tomotopy", "tomotopy-dtm": "tomotopy", "stm": "topica"}


def _engine_library(engine: str, versions: dict) -> str:
    """ ", topica 0.62.0" for an engine whose library the software sentence does not name already."""
    lib = ENGINE_LIBRARIES.get(engine)
    return f", {lib} {versions[lib]}" if lib and versions.get(lib) else ""
