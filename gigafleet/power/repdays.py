"""Representative days (tsam): cluster a year of hourly series into typical days, keeping extreme days.

Extreme days kept as their own periods: the day with the highest load (hottest: peak PUE), the day with the
least solar and the day with the least wind (dark, still days that size storage and firm capacity).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass
class RepresentativeDays:
    """Typical days and how often each stands for a real day."""

    series: pd.DataFrame  # MultiIndex (period, hour) -> columns of the input
    weights: pd.Series  # period -> number of real days represented
    assignments: np.ndarray  # real day index (0..364) -> period


def representative_days(hourly: pd.DataFrame, n_days: int = 12) -> RepresentativeDays:
    """Cluster hourly series (8,760 rows) into ``n_days`` typical days plus extreme days.

    Parameters
    ----------
    hourly
        Columns ``load``, ``solar`` and ``wind`` (others allowed), hourly index.
    n_days
        Number of typical days (extreme days come on top).
    """
    import tsam

    extremes = tsam.ExtremeConfig(
        method="append", max_value=["load"], min_period=[c for c in ("solar", "wind") if c in hourly]
    )
    data = hourly.copy()
    data.index = pd.date_range("2023-01-01", periods=len(hourly), freq="h")
    result = tsam.aggregate(data, n_clusters=n_days, period_duration=24, extremes=extremes, preserve_column_means=True)
    reps = result.cluster_representatives.copy()
    reps.index = reps.index.set_names(["period", "hour"])
    weights = pd.Series(result.cluster_counts, dtype=float)
    weights.index.name = "period"
    periods = sorted(set(reps.index.get_level_values("period")))
    weights = weights.reindex(periods).fillna(0.0)
    return RepresentativeDays(series=reps, weights=weights, assignments=np.asarray(result.cluster_assignments))
