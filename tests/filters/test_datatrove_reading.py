"""`reading: datatrove`: the quality filters read words, lines and sentences as datatrove 0.10.1 does."""

import polars as pl
import pytest
import spacy

from pipeline.config import ConfigError
from pipeline.filters import datatrove_reading
from pipeline.filters.datatrove_reading import python_splitlines, spacy_words
from tests.conftest import make_config
from tests.filters.texts import judge

DATATROVE = {"reading": "datatrove"}


@pytest.fixture(scope="module")
def nlp():
    return spacy.blank("en")


def spacy_tokens(nlp, text: str) -> list[str]:
    return [token.text.strip() for token in nlp(text) if token.text.strip()]


def test_lines_are_cut_where_python_splitlines_cuts():
    texts = [
        "a\r\nb\rc\nd",
        "x\x0by\x0cz\x85w\u2028v\u2029u",
        "ends with a break\n",
        "",
        "\n\n",
        "a\x1cb\x1dc\x1ed",
    ]
    got = pl.DataFrame({"t": texts}).select(python_splitlines(pl.col("t")))["t"].to_list()
    assert got == [text.splitlines() for text in texts]


def test_words_are_spacys_tokens_stripped_of_whitespace(texts, nlp):
    documents = [*texts.all_extracted(), "Don't stop — it's 3-4 p.m. at e-tron.com!\n\n  Next:  (U.S.)"]
    assert spacy_words(pl.Series(documents)).to_list() == [spacy_tokens(nlp, d) for d in documents]


def test_alphabetic_ratio_divides_by_spacy_tokens(texts, nlp):
    # The article full of figures and punctuation that the paper's per-word reading keeps.
    article = texts["retail-earnings"].text
    tokens = spacy_tokens(nlp, article)
    verdict = judge("gopher_quality", [article], **DATATROVE)
    with_letter = sum(any(c.isalpha() for c in token) for token in tokens)
    assert verdict.signals["gopher_alpha_words_ratio"][0] == pytest.approx(with_letter / len(tokens))
    assert verdict.reason[0] == "gopher_alpha_words"
    assert judge("gopher_quality", [article]).reason[0] is None


def test_stop_words_match_case_sensitively():
    # Its only stop words start sentences: "The", "And", "With". The paper's rule ignores case.
    sentence = (
        "The river rose quickly over several long nights in early spring while rain kept falling. "
        "And farmers moved their cattle uphill before dawn on each morning during those weeks. "
        "With small boats their neighbours helped carry heavy grain sacks across flooded fields. "
    )
    text = sentence * 3
    assert judge("gopher_quality", [text]).reason[0] is None
    verdict = judge("gopher_quality", [text], **DATATROVE)
    assert verdict.reason[0] == "gopher_stop_words" and verdict.value[0] == 0


def test_lines_of_spaces_are_repeated_lines():
    paragraphs = [
        "Fishing boats left the harbour before sunrise, as they had for generations.",
        "By noon the market square filled with traders selling bread, cheese and rope.",
        "A storm in October flooded the lower streets for nearly a week.",
        "Children learned to swim in the cold bay each summer.",
        "The old lighthouse keeper wrote a diary that the museum now displays.",
        "Tourists discovered the town only after the railway arrived in 1902.",
    ]
    text = "\n \n".join(paragraphs)
    assert judge("gopher_repetition", [text]).reason[0] is None
    verdict = judge("gopher_repetition", [text], **DATATROVE)
    assert verdict.reason[0] == "gopher_dup_line_frac"
    assert verdict.value[0] == pytest.approx(4 / 11)  # 11 lines; the 2nd to 5th " " lines repeat the 1st


def greedy_repeats(tokens: list[str], n: int) -> int:
    """The characters datatrove's repeated n-gram rule counts: scan left to right; an n-gram (joined
    without spaces) seen at an earlier visited position adds its characters, and the scan jumps n."""
    seen, repeated, i = set(), 0, 0
    while i < len(tokens) - n + 1:
        gram = "".join(tokens[i : i + n])
        if gram in seen:
            repeated += len(gram)
            i += n
        else:
            seen.add(gram)
            i += 1
    return repeated


def test_repeated_ngrams_are_counted_greedily(texts, nlp):
    documents = [*texts.all_extracted(), "a b c d e a b c d e a b c d e f", "one two"]
    verdict = judge("gopher_repetition", documents, **DATATROVE)
    for n in (5, 7, 10):
        got = verdict.signals[f"gopher_dup_{n}_gram_char_frac"] * pl.Series(
            [max(len(d), 1) for d in documents]
        )
        expected = [greedy_repeats(spacy_tokens(nlp, d), n) for d in documents]
        assert got.round(6).to_list() == pytest.approx(expected), n


def test_single_line_ending_in_a_closing_quote_has_no_terminal_punctuation():
    # FineWeb's end marks include '"'; datatrove's default TERMINAL_PUNCTUATION does not.
    text = 'The mayor said the bridge would reopen in spring, and added: "We will not wait any longer."'
    assert judge("fineweb", [text]).reason[0] is None
    assert judge("fineweb", [text], **DATATROVE).reason[0] == "fineweb_line_punct_ratio"
    # A recipe's own end marks still count.
    assert judge("fineweb", [text], reading="datatrove", stop_chars=['"']).reason[0] is None


def test_c4_counts_sentences_with_spacys_sentencizer():
    lines = [
        "Dr. Smith met Mr. Jones at 5 p.m. on Friday. They talked about the U.S. election results.",
        "The committee approved the plan! Work starts next week? Nobody knows yet.",
        "Visitors arrived early. The doors opened at nine. Tea was served in the hall.",
    ]
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    expected = sum(len(list(nlp(line).sents)) for line in lines)
    verdict = judge("c4", ["\r\n".join(lines)], **DATATROVE)
    assert verdict.signals["c4_sentences"][0] == expected


def test_unknown_reading_fails_naming_the_key(tmp_path):
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, ["data/sample"], filters=[{"name": "fineweb", "reading": "fast"}])
    assert "filters.0.reading" in str(err.value) and "'sift' or 'datatrove'" in str(err.value)


def test_datatrove_reading_without_spacy_fails_at_load(tmp_path, monkeypatch):
    monkeypatch.setattr(datatrove_reading, "find_spec", lambda name: None)  # spaCy absent
    with pytest.raises(ConfigError) as err:
        make_config(tmp_path, ["data/sample"], filters=[{"name": "gopher_quality", "reading": "datatrove"}])
    assert "filters.0.reading" in str(err.value) and "sift-corpus[datatrove-reading]" in str(err.value)
