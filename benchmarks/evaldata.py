"""Where the benchmarks read the real evaluation data: `../shared/evaldata`, beside the repository.

Third-party data to read, never to copy into the repository; every benchmark takes `--evaldata DIR` for
another copy.
"""

from __future__ import annotations

from pathlib import Path

EVALDATA = Path(__file__).resolve().parents[2] / "shared" / "evaldata"
