"""Proves the unit map's clustering: the correlation is Pearson's (a constant unit correlates 0), the
average-linkage tree, its leaf order and its cut are SciPy's exactly, planted groups of units are
found and drawn as contiguous blocks, and a cluster's words are the ones its units fire on most."""

from __future__ import annotations

import numpy as np
import pytest

from rnnviz.analysis import unit_map as um
from rnnviz.plots.unit_map import correlation_map


def _planted(seed: int = 0, words: int = 400):
    """values [words, 12]: three groups of four units, each group following one hidden signal."""
    rng = np.random.default_rng(seed)
    signals = rng.normal(size=(words, 3))
    groups = np.array([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2])  # interleaved, so order matters
    values = signals[:, groups] * rng.uniform(0.5, 2.0, 12) + 0.2 * rng.normal(size=(words, 12))
    return values, groups


def test_correlation_is_pearsons_and_a_constant_unit_correlates_zero():
    values, _ = _planted()
    values[:, 5] = 0.25  # a unit that never moves
    r = um.correlation(values)
    moving = [u for u in range(12) if u != 5]
    assert np.allclose(r[np.ix_(moving, moving)], np.corrcoef(values[:, moving].T), atol=1e-12)
    assert np.all(r[5, moving] == 0) and r[5, 5] == 1
    assert np.allclose(r, r.T)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_tree_its_leaf_order_and_its_cut_are_scipys(seed):
    hierarchy = pytest.importorskip("scipy.cluster.hierarchy")
    distance_module = pytest.importorskip("scipy.spatial.distance")
    values = np.random.default_rng(seed).normal(size=(200, 30))
    values[:, 7] = values[:, 3] * 2 + 0.1 * values[:, 9]
    distance = 1 - um.correlation(values)
    joins = um.average_linkage(distance)
    reference = hierarchy.linkage(distance_module.squareform(distance, checks=False), "average")
    assert np.array_equal(joins[:, [0, 1, 3]], reference[:, [0, 1, 3]])
    assert np.allclose(joins[:, 2], reference[:, 2], atol=1e-12)
    assert um.leaf_order(joins) == [int(u) for u in hierarchy.leaves_list(reference)]
    for k in (2, 5, 11):
        ours, theirs = um.cut(joins, k), hierarchy.fcluster(reference, k, "maxclust")
        # the same partition (numbered differently)
        assert len({(a, b) for a, b in zip(ours, theirs, strict=True)}) == k == len(set(ours))


def test_planted_groups_are_found_as_contiguous_blocks():
    values, groups = _planted()
    found = um.unit_map(values, 3)
    for k in range(3):
        members = found.members(k)
        assert len(set(groups[members])) == 1 and len(members) == 4  # one planted group per cluster
    assert found.bounds() == [(0, 3), (4, 7), (8, 11)]
    assert sorted(found.order.tolist()) == list(range(12))
    assert np.all(np.diff(found.heights) >= -1e-12)  # average linkage never joins lower than before
    assert found.clusters == 3


def test_a_clusters_words_are_those_its_units_fire_on():
    rng = np.random.default_rng(0)
    tokens = list(rng.choice(["the", "movie", "was", "good", "not", "bad"], size=600))
    values = rng.normal(size=(600, 4))
    at_not = np.array([t == "not" for t in tokens])
    values[at_not, :2] += 3.0  # units 0 and 1 fire on "not"
    words = um.cluster_words(values, tokens, [0, 1], top=3, min_count=5)
    assert words[0].word == "not" and words[0].count == int(at_not.sum())
    z = (values - values.mean(0)) / values.std(0)
    assert words[0].score == pytest.approx(z[at_not][:, :2].mean(), abs=1e-12)
    assert [w.score for w in words] == sorted((w.score for w in words), reverse=True)
    rare = um.cluster_words(values, tokens, [0, 1], min_count=10_000)
    assert rare == []


def test_bad_requests_say_what_is_wrong():
    values, _ = _planted()
    with pytest.raises(ValueError, match=r"number of clusters must be 1\.\.12"):
        um.unit_map(values, 13)
    with pytest.raises(ValueError, match="one token per row"):
        um.cluster_words(values, ["the"], [0])


def test_the_map_figure_is_the_reordered_matrix_with_each_cluster_outlined():
    values, _ = _planted()
    found = um.unit_map(values, 3)
    figure = correlation_map(found, "title")
    spec = figure.to_plotly_json()
    z = np.asarray(figure.data[0].z, dtype=np.float64)
    order = found.order
    assert np.allclose(z, found.correlation[np.ix_(order, order)], atol=1e-6)
    assert spec["data"][0]["y"] == [f"unit {u}" for u in order]
    assert [(s["x0"], s["x1"]) for s in spec["layout"]["shapes"]] == [(-0.5, 3.5), (3.5, 7.5), (7.5, 11.5)]
    assert spec["layout"]["xaxis"]["title"]["text"] and spec["layout"]["yaxis"]["title"]["text"]
