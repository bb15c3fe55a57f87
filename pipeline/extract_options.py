"""The keys of `extract` that only the trafilatura extractor reads: the block model's, which checks
its text, and trafilatura's own options (passed to it as they are).

Apart from `config.py` (pydantic and every recipe model): an extraction worker picks trafilatura's
options out of the stage's options dict with these names and loads no recipe models for it.
"""

BLOCK_MODEL_OPTIONS = (
    "block_model",
    "block_model_agree",
    "block_model_add",
    "block_model_remove",
    "block_model_keep_held",
    "block_model_keep_other",
)
TRAFILATURA_OPTIONS = (
    "favor_precision",
    "favor_recall",
    "include_comments",
    "include_tables",
    "fast",
    "target_language",
)
