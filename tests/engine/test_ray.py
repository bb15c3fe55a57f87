"""The Ray engine: the same bytes as the local engine, and worker deaths survived."""

from __future__ import annotations

import functools
import os
from pathlib import Path

import pytest

from pipeline.dedup import partitioned
from pipeline.runner import run
from pipeline.stages import dedup as dedup_stage
from pipeline.stages import extract as extract_stage
from pipeline.stages import filter as filter_stage
from pipeline.storage.versions import list_versions
from tests.conftest import REPO, make_config
from tests.dedup import test_lines, test_partitioned
from tests.engine import faults
from tests.inputs import pages
from tests.stages import test_dedup, test_extract

ray = pytest.importorskip("ray")


@pytest.fixture(scope="module", autouse=True)
def local_ray():
    """A local Ray with 2 CPUs; workers import `tests` (for fault injection) from the repository."""
    ray.init(
        num_cpus=2,
        object_store_memory=200 * 2**20,
        include_dashboard=False,
        log_to_driver=False,
        runtime_env={
            "env_vars": {"PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])}
        },
    )
    yield
    ray.shutdown()


def published_bytes(corpus: Path) -> list[tuple[str, bytes]]:
    (version,) = list_versions(corpus)
    return [(p.name, p.read_bytes()) for p in sorted((corpus / version).glob("train-*.parquet"))]


def work_bytes(work: Path) -> dict[str, bytes]:
    return {str(p.relative_to(work)): p.read_bytes() for p in sorted(work.rglob("*.parquet"))}


def test_ray_engine_output_is_byte_identical_to_local(tmp_path, module_pages_warc):
    local = make_config(tmp_path / "local", [module_pages_warc], overrides=["engine=local", "workers=2"])
    on_ray = make_config(tmp_path / "ray", [module_pages_warc], overrides=["engine=ray", "workers=2"])
    run(local)
    run(on_ray)
    assert work_bytes(tmp_path / "local" / "work") == work_bytes(tmp_path / "ray" / "work")
    assert published_bytes(tmp_path / "local" / "corpus") == published_bytes(tmp_path / "ray" / "corpus")


def test_a_killed_worker_is_retried_and_the_result_is_unchanged(tmp_path, module_pages_warc, monkeypatch):
    overrides = ["engine=ray", "extract.records_per_shard=3"]  # several filter tasks
    clean = make_config(tmp_path / "clean", [module_pages_warc], overrides=overrides)
    run(clean)
    markers = tmp_path / "markers"
    markers.mkdir()
    killer = functools.partial(faults.die_once, filter_stage.filter_shard, str(markers))
    monkeypatch.setattr(filter_stage, "filter_shard", killer)
    faulty = make_config(tmp_path / "faulty", [module_pages_warc], overrides=overrides)
    run(faulty)
    assert len(list(markers.iterdir())) >= 3  # every filter task lost its worker once
    assert work_bytes(tmp_path / "clean" / "work") == work_bytes(tmp_path / "faulty" / "work")
    assert published_bytes(tmp_path / "clean" / "corpus") == published_bytes(tmp_path / "faulty" / "corpus")


@pytest.mark.parametrize(
    ("extractor", "limits", "reason"), [s[:3] for s in (test_extract.STALLS, test_extract.KILLS)]
)
def test_on_ray_a_page_that_stalls_or_kills_its_worker_is_an_error_and_the_run_completes(
    tmp_path, module_pages_warc, extractor, limits, reason
):
    overrides = ["engine=ray", *limits, "extract.batch_size=2", "ray.max_retries=1"]
    cfg = make_config(tmp_path, [module_pages_warc], overrides=overrides)
    stats = extract_stage.run(cfg, extractor=extractor)
    assert stats.errors == {reason: 1}
    assert stats.kept == len(pages()) + 1


def test_on_ray_dedup_clusters_by_partition_and_survives_killed_workers(tmp_path, monkeypatch):
    """Dedup on Ray shuffles by partition; with every grouping and merging task's worker killed once,
    the output still equals the local engine's in-memory clustering."""
    outputs = {}
    for name, overrides in {
        "local": ["engine=local"],
        "ray": ["engine=ray", "workers=2"],
        "faulty": ["engine=ray", "workers=2"],
    }.items():
        if name == "faulty":
            markers = tmp_path / "markers"
            markers.mkdir()
            for task in ("group_partition", "merge_forests"):
                original = getattr(partitioned, task)
                monkeypatch.setattr(
                    partitioned, task, functools.partial(faults.die_once, original, str(markers))
                )
        cfg = test_dedup.config(tmp_path, f"workdir={tmp_path / name}", *overrides)
        test_dedup.write_filtered(cfg, test_partitioned.corpus_rows())
        stats = dedup_stage.run(cfg)
        assert sum(stats.dropped.values()) >= 3
        outputs[name] = test_partitioned.dedup_bytes(cfg)
    assert len(list(markers.iterdir())) >= 5  # at least 4 partitions and a merge lost a worker
    assert outputs["local"] == outputs["ray"] == outputs["faulty"]


def test_keep_top_fraction_on_ray_keeps_what_the_local_engine_keeps(tmp_path):
    from pipeline.classifier.train import NEGATIVE, POSITIVE, examples_of, train
    from tests.filters.classifier_texts import SMALL, boilerplate, held_out, prose, write_jsonl

    (good, good_test), (bad, bad_test) = held_out(prose()), held_out(boilerplate())
    model = train(examples_of(good, POSITIVE) + examples_of(bad, NEGATIVE), SMALL, tmp_path / "q.bin")
    corpus = write_jsonl(tmp_path / "corpus.jsonl", good_test + bad_test)
    recipe = {
        "filters": [{"name": "classifier", "model": str(model), "keep_top_fraction": 0.4}],
        "extract": {"records_per_shard": 6},
    }
    for engine in ("local", "ray"):
        cfg = make_config(tmp_path / engine, [corpus], overrides=[f"engine={engine}", "workers=2"], **recipe)
        extract_stage.run(cfg)
        filter_stage.run(cfg)
    local, on_ray = (tmp_path / engine / "work" / "filter" for engine in ("local", "ray"))
    assert work_bytes(local) == work_bytes(on_ray) and len(work_bytes(local)) > 4
    assert (local / "cutoffs.json").read_text() == (on_ray / "cutoffs.json").read_text()


def test_on_ray_repeated_lines_are_removed_as_locally(tmp_path):
    """dedup.lines counts by partition on Ray too: the same lines go, the output is the same bytes."""
    outputs = {}
    for name, overrides in {"local": ["engine=local"], "ray": ["engine=ray", "workers=2"]}.items():
        cfg = test_dedup.config(
            tmp_path, f"workdir={tmp_path / name}", "dedup.lines.enabled=true", *overrides
        )
        test_dedup.write_filtered(cfg, test_lines.shards_of_one_site())
        stats = dedup_stage.run(cfg)
        assert stats.kept == 9
        outputs[name] = test_partitioned.dedup_bytes(cfg)
    assert outputs["local"] == outputs["ray"]
