"""An extraction worker loads what extracting needs, not the stages' table libraries."""

import subprocess
import sys

# Modules the stages need and an extraction worker does not (each costs a worker start-up time).
NOT_IN_A_WORKER = ("polars", "pyarrow", "pandas", "pydantic", "fsspec")


def test_an_extraction_worker_loads_no_table_libraries_recipe_models_or_fsspec():
    # What a worker of the trafilatura path imports: the screen, the extractor, the block model.
    code = (
        "import sys, pipeline.extraction, pipeline.engine.guarded, pipeline.extraction.language_screen, "
        "pipeline.extraction.by_trafilatura, pipeline.extraction.block_model; "
        f"print(' '.join(m for m in {NOT_IN_A_WORKER!r} if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
