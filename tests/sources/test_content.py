import re

from pipeline.sources import RawRecord, read_records
from pipeline.sources.content import decode_html, html_verdict
from tests.inputs import pages
from tests.warc_fixtures import PageRecord


def first_response(path) -> RawRecord:
    return next(r for r in read_records(str(path), "warc") if r.record_type == "response")


def response_at(record: PageRecord) -> RawRecord:
    return next(r for r in read_records(str(record.path), "warc") if r.url == record.url)


def test_latin1_page_labelled_in_meta_is_read_as_windows_1252(warcs):
    # A German page: HTTP says only text/html, the page says ISO-8859-1 in a <meta>.
    page = response_at(warcs.latin1)
    assert page.content_type == "text/html"
    text, charset = decode_html(page.payload, page.content_type)
    assert charset == "cp1252"  # what browsers read ISO-8859-1 as
    assert "veröffentlichen" in text and "Möglichkeit" in text and "\ufffd" not in text


def test_euc_jp_from_the_http_header(warcs):
    page = first_response(warcs.japanese.path)
    text, charset = decode_html(page.payload, page.content_type)
    assert charset == "euc_jp"
    assert warcs.japanese.brand in text and "\ufffd" not in text


# Windows' Shift_JIS (cp932, what browsers use) maps a few JIS symbols to fullwidth forms.
CP932_FORMS = str.maketrans({"\uff5e": "\u301c", "\uff0d": "\u2212", "\u2225": "\u2016"})


def same_japanese(text: str, original: str) -> bool:
    return text.translate(CP932_FORMS) == original


def test_shift_jis_page_labelled_in_meta(warcs):
    # The Japanese pages are EUC-JP; the same page re-encoded as Shift_JIS, labelled only in <meta>.
    page = first_response(warcs.japanese.path)
    relabelled = page.payload.decode("euc_jp").replace("EUC-JP", "Shift_JIS")
    assert relabelled != page.payload.decode("euc_jp")  # the <meta> named EUC-JP
    text, charset = decode_html(relabelled.encode("shift_jis"), "text/html")
    assert charset == "cp932"
    assert same_japanese(text, relabelled)


def test_http_header_charset_wins_over_meta(warcs):
    page = first_response(warcs.japanese.path)
    original = page.payload.decode("euc_jp")  # its <meta> still says EUC-JP
    text, charset = decode_html(original.encode("shift_jis"), "text/html; charset=Shift_JIS")
    assert charset == "cp932" and same_japanese(text, original)


def test_undeclared_charset_is_detected(warcs):
    page = response_at(warcs.latin1)
    unlabelled = re.sub(rb"<meta[^>]*charset[^>]*>", b"", page.payload, flags=re.IGNORECASE)
    text, charset = decode_html(unlabelled, None)
    assert charset != "utf-8"
    assert text == unlabelled.decode("cp1252")


def test_valid_utf8_wins_over_a_wrong_label():
    _, html, _ = pages()[0]
    assert any(ord(c) > 127 for c in html)
    text, charset = decode_html(html.encode("utf-8"), "text/html; charset=ISO-8859-1")
    assert (text, charset) == (html, "utf-8")


def test_byte_order_mark_decides():
    text, charset = decode_html("\ufeff<p>café</p>".encode("utf-8"), "text/html; charset=windows-1252")
    assert (text, charset) == ("<p>café</p>", "utf-8")


def test_html_is_recognised_from_the_declared_type_or_by_sniffing():
    _, html, _ = pages()[0]
    payload = html.encode()
    assert html_verdict(payload, "text/html; charset=utf-8", None) is None
    assert html_verdict(payload, None, None) is None
    assert html_verdict(payload, "application/octet-stream", None) is None
    assert html_verdict(b'{"a": 1}', "application/json", None) == "application/json"
    assert html_verdict(b"just some words", None, None) == "unknown"


def test_crawler_sniffing_overrides_a_non_html_label():
    _, html, _ = pages()[0]
    assert html_verdict(html.encode(), "text/plain", "text/html") is None
    assert html_verdict(b"a,b\n1,2\n", "text/html", None) is None  # a declared type is believed...
    assert html_verdict(b"%PDF-1.4 ...", "text/html", None) == "application/pdf"  # ...unless plainly binary
