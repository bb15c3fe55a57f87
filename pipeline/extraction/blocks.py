"""A page cut into blocks of text, the units the block model judges (`block_model.py`).

A block is the text between two block-level boundaries (a paragraph, a list item, a table cell, a
heading, a `<br>`), whitespace collapsed. With it go what the markup says about where it sits: the
tags around it (`nav`, `footer`, `a`, `li`, ...) and words in their `class`, `id` and `role`
(menu, sidebar, comment, content, product, ...), as bit masks — `mask` for every enclosing
element, `near` for the innermost one — and how much of its text sits inside links.

Only what never shows is skipped (scripts, styles, templates, frames' fallback). `noscript`,
`button` and `svg` are walked and marked: pages that fail to close a `<button>` or an `<svg>` put
their whole main text inside one (forum software renders its crawler view in `<noscript>`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree

BOUNDARIES = frozenset((
    "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd", "details",
    "dialog", "div", "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2",
    "h3", "h4", "h5", "h6", "header", "hr", "legend", "li", "main", "nav", "ol", "option", "p", "pre",
    "section", "summary", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
))  # fmt: skip
NEVER_SHOWN = frozenset((
    "script", "style", "template", "head", "iframe", "object", "embed", "canvas", "textarea",
))  # fmt: skip

# Tags whose presence around a block is a feature; a few are folded into one (b -> strong, ...).
TAG_MARKS = (
    "a", "nav", "header", "footer", "aside", "article", "main", "form", "li", "table", "h", "pre",
    "blockquote", "label", "figure", "time", "strong", "ul", "dl", "section", "p", "span", "td", "code",
    "em", "noscript", "button", "svg", "select",
)  # fmt: skip
TAG_ALIASES = {
    **dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "h"),
    "b": "strong", "ol": "ul", "th": "td", "kbd": "code", "samp": "code", "tt": "code", "i": "em",
    "option": "select", "optgroup": "select",
}  # fmt: skip

# Words in class, id and role names, by what they usually mean. Our own lists, from how sites
# commonly name their page furniture and their content.
NAME_MARKS: dict[str, tuple[str, ...]] = {
    "navigation": ("nav", "menu", "breadcrumb", "pagination", "pager", "toolbar", "dropdown", "topbar",
                   "masthead", "skip", "toc"),
    "page_footer": ("footer", "copyright", "legal", "bottom"),
    "page_header": ("header", "banner", "logo", "brand"),
    "sidebar": ("sidebar", "side", "widget", "rail", "related", "recommend", "popular", "trending", "more"),
    "social": ("share", "social", "follow", "facebook", "twitter", "linkedin", "whatsapp"),
    "advert": ("advert", "sponsor", "promo", "ads", "adsbygoogle", "dfp"),
    "comment": ("comment", "respond", "reply", "disqus", "discussion"),
    "meta": ("meta", "byline", "author", "date", "time", "tag", "categor", "posted", "info", "stats"),
    "prompt": ("subscribe", "newsletter", "signup", "login", "register", "modal", "popup", "cookie",
               "consent", "gdpr", "overlay"),
    "content": ("content", "article", "post", "entry", "main", "body", "text", "story", "prose",
                "markdown", "blog", "rich"),
    "product": ("product", "descr", "detail", "spec", "feature", "review", "price", "rating"),
    "forum": ("thread", "message", "topic", "forum", "answer", "question", "quote", "bbcode"),
    "docs": ("doc", "api", "highlight", "code", "syntax", "sect", "admonition"),
    "hidden": ("hidden", "hide", "sr-only", "screen-reader", "d-none", "visually"),
    "title": ("title", "headline", "heading"),
    "card": ("card", "item", "tile", "teaser", "list", "grid", "result"),
    "control": ("btn", "button", "cta", "icon"),
}  # fmt: skip
ROLE_MARKS = {
    "navigation": "navigation", "menu": "navigation", "menubar": "navigation", "contentinfo": "page_footer",
    "banner": "page_header", "complementary": "sidebar", "main": "content", "article": "content",
}  # fmt: skip
MARKS = (*TAG_MARKS, *NAME_MARKS)
BIT = {name: 1 << i for i, name in enumerate(MARKS)}
LINK = BIT["a"]
WORD_BIT = {word: BIT[mark] for mark, words in NAME_MARKS.items() for word in words}
# One pass over a class/id string finds every mark word in it (longest first: "sidebar", not "side").
NAME_WORDS = re.compile("|".join(sorted(map(re.escape, WORD_BIT), key=len, reverse=True)))


@dataclass(slots=True)
class Block:
    text: str
    tag: str  # the block-level element it starts in
    depth: int
    mask: int  # marks of every element around it
    near: int  # marks of the innermost element where it starts
    chars: int
    link_chars: int
    parent: int  # serial number of the element holding its block-level element (groups siblings)
    grandparent: int
    ancestors: tuple[int, ...]  # serial numbers of the elements around its block-level element, root first
    shown: str  # its text as a reader sees it: `text`, but a <pre> block keeps its lines and indentation


@lru_cache(maxsize=1 << 16)
def word_mask(token: str) -> int:
    mask = 0
    for word in NAME_WORDS.findall(token.lower()):
        mask |= WORD_BIT[word]
    return mask


def name_mask(value: str) -> int:
    """The marks of the words in a class/id string. No mark word holds a space, so a match never
    spans two space-separated names: each name is looked up on its own (sites reuse the same few
    names on every element, the whole string less often)."""
    mask = 0
    for token in value.split():
        mask |= word_mask(token)
    return mask


TAG_MASK = {tag: BIT.get(TAG_ALIASES.get(tag, tag), 0) for tag in {*TAG_MARKS, *TAG_ALIASES}}
HIDDEN = BIT["hidden"]


def element_mask(element: etree._Element) -> int:
    """The marks of one element: its tag's and those of its class, id, role and hiding attributes."""
    mask = TAG_MASK.get(element.tag, 0)
    get = element.get  # not element.attrib: that builds a proxy object per element
    names = f"{get('class') or ''} {get('id') or ''}"
    if not names.isspace():
        mask |= name_mask(names)
    if (
        get("hidden") is not None
        or get("aria-hidden") == "true"
        or "display:none" in (get("style") or "").replace(" ", "")
    ):
        mask |= HIDDEN
    if (role := ROLE_MARKS.get(get("role") or "")) is not None:
        mask |= BIT[role]
    return mask


def preformatted(text: str) -> str:
    """A <pre> block's text: its lines with their indentation, without trailing spaces or the
    blank lines around them."""
    return "\n".join(line.rstrip() for line in text.split("\n")).strip("\n")


def cut(root: etree._Element) -> list[Block]:
    """Walks a tree once, cutting its text into blocks at block-level boundaries.

    One function with its state in local variables: it runs for every element of every page, and
    attribute lookups on an object cost more than the work itself."""
    blocks: list[Block] = []
    # Per open element: tag, marks of it and all around it, its own marks, serial number (in
    # document order: never reused, unlike id()).
    stack: list[tuple[str, int, int, int]] = []
    top_mask = top_own = 0  # those of the innermost open element (0 outside all)
    serial = 0
    parts: list[str] = []
    start: tuple | None = None  # tag, depth, mask, near, parent, grandparent, ancestors
    block_mask = chars = link_chars = 0
    owner_tag, owner_depth = "body", 0

    # Callers skip the calls that would do nothing: adding empty text, or only spaces with no block
    # open (the spaces between block-level tags); flushing with no block open.
    def add(text: str) -> None:
        nonlocal start, block_mask, chars, link_chars
        if start is None:
            depth = len(stack)
            parent = stack[owner_depth - 1][3] if 1 <= owner_depth <= depth else 0
            grandparent = stack[owner_depth - 2][3] if 2 <= owner_depth <= depth + 1 else 0
            ancestors = tuple(entry[3] for entry in stack[: min(owner_depth, depth)])
            start = (owner_tag, depth, top_mask, top_own, parent, grandparent, ancestors)
            block_mask = 0
        parts.append(text)
        n = len(text.strip())
        chars += n
        if top_mask & LINK:
            link_chars += n
        block_mask |= top_mask

    def flush() -> None:
        nonlocal start, parts, chars, link_chars
        if chars:
            whole = "".join(parts)
            text = " ".join(whole.split())
            if text:
                tag, depth, mask, near, parent, grandparent, ancestors = start
                blocks.append(Block(
                    text, tag, depth, mask | block_mask, near, chars, link_chars, parent, grandparent,
                    ancestors, preformatted(whole) if tag == "pre" else text,
                ))  # fmt: skip
        parts, start, chars, link_chars = [], None, 0, 0

    walker = etree.iterwalk(root, events=("start", "end"))
    hidden = None  # the element that never shows whose end is awaited (its subtree is skipped)
    for event, element in walker:
        tag = element.tag
        if event == "start":
            if hidden is not None or not isinstance(tag, str):
                continue
            if tag in NEVER_SHOWN:
                hidden = element
                walker.skip_subtree()
                continue
            own = element_mask(element)
            if tag in BOUNDARIES:
                if start is not None:
                    flush()
                owner_tag, owner_depth = tag, len(stack)
            serial += 1
            top_mask |= own
            top_own = own
            stack.append((tag, top_mask, own, serial))
            if (text := element.text) and (start is not None or not text.isspace()):
                add(text)
            continue
        if not isinstance(tag, str):  # a comment or processing instruction: only its tail is text
            if hidden is None and (text := element.tail) and (start is not None or not text.isspace()):
                add(text)
            continue
        if hidden is not None:
            if element is hidden:
                hidden = None
                if (text := element.tail) and (start is not None or not text.isspace()):
                    add(text)
            continue
        stack.pop()
        top_mask, top_own = (stack[-1][1], stack[-1][2]) if stack else (0, 0)
        if tag in BOUNDARIES:
            if start is not None:
                flush()
            owner_tag, owner_depth = (stack[-1][0], len(stack)) if stack else ("body", 0)
        if stack and (text := element.tail) and (start is not None or not text.isspace()):
            add(text)
    if start is not None:
        flush()
    return blocks


def page_blocks(tree: etree._Element) -> list[Block]:
    """The blocks of a parsed page (trafilatura's `load_html` tree), in document order."""
    body = tree.find("body")
    return cut(body if body is not None else tree)
