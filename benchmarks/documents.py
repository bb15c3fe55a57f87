"""The inputs every comparison shares: the benchmark WARC (split for datatrove) and its extracted text.

Extraction runs once per work directory (Sift's extract stage, trafilatura) and is reused while the
WARC, the extract options and trafilatura's version stay the same.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
from warcio.archiveiterator import ArchiveIterator

from pipeline.config import Config, validate_config
from pipeline.extraction import extractor_name
from pipeline.stages import extract


def split_warc(warc: Path, workdir: Path, parts: int) -> Path:
    """Copy the records of a gzipped WARC into `parts` files of consecutive records, byte for byte.

    datatrove parallelizes over files (a task reads whole files), so with one input file only one of
    its workers would work; Sift parallelizes over records and reads the same split files. Returns the
    folder that holds only the split files.
    """
    out_dir, marker = workdir / "warc", workdir / "split.json"
    identity = {"warc": str(warc), "bytes": warc.stat().st_size, "parts": parts}
    if marker.is_file() and out_dir.is_dir() and json.loads(marker.read_text()) == identity:
        return out_dir
    shutil.rmtree(out_dir, ignore_errors=True)
    out_dir.mkdir(parents=True)
    with warc.open("rb") as stream:
        iterator = ArchiveIterator(stream)
        offsets = [iterator.get_record_offset() for _ in iterator]
    offsets.append(warc.stat().st_size)
    records = len(offsets) - 1
    bounds = [records * i // parts for i in range(parts + 1)]
    with warc.open("rb") as stream:
        for part in range(parts):
            start, end = offsets[bounds[part]], offsets[bounds[part + 1]]
            stream.seek(start)
            (out_dir / f"part-{part:02d}.warc.gz").write_bytes(stream.read(end - start))
    marker.write_text(json.dumps(identity))
    return out_dir


def extract_recipe(warc: Path, workdir: Path, base: Config, workers: int) -> Config:
    return validate_config(
        {
            "sources": [{"path": str(warc), "format": "warc"}],
            "workdir": str(workdir),
            "workers": workers,
            "extract": base.extract.model_dump(),
            "publish": {"dir": str(workdir / "corpus")},
        },
        origin="benchmark extract recipe",
    )


def extracted_documents(warc: Path, workdir: Path, base: Config, workers: int = 2) -> pl.DataFrame:
    """The documents Sift's extract stage makes of `warc` (cached in `workdir`)."""
    cfg = extract_recipe(warc, workdir, base, workers)
    marker = workdir / "extracted.json"
    identity = {
        "warc": str(warc),
        "bytes": warc.stat().st_size,
        "extractor": extractor_name(cfg.extract.model_dump()),
        "options": cfg.extract.model_dump(),
    }
    if not (marker.is_file() and json.loads(marker.read_text()) == identity):
        extract.run(cfg)
        marker.write_text(json.dumps(identity))
    parts = sorted((workdir / "extract").glob("part-*.parquet"))
    return pl.concat([pl.from_arrow(pq.read_table(p)) for p in parts])
