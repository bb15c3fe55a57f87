"""Replace one benchmark's section of benchmarks/RESULTS.md, leaving every other section as it is."""

from __future__ import annotations

import re
from pathlib import Path

RESULTS = Path(__file__).parent / "RESULTS.md"


def write_section(name: str, body: str, path: Path = RESULTS) -> None:
    """Put `body` between `<!-- name:start -->` and `<!-- name:end -->`, appending the pair if new."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text() if path.exists() else "# Benchmark results\n"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        path.write_text(pattern.sub(lambda _: block, text))
    else:
        path.write_text(f"{text.rstrip()}\n\n{block}\n")
