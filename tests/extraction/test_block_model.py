"""The block model: how a page is cut into blocks, how its judgements change trafilatura's text,
and the recipe keys that turn it on and tune it. Pages are our own."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError
from trafilatura.utils import load_html

from pipeline.config import ExtractConfig
from pipeline.extraction import block_model, blocks, by_trafilatura, extractor_name
from pipeline.extraction.block_features import block_features
from pipeline.extraction.block_features import words as block_features_words
from pipeline.extraction.blocks import BIT, page_blocks
from tests.conftest import REPO, make_config

FORUM_REPLY = (
    "<html><body><nav class='main-menu'><ul><li><a href='/'>Home</a></li><li><a href='/f'>Forums</a></li>"
    "</ul></nav><div class='thread'><div class='post'><p>My kiln shelf cracked on the third firing, right "
    "along the middle. Is it the bisque load or the cooling?</p></div><div class='post'><button>Like"
    "<div class='message-body'><p>Cracks straight across a shelf are nearly always thermal shock: the edge "
    "cools faster than the centre. Leave the lid shut until it reads under a hundred degrees.</p></div>"
    "</div></div><footer><p>All rights reserved.</p></footer><script>var tracking = 1;</script>"
    "<noscript><p>Turn on scripts for replies to load as you read.</p></noscript></body></html>"
)


def blocks_of(html: str):
    return page_blocks(load_html(html))


def test_blocks_follow_the_page_and_carry_their_marks():
    blocks = blocks_of(FORUM_REPLY)
    texts = [b.text for b in blocks]
    assert texts[:2] == ["Home", "Forums"]
    assert not any("tracking" in t for t in texts)  # scripts never show
    home = blocks[0]
    assert home.mask & BIT["nav"] and home.mask & BIT["navigation"] and home.mask & BIT["a"]
    assert home.link_chars == home.chars
    footer = next(b for b in blocks if b.text == "All rights reserved.")
    assert footer.mask & BIT["footer"]


def test_text_inside_an_unclosed_button_or_noscript_is_still_read():
    """A page that never closes a <button> puts the rest of its text inside it; forum software
    renders its crawler view in <noscript>. Both stay in the blocks, marked."""
    blocks = blocks_of(FORUM_REPLY)
    reply = next(b for b in blocks if b.text.startswith("Cracks straight across"))
    assert reply.mask & BIT["button"] and reply.mask & BIT["forum"] is not None
    script_note = next(b for b in blocks if b.text.startswith("Turn on scripts"))
    assert script_note.mask & BIT["noscript"]


def test_features_are_one_row_per_block_and_the_same_every_time():
    blocks = blocks_of(FORUM_REPLY)
    rows = block_features(blocks, ["My kiln shelf cracked on the third firing", ""])
    assert rows.shape[0] == len(blocks)
    assert np.array_equal(
        rows, block_features(blocks_of(FORUM_REPLY), ["My kiln shelf cracked on the third firing", ""])
    )
    assert np.isfinite(rows).all()


def blocks_from(texts: list[str]):
    return blocks_of("<html><body>" + "".join(f"<p>{t}</p>" for t in texts) + "</body></html>")


def test_a_block_trafilatura_left_out_comes_back_in_its_place_once():
    blocks = blocks_from(
        ["First paragraph here.", "A recovered reply.", "Second paragraph here.", "A recovered reply."]
    )
    text = "First paragraph here.\nSecond paragraph here."
    held = np.array([1.0, 0.0, 1.0, 0.0])  # trafilatura's text holds the paragraphs, not the reply
    merged = block_model.merge(text, blocks, np.array([0.9, 0.85, 0.9, 0.85]), held, add=0.8, remove=0.2)
    assert merged == "First paragraph here.\nA recovered reply.\nSecond paragraph here."
    unsure = block_model.merge(text, blocks, np.array([0.9, 0.6, 0.9, 0.6]), held, add=0.8, remove=0.2)
    assert unsure == text


def test_a_line_goes_only_when_every_block_matched_to_it_scores_low():
    blocks = blocks_from(["Share this story", "The story itself, told at length."])
    text = "Share this story\nThe story itself, told at length.\nA line no block matches."
    held = np.array([1.0, 1.0])
    merged = block_model.merge(text, blocks, np.array([0.1, 0.95]), held, add=0.8, remove=0.2)
    assert merged == "The story itself, told at length.\nA line no block matches."
    kept = block_model.merge(text, blocks, np.array([0.25, 0.95]), held, add=0.8, remove=0.2)
    assert kept == text


def test_a_short_block_does_not_vouch_for_a_long_line_that_uses_its_word():
    blocks = blocks_from(["Share", "Unrelated block of text somewhere else on the page."])
    assert block_model.lines_holding("share", ["we share the bread and the long walk home afterwards"]) == []
    assert block_model.lines_holding("share", ["share"]) == [0]
    assert len(blocks) == 2


def test_the_model_is_the_shipped_file_and_names_itself():
    version = block_model.model_version()
    assert len(version) == 8
    on = ExtractConfig().model_dump()
    assert extractor_name(on).endswith(f"+ block model {version}")
    assert "block model" not in extractor_name(ExtractConfig(block_model=False).model_dump())


def test_a_resumed_extract_stage_knows_which_model_wrote_its_shards(tmp_path, monkeypatch):
    """The model file is not part of the recipe, so the stage's run key names it: a resume after the
    file changed must start over, not mix shards of two models."""
    from pipeline.stages import extract

    cfg = make_config(tmp_path, ["x.warc.gz"])
    key = extract.run_key(cfg)
    assert block_model.model_version() in key["extractor"]
    monkeypatch.setattr(block_model, "model_version", lambda: "0badf00d")
    assert extract.run_key(cfg) != key


def test_with_the_block_model_a_thread_keeps_its_posts_and_not_its_menu():
    on = ExtractConfig().model_dump()
    text, _ = by_trafilatura.extract_text(FORUM_REPLY, "https://kilns.example/t/1", on)
    again, _ = by_trafilatura.extract_text(FORUM_REPLY, "https://kilns.example/t/1", on)
    assert text == again
    assert "third firing" in text and "thermal shock" in text
    assert "Forums" not in text and "All rights reserved" not in text


def test_it_is_on_with_trafilatura_and_off_with_resiliparse():
    assert ExtractConfig().block_model is True
    assert ExtractConfig(extractor="resiliparse").block_model is False
    assert ExtractConfig(extractor="resiliparse", block_model=True).block_model is False
    assert ExtractConfig(block_model=False).block_model is False


@pytest.mark.parametrize(
    "key",
    [
        "block_model_agree",
        "block_model_add",
        "block_model_remove",
        "block_model_keep_held",
        "block_model_keep_other",
    ],
)
def test_thresholds_are_probabilities(key):
    with pytest.raises(ValidationError, match=key):
        ExtractConfig(**{key: 1.5})


def test_turning_it_off_or_moving_a_threshold_is_a_new_version(tmp_path):
    def fingerprint(**extract) -> str:
        return make_config(
            tmp_path, ["x.warc.gz"], overrides=[f"extract.{k}={v}" for k, v in extract.items()]
        ).fingerprint()

    base = fingerprint()
    assert fingerprint(block_model="false") != base
    assert fingerprint(block_model_add=0.9) != base
    assert fingerprint(block_model_agree=0.5) != base
    assert fingerprint(block_model_keep_other=0.9) != base
    assert fingerprint(block_model="true") == base


def test_siblings_share_a_parent_number_and_only_they_do():
    """Parents are numbered in document order; a number is never reused for another element (an
    id() of lxml's element proxies can be, once the first is gone: features would then depend on
    memory layout)."""
    groups = "".join(f"<div><p>Group {i} first.</p><p>Group {i} second.</p></div>" for i in range(60))
    blocks = blocks_of(f"<html><body>{groups}</body></html>")
    parents = [b.parent for b in blocks]
    assert parents[0::2] == parents[1::2]
    assert len(set(parents)) == 60


def test_the_numpy_trees_give_what_lightgbm_gives():
    """Sift runs the shipped model in numpy; LightGBM, which trained it, must agree on every row."""
    lightgbm = pytest.importorskip("lightgbm", reason="LightGBM is in the test and train extras")
    booster = lightgbm.Booster(model_str=block_model.model_text())
    pages = [FORUM_REPLY, (REPO / "tests" / "data" / "page-types" / "listing.html").read_text()]
    for page in pages:
        blocks = blocks_of(page)
        rows = block_features(blocks, [" ".join(b.text for b in blocks[::2]), blocks[0].text])
        assert np.allclose(block_model.trees().predict(rows), booster.predict(rows), rtol=0, atol=1e-12)


def test_trees_that_are_one_leaf_are_read_too():
    model = (
        "tree\nversion=v4\n\nTree=0\nnum_leaves=1\nleaf_value=0.5\n\nTree=1\nnum_leaves=2\n"
        "split_feature=0\nthreshold=1.5\ndecision_type=2\nleft_child=-1\nright_child=-2\nleaf_value=-1 1\n"
    )
    trees = block_model.Trees(model)
    raw = np.log(trees.predict(np.array([[1.0], [2.0]])) / (1 - trees.predict(np.array([[1.0], [2.0]]))))
    assert np.allclose(raw, [-0.5, 1.5])


def test_a_block_whose_words_trafilatura_has_already_does_not_come_back():
    """trafilatura sometimes gives a paragraph as pieces (an inline element's tail on a line of its
    own); the paragraph's block is then not held whole, but putting it back would say it twice."""
    blocks = blocks_from(["The kiln cools slowly overnight, lid shut.", "A reply nobody extracted."])
    text = "overnight, lid shut.\nThe kiln cools slowly"  # its words, not in its order
    _, held = block_model.probabilities(blocks, [text, ""])
    assert held[0] == pytest.approx(0.99) and held[1] == 0.0
    merged = block_model.merge(text, blocks, np.array([0.95, 0.95]), held, add=0.7, remove=0.1)
    assert merged.count("kiln") == 1 and "A reply nobody extracted." in merged


LINE_WORDS = st.sampled_from(["a", "an", "share", "the kiln", "kiln shelf", "cracked", "cools", "x"])
LINES = st.lists(st.lists(LINE_WORDS, max_size=6).map(" ".join), max_size=12)


@settings(max_examples=300, deadline=None)
@given(keys=LINES, key=st.lists(LINE_WORDS, max_size=8).map(" ".join))
def test_the_line_index_finds_the_lines_a_scan_of_every_line_finds(keys, key):
    """merge looks lines up in an index rather than testing every line for every block; it must
    give the lines `lines_holding` gives, in order, for short keys and long, held and holding."""
    assert block_model.LineIndex(keys).holding(key) == block_model.lines_holding(key, keys)


def test_merge_matches_a_block_to_the_lines_that_hold_it_or_that_it_holds():
    blocks = blocks_from(["Kiln shelf", "Cracks across a shelf are thermal shock, nearly always."])
    text = "Cracks across a shelf are thermal shock, nearly always. Let it cool.\nKiln shelf care\nshock"
    held = np.array([1.0, 1.0])
    merged = block_model.merge(text, blocks, np.array([0.9, 0.1]), held, add=0.8, remove=0.2)
    assert merged == "Kiln shelf care"  # the first line holds the low block; "shock" is held by it


def whole_string_marks(value: str) -> int:
    """The class/id marks as one regex pass over the whole string finds them (the rule name_mask keeps)."""
    mask = 0
    for word in blocks.NAME_WORDS.findall(value.lower()):
        mask |= blocks.WORD_BIT[word]
    return mask


NAME_PARTS = st.sampled_from(
    ["side", "sidebar", "post", "posted", "-", "_", "bar", "nav", "x", "Menu", "ads"]
)


@settings(max_examples=300, deadline=None)
@given(names=st.lists(st.lists(NAME_PARTS, max_size=4).map("".join), max_size=5).map(" ".join))
def test_class_names_are_marked_as_one_pass_over_the_whole_string_marks_them(names):
    """Names are looked up one at a time (cached); the longest word wins inside a name ("posted"
    is meta, not content) just as it does in one pass over the whole string."""
    assert blocks.name_mask(names) == whole_string_marks(names)
    assert blocks.name_mask("entry-posted") == blocks.BIT["content"] | blocks.BIT["meta"]


def test_text_after_a_script_stays_in_its_block_and_nothing_inside_the_script_shows():
    page = (
        "<html><body><p>Before the script <script>var a = '<b>bold</b>';</script>and after it.</p>"
        "<div><style>p {}</style><template><p>Never shown.</p></template>Tail text.</div></body></html>"
    )
    texts = [b.text for b in blocks_of(page)]
    assert texts == ["Before the script and after it.", "Tail text."]


def test_where_the_model_disagrees_the_text_is_the_blocks_it_keeps():
    """A product page where trafilatura took the reviews box: the model keeps the product's blocks
    (one trafilatura holds at keep_held, the others at keep_other), each text once, in page order."""
    texts = ["Oak desk, solid top", "Reviews (2)", "Sturdy and easy to build.", "Oak desk, solid top"]
    blocks = blocks_from(texts)
    tokens = [block_features_words(t) for t in texts]
    held = np.array([0.0, 1.0, 1.0, 0.0])  # trafilatura's text: the reviews box
    scores = np.array([0.9, 0.2, 0.45, 0.9])
    options = {**ExtractConfig().model_dump(), "block_model_keep_held": 0.4, "block_model_keep_other": 0.5}
    assert block_model.agreement(scores, held, tokens) == 0.0  # neither held block scores 0.5
    text = block_model.judged_text(
        "Reviews (2)\nSturdy and easy to build.", blocks, scores, held, tokens, options
    )
    assert text == "Oak desk, solid top\nSturdy and easy to build."
    stricter = {**options, "block_model_keep_held": 0.5}
    assert (
        block_model.judged_text("Reviews (2)", blocks, scores, held, tokens, stricter)
        == "Oak desk, solid top"
    )


def test_where_the_model_agrees_trafilaturas_text_stays_and_is_checked():
    texts = ["The story itself, told at length.", "Share this story", "A caption the model puts back."]
    blocks = blocks_from(texts)
    tokens = [block_features_words(t) for t in texts]
    held = np.array([1.0, 1.0, 0.0])
    scores = np.array([0.95, 0.6, 0.9])
    options = ExtractConfig().model_dump()
    assert block_model.agreement(scores, held, tokens) == 1.0
    text = "The story itself, told at length.\nShare this story"
    assert block_model.judged_text(text, blocks, scores, held, tokens, options) == (
        text + "\nA caption the model puts back."
    )
    # One held block under 0.5, and the agreement required above what the page has: the model's
    # blocks, where "Share this story" (0.45) is under keep_held, though not under remove (0.3).
    options = {**options, "block_model_agree": 1.0, "block_model_keep_held": 0.5, "block_model_remove": 0.3}
    low = np.array([0.95, 0.45, 0.9])
    assert block_model.judged_text(text, blocks, low, held, tokens, options) == (
        "The story itself, told at length.\nA caption the model puts back."
    )


def test_when_the_model_keeps_no_block_trafilaturas_checked_text_stands():
    texts = ["Menu", "Only paragraph of the page, long enough."]
    blocks = blocks_from(texts)
    tokens = [block_features_words(t) for t in texts]
    held = np.array([0.0, 1.0])
    scores = np.array([0.1, 0.35])
    options = {**ExtractConfig().model_dump(), "block_model_keep_held": 0.5, "block_model_remove": 0.3}
    text = "Only paragraph of the page, long enough.\nA line no block matches."
    assert block_model.judged_text(text, blocks, scores, held, tokens, options) == text
    keeping = {**options, "block_model_keep_held": 0.3}  # now it keeps the paragraph: its blocks only
    assert block_model.judged_text(text, blocks, scores, held, tokens, keeping) == texts[1]


WRITTEN = [
    pytest.param(  # a header row, a list, code with its indentation
        "<table><tr><th>Size</th><th>Weight</th></tr><tr><td>120 cm</td><td>31 kg</td></tr></table>"
        "<ul><li>Ships flat.</li><li>Tools included.</li></ul>"
        "<pre>\ndef total(parts):\n    return sum(parts)   \n</pre>",
        "| Size | Weight |\n|---|---|\n| 120 cm | 31 kg |\n- Ships flat.\n- Tools included.\n"
        "def total(parts):\n    return sum(parts)",
        id="as-trafilatura-writes",
    ),
    pytest.param(  # a table keeps the values its rows repeat; a repeated paragraph is said once
        "<table><tr><td>Kyle</td><td>5</td><td>1</td></tr><tr><td>Denny</td><td>5</td><td>1</td></tr>"
        "</table><p>Kyle won.</p><p>Kyle won.</p>",
        "| Kyle | 5 | 1 |\n| Denny | 5 | 1 |\nKyle won.",
        id="repeats",
    ),
]


@pytest.mark.parametrize(("body", "expected"), WRITTEN)
def test_the_blocks_are_written_as_trafilatura_writes_its_text(body, expected):
    blocks = blocks_of(f"<html><body>{body}</body></html>")
    keys = [" ".join(block_features_words(b.text)) for b in blocks]
    ones = np.ones(len(blocks))
    assert block_model.chosen_blocks(blocks, ones, ones, keys, 0.5, 0.5) == expected


def test_a_pre_block_is_read_by_the_model_as_one_line():
    (code,) = blocks_of("<html><body><pre>\ndef total(parts):\n    return sum(parts)\n</pre></body></html>")
    assert code.text == "def total(parts): return sum(parts)"
    assert code.shown == "def total(parts):\n    return sum(parts)"


def test_every_block_knows_the_elements_around_it():
    html = "<html><body><main><section><div><p>Deep text.</p></div></section></main><p>Top.</p></body></html>"
    deep, top = blocks_of(html)
    assert deep.ancestors[-1] == deep.parent and deep.ancestors[-2] == deep.grandparent
    assert len(deep.ancestors) == len(top.ancestors) + 3  # main, section, div
    assert deep.ancestors[0] == top.ancestors[0] == top.parent  # the body holds both
