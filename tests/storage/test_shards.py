import errno
import resource
import subprocess
import sys
from contextlib import contextmanager
from datetime import datetime, timezone

import pyarrow as pa
import pytest

from pipeline.schema import EXTRACTED
from pipeline.storage.arrow_values import rows_table
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


def test_rows_become_the_table_pyarrow_would_build_without_pandas():
    moment = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
    rows = [
        {
            "id": "a",
            "text": "Grüße — ok",
            "title": None,
            "url": "https://x.test/a",
            "source_file": "f.warc",
            "record_index": 0,
            "record_offset": None,
            "warc_record_id": "<urn:1>",
            "fetch_date": moment,
            "content_type": "text/html",
            "charset": None,
            "html_bytes": 12,
            "extractor": "trafilatura 2",
        },
        {
            "id": "b",
            "text": "",
            "title": "T",
            "url": None,
            "source_file": "f.warc",
            "record_index": 2**40,
            "record_offset": 7,
            "warc_record_id": None,
            "fetch_date": None,
            "content_type": None,
            "charset": "utf-8",
            "html_bytes": None,
            "extractor": None,
        },
    ]
    for batch in (rows, rows[:1], []):
        table = rows_table(batch, EXTRACTED)
        assert table.equals(pa.Table.from_pylist(batch, schema=EXTRACTED)) and table.schema.equals(EXTRACTED)
    script = "import sys; from pipeline.storage.arrow_values import rows_table; "
    script += "from pipeline.schema import EXTRACTED; "
    script += "rows_table([{'id': 'a', 'text': 't', 'source_file': 'f', 'record_index': 1}], EXTRACTED); "
    script += "print('pandas' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
