"""The unit map: the units of one quantity grouped by how they fire together over a corpus
(average-linkage hierarchical clustering on correlation distance, numpy only), the order that
puts each group's units side by side, and the words each group fires on most.

    values       [words, units]   one quantity of one layer/direction, every corpus word stacked
    correlation  [units, units]   Pearson r of two units over those words (a constant unit: 0)
    distance     [units, units]   1 - r: 0 for units that move together, 2 for opposite ones

Average linkage (UPGMA) joins, at each step, the two groups with the smallest mean distance
between their members (Lance-Williams update); its join heights never decrease, so cutting the
tree into k groups is undoing its last k - 1 joins, and each group is a run of the leaf order.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

CONSTANT = 1e-8  # a unit whose standard deviation over the corpus is below this never varies


def standardized(values: np.ndarray) -> np.ndarray:
    """[words, units] float64: each unit's values minus its mean, over its standard deviation
    (a constant unit: all 0)."""
    v = np.asarray(values, dtype=np.float64)
    centred = v - v.mean(axis=0)
    std = v.std(axis=0)
    return np.divide(centred, std, out=np.zeros_like(centred), where=std > CONSTANT)


def correlation(values: np.ndarray) -> np.ndarray:
    """[units, units]: the Pearson correlation of every two units over the rows of values
    [words, units]; a constant unit correlates 0 with every other unit and 1 with itself."""
    z = standardized(values)
    r = z.T @ z / max(len(z), 1)
    np.fill_diagonal(r, 1.0)
    return np.clip(r, -1.0, 1.0)


def average_linkage(distance: np.ndarray) -> np.ndarray:
    """The tree of average-linkage clustering of a symmetric distance matrix [n, n], as n - 1
    joins [n - 1, 4] in SciPy's linkage layout: (group a, group b, height, size), where groups
    0..n-1 are the single items and group n + k is the one join k made. Ties join the pair
    with the lowest indices first."""
    d = np.array(distance, dtype=np.float64)
    n = len(d)
    if d.shape != (n, n) or n < 1:
        raise ValueError("the distance matrix must be square and not empty")
    np.fill_diagonal(d, np.inf)
    size = np.ones(n)
    group = np.arange(n)  # the group id each slot holds now
    joins = np.zeros((n - 1, 4))
    for k in range(n - 1):
        i, j = divmod(int(np.argmin(d)), n)  # i < j: d is symmetric and the first minimum wins
        joins[k] = (min(group[i], group[j]), max(group[i], group[j]), d[i, j], size[i] + size[j])
        merged = (size[i] * d[i] + size[j] * d[j]) / (size[i] + size[j])  # Lance-Williams, average
        d[i], d[:, i] = merged, merged
        d[i, i] = np.inf
        d[j], d[:, j] = np.inf, np.inf
        size[i] += size[j]
        group[i] = n + k
    return joins


def leaf_order(joins: np.ndarray) -> list[int]:
    """The items in the order a dendrogram draws them: each join's first group, then its second."""
    n = len(joins) + 1
    order, stack = [], [2 * n - 2]  # the root is the last join
    while stack:
        node = stack.pop()
        if node < n:
            order.append(int(node))
        else:
            a, b = joins[node - n, :2]
            stack += [int(b), int(a)]  # a is drawn first
    return order


def cut(joins: np.ndarray, clusters: int) -> np.ndarray:
    """[n] the group (0..clusters-1) of each item when the tree is cut into `clusters` groups
    (its last clusters - 1 joins undone), groups numbered in leaf order."""
    n = len(joins) + 1
    if not 1 <= clusters <= n:
        raise ValueError(f"the number of clusters must be 1..{n}; got {clusters}")
    parent = list(range(2 * n - 1))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for k in range(n - clusters):
        a, b = int(joins[k, 0]), int(joins[k, 1])
        parent[root(a)] = n + k
        parent[root(b)] = n + k
    roots = [root(item) for item in range(n)]
    numbers: dict[int, int] = {}
    for item in leaf_order(joins):
        numbers.setdefault(roots[item], len(numbers))
    return np.array([numbers[r] for r in roots])


@dataclass(frozen=True)
class UnitMap:
    """The units of one quantity clustered by co-activation."""

    correlation: np.ndarray  # [units, units] Pearson r over the corpus words
    order: np.ndarray  # [units] unit numbers in leaf order: each cluster's units side by side
    cluster: np.ndarray  # [units] the cluster (0..k-1, numbered in leaf order) of unit u
    heights: np.ndarray  # [units - 1] the tree's join heights (mean 1 - r), lowest first

    @property
    def clusters(self) -> int:
        """How many clusters."""
        return int(self.cluster.max()) + 1

    def members(self, k: int) -> list[int]:
        """Cluster k's units, in leaf order."""
        return [int(u) for u in self.order if self.cluster[u] == k]

    def bounds(self) -> list[tuple[int, int]]:
        """Each cluster's first and last position (inclusive) in `order`."""
        positions = [np.flatnonzero(self.cluster[self.order] == k) for k in range(self.clusters)]
        return [(int(p[0]), int(p[-1])) for p in positions]


def unit_map(values: np.ndarray, clusters: int) -> UnitMap:
    """Cluster the units (columns) of values [words, units] into `clusters` groups by average
    linkage on 1 - correlation."""
    r = correlation(values)
    if not 1 <= clusters <= len(r):
        raise ValueError(f"the number of clusters must be 1..{len(r)}; got {clusters}")
    joins = average_linkage(1.0 - r)
    return UnitMap(
        correlation=r, order=np.array(leaf_order(joins)), cluster=cut(joins, clusters), heights=joins[:, 2]
    )


@dataclass(frozen=True)
class ClusterWord:
    """One word's pull on one cluster."""

    word: str
    score: float  # the cluster's units' mean value at this word, in standard deviations above their mean
    count: int  # how often the word is in the corpus


def cluster_words(
    values: np.ndarray,
    tokens: Sequence[str],
    members: Sequence[int],
    top: int = 6,
    min_count: int = 5,
) -> list[ClusterWord]:
    """The `top` words (seen at least `min_count` times) at which the units `members` of values
    [words, units] are highest relative to their own mean: for word w, the mean over the
    members of (mean of the unit at w - the unit's mean over all words) / the unit's standard
    deviation. `tokens` [words] is the word of each row. Highest first; ties by the word."""
    if len(tokens) != len(values):
        raise ValueError("there must be one token per row of values")
    z = standardized(values)[:, list(members)].mean(axis=1)  # [words] the cluster's mean z
    words, index, counts = np.unique(
        np.asarray(tokens, dtype=object), return_inverse=True, return_counts=True
    )
    score = np.bincount(index, weights=z, minlength=len(words)) / counts
    kept = [k for k in range(len(words)) if counts[k] >= min_count]
    kept.sort(key=lambda k: (-score[k], words[k]))
    return [ClusterWord(str(words[k]), float(score[k]), int(counts[k])) for k in kept[:top]]
