"""methods.md: a methods paragraph for a paper, written from the run's manifest and findings.

Every figure in it is read from the run; nothing is typed by hand. Edit the wording freely, but
cite the run id so readers can find the run record.
"""

from __future__ import annotations

from ..analysis.uncertainty import pooling_finding
from .summaries import labelling_note, vocabulary_sentence


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
        f"The corpus holds {c['documents']} documents from {min(c['years'])} to {max(c['years'])} "
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
        f"We fitted {model['method']} with K = {model['params']['n_topics']} topics ({params}), seed "
        f"{m['seed']}. "
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
        f"Linear trends are ordinary least squares of yearly share on year; the smooth trend is "
        f"{unc['spline']}; both carry bootstrap intervals. "
        + (
            f"The model was refitted with {len(stab['seeds'])} seeds ({', '.join(map(str, stab['seeds']))}); "
            f"topics were matched to the first fit by the Hungarian algorithm on the cosine similarity of "
            f"topic-word distributions. Mean stability is {stab['mean_stability']:.2f}"
            + (
                f"; topics {', '.join(f'T{t}' for t in stab['unstable_topics'])} recur in fewer than half of "
                f"the other seeds (similarity < {stab['threshold']})."
                if stab["unstable_topics"]
                else f"; every topic recurs in at least half of the other seeds (similarity >= {stab['threshold']})."
            )
            if len(stab["seeds"]) > 1
            else "Stability across seeds was not measured (one seed)."
        )
        + _guards_text(unc, stab),
    ]
    if findings.contrasts:
        lines += ["", "## Era contrasts"]
        for cnt in findings.contrasts:
            if cnt.low > 0 or cnt.high < 0:
                lines.append(
                    f"- T{cnt.topic} {labels[cnt.topic]}: {cnt.later} minus {cnt.earlier} = "
                    f"{100 * cnt.difference:+.1f} percentage points "
                    f"[{100 * cnt.low:+.1f}, {100 * cnt.high:+.1f}]"
                )
        lines.append("(Only contrasts whose interval excludes zero are listed; contrasts.csv has all.)")
    if m["sweep"]:
        sw = m["sweep"]
        lines += [
            "",
            "## Number of topics",
            f"K was compared over {', '.join(map(str, sw['k']))} with {len(sw['seeds'])} seeds each, fitted "
            f"on {sw['n_train']} units with {sw['n_heldout']} held out ({sw['heldout_measure']}). "
            f"Per K, each measure is the mean over seeds, with its range from the lowest to the highest seed. "
            f"{sw['rule']} {sw['verdict']} {sw['run_k']}",
        ]
    if m["compare"]:
        lines += [
            "",
            "## Other engines",
            "Topics of "
            + "; ".join(f"{x['engine']} (agreement {x['agreement']:.2f})" for x in m["compare"])
            + " were matched to this model's topics (agreement: mean cosine similarity of matched "
            "topic-word distributions).",
        ]
    conflicts = [a for a in m["date_audit"] if a["conflicts"]]
    lines += [
        "",
        "## Dating",
        f"Each document's stated year was checked against dated cues in its text (plan periods, congresses, "
        f"plenums, anniversaries, campaigns). "
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
        f"{v.get('scipy')}. Run id {m['run_id']}; the configuration, versions, data hashes and every "
        f"output's hash are in manifest.json. Reproduce with `topics run {m['config_file'] or 'CONFIG'}`"
        + (" " + " ".join(f"--set {o}" for o in m["overrides"]) if m["overrides"] else "")
        + ".",
        "",
    ]
    return "\n".join(lines)
