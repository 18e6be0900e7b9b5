"""Global sensitivity (SALib): Sobol first/total-order indices and Morris screening, and sweep summaries.

References
----------
.. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models", Math. Comput. Simul. 55, 2001.
.. [2] A. Saltelli et al., "Variance based sensitivity analysis of model output", Comput. Phys. Commun. 181, 2010.
.. [3] M. D. Morris, "Factorial sampling plans for preliminary computational experiments", Technometrics 33, 1991.
.. [4] J. Herman, W. Usher, "SALib: An open-source Python library for Sensitivity Analysis", JOSS 2(9), 2017.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import yaml

from gigafleet.errors import InputError


def sobol_indices(problem: dict[str, Any], outputs: np.ndarray) -> list[dict[str, float | str]]:
    """First- and total-order Sobol indices of an output sampled with SALib's Sobol (Saltelli) design."""
    from SALib.analyze import sobol

    result = sobol.analyze(problem, outputs, calc_second_order=False, print_to_console=False)
    return [
        {
            "name": name,
            "S1": float(result["S1"][i]),
            "S1_conf": float(result["S1_conf"][i]),
            "ST": float(result["ST"][i]),
            "ST_conf": float(result["ST_conf"][i]),
        }
        for i, name in enumerate(problem["names"])
    ]


def morris_indices(problem: dict[str, Any], inputs: np.ndarray, outputs: np.ndarray) -> list[dict[str, float | str]]:
    """Morris elementary effects: μ* (importance) and σ (interaction / non-linearity)."""
    from SALib.analyze import morris

    result = morris.analyze(problem, inputs, outputs, num_levels=4, print_to_console=False)
    return [
        {
            "name": name,
            "mu_star": float(result["mu_star"][i]),
            "mu_star_conf": float(result["mu_star_conf"][i]),
            "sigma": float(result["sigma"][i]),
        }
        for i, name in enumerate(problem["names"])
    ]


MIN_SOBOL_BASE = 256
"""Sobol base samples (runs ÷ (parameters + 2)) below which indices are flagged: their bootstrap confidence
intervals are typically as wide as the indices (Saltelli et al. 2010 use 10^3 and more)."""


def sensitivity_warnings(method: str, parameters: list[dict[str, float | str]], base: int) -> list[str]:
    """Why a sensitivity ranking should not be trusted, in words; empty when the indices are resolved.

    Sobol: the base sample is under :data:`MIN_SOBOL_BASE`, an index is within its 95 % confidence half-width of
    zero, or a first-order index exceeds the total (impossible but for sampling noise). Morris: a μ* within its
    confidence half-width.

    Examples
    --------
    >>> sensitivity_warnings("sobol", [{"name": "a", "S1": 0.93, "S1_conf": 1.06, "ST": 0.5, "ST_conf": 0.9}], 8)[0]
    'Sobol base sample 8 (runs / (parameters + 2)) is under 256: the indices are too noisy to rank; raise sample.n.'
    """
    warnings: list[str] = []
    if method == "sobol":
        if base < MIN_SOBOL_BASE:
            warnings.append(
                f"Sobol base sample {base} (runs / (parameters + 2)) is under {MIN_SOBOL_BASE}: the indices are "
                "too noisy to rank; raise sample.n."
            )
        unresolved = [
            str(p["name"])
            for p in parameters
            if float(p["S1_conf"]) >= abs(float(p["S1"])) or float(p["ST_conf"]) >= abs(float(p["ST"]))
        ]
        if unresolved:
            warnings.append(
                f"{len(unresolved)} of {len(parameters)} parameters have an index indistinguishable from zero "
                f"(within its 95% confidence half-width): {', '.join(unresolved[:8])}."
            )
        inverted = [str(p["name"]) for p in parameters if float(p["S1"]) > float(p["ST"]) + float(p["ST_conf"])]
        if inverted:
            warnings.append(f"S1 > ST beyond the confidence interval (sampling noise): {', '.join(inverted[:8])}.")
    elif method == "morris":
        unresolved = [str(p["name"]) for p in parameters if float(p["mu_star_conf"]) >= float(p["mu_star"])]
        if unresolved:
            warnings.append(
                f"{len(unresolved)} of {len(parameters)} parameters have mu* within its confidence half-width: "
                f"{', '.join(unresolved[:8])}; add trajectories (sample.n)."
            )
    return warnings


def _quantiles(values: list[float]) -> dict[str, float]:
    data = np.array([v for v in values if isinstance(v, (int, float)) and math.isfinite(v)], dtype=float)
    if data.size == 0:
        return {"p10": math.nan, "p50": math.nan, "p90": math.nan}
    p10, p50, p90 = np.percentile(data, [10, 50, 90])
    return {"p10": float(p10), "p50": float(p50), "p90": float(p90)}


def summarise_sweep(meta: dict[str, Any], runs: list[dict[str, Any]], output: str | None = None) -> dict[str, Any]:
    """P10/P50/P90 of every scalar output, fan charts of by-year series, and sensitivity of one output."""
    experiment = yaml.safe_load(meta["experiment_yaml"] or "") or {}
    scalars: dict[str, list[float]] = {}
    series: dict[str, dict[int, list[float]]] = {}
    for run in runs:
        years = run["outputs"].get("years")
        for key, value in run["outputs"].items():
            if key in ("years", "seconds"):
                continue
            if isinstance(value, list) and years:
                for year, v in zip(years, value, strict=False):
                    series.setdefault(key, {}).setdefault(int(year), []).append(v)
            elif isinstance(value, (int, float)) or value is None:
                scalars.setdefault(key, []).append(math.nan if value is None else float(value))
    fans = {}
    for key, by_year in series.items():
        years = sorted(by_year)
        q = [_quantiles(by_year[y]) for y in years]
        fans[key] = {"years": years, **{p: [row[p] for row in q] for p in ("p10", "p50", "p90")}}
    chosen = output or (experiment.get("outputs") or [next(iter(scalars), None)])[0]
    sensitivity: dict[str, Any] = {"output": chosen, "method": None, "parameters": []}
    sample = experiment.get("sample") or {}
    method = sample.get("method")
    problem = meta["problem"]
    if chosen is not None and chosen not in scalars:
        raise InputError("--output", chosen, sorted(scalars))
    complete = len(runs) == meta["total_runs"]
    if (
        method in ("sobol", "morris")
        and problem.get("num_vars")
        and chosen
        and complete
        and not experiment.get("axes")
        and int(experiment.get("replications", 1)) == 1
    ):
        y = np.array(scalars[chosen], dtype=float)
        if np.isfinite(y).all():
            if method == "sobol":
                sensitivity.update(method="sobol", parameters=sobol_indices(problem, y))
            else:
                x = np.array([[run["values"][name] for name in problem["names"]] for run in runs])
                sensitivity.update(method="morris", parameters=morris_indices(problem, x, y))
            base = len(runs) // (int(problem["num_vars"]) + 2)
            sensitivity["warnings"] = sensitivity_warnings(method, sensitivity["parameters"], base)
    notes = (
        []
        if complete
        else [
            f"{len(runs)} of {meta['total_runs']} runs stored: resume the sweep to finish it "
            "(sensitivity needs the complete design)."
        ]
    )
    notes.extend(sensitivity.get("warnings", []))
    return {
        "schema_version": 1,
        "sweep_id": meta["sweep_id"],
        "name": meta["name"],
        "runs": meta["total_runs"],
        "completed": len(runs),
        "outputs": {k: _quantiles(v) for k, v in scalars.items()},
        "series": fans,
        "sensitivity": sensitivity,
        "notes": notes,
    }
