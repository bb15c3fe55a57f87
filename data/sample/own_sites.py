"""The sites of the sample that we write ourselves, as a crawler fetched them.

Two sites render the articles in `articles/` into their own templates (navigation, sidebar, footer,
cookie banner): The Riverside Ledger, a local news paper, and Fieldnotes, a personal blog. Around
the articles are the pages a crawl also brings home: section and tag pages that are only links,
forms with hardly any text, a 301, a 404 and a 500, an empty body, a table page too large to
extract, JSON, RSS, robots.txt, two PDFs (one served as text/html), a PNG, a post in cp1252 that
declares no charset and one sent gzip-encoded. Then the copies that dedup must find: a print
version of an article (another template, no contact line), two reprints on other sites (a new
headline and intro line), and the seed AP article on four syndicating sites (other boilerplate, the
spam phrase glued to a word, a truncated tail).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = HERE / "articles"
SPAM_PHRASE = "Chainkeen Exchange"
HTML_UTF8 = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Fetch:
    """One URL as the crawler fetched it: what the server answered."""

    url: str
    payload: bytes
    content_type: str | None = HTML_UTF8  # None: the server sent no Content-Type
    status: str = "200 OK"
    headers: tuple[tuple[str, str], ...] = ()  # further HTTP headers
    identified_type: str | None = None  # the crawler's own sniffing (WARC-Identified-Payload-Type)


@dataclass(frozen=True)
class Article:
    slug: str
    title: str
    date: str
    author: str
    section: str
    tags: tuple[str, ...]
    paragraphs: tuple[str, ...]

    @property
    def first_sentence(self) -> str:
        return re.split(r"(?<=[.!?])\s", self.paragraphs[0], maxsplit=1)[0]


def load_articles(site: str) -> list[Article]:
    """The articles of a site, oldest first. A file is `key: value` lines, a blank line, paragraphs."""
    articles = []
    for path in sorted((ARTICLES / site).glob("*.txt")):
        head, body = path.read_text(encoding="utf-8").split("\n\n", 1)
        fields = dict(line.split(": ", 1) for line in head.splitlines())
        articles.append(
            Article(
                slug=path.stem,
                title=fields["title"],
                date=fields["date"],
                author=fields["author"],
                section=fields.get("section", ""),
                tags=tuple(t.strip() for t in fields.get("tags", "").split(",") if t.strip()),
                paragraphs=tuple(p.strip() for p in body.split("\n\n") if p.strip()),
            )
        )
    return sorted(articles, key=lambda a: (a.date, a.slug))


def paras(paragraphs: list[str] | tuple[str, ...]) -> str:
    return "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def links(items: list[tuple[str, str]]) -> str:
    return "\n".join(f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in items)


# ---------------------------------------------------------------- The Riverside Ledger (news)

LEDGER = "https://riverside-ledger.example"
LEDGER_HEADERS = (("Server", "nginx"), ("Cache-Control", "max-age=300"), ("X-Frame-Options", "SAMEORIGIN"))


def ledger_url(article: Article) -> str:
    year, month, _ = article.date.split("-")
    return f"{LEDGER}/{year}/{month}/{article.slug}/"


def ledger_page(title: str, main: str, most_read: list[Article]) -> bytes:
    sidebar = links([(ledger_url(a), a.title) for a in most_read])
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} | The Riverside Ledger</title>
<link rel="stylesheet" href="/static/ledger.css">
<link rel="alternate" type="application/rss+xml" title="The Riverside Ledger" href="/feed.xml">
<script>window.dataLayer = window.dataLayer || []; function track(e) {{ dataLayer.push(e); }}</script>
</head>
<body>
<div id="cookie-banner" class="consent" role="dialog">
<p>We use cookies to improve your experience and to show you relevant advertising. By continuing to
use this site you agree to our use of cookies.</p>
<button type="button">Accept all</button> <button type="button">Manage preferences</button>
</div>
<header class="masthead">
<div class="top-bar"><span>Riverside's news since 1898</span> <a href="/subscribe">Subscribe</a>
<a href="/login">Log in</a> <a href="/e-edition/latest">Today's e-edition</a></div>
<a class="logo" href="/">The Riverside Ledger</a>
<nav class="sections"><a href="/news/">News</a> <a href="/business/">Business</a>
<a href="/schools/">Schools</a> <a href="/community/">Community</a> <a href="/outdoors/">Outdoors</a>
<a href="/opinion/">Opinion</a> <a href="/obituaries/">Obituaries</a> <a href="/weather/">Weather</a></nav>
<div class="ticker"><strong>Breaking:</strong> <a href="/weather/">Winter storm watch issued for
Thursday night</a></div>
</header>
<div class="layout">
<main>
{main}
</main>
<aside class="sidebar">
<section class="most-read"><h2>Most read</h2><ol>
{sidebar}
</ol></section>
<section class="newsletter"><h2>Get the Morning Ledger</h2>
<p>Our newsletter, in your inbox every weekday at 6 a.m.</p>
<form action="/newsletter" method="post"><input type="email" name="email" placeholder="Your e-mail">
<button type="submit">Sign up</button></form></section>
<section class="ad"><p>Advertisement</p><div class="ad-slot" data-slot="sidebar-1"></div></section>
</aside>
</div>
<footer>
<nav><a href="/about">About us</a> <a href="/contact">Contact</a> <a href="/advertise">Advertise</a>
<a href="/careers">Careers</a> <a href="/privacy">Privacy policy</a> <a href="/terms">Terms of use</a></nav>
<p>© 2024 Riverside Ledger Media LLC. All rights reserved. 118 Front Street, Riverside.</p>
</footer>
</body>
</html>
""".encode()


def ledger_article_html(article: Article, related: list[Article]) -> str:
    related_list = links([(ledger_url(a), a.title) for a in related])
    return f"""<article>
<p class="kicker"><a href="/{article.section}/">{article.section.title()}</a></p>
<h1>{html.escape(article.title)}</h1>
<p class="byline">By {article.author} | Published {article.date}</p>
<div class="share">Share this story: <a href="#">Facebook</a> <a href="#">X</a> <a href="#">Email</a>
<a href="?output=print">Print</a></div>
{paras(article.paragraphs)}
<p class="contact"><em>Reach the newsroom at news@riverside-ledger.example or 555-201-7788.</em></p>
<div class="related"><h2>Related stories</h2><ul>
{related_list}
</ul></div>
</article>"""


def ledger_print(article: Article) -> bytes:
    """The same article in the print template: no navigation, no sidebar, another <head>."""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(article.title)} (print)</title>
<link rel="stylesheet" href="/static/print.css"></head>
<body onload="window.print()">
<p class="masthead">The Riverside Ledger | riverside-ledger.example</p>
<article>
<h1>{html.escape(article.title)}</h1>
<p class="byline">By {article.author} | Published {article.date}</p>
{paras(article.paragraphs)}
</article>
<p class="printed">Printed from riverside-ledger.example. © 2024 Riverside Ledger Media LLC.</p>
</body></html>
""".encode()


def ledger_listing(heading: str, items: list[Article], teasers: bool) -> str:
    rows = []
    for a in items:
        teaser = f"<p>{html.escape(a.first_sentence[:90])}…</p>" if teasers else ""
        rows.append(f'<li><a href="{ledger_url(a)}">{html.escape(a.title)}</a> {teaser}</li>')
    return f'<h1>{html.escape(heading)}</h1>\n<ul class="story-list">\n' + "\n".join(rows) + "\n</ul>"


def ledger_fetches() -> list[Fetch]:
    articles = load_articles("riverside-ledger")
    newest = articles[::-1]
    most_read = newest[:5]

    def on_site(url: str, title: str, main: str, **kw) -> Fetch:
        return Fetch(url, ledger_page(title, main, most_read), headers=LEDGER_HEADERS, **kw)

    fetches = [
        Fetch(
            "http://riverside-ledger.example/",
            b"<html><head><title>301 Moved Permanently</title></head><body><center><h1>301 Moved"
            b" Permanently</h1></center><hr><center>nginx</center></body></html>\n",
            status="301 Moved Permanently",
            headers=(("Server", "nginx"), ("Location", f"{LEDGER}/")),
        ),
        on_site(
            f"{LEDGER}/", "Local news for Riverside", ledger_listing("Top stories", newest, teasers=True)
        ),
    ]
    for i, article in enumerate(articles):
        related = [a for a in articles if a.section == article.section and a is not article][:3]
        fetches.append(on_site(ledger_url(article), article.title, ledger_article_html(article, related)))
        if i == 0:
            fetches.append(
                Fetch(ledger_url(article) + "?output=print", ledger_print(article), headers=LEDGER_HEADERS)
            )
        if i == 2:  # the crawler follows the sidebar's links in between
            fetches += [
                on_site(
                    f"{LEDGER}/news/",
                    "News",
                    ledger_listing("News", [a for a in newest if a.section == "news"], False),
                ),
                on_site(
                    f"{LEDGER}/subscribe",
                    "Subscribe",
                    "<h1>Subscribe</h1>\n<p>Digital access for $4.99 a month.</p>\n"
                    '<form action="/checkout"><input name="email"><button>Continue</button></form>',
                ),
                Fetch(
                    f"{LEDGER}/2023/05/budget-hearing-moved/",
                    ledger_page(
                        "Page not found",
                        "<h1>Sorry, we couldn't find that page</h1>\n<p>The story may have moved or been "
                        'removed. Try our <a href="/search">search</a> or go back to the '
                        '<a href="/">front page</a>.</p>',
                        most_read,
                    ),
                    status="404 Not Found",
                    headers=LEDGER_HEADERS,
                ),
            ]
        if i == 5:
            fetches += [
                on_site(
                    f"{LEDGER}/tag/city-council/",
                    "City council",
                    ledger_listing("Stories tagged: City council", [articles[0], articles[5]], False),
                ),
                on_site(
                    f"{LEDGER}/login",
                    "Log in",
                    '<h1>Log in</h1>\n<form action="/session" method="post">'
                    '<label>E-mail <input name="email">'
                    '</label><label>Password <input type="password" name="password"></label>'
                    '<button>Log in</button></form>\n<p><a href="/reset">Forgot your password?</a></p>',
                ),
                Fetch(f"{LEDGER}/api/ping", b"", headers=LEDGER_HEADERS),
                on_site(f"{LEDGER}/data/water-main-breaks/", "Every water main break", main_breaks_table()),
            ]
    fetches += [
        Fetch(
            f"{LEDGER}/feed.xml",
            rss(newest),
            content_type="application/rss+xml; charset=utf-8",
            headers=LEDGER_HEADERS,
        ),
        Fetch(
            f"{LEDGER}/api/latest.json",
            json.dumps(
                [
                    {"title": a.title, "url": ledger_url(a), "date": a.date, "author": a.author}
                    for a in newest
                ],
                indent=1,
            ).encode(),
            content_type="application/json",
            headers=LEDGER_HEADERS,
        ),
        Fetch(
            f"{LEDGER}/robots.txt",
            b"User-agent: *\nDisallow: /api/\nDisallow: /login\nSitemap: https://riverside-ledger.example/sitemap.xml\n",
            content_type="text/plain",
            headers=LEDGER_HEADERS,
        ),
        Fetch(
            f"{LEDGER}/documents/council-agenda-2024-12-16.pdf",
            pdf(
                [
                    "City of Riverside - City Council",
                    "Regular meeting, Monday, December 16, 2024, 7 p.m.",
                    "1. Call to order and roll call",
                    "2. Public comment",
                    "3. Water and sewer rates for 2025-2027 (vote)",
                    "4. Mill Street bridge: bid schedule",
                    "5. Adjournment",
                ]
            ),
            content_type="application/pdf",
            headers=LEDGER_HEADERS,
        ),
        Fetch(  # a misconfigured server: the e-edition PDF labelled as HTML
            f"{LEDGER}/e-edition/latest",
            pdf(["The Riverside Ledger", "E-edition, December 9, 2024", "Pages 1-24"]),
            headers=LEDGER_HEADERS,
            identified_type="application/pdf",
        ),
        Fetch(
            f"{LEDGER}/images/river-levels.png",
            river_chart(),
            content_type="image/png",
            headers=LEDGER_HEADERS,
        ),
    ]
    return fetches


def main_breaks_table(rows: int = 66_000) -> str:
    """The data desk's table behind the water rates story: over 5 MiB of HTML, past extract's limit."""
    streets = ["Main Street", "River Road", "Elm Avenue", "Cannery Street", "Depot Street", "Front Street"]
    body = "\n".join(
        f"<tr><td>{2014 + i * 11 // rows}-{1 + i % 12:02d}-{1 + i % 28:02d}</td><td>{streets[i % 6]}</td>"
        f"<td>{4 + 2 * (i % 5)} in</td><td>{'cast iron' if i % 3 else 'ductile iron'}</td></tr>"
        for i in range(rows)
    )
    return (
        "<h1>Every water main break since 2014</h1>\n<table><tr><th>Date</th><th>Street</th><th>Main</th>"
        f"<th>Material</th></tr>\n{body}\n</table>"
    )


def rss(articles: list[Article]) -> bytes:
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{ledger_url(a)}</link>"
        f"<description>{html.escape(a.first_sentence)}</description><pubDate>{a.date}</pubDate></item>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>The Riverside Ledger</title><link>{LEDGER}/</link>\n{items}</channel></rss>\n"
    ).encode()


def pdf(lines: list[str]) -> bytes:
    """A one-page PDF with the lines in Helvetica: no dates, no ids, so always the same bytes."""
    text = "BT /F1 14 Tf 72 740 Td 18 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream".encode("latin-1"),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def river_chart(width: int = 120, height: int = 48) -> bytes:
    """A grayscale PNG bar chart of twelve monthly river levels (made up)."""
    levels = [9, 11, 16, 19, 14, 10, 8, 7, 7, 9, 12, 13]
    bar = width // len(levels)
    rows = []
    for y in range(height):
        row = bytearray([0])  # filter type: none
        for x in range(width):
            top = height - levels[x // bar] * 2
            row.append(60 if y >= top and x % bar < bar - 2 else 250)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


# ---------------------------------------------------------------- Fieldnotes (a personal blog)

BLOG = "https://fieldnotes.example"
BLOG_HEADERS = (("Server", "Caddy"), ("Cache-Control", "public, max-age=3600"))
COMMENTS = [
    ("Jonas", "Thank you for writing this up. I had exactly the same experience last year."),
    ("Ingrid K.", "Great post! Could you share a photo next time?"),
    ("tomasz", "This made my morning. Bookmarked for later."),
]


def blog_url(post: Article) -> str:
    return f"{BLOG}/{post.date[:4]}/{post.slug}/"


def typographic(text: str) -> str:
    """Apostrophes as a blog engine prints them."""
    return re.sub(r"(?<=\w)'(?=\w)", "’", text)


def blog_page(title: str, main: str, posts: list[Article], charset_meta: bool = True) -> str:
    recent = links([(blog_url(p), p.title) for p in posts[::-1][:5]])
    tags = " ".join(f'<a href="/tags/{t}/">{t}</a>' for t in sorted({t for p in posts for t in p.tags}))
    meta = '<meta charset="utf-8">\n' if charset_meta else ""
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
{meta}<title>{html.escape(title)} - Fieldnotes</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/css/main.css">
</head>
<body class="blog">
<header><a class="site-title" href="/">Fieldnotes</a>
<p class="tagline">Small experiments in living well, written down</p>
<nav><a href="/">Home</a> <a href="/archive/">Archive</a> <a href="/tags/">Tags</a>
<a href="/about/">About</a> <a href="/index.xml">RSS</a></nav></header>
<div class="wrap">
<main>
{main}
</main>
<aside>
<section class="about"><h3>About me</h3><p>I'm Maren. I fix things, grow things and bake things,
mostly badly at first. This is where I write down what worked.</p></section>
<section><h3>Recent posts</h3><ul>
{recent}
</ul></section>
<section class="tags"><h3>Tags</h3><p>{tags}</p></section>
</aside>
</div>
<footer><p>© 2024 Maren Ostby · Built with a static site generator · No tracking, only a
functional cookie for the comment form. <a href="/privacy/">Privacy</a></p></footer>
</body>
</html>
"""


def blog_post_html(post: Article, number: int) -> str:
    tag_links = ", ".join(f'<a href="/tags/{t}/">{t}</a>' for t in post.tags)
    name, comment = COMMENTS[number % len(COMMENTS)]
    return f"""<article class="post">
<h1>{html.escape(typographic(post.title))}</h1>
<p class="meta">{post.date} · Filed under {tag_links} · <a href="#comments">1 comment</a></p>
{paras([typographic(p) for p in post.paragraphs])}
</article>
<section id="comments" class="comments"><h2>1 comment</h2>
<div class="comment"><p class="author">{name} says:</p><p>{html.escape(comment)}</p></div>
<form class="comment-form"><h3>Leave a comment</h3><textarea name="comment"></textarea>
<input name="author" placeholder="Name"><button>Post comment</button></form>
</section>"""


def blog_fetches() -> list[Fetch]:
    posts = load_articles("fieldnotes")
    newest = posts[::-1]

    def listing(heading: str, items: list[Article], excerpts: bool) -> str:
        rows = []
        for p in items:
            excerpt = f"<p>{html.escape(typographic(p.first_sentence))}</p>" if excerpts else ""
            rows.append(
                f'<li><a href="{blog_url(p)}">{html.escape(typographic(p.title))}</a> {p.date}{excerpt}</li>'
            )
        return f"<h1>{heading}</h1>\n<ul>\n" + "\n".join(rows) + "\n</ul>"

    fetches = [
        Fetch(
            f"{BLOG}/",
            blog_page("Home", listing("Latest posts", newest, True), posts).encode(),
            headers=BLOG_HEADERS,
        )
    ]
    for number, post in enumerate(posts):
        if number == 1:  # an old post whose template forgot the charset, served without one: cp1252
            body = blog_page(post.title, blog_post_html(post, number), posts, charset_meta=False)
            fetches.append(
                Fetch(blog_url(post), body.encode("cp1252"), content_type="text/html", headers=BLOG_HEADERS)
            )
        elif number == 3:  # sent compressed: warcio undoes the Content-Encoding when reading
            body = blog_page(post.title, blog_post_html(post, number), posts).encode()
            fetches.append(
                Fetch(
                    blog_url(post),
                    gzip.compress(body, mtime=0),
                    headers=(*BLOG_HEADERS, ("Content-Encoding", "gzip"), ("Vary", "Accept-Encoding")),
                )
            )
        else:
            body = blog_page(post.title, blog_post_html(post, number), posts).encode()
            fetches.append(Fetch(blog_url(post), body, headers=BLOG_HEADERS))
    fetches += [
        Fetch(
            f"{BLOG}/archive/",
            blog_page("Archive", listing("Archive", newest, False), posts).encode(),
            headers=BLOG_HEADERS,
        ),
        Fetch(
            f"{BLOG}/tags/homelab/",
            blog_page(
                "homelab",
                listing("Posts tagged homelab", [p for p in newest if "homelab" in p.tags], False),
                posts,
            ).encode(),
            headers=BLOG_HEADERS,
        ),
        Fetch(
            f"{BLOG}/search/?q=tomatoes",
            b"<!DOCTYPE html><html><head><title>500 Internal Server Error</title></head><body>"
            b"<h1>Internal Server Error</h1><p>The server encountered an internal error and was unable to "
            b"complete your request. Please try again later.</p></body></html>\n",
            status="500 Internal Server Error",
            headers=BLOG_HEADERS,
        ),
    ]
    return fetches


# ---------------------------------------------------------------- copies on other sites


def other_site_page(
    title: str, paragraphs: list[str], site: str, extra_before: str = "", extra_after: str = ""
) -> str:
    """A plain news template for the sites that syndicate or reprint."""
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)} | {site}</title></head>
<body>
<header><nav><a href="/">{site}</a> <a href="/world">World</a> <a href="/politics">Politics</a>
<a href="/subscribe">Subscribe</a> <a href="/login">Log in</a></nav></header>
<main><article><h1>{html.escape(title)}</h1>
{extra_before}
{body}
{extra_after}
</article></main>
<footer><p>© 2024 {site}. All rights reserved.</p><a href="/privacy">Privacy policy</a>
<a href="/cookies">Cookie settings</a></footer>
</body></html>"""


def seed_copies(seed_text: str) -> list[Fetch]:
    """The seed article as four syndicating sites would serve it."""
    lines = [line for line in seed_text.splitlines() if line.strip()]
    article = [line.replace(SPAM_PHRASE, "") for line in lines[:9]]
    counters = lines[9:14]
    teasers = lines[14:]
    title = "NATO chief urges allies to change the trajectory of the war in Ukraine"
    sidebar = "<aside>" + "".join(f"<p>{html.escape(t)}</p>" for t in counters + teasers) + "</aside>"
    spammed = list(article)
    spammed[0] = spammed[0].replace("on Western", f"on {SPAM_PHRASE}Western")
    copies = [
        (
            "https://world-news-daily.example/2024/11/nato-rutte-ukraine",
            other_site_page(title, lines, "World News Daily"),
        ),
        (
            "https://metro-herald.example/news/nato-chief-ukraine",
            other_site_page(title, spammed, "Metro Herald", extra_after=sidebar),
        ),
        ("https://valley-times.example/ap/nato-rutte", other_site_page(title, article[:-2], "Valley Times")),
        ("https://coastal-post.example/world/ap-nato", other_site_page(title, article, "Coastal Post")),
    ]
    return [Fetch(url, body.encode()) for url, body in copies]


def reprints() -> list[Fetch]:
    """One Ledger story and one blog post republished on other sites: a new headline and intro line."""
    bridge = next(a for a in load_articles("riverside-ledger") if a.slug == "mill-street-bridge")
    bike = next(p for p in load_articles("fieldnotes") if p.slug == "winter-bike-commute")
    return [
        Fetch(
            "https://valleyweekly.example/region/riverside-bridge-closure-2025",
            other_site_page(
                "Riverside will close the Mill Street bridge for seven months",
                list(bridge.paragraphs),
                "Valley Weekly",
                extra_before="<p>This story was first published by The Riverside Ledger and is "
                "republished here with permission.</p>",
            ).encode(),
        ),
        Fetch(
            "https://pedal-digest.example/stories/winter-commute-notes",
            other_site_page(
                "Reader story: eleven kilometers to work, all winter",
                [typographic(p) for p in bike.paragraphs],  # as the blog printed it
                "Pedal Digest",
                extra_before="<p>We asked readers to share their winter commuting stories. This one comes "
                "from the blog Fieldnotes and appears with the author's permission.</p>",
            ).encode(),
        ),
    ]
