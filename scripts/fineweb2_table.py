"""Build pipeline/filters/data/fineweb2.json from FineWeb-2's per-language filter configs.

FineWeb-2 (Penedo et al. 2025, github.com/huggingface/fineweb-2, Apache-2.0) tuned its filters per
language and published them as `configs/{iso639-3}_{script}.yml`. Sift identifies languages with
fastText lid.176, whose labels are mostly ISO 639-1 codes; LID176_TO_FINEWEB2 below maps each label
we take to the FineWeb-2 config of the same language (for a macrolanguage, the individual language
FineWeb-2 tuned: `ar` -> Standard Arabic `arb_Arab`, `zh` -> Mandarin `cmn_Hani`). The table keeps
FineWeb-2's own key names and numbers; `pipeline/filters/languages.py` says which Sift parameter
each one sets.

    python scripts/fineweb2_table.py CONFIG_DIR COMMITS_JSON

CONFIG_DIR holds the .yml files; COMMITS_JSON maps each config name to the fineweb-2 commit it was
read at (recorded in the table, so every number can be traced to its file).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import yaml

OUT = Path(__file__).resolve().parents[1] / "pipeline" / "filters" / "data" / "fineweb2.json"

# lid.176 label -> FineWeb-2 config. Only languages whose config was read are listed; every other
# lid.176 label has no entry and gets the recipe's `fallback` (docs/filters.md).
LID176_TO_FINEWEB2 = {
    "ar": "arb_Arab",
    "cs": "ces_Latn",
    "de": "deu_Latn",
    "el": "ell_Grek",
    "es": "spa_Latn",
    "fr": "fra_Latn",
    "hi": "hin_Deva",
    "id": "ind_Latn",
    "it": "ita_Latn",
    "ja": "jpn_Jpan",
    "km": "khm_Khmr",
    "ko": "kor_Hang",
    "lo": "lao_Laoo",
    "my": "mya_Mymr",
    "nl": "nld_Latn",
    "pl": "pol_Latn",
    "pt": "por_Latn",
    "ru": "rus_Cyrl",
    "sv": "swe_Latn",
    "th": "tha_Thai",
    "tr": "tur_Latn",
    "uk": "ukr_Cyrl",
    "vi": "vie_Latn",
    "zh": "cmn_Hani",
}
KEYS = (
    "dup_line_frac",
    "top_n_grams",
    "dup_n_grams",
    "line_punct_thr",
    "new_line_ratio",
    "min_avg_word_length",
    "max_avg_word_length",
    "max_non_alpha_words_ratio",
    "stopwords",
    "language_score",
)


def entry(config: dict, name: str, commit: str) -> dict:
    out = {"fineweb2_config": name, "fineweb2_commit": commit}
    for key in KEYS:
        value = config[key]
        if key in ("top_n_grams", "dup_n_grams"):  # [[n, fraction], ...] -> {"n": fraction}
            value = {str(n): frac for n, frac in value}
        out[key] = value
    return out


def main(config_dir: Path, commits_file: Path) -> None:
    commits = json.loads(commits_file.read_text())
    languages = {}
    for label, name in sorted(LID176_TO_FINEWEB2.items()):
        config = yaml.safe_load((config_dir / f"{name}.yml").read_text())
        languages[label] = entry(config, name, commits[name])
    table = {
        "source": "FineWeb-2 configs/{iso639-3}_{script}.yml, github.com/huggingface/fineweb-2 (Apache-2.0)",
        "note": "language_score is FineWeb-2's GlotLID threshold, kept for reference; Sift's lid.176 "
        "thresholds are in lid176_min_score.json.",
        "languages": languages,
    }
    OUT.write_text(json.dumps(table, ensure_ascii=False, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
