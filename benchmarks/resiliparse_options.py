"""Which `extract.resiliparse` options to default to: token F1 of each choice on two labelled sets.

Every option of resiliparse's `extract_plain_text` the recipe exposes is flipped, one at a time, from
a base of `main_content: true` with resiliparse's own defaults for the rest, and scored on the
ScrapingHub article pages and on the WCXB dev split (news, forums, products, documentation, ...)
with the token F1 of `extraction_quality.py`. The rule: a flip is taken if it raises F1 on both
sets; then each option left is flipped once more on top of those, under the same rule. Pages are
decoded as the extract stage decodes them and run through the function the stage runs
(`pipeline.extraction.by_resiliparse`).

    python benchmarks/resiliparse_options.py [--evaldata ../shared/evaldata] [--write]
"""

from __future__ import annotations

import argparse
import resource
from importlib.metadata import version
from inspect import signature
from pathlib import Path
from typing import Any

from evaldata import EVALDATA
from extraction_quality import load_pages, load_wcxb, mean_scores
from resiliparse.extract.html2text import extract_plain_text
from results_file import write_section

from pipeline.config import ExtractConfig, ResiliparseConfig
from pipeline.extraction.by_resiliparse import extract_text

# resiliparse's own defaults (its signature's; `...` for preserve_formatting means on), with
# main-content extraction on (the point of using it here).
DEFAULTS = {name: p.default for name, p in signature(extract_plain_text).parameters.items() if name != "html"}
BASE = {**DEFAULTS, "preserve_formatting": True, "main_content": True, "skip_elements": []}
FLIPS = ("main_content", "preserve_formatting", "list_bullets", "alt_texts", "links", "form_fields")
FLIPS += ("noscript", "comments", "post_meta", "hidden_elements")


def flipped(settings: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in settings.items() if value != BASE[name]}


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def score(pages: list[tuple[str, str, str]], settings: dict[str, Any]) -> tuple[float, float]:
    """(mean F1, CPU ms per page) of resiliparse with `settings` on `pages`."""
    options = ExtractConfig(extractor="resiliparse", resiliparse=settings).model_dump()
    started = cpu_seconds()
    texts = [extract_text(html, url, options)[0] for url, html, _ in pages]
    spent = cpu_seconds() - started
    f1 = mean_scores([(gold, text) for (_, _, gold), text in zip(pages, texts, strict=True)])["f1"]
    return f1, 1000 * spent / len(pages)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = parser.parse_args()
    sets = {"ScrapingHub": load_pages(args.evaldata), "WCXB dev": load_wcxb(args.evaldata)}
    rows: list[str] = []

    def measure(label: str, settings: dict[str, Any]) -> list[float]:
        results = {name: score(pages, settings) for name, pages in sets.items()}
        f1s = [f1 for f1, _ in results.values()]
        ms = sum(ms * len(sets[name]) for name, (_, ms) in results.items()) / sum(map(len, sets.values()))
        cells = " | ".join(f"{f1:.4f}" for f1 in f1s)
        rows.append(f"| {label} | {cells} | {sum(f1s) / len(f1s):.4f} | {ms:.1f} |")
        print(rows[-1], flush=True)
        return f1s

    def better(f1s: list[float], than: list[float]) -> bool:
        return all(new > old for new, old in zip(f1s, than, strict=True))

    base_f1 = measure("base: main_content, resiliparse's defaults", BASE)
    picked = dict(BASE)
    for name in FLIPS:
        if better(measure(f"{name}: {not BASE[name]}", {**BASE, name: not BASE[name]}), base_f1):
            picked[name] = not BASE[name]
    picked_f1 = measure(f"picked flips together: {flipped(picked)}", picked)
    for name in FLIPS:
        if picked[name] == BASE[name]:
            settings = {**picked, name: not picked[name]}
            if better(measure(f"picked + {name}: {not picked[name]}", settings), picked_f1):
                picked[name] = not picked[name]
    chosen = ResiliparseConfig().model_dump()
    if chosen != picked:
        measure("Sift's defaults (`extract.resiliparse`)", chosen)
    lines = [
        "## resiliparse options (token F1 per choice)",
        "",
        f"resiliparse {version('resiliparse')}, `extract_plain_text` on the decoded page, as the extract "
        f"stage runs it; ScrapingHub: {len(sets['ScrapingHub'])} article pages, gold `articleBody`; WCXB "
        f"dev: {len(sets['WCXB dev'])} pages of seven kinds, gold `main_content`. Token F1 as in "
        "*Extraction quality*. Each row flips one option of the base; CPU ms per page over both sets.",
        "",
        "| options | ScrapingHub F1 | WCXB dev F1 | mean | CPU ms/page |",
        "|---|---|---|---|---|",
        *rows,
        "",
        f"The rule picks: `{flipped(picked)}` on top of the base. Sift's defaults (`extract.resiliparse`) "
        f"differ from the base in `{flipped(chosen)}`"
        + (", as picked." if chosen == picked else ", NOT as picked: update pipeline/config.py."),
        "Reproduce: `python benchmarks/resiliparse_options.py --write`.",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("resiliparse_options", report)


if __name__ == "__main__":
    main()
