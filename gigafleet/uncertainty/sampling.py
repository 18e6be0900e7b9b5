"""Vectorised Monte Carlo sampling of catalogue ranges.

Every catalogue value with ``low < high`` is drawn from a PERT distribution on (low, mid, high):
a Beta distribution rescaled to [low, high] with mode ``mid`` and shape λ = 4 (Malcolm et al. 1959;
Vose, *Risk Analysis*, 3rd ed., 2008, §9.1). Point values (``low == mid == high``) are constants.

References
----------
.. [1] D. G. Malcolm, J. H. Roseboom, C. E. Clark, W. Fazar, "Application of a technique for research and
   development program evaluation", Operations Research 7(5):646-669, 1959.
.. [2] D. Vose, *Risk Analysis: A Quantitative Guide*, 3rd ed., Wiley, 2008.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from gigafleet.catalog import Parameter

FloatArray = npt.NDArray[np.float64]

PERT_SHAPE = 4.0
"""λ of the PERT distribution (the classic PERT weight of the mode)."""

PERCENTILES: tuple[float, float, float] = (10.0, 50.0, 90.0)


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

    A constant array when ``low == high``. Same distribution as :func:`pert_samples`.
    """
    alpha, beta = _pert_beta(low, mid, high, shape)
    if high == low:
        return np.full_like(u, float(mid), dtype=float)
    from scipy.stats import beta as beta_distribution

    return np.asarray(low + (high - low) * beta_distribution.ppf(u, alpha, beta), dtype=float)


def sample_parameter(parameter: Parameter, size: int, rng: np.random.Generator) -> FloatArray:
    """Samples of a catalogue parameter: PERT on its range, or its point value repeated [parameter unit]."""
    return pert_samples(parameter.low, parameter.mid, parameter.high, size, rng)


def comonotonic(reference: FloatArray, values: FloatArray) -> FloatArray:
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
    out = np.empty_like(values)
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


def quantiles(samples: FloatArray) -> Quantiles:
    """P10/P50/P90 of samples (linear interpolation between order statistics)."""
    p10, p50, p90 = np.percentile(samples, PERCENTILES)
    return Quantiles(float(p10), float(p50), float(p90))


def percentile_of(value: float, samples: FloatArray) -> float:
    """Where ``value`` falls in the sampled distribution [percent, 0–100].

    Ties count half, so a value equal to a constant distribution sits at the 50th percentile.
    """
    below = float(np.count_nonzero(samples < value))
    equal = float(np.count_nonzero(samples == value))
    return 100.0 * (below + 0.5 * equal) / samples.size
