import polars as pl

from pipeline.filters.text import join_kept_lines, line_table, token_count, tokens, words


def split(text: str, how=tokens) -> list[str]:
    return pl.select(how(pl.lit(text)))[0, 0].to_list()


def test_words_keep_inner_apostrophes_decimals_and_hyphens():
    assert split("Spain’s GDP grew 2.8% in e-tron sales.", words) == [
        "Spain’s", "GDP", "grew", "2.8", "in", "e-tron", "sales",
    ]  # fmt: skip


def test_tokens_add_punctuation_runs_as_tokens():
    assert split("Wait... what?!", tokens) == ["Wait", "...", "what", "?!"]


def test_token_count_counts_each_punctuation_mark_but_an_ellipsis_once():
    # Runs: “ Wait ...”, she said -- what ?! (8). Marks: “ Wait ... ” , she said - - what ? ! (12).
    text = "“Wait...”, she said -- what?!"
    assert len(split(text, tokens)) == 8
    assert pl.select(token_count(pl.lit(text))).item() == 12


def test_words_are_exactly_the_tokens_holding_a_word_character():
    text = "“Russia, working together with North Korea... is not only threatening Europe,” he said."
    assert split(text, words) == [t for t in split(text, tokens) if any(c.isalnum() for c in t)]


def test_line_table_round_trips_and_keeps_empty_documents():
    texts = pl.Series(["a\nb\n\nc", "", "single"])
    lines = line_table(texts).with_columns(keep=pl.lit(True))
    assert join_kept_lines(lines, "keep", 3).to_list() == texts.to_list()
