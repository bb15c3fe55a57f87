"""Shared fixtures: small real inputs from tests/data, and recipes pointing at a temporary workdir."""

from __future__ import annotations

import gzip
import html
import io
import json
from pathlib import Path

import pytest
import yaml
from warcio.warcwriter import WARCWriter

from pipeline.config import Config, load_config
from pipeline.sources.warc import write_pages

DATA = Path(__file__).parent / "data"
REPO = Path(__file__).parent.parent
CC_SAMPLE = DATA / "warc" / "cc-main-2020-34-sample.warc.gz"


def scrapinghub_pages() -> list[tuple[str, str, str]]:
    """(url, html, gold article text) for the benchmark pages copied into tests/data."""
    truth = json.loads((DATA / "scrapinghub" / "ground-truth.json").read_text())
    return [
        (
            truth[page]["url"],
            gzip.decompress((DATA / "scrapinghub" / "html" / f"{page}.html.gz").read_bytes()).decode("utf-8"),
            truth[page]["articleBody"],
        )
        for page in sorted(truth)
    ]


def lingua_page(language: str, sentences: int = 40) -> tuple[str, str]:
    lines = (DATA / "lingua" / language / "sentences.txt").read_text().splitlines()[:sentences]
    body = "\n".join(f"<p>{html.escape(' '.join(lines[i : i + 4]))}</p>" for i in range(0, len(lines), 4))
    page = f"<html><head><title>{language}</title></head><body><article>{body}</article></body></html>"
    return f"https://lingua.example/{language}", page


def seed_page() -> str:
    """The seed article wrapped as it was scraped: every line a paragraph of the article body."""
    lines = [line for line in (DATA / "seed-article.txt").read_text().splitlines() if line.strip()]
    body = "\n".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return (
        "<html><head><title>NATO chief urges allies to do more for Ukraine</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<article>{body}</article><footer>© News Site</footer></body></html>"
    )


def write_warc(path: Path, pages: list[tuple[str, str]]) -> Path:
    with open(path, "wb") as stream:
        write_pages(WARCWriter(stream, gzip=True), pages)
    return path


def warc_records(pages: list[tuple[str, str]], gzip: bool = True) -> list[bytes]:
    """Each page as the bytes of one WARC record (a gzip member of its own when `gzip`), so a
    test knows where every record starts and can damage the file between or inside them."""
    records = []
    for index, page in enumerate(pages):
        buffer = io.BytesIO()
        write_pages(WARCWriter(buffer, gzip=gzip), [page], first_index=index)
        records.append(buffer.getvalue())
    return records


def pages_with_languages() -> list[tuple[str, str]]:
    return [(url, page) for url, page, _ in scrapinghub_pages()] + [lingua_page("de"), lingua_page("fr")]


@pytest.fixture
def pages_warc(tmp_path: Path) -> Path:
    """A WARC of the real benchmark pages plus German and French pages."""
    return write_warc(tmp_path / "pages.warc.gz", pages_with_languages())


@pytest.fixture(scope="module")
def module_pages_warc(tmp_path_factory) -> Path:
    return write_warc(tmp_path_factory.mktemp("warc") / "pages.warc.gz", pages_with_languages())


def recipe(tmp_path: Path, sources: list[str], **sections) -> dict:
    raw = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    raw["sources"] = [{"path": str(s)} for s in sources]
    raw["workdir"] = str(tmp_path / "work")
    raw["publish"]["dir"] = str(tmp_path / "corpus")
    raw["workers"] = 1
    raw.update(sections)
    return raw


def make_config(tmp_path: Path, sources: list, overrides: list[str] | None = None, **sections) -> Config:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe(tmp_path, sources, **sections)))
    return load_config(path, overrides)
