"""Facility physics: hourly PUE from ambient temperature and cooling type, and the load the supply must meet.

PUE(t) = min(peak_pue, pue_min + slope × max(0, T(t) − T_free)): below the free-cooling threshold T_free only
fans, pumps and electrical losses remain (``pue_min``); above it chillers or adiabatic assist take a growing share.
The parameters are the cooling type's catalogue rows (``pue_min``, ``free_cooling_threshold_c``,
``pue_slope_per_c``, ``peak_pue``).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from gigafleet.catalog import Catalog

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class CoolingPhysics:
    """PUE model parameters of one cooling type."""

    pue_min: float
    free_cooling_threshold_c: float
    pue_slope_per_c: float
    peak_pue: float
    wue_l_per_kwh: float


def cooling_physics(catalog: Catalog, cooling: str, field: str = "--cooling") -> CoolingPhysics:
    """The PUE model of a cooling type at catalogue mid values."""
    item = catalog.item("cooling", cooling, field_name=field)
    return CoolingPhysics(
        item["pue_min"].mid,
        item["free_cooling_threshold_c"].mid,
        item["pue_slope_per_c"].mid,
        item["peak_pue"].mid,
        item["wue_l_per_kwh"].mid,
    )


def hourly_pue(temp_c: FloatArray, physics: CoolingPhysics) -> FloatArray:
    """Hourly PUE [ratio] from ambient temperature [°C].

    Examples
    --------
    >>> p = CoolingPhysics(1.08, 25.0, 0.01, 1.4, 0.2)
    >>> hourly_pue(np.array([10.0, 30.0, 99.0]), p).round(3).tolist()
    [1.08, 1.13, 1.4]
    """
    excess = np.maximum(0.0, np.asarray(temp_c, dtype=float) - physics.free_cooling_threshold_c)
    return np.asarray(np.minimum(physics.peak_pue, physics.pue_min + physics.pue_slope_per_c * excess), dtype=float)


def free_cooling_share(temp_c: FloatArray, physics: CoolingPhysics) -> float:
    """Share of hours below the free-cooling threshold [fraction]."""
    return float(np.mean(np.asarray(temp_c) <= physics.free_cooling_threshold_c))


def campus_load_mw(
    it_load_mw: float, pue: FloatArray, training_swing: float = 0.0, rng: np.random.Generator | None = None
) -> FloatArray:
    """Hourly facility load [MW] = IT load × PUE(t), optionally with hourly training-load variation.

    Parameters
    ----------
    it_load_mw
        Average IT load [MW].
    pue
        Hourly PUE [ratio].
    training_swing
        Amplitude of hourly IT-load variation from synchronous training (checkpoints, restarts, job changes)
        as a share of the IT load [fraction]; 0 keeps the IT load flat. Sub-second swings are handled by the
        battery-buffer constraint of the campus model, not here.
    rng
        Seeded generator for the variation.
    """
    it = np.full(pue.shape, float(it_load_mw))
    if training_swing > 0:
        generator = rng or np.random.default_rng(0)
        dips = generator.random(pue.shape) < 0.05  # ~5% of hours see checkpoint or restart dips
        it = np.where(dips, it * (1 - training_swing), it)
    return np.asarray(it * pue, dtype=float)
