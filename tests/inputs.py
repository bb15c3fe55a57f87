"""What the tests read: the inputs we wrote in tests/data, and the real evaluation data in ../shared/evaldata.

tests/data holds only our own writing (see its README); the real data is read where it is, never copied.
"""

from __future__ import annotations

import gzip
import html
import json
from pathlib import Path

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
# Third-party data to read, never to copy (see its README); CI has it, a fresh clone may not.
EVALDATA = REPO.parent / "shared" / "evaldata"
# The ScrapingHub benchmark pages our article pages stand in for, in the same order: an English blog
# post, a Korean and a Portuguese page, three English news pages.
SCRAPINGHUB_IDS = (
    "0e014df693f182824fe5e24030ddbe1d0b96ddb9685cf20d5766457ed32ffa2d",
    "0ec95c7261d122f304728e90c983450ef1ce1e0b423546835c397d50aaf0d0f2",
    "11ea381ad92b5448cf66eae62f52ac565361a244c8881615fc6a7bb523cc0c32",
    "14cc2a0ca59c62a8c9f205a171e9ccf4ef4cf69b0c642f51c8c65c051b39024f",
    "156770d676ce79905198e1c8407f81e5ecfb617d9aa44712718707eb7e3b8e38",
    "16c30add7e96315e9cc957d85aa876ccb6b70055f0ddab51547a586117cc1f56",
)


def page_index() -> list[dict[str, str]]:
    return json.loads((DATA / "pages" / "pages.json").read_text())


def pages() -> list[tuple[str, str, str]]:
    """(url, html, gold article text) of the article pages we wrote: an English blog post, a Korean and a
    Portuguese news page, then three English news pages."""
    return [
        (
            page["url"],
            (DATA / "pages" / f"{page['name']}.html").read_text(),
            (DATA / "pages" / f"{page['name']}.txt").read_text().rstrip("\n"),
        )
        for page in page_index()
    ]


def scrapinghub_pages(evaldata: Path) -> list[tuple[str, str, str]]:
    """(url, html, gold article text) of the ScrapingHub benchmark pages in SCRAPINGHUB_IDS."""
    folder = evaldata / "extraction" / "scrapinghub-aeb"
    truth = json.loads((folder / "ground-truth.json").read_text())
    return [
        (
            truth[page]["url"],
            gzip.decompress((folder / "html" / f"{page}.html.gz").read_bytes()).decode("utf-8"),
            truth[page]["articleBody"],
        )
        for page in SCRAPINGHUB_IDS
    ]


def extracted_texts() -> list[dict]:
    """tests/data/extracted: texts as an extractor gives them, each written to trigger one filter
    behaviour (`why`), with the strings a test looks for in it (`facts`), and the URL it is filed under."""
    index = json.loads((DATA / "extracted" / "index.json").read_text())
    return [
        {**entry, "text": (DATA / "extracted" / f"{entry['name']}.txt").read_text().rstrip("\n")}
        for entry in index
    ]


def sentences(language: str, n: int | None = None) -> list[str]:
    """The first `n` of the sentences we wrote in `language` (en, de, fr, es, ja, ru; 60 each)."""
    return (DATA / "texts" / f"{language}.txt").read_text().splitlines()[:n]


def language_page(language: str, sentences_per_page: int = 40) -> tuple[str, str]:
    lines = sentences(language, sentences_per_page)
    body = "\n".join(f"<p>{html.escape(' '.join(lines[i : i + 4]))}</p>" for i in range(0, len(lines), 4))
    page = f"<html><head><title>{language}</title></head><body><article>{body}</article></body></html>"
    return f"https://languages.example/{language}", page


def seed_lines() -> list[str]:
    """The seed article's non-empty lines: 9 article lines, 5 view counters, then truncated teasers."""
    return [line for line in (DATA / "seed-article.txt").read_text().splitlines() if line.strip()]


def seed_page() -> str:
    """The seed article wrapped as it was scraped: every line a paragraph of the article body."""
    lines = seed_lines()
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (
        "<html><head><title>NATO chief urges allies to do more for Ukraine</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article>{body}</article><footer>© News Site</footer></body></html>"
    )
