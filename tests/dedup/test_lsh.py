import numpy as np

from pipeline.dedup.lsh import candidate_edges, choose_bands, collision_probability, components, verify_cutoff


def random_signatures(n: int) -> np.ndarray:
    return np.random.default_rng(0).integers(0, 2**32, size=(n, 128), dtype=np.uint64).astype(np.uint32)


def test_balanced_band_choice_centres_the_curve_on_the_threshold():
    bands, rows = choose_bands(0.8, 128)
    assert bands * rows <= 128
    assert 0.7 < (1 / bands) ** (1 / rows) < 0.9


def test_recall_band_choice_makes_pairs_at_the_threshold_collide():
    bands, rows = choose_bands(0.8, 128, min_recall=0.99)
    assert bands * rows <= 128
    assert collision_probability(np.array(0.8), bands, rows) >= 0.99
    assert collision_probability(np.array(0.2), bands, rows) < 0.01


def test_verify_cutoff_allows_for_the_estimates_error():
    assert 0.7 < verify_cutoff(0.8, 128) < 0.8
    assert verify_cutoff(0.8, 128) < verify_cutoff(0.8, 1024) < 0.8


def test_identical_signatures_are_candidates_and_distinct_are_not():
    sigs = random_signatures(4)
    sigs[2] = sigs[0]
    assert candidate_edges(sigs, 16, 8).tolist() == [[0, 2]]


def test_a_dissimilar_first_member_does_not_cut_a_bucket_apart():
    sigs = random_signatures(3)
    sigs[2] = sigs[1]
    sigs[0, :8] = sigs[1, :8]  # document 0 shares only band 0 with documents 1 and 2
    assert candidate_edges(sigs, 16, 8, cutoff=0.75).tolist() == [[1, 2]]
    assert candidate_edges(sigs, 16, 8).tolist() == [[0, 1], [0, 2], [1, 2]]


def test_ineligible_documents_are_never_candidates():
    sigs = np.full((3, 128), 0xFFFFFFFF, dtype=np.uint32)  # three documents without shingles
    assert candidate_edges(sigs, 16, 8, eligible=np.array([True, False, False])).tolist() == []


def test_components_link_chains_to_their_smallest_member():
    labels = components(6, np.array([[0, 3], [3, 5], [1, 4]]))
    assert labels.tolist() == [0, 1, 2, 0, 1, 0]


def test_small_graphs_in_plain_python_give_what_the_compiled_kernels_give():
    """Small runs skip numba (`SMALL_GRAPH`): the same buckets' edges, labels and estimates."""
    from pipeline.dedup import lsh

    rng = np.random.default_rng(7)
    for n, m in ((1, 0), (50, 10), (400, 600), (3000, 2500)):
        edges = rng.integers(0, n, size=(m, 2)).astype(np.int64)
        assert n + m <= lsh.SMALL_GRAPH
        assert np.array_equal(lsh._union_find.py_func(n, edges), lsh._union_find(n, edges))
        sigs = random_signatures(n)
        sigs[rng.integers(0, n, size=n // 2), :64] = sigs[0, :64]  # some pairs share half their values
        assert np.array_equal(lsh.equal_shares_by_numpy(sigs, edges), lsh._equal_share(sigs, edges))
        keys = np.sort(rng.integers(0, max(n // 4, 1), size=n)).astype(np.uint64)  # buckets of ~4
        docs = rng.permutation(n).astype(np.int64)
        for cutoff in (-1.0, 0.3, 0.6):
            for max_leaders in (1, 16):
                found = np.empty((n, 2), dtype=np.int64)
                count = lsh.link_buckets(keys, docs, sigs, cutoff, max_leaders, found)
                linked = lsh.buckets_linked(keys, docs, sigs, cutoff, max_leaders)
                assert np.array_equal(linked, found[:count]) and linked.dtype == np.int64
    labels = components(6, np.array([[4, 5], [1, 3], [3, 4]]))
    assert labels.tolist() == [0, 1, 2, 1, 1, 1] and labels.dtype == np.int64
