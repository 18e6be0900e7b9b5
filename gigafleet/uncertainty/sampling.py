"""Vectorised Monte Carlo sampling of catalogue ranges.

Every catalogue value with ``low < high`` is drawn from a PERT distribution on (low, mid, high):
a Beta distribution rescaled to [low, high] with mode ``mid`` and shape λ = 4 (Malcolm et al. 1959;
Vose, *Risk Analysis*, 3rd ed., 2008, §9.1). Point values (``low == mid == high``) are constants.

Below :data:`PERT_TABLE_MIN_SAMPLES` draws, samples come from ``Generator.beta``. From there on they come from
the inverse CDF on a table (:class:`PertTable`): one uniform per draw, 3–5× faster than ``Generator.beta`` and
monotone in the uniform, so draws sharing their uniforms are comonotonic without sorting. The table's CDF is
within 1e-5 of the exact Beta CDF everywhere (about 1/30 of the Monte Carlo noise of 10^7 samples at any
probability; ``tests/test_sampling.py`` holds it against SciPy). P10/P50/P90 of 32,768+ samples come from a
selection on one candidate window per percentile (:func:`quantiles`), bit-for-bit equal to ``np.percentile``.

References
----------
.. [1] D. G. Malcolm, J. H. Roseboom, C. E. Clark, W. Fazar, "Application of a technique for research and
   development program evaluation", Operations Research 7(5):646-669, 1959.
.. [2] D. Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley, 2008.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from gigafleet.catalog import Parameter

FloatArray = npt.NDArray[np.float64]

PERT_SHAPE = 4.0
"""λ of the PERT distribution (the classic PERT weight of the mode)."""

PERCENTILES: tuple[float, float, float] = (10.0, 50.0, 90.0)

PERT_TABLE_MIN_SAMPLES = 50_000
"""From this many draws of one parameter on, PERT draws use the inverse-CDF table (building one costs about as
much as 50,000 draws by ``Generator.beta``; below, the exact Beta draws stay, and so do their random streams)."""


def pert_samples(
    low: float, mid: float, high: float, size: int, rng: np.random.Generator, shape: float = PERT_SHAPE
) -> FloatArray:
    """Draw ``size`` samples from PERT(low, mid, high).

    Parameters
    ----------
    low, mid, high
        Minimum, most likely and maximum value [any unit]; ``low <= mid <= high``.
    size
        Number of samples.
    rng
        Seeded numpy generator.
    shape
        λ, the weight of the mode (4 for classic PERT).

    Returns
    -------
    numpy.ndarray
        Samples [same unit as the inputs]; a constant array when ``low == high``.

    Notes
    -----
    With r = high − low: α = 1 + λ(mid − low)/r, β = 1 + λ(high − mid)/r, x = low + r·Beta(α, β).
    The mean is (low + λ·mid + high)/(λ + 2).

    Examples
    --------
    >>> x = pert_samples(1.0, 2.0, 4.0, 100_000, np.random.default_rng(0))
    >>> abs(float(x.mean()) - (1 + 8 + 4) / 6) < 0.01
    True
    """
    if high == low:
        _pert_beta(low, mid, high, shape)  # checks the order
        return np.full(size, float(mid))
    if size >= PERT_TABLE_MIN_SAMPLES:
        table = pert_table(low, mid, high, shape)
        if table is not None:
            return np.asarray(table(rng.random(size)), dtype=np.float64)
    span = high - low
    alpha, beta = _pert_beta(low, mid, high, shape)
    samples = rng.beta(alpha, beta, size)
    samples *= span  # in place: no temporaries at 10^6+ samples
    samples += low
    return samples


def _pert_beta(low: float, mid: float, high: float, shape: float) -> tuple[float, float]:
    """(α, β) of PERT(low, mid, high) as a Beta on [low, high]; ``low < high`` unless only checking order."""
    if not low <= mid <= high:
        raise ValueError(f"PERT needs low <= mid <= high, got {low}, {mid}, {high}")
    span = high - low
    if span == 0:
        return 1.0, 1.0
    return 1.0 + shape * (mid - low) / span, 1.0 + shape * (high - mid) / span


def pert_quantiles(low: float, mid: float, high: float, u: FloatArray, shape: float = PERT_SHAPE) -> FloatArray:
    """PERT(low, mid, high) at probabilities ``u`` (inverse CDF): draws that move together when ``u`` is shared.

    A constant array when ``low == high``. Same distribution as :func:`pert_samples`: exact (SciPy) below
    :data:`PERT_TABLE_MIN_SAMPLES` probabilities, the inverse-CDF table (:class:`PertTable`) from there on.
    """
    alpha, beta = _pert_beta(low, mid, high, shape)
    if high == low:
        return np.full_like(u, float(mid), dtype=float)
    if np.size(u) >= PERT_TABLE_MIN_SAMPLES:
        table = pert_table(low, mid, high, shape)
        if table is not None:
            return np.asarray(table(np.asarray(u, dtype=float)), dtype=np.float64)
    from scipy.stats import beta as beta_distribution

    return np.asarray(low + (high - low) * beta_distribution.ppf(u, alpha, beta), dtype=float)


def sample_parameter(parameter: Parameter, size: int, rng: np.random.Generator) -> FloatArray:
    """Samples of a catalogue parameter: PERT on its range, or its point value repeated [parameter unit]."""
    return pert_samples(parameter.low, parameter.mid, parameter.high, size, rng)


def parameter_quantiles(parameter: Parameter, u: FloatArray) -> FloatArray:
    """A catalogue parameter at probabilities ``u`` (:func:`pert_quantiles`) [parameter unit]."""
    return pert_quantiles(parameter.low, parameter.mid, parameter.high, u)


# --------------------------------------------------------------------------------------------------------
# Inverse-CDF table of PERT
# --------------------------------------------------------------------------------------------------------

TABLE_CELLS = 1024
"""Cells of the central table, uniform in probability."""
TABLE_TAIL = 1.0 / 32.0
"""Probability below (above 1 − it) which draws use the log–log tail tables."""
TAIL_POINTS = 256
"""Points of each tail table, uniform in log probability from :data:`TAIL_FLOOR` to :data:`TABLE_TAIL`."""
TAIL_FLOOR = 1e-13
"""Smallest tabulated tail probability (draws further out, with probability 2e-13, take its value)."""
MAX_TABLE_EXPONENT = 12.0
"""Beta exponents above this (PERT shapes far above 4) keep ``Generator.beta``."""


def _beta_cdf_lower(x: FloatArray, a: float, b: float) -> FloatArray:
    """Regularised incomplete beta I_x(a, b) for 0 <= x <= 1/2 and a, b >= 1 [probability].

    I_x(a, b) = x^a (1 − x)^b / (a B(a, b)) · ₂F₁(a + b, 1; a + 1; x) (DLMF 8.17.8): a series of positive terms,
    each (a + b + n)/(a + 1 + n) · x times the previous, summed to 1e-17 at x = 1/2.
    """
    coefficients = [1.0]
    term, n = 1.0, 0
    while term > 1e-17 or n < 8:
        term *= (a + b + n) / (a + 1.0 + n) * 0.5
        coefficients.append(coefficients[-1] * (a + b + n) / (a + 1.0 + n))
        n += 1
    series = np.full_like(x, coefficients[-1])
    for c in reversed(coefficients[:-1]):  # Horner
        series *= x
        series += c
    log_beta = math.lgamma(a) + math.lgamma(b) - math.lgamma(a + b)
    with np.errstate(divide="ignore"):
        prefactor = np.exp(a * np.log(x) + b * np.log1p(-x) - math.log(a) - log_beta)
    return np.asarray(prefactor * series, dtype=float)


@dataclass(frozen=True, eq=False)
class PertTable:
    """Inverse CDF of PERT(low, mid, high) on tables: ``table(u)`` maps probabilities to values [unit of the range].

    Between probabilities :data:`TABLE_TAIL` and 1 − :data:`TABLE_TAIL` the quantile function is interpolated
    linearly on :data:`TABLE_CELLS` equal cells (index arithmetic, no search); in each tail ``log(x − low)``
    (``log(high − x)``) is interpolated linearly in the log of the probability (the tails of a Beta are power laws,
    which that makes straight lines). The tables come from the exact CDF (:func:`_beta_cdf_lower`, no SciPy) on
    ~2,700 points, inverted by interpolation. Monotone in ``u``: draws from shared uniforms are comonotonic.
    """

    low: float
    high: float
    knots: FloatArray  # (TABLE_CELLS + 1,) values at u = i / TABLE_CELLS
    slopes: FloatArray  # (TABLE_CELLS,) value change across each cell
    lower: FloatArray  # (TAIL_POINTS,) log((x - low) / span) at log u on the tail grid
    upper: FloatArray  # (TAIL_POINTS,) log((high - x) / span) at log(1 - u) on the tail grid
    knots32: npt.NDArray[np.float32]  # the knots and slopes in single precision, for float32 draws
    slopes32: npt.NDArray[np.float32]

    def __call__(
        self,
        u: FloatArray,
        dtype: npt.DTypeLike = np.float64,
        *,
        scratch: TableScratch | None = None,
        out: npt.NDArray[np.floating[Any]] | None = None,
    ) -> npt.NDArray[np.floating[Any]]:
        """Values at probabilities ``u`` in [0, 1] [unit of the range], as ``dtype`` (float64 or float32).

        ``scratch`` (of ``u``'s size) holds the work arrays, and ``out`` (of ``dtype``) receives the values, so
        successive draws touch no fresh memory (page faults cost more than the arithmetic at 10^6 samples)."""
        single = np.dtype(dtype) == np.float32
        knots, slopes = (self.knots32, self.slopes32) if single else (self.knots, self.slopes)
        if scratch is not None and scratch.position.shape == u.shape:
            position = np.multiply(u, TABLE_CELLS, out=scratch.position)
            cell = scratch.cell
            np.copyto(cell, position, casting="unsafe")  # truncation, as astype
            spare: npt.NDArray[np.floating[Any]] = scratch.fraction32 if single else position
        else:
            position = np.multiply(u, TABLE_CELLS)
            cell = position.astype(np.intp)
            spare = np.empty(u.shape, np.float32) if single else position
        # the fraction of the cell (u = 1 is cell TABLE_CELLS, fraction 0: the last knot)
        fraction = np.subtract(position, cell, out=spare)
        del position
        out = slopes.take(cell, mode="clip", out=out)
        out *= fraction
        out += knots.take(cell, out=fraction, mode="clip")
        span = self.high - self.low
        lower = np.flatnonzero(u < TABLE_TAIL)
        if lower.size:
            out[lower] = self.low + span * np.exp(_tail_lookup(self.lower, u[lower]))
        upper = np.flatnonzero(u > 1.0 - TABLE_TAIL)
        if upper.size:
            out[upper] = self.high - span * np.exp(_tail_lookup(self.upper, 1.0 - u[upper]))
        return out


@dataclass(frozen=True, eq=False)
class TableScratch:
    """Work arrays for successive :class:`PertTable` draws of one size: uniforms, positions, cells, fractions."""

    uniforms: FloatArray
    position: FloatArray
    cell: npt.NDArray[np.intp]
    fraction32: npt.NDArray[np.float32]

    @staticmethod
    def of(size: int) -> TableScratch:
        """Scratch arrays for draws of ``size`` values."""
        return TableScratch(np.empty(size), np.empty(size), np.empty(size, dtype=np.intp), np.empty(size, np.float32))


_TAIL_LOG_FLOOR = math.log(TAIL_FLOOR)
_TAIL_STEP = (math.log(TABLE_TAIL) - _TAIL_LOG_FLOOR) / (TAIL_POINTS - 1)


def _tail_lookup(table: FloatArray, p: FloatArray) -> FloatArray:
    """Linear interpolation of a tail table at tail probabilities ``p`` (uniform grid in log p)."""
    with np.errstate(divide="ignore"):
        position = (np.log(p) - _TAIL_LOG_FLOOR) / _TAIL_STEP
    np.clip(position, 0.0, TAIL_POINTS - 1.0, out=position)
    index = np.minimum(position.astype(np.intp), TAIL_POINTS - 2)
    position -= index
    left = table[index]
    return np.asarray(left + (table[index + 1] - left) * position, dtype=float)


@lru_cache(maxsize=512)
def pert_table(low: float, mid: float, high: float, shape: float = PERT_SHAPE) -> PertTable | None:
    """The inverse-CDF table of PERT(low, mid, high) (cached), or ``None`` when ``low == high`` or an exponent
    exceeds :data:`MAX_TABLE_EXPONENT` (then draws stay with ``Generator.beta``)."""
    alpha, beta = _pert_beta(low, mid, high, shape)
    if high == low or max(alpha, beta) > MAX_TABLE_EXPONENT:
        return None
    # the exact CDF at x = d (lower half) and its survival at x = 1 - d (upper half), d in (0, 1/2]:
    # geometric near the ends (the power-law tails), uniform in the middle
    d = np.concatenate([np.geomspace(1e-20, 1.0 / 64.0, 640, endpoint=False), np.linspace(1.0 / 64.0, 0.5, 2049)])
    below = _beta_cdf_lower(d, alpha, beta)  # P(B <= d)
    above = _beta_cdf_lower(d, beta, alpha)  # P(B >= 1 - d)
    x = np.concatenate([d, 1.0 - d[-2::-1]])
    cdf = np.concatenate([below, 1.0 - above[-2::-1]])
    survival = np.concatenate([above, 1.0 - below[-2::-1]])  # as a function of 1 - x = the same grid as x
    knots = np.interp(np.linspace(0.0, 1.0, TABLE_CELLS + 1), cdf, x)
    knots[0], knots[-1] = 0.0, 1.0
    log_p = np.linspace(_TAIL_LOG_FLOOR, math.log(TABLE_TAIL), TAIL_POINTS)
    with np.errstate(divide="ignore"):
        lower = np.interp(log_p, np.log(cdf), np.log(x))
        upper = np.interp(log_p, np.log(survival), np.log(x))
    span = high - low
    values = low + span * knots
    slopes = np.diff(values)
    return PertTable(
        low=low,
        high=high,
        knots=values,
        slopes=slopes,
        lower=lower,
        upper=upper,
        knots32=values.astype(np.float32),
        slopes32=slopes.astype(np.float32),
    )


def comonotonic(reference: npt.NDArray[np.floating[Any]], values: npt.NDArray[np.floating[Any]]) -> FloatArray:
    """Reorder ``values`` so that they rise and fall with ``reference`` (rank correlation 1).

    The marginal distribution of ``values`` is unchanged; only which sample gets which value changes
    (Iman & Conover 1982 with a perfect rank correlation). Used for physically linked pairs, e.g. server and
    IT power per accelerator, or annual and design-day PUE, so that a sample never pairs a high server power
    with a low IT power.

    Parameters
    ----------
    reference, values
        Samples of the two quantities, same length [any units].

    References
    ----------
    .. [1] R. L. Iman, W. J. Conover, "A distribution-free approach to inducing rank correlation among input
       variables", Communications in Statistics - Simulation and Computation 11(3):311-334, 1982.
    """
    out = np.empty(values.shape, dtype=np.float64)
    out[np.argsort(reference, kind="stable")] = np.sort(values)
    return out


@dataclass(frozen=True)
class Quantiles:
    """P10, P50 and P90 of a sampled quantity [unit of the quantity]."""

    p10: float
    p50: float
    p90: float

    def to_dict(self) -> dict[str, float]:
        """``{"p10": ..., "p50": ..., "p90": ...}`` (the JSON form)."""
        return {"p10": self.p10, "p50": self.p50, "p90": self.p90}


FAST_QUANTILES_MIN_SAMPLES = 32_768
"""From this many samples on, :func:`quantiles` selects within candidate windows instead of partitioning a copy."""
SUBSAMPLE = 16_384
"""Size of the strided subsample that places the candidate windows."""
WINDOW_SIGMAS = 3.5
"""Half-width of a candidate window in standard deviations of the subsample's rank (a miss falls back)."""


def quantiles(samples: FloatArray) -> Quantiles:
    """P10/P50/P90 of samples (linear interpolation between order statistics, exactly as ``np.percentile``)."""
    x = np.asarray(samples)
    if x.ndim == 1 and x.dtype == np.float64 and x.size >= FAST_QUANTILES_MIN_SAMPLES:
        selected = _window_percentiles(x)
        if selected is not None:
            return Quantiles(*selected)
    p10, p50, p90 = np.percentile(x, PERCENTILES)
    return Quantiles(float(p10), float(p50), float(p90))


def _window_percentiles(x: FloatArray) -> tuple[float, float, float] | None:
    """``np.percentile(x, PERCENTILES)`` without sorting or copying ``x``; ``None`` when it cannot be sure.

    For each percentile, a strided subsample brackets the two order statistics it interpolates between; one
    pass counts the samples below the bracket, another gathers those inside (a few percent of them), and a
    partition of that small set gives the two. The bracket is checked (the ranks must fall inside it; no NaN
    may hide outside all counts), so an unlucky or adversarial order costs a fallback, never a wrong value.
    The interpolation is numpy's own (``_lerp`` of its ``linear`` method), so the result is bit-for-bit equal.
    """
    n = x.size
    sub = np.sort(x[:: max(1, n // SUBSAMPLE)])
    m = sub.size
    if sub[0] == sub[-1] and bool(np.all(x == sub[0])):  # a constant (a point value, a count)
        value = float(sub[0])
        return value, value, value
    out: list[float] = []
    below, window, high = 0, x[:0], math.inf
    for percentile in PERCENTILES:
        q = percentile / 100.0
        virtual = (n - 1) * q  # numpy's virtual index of its linear method
        rank = math.floor(virtual)
        gamma = virtual - rank
        centre = (rank + 1.0) / n * m
        half = WINDOW_SIGMAS * math.sqrt(m * q * (1.0 - q)) + 3.0
        first, last = int(centre - half), int(centre + half) + 1
        low = float(sub[first]) if first >= 0 else -math.inf
        high = float(sub[last]) if last < m else math.inf
        below = int(np.count_nonzero(x < low))
        inside = x >= low
        inside &= x <= high
        window = np.compress(inside, x)
        r = rank - below
        if r < 0 or r + 1 >= window.size:
            return None
        window.partition((r, r + 1))
        a, b = float(window[r]), float(window[r + 1])
        difference = b - a
        out.append(b - difference * (1.0 - gamma) if gamma >= 0.5 else a + difference * gamma)
    if below + window.size + int(np.count_nonzero(x > high)) != n:  # a NaN compares false: np.percentile gives NaN
        return None
    return out[0], out[1], out[2]


def percentile_of(value: float, samples: FloatArray) -> float:
    """Where ``value`` falls in the sampled distribution [percent, 0–100].

    Ties count half, so a value equal to a constant distribution sits at the 50th percentile.
    """
    below = float(np.count_nonzero(samples < value))
    equal = float(np.count_nonzero(samples == value))
    return 100.0 * (below + 0.5 * equal) / samples.size
