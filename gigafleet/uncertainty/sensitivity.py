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
    notes = (
        []
        if complete
        else [
            f"{len(runs)} of {meta['total_runs']} runs stored: resume the sweep to finish it "
            "(sensitivity needs the complete design)."
        ]
    )
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
