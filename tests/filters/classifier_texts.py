"""Training texts for the quality-classifier tests: prose, and the furniture of web pages, all ours.

The prose is the article text of our English pages (tests/data/pages) and our English sentences
(tests/data/texts/en.txt); the boilerplate is the navigation, footers, cookie banners, share
buttons, newsletter boxes and link lists of those same pages' HTML, plus the lines below. Each
list is split the same way every time: every fourth item is held out, for checks the model never
trained on.
"""

from __future__ import annotations

import json
from pathlib import Path

import lxml.html

from pipeline.classifier.train import Hyperparameters
from tests.inputs import DATA, page_index

# Small and many epochs: a few hundred examples, a model of about 1.4 MB, trained in a fraction of a second.
SMALL = Hyperparameters(dim=16, bucket=20_000, epoch=25, lr=0.5)

# Written for these tests in the shapes the furniture of real sites takes.
OWN_BOILERPLATE = [
    "Home | News | Sport | Weather | Business | Culture | Contact us",
    "We use cookies to improve your experience. Accept all | Reject all | Manage preferences",
    "This site uses cookies. By continuing to browse you agree to our cookie policy. OK",
    "Share on Facebook Share on X Share by email Copy link Print this page",
    "© 2024 Harbour Media Group. All rights reserved. Terms of use · Privacy notice · Sitemap",
    "Subscribe to our newsletter Enter your email address Sign up No spam, unsubscribe anytime",
    "Skip to main content Toggle navigation Search Log in Register My account",
    "Previous article Next article Related articles More from this section",
    "Trending now: Ten gadgets under 20 dollars | Best budget phones | How to clean an oven",
    "Advertisement Scroll to continue with content",
    "Follow us Facebook Instagram YouTube LinkedIn RSS",
    "About | Careers | Advertise with us | Help centre | Accessibility | Contact",
    "Read more Read less Show comments (14) Leave a reply",
    "Tags: gardening, balcony, herbs, summer, tips Categories: Outdoors, How-to",
    "Sign in to comment Already a subscriber? Log in Not a subscriber? Join today",
    "Most read 1. Council approves budget 2. Storm warning issued 3. School league results",
    "Page 1 2 3 4 5 … 12 Next » Last",
    "Your privacy choices Do not sell my personal information Cookie settings",
    "Download our app Available on the App Store Get it on Google Play",
    "Breadcrumb: Home › Lifestyle › Food › Recipes › Quick dinners",
]

FURNITURE = (
    "//nav|//footer|//aside|//header|//*[contains(@class,'cookie')]|//*[contains(@class,'share')]"
    "|//*[contains(@class,'related')]|//*[contains(@class,'newsletter')]"
)


def english_pages() -> list[str]:
    return [page["name"] for page in page_index() if page["language"] == "en"]


def prose() -> list[str]:
    """Paragraphs of at least 12 words from our English articles, and our sentences three at a time."""
    paragraphs = [
        paragraph
        for name in english_pages()
        for paragraph in (DATA / "pages" / f"{name}.txt").read_text().split("\n")
        if len(paragraph.split()) >= 12
    ]
    sentences = (DATA / "texts" / "en.txt").read_text().splitlines()
    return paragraphs + [" ".join(sentences[i : i + 3]) for i in range(0, len(sentences), 3)]


def boilerplate() -> list[str]:
    """The furniture blocks of all our pages' HTML (each once), then our own lines."""
    blocks: list[str] = []
    for page in page_index():
        tree = lxml.html.fromstring((DATA / "pages" / f"{page['name']}.html").read_bytes())
        for element in tree.xpath(FURNITURE):
            block = " ".join(element.text_content().split())
            if len(block.split()) >= 2 and block not in blocks:
                blocks.append(block)
    return blocks + OWN_BOILERPLATE


def held_out(items: list[str]) -> tuple[list[str], list[str]]:
    """(train, test): every fourth item is kept for testing."""
    return [t for i, t in enumerate(items) if i % 4], [t for i, t in enumerate(items) if i % 4 == 0]


def write_jsonl(path: Path, texts: list[str], **fields: list) -> Path:
    """One JSON object per text, with an id, a URL, the text and any `fields` given as lists."""
    rows = [
        {"id": f"{path.stem}-{i}", "url": f"https://{path.stem}.example/{i}", "text": text}
        | {name: values[i] for name, values in fields.items()}
        for i, text in enumerate(texts)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path
