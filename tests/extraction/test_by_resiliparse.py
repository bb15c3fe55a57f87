"""resiliparse extraction of one page: main text in, navigation and page furniture out, the title."""

from pipeline.config import ExtractConfig
from pipeline.extraction.by_resiliparse import extract_text

ARTICLE = (
    "A gap in a dry-stone wall grows every winter, because frost lifts the stones on either side of it. "
    "The repair starts by taking the wall down to sound footings, a metre beyond the gap on both sides.",
    "Each course is laid with the long side of the stone running into the wall, never along it, and "
    "every joint is crossed by the stone above. Small stones, the hearting, are packed into the middle.",
    "Through stones, which span the whole width, go in at knee height every metre or so. The copes along "
    "the top are set on edge and wedged hard, so that a sheep leaning on them does not start a new gap.",
)
FURNITURE = ("Shop our tools", "About the society", "Gate hinges compared", "Privacy policy", "Copyright")
PAGE = f"""<!doctype html><html><head><title>Mending a dry-stone wall – Field Notes</title></head><body>
<header><nav><ul><li><a href="/">Home</a></li><li><a href="/shop">Shop our tools</a></li>
<li><a href="/about">About the society</a></li></ul></nav></header>
<main><article><h1>Mending a dry-stone wall</h1>
<img src="wall.jpg" alt="A photograph of the finished wall">
{"".join(f"<p>{paragraph}</p>" for paragraph in ARTICLE)}
</article></main>
<aside><h2>Popular this week</h2><ul><li><a href="/a">Ten best hedges</a></li>
<li><a href="/b">Gate hinges compared</a></li></ul></aside>
<footer><p>Copyright 2024 Field Notes Society.</p><nav><a href="/privacy">Privacy policy</a></nav></footer>
</body></html>"""


def options(**settings) -> dict:
    return ExtractConfig(extractor="resiliparse", resiliparse=settings).model_dump()


def test_the_article_is_kept_paragraph_by_paragraph_and_the_navigation_dropped():
    text, _ = extract_text(PAGE, "https://fieldnotes.example/walls/mending", options())
    assert text.split("\n\n")[1:] == list(ARTICLE)
    assert not [line for line in FURNITURE if line in text]


def test_the_title_is_the_pages_title_element():
    _, title = extract_text(PAGE, None, options())
    assert title == "Mending a dry-stone wall – Field Notes"


def test_a_page_without_a_title_has_none():
    _, title = extract_text("<html><body><p>No head at all.</p></body></html>", None, options())
    assert title is None


def test_alt_texts_are_left_out_unless_asked_for():
    assert "photograph" not in extract_text(PAGE, None, options())[0]
    assert "A photograph of the finished wall" in extract_text(PAGE, None, options(alt_texts=True))[0]


def test_without_main_content_the_navigation_stays():
    text, _ = extract_text(PAGE, None, options(main_content=False))
    assert "Shop our tools" in text and ARTICLE[0] in text
