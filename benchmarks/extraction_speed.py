"""Speed of the extract stage against calling `trafilatura.extract` directly on the same pages.

The baseline is the least a pipeline could do: every page's HTML already in memory, one
`trafilatura.extract` call per page in one process, with the recipe's trafilatura options. The
stage then runs on the WARC file itself, with 1 and with 2 workers, and does everything it does
in production: read and parse the WARC, screen records, decode charsets, extract under the time
limit in worker processes (spawned on start), and write Parquet shards and the ledger.

Each of the three runs is repeated (`--repeat`, in turn, so that a burst of other work on the
machine hits them alike) and the fastest wall time counts; CPU seconds (the process and its
workers) are the fastest run's. Overhead is the stage's wall time with one worker over the
baseline's; speed-up is one worker's wall time over two workers'. The machine's load average is
recorded, as other work on it skews the numbers.

    python benchmarks/extraction_speed.py [--evaldata DIR] [--pages N] [--repeat 3] [--write]
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import trafilatura
import yaml
from evaldata import EVALDATA
from recipes import set_language_screen
from results_file import write_section
from warcio.archiveiterator import ArchiveIterator

from pipeline.config import TRAFILATURA_OPTIONS, load_config
from pipeline.extraction.by_trafilatura import quiet_trafilatura
from pipeline.stages import extract

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Timing:
    wall: float
    cpu: float


def cpu_seconds() -> float:
    """User + system time of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def timed(work) -> Timing:
    cpu, wall = cpu_seconds(), time.perf_counter()
    work()
    return Timing(time.perf_counter() - wall, cpu_seconds() - cpu)


def subset_warc(source: Path, pages: int | None, target: Path) -> list[tuple[str, bytes]]:
    """Copy the first `pages` response records byte for byte; return their (url, HTML)."""
    kept: list[tuple[str, bytes]] = []
    with open(source, "rb") as stream, open(target, "wb") as out:
        iterator = ArchiveIterator(stream)
        for record in iterator:
            if record.rec_type != "response":
                continue
            html = record.content_stream().read()
            offset, length = iterator.get_record_offset(), iterator.get_record_length()
            position = stream.tell()
            stream.seek(offset)
            out.write(stream.read(length))
            stream.seek(position)
            kept.append((record.rec_headers.get_header("WARC-Target-URI"), html))
            if pages and len(kept) == pages:
                break
    return kept


def recipe(workdir: Path, warc: Path, workers: int) -> Path:
    raw = yaml.safe_load((REPO / "configs" / "corpus.yaml").read_text())
    raw.update(sources=[{"path": str(warc)}], workdir=str(workdir / f"work-{workers}"), workers=workers)
    # Extraction alone: the language screen would drop the other languages' pages before it
    # (measured on its own by benchmarks/language_screen.py).
    set_language_screen(raw, on=False)
    path = workdir / f"recipe-{workers}.yaml"
    path.write_text(yaml.safe_dump(raw))
    return path


def fresh_run(cfg):
    """The extract stage from scratch: a finished stage would otherwise be reused (resume)."""
    shutil.rmtree(cfg.work_path, ignore_errors=True)
    return extract.run(cfg)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--evaldata", type=Path, default=EVALDATA)
    parser.add_argument("--pages", type=int, default=None, help="only the first N pages (default: all)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each; the fastest counts")
    parser.add_argument("--write", action="store_true", help="write the section of benchmarks/RESULTS.md")
    args = parser.parse_args()

    quiet_trafilatura()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        warc = workdir / "pages.warc.gz"
        pages = subset_warc(args.evaldata / "bench" / "pages.warc.gz", args.pages, warc)
        html_mb = sum(len(html) for _, html in pages) / 1e6
        options = load_config(recipe(workdir, warc, 1)).extract.model_dump()
        direct_options = {name: options[name] for name in TRAFILATURA_OPTIONS}

        def direct() -> None:
            for url, html in pages:
                trafilatura.extract(html, url=url, **direct_options)

        runs = {"trafilatura.extract, in a loop": direct}
        stats = {}
        for workers in (1, 2):
            cfg = load_config(recipe(workdir, warc, workers))
            name = f"Sift extract stage, {workers} worker{'s' if workers > 1 else ''}"
            runs[name] = lambda cfg=cfg, name=name: stats.__setitem__(name, fresh_run(cfg))
        measured: dict[str, list[Timing]] = {name: [] for name in runs}
        for _ in range(args.repeat):
            for name, work in runs.items():
                measured[name].append(timed(work))
        timings = {name: min(times, key=lambda t: t.wall) for name, times in measured.items()}
    load_after = os.getloadavg()

    baseline, one, two = timings.values()
    overhead = one.wall / baseline.wall - 1
    speedup = one.wall / two.wall
    kept = {name: s.kept for name, s in stats.items()}
    command_options = f"{f'--pages {args.pages} ' if args.pages else ''}--repeat {args.repeat}"
    lines = [
        "## Extraction speed",
        "",
        f"{len(pages)} real pages ({html_mb:.0f} MB of HTML) from `bench/pages.warc.gz`; trafilatura "
        f"{trafilatura.__version__} with the recipe's options `{direct_options}`.",
        "",
        f"| run | fastest wall s of {args.repeat} | all wall s | pages/s | CPU s (process + workers) |",
        "|---|---|---|---|---|",
        *(
            f"| {name} | {t.wall:.1f} | {', '.join(f'{m.wall:.1f}' for m in measured[name])} | "
            f"{len(pages) / t.wall:.1f} | {t.cpu:.1f} |"
            for name, t in timings.items()
        ),
        "",
        f"- Overhead of the stage with 1 worker over the direct loop: **{overhead:+.1%}** (wall time);",
        f"  in CPU seconds {one.cpu / baseline.cpu - 1:+.1%}, as the main process (reading the WARC,",
        "  screening records, writing Parquet) runs beside the worker on the second core.",
        f"- 2 workers over 1 worker: **{speedup:.2f}x**.",
        f"- Documents kept: {kept}.",
        f"- Load average before / after: {load_before[0]:.2f} / {load_after[0]:.2f} (2 cores, shared).",
        "",
        f"Reproduce: `python benchmarks/extraction_speed.py {command_options} --write` (reads",
        "../shared/evaldata; `--evaldata DIR` for another copy).",
    ]
    report = "\n".join(lines)
    print(report)
    if args.write:
        write_section("extraction_speed", report)
    if overhead > 0.10 or speedup < 1.7:
        sys.exit("below the goal: overhead <= 10% with 1 worker, 2 workers >= 1.7x")


if __name__ == "__main__":
    main()
