"""datatrove's own virtual environment, made from pinned requirements when missing or out of date.

datatrove cannot share Sift's environment: its `processing` extra pins trafilatura < 1.12 (Sift uses
2.x), and its English word tokenizer needs spaCy, which the extra does not declare. The venv lives in
benchmarks/.venv-datatrove (git-ignored) and is rebuilt when benchmarks/datatrove-requirements.txt
changes. WarcReader's python-magic needs the system's libmagic (Debian: libmagic1).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
VENV = HERE / ".venv-datatrove"
REQUIREMENTS = HERE / "datatrove-requirements.txt"
SIDE_SCRIPT = HERE / "datatrove_side.py"
IMPORT_CHECK = "import datatrove, spacy, trafilatura, warcio, magic, cchardet, pyarrow, fasttext"

log = logging.getLogger(__name__)


def requirements_digest() -> str:
    return hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()


def ensure_venv(venv: Path = VENV) -> Path:
    """The datatrove venv's python, building the venv first if it is missing or stale."""
    python = venv / "bin" / "python"
    stamp = venv / "requirements.sha256"
    if python.is_file() and stamp.is_file() and stamp.read_text() == requirements_digest():
        return python
    log.info("building %s from %s (about a minute)", venv, REQUIREMENTS.name)
    shutil.rmtree(venv, ignore_errors=True)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(REQUIREMENTS)], check=True)
    subprocess.run([str(python), "-c", IMPORT_CHECK], check=True)
    stamp.write_text(requirements_digest())
    return python


def versions(python: Path) -> dict[str, str]:
    """Versions of the packages that decide the datatrove side's speed and decisions."""
    code = (
        "import importlib.metadata as m, json; print(json.dumps({p: m.version(p) for p in "
        "['datatrove', 'trafilatura', 'spacy', 'fasttext-numpy2-wheel', 'numpy', 'pyarrow']}))"
    )
    return json.loads(
        subprocess.run([str(python), "-c", code], check=True, capture_output=True, text=True).stdout
    )


def run_side(python: Path, command: list[str], params: dict, log_path: Path) -> dict:
    """Run one datatrove_side.py command with `params` and return the JSON it writes."""
    with tempfile.TemporaryDirectory(prefix="sift-datatrove-") as tmp:
        params_file, out_file = Path(tmp) / "params.json", Path(tmp) / "result.json"
        params_file.write_text(json.dumps(params))
        cmd = [str(python), str(SIDE_SCRIPT), *command, "--params", str(params_file), "--out", str(out_file)]
        with log_path.open("w") as out:
            done = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"datatrove side failed ({done.returncode}); see {log_path}")
        return json.loads(out_file.read_text())
