"""The dataset card (README.md at the corpus root) that `datasets.load_dataset` reads.

Its YAML header declares one config per version, the newest marked `default: true`, so
`load_dataset(dir)` loads the newest and `load_dataset(dir, "<version>")` a named one.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.storage.versions import list_versions, read_manifest


def card_header(versions: list[str]) -> dict:
    configs = [
        {
            "config_name": version,
            "data_files": [{"split": "train", "path": f"{version}/train-*.parquet"}],
            **({"default": True} if version == versions[-1] else {}),
        }
        for version in versions
    ]
    return {"configs": configs, "license": "other", "task_categories": ["text-generation"]}


def write_card(corpus_dir: Path, name: str) -> Path:
    versions = list_versions(corpus_dir)
    latest = read_manifest(corpus_dir, versions[-1])
    header = yaml.safe_dump(card_header(versions), sort_keys=False)
    lines = [
        "---",
        header.rstrip(),
        "---",
        "",
        f"# {name}",
        "",
        "A text corpus built by Sift from web crawls: main text extracted with trafilatura, filtered by "
        "language and quality, deduplicated (exact and MinHash LSH), with provenance in every row.",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        f'latest = load_dataset("{corpus_dir}", split="train")',
        f'pinned = load_dataset("{corpus_dir}", "{versions[-1]}", split="train")',
        "```",
        "",
        "## Versions",
        "",
        "| version | documents | created | config fingerprint |",
        "|---|---|---|---|",
    ]
    for version in reversed(versions):
        manifest = read_manifest(corpus_dir, version)
        row = (version, manifest["documents"], manifest["created_at"], manifest["config_fingerprint"])
        lines.append("| " + " | ".join(map(str, row)) + " |")
    lines += [
        "",
        f"## Latest version: {versions[-1]}",
        "",
        "| stage | in | kept | dropped | errors |",
        "|---|---|---|---|---|",
    ]
    for stage, counts in latest["stages"].items():
        row = (stage, counts["input"], counts["kept"], counts["dropped_total"], counts["errors_total"])
        lines.append("| " + " | ".join(map(str, row)) + " |")
    lines += ["", "Dropped by reason:", ""]
    for stage, counts in latest["stages"].items():
        for reason, n in counts["dropped"].items():
            lines.append(f"- {stage} / {reason}: {n}")
    lines += [
        "",
        "## Provenance",
        "",
        "Every row carries `id` (stable across versions), `url`, `source_file`, `record_index`, "
        "`warc_record_id`, `fetch_date`, `language`, `language_score`, `quality_signals`, `cluster_id`, "
        "`cluster_size`, `corpus_version` and `config_fingerprint`. Each version's `manifest.json` lists "
        "the input files with their sha256, the full recipe, per-stage counts and package versions.",
        "",
        "Inputs:",
        "",
    ]
    lines += [
        f"- `{item['path']}` ({item['bytes']} bytes, sha256 {item['sha256'][:16]}…)"
        for item in latest["inputs"]
    ]
    lines += [
        "",
        "## License",
        "",
        "Text comes from third-party web pages and keeps its original owners' rights; see the sources' "
        "licenses before redistributing.",
        "",
    ]
    path = corpus_dir / "README.md"
    temporary = path.with_name(".README.md.tmp")
    temporary.write_text("\n".join(lines))
    temporary.replace(path)
    return path
