"""Arrow arrays and tables from Python and numpy values, without pyarrow's conversion of them: that
conversion imports pandas (0.25-0.35 CPU s a process), which a small run's every process paid for a
few calls. polars converts without it, and numbers can be read from Arrow buffers directly.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pyarrow as pa

# Arrow types of rows built in Python, and the polars types that hold them on the way (`rows_table`).
POLARS_TYPES = {
    pa.string(): pl.Utf8,
    pa.int64(): pl.Int64,
    pa.float64(): pl.Float64,
    pa.timestamp("us", tz="UTC"): pl.Datetime("us", "UTC"),
}


def rows_table(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """`pa.Table.from_pylist(rows, schema=schema)`."""
    frame = pl.DataFrame(rows, schema={field.name: POLARS_TYPES[field.type] for field in schema})
    return frame.to_arrow().cast(schema)


def array_of(values: np.ndarray, type: pa.DataType | None = None) -> pa.Array:
    """`pa.array(values, type=type)` for a numpy array of numbers or booleans."""
    array = pl.Series(values).to_arrow()
    return array if type is None or array.type == type else array.cast(type)


def repeated(value: str, times: int) -> pa.Array:
    """`pa.array([value] * times, pa.string())`."""
    return pl.repeat(value, times, dtype=pl.Utf8, eager=True).to_arrow().cast(pa.string())


def int64s(counts: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """An integer column as int64 numpy, read from its values buffer (pyarrow's `to_numpy` imports pandas)."""
    array = counts.combine_chunks() if isinstance(counts, pa.ChunkedArray) else counts
    if not len(array):
        return np.zeros(0, dtype=np.int64)
    if array.null_count:
        return array.to_numpy(zero_copy_only=False).astype(np.int64)
    values = np.frombuffer(array.buffers()[1], dtype=array.type.to_pandas_dtype())
    return values[array.offset : array.offset + len(array)].astype(np.int64)
