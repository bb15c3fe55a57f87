"""What a payload is: HTML or not (declared type, the crawler's sniffing, our own), and how to decode it.

Both follow what browsers do, after the WHATWG MIME Sniffing and Encoding standards, in a reduced
form: a declared HTML type is believed unless the bytes are plainly a binary format; an undeclared
or generic type is sniffed; a charset comes from a byte-order mark, then the HTTP header, then a
`<meta>` tag, then charset-normalizer's detection. Bytes that are valid UTF-8 are read as UTF-8
whatever the label says: servers long labelled every page ISO-8859-1 by default, and text in
another encoding is almost never valid UTF-8 by chance.
"""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# Types that say nothing about the payload, so the payload has to speak for itself.
GENERIC_TYPES = frozenset(
    {"", "application/octet-stream", "binary/octet-stream", "application/unknown", "unknown/unknown", "*/*"}
)
# Leading bytes of binary formats that servers often mislabel as text/html.
BINARY_MAGIC = {
    b"%PDF-": "application/pdf",
    b"\x89PNG": "image/png",
    b"GIF8": "image/gif",
    b"\xff\xd8\xff": "image/jpeg",
    b"PK\x03\x04": "application/zip",
    b"\x1f\x8b": "application/gzip",
}
# The tags that make the WHATWG sniffing algorithm call a payload text/html, plus `<?xml` for XHTML.
HTML_START = re.compile(
    rb"\s*<(?:!doctype\s+html|html|head|body|script|iframe|h1|div|font|table|a|style|title|b|br|p|!--|meta"
    rb"|\?xml)[\s>/]",
    re.IGNORECASE,
)
CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)""", re.IGNORECASE)
META_SCAN_BYTES = 8192  # WHATWG prescans 1024 bytes; real pages often have long heads before the tag
DETECTION_BYTES = 65536
BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
# Labels that browsers decode with a superset (WHATWG Encoding Standard, "Encodings" table): a page
# labelled ISO-8859-1 is read as windows-1252, GB2312 as GB18030, and so on.
SUPERSETS = {
    "ascii": "cp1252",
    "iso8859-1": "cp1252",
    "iso8859-9": "cp1254",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "shift_jis": "cp932",
    "big5": "big5hkscs",
    "utf-16-le": "utf-8",  # a <meta> naming UTF-16 on a page read as bytes means UTF-8
    "utf-16-be": "utf-8",
    "utf-16": "utf-8",
}

# Web labels Python's codec registry does not know.
LABEL_ALIASES = {"x-sjis": "cp932", "windows-31j": "cp932", "x-gbk": "gb18030", "x-euc-jp": "euc_jp"}


def media_type(content_type: str | None) -> str:
    return (content_type or "").split(";")[0].strip().lower()


def binary_type(payload: bytes) -> str | None:
    return next((kind for magic, kind in BINARY_MAGIC.items() if payload.startswith(magic)), None)


def looks_like_html(payload: bytes) -> bool:
    head = payload[:1024].removeprefix(codecs.BOM_UTF8)
    return bool(HTML_START.match(head)) or b"<html" in head.lower()


def html_verdict(payload: bytes, content_type: str | None, identified_type: str | None) -> str | None:
    """None if the payload is HTML, else the type it is (for the ledger)."""
    declared = media_type(content_type)
    if kind := binary_type(payload):
        return kind
    if declared in HTML_TYPES:
        return None
    identified = media_type(identified_type)
    if identified:  # the crawler sniffed the real bytes (Common Crawl's WARC-Identified-Payload-Type)
        return None if identified in HTML_TYPES else identified
    if declared in GENERIC_TYPES:
        return None if looks_like_html(payload) else declared or "unknown"
    return declared


def codec_name(label: str | None) -> str | None:
    """The Python codec for a charset label, widened as browsers widen it; None if unknown."""
    if not label:
        return None
    label = label.strip().lower()
    try:
        name = codecs.lookup(LABEL_ALIASES.get(label, label)).name
    except LookupError:
        return None
    return SUPERSETS.get(name, name)


def declared_charsets(payload: bytes, content_type: str | None) -> list[str]:
    """Codecs the HTTP header and then the page's `<meta>` name, known ones only, without repeats."""
    header = CHARSET_PARAM.search(content_type or "")
    meta = META_CHARSET.search(payload[:META_SCAN_BYTES])
    labels = [header.group(1) if header else None, meta.group(1).decode("ascii", "ignore") if meta else None]
    codecs_found = []
    for label in labels:
        name = codec_name(label)
        if name and name not in codecs_found:
            codecs_found.append(name)
    return codecs_found


def decode_html(payload: bytes, content_type: str | None) -> tuple[str, str]:
    """The page as text and the codec it was decoded with."""
    for bom, name in BOMS:
        if payload.startswith(bom):
            return payload.decode(name, errors="replace"), name.removesuffix("-sig")
    declared = declared_charsets(payload, content_type)
    for name in ["utf-8", *declared]:
        try:
            return payload.decode(name), name
        except UnicodeDecodeError:
            continue
    name = declared[0] if declared else detect_charset(payload)
    return payload.decode(name, errors="replace"), name


def detect_charset(payload: bytes) -> str:
    best = from_bytes(payload[:DETECTION_BYTES]).best()
    return codec_name(best.encoding if best else None) or "cp1252"
