"""Representative days: cluster a year of hourly series into typical days, keeping extreme days (numpy only).

The clustering is tsam's (``tsam.aggregate(..., n_clusters=n, period_duration=24, extremes=ExtremeConfig(
method="append", max_value=["load"], min_period=["solar", "wind"]), preserve_column_means=True)``, tsam 4.1),
re-done in numpy so that ``gigafleet power --hours repdays`` does not import tsam, scikit-learn, scipy.stats and
pandas (~1.3 CPU-s of a 5 s command): min-max scaling of each column, one 24 h profile per day (columns side by
side), Ward agglomerative clustering (scipy's nearest-neighbour chain, which scikit-learn's
``AgglomerativeClustering(linkage="ward")`` runs, and scikit-learn's cut of the tree into clusters and their
numbering), each cluster's medoid (least summed Euclidean distance, ties within 1e-10 to the lower day), the
extreme days appended as their own periods (the day holding the highest load, the days of least mean solar and
wind, unless one is already a medoid), and every non-extreme column rescaled so that the occurrence-weighted
typical days keep the year's column sums (tsam's bounded water fill, relative tolerance 1e-6, 20 passes).
``tests/test_power_speed.py`` holds it to tsam's days, weights and profiles where tsam is installed.

Extreme days kept as their own periods: the day with the highest load (hottest: peak PUE), the day with the
least solar and the day with the least wind (dark, still days that size storage and firm capacity).
"""

from __future__ import annotations

import heapq
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
HOURS_PER_DAY = 24
RESCALE_TOLERANCE = 1e-6
"""Relative tolerance of the column-sum rescaling (tsam's ``options.rescale_tolerance``)."""
RESCALE_PASSES = 20
"""Most water-fill passes of the rescaling (tsam's ``options.rescale_max_iterations``)."""
TIE_DECIMALS = 10
"""Summed medoid distances are compared at this many decimals (tsam's ``deterministic_argmin``)."""


@dataclass
class RepresentativeDays:
    """Typical days and how often each stands for a real day.

    Attributes
    ----------
    profiles
        Column name -> typical days [the column's unit], shape (period, 24), periods in order 0, 1, ...
    weights
        Real days each period stands for [days], shape (period,).
    assignments
        Real day (0..364) -> its period.
    """

    profiles: dict[str, FloatArray]
    weights: FloatArray
    assignments: IntArray


def representative_days(hourly: Mapping[str, npt.ArrayLike], n_days: int = 12) -> RepresentativeDays:
    """Cluster hourly series (8,760 values each) into ``n_days`` typical days plus extreme days.

    Parameters
    ----------
    hourly
        Columns ``load``, ``solar`` and ``wind`` (others allowed) -> hourly values, in column order.
    n_days
        Number of typical days (extreme days come on top).
    """
    columns = list(hourly)
    data = np.column_stack([np.asarray(hourly[c], dtype=float) for c in columns])  # (hour, column)
    n_periods = len(data) // HOURS_PER_DAY
    if n_periods * HOURS_PER_DAY != len(data) or not 1 <= n_days <= n_periods:
        raise ValueError(f"{len(data)} hours is not a whole number of days, or {n_days} typical days do not fit")
    # min-max scaling (scikit-learn's MinMaxScaler, operation for operation)
    low = data.min(axis=0)
    span = data.max(axis=0) - low
    scale = 1.0 / np.where(span < 10 * np.finfo(float).eps, 1.0, span)
    shift = 0.0 - low * scale
    normal = data * scale + shift
    # one row per day: all hours of the first column, then of the second, ...
    profiles = normal.reshape(n_periods, HOURS_PER_DAY, len(columns)).transpose(0, 2, 1).reshape(n_periods, -1)
    order = _ward_labels(profiles, n_days)
    centres: list[FloatArray] = []
    for cluster in np.unique(order):
        members = np.flatnonzero(order == cluster)
        group = profiles[members]
        squared = np.einsum("ij,ij->i", group, group)[:, None]
        distance = -2 * (group @ group.T)
        distance += squared
        distance += squared.T
        np.maximum(distance, 0, out=distance)
        np.fill_diagonal(distance, 0)
        np.sqrt(distance, out=distance)
        centres.append(group[int(np.argmin(np.round(distance.sum(axis=0), TIE_DECIMALS)))])
    # extreme days, appended as periods of their own
    per_column = profiles.reshape(n_periods, len(columns), HOURS_PER_DAY)
    taken: list[int] = []
    listed = [centre.tolist() for centre in centres]
    for c, column in enumerate(columns):
        if column == "load":
            day = int(np.argmax(per_column[:, c].max(axis=1)))
        elif column in ("solar", "wind"):
            day = int(np.argmin(per_column[:, c].mean(axis=1)))
        else:
            continue
        if day not in taken and profiles[day].tolist() not in listed:
            taken.append(day)
    n_clusters = len(centres)
    order = order.copy()
    for j, day in enumerate(taken):
        centres.append(profiles[day])
        order[day] = n_clusters + j
    extreme = list(range(n_clusters, n_clusters + len(taken)))
    used = np.unique(order)
    if len(used) < len(centres):  # a cluster emptied by its extremes: drop it, renumber the rest
        renumber = {int(old): new for new, old in enumerate(used)}
        centres = [centres[int(old)] for old in used]
        extreme = [renumber[old] for old in extreme]
        order = np.searchsorted(used, order)
    counts = np.bincount(order, minlength=len(centres)).astype(float)
    typical = _rescale(np.array(centres), counts, extreme, per_column)
    typical = (typical - shift[None, :, None]) / scale[None, :, None]  # back to the input's units
    return RepresentativeDays(
        profiles={column: np.ascontiguousarray(typical[:, c]) for c, column in enumerate(columns)},
        weights=counts,
        assignments=np.asarray(order, dtype=np.int64),
    )


def _ward_labels(points: FloatArray, n_clusters: int) -> IntArray:
    """Ward clusters of the rows of ``points`` numbered as scikit-learn's ``AgglomerativeClustering`` numbers
    them: scipy's nearest-neighbour chain (Lance-Williams update), the merges sorted by height and relabelled,
    then the tree cut from the root down, splitting the most recent merge first."""
    n = len(points)
    if n_clusters == 1:
        return np.zeros(n, dtype=np.int64)
    distance = np.zeros((n, n))
    for k in range(points.shape[1]):  # squared differences summed feature by feature, as scipy's pdist does
        step = points[:, None, k] - points[None, :, k]
        distance += step * step
    np.sqrt(distance, out=distance)
    size = np.ones(n, dtype=np.int64)
    merges = np.empty((n - 1, 3))
    chain: list[int] = []
    for k in range(n - 1):
        if not chain:
            chain.append(int(np.flatnonzero(size > 0)[0]))
        while True:
            x = chain[-1]
            row = np.where(size > 0, distance[x], np.inf)
            row[x] = np.inf
            y = int(np.argmin(row))
            best = row[y]
            if len(chain) > 1:  # prefer the previous element of the chain on ties (no cycles)
                previous = chain[-2]
                if not best < distance[x, previous]:
                    y, best = previous, distance[x, previous]
                if y == previous:
                    break
            chain.append(y)
        chain.pop()
        chain.pop()
        x, y = min(x, y), max(x, y)
        nx, ny = size[x], size[y]
        merges[k] = x, y, best
        size[x] = 0
        size[y] = nx + ny
        others = np.flatnonzero(size > 0)
        others = others[others != y]
        ni = size[others]
        t = 1.0 / (nx + ny + ni)
        d_xi, d_yi = distance[others, x], distance[others, y]
        updated = np.sqrt((ni + nx) * t * d_xi * d_xi + (ni + ny) * t * d_yi * d_yi - ni * t * best * best)
        distance[others, y] = updated
        distance[y, others] = updated
    merges = merges[np.argsort(merges[:, 2], kind="mergesort")]
    # relabel: merge i makes node n + i (union-find over the points)
    parent = np.arange(2 * n - 1)

    def find(node: int) -> int:
        root = node
        while parent[root] != root:
            root = int(parent[root])
        while parent[node] != root:
            parent[node], node = root, int(parent[node])
        return root

    children = np.empty((n - 1, 2), dtype=np.int64)
    for i, (a, b, _) in enumerate(merges):
        ra, rb = find(int(a)), find(int(b))
        children[i] = (ra, rb) if ra < rb else (rb, ra)
        parent[ra] = parent[rb] = n + i
    # cut (scikit-learn's _hc_cut): a heap of negated node numbers
    nodes = [-(int(children[-1].max()) + 1)]
    for _ in range(n_clusters - 1):
        left, right = children[-nodes[0] - n]
        heapq.heappush(nodes, -int(left))
        heapq.heappushpop(nodes, -int(right))
    labels = np.zeros(n, dtype=np.int64)
    for i, node in enumerate(nodes):
        stack, leaves = [-node], []
        while stack:
            top = stack.pop()
            if top < n:
                leaves.append(top)
            else:
                stack.extend(int(c) for c in children[top - n])
        labels[leaves] = i
    return labels


def _rescale(centres: FloatArray, counts: FloatArray, extreme: list[int], per_column: FloatArray) -> FloatArray:
    """Scale each column of the non-extreme typical days (normalised, shape (period, column x 24)) so that the
    occurrence-weighted sum matches the year's (tsam's ``rescale_representatives``, bounds [0, 1])."""
    n_clusters, n_columns = len(centres), per_column.shape[1]
    arr = centres.reshape(n_clusters, n_columns, HOURS_PER_DAY).copy()
    regular = np.delete(np.arange(n_clusters), extreme)
    peaks = np.array(extreme, dtype=int)
    for c in range(n_columns):
        column = arr[:, c, :]
        year = float(per_column[:, c, :].sum(axis=0).sum())
        peak = float(np.sum(counts[peaks] * column[peaks, :].sum(axis=1))) if len(peaks) else 0.0
        clustered = np.sum(counts[regular] * column[regular, :].sum(axis=1))
        target = year - peak
        if clustered > 0 and target > 0:
            arr[regular, c, :] *= target / clustered
        np.nan_to_num(arr[:, c, :], copy=False, nan=0.0)
        arr[regular, c, :] = _water_fill(arr[regular, c, :], counts[regular][:, None], 0.0, 1.0, target)
    return arr


def _water_fill(values: FloatArray, weights: FloatArray, lower: float, upper: float, target: float) -> FloatArray:
    """Move ``values`` within [lower, upper] towards ``sum(weights x values) == target`` (tsam's
    ``bounded_water_fill``): each pass shifts the residual in proportion to each value's room."""
    tolerance = max(abs(target), 1.0) * RESCALE_TOLERANCE
    adjusted = np.clip(np.array(values, dtype=float), lower, upper)
    for _ in range(RESCALE_PASSES):
        residual = target - float(np.sum(weights * adjusted))
        if abs(residual) <= tolerance:
            break
        room = (upper - adjusted) if residual > 0 else (adjusted - lower)
        capacity = float(np.sum(weights * room))
        if capacity <= tolerance:
            break
        step = min(abs(residual), capacity)
        adjusted = adjusted + np.sign(residual) * step * room / capacity
        np.clip(adjusted, lower, upper, out=adjusted)
    return np.asarray(adjusted, dtype=float)
