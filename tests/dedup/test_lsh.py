import numpy as np

from pipeline.dedup.lsh import candidate_edges, choose_bands, components


def test_band_choice_for_default_threshold():
    bands, rows = choose_bands(0.8, 128)
    assert bands * rows <= 128
    assert 0.5 < (1 / bands) ** (1 / rows) < 0.9  # the S-curve's midpoint sits near the threshold


def test_identical_signatures_are_candidates_and_distinct_are_not():
    rng = np.random.default_rng(0)
    sigs = rng.integers(0, 2**32, size=(4, 128), dtype=np.uint64).astype(np.uint32)
    sigs[2] = sigs[0]
    edges = candidate_edges(sigs, 16, 8)
    assert edges.tolist() == [[0, 2]]


def test_components_link_chains_to_their_smallest_member():
    labels = components(6, np.array([[0, 3], [3, 5], [1, 4]]))
    assert labels.tolist() == [0, 1, 2, 0, 1, 0]
