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
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from gigafleet.uncertainty import parallel

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

        ``scratch`` (for ``u``'s size) holds the work arrays, and ``out`` (of ``dtype``) receives the values, so
        successive draws touch no fresh memory (page faults cost more than the arithmetic at 10^6 samples).
        The values are computed :data:`TABLE_CHUNK` at a time (the work arrays of a step stay in the core's
        cache) and a large ``u`` in contiguous parts on :mod:`~gigafleet.uncertainty.parallel`'s threads:
        every value is the one the whole array in one step would give."""
        single = np.dtype(dtype) == np.float32
        if u.ndim != 1:
            flat = self(np.ravel(u), dtype)
            if out is None:
                return flat.reshape(u.shape)
            out[...] = flat.reshape(u.shape)
            return out
        values = np.empty(u.shape, np.float32 if single else np.float64) if out is None else out
        pieces = parallel.parts(u.size)
        fits = scratch is not None and scratch.uniforms.shape == u.shape and len(scratch.work) == len(pieces)
        work = scratch.work if scratch is not None and fits else None
        if len(pieces) == 1:
            self._fill(u, values, single, work[0] if work else None)
        else:
            parallel.map_parallel(
                lambda i: self._fill(u[pieces[i]], values[pieces[i]], single, work[i] if work else None),
                range(len(pieces)),
            )
        return values

    def draw(
        self,
        rng: np.random.Generator,
        size: int,
        dtype: npt.DTypeLike = np.float64,
        *,
        scratch: TableScratch | None = None,
        out: npt.NDArray[np.floating[Any]] | None = None,
    ) -> npt.NDArray[np.floating[Any]]:
        """``size`` draws: the values at ``rng.random(size)`` [unit of the range], as ``dtype``.

        On one thread the uniforms are drawn a step at a time into the step's work arrays (the same stream, so
        the same values as drawing them all first: they never leave the core's cache); split across threads,
        they are drawn first (into ``scratch`` if given) and filled as :meth:`__call__` does."""
        if len(parallel.parts(size)) > 1:
            fits = scratch is not None and scratch.uniforms.size == size
            uniforms = rng.random(out=scratch.uniforms) if scratch is not None and fits else rng.random(size)
            return self(uniforms, dtype, scratch=scratch if fits else None, out=out)
        single = np.dtype(dtype) == np.float32
        values: npt.NDArray[np.floating[Any]] = (
            np.empty(size, np.float32 if single else np.float64) if out is None else out
        )
        work = scratch.work[0] if scratch is not None and len(scratch.work) == 1 else TableWork.of(size)
        for start in range(0, size, TABLE_CHUNK):
            step_out = values[start : start + TABLE_CHUNK]
            self._step(rng.random(out=work.uniforms[: step_out.size]), step_out, single, work)
        return values

    def _fill(self, u: FloatArray, out: npt.NDArray[np.floating[Any]], single: bool, work: TableWork | None) -> None:
        """Write the values at ``u`` into ``out`` (same shape), a step of :data:`TABLE_CHUNK` at a time."""
        work = work or TableWork.of(u.size)
        for start in range(0, u.size, TABLE_CHUNK):
            self._step(u[start : start + TABLE_CHUNK], out[start : start + TABLE_CHUNK], single, work)

    def _step(self, u: FloatArray, out: npt.NDArray[np.floating[Any]], single: bool, work: TableWork) -> None:
        """Write the values at ``u`` (at most :data:`TABLE_CHUNK` of them) into ``out``."""
        knots, slopes = (self.knots32, self.slopes32) if single else (self.knots, self.slopes)
        m = u.size
        position = np.multiply(u, TABLE_CELLS, out=work.position[:m])
        cell = work.cell[:m]
        np.copyto(cell, position, casting="unsafe")  # truncation, as astype
        # the fraction of the cell (u = 1 is cell TABLE_CELLS, fraction 0: the last knot)
        fraction = np.subtract(position, cell, out=work.fraction32[:m] if single else position)
        slopes.take(cell, mode="clip", out=out)
        out *= fraction
        out += knots.take(cell, out=fraction, mode="clip")
        span = self.high - self.low
        lower = np.flatnonzero(u < TABLE_TAIL)
        if lower.size:
            out[lower] = self.low + span * np.exp(_tail_lookup(self.lower, u[lower]))
        upper = np.flatnonzero(u > 1.0 - TABLE_TAIL)
        if upper.size:
            out[upper] = self.high - span * np.exp(_tail_lookup(self.upper, 1.0 - u[upper]))


TABLE_CHUNK = 65_536
"""Samples per step of a table draw: the work arrays of a step (1.3 MB) stay in the core's cache, where the
seven passes over them cost a third less than over whole 10^6-sample arrays in memory."""


@dataclass(frozen=True, eq=False)
class TableWork:
    """Work arrays of :class:`PertTable` steps: uniforms, positions, cells and fractions of up to
    :data:`TABLE_CHUNK` values."""

    uniforms: FloatArray
    position: FloatArray
    cell: npt.NDArray[np.intp]
    fraction32: npt.NDArray[np.float32]

    @staticmethod
    def of(size: int) -> TableWork:
        """Work arrays for steps over ``size`` values."""
        m = min(size, TABLE_CHUNK)
        return TableWork(np.empty(m), np.empty(m), np.empty(m, dtype=np.intp), np.empty(m, np.float32))


@dataclass(frozen=True, eq=False)
class TableScratch:
    """Work arrays for successive :class:`PertTable` draws of one size: the uniforms, and the step arrays of each
    part the draws are split into (:func:`gigafleet.uncertainty.parallel.parts`)."""

    uniforms: FloatArray
    work: tuple[TableWork, ...]

    @staticmethod
    def of(size: int) -> TableScratch:
        """Scratch arrays for draws of ``size`` values."""
        return TableScratch(np.empty(size), tuple(TableWork.of(p.stop - p.start) for p in parallel.parts(size)))


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
WINDOW_CHUNK = 131_072
"""Samples per step of the window pass (1 MB of float64: in the core's cache for the six comparisons)."""
BATCH_MAX_VALUES = 4_000_000
"""Most values :func:`quantiles_of` copies into one buffer to partition together (small runs; 32 MB)."""


def quantiles(samples: npt.NDArray[np.floating[Any]]) -> Quantiles:
    """P10/P50/P90 of samples (linear interpolation between order statistics, exactly as ``np.percentile``)."""
    return quantiles_of([samples])[0]


def quantiles_of(arrays: Sequence[npt.NDArray[np.floating[Any]]]) -> list[Quantiles]:
    """P10/P50/P90 of each array, bit for bit ``np.percentile(a, PERCENTILES)`` (its ``linear`` method).

    Without ``np.percentile`` (and its per-call set-up and copies): a constant (stride-0) array is its value;
    a float64 array of :data:`FAST_QUANTILES_MIN_SAMPLES`+ values goes through candidate windows
    (:func:`_window_percentiles`, no copy of the array); the other float64 arrays of each size are copied into
    one buffer and partitioned together, once, at the six order statistics all percentiles need
    (:func:`_partition_percentiles`). Other dtypes keep ``np.percentile`` (its arithmetic is theirs). Large
    arrays are summarised side by side on :mod:`~gigafleet.uncertainty.parallel`'s threads.
    """
    out: list[Quantiles | None] = [None] * len(arrays)
    batches: dict[int, list[int]] = {}  # size -> arrays to partition together
    windows: list[tuple[int, FloatArray]] = []  # for the window selection, side by side on the pool's threads
    for index, samples in enumerate(arrays):
        x = np.asarray(samples)
        if x.dtype != np.float64 or x.size == 0:
            p10, p50, p90 = np.percentile(x, PERCENTILES)
            out[index] = Quantiles(float(p10), float(p50), float(p90))
            continue
        if x.ndim == 1 and x.size > 1 and x.strides[0] == 0:  # a broadcast constant: every order statistic
            out[index] = _constant_percentiles(float(x[0]), x.size)
            continue
        if x.ndim == 1 and x.size >= FAST_QUANTILES_MIN_SAMPLES:
            windows.append((index, x))
            continue
        batches.setdefault(x.size, []).append(index)
    large = sum(x.size for _, x in windows) >= parallel.PARALLEL_MIN_SAMPLES
    selections = parallel.map_parallel(_window_percentiles, [x for _, x in windows], parallel=large)
    for (index, x), selected in zip(windows, selections, strict=True):
        if selected is None:
            batches.setdefault(x.size, []).append(index)
        else:
            out[index] = Quantiles(*selected)
    for size, indices in batches.items():
        per_buffer = max(1, BATCH_MAX_VALUES // size)
        for start in range(0, len(indices), per_buffer):
            chunk = indices[start : start + per_buffer]
            buffer = np.empty((len(chunk), size))
            for row, index in enumerate(chunk):
                buffer[row] = np.asarray(arrays[index]).reshape(-1)
            for index, values in zip(chunk, _partition_percentiles(buffer), strict=True):
                out[index] = values
    return [q for q in out if q is not None]


def _percentile_ranks(n: int) -> list[tuple[int, int, float]]:
    """(previous, next, gamma) of numpy's ``linear`` method for each of :data:`PERCENTILES` of ``n`` values:
    the two order statistics interpolated between (numpy's ``-1`` past the end) and the weight of the second."""
    ranks = []
    for percentile in PERCENTILES:
        virtual = (n - 1) * (percentile / 100.0)
        previous = -1 if virtual >= n - 1 else math.floor(virtual)
        ranks.append((previous, -1 if previous == -1 else previous + 1, virtual - previous))
    return ranks


def _constant_percentiles(value: float, n: int) -> Quantiles:
    """P10/P50/P90 of ``n`` copies of ``value`` (numpy's interpolation between two equal order statistics)."""
    return Quantiles(*(_lerp(value, value, gamma) for _, _, gamma in _percentile_ranks(n)))


def _lerp(a: float, b: float, gamma: float) -> float:
    """numpy's ``_lerp`` (of its percentile ``linear`` method) on two floats: the same operations, the same bits."""
    difference = b - a
    return b - difference * (1.0 - gamma) if gamma >= 0.5 else a + difference * gamma


def _partition_percentiles(buffer: FloatArray) -> list[Quantiles]:
    """P10/P50/P90 of each row of ``buffer`` (overwritten): one partition of all rows at every rank needed."""
    n = buffer.shape[1]
    ranks = _percentile_ranks(n)
    kth = sorted({n - 1, *(i % n for previous, following, _ in ranks for i in (previous, following))})
    buffer.partition(kth, axis=1)  # NaN sorts last: a row with one has NaN at n - 1
    out = []
    for row in buffer:
        if math.isnan(row[-1]):
            out.append(Quantiles(math.nan, math.nan, math.nan))
            continue
        values = [_lerp(float(row[previous]), float(row[following]), gamma) for previous, following, gamma in ranks]
        out.append(Quantiles(*values))
    return out


def _window_percentiles(x: FloatArray) -> tuple[float, float, float] | None:
    """``np.percentile(x, PERCENTILES)`` without sorting or copying ``x``; ``None`` when it cannot be sure.

    For each percentile, a strided subsample brackets the two order statistics it interpolates between. One
    pass over ``x``, :data:`WINDOW_CHUNK` samples at a time (each step's samples stay in the core's cache for
    the six comparisons), counts the samples below each bracket and up to its top and gathers those inside (a
    few percent of them); a partition of each small set gives the two. The brackets are checked (the ranks
    must fall inside them; a NaN, which no comparison counts, fails the total), so an unlucky or adversarial
    order costs a fallback, never a wrong value. The interpolation is numpy's own (:func:`_lerp`), so the
    result is bit-for-bit equal.
    """
    n = x.size
    step = max(1, n // SUBSAMPLE)
    sub = x[::step].copy()
    m = sub.size
    ranks = _percentile_ranks(n)
    brackets = []
    for (previous, _, _), percentile in zip(ranks, PERCENTILES, strict=True):
        q = percentile / 100.0
        centre = (previous + 1.0) / n * m
        half = WINDOW_SIGMAS * math.sqrt(m * q * (1.0 - q)) + 3.0
        brackets.append((int(centre - half), int(centre + half) + 1))
    sub.partition(sorted({0, m - 1, *(min(max(i, 0), m - 1) for bracket in brackets for i in bracket)}))
    if sub[0] == sub[-1] and bool(np.all(x == sub[0])):  # a constant (a point value, a count)
        constant = _constant_percentiles(float(sub[0]), n)
        return constant.p10, constant.p50, constant.p90
    bounds = [(float(sub[a]) if a >= 0 else -math.inf, float(sub[b]) if b < m else math.inf) for a, b in brackets]
    below, up_to = [0] * len(bounds), [0] * len(bounds)
    pieces: list[list[FloatArray]] = [[] for _ in bounds]
    below_low = np.empty(min(n, WINDOW_CHUNK), dtype=bool)
    up_to_high = np.empty(min(n, WINDOW_CHUNK), dtype=bool)
    for start in range(0, n, WINDOW_CHUNK):
        part = x[start : start + WINDOW_CHUNK]
        lt, le = below_low[: part.size], up_to_high[: part.size]
        for index, (low, high) in enumerate(bounds):
            np.less(part, low, out=lt)
            np.less_equal(part, high, out=le)
            below[index] += int(np.count_nonzero(lt))
            up_to[index] += int(np.count_nonzero(le))
            np.not_equal(lt, le, out=le)  # low <= x <= high (x < low implies x <= high)
            pieces[index].append(np.compress(le, part))
    out: list[float] = []
    for (previous, _, gamma), under, inside, window_pieces in zip(ranks, below, up_to, pieces, strict=True):
        r = previous - under
        if r < 0 or r + 1 >= inside - under:
            return None
        window = np.concatenate(window_pieces)
        window.partition((r, r + 1))
        out.append(_lerp(float(window[r]), float(window[r + 1]), gamma))
    top = bounds[-1][1]
    if up_to[-1] != n and (up_to[-1] + int(np.count_nonzero(x > top)) != n):  # a NaN fails every comparison
        return None
    return out[0], out[1], out[2]


def percentile_of(value: float, samples: FloatArray) -> float:
    """Where ``value`` falls in the sampled distribution [percent, 0–100].

    Ties count half, so a value equal to a constant distribution sits at the 50th percentile.
    """
    below = float(np.count_nonzero(samples < value))
    equal = float(np.count_nonzero(samples == value))
    return 100.0 * (below + 0.5 * equal) / samples.size
