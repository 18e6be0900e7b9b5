"""Global sensitivity (SALib): Sobol first/total-order indices and Morris screening, and sweep summaries.

:func:`summarise_sweep` is what ``gigafleet report SWEEP_ID --json`` prints (``schema_version`` 1):

- ``sweep_id``, ``name``; ``runs`` (runs in the design) and ``completed`` (runs stored);
- ``outputs``: ``{output: {"p10", "p50", "p90"}}`` over the stored runs, for every scalar output;
- ``series``: ``{output: {"years", "p10", "p50", "p90"}}`` for every by-year output (fan charts);
- ``by_axis``: how each output moves along each swept parameter, one tidy row per (parameter, output, bin), in
  the order parameters (``axes`` as declared, then ``sample.parameters``), outputs (as in ``outputs``), bins
  (ascending). A row is ``{"parameter", "binning", "bin", "low", "high", "value", "runs", "not_ok",
  "missing", "output", "p10", "p50", "p90"}``:

  * ``binning`` ``"value"``: one row per distinct value, for a grid axis and for a sampled parameter with at
    most :data:`AXIS_BINS` distinct values (Morris levels); ``value`` is that value, ``low`` = ``high`` = it
    (``None`` when it is not a number);
  * ``binning`` ``"quantile"``: a sampled continuous parameter, split into equal-count bins of its stored runs
    (:func:`quantile_bins`; runs with the same value always share a bin); ``value`` is ``None`` and ``low``,
    ``high`` are the smallest and largest value in the bin [unit of the parameter];
  * ``bin``: the bin's index (0, 1, ...); ``runs``: stored runs in the bin; ``not_ok``: of those, runs whose
    ``status_ok`` output is 0 (a plan in shortfall or infeasible; 0 for sweeps without ``status_ok``), kept in
    the percentiles wherever the output has a value; ``missing``: runs in the bin without a finite value of
    the output (left out of its percentiles, e.g. cost of an infeasible plan, a target year never met);
  * ``p10``, ``p50``, ``p90``: percentiles of the output over the bin's runs [unit of the output], NaN
    (``null`` in JSON) when no run has a value.

  Each bin pools the runs over every other swept parameter (a marginal view, not a partial dependence);
- ``sensitivity``: ``output`` (the analysed one), ``method`` (``"sobol"``, ``"morris"`` or ``None``),
  ``parameters`` (indices) and ``warnings``;
- ``notes``: what to know before reading the numbers.

References
----------
.. [1] I. M. Sobol', "Global sensitivity indices for nonlinear mathematical models", Math. Comput. Simul. 55, 2001.
.. [2] A. Saltelli et al., "Variance based sensitivity analysis of model output", Comput. Phys. Commun. 181, 2010.
.. [3] M. D. Morris, "Factorial sampling plans for preliminary computational experiments", Technometrics 33, 1991.
.. [4] J. Herman, W. Usher, "SALib: An open-source Python library for Sensitivity Analysis", JOSS 2(9), 2017.
"""

from __future__ import annotations

import itertools
import json
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


AXIS_BINS = 5
"""Most bins of a sampled (continuous) parameter in ``by_axis``; a sampled parameter with at most this many
distinct values (Morris's 4 levels) gets one row per value instead."""

MIN_RUNS_PER_BIN = 4
"""Fewest runs a quantile bin should hold: fewer bins when runs are few (``min(AXIS_BINS, runs // 4)``, at
least one)."""


def quantile_bins(values: list[float], bins: int) -> list[list[int]]:
    """Split runs into at most ``bins`` equal-count groups by their value of one parameter.

    Runs are ranked by value (ties by position) and cut at ``round(j · n / bins)``; a cut that would separate
    runs with the same value moves up to the end of that value, so a value is never in two bins and counts
    differ by at most one when values are distinct. Empty groups are dropped.

    Parameters
    ----------
    values : list of float
        The parameter's value in each run [unit of the parameter].
    bins : int
        Most groups wanted [1].

    Returns
    -------
    list of list of int
        Positions in ``values`` of each group's runs, groups in ascending order of value.

    Examples
    --------
    >>> quantile_bins([5.0, 1.0, 4.0, 2.0, 3.0, 6.0], 3)
    [[1, 3], [4, 2], [0, 5]]
    >>> quantile_bins([1.0, 1.0, 1.0, 2.0], 2)
    [[0, 1, 2], [3]]
    """
    order = sorted(range(len(values)), key=lambda i: (values[i], i))
    n = len(order)
    cuts = [0]
    for j in range(1, max(1, bins)):
        cut = max(round(j * n / bins), cuts[-1])
        while 0 < cut < n and values[order[cut]] == values[order[cut - 1]]:
            cut += 1
        cuts.append(cut)
    cuts.append(n)
    return [order[a:b] for a, b in itertools.pairwise(cuts) if b > a]


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _axis_groups(
    parameter: str, runs: list[dict[str, Any]], grid: bool
) -> list[tuple[str, float | None, float | None, Any, list[int]]]:
    """The bins of one swept parameter: ``(binning, low, high, value, run positions)``, in ascending order."""
    raw = [run["values"].get(parameter) for run in runs]
    distinct: dict[str, Any] = {}
    members: dict[str, list[int]] = {}
    for i, value in enumerate(raw):
        key = json.dumps(value, sort_keys=True, default=str)
        distinct.setdefault(key, value)
        members.setdefault(key, []).append(i)
    numeric = all(_is_number(v) for v in distinct.values())
    if grid or len(distinct) <= AXIS_BINS or not numeric:
        keys = sorted(distinct, key=lambda k: float(distinct[k])) if numeric else list(distinct)
        return [
            (
                "value",
                float(distinct[k]) if numeric else None,
                float(distinct[k]) if numeric else None,
                distinct[k],
                members[k],
            )
            for k in keys
        ]
    values = [float(v) for v in raw]
    groups = quantile_bins(values, max(1, min(AXIS_BINS, len(runs) // MIN_RUNS_PER_BIN)))
    return [("quantile", values[g[0]], values[g[-1]], None, g) for g in groups]


def by_axis(
    runs: list[dict[str, Any]], parameters: list[str], grid: set[str], outputs: list[str]
) -> list[dict[str, Any]]:
    """P10/P50/P90 of every scalar output in each bin of each swept parameter (``by_axis`` in the module docstring).

    Parameters
    ----------
    runs : list of dict
        Stored runs (``values``: parameter path to value; ``outputs``: output name to value).
    parameters : list of str
        Swept parameter paths, in row order.
    grid : set of str
        The parameters that are grid axes (one row per value, whatever their number).
    outputs : list of str
        Scalar outputs, in row order.

    Returns
    -------
    list of dict
        One row per (parameter, output, bin).
    """
    status = [run["outputs"].get("status_ok") for run in runs]
    not_ok = [_is_number(s) and float(s) == 0.0 for s in status]
    rows: list[dict[str, Any]] = []
    for parameter in parameters:
        groups = _axis_groups(parameter, runs, parameter in grid)
        for output in outputs:
            for index, (binning, low, high, value, members) in enumerate(groups):
                values = [runs[i]["outputs"].get(output) for i in members]
                finite = [float(v) for v in values if _is_number(v)]
                rows.append(
                    {
                        "parameter": parameter,
                        "binning": binning,
                        "bin": index,
                        "low": low,
                        "high": high,
                        "value": value,
                        "runs": len(members),
                        "not_ok": sum(not_ok[i] for i in members),
                        "missing": len(members) - len(finite),
                        "output": output,
                        **_quantiles(finite),
                    }
                )
    return rows


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
    axes = [str(path) for path in experiment.get("axes") or {}]
    sampled = [str(path) for path in problem.get("names") or [] if str(path) not in axes]
    return {
        "schema_version": 1,
        "sweep_id": meta["sweep_id"],
        "name": meta["name"],
        "runs": meta["total_runs"],
        "completed": len(runs),
        "outputs": {k: _quantiles(v) for k, v in scalars.items()},
        "series": fans,
        "by_axis": by_axis(runs, axes + sampled, set(axes), list(scalars)),
        "sensitivity": sensitivity,
        "notes": notes,
    }
