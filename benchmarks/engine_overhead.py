"""The Ray engine against the local one: the whole pipeline on the same input, same machine.

Two inputs: the bundled sample (299 records) and a larger generated WARC (the 181 ScrapingHub
pages, each repeated `--copies` times with a marker so that every payload is distinct and dedup has
near-duplicate families to find). Each engine runs `pipeline.runner.run` with 2 workers in a fresh
process and a fresh workdir; the local Ray starts inside the timed run, and its start-up time is
reported on its own. Both runs must publish byte-identical shards, which is checked.

    python benchmarks/engine_overhead.py [--evaldata DIR] [--copies 6] [--write]
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml
from warcio.warcwriter import WARCWriter

from pipeline.sources.warc import write_pages

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
from evaldata import EVALDATA  # noqa: E402
from results_file import write_section  # noqa: E402

RUNNER = """
import json, sys, time
t0 = time.perf_counter()
from pipeline.config import load_config
from pipeline.runner import run
cfg = load_config(sys.argv[1])
ray_start = 0.0
if cfg.engine == "ray":
    from pipeline.engine import ray as ray_engine
    t = time.perf_counter()
    ray_engine.connect(None, cfg.workers, 512)
    ray_start = time.perf_counter() - t
run(cfg)
print(json.dumps({"seconds": time.perf_counter() - t0, "ray_start": ray_start}))
"""


def generated_warc(evaldata: Path, copies: int, out: Path) -> Path:
    truth = json.loads((evaldata / "extraction/scrapinghub-aeb/ground-truth.json").read_text())
    pages = []
    for copy in range(copies):
        for page_id in sorted(truth):
            html = gzip.decompress(
                (evaldata / f"extraction/scrapinghub-aeb/html/{page_id}.html.gz").read_bytes()
            )
            body = html.decode("utf-8", errors="replace").replace("</body>", f"<!-- copy {copy} --></body>")
            pages.append((f"{truth[page_id]['url']}#copy{copy}", body))
    with open(out, "wb") as stream:
        write_pages(WARCWriter(stream, gzip=True), pages)
    return out


def run_once(source: Path, engine: str, workdir: Path) -> dict:
    raw = yaml.safe_load((REPO / "configs/corpus.yaml").read_text())
    raw.update(sources=[{"path": str(source)}], workdir=str(workdir / "work"), workers=2, engine=engine)
    raw["publish"]["dir"] = str(workdir / "corpus")
    config = workdir / "recipe.yaml"
    workdir.mkdir(parents=True)
    config.write_text(yaml.safe_dump(raw))
    result = subprocess.run(
        [sys.executable, "-c", RUNNER, str(config)], capture_output=True, text=True, check=True, cwd=REPO
    )
    timing = json.loads(result.stdout.strip().splitlines()[-1])
    shards = sorted((workdir / "corpus").glob("v*/train-*.parquet"))
    timing["digest"] = hashlib.sha256(b"".join(p.read_bytes() for p in shards)).hexdigest()[:16]
    timing["records"] = json.loads((workdir / "work/metrics/extract.json").read_text())["input"]
    return timing


NOTE = (
    "On one machine Ray cannot win: it adds its start-up and a task per unit of work (dedup alone "
    "runs five rounds of tasks: fingerprint, group, merge, decide, write, exchanging files) to the "
    "same CPU work, while the local engine keeps one process pool for every stage. What Ray buys is "
    "more machines; the figure to watch here is the overhead per run, a few seconds."
)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--copies", type=int, default=6)
    parser.add_argument("--write", action="store_true", help="update benchmarks/RESULTS.md")
    args = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        inputs = {
            "sample (data/sample)": REPO / "data/sample/sample.warc.gz",
            f"generated ({args.copies} x 181 pages)": generated_warc(
                args.evaldata, args.copies, Path(tmp) / "generated.warc.gz"
            ),
        }
        load = os.getloadavg()[0]
        for name, source in inputs.items():
            local = run_once(source, "local", Path(tmp) / f"{len(rows)}-local")
            ray = run_once(source, "ray", Path(tmp) / f"{len(rows)}-ray")
            same = local["digest"] == ray["digest"]
            rows.append((name, local, ray, same))
            print(name, local, ray, "identical" if same else "DIFFERENT", flush=True)

    lines = [
        "## Engines: local process pool vs Ray (whole pipeline)",
        "",
        f"Command: `python benchmarks/engine_overhead.py --copies {args.copies} --write`. "
        f"2 workers, default recipe, a fresh process and workdir per run; load average at start {load:.1f}.",
        "Ray's time includes starting a local Ray (shown apart); `identical` compares the published shards.",
        "",
        "| input | records | local s | Ray s | of which Ray start-up s | Ray / local | output |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for name, local, ray, same in rows:
        lines.append(
            f"| {name} | {local['records']} | {local['seconds']:.1f} | {ray['seconds']:.1f} | "
            f"{ray['ray_start']:.1f} | {ray['seconds'] / local['seconds']:.2f} | "
            f"{'identical' if same else 'DIFFERENT'} |"
        )
    lines += ["", NOTE]
    text = "\n".join(lines)
    print(text)
    if args.write:
        write_section("engine-overhead", text)


if __name__ == "__main__":
    main()
