import re

import polars as pl

from pipeline.filters.c4 import C4_POLICY_SUBSTRINGS, SENTENCE_BOUNDARY
from tests.filters.texts import judge
from tests.inputs import seed_lines

FINEWEB = {"filter_no_terminal_punct": False}


def reference(text: str, terminal_punct: bool = True) -> tuple[str | None, str]:
    """C4's clean_page written out line by line (datatrove's order), with Sift's sentence counter."""
    sentences, kept = 0, []
    for raw in text.splitlines():
        line = raw.strip()
        words = line.split()
        if any(len(w) > 1000 for w in words):
            continue
        line = re.sub(r"\[\d*\]|\[edit\]|\[citation needed\]", "", line)
        if terminal_punct and (not line.endswith((".", "?", "!", '"', "'")) or line.endswith("...")):
            continue
        if len(words) < 3:
            continue
        lowered = line.lower()
        if "lorem ipsum" in lowered:
            return "c4_lorem_ipsum", ""
        if "javascript" in lowered:
            continue
        if "{" in line:
            return "c4_curly_bracket", ""
        if any(p in lowered for p in C4_POLICY_SUBSTRINGS):
            continue
        sentences += pl.select(pl.lit(line).str.count_matches(SENTENCE_BOUNDARY)).item() + 1
        kept.append(line)
    return ("c4_too_few_sentences" if sentences < 5 else None), "\n".join(kept).strip()


def test_vectorized_rules_equal_the_line_by_line_definition(texts):
    documents = [*texts.all_extracted(), *texts.gold_articles, "\n".join(seed_lines())]
    for terminal_punct in (True, False):
        verdict = judge("c4", documents, filter_no_terminal_punct=terminal_punct)
        for i, text in enumerate(documents):
            reason, cleaned = reference(text, terminal_punct)
            assert verdict.reason[i] == reason
            if reason is None:
                assert verdict.text[i] == cleaned


def test_real_article_keeps_its_sentences_and_loses_its_headline():
    article = "\n".join(seed_lines()[:9])
    verdict = judge("c4", ["NATO chief urges allies\n" + article])
    assert verdict.reason[0] is None
    assert "NATO chief urges allies\n" not in verdict.text[0]  # no terminal punctuation
    assert verdict.text[0].endswith("without any time limit,” Macron said.")


def test_short_post_fails_min_sentences(texts):
    verdict = judge("c4", [texts["open-thread"].text])
    assert verdict.reason[0] == "c4_too_few_sentences"
    assert verdict.value[0] < 5 and verdict.threshold[0] == ">= 5 sentences"


def test_lorem_ipsum_and_curly_bracket_drop_the_document(texts):
    article = texts.gold_articles[2]
    lorem = judge("c4", [article + "\nLorem ipsum dolor sit amet, consectetur adipiscing elit."])
    code = judge("c4", [article + "\nThe config reads { debug: true } at startup."])
    assert lorem.reason[0] == "c4_lorem_ipsum" and code.reason[0] == "c4_curly_bracket"


def test_javascript_and_policy_lines_are_removed_not_the_document(texts):
    article = texts.gold_articles[2]
    text = article + "\nPlease enable JavaScript to view the comments.\nThis site uses cookies to improve it."
    verdict = judge("c4", [text], **FINEWEB)
    assert verdict.reason[0] is None
    assert "JavaScript" not in verdict.text[0] and "cookies" not in verdict.text[0]
    assert verdict.signals["c4_lines_javascript"][0] == 1 and verdict.signals["c4_lines_policy"][0] == 1


def test_citation_markers_are_cut(texts):
    release = texts["partnership-release"]
    verdict = judge("c4", [release.text], **FINEWEB)
    assert verdict.signals["c4_citations"][0] >= 1 and release.facts["cited"] in release.text
    assert release.facts["cited"] not in verdict.text[0] and release.facts["kept"] in verdict.text[0]


def test_fineweb_setting_keeps_lines_without_terminal_punctuation():
    article = "\n".join(seed_lines()[:9])
    verdict = judge("c4", ["NATO chief urges allies to do more for Ukraine\n" + article], **FINEWEB)
    assert verdict.text[0].startswith("NATO chief urges allies to do more for Ukraine\n")
