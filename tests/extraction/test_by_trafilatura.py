"""trafilatura's parser with its element classes chosen in C: the same classes, the same text."""

import lxml.html
import pytest

from pipeline.extraction.by_trafilatura import html_class_lookup

PAGE = """<!DOCTYPE html><html><head><title>Order form</title><?php echo 1; ?></head>
<BODY><!-- a comment --><FORM action="/order"><LABEL for="n">Name</LABEL><INPUT id="n">
<select name="size"><option>Small</option></select><TEXTAREA>notes &amp; more</TEXTAREA></FORM>
<p>Our own page: a form, mixed-case tags, a comment and a processing instruction.</p></BODY></html>"""


@pytest.mark.parametrize("remove_comments", [False, True])
def test_every_node_gets_the_class_lxml_html_gives_it(remove_comments):
    python_lookup = lxml.html.HTMLParser(remove_comments=remove_comments)
    c_lookup = lxml.html.HTMLParser(remove_comments=remove_comments)
    c_lookup.set_element_class_lookup(html_class_lookup())
    expected = [(node.tag, type(node)) for node in lxml.html.fromstring(PAGE, parser=python_lookup).iter()]
    found = [(node.tag, type(node)) for node in lxml.html.fromstring(PAGE, parser=c_lookup).iter()]
    assert found == expected
    own_classes = {"FormElement", "InputElement", "LabelElement", "SelectElement", "TextareaElement"}
    assert {cls.__name__ for _, cls in found} >= own_classes
