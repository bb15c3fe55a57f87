"""The HTML report: its numbers are the manifest's, and it renders in a real browser."""

from __future__ import annotations

import os
import shutil
import subprocess

import numpy as np
import pytest

from pipeline.report import build_report, embedded_data
from pipeline.runner import run
from pipeline.storage.versions import list_versions, read_manifest
from tests.conftest import make_config

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def built(tmp_path_factory, request):
    tmp_path = tmp_path_factory.mktemp("report")
    pages_warc = request.getfixturevalue("module_pages_warc")
    cfg = make_config(tmp_path, [pages_warc])
    run(cfg)
    corpus = tmp_path / "corpus"
    (version,) = list_versions(corpus)
    return corpus, version, build_report(corpus, "latest")


def test_report_numbers_equal_the_manifest(built):
    corpus, version, path = built
    manifest = read_manifest(corpus, version)
    data = embedded_data(path.read_text())
    assert data["version"] == version
    assert data["documents"] == manifest["documents"]
    assert data["stages"] == manifest["stages"]
    assert data["funnel"][0] == ["records read", manifest["stages"]["extract"]["input"]]
    assert data["funnel"][-1] == ["published", manifest["documents"]]
    assert sum(n for _, n in data["languages"]) == manifest["documents"]
    assert sum(data["cluster_sizes"].values()) == manifest["documents"]
    removed = {stage: 0 for stage in manifest["stages"]}
    for row in data["reasons"]:
        removed[row["stage"]] += row["documents"]
    for stage, counts in manifest["stages"].items():
        assert removed[stage] == counts["dropped_total"] + counts["errors_total"], stage
    assert set(data["examples"]) == {r["reason"] for r in data["reasons"]}


def test_report_is_self_contained(built):
    page = built[2].read_text()
    assert page.count("<img") >= 7
    assert "src='http" not in page and "<link" not in page


@pytest.mark.skipif(CHROMIUM is None and not os.environ.get("CI"), reason="chromium not installed")
def test_report_renders_in_headless_chromium(built, tmp_path):
    assert CHROMIUM, "CI must install chromium (.ci/run does)"
    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            "--window-size=1200,1600",
            f"--screenshot={shot}",
            built[2].as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    import matplotlib.image

    pixels = matplotlib.image.imread(shot)[..., :3]
    not_white = (pixels < 0.95).any(axis=-1).mean()
    assert not_white > 0.05, f"screenshot is nearly blank ({not_white:.1%} non-white pixels)"
    assert np.unique(pixels.reshape(-1, 3), axis=0).shape[0] > 50  # text, bars, axes: many colours
