import errno
import resource
from contextlib import contextmanager

import pyarrow as pa
import pytest

from pipeline.storage.shards import write_table, write_text


@contextmanager
def file_size_limit(limit: int):
    """The kernel refuses to grow a file of this process past `limit` bytes (EFBIG), as a full disk would."""
    soft, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, (soft, hard))


@pytest.mark.parametrize(
    "write",
    [
        lambda path: write_table(pa.table({"text": [str(i) * 50 for i in range(2000)]}), path),
        lambda path: write_text(path, "x" * 100_000),
    ],
    ids=["parquet", "text"],
)
def test_a_failed_write_leaves_nothing_and_names_the_file(tmp_path, write):
    path = tmp_path / "out" / "part-00000.parquet"
    with file_size_limit(4096), pytest.raises(OSError) as failure:
        write(path)
    # Arrow's error names no file and the temporary name would mean nothing: the error names `path`.
    assert failure.value.errno == errno.EFBIG and failure.value.filename == str(path)
    assert list((tmp_path / "out").iterdir()) == []
