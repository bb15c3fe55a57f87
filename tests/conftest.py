"""Shared fixtures: inputs we wrote (tests/data), WARCs our code builds, the real evaluation data in
../shared/evaldata where it exists, and recipes pointing at a temporary workdir."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
import yaml
from warcio.warcwriter import WARCWriter

from benchmarks.recipes import set_language_screen
from pipeline.config import Config, load_config
from pipeline.sources.warc import write_pages
from tests import warc_fixtures
from tests.filters import texts as filter_texts
from tests.filters.texts import Texts
from tests.inputs import EVALDATA, REPO, language_page, pages
from tests.warc_fixtures import WarcSet


@pytest.fixture(scope="session")
def evaldata() -> Path:
    """../shared/evaldata, or a skip where it is absent."""
    if not EVALDATA.is_dir():
        pytest.skip(f"needs the real evaluation data in {EVALDATA}, absent here")
    return EVALDATA


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
    return [(url, page) for url, page, _ in pages()] + [language_page("de"), language_page("fr")]


@pytest.fixture
def pages_warc(tmp_path: Path) -> Path:
    """A WARC of our article pages plus German and French pages."""
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
    # The language screen drops pages in other languages before extraction; the tests of
    # extraction and of what comes after it want every page extracted. tests/stages/
    # test_language_screen.py turns it on.
    set_language_screen(raw, on=False)
    raw.update(sections)
    return raw


def make_config(tmp_path: Path, sources: list, overrides: list[str] | None = None, **sections) -> Config:
    tmp_path.mkdir(parents=True, exist_ok=True)
    path = tmp_path / "recipe.yaml"
    path.write_text(yaml.safe_dump(recipe(tmp_path, sources, **sections)))
    return load_config(path, overrides)


@pytest.fixture(scope="session")
def our_warcs(tmp_path_factory) -> WarcSet:
    """The WARC and ARC files tests/warc_fixtures.py builds, and what each holds."""
    return warc_fixtures.build(tmp_path_factory.mktemp("warcs"))


@pytest.fixture(params=["ours", "evaldata"])
def warcs(request) -> WarcSet:
    """Our built files, then the real ones in ../shared/evaldata they stand in for (skipped where absent)."""
    if request.param == "ours":
        return request.getfixturevalue("our_warcs")
    return warc_fixtures.evaldata_warcs(request.getfixturevalue("evaldata"))


@pytest.fixture(scope="session", params=["ours", "evaldata"])
def texts(request) -> Texts:
    """Texts for the filter tests, by the behaviour each triggers: ours, then the real pages they stand in
    for (skipped where ../shared/evaldata is absent)."""
    if request.param == "ours":
        return filter_texts.our_texts()
    return filter_texts.real_texts(request.getfixturevalue("evaldata"))
