"""Quality filters: Sift's against datatrove's on the same real documents, for speed and for decisions.

Documents: the pages of the benchmark WARC as Sift's extract stage makes them (trafilatura) and the
ScrapingHub benchmark's gold article bodies, those the recipe's language filter keeps (English, score
at least 0.65), as in the chain. Each of Sift's gopher_repetition, gopher_quality, c4 and fineweb is
compared with datatrove's GopherRepetitionFilter, GopherQualityFilter, C4QualityFilter and
FineWebQualityFilter given the same thresholds (`same_settings.py`): each alone over every document,
then the four as a chain in the recipe's order. gopher_quality and the chain run twice: with the
recipe's `ratio_denominator` (the paper's reading, per word, by default) and with `tokens`
(datatrove's reading, per token), so both agreements are reported.

Speed: one process, one polars thread, CPU seconds, best of a few runs, as documents per second.
Sift runs the filter stage's own `apply_filters` (ledger rows and signals included) over the
documents repeated to shard-sized batches (2,000, as the stage reads them); datatrove calls each
filter's `filter()` per document (what its BaseFilter.run calls; the framework's bookkeeping is not
counted), a cost per document that does not depend on how many there are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from benchmarks.agreement import (
    Agreement,
    Rule,
    RuleAgreement,
    as_sift_reason,
    compare,
    disagreeing,
    first_failures,
    per_rule,
    rule_pairs,
)
from benchmarks.cpu_time import best_cpu_seconds
from benchmarks.datatrove_env import run_side
from benchmarks.same_settings import QUALITY_FILTERS, datatrove_params
from pipeline.config import Config
from pipeline.schema import EXTRACTED, conform
from pipeline.stages.filter import Chain, apply_filters, filter_specs, load_chain

BATCH = 2000  # documents per batch: the extract stage's default shard size

# The Sift signal each reason compares with its threshold.
SIGNAL_OF = {
    "gopher_dup_para_frac": "gopher_dup_para_frac",
    "gopher_dup_para_char_frac": "gopher_dup_para_char_frac",
    "gopher_dup_line_frac": "gopher_dup_line_frac",
    "gopher_dup_line_char_frac": "gopher_dup_line_char_frac",
    **{f"gopher_top_{n}_gram": f"gopher_top_{n}_gram_char_frac" for n in (2, 3, 4)},
    **{f"gopher_dup_{n}_grams": f"gopher_dup_{n}_gram_char_frac" for n in range(5, 11)},
    "gopher_too_few_words": "gopher_n_words",
    "gopher_too_many_words": "gopher_n_words",
    "gopher_short_avg_word": "gopher_avg_word_length",
    "gopher_long_avg_word": "gopher_avg_word_length",
    "gopher_hash_ratio": "gopher_hash_ratio",
    "gopher_ellipsis_ratio": "gopher_ellipsis_ratio",
    "gopher_bullet_lines": "gopher_bullet_lines_ratio",
    "gopher_ellipsis_lines": "gopher_ellipsis_lines_ratio",
    "gopher_alpha_words": "gopher_alpha_words_ratio",
    "gopher_stop_words": "gopher_stop_words",
    "c4_too_few_sentences": "c4_sentences",
    "fineweb_line_punct_ratio": "fineweb_line_punct_ratio",
    "fineweb_short_line_ratio": "fineweb_short_line_ratio",
    "fineweb_char_dup_ratio": "fineweb_char_dup_ratio",
    "fineweb_list_ratio": "fineweb_list_ratio",
}

# Why the two implementations of a rule can decide differently (docs/filters.md has the reasoning).
CAUSES = {
    "gopher_alpha_words": "denominator: datatrove divides by all spaCy tokens, punctuation included; "
    "Sift by words, as the paper states the rule",
    "gopher_stop_words": "case: datatrove matches stop words as written, so a capitalized The or "
    "With does not count; Sift ignores case (both count distinct stop words)",
    "gopher_too_few_words": "word count: spaCy splits contractions, hyphens and slashes; Sift keeps them "
    "whole",
    "gopher_short_avg_word": "word lengths: spaCy splits contractions and compounds into shorter pieces",
    "gopher_long_avg_word": "word lengths: Sift keeps URLs and compounds whole, spaCy splits some",
    "gopher_ellipsis_ratio": "denominator: datatrove divides by all spaCy tokens, punctuation included; "
    "Sift by words",
    "gopher_hash_ratio": "denominator: datatrove divides by all spaCy tokens, punctuation included; "
    "Sift by words",
    "gopher_dup_line_frac": "blank lines: Sift treats whitespace-only lines as separators; datatrove counts "
    "them as (repeated) lines",
    "gopher_dup_line_char_frac": "blank lines: Sift treats whitespace-only lines as separators; datatrove "
    "counts them as (repeated) lines",
    "gopher_dup_para_frac": "paragraphs: Sift splits on blank lines holding spaces too; datatrove on "
    "\\n\\n only",
    "gopher_dup_para_char_frac": "paragraphs: Sift splits on blank lines holding spaces too; datatrove on "
    "\\n\\n only",
    "c4_too_few_sentences": "sentence counting: spaCy's sentencizer vs Sift's regular expression",
    "fineweb_line_punct_ratio": "comparison: Sift drops at <= the threshold (FineWeb post), datatrove at <",
    "fineweb_short_line_ratio": "comparison: Sift drops at >= the threshold (FineWeb post), datatrove at >",
    "fineweb_char_dup_ratio": "comparison: Sift drops at >= the threshold (FineWeb post), datatrove at >; "
    "blank-line handling",
    "fineweb_list_ratio": "token count: spaCy's tokens vs Sift's",
    **{
        f"gopher_dup_{n}_grams": "Sift counts every token inside a repeated n-gram once, as the paper; "
        "datatrove skips n tokens after a repeat and counts characters without spaces"
        for n in range(5, 11)
    },
    **{f"gopher_top_{n}_gram": "tokenization: spaCy's tokens vs Sift's" for n in (2, 3, 4)},
}
# With `ratio_denominator: tokens` both sides divide by tokens; what is left is how they tokenize.
TOKENIZATION = (
    "tokenization: spaCy splits contractions (do n't, Apple 's) and hyphenated compounds and "
    "scores (hands - on, 3 - 4) that Sift counts as one word, and keeps initials and abbreviations "
    "(J., a.m.), @handles and /paths whole where Sift counts their punctuation mark as a token"
)
TOKENS_CAUSES = {
    **CAUSES,
    "gopher_alpha_words": TOKENIZATION,
    "gopher_hash_ratio": "token count: spaCy's tokens vs Sift's words plus punctuation marks",
    "gopher_ellipsis_ratio": "token count: spaCy's tokens vs Sift's words plus punctuation marks",
}
TOKENS = "tokens"  # the datatrove-compatible `ratio_denominator`


def quality_rules(params: dict) -> dict[str, list[Rule]]:
    """The document-level rules of the four filters, in order, with each side's comparison.

    Both sides compare the same way except FineWeb's first three rules: Sift drops at <= / >= the
    threshold, as the FineWeb post states them; datatrove's code drops at < / >.
    """
    rep, quality, c4, fineweb = (params[name] for name in QUALITY_FILTERS)

    def above(reason: str, signal: str, limit: float) -> Rule:
        return Rule(reason, signal, limit, ">", ">")

    def below(reason: str, signal: str, limit: float) -> Rule:
        return Rule(reason, signal, limit, "<", "<")

    top = sorted((int(n), f) for n, f in rep["top_ngram_char_frac"].items())
    dup = sorted((int(n), f) for n, f in rep["dup_ngram_char_frac"].items())
    return {
        "gopher_repetition": [
            *(
                above(f"gopher_dup_{part}_{kind}", f"gopher_dup_{part}_{kind}", rep[f"max_dup_{part}_{kind}"])
                for part in ("para", "line")
                for kind in ("frac", "char_frac")
            ),
            *(above(f"gopher_top_{n}_gram", f"gopher_top_{n}_gram_char_frac", f) for n, f in top),
            *(above(f"gopher_dup_{n}_grams", f"gopher_dup_{n}_gram_char_frac", f) for n, f in dup),
        ],
        "gopher_quality": [
            below("gopher_too_few_words", "gopher_n_words", quality["min_words"]),
            above("gopher_too_many_words", "gopher_n_words", quality["max_words"]),
            below("gopher_short_avg_word", "gopher_avg_word_length", quality["min_avg_word_length"]),
            above("gopher_long_avg_word", "gopher_avg_word_length", quality["max_avg_word_length"]),
            above("gopher_hash_ratio", "gopher_hash_ratio", quality["max_symbol_word_ratio"]),
            above("gopher_ellipsis_ratio", "gopher_ellipsis_ratio", quality["max_symbol_word_ratio"]),
            above("gopher_bullet_lines", "gopher_bullet_lines_ratio", quality["max_bullet_lines_ratio"]),
            above(
                "gopher_ellipsis_lines", "gopher_ellipsis_lines_ratio", quality["max_ellipsis_lines_ratio"]
            ),
            below("gopher_alpha_words", "gopher_alpha_words_ratio", quality["min_alpha_words_ratio"]),
            below("gopher_stop_words", "gopher_stop_words", quality["min_stop_words"]),
        ],
        "c4": [below("c4_too_few_sentences", "c4_sentences", c4["min_num_sentences"])],
        "fineweb": [
            Rule(
                "fineweb_line_punct_ratio", "fineweb_line_punct_ratio", fineweb["line_punct_thr"], "<=", "<"
            ),
            Rule(
                "fineweb_short_line_ratio", "fineweb_short_line_ratio", fineweb["short_line_thr"], ">=", ">"
            ),
            Rule(
                "fineweb_char_dup_ratio",
                "fineweb_char_dup_ratio",
                fineweb["char_duplicates_ratio"],
                ">=",
                ">",
            ),
            above("fineweb_list_ratio", "fineweb_list_ratio", fineweb["new_line_ratio"]),
        ],
    }


@dataclass
class FilterComparison:
    name: str  # the Sift filter, or "chain"
    label: str  # how the tables name it
    sift_seconds: float
    datatrove_seconds: float
    agreement: Agreement
    pairs: dict[tuple[str, str], int]
    disagreements: list[dict] = field(default_factory=list)
    rules: list[RuleAgreement] = field(default_factory=list)
    # Documents whose decision the rule table reproduces, per side (checks the table against the filters).
    reproduced: tuple[int, int, int] = (0, 0, 0)  # (Sift, datatrove, documents checked)


@dataclass
class FiltersResult:
    documents: int
    sources: dict[str, int]
    sift_timed: int  # documents per timed Sift run
    datatrove_timed: int
    repeats: int
    datatrove_repeats: int
    per_filter: list[FilterComparison]  # each filter alone, the recipe's settings
    chain: FilterComparison
    # gopher_quality alone and the chain with `ratio_denominator: tokens` (datatrove's reading)
    tokens_quality: FilterComparison
    tokens_chain: FilterComparison
    sift_default_chain_seconds: float
    default_chain_names: list[str]
    recipe_denominator: str  # the recipe's gopher_quality ratio_denominator

    def speed_ratio(self, c: FilterComparison) -> float:
        """Sift's documents per CPU second over datatrove's."""
        return (self.sift_timed / c.sift_seconds) / (self.datatrove_timed / c.datatrove_seconds)

    def alone(self) -> list[FilterComparison]:
        """Every single-filter comparison: the recipe's four, then gopher_quality read per token."""
        return [*self.per_filter, self.tokens_quality]

    def comparisons(self) -> list[FilterComparison]:
        return [*self.alone(), self.chain, self.tokens_chain]


def comparison_documents(extracted: pl.DataFrame, evaldata: Path, cfg: Config) -> pl.DataFrame:
    """The extracted pages and the ScrapingHub gold bodies that the recipe's language filter keeps
    (English at FineWeb's score): what the quality filters see in the chain, and what they are for."""
    pages = extracted.select("id", "text", "url").with_columns(source=pl.lit("bench WARC"))
    truth = json.loads((evaldata / "extraction/scrapinghub-aeb/ground-truth.json").read_text())
    gold = pl.DataFrame(
        {
            "id": [f"scrapinghub-{key}" for key in sorted(truth)],
            "text": [truth[key]["articleBody"] for key in sorted(truth)],
            "url": [truth[key].get("url") for key in sorted(truth)],
        }
    ).with_columns(source=pl.lit("ScrapingHub gold"))
    docs = pl.concat([pages, gold]).filter(pl.col("text").str.strip_chars() != "")
    [(_, _, language)] = load_chain([(s.name, s.params()) for s in cfg.filters if s.name == "language"])
    docs = docs.filter(language(docs).reason.is_null())
    return docs.with_columns(record_index=pl.int_range(pl.len()), source_file=pl.col("source"))


def as_extracted(docs: pl.DataFrame) -> pl.DataFrame:
    return pl.from_arrow(conform(docs.to_arrow(), EXTRACTED))


def batches(docs: pl.DataFrame) -> list[pl.DataFrame]:
    return [docs.slice(start, BATCH) for start in range(0, docs.height, BATCH)]


def chain_of(
    cfg: Config, names: tuple[str, ...] | None = None, ratio_denominator: str | None = None
) -> Chain:
    """The recipe's filters (those in `names`, or all), gopher_quality's denominator set if given."""
    specs = [(n, p) for n, p in filter_specs(cfg) if names is None or n in names]
    if ratio_denominator is not None:
        specs = [
            (n, {**p, "ratio_denominator": ratio_denominator} if n == "gopher_quality" else p)
            for n, p in specs
        ]
    return load_chain(specs)


def sift_alone(docs: pl.DataFrame, chain: Chain) -> dict[str, dict]:
    """Each filter's verdict on every document: reasons, and every signal it measured."""
    out = {}
    for name, _params, judge in chain:
        verdict = judge(docs)
        out[name] = {
            "reasons": verdict.reason.to_list(),
            "signals": {k: v.to_list() for k, v in verdict.signals.items()},
        }
    return out


def sift_chain_reasons(docs: pl.DataFrame, chain: Chain) -> list[str | None]:
    """The reason each document is dropped by the chain (the first filter that drops it), or None."""
    ledger = pl.from_arrow(apply_filters(docs, chain, "").ledger).select("id", "reason")
    dropped = dict(zip(ledger["id"].to_list(), ledger["reason"].to_list(), strict=True))
    return [dropped.get(doc_id) for doc_id in docs["id"].to_list()]


def rule_values(verdicts: dict, rules: list[Rule]) -> list[dict]:
    """Per document, the Sift signals the rules read; a document C4 drops for lorem ipsum or a curly
    bracket has no sentence count (neither side counts its sentences)."""
    names = {rule.signal for rule in rules}
    columns = {name: verdicts["signals"][name] for name in names}
    values = [{name: column[i] for name, column in columns.items()} for i in range(len(verdicts["reasons"]))]
    for doc, reason in zip(values, verdicts["reasons"], strict=True):
        if reason in ("c4_lorem_ipsum", "c4_curly_bracket"):
            doc["c4_sentences"] = None
    return values


def reproduced(
    rules: list[Rule], sift: list[str | None], datatrove: list[str | None], sift_values: list, dt_values: list
) -> tuple[int, int, int]:
    """How many decisions the rule table gives exactly as each filter did (over rule-decided documents)."""
    known = {rule.reason for rule in rules}
    ours, theirs = first_failures(rules, sift_values, "sift"), first_failures(rules, dt_values, "datatrove")
    checked = [
        i
        for i in range(len(sift))
        if (sift[i] is None or sift[i] in known)
        and (datatrove[i] is None or as_sift_reason(datatrove[i]) in known)
    ]
    return (
        sum(ours[i] == sift[i] for i in checked),
        sum(theirs[i] == as_sift_reason(datatrove[i]) for i in checked),
        len(checked),
    )


def listed(
    docs: pl.DataFrame,
    indexes: list[int],
    sift: list[str | None],
    datatrove: list[str | None],
    sift_signals: dict[str, list],
    datatrove_measures: list[dict],
    causes: dict[str, str],
) -> list[dict]:
    rows = []
    for i in indexes:
        rule = sift[i] or as_sift_reason(datatrove[i])
        signal = SIGNAL_OF.get(rule)
        rows.append(
            {
                "id": docs["id"][i],
                "url": docs["url"][i],
                "source": docs["source"][i],
                "sift": sift[i] or "keep",
                "datatrove": as_sift_reason(datatrove[i]) or "keep",
                "signal": signal,
                "sift_value": sift_signals.get(signal, [None] * docs.height)[i] if signal else None,
                "datatrove_value": datatrove_measures[i].get(signal) if signal else None,
                "cause": causes.get(rule, "unexplained"),
            }
        )
    return rows


def compare_alone(
    docs: pl.DataFrame,
    entry: tuple,
    label: str,
    theirs: dict,
    rules: list[Rule],
    seconds: float,
    causes: dict[str, str],
) -> FilterComparison:
    """One Sift filter against its datatrove counterpart, each alone over every document."""
    name = entry[0]
    ours = sift_alone(as_extracted(docs), [entry])[name]
    sift_values = rule_values(ours, rules)
    sift_reasons, dt_reasons = ours["reasons"], theirs["filters"][name]["reasons"]
    return FilterComparison(
        name=name,
        label=label,
        sift_seconds=seconds,
        datatrove_seconds=theirs["filters"][name]["cpu_seconds"],
        agreement=compare(sift_reasons, dt_reasons),
        pairs=dict(rule_pairs(sift_reasons, dt_reasons)),
        disagreements=listed(
            docs,
            disagreeing(sift_reasons, dt_reasons),
            sift_reasons,
            dt_reasons,
            ours["signals"],
            theirs["measures"],
            causes,
        ),
        rules=per_rule(rules, sift_values, theirs["measures"]),
        reproduced=reproduced(rules, sift_reasons, dt_reasons, sift_values, theirs["measures"]),
    )


def compare_chain(
    docs: pl.DataFrame, chain: Chain, label: str, theirs: dict, seconds: float
) -> FilterComparison:
    chain_sift = sift_chain_reasons(as_extracted(docs), chain)
    chain_dt = [None if d is None else d[1] for d in theirs["chain"]["dropped"]]
    return FilterComparison(
        name="chain",
        label=label,
        sift_seconds=seconds,
        datatrove_seconds=theirs["chain"]["cpu_seconds"],
        agreement=compare(chain_sift, chain_dt),
        pairs=dict(rule_pairs(chain_sift, chain_dt)),
    )


def run(
    docs: pl.DataFrame,
    cfg: Config,
    datatrove_python: Path,
    log_dir: Path,
    copies: int,
    repeats: int,
    datatrove_copies: int,
    datatrove_repeats: int,
) -> FiltersResult:
    extracted = as_extracted(docs)
    timed = batches(pl.concat([extracted] * copies))
    four = chain_of(cfg, QUALITY_FILTERS)
    four_tokens = chain_of(cfg, QUALITY_FILTERS, TOKENS)
    default = chain_of(cfg)
    apply_filters(extracted.head(4), default, "")  # loads the language model: not timed

    def cpu_seconds(chain: Chain) -> float:
        return best_cpu_seconds(lambda: [apply_filters(b, chain, "") for b in timed], repeats)

    params = datatrove_params(cfg)["filters"]
    docs_file = log_dir / "filter-documents.jsonl"
    docs_file.write_text(
        "\n".join(json.dumps({"id": i, "text": t}) for i, t in zip(docs["id"], docs["text"], strict=True))
    )
    theirs = run_side(
        datatrove_python,
        [
            "filters",
            "--docs",
            str(docs_file),
            "--copies",
            str(datatrove_copies),
            "--repeats",
            str(datatrove_repeats),
        ],
        params,
        log_dir / "datatrove-filters.log",
    )
    rules = quality_rules(params)
    per_filter = [
        compare_alone(docs, entry, entry[0], theirs, rules[entry[0]], cpu_seconds([entry]), CAUSES)
        for entry in four
    ]
    [quality_tokens] = [entry for entry in four_tokens if entry[0] == "gopher_quality"]
    tokens_quality = compare_alone(
        docs,
        quality_tokens,
        f"gopher_quality, ratio_denominator: {TOKENS}",
        theirs,
        rules["gopher_quality"],
        cpu_seconds([quality_tokens]),
        TOKENS_CAUSES,
    )
    chain = compare_chain(docs, four, "the four, chained (recipe order)", theirs, cpu_seconds(four))
    tokens_chain = compare_chain(
        docs, four_tokens, f"the four, chained, ratio_denominator: {TOKENS}", theirs, cpu_seconds(four_tokens)
    )
    return FiltersResult(
        documents=docs.height,
        sources=dict(docs.group_by("source").len().iter_rows()),
        sift_timed=docs.height * copies,
        datatrove_timed=docs.height * datatrove_copies,
        repeats=repeats,
        datatrove_repeats=datatrove_repeats,
        per_filter=per_filter,
        chain=chain,
        tokens_quality=tokens_quality,
        tokens_chain=tokens_chain,
        sift_default_chain_seconds=cpu_seconds(default),
        default_chain_names=[name for name, _, _ in default],
        recipe_denominator=next(p.denominator() for n, p, _ in four if n == "gopher_quality"),
    )


def fmt(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.3f}"


def section(result: FiltersResult, datatrove_version: str) -> str:
    ns, nd = result.sift_timed, result.datatrove_timed
    sources = ", ".join(f"{count} {source}" for source, count in sorted(result.sources.items()))
    lines = [
        "### Quality filters: Sift vs datatrove",
        "",
        f"{result.documents} English documents ({sources}). Speed: one process, CPU seconds; Sift over "
        f"{ns:,} documents (the set repeated, in batches of {BATCH:,} as the filter stage reads a shard), "
        f"best of {result.repeats}; datatrove {datatrove_version} (spaCy's blank English tokenizer) over "
        f"{nd:,}, best of {result.datatrove_repeats}; both with the recipe's thresholds. Agreement: share "
        "of documents both keep or both drop (whatever the rule); *same rule* counts documents both drop "
        "for the same rule.",
        "",
        "gopher_quality and the chain are compared twice: with the recipe's settings (`ratio_denominator: "
        f"{result.recipe_denominator}`) and with `ratio_denominator: {TOKENS}`. `words` (the default) "
        "divides the alphabetic-words, `#` and ellipsis ratios by words, as the Gopher paper states the "
        "rule; `tokens` divides them by every token, punctuation included, as datatrove (and FineWeb) do. "
        "Per token, ordinary news articles fall under 0.8 alphabetic tokens (the list at the end); with "
        "`tokens` what is left is tokenization and the other rule differences of the per-rule table.",
        "",
        "| filters | Sift CPU s | datatrove CPU s | Sift docs/s | datatrove docs/s | speed ratio "
        "| agreement | both keep | both drop, same rule | both drop, other rule | only Sift drops "
        "| only datatrove drops |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for c in result.comparisons():
        a = c.agreement
        lines.append(
            f"| {c.label} | {c.sift_seconds:.2f} | {c.datatrove_seconds:.2f} | {ns / c.sift_seconds:,.0f} | "
            f"{nd / c.datatrove_seconds:,.0f} | {result.speed_ratio(c):.1f}x | {a.rate:.1%} | "
            f"{a.both_kept} | {a.both_dropped_same_rule} | {a.both_dropped_other_rule} | "
            f"{a.only_sift_dropped} | {a.only_datatrove_dropped} |"
        )
    default = result.sift_default_chain_seconds
    lines += [
        "",
        f"Sift's whole default chain ({', '.join(result.default_chain_names)}) over the same {ns:,} "
        f"documents: {default:.2f} CPU s ({ns / default:,.0f} docs/s), "
        f"{(ns / default) / (nd / result.chain.datatrove_seconds):.1f}x the docs/s of datatrove's four "
        "filters alone.",
        "",
        "Decisions that differ, by rule (Sift's decision, datatrove's, in Sift's rule names):",
        "",
        "| filters | Sift | datatrove | documents |",
        "|---|---|---|---:|",
    ]
    for c in result.comparisons():
        for (ours, theirs), count in sorted(c.pairs.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"| {c.label} | {ours} | {theirs} | {count} |")
    lines += [
        "",
        "Per rule: each rule judged on its own over every document, from Sift's signals and the values "
        "datatrove's code compares (computed with its own tokenizer and helpers). The rule table reproduces "
        "the filters' own decisions on "
        + ", ".join(
            f"{c.label} {c.reproduced[0]}/{c.reproduced[2]} (Sift) and {c.reproduced[1]}/{c.reproduced[2]} "
            "(datatrove)"
            for c in result.alone()
        )
        + " documents.",
        "",
        "| filter | rule | drops when | Sift drops | datatrove drops | both | agreement | why they differ |",
        "|---|---|---|---:|---:|---:|---:|---|",
    ]
    for c in result.alone():
        causes = TOKENS_CAUSES if c is result.tokens_quality else CAUSES
        for r in c.rules:
            rule = r.rule
            when = f"{rule.signal} {rule.sift_drops} {rule.limit:g}"
            if rule.datatrove_drops != rule.sift_drops:
                when += f" (datatrove: {rule.datatrove_drops})"
            differs = r.sift_drops != r.both_drop or r.datatrove_drops != r.both_drop
            lines.append(
                f"| {c.label} | {rule.reason} | {when} | {r.sift_drops} | {r.datatrove_drops} | "
                f"{r.both_drop} | {r.rate:.1%} | {causes.get(rule.reason, '') if differs else ''} |"
            )
    lines += [
        "",
        "Every document one side keeps and the other drops (each filter alone), with the measured value of "
        "the rule on both sides:",
        "",
        "| filter | document | Sift | datatrove | signal | Sift value | datatrove value | why |",
        "|---|---|---|---|---|---:|---:|---|",
    ]
    for c in result.alone():
        for d in c.disagreements:
            where = d["url"] or d["id"]
            lines.append(
                f"| {c.label} | {where} | {d['sift']} | {d['datatrove']} | {d['signal'] or '-'} | "
                f"{fmt(d['sift_value'])} | {fmt(d['datatrove_value'])} | {d['cause']} |"
            )
    return "\n".join(lines)
