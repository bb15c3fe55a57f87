import subprocess
import sys
import textwrap
import unicodedata

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.dedup import folding
from tests.inputs import DATA, pages

# Any code point but surrogates (never in valid UTF-8), with the kinds folding treats apart drawn often.
TEXTS = st.lists(
    st.text(
        st.one_of(
            st.characters(exclude_categories=("Cs",)),
            st.sampled_from(" \t\n\xa0\u2028\u3000Éé1٣ﬁ２ß\u0301\u00a8Ωω東\U00020000\U0002a6d6."),
        ),
        max_size=40,
    ),
    max_size=8,
)


def compiled(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    return folding.fold_compiled(*folding.arrow_buffers(pl.Series(texts, dtype=pl.String)))


def test_the_shipped_table_is_the_one_this_python_builds():
    shipped = DATA.parents[1] / "pipeline" / "dedup" / "data" / folding.shipped_table_name()
    if not shipped.is_file():
        pytest.skip(f"no folding table shipped for Unicode {unicodedata.unidata_version} (built at run time)")
    assert folding.fold_pieces() == folding.built_fold_pieces()


@settings(max_examples=300, deadline=None)
@given(texts=TEXTS)
def test_translate_folds_to_the_bytes_the_compiled_pass_gives(texts):
    by_translate = folding.fold_by_translate(texts)
    by_kernel = compiled(texts)
    assert np.array_equal(by_translate[1], by_kernel[1])
    assert by_translate[0][: by_translate[1][-1]].tobytes() == by_kernel[0][: by_kernel[1][-1]].tobytes()


def test_translate_and_compiled_folds_agree_on_real_pages():
    texts = [gold for _, _, gold in pages()] + [(DATA / "texts" / "de.txt").read_text()]
    (data, offsets), (kernel_data, kernel_offsets) = folding.fold_by_translate(texts), compiled(texts)
    assert np.array_equal(offsets, kernel_offsets) and np.array_equal(data, kernel_data)
    assert offsets[-1] > 10_000


def test_a_small_dedup_in_a_fresh_process_never_imports_numba():
    """numba's start-up (~0.7 CPU s) is skipped where a batch is small: folding, signatures, buckets
    and components of 60 documents, the stages' modules imported, and no numba in the process."""
    script = textwrap.dedent(
        """
        import sys
        import numpy as np
        import polars as pl
        import pipeline.stages.dedup, pipeline.stages.filter, pipeline.stages.publish
        from pipeline.dedup import lsh, minhash
        towns = "ash birch cedar dale elm fern glen heath iris kale"
        towns += " larch moss oak pine quay reed tarn ure vale yew"
        texts = [f"story of {town} council and the river that floods in spring" for town in towns.split() * 3]
        data, offsets = minhash.fold(pl.Series(texts))
        signatures, _ = minhash.minhash_folded(data, offsets, 5, 128, 1, "affine32")
        edges = lsh.candidate_edges(signatures, 14, 9, cutoff=0.7)
        labels = lsh.components(len(texts), edges)
        assert len(np.unique(labels)) == 20, np.unique(labels)
        assert lsh.estimated_jaccard(signatures, edges).min() == 1.0
        print("numba" in sys.modules)
        """
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"
