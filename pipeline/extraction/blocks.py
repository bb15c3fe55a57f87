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


@lru_cache(maxsize=1 << 16)
def name_mask(value: str) -> int:
    mask = 0
    for word in NAME_WORDS.findall(value.lower()):
        mask |= WORD_BIT[word]
    return mask


def element_mask(element: etree._Element) -> int:
    tag = TAG_ALIASES.get(element.tag, element.tag)
    mask = BIT.get(tag, 0) if tag in TAG_MARKS else 0
    attrs = element.attrib
    names = f"{attrs.get('class', '')} {attrs.get('id', '')}"
    if not names.isspace():
        mask |= name_mask(names)
    if (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or "display:none" in attrs.get("style", "").replace(" ", "")
    ):
        mask |= BIT["hidden"]
    if (role := ROLE_MARKS.get(attrs.get("role", ""))) is not None:
        mask |= BIT[role]
    return mask


class _Cutter:
    """Walks a tree once, cutting its text into blocks at block-level boundaries."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        # element, mask, own mask, serial number (in document order: never reused, unlike id())
        self.stack: list[tuple[etree._Element, int, int, int]] = []
        self.serial = 0
        self.parts: list[str] = []
        self.start: tuple[str, int, int, int, int, int] | None = (
            None  # tag, depth, mask, near, parent, grandparent
        )
        self.mask = self.chars = self.link_chars = 0
        self.owner: tuple[str, int] = ("body", 0)

    def add(self, text: str | None) -> None:
        if not text:
            return
        mask = self.stack[-1][1] if self.stack else 0
        if self.start is None:
            if text.isspace():
                return
            tag, depth = self.owner
            parent = self.stack[depth - 1][3] if 1 <= depth <= len(self.stack) else 0
            grandparent = self.stack[depth - 2][3] if 2 <= depth <= len(self.stack) + 1 else 0
            near = self.stack[-1][2] if self.stack else 0
            self.start = (tag, len(self.stack), mask, near, parent, grandparent)
            self.mask = 0
        self.parts.append(text)
        n = len(text.strip())
        self.chars += n
        if mask & LINK:
            self.link_chars += n
        self.mask |= mask

    def flush(self) -> None:
        if self.start is not None and self.chars:
            text = " ".join("".join(self.parts).split())
            if text:
                tag, depth, mask, near, parent, grandparent = self.start
                self.blocks.append(
                    Block(
                        text,
                        tag,
                        depth,
                        mask | self.mask,
                        near,
                        self.chars,
                        self.link_chars,
                        parent,
                        grandparent,
                    )
                )
        self.parts, self.start, self.chars, self.link_chars = [], None, 0, 0

    def walk(self, root: etree._Element) -> list[Block]:
        hidden = 0  # depth inside an element that never shows
        for event, element in etree.iterwalk(root, events=("start", "end")):
            tag = element.tag
            if not isinstance(tag, str):  # a comment or processing instruction: only its tail is text
                if event == "end" and not hidden:
                    self.add(element.tail)
                continue
            if event == "start":
                if hidden or tag in NEVER_SHOWN:
                    hidden += 1
                    continue
                own = element_mask(element)
                if tag in BOUNDARIES:
                    self.flush()
                    self.owner = (tag, len(self.stack))
                self.serial += 1
                self.stack.append((element, (self.stack[-1][1] if self.stack else 0) | own, own, self.serial))
                self.add(element.text)
                continue
            if hidden:
                hidden -= 1
                if not hidden:
                    self.add(element.tail)
                continue
            self.stack.pop()
            if tag in BOUNDARIES:
                self.flush()
                self.owner = (self.stack[-1][0].tag, len(self.stack)) if self.stack else ("body", 0)
            if self.stack:
                self.add(element.tail)
        self.flush()
        return self.blocks


def page_blocks(tree: etree._Element) -> list[Block]:
    """The blocks of a parsed page (trafilatura's `load_html` tree), in document order."""
    body = tree.find("body")
    return _Cutter().walk(body if body is not None else tree)
