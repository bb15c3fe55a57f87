"""An extraction worker loads what extracting needs, not the stages' table libraries."""

import subprocess
import sys


def test_an_extraction_worker_loads_no_polars_pyarrow_pandas_or_fsspec():
    # What a worker of the trafilatura path imports: the screen, the extractor, the block model.
    code = (
        "import sys, pipeline.extraction, pipeline.engine.guarded, pipeline.extraction.language_screen, "
        "pipeline.extraction.by_trafilatura, pipeline.extraction.block_model; "
        "print(' '.join(m for m in ('polars', 'pyarrow', 'pandas', 'fsspec') if m in sys.modules))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == ""
