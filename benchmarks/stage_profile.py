"""Where a run's time goes, with each extractor: CPU and wall seconds of each stage of the
end-to-end benchmark's recipe (`end_to_end.sift_recipe`, the same stages as datatrove's pipeline).

Each stage runs as its own `sift <stage>` command, so its CPU seconds are those of its whole
process tree (the main process and the workers it reaped: `RUSAGE_CHILDREN`), start-up included.
The bench WARC is split as `python -m benchmarks` splits it.

    python -m benchmarks.stage_profile [--evaldata ../shared/evaldata] [--workdir /tmp/sift-profile] [--write]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import time
from pathlib import Path

import yaml

from benchmarks import machine
from benchmarks.documents import split_warc
from benchmarks.end_to_end import child_env, sift_recipe
from benchmarks.evaldata import EVALDATA
from benchmarks.results_file import write_section

REPO = Path(__file__).resolve().parents[1]
STAGES = ("extract", "filter", "dedup", "publish")
EXTRACTORS = ("trafilatura", "resiliparse")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def profile(recipe_file: Path, log: Path) -> dict[str, tuple[float, float]]:
    """(CPU s, wall s) of each stage."""
    shares = {}
    with open(log, "w") as out:
        for stage in STAGES:
            cpu, wall = children_cpu(), time.perf_counter()
            command = ["sift", stage, "--config", str(recipe_file)]
            subprocess.run(command, cwd=REPO, env=child_env(), stdout=out, stderr=out, check=True)
            shares[stage] = (children_cpu() - cpu, time.perf_counter() - wall)
    return shares


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/sift-profile"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = parser.parse_args()
    input_dir = split_warc(args.evaldata / "bench" / "pages.warc.gz", args.workdir / "split", args.files)
    base = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    load_at_start = machine.load()
    rows = []
    for extractor in EXTRACTORS:
        workdir = args.workdir / extractor
        shutil.rmtree(workdir, ignore_errors=True)
        workdir.mkdir(parents=True)
        recipe = sift_recipe(base, input_dir, workdir, args.workers, True, extractor)
        recipe_file = workdir / "recipe.yaml"
        recipe_file.write_text(yaml.safe_dump(recipe, sort_keys=False))
        shares = profile(recipe_file, workdir / "run.log")
        total = sum(cpu for cpu, _ in shares.values())
        cells = " | ".join(f"{cpu:.1f} ({cpu / total:.0%}), {wall:.1f}" for cpu, wall in shares.values())
        rows.append(f"| {extractor} | {cells} | {total:.1f} |")
        print(rows[-1], flush=True)
    lines = [
        "## Where the time goes (each stage, each extractor)",
        "",
        f"The end-to-end benchmark's recipe (same stages as datatrove's pipeline), {args.workers} workers, "
        f"the bench WARC in {args.files} files; each stage a `sift <stage>` command of its own. Cells: CPU "
        "seconds of the stage's process tree (share of the run's CPU), wall seconds.",
        "",
        "| extractor | " + " | ".join(STAGES) + " | CPU s in all |",
        "|---|" + "---|" * (len(STAGES) + 1),
        *rows,
        "",
        f"Load average (1 / 5 / 15 min) {load_at_start} at the start, {machine.load()} at the end (a shared "
        "machine: wall seconds show parallel work only when a core is free).",
        "",
        "Reproduce: `python -m benchmarks.stage_profile --write`.",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("stage_profile", report)


if __name__ == "__main__":
    main()
