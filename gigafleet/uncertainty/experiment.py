"""Experiments as data: a base model, axes to sweep, parameters to sample, replications, outputs to keep.

```yaml
name: demo
kind: plan                      # plan (a plan scenario) | function (a registered function, by name)
base: demo                      # plan scenario file or built-in name
axes:                           # cartesian product
  scenario.supply.buyer_share: [0.2, 0.3]
sample:
  method: sobol                 # random | sobol | morris
  n: 16                         # random: runs; sobol: base samples N (N(2D+2) runs); morris: trajectories
  seed: 0
  parameters:                   # path: distribution (default: the catalogue's low/mid/high, triangular)
    catalog.accelerators.gb200.unit_price_usd: {}
    scenario.finance.wacc: {low: 0.05, high: 0.12}
replications: 1
outputs: [cost_usd, h100e_final, effective_h100e_final, year_final_target_met]
stop: {output: cost_usd, relative_halfwidth: 0.02, min_runs: 20, batch: 10}   # optional (random sampling)
```

Paths: ``scenario.<dotted key>`` sets a scenario field (``scenario.budget_usd_per_year.2030``),
``catalog.<kind>.<id>.<parameter>`` fixes a catalogue value, ``function.<argument>`` sets an argument of a
``function`` experiment. A ``function`` experiment names a function registered in
:mod:`gigafleet.uncertainty.registry` (``function: ishigami``); a file can never name a module to import.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError, clip, describe_loc, echo_input
from gigafleet.scenario import ScenarioError

EXPERIMENT_DIR = Path(__file__).resolve().parents[2] / "experiments"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, allow_inf_nan=False)


class Distribution(_Strict):
    """Uniform on [low, high], or triangular when ``mode`` is given; empty = the catalogue's range."""

    low: float | None = None
    high: float | None = None
    mode: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Distribution:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both low and high, or neither (catalogue range)")
        if self.low is not None and self.high is not None:
            if not self.low < self.high:
                raise ValueError(f"low ({self.low}) must be below high ({self.high})")
            if self.mode is not None and not self.low <= self.mode <= self.high:
                raise ValueError(f"mode ({self.mode}) must lie within [{self.low}, {self.high}]")
        return self


class Sample(_Strict):
    """Sampled parameters."""

    method: Literal["random", "sobol", "morris"] = "random"
    n: int = Field(8, ge=1, le=100_000)
    seed: int = Field(0, ge=0, le=2**31 - 1)
    parameters: dict[str, Distribution] = Field(default_factory=dict, max_length=200)


class Stop(_Strict):
    """Adaptive replication: stop when the 95% interval of the mean is within ± relative_halfwidth."""

    output: str
    relative_halfwidth: float = Field(gt=0, lt=1)
    min_runs: int = Field(10, ge=2)
    batch: int = Field(10, ge=1)


EXPERIMENT_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,79}$"
"""Experiment names become file names (``out/sweeps/NAME-HASH.parquet``): letters, digits, ``_`` and ``-``."""

MAX_RUNS = 100_000
"""Most runs one experiment may expand to (axes x samples x replications)."""


class Experiment(_Strict):
    """An experiment (see module docstring)."""

    name: str = Field(pattern=EXPERIMENT_NAME)
    kind: Literal["plan", "function"] = "plan"
    base: str | None = None
    function: str | None = None
    axes: dict[str, Annotated[list[Any], Field(min_length=1, max_length=10_000)]] = Field(default_factory=dict)
    sample: Sample | None = None
    replications: int = Field(1, ge=1, le=10_000)
    outputs: list[str] = Field(default_factory=list)
    stop: Stop | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Experiment:
        if self.kind == "plan" and not self.base:
            raise ValueError("kind plan needs base (a plan scenario)")
        if self.kind == "function" and not self.function:
            raise ValueError("kind function needs function (a registered name such as ishigami)")
        if self.kind == "function" and self.function:
            from gigafleet.uncertainty.registry import registered_functions

            names = registered_functions()
            if self.function not in names:
                raise ValueError(
                    f"function {clip(self.function)} is not a registered function; expected one of "
                    f"{', '.join(names)} (modules cannot be named)"
                )
        if self.kind == "plan" and self.function:
            raise ValueError("function is only for kind function")
        if self.stop is not None and (self.sample is None or self.sample.method != "random"):
            raise ValueError("stop (adaptive replication) needs sample.method random")
        return self


@dataclass(frozen=True)
class Run:
    """One run of an experiment: its stable id and the values it sets."""

    index: int
    run_id: str
    values: dict[str, Any]
    seed: int


def load_experiment(path: str | Path) -> tuple[Experiment, str]:
    """Read and validate an experiment file (or a shipped one by name); return it and its text."""
    from gigafleet.safeio import resolve_shipped
    from gigafleet.scenario import read_yaml_mapping

    file = resolve_shipped(path, EXPERIMENT_DIR)
    data, text = read_yaml_mapping(file, "experiment file", "a mapping")
    try:
        return Experiment.model_validate(data), text
    except ValidationError as exc:
        error = exc.errors()[0]
        loc = describe_loc(error["loc"])
        if error["type"] == "missing":
            raise ScenarioError(f"{file}: {loc}: required key is missing") from None
        if error["type"] == "extra_forbidden":
            raise ScenarioError(f"{file}: {loc}: unknown key; see docs/uncertainty.md for the allowed keys") from None
        if not loc:
            raise ScenarioError(
                f"{file}: {clip(error['msg'].removeprefix('Value error, '), 400, quote=False)}"
            ) from None
        raise ScenarioError(
            f"{file}: {loc}: {echo_input(error.get('input'))} is not allowed; {clip(error['msg'], 400, quote=False)}"
        ) from None


def sweep_id(experiment: Experiment) -> str:
    """Stable id of an experiment's content (same file, same id: used to resume)."""
    canonical = json.dumps(experiment.model_dump(mode="json"), sort_keys=True)
    return f"{experiment.name}-{hashlib.sha1(canonical.encode()).hexdigest()[:10]}"


def _catalog_range(catalog: Catalog, path: str) -> tuple[float, float, float]:
    parts = path.split(".")
    if len(parts) != 4:
        raise InputError("sample.parameters", path, "catalog.<kind>.<id>.<parameter>")
    _, kind, item_id, name = parts
    item = catalog.item(kind, item_id, field_name=f"catalog.{kind}")
    parameter = item.get(name)
    if parameter is None:
        raise InputError(f"catalog.{kind}.{item_id}", name, list(item.parameters))
    if not parameter.is_range:
        raise InputError("sample.parameters", path, "a catalogue value with a range (low < high), or give low/high")
    return parameter.low, parameter.mid, parameter.high


def resolve_distributions(catalog: Catalog, sample: Sample) -> dict[str, tuple[float, float, float | None]]:
    """(low, high, mode) for every sampled path; catalogue paths default to their low/mid/high."""
    out: dict[str, tuple[float, float, float | None]] = {}
    for path, dist in sample.parameters.items():
        check_path(catalog, path)
        if dist.low is None or dist.high is None:
            if not path.startswith("catalog."):
                raise InputError("sample.parameters", path, "low and high (only catalog.* paths default)")
            low, mid, high = _catalog_range(catalog, path)
            out[path] = (low, high, mid)
        else:
            out[path] = (dist.low, dist.high, dist.mode)
    return out


def check_path(catalog: Catalog, path: str) -> None:
    """Reject unknown parameter paths before any run starts."""
    head = path.split(".", 1)[0]
    if head not in ("scenario", "catalog", "function"):
        raise InputError(
            "parameter path", path, "scenario.<key>, catalog.<kind>.<id>.<parameter> or function.<argument>"
        )
    if head == "catalog":
        parts = path.split(".")
        if len(parts) != 4:
            raise InputError("parameter path", path, "catalog.<kind>.<id>.<parameter>")
        item = catalog.item(parts[1], parts[2], field_name=f"catalog.{parts[1]}")
        if parts[3] not in item:
            raise InputError(f"catalog.{parts[1]}.{parts[2]}", parts[3], list(item.parameters))


def salib_problem(distributions: Mapping[str, tuple[float, float, float | None]]) -> dict[str, Any]:
    """The SALib problem definition for the sampled paths."""
    names, bounds, dists = [], [], []
    for path, (low, high, mode) in distributions.items():
        names.append(path)
        if mode is None:
            bounds.append([low, high])
            dists.append("unif")
        else:
            bounds.append([low, high, (mode - low) / (high - low)])
            dists.append("triang")
    return {"num_vars": len(names), "names": names, "bounds": bounds, "dists": dists}


def sample_matrix(catalog: Catalog, sample: Sample) -> tuple[np.ndarray, dict[str, Any]]:
    """Rows of sampled values (one per run) and the SALib problem."""
    distributions = resolve_distributions(catalog, sample)
    problem = salib_problem(distributions)
    if not distributions:
        return np.zeros((1, 0)), problem
    if sample.method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(problem, sample.n, calc_second_order=False, seed=sample.seed), problem
    if sample.method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(problem, sample.n, num_levels=4, seed=sample.seed), problem
    rng = np.random.default_rng(sample.seed)
    columns = []
    for low, high, mode in distributions.values():
        columns.append(rng.uniform(low, high, sample.n) if mode is None else rng.triangular(low, mode, high, sample.n))
    return np.column_stack(columns), problem


def expand_runs(catalog: Catalog, experiment: Experiment) -> tuple[list[Run], dict[str, Any]]:
    """Every run of an experiment, in a stable order, with stable ids."""
    for path in experiment.axes:
        check_path(catalog, path)
    axis_names = list(experiment.axes)
    total = math.prod(len(v) for v in experiment.axes.values()) * experiment.replications
    if experiment.sample is not None:
        d = len(experiment.sample.parameters)
        total *= (
            {"random": 1, "sobol": d + 2, "morris": d + 1}[experiment.sample.method] * experiment.sample.n if d else 1
        )
    if total > MAX_RUNS:
        raise InputError("experiment", f"{total:,} runs", f"at most {MAX_RUNS:,} runs (axes x samples x replications)")
    axis_values = list(itertools.product(*experiment.axes.values())) if axis_names else [()]
    if experiment.sample is not None:
        matrix, problem = sample_matrix(catalog, experiment.sample)
    else:
        matrix, problem = np.zeros((1, 0)), {"num_vars": 0, "names": []}
    runs: list[Run] = []
    for combination in axis_values:
        for row in matrix:
            for replication in range(experiment.replications):
                values: dict[str, Any] = dict(zip(axis_names, combination, strict=True))
                values.update({name: float(v) for name, v in zip(problem["names"], row, strict=True)})
                key = json.dumps({"values": values, "replication": replication}, sort_keys=True)
                run_id = hashlib.sha1(key.encode()).hexdigest()[:16]
                runs.append(Run(index=len(runs), run_id=run_id, values=values, seed=replication))
    return runs, problem
