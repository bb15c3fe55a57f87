import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.storage.layout import plan_files


def write_part(path, rows: int, text_len: int):
    """Distinct texts (no dictionary encoding), so Parquet's sizes are the texts' sizes."""
    rng = np.random.default_rng(rows)
    texts = ["".join(rng.choice(list("abcdefgh "), text_len)) for _ in range(rows)]
    pq.write_table(pa.table({"text": texts}), path, compression="none", use_dictionary=False)
    return path


def test_plan_covers_every_row_once_in_order(tmp_path):
    parts = [write_part(tmp_path / f"part-{i}.parquet", rows, 100) for i, rows in enumerate([30, 0, 45])]
    files = plan_files(parts, row_group_bytes=2_000, file_bytes=5_000)
    covered = [(s.part.name, s.start, s.rows) for plan in files for group in plan for s in group]
    rows_by_part = {}
    for name, start, rows in covered:
        assert start == rows_by_part.get(name, 0)  # contiguous, in order
        rows_by_part[name] = start + rows
    assert rows_by_part == {"part-0.parquet": 30, "part-2.parquet": 45}
    assert len(files) > 1


def test_row_groups_stay_under_their_byte_target(tmp_path):
    part = write_part(tmp_path / "part-0.parquet", 200, 100)
    for plan in plan_files([part], row_group_bytes=3_000, file_bytes=10**9):
        for group in plan:
            assert sum(s.rows for s in group) * (100 + 48) <= 3_000 * 1.1


def test_a_document_larger_than_a_row_group_gets_its_own(tmp_path):
    part = write_part(tmp_path / "part-0.parquet", 3, 10_000)
    (plan,) = plan_files([part], row_group_bytes=1_000, file_bytes=10**9)
    assert [sum(s.rows for s in group) for group in plan] == [1, 1, 1]


def test_same_parts_same_plan(tmp_path):
    parts = [write_part(tmp_path / f"part-{i}.parquet", 50, 80) for i in range(3)]
    assert plan_files(parts, 2_000, 6_000) == plan_files(parts, 2_000, 6_000)
