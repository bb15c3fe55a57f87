"""The dataset card (README.md at the corpus root) that `datasets.load_dataset` reads.

Its YAML header declares one config per version, the newest marked `default: true`, so
`load_dataset(dir)` loads the newest and `load_dataset(dir, "<version>")` a named one; and one
config per language of the newest version, named by its lid.176 code, so `load_dataset(dir, "de")`
loads the German documents of the newest version. The names cannot clash: a version is always
`v` + four digits + `-` + eight hex digits (`v0001-1a2b3c4d`), a language code two or three
lowercase letters. The body describes the newest version from its manifest.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from pipeline.storage.shards import write_text
from pipeline.storage.versions import list_versions, read_manifest

UNKNOWN_LANGUAGE = "unknown"  # documents no language filter labelled: no config of their own


def card_header(versions: list[str], license_tag: str, latest: dict | None = None) -> dict:
    configs = [
        {
            "config_name": version,
            "data_files": [{"split": "train", "path": f"{version}/train-*.parquet"}],
            **({"default": True} if version == versions[-1] else {}),
        }
        for version in versions
    ]
    if latest is not None:
        configs += language_configs(versions[-1], latest)
    return {"configs": configs, "license": license_tag, "task_categories": ["text-generation"]}


def language_configs(version: str, manifest: dict) -> list[dict]:
    """One config per language of `version`: its `train-<language>-*` shards, or all if it has one."""
    files = [shard["file"] for shard in manifest.get("shards", [])]
    configs = []
    for language in manifest["summary"].get("by_language", {}):
        if language == UNKNOWN_LANGUAGE:
            continue
        split = any(name.startswith(f"train-{language}-") for name in files)
        path = f"{version}/train-{language}-*.parquet" if split else f"{version}/train-*.parquet"
        configs.append({"config_name": language, "data_files": [{"split": "train", "path": path}]})
    return configs


def table(header: tuple[str, ...], rows: list[tuple]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(map(str, row)) + " |" for row in rows]
    return lines


def write_card(corpus_dir: Path, name: str, license_tag: str = "other") -> Path:
    versions = list_versions(corpus_dir)
    latest = read_manifest(corpus_dir, versions[-1])
    summary = latest["summary"]
    by_language = summary.get("by_language", {})
    example = next((lang for lang in by_language if lang != UNKNOWN_LANGUAGE), None)
    lines = [
        "---",
        yaml.safe_dump(card_header(versions, license_tag, latest), sort_keys=False).rstrip(),
        "---",
        "",
        f"# {name}",
        "",
        "A text corpus built by Sift from web data: main text extracted with trafilatura, filtered by "
        "language and quality, deduplicated (exact and MinHash LSH), with provenance in every row.",
        "",
        "## Loading",
        "",
        "```python",
        "from datasets import load_dataset",
        f'latest = load_dataset("{corpus_dir}", split="train")',
        f'pinned = load_dataset("{corpus_dir}", "{versions[-1]}", split="train")',
        *(
            [f'one_language = load_dataset("{corpus_dir}", "{example}", split="train")  # newest version']
            if example
            else []
        ),
        "```",
        "",
        "## Versions",
        "",
    ]
    manifests = {v: read_manifest(corpus_dir, v) for v in versions}
    lines += table(
        ("version", "parent", "documents", "config fingerprint"),
        [
            (v, m["parent_version"] or "-", m["documents"], m["config_fingerprint"])
            for v, m in reversed(manifests.items())
        ],
    )
    lines += ["", f"## Latest version: {versions[-1]}", "", "### Counts per stage", ""]
    lines += table(
        ("stage", "in", "kept", "dropped", "errors", "keep rate"),
        [
            (s, c["input"], c["kept"], c["dropped_total"], c["errors_total"], c["keep_rate"])
            for s, c in latest["stages"].items()
        ],
    )
    lines += ["", "Dropped by reason:", ""]
    for stage, counts in latest["stages"].items():
        lines += [f"- {stage} / {reason}: {n}" for reason, n in counts["dropped"].items()]
        lines += [f"- {stage} / {reason} (error): {n}" for reason, n in counts["errors"].items()]
    lines += ["", "### Languages", ""]
    if by_language:
        lines += [
            "Words are counted with each language's word segmentation (ICU for Chinese, Japanese, Thai, "
            "Lao, Khmer and Burmese; Kiwi for Korean). Each language is also a config of its own.",
            "",
        ]
        lines += table(
            ("language", "documents", "words", "characters"),
            [(lang, t["documents"], t["words"], t["characters"]) for lang, t in by_language.items()],
        )
    else:
        lines += table(("language", "documents"), list(summary["languages"].items()))
    if latest.get("decontaminated_against"):
        lines += [
            "",
            "### Decontamination",
            "",
            "Documents sharing an n-gram with an item of these evaluation files were dropped "
            "(or, with `mode: annotate`, flagged):",
            "",
        ]
        lines += table(
            ("file", "sha256", "fields", "n-gram"),
            [
                (f"`{f['path']}`", f"`{f['sha256']}`", ", ".join(f["fields"]), f["ngram"])
                for f in latest["decontaminated_against"]
            ],
        )
    lines += ["", "### Length", ""]
    lines += table(
        ("unit", "total", "mean", "min", "p10", "median", "p90", "max"),
        [(unit, *summary[key].values()) for unit, key in (("characters", "characters"), ("words", "words"))],
    )
    lines += [
        "",
        "## Recipe",
        "",
        f"Config fingerprint `{latest['config_fingerprint']}`; the full recipe:",
        "",
        "```yaml",
        yaml.safe_dump(latest["config"], sort_keys=False).rstrip(),
        "```",
        "",
        "## Provenance",
        "",
        "Every row carries `id` (stable across versions), `url`, `source_file`, `record_index`, "
        "`record_offset`, `warc_record_id`, `fetch_date`, `language`, `language_score`, "
        "`quality_signals`, `cluster_id`, `cluster_size`, `corpus_version` and `config_fingerprint`. "
        "Each version folder holds `manifest.json` (inputs with sha256, recipe, counts, shards with "
        "sha256, package versions), `.sift-build.json` (when it was built, at which git commit) and "
        "`ledger.parquet` (every dropped or failed document "
        "with its stage, filter, reason, measured value and threshold).",
        "",
        "Inputs of the latest version:",
        "",
    ]
    lines += [
        f"- `{item['path']}` ({item['bytes']} bytes, sha256 `{item['sha256']}`)" for item in latest["inputs"]
    ]
    licenses = latest["config"]["publish"].get("source_licenses") or []
    lines += ["", "## Licenses", ""]
    lines += [f"- {entry}" for entry in licenses] or [
        "- The text comes from third-party web pages; its owners keep their rights."
    ]
    lines.append("")
    path = corpus_dir / "README.md"
    write_text(path, "\n".join(lines))
    return path
