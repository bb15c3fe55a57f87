"""Fault injection for engine tests: a wrapper that kills its worker process the first time it runs."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path


def die_once(fn, marker_dir: str, unit):
    """Run `fn(unit)`, except that the first call for each unit ends its process abruptly,
    as an out-of-memory kill or a lost node would."""
    marker = Path(marker_dir) / f"{hashlib.sha1(repr(unit).encode()).hexdigest()}.died"
    if not marker.exists():
        marker.write_text("")
        os._exit(137)
    return fn(unit)
