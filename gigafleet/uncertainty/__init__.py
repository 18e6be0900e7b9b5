"""Uncertainty: sampling catalogue ranges and summarising outputs as P10/P50/P90."""

from gigafleet.uncertainty.sampling import (
    Quantiles,
    comonotonic,
    percentile_of,
    pert_samples,
    quantiles,
    sample_parameter,
)

__all__ = ["Quantiles", "comonotonic", "percentile_of", "pert_samples", "quantiles", "sample_parameter"]
