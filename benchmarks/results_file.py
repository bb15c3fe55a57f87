"""Write one benchmark's section of benchmarks/RESULTS.md, leaving the other sections as they are."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def read_section(name: str, path: Path = RESULTS) -> str | None:
    """The text between this section's markers, or None if the file or the section is missing."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = path.read_text() if path.is_file() else ""
    if start not in text or end not in text:
        return None
    return text.split(start, 1)[1].split(end, 1)[0].strip()


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Replace the text between this section's markers, or append the section if it is new."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.is_file() else "# Benchmark results\n"
    if start in text and end in text:
        before, rest = text.split(start, 1)
        text = before + block + rest.split(end, 1)[1]
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text)


def table_rows(new: dict[str, str], previous: str | None, row_start: dict[str, str]) -> list[str]:
    """A section's table rows, one per part in `row_start`'s order: this run's, and for the parts it
    left out the previous section's row (found by how it starts), marked with the command that
    measured it; a row already marked keeps its mark."""
    earlier = re.search(r"Command: `([^`]*)`", previous or "")
    mark = f" *(earlier run: `{earlier.group(1) if earlier else '?'}`)*"
    rows = []
    for part, start in row_start.items():
        if part in new:
            rows.append(new[part])
            continue
        for line in (previous or "").splitlines():
            if line.startswith(start):
                cell_end = line.index(" | ")
                rows.append(line if "*(earlier run" in line else line[:cell_end] + mark + line[cell_end:])
    return rows
