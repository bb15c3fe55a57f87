"""Text folding, the text dedup compares: per character NFKD, lowercased, accents dropped, digits to 0,
and words (runs of letters, marks and numbers) joined by one space (docs/dedup.md).

Each code point's folded form comes from a table (`fold_pieces`) that Python's `unicodedata` defines;
building it takes ~0.4 CPU s, so the table of the running Python's Unicode version ships in
`data/` (`python -m pipeline.dedup.folding` writes it) and is built only where none matches.

Two ways through a batch, with the same bytes out (tests/dedup/test_folding.py): a compiled pass
over the UTF-8 bytes (`_fold`), and for a small batch in a process that has not started numba,
Python's `str.translate` with the same table (numba's start-up costs more than a small batch).
"""

from __future__ import annotations

import gzip
import sys
import unicodedata
from functools import cache
from importlib import resources

import numpy as np
import polars as pl
import pyarrow as pa

from pipeline.jit import kernels_started, njit

# Code points folded by table (planes 0 and 1: every script in current use, symbols, emoji); those
# above are CJK extension ideographs and other word characters, kept as they are.
FOLD_TABLE_SIZE = 0x20000
SPACE = 32  # the byte between words
# Up to this many UTF-8 bytes, a process that has not started numba folds a batch by str.translate
# and signs it by numpy steps (`minhash_by_numpy`): 0.025 + 0.06 CPU s a MB of bench text, against
# 0.004 + 0.004 compiled once numba's first call (0.6-0.7 CPU s) is paid: even at ~8 MB.
SMALL_BATCH_BYTES = 8_000_000
SEPARATOR = "\x00"  # between the shipped table's pieces: no piece holds it (control characters fold to " ")


def fold_char(char: str) -> str:
    """One character of NFKD-decomposed, lowercased text: accent dropped, digit to 0, non-word to space."""
    if "\u0300" <= char <= "\u036f":  # Combining Diacritical Marks: the accents
        return ""
    category = unicodedata.category(char)
    if category == "Nd":
        return "0"
    return char if category[0] in "LMN" else " "


def built_fold_pieces() -> list[str]:
    """Each code point below FOLD_TABLE_SIZE's folded form, from this Python's unicodedata."""
    pieces = []
    for code_point in range(FOLD_TABLE_SIZE):
        if 0xD800 <= code_point < 0xE000:  # surrogates never occur in valid UTF-8
            pieces.append(" ")
            continue
        decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", chr(code_point)).lower())
        pieces.append("".join(fold_char(c) for c in decomposed))
    return pieces


def shipped_table_name(unicode_version: str = unicodedata.unidata_version) -> str:
    return f"fold_table-unicode-{unicode_version}.txt.gz"


@cache
def fold_pieces() -> list[str]:
    """The folding table: the shipped one of this Python's Unicode version, else built here."""
    shipped = resources.files("pipeline.dedup").joinpath("data", shipped_table_name())
    if not shipped.is_file():
        return built_fold_pieces()
    return gzip.decompress(shipped.read_bytes()).decode().split(SEPARATOR)


@cache
def fold_table() -> tuple[np.ndarray, np.ndarray]:
    """The table as (offsets, UTF-8 bytes) arrays for the compiled pass."""
    pieces = [piece.encode() for piece in fold_pieces()]
    offsets = np.zeros(len(pieces) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(piece) for piece in pieces])
    return offsets, np.frombuffer(b"".join(pieces), dtype=np.uint8)


def arrow_buffers(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The UTF-8 bytes and int64 offsets of a string column, without copying per string."""
    array = texts.to_arrow()
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    array = array.cast(pa.large_string())
    if array.null_count:  # only then: a Python "" for pyarrow to convert makes it import pandas (~0.3 s)
        array = array.fill_null("")
    _, offset_buffer, data_buffer = array.buffers()
    offsets = np.frombuffer(offset_buffer, dtype=np.int64)[array.offset : array.offset + len(array) + 1]
    data = np.frombuffer(data_buffer, dtype=np.uint8) if data_buffer else np.zeros(1, dtype=np.uint8)
    return data, offsets


def fold(texts: pl.Series) -> tuple[np.ndarray, np.ndarray]:
    """The normalized texts (see `normalized`) as Arrow-style (UTF-8 bytes, int64 offsets) buffers."""
    if small_batch(int(texts.str.len_bytes().sum() or 0)):
        return fold_by_translate(texts.fill_null("").to_list())
    return fold_compiled(*arrow_buffers(texts))


def small_batch(size_bytes: int) -> bool:
    """Whether a batch of this many UTF-8 bytes takes the way without numba in this process."""
    return size_bytes <= SMALL_BATCH_BYTES and not kernels_started()


def fold_compiled(data: np.ndarray, offsets: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`fold` by the compiled pass over Arrow-style buffers."""
    table_offsets, table_bytes = fold_table()
    out_offsets = np.empty(len(offsets), dtype=np.int64)
    # Folding rarely lengthens text (only a few compatibility characters expand): try the input's size.
    out = np.empty(len(data) + 64, dtype=np.uint8)
    size = _fold(data, offsets, table_offsets, table_bytes, out, out_offsets)
    if size > len(out):
        out = np.empty(size, dtype=np.uint8)
        _fold(data, offsets, table_offsets, table_bytes, out, out_offsets)
    return out[:size], out_offsets


def fold_by_translate(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """`fold` by Python's str.translate: the same bytes as the compiled pass."""
    table = fold_pieces()  # a code point past its end raises IndexError, so translate keeps it as is
    folded = [" ".join(text.translate(table).split()).encode() for text in texts]
    offsets = np.zeros(len(folded) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(text) for text in folded])
    data = np.frombuffer(b"".join(folded), dtype=np.uint8) if offsets[-1] else np.zeros(1, dtype=np.uint8)
    return data, offsets


def normalized(texts: pl.Series) -> pl.Series:
    """The text dedup compares, as a string column (see the module's docstring)."""
    data, offsets = fold(texts)
    array = pa.LargeStringArray.from_buffers(len(texts), pa.py_buffer(offsets), pa.py_buffer(data))
    return pl.from_arrow(array).rename(texts.name)


@njit(cache=True, nogil=True, inline="always")
def _decode(data: np.ndarray, i: int) -> tuple[int, int]:
    """The code point of the UTF-8 sequence starting at byte i, and the index after it."""
    lead = np.int64(data[i])
    if lead < 0xE0:
        return ((lead & 0x1F) << 6) | (data[i + 1] & 0x3F), i + 2
    if lead < 0xF0:
        return ((lead & 0x0F) << 12) | ((data[i + 1] & 0x3F) << 6) | (data[i + 2] & 0x3F), i + 3
    code_point = ((lead & 0x07) << 18) | ((data[i + 1] & 0x3F) << 12) | ((data[i + 2] & 0x3F) << 6)
    return code_point | (data[i + 3] & 0x3F), i + 4


@njit(cache=True, nogil=True)
def _fold(
    data: np.ndarray,
    offsets: np.ndarray,
    table_offsets: np.ndarray,
    table_bytes: np.ndarray,
    out: np.ndarray,
    out_offsets: np.ndarray,
) -> int:
    """Fold each text through the table, words joined by single spaces; returns the bytes needed.

    Writes only while they fit in `out`; if the result is larger, call again with a larger `out`.
    """
    size = out.shape[0]
    position = 0
    for d in range(offsets.shape[0] - 1):
        out_offsets[d] = position
        space_due = False
        i = offsets[d]
        end = offsets[d + 1]
        while i < end:
            lead = data[i]
            if lead < 0x80:  # ASCII: one byte in, one out (letter, digit 0 or space)
                piece, piece_end, source, i = table_offsets[lead], table_offsets[lead] + 1, table_bytes, i + 1
            else:
                start = i
                code_point, i = _decode(data, i)
                if code_point < table_offsets.shape[0] - 1:
                    piece, piece_end, source = (
                        table_offsets[code_point],
                        table_offsets[code_point + 1],
                        table_bytes,
                    )
                else:  # beyond the table (CJK extensions and the like): a word character, kept as is
                    piece, piece_end, source = start, i, data
            for k in range(piece, piece_end):
                byte = source[k]
                if byte == SPACE:
                    space_due = position > out_offsets[d]  # never a leading space
                    continue
                if space_due:
                    if position < size:
                        out[position] = SPACE
                    position += 1
                    space_due = False
                if position < size:
                    out[position] = byte
                position += 1
    out_offsets[offsets.shape[0] - 1] = position
    return position


def write_shipped_table() -> str:
    """Write this Python's table into the package's data folder; returns the file's name."""
    name = shipped_table_name()
    target = resources.files("pipeline.dedup").joinpath("data", name)
    payload = SEPARATOR.join(built_fold_pieces()).encode()
    with open(str(target), "wb") as out:
        out.write(gzip.compress(payload, compresslevel=9, mtime=0))
    return name


if __name__ == "__main__":
    sys.stdout.write(f"wrote pipeline/dedup/data/{write_shipped_table()}\n")
