"""Dominance, compiled: sites another site makes useless, groups another makes redundant.

Site j is dominated by an allowed site k that covers every demand group j covers, at no
greater cost (any cost when only the number of sites counts). A site k that covers all of
j's groups covers j's rarest group (the one fewest sites cover), so only the sites of that
one column are tried, each by a merge of the two sorted rows that stops at the first group
k misses. The work is the sum over sites of their rarest group's column, not the square of
the sites per group that a site-by-site overlap product costs.

For set covering, a demand group g is redundant when the sites that reach another group h
all reach g too: every cover of h covers g. The same search runs on the transposed matrix,
from each h to the groups that contain its sites: the classical set-covering reductions
(Garfinkel and Nemhauser 1972; Beasley 1987).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import csr_matrix

from whitespot._numba import njit


def dominated_sites(
    cover: csr_matrix, cost: np.ndarray, allowed: np.ndarray, *, by_count: bool
) -> np.ndarray:
    """Mask of the sites some allowed site dominates.

    Among identical sites of equal cost the first is kept; at equal cost a site is also
    dominated by a larger one that contains it.

    Parameters
    ----------
    cover : scipy.sparse.csr_matrix
        Sites x demand groups.
    cost : numpy.ndarray
        Cost per site (ignored when `by_count`).
    allowed : numpy.ndarray of bool
        Sites that may be built: only they dominate.
    by_count : bool
        Maximal covering by number of sites: costs do not tell sites apart.

    Returns
    -------
    numpy.ndarray of bool
    """
    rows = cover.tocsr()
    rows.sort_indices()
    columns = rows.tocsc()
    columns.sort_indices()
    price = np.zeros(rows.shape[0]) if by_count else np.array(cost, dtype=np.float64)
    return _dominated(
        rows.indptr.astype(np.int64),
        rows.indices.astype(np.int64),
        columns.indptr.astype(np.int64),
        columns.indices.astype(np.int64),
        price,
        np.array(allowed, dtype=np.bool_),
    )


@njit(cache=True, inline="always")
def _contains(groups, k_start, k_stop, j_start, j_stop):
    """Whether the sorted groups[k_start:k_stop] hold all of groups[j_start:j_stop]."""
    at = k_start
    for position in range(j_start, j_stop):
        g = groups[position]
        while at < k_stop and groups[at] < g:
            at += 1
        if at == k_stop or groups[at] != g:
            return False
        at += 1
    return True


def redundant_groups(cover: csr_matrix) -> np.ndarray:
    """Mask of the demand groups that set covering need not cover explicitly.

    Group g is redundant when another group h is reached by a subset of g's sites (among
    groups reached by the same sites, all but the first). Covering every other group
    covers it; groups no site reaches are never redundant.

    Parameters
    ----------
    cover : scipy.sparse.csr_matrix
        Sites x demand groups.

    Returns
    -------
    numpy.ndarray of bool
    """
    sites_of_group = cover.tocsc()  # the rows of the transpose, one conversion
    sites_of_group.sort_indices()
    groups_of_site = cover.tocsr()
    groups_of_site.sort_indices()
    return _supersets(
        sites_of_group.indptr.astype(np.int64),
        sites_of_group.indices.astype(np.int64),
        groups_of_site.indptr.astype(np.int64),
        groups_of_site.indices.astype(np.int64),
    )


@njit(cache=True, inline="always")
def _rarest(row_ptr, row_items, column_ptr, j):
    """Return the item of row j that fewest rows hold."""
    rarest, fewest = -1, len(row_ptr)
    for position in range(row_ptr[j], row_ptr[j + 1]):
        g = row_items[position]
        if column_ptr[g + 1] - column_ptr[g] < fewest:
            rarest, fewest = g, column_ptr[g + 1] - column_ptr[g]
    return rarest


@njit("b1[::1](i8[::1], i8[::1], i8[::1], i8[::1])", cache=True)
def _supersets(row_ptr, row_items, column_ptr, column_rows):
    """Rows that hold all of another row (of identical rows, all but the first).

    Rows are taken from the shortest: a row already found to hold another is skipped, as
    the row it holds (or the shortest of that chain) finds every row it would.
    """
    n_rows = len(row_ptr) - 1
    superset = np.zeros(n_rows, dtype=np.bool_)
    for h in np.argsort(np.diff(row_ptr), kind="mergesort"):
        start, stop = row_ptr[h], row_ptr[h + 1]
        size = stop - start
        if size == 0 or superset[h]:
            continue
        rarest = _rarest(row_ptr, row_items, column_ptr, h)
        for position in range(column_ptr[rarest], column_ptr[rarest + 1]):
            g = column_rows[position]
            g_size = row_ptr[g + 1] - row_ptr[g]
            if g == h or superset[g] or g_size < size or (g_size == size and g < h):
                continue
            if _contains(row_items, row_ptr[g], row_ptr[g + 1], start, stop):
                superset[g] = True
    return superset


@njit("b1[::1](i8[::1], i8[::1], i8[::1], i8[::1], f8[::1], b1[::1])", cache=True)
def _dominated(row_ptr, row_groups, column_ptr, column_sites, cost, allowed):
    n_sites = len(row_ptr) - 1
    dominated = np.zeros(n_sites, dtype=np.bool_)
    for j in range(n_sites):
        start, stop = row_ptr[j], row_ptr[j + 1]
        size = stop - start
        if size == 0:
            continue
        rarest = _rarest(row_ptr, row_groups, column_ptr, j)
        for position in range(column_ptr[rarest], column_ptr[rarest + 1]):
            k = column_sites[position]
            k_size = row_ptr[k + 1] - row_ptr[k]
            if k == j or not allowed[k] or k_size < size or cost[k] > cost[j]:
                continue
            if cost[k] == cost[j] and k_size == size and k > j:
                continue  # identical at equal cost: the first is kept
            if _contains(row_groups, row_ptr[k], row_ptr[k + 1], start, stop):
                dominated[j] = True
                break
    return dominated
