"""Rebuild data/sample/sample.warc.gz from real pages, reproducibly (same inputs -> same bytes).

Contents, in order:
  1. every record of the real Common Crawl sample WARC (warcinfo, request, response, metadata);
  2. the 181 ScrapingHub article-extraction-benchmark pages as HTTP 200 responses;
  3. non-English pages built from Lingua's real web sentences (German, French, Japanese);
  4. planted syndicated copies: the seed AP article on four "other sites" (different boilerplate,
     one with an inserted spam phrase, one with a truncated tail), plus two re-published copies of a
     benchmark article.

Usage (after `pip install -e .`):
    python data/sample/make_sample.py [--evaldata ../shared/evaldata] [--out data/sample/sample.warc.gz]
"""

from __future__ import annotations

import argparse
import gzip
import html
import io
import json
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from pipeline.sources.warc import write_pages

HERE = Path(__file__).resolve().parent
SPAM_PHRASE = "Chainkeen Exchange"


def page(title: str, paragraphs: list[str], site: str, extra_before: str = "", extra_after: str = "") -> str:
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


def seed_copies(seed_text: str) -> list[tuple[str, str]]:
    """The seed article as four syndicating sites would serve it."""
    lines = [line for line in seed_text.splitlines() if line.strip()]
    article = [line.replace(SPAM_PHRASE, "") for line in lines[:9]]
    counters = lines[9:14]
    teasers = lines[14:]
    title = "NATO chief urges allies to change the trajectory of the war in Ukraine"
    sidebar = "<aside>" + "".join(f"<p>{html.escape(t)}</p>" for t in counters + teasers) + "</aside>"
    spammed = list(article)
    spammed[0] = spammed[0].replace("on Western", f"on {SPAM_PHRASE}Western")
    return [
        (
            "https://world-news-daily.example/2024/11/nato-rutte-ukraine",
            page(title, lines, "World News Daily"),
        ),
        (
            "https://metro-herald.example/news/nato-chief-ukraine",
            page(title, spammed, "Metro Herald", extra_after=sidebar),
        ),
        ("https://valley-times.example/ap/nato-rutte", page(title, article[:-2], "Valley Times")),
        ("https://coastal-post.example/world/ap-nato", page(title, article, "Coastal Post")),
    ]


def lingua_page(evaldata: Path, language: str, count: int = 40) -> tuple[str, str]:
    sentences = (evaldata / "langid/lingua" / language / "sentences.txt").read_text().splitlines()[:count]
    paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
    url = f"https://lingua-sample.example/{language}/sentences"
    return url, page(f"Lingua {language}", paragraphs, f"Lingua {language}").replace(
        'lang="en"', f'lang="{language}"'
    )


def build(evaldata: Path, out: Path) -> int:
    ground_truth = json.loads((evaldata / "extraction/scrapinghub-aeb/ground-truth.json").read_text())
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=True)
    count = 0

    with open(evaldata / "warc/cc-main-2020-34-sample.warc.gz", "rb") as stream:
        for record in ArchiveIterator(stream):
            writer.write_record(record)
            count += 1

    pages = []
    for page_id in sorted(ground_truth):
        body = gzip.decompress((evaldata / f"extraction/scrapinghub-aeb/html/{page_id}.html.gz").read_bytes())
        pages.append((ground_truth[page_id]["url"], body.decode("utf-8", errors="replace")))

    pages += [lingua_page(evaldata, lang) for lang in ("de", "fr", "ja")]
    pages += seed_copies((evaldata / "seed-article.txt").read_text())
    first_id = sorted(ground_truth)[0]
    gold = ground_truth[first_id]["articleBody"].split("\n")
    gold = [p for p in gold if p.strip()]
    pages += [
        (
            "https://tech-mirror.example/games/cloud-gaming",
            page("So many ways to play", gold, "Tech Mirror"),
        ),
        (
            "https://daily-digest.example/reprint/cloud-gaming",
            page(
                "So many ways to play",
                gold[:-1],
                "Daily Digest",
                extra_before="<p>Reprinted with permission.</p>",
            ),
        ),
    ]
    count += write_pages(writer, pages)

    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(buffer.getvalue())
    return count


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=HERE.parents[1] / ".." / "shared" / "evaldata")
    parser.add_argument("--out", type=Path, default=HERE / "sample.warc.gz")
    args = parser.parse_args()
    count = build(args.evaldata.resolve(), args.out)
    print(f"wrote {count} records to {args.out} ({args.out.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
