"""Partitioned clustering: the same clusters (so the same bytes) as clustering in memory."""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import ConfigError
from pipeline.dedup.index import INDEX_PATH
from pipeline.dedup.lsh import components
from pipeline.dedup.partitioned import spanning_forest
from pipeline.engine import LocalExecutor
from pipeline.runner import run
from pipeline.stages import dedup
from pipeline.storage.versions import list_versions
from tests.conftest import make_config, write_warc
from tests.inputs import pages
from tests.stages.test_dedup import articles, config, edited, write_filtered


def corpus_rows() -> list[list[dict]]:
    """Five shards: near-copy families spread across them, exact copies, short and empty texts."""
    texts = articles()
    rows = [{"text": t, "language_score": (i % 7) / 7} for i, t in enumerate(texts)]
    copies = [
        {"text": edited(texts[0]), "language_score": 0.99},
        {"text": edited(texts[0], every=50), "language_score": 0.2},
        {"text": texts[5].upper(), "language_score": 0.5},
        {"text": edited(texts[4], every=40), "language_score": 0.95},
        {"text": texts[4] + " A closing line only this copy has, about the story.", "language_score": 0.1},
        {"text": "Share", "language_score": 0.3},
        {"text": "", "language_score": 0.3},
        {"text": "share!", "language_score": 0.3},
        {"text": edited(edited(texts[1]), every=30), "language_score": 0.6},
    ]
    return [rows[:3], copies[:4], [], rows[3:], copies[4:]]


def dedup_bytes(cfg) -> dict[str, bytes]:
    work = cfg.work_path / "dedup"
    return {str(p.relative_to(work)): p.read_bytes() for p in sorted(work.rglob("*.parquet"))}


@pytest.mark.parametrize(
    "overrides",
    [
        (),
        ("dedup.keep=longest",),
        ("dedup.keep=best", "dedup.best_signal=language_score"),
        ("dedup.verify=false",),
        ("dedup.near=false",),
        ("dedup.exact=false",),
        ("workers=2",),
    ],
)
def test_partitioned_clustering_writes_the_same_bytes_as_in_memory(tmp_path, overrides):
    outputs = []
    for clustering in ("in_memory", "partitioned"):
        cfg = config(
            tmp_path, f"workdir={tmp_path / clustering}", f"dedup.clustering={clustering}", *overrides
        )
        write_filtered(cfg, corpus_rows())
        dedup.run(cfg)
        outputs.append(dedup_bytes(cfg))
        assert not (cfg.work_path / "dedup" / dedup.SCRATCH).exists()
    assert outputs[0] == outputs[1]
    assert len(outputs[0]) == 15  # five shards, each with documents, ledger and signatures


def test_partition_count_does_not_change_the_clusters(tmp_path, monkeypatch):
    from pipeline.dedup import partitioned

    outputs = []
    for rows_per_partition in (10**9, 7):  # one partition per worker, then hundreds
        monkeypatch.setattr(partitioned, "ROWS_PER_PARTITION", rows_per_partition)
        cfg = config(
            tmp_path, f"workdir={tmp_path / str(rows_per_partition)}", "dedup.clustering=partitioned"
        )
        write_filtered(cfg, corpus_rows())
        dedup.run(cfg)
        outputs.append(dedup_bytes(cfg))
    assert outputs[0] == outputs[1]


def test_the_driver_receives_only_counts(tmp_path):
    """Every task result that reaches the driver is a flag or a count, never fingerprints or edges."""

    class Recording(LocalExecutor):
        results: ClassVar[list] = []

        def map(self, fn, units):
            for result in super().map(fn, units):
                self.results.append(result)
                yield result

    cfg = config(tmp_path, "dedup.clustering=partitioned")
    write_filtered(cfg, corpus_rows())
    executor = Recording(workers=1)
    plan = dedup.decide_partitioned(
        sorted((cfg.work_path / "filter").glob("part-*.parquet")), [], cfg, executor, tmp_path / "scratch"
    )
    assert plan.partitions >= 2
    assert Recording.results and all(isinstance(r, bool | int) for r in Recording.results)


def test_best_signal_no_document_has_is_an_error_when_partitioned(tmp_path):
    cfg = config(
        tmp_path, "dedup.keep=best", "dedup.best_signal=no_such_signal", "dedup.clustering=partitioned"
    )
    write_filtered(cfg, [[{"text": t} for t in articles()]])
    with pytest.raises(ConfigError, match="no_such_signal"):
        dedup.run(cfg)


def test_against_a_published_version_matches_in_memory(tmp_path):
    published = [(url, page) for url, page, _ in pages()]
    run(make_config(tmp_path, [write_warc(tmp_path / "v1.warc.gz", published)], filters=[]))
    (version,) = list_versions(tmp_path / "corpus")
    # A large corpus's index has many row groups, and partitioned clustering reads one per task.
    index_path = tmp_path / "corpus" / version / INDEX_PATH
    index = pq.read_table(index_path)
    index_path.chmod(0o644)
    index_path.parent.chmod(0o755)
    pq.write_table(index, index_path, row_group_size=2)
    assert pq.ParquetFile(index_path).num_row_groups >= 3
    outputs = []
    for clustering in ("in_memory", "partitioned"):
        against = f"dedup.against=[{tmp_path / 'corpus' / version}]"
        cfg = config(tmp_path, f"workdir={tmp_path / clustering}", against, f"dedup.clustering={clustering}")
        write_filtered(cfg, [[{"text": edited(articles()[3])}, {"text": articles()[0]}], [{"text": "new"}]])
        stats = dedup.run(cfg)
        assert stats.dropped == {"near_duplicate_of_published": 1, "exact_duplicate_of_published": 1}
        outputs.append(dedup_bytes(cfg))
    assert outputs[0] == outputs[1]


edge_lists = st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=120)


@settings(max_examples=200, deadline=None)
@given(edge_lists, st.integers(1, 6))
def test_merged_forests_label_nodes_as_components_of_all_edges(edges, pieces):
    edges = np.array(edges, dtype=np.int64).reshape(-1, 2)
    forests = [spanning_forest(chunk) for chunk in np.array_split(edges, pieces)]
    merged = spanning_forest(np.concatenate(forests))
    label = components(61, edges)
    nodes = np.unique(edges)
    assert np.array_equal(merged[:, 0], nodes)
    assert np.array_equal(merged[:, 1], label[nodes])
