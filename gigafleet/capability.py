"""Capability: what a fleet (or a stored plan, year by year) yields — the largest training run, the compute-optimal
model for it, the limit that binds, and inference capacity.

* Hardware limit of one synchronous run: accelerators in it × dense peak at the precision × MFU × goodput (from the
  reliability engine for that job size) × duration (× inter-campus efficiency when it spans campuses).
* Data limit: the compute whose compute-optimal token count equals the usable stock (tokens × epochs).
* Latency wall: Epoch AI's estimate of the largest run that minimum step latency allows.
* Compute-optimal parameters and tokens: Hoffmann et al. (2022) approach-1 power laws fitted to their Table 3.
* Inference: decode is memory-bandwidth bound (weights + KV cache read per step, batch limited by the HBM left for
  the KV cache), capped by compute; prefill is compute bound (2·N FLOP per token).

References
----------
.. [1] J. Hoffmann et al., "Training Compute-Optimal Large Language Models", arXiv:2203.15556, 2022.
.. [2] P. Villalobos et al., "Will we run out of data?", arXiv:2211.04325, 2024.
.. [3] N. Muennighoff et al., "Scaling Data-Constrained Language Models", arXiv:2305.16264, 2023.
.. [4] J. Sevilla et al., "Can AI Scaling Continue Through 2030?", Epoch AI, 2024.
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError
from gigafleet.reliability.sizing import best_run, best_size
from gigafleet.uncertainty.sampling import quantiles, sample_parameter

FloatArray = npt.NDArray[np.float64]
SECONDS_PER_DAY = 86_400.0
BYTES_PER_PARAM = {"bf16": 2.0, "fp8": 1.0, "fp4": 0.5}
PRECISIONS = tuple(BYTES_PER_PARAM)


# ---- closed forms -------------------------------------------------------------------------------------------


def training_flop(params: float, tokens: float) -> float:
    """Training compute of a dense transformer [FLOP]: C ≈ 6·N·D.

    Examples
    --------
    Llama 3.1 405B on 15.6T tokens:

    >>> f"{training_flop(405e9, 15.6e12):.3g}"
    '3.79e+25'
    """
    return 6.0 * params * tokens


def implied_mfu(flop: float, accelerator_hours: float, peak_flops: float) -> float:
    """Model FLOP utilisation over all accelerator-hours [fraction]: C / (hours × 3600 × peak)."""
    return flop / (accelerator_hours * 3600.0 * peak_flops)


def training_energy_mwh(accelerator_hours: float, power_kw_per_accelerator: float, pue: float) -> float:
    """Energy of a training run [MWh]: accelerator-hours × power per accelerator (with its host share) × PUE."""
    return accelerator_hours * power_kw_per_accelerator * pue / 1000.0


@dataclass(frozen=True)
class ScalingFit:
    """N_opt = k_N · C^a and D_opt = k_D · C^b [parameters, tokens; C in FLOP]."""

    params_coefficient: float
    params_exponent: float
    tokens_coefficient: float
    tokens_exponent: float

    def params(self, flop: FloatArray | float) -> FloatArray:
        """Compute-optimal parameters [count]."""
        return np.asarray(self.params_coefficient * np.asarray(flop, dtype=float) ** self.params_exponent)

    def tokens(self, flop: FloatArray | float) -> FloatArray:
        """Compute-optimal training tokens [count]."""
        return np.asarray(self.tokens_coefficient * np.asarray(flop, dtype=float) ** self.tokens_exponent)

    def flop_for_tokens(self, tokens: FloatArray | float) -> FloatArray:
        """Compute whose compute-optimal token count is ``tokens`` [FLOP]."""
        return np.asarray((np.asarray(tokens, dtype=float) / self.tokens_coefficient) ** (1.0 / self.tokens_exponent))


def scaling_fit(catalog: Catalog) -> ScalingFit:
    """The catalogue's Hoffmann et al. approach-1 fit."""
    item = catalog.item("capability", "hoffmann-approach1")
    return ScalingFit(
        item["params_coefficient"].mid,
        item["params_exponent"].mid,
        item["tokens_coefficient"].mid,
        item["tokens_exponent"].mid,
    )


def decode_tokens_per_second(
    params: float,
    bytes_per_param: float,
    hbm_bytes: float,
    bandwidth_bytes_s: float,
    peak_flops: float,
    *,
    kv_bytes_per_token: float,
    context_tokens: float,
    weights_share: float,
    bandwidth_efficiency: float,
    compute_mfu: float,
) -> float:
    """Decode throughput of one accelerator serving a model [tokens/s].

    A replica holds the weights in ``weights_share`` of its accelerators' HBM (k = ⌈N·b / (share·HBM)⌉
    accelerators); the rest holds KV caches, which caps concurrent sequences at B = k·HBM·(1 − share) /
    (kv·context). One decode step reads the weights and every sequence's cache once: t = (N·b + B·kv·context) /
    (k·BW·efficiency), giving B / t tokens/s per replica, capped by compute at k·peak·MFU / (2N).
    """
    replica = max(1, math.ceil(params * bytes_per_param / (weights_share * hbm_bytes)))
    kv_budget = replica * hbm_bytes - params * bytes_per_param
    batch = max(kv_budget / (kv_bytes_per_token * context_tokens), 1.0)
    step = (params * bytes_per_param + batch * kv_bytes_per_token * context_tokens) / (
        replica * bandwidth_bytes_s * bandwidth_efficiency
    )
    memory_bound = batch / step
    compute_bound = replica * peak_flops * compute_mfu / (2.0 * params)
    return min(memory_bound, compute_bound) / replica


# ---- the engine ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FleetSlice:
    """A fleet (or one plan year) reduced to what capability needs; per-accelerator values are fleet averages."""

    accelerators: float
    largest_campus: float  # accelerators in the largest campus (or linked group)
    peak_flops: dict[str, float]  # per accelerator, by precision [FLOP/s]
    hbm_bytes: float
    bandwidth_bytes_s: float
    h100e: float  # per accelerator
    chip_for_reliability: str
    year: int | None = None
    facility_kw: float = 0.0  # facility power per accelerator at peak (IT x design-day PUE) [kW]
    mix: tuple[tuple[str, float], ...] = ()  # (chip, count) the averages came from; empty if not known


@dataclass(frozen=True)
class CapabilitySpec:
    """What to compute (see ``gigafleet capability --help``)."""

    days: float = 100.0
    precision: str = "bf16"
    mfu: float | None = None  # None: catalogue range
    training_share: float = 0.5  # share of the fleet training (the rest serves inference)
    campus_share: float = 1.0  # share of the training fleet one synchronous run can use
    linked_campuses: int = 1  # >1: the run spans campuses (inter-campus efficiency applies)
    serve_params: float = 405e9  # model served for inference [parameters]
    goodput: float | None = None  # None: reliability model for the job size and regime
    regime: str = "auto"  # auto: every regime available in the fleet's year
    samples: int = 2000
    seed: int = 0
    notes: list[str] = field(default_factory=list)


def fleet_slice(
    catalog: Catalog,
    mix: dict[str, float],
    accelerators: float,
    campus_share: float = 1.0,
    year: int | None = None,
    field: str = "--chip",
) -> FleetSlice:
    """Fleet averages for a mix {chip: count} (counts may be shares)."""
    total = sum(mix.values())
    if total <= 0:
        raise InputError("--accelerators", accelerators, "a positive number of accelerators")
    weights = {c: n / total for c, n in mix.items()}
    items = {c: catalog.item("accelerators", c, field_name=field) for c in mix}

    def avg(parameter: str) -> float:
        return sum(w * items[c][parameter].mid for c, w in weights.items())

    peak = {}
    for precision in PRECISIONS:
        name = f"{precision}_dense_tflops"
        peak[precision] = (
            sum(
                w * (items[c][name].mid if name in items[c] else items[c]["fp8_dense_tflops"].mid)
                for c, w in weights.items()
            )
            * 1e12
        )
    dominant = max(weights, key=lambda c: weights[c])
    from gigafleet.fleet import default_cooling

    pue = catalog.item("cooling", default_cooling(catalog, tuple(mix)))["peak_pue"].mid
    return FleetSlice(
        accelerators=accelerators,
        largest_campus=accelerators * campus_share,
        peak_flops=peak,
        hbm_bytes=avg("hbm_gb") * 1e9,
        bandwidth_bytes_s=avg("hbm_bw_tbps") * 1e12,
        h100e=avg("h100e_factor"),
        chip_for_reliability=dominant,
        year=year,
        facility_kw=avg("it_power_kw") * pue,
        mix=tuple((c, float(n) / total * accelerators) for c, n in mix.items()),
    )


def effective_accelerator_samples(
    catalog: Catalog, chip: str, job_max: int, regimes: list[str], multipliers: FloatArray
) -> FloatArray:
    """Samples of the largest run's effective accelerators (J x goodput) for sampled failure-rate multipliers.

    For 17 quantiles of the multipliers, the best size under each regime is searched again (a run sized for the
    rates it meets), the best regime kept, and the samples interpolated between quantiles. Each quantile's
    value is a continuous maximum over 1 <= J <= ``job_max``, so a bigger fleet never gets smaller samples.
    """
    from gigafleet.reliability.regimes import on_rate_quantiles, recovery_regime

    def best(model: Any) -> float:
        found = [best_size(model, recovery_regime(catalog, name, model), job_max) for name in regimes]
        return max(f[1] for f in found if f is not None)

    return on_rate_quantiles(catalog, chip, multipliers, best)


def validate_spec(spec: CapabilitySpec) -> None:
    """One-line errors for impossible requests."""
    if not 1 / 24 <= spec.days <= 3650:
        raise InputError("--days", spec.days, "a duration from 1/24 (one hour) to 3,650 days (10 years)")
    if spec.precision not in PRECISIONS:
        raise InputError("--precision", spec.precision, PRECISIONS)
    if not 0 < spec.training_share <= 1:
        raise InputError("--training-share", spec.training_share, "a share in (0, 1] of the fleet")
    if not 0 < spec.campus_share <= 1:
        raise InputError("--campus-share", spec.campus_share, "a share in (0, 1] of the training fleet")
    if spec.mfu is not None and not 0 < spec.mfu <= 1:
        raise InputError("--mfu", spec.mfu, "a fraction in (0, 1]")
    if spec.goodput is not None and not 0 < spec.goodput <= 1:
        raise InputError("--goodput", spec.goodput, "a fraction in (0, 1]")
    if not 1 <= spec.linked_campuses <= 1000:
        raise InputError("--linked-campuses", spec.linked_campuses, "1 to 1,000")
    if not 1e6 <= spec.serve_params <= 1e15:
        raise InputError("--serve-params", spec.serve_params, "a parameter count from 1M to 1e15, e.g. 405B")


def _q(samples: FloatArray) -> dict[str, float]:
    return quantiles(np.asarray(samples, dtype=float)).to_dict()


def year_capability(catalog: Catalog, fleet: FleetSlice, spec: CapabilitySpec) -> dict[str, Any]:
    """Capability of one fleet slice (P10/P50/P90 from the catalogue's ranges)."""
    rng = np.random.default_rng(spec.seed)
    n = spec.samples
    cap = {i: catalog.item("capability", i) for i in catalog.ids("capability")}
    training = cap["training"]
    mfu = np.full(n, spec.mfu) if spec.mfu is not None else sample_parameter(training["default_mfu"], n, rng)
    job_max = max(1, round(fleet.largest_campus * spec.training_share))
    from gigafleet.reliability.regimes import REGIMES, available_regimes

    year = fleet.year if fleet.year is not None else _dt.date.today().year
    allowed = available_regimes(catalog, year) if spec.regime == "auto" else [spec.regime]
    options = best_run(catalog, fleet.chip_for_reliability, job_max, allowed)
    others = [
        r for r in best_run(catalog, fleet.chip_for_reliability, job_max, list(REGIMES)) if r["regime"] not in allowed
    ]
    if spec.goodput is not None:
        job, goodput, regime = job_max, spec.goodput, "given"
    elif options:
        job, goodput, regime = options[0]["job_size"], options[0]["goodput"], options[0]["regime"]
    else:
        raise InputError("--regime", spec.regime, f"a regime that can run a job of up to {job_max:,} accelerators")
    link = sample_parameter(training["inter_campus_efficiency"], n, rng) if spec.linked_campuses > 1 else np.ones(n)
    if spec.goodput is not None:
        goodput_arr = np.full(n, goodput)
    else:
        from gigafleet.reliability.regimes import goodput_samples, rate_multipliers

        multipliers = rate_multipliers(catalog, fleet.chip_for_reliability, n, rng)
        goodput_arr = goodput_samples(catalog, fleet.chip_for_reliability, regime, job, multipliers)
    peak = fleet.peak_flops[spec.precision]
    if spec.goodput is None:
        runs = effective_accelerator_samples(catalog, fleet.chip_for_reliability, job_max, allowed, multipliers)
    else:
        runs = job * goodput_arr
    hardware = runs * peak * mfu * link * spec.days * SECONDS_PER_DAY
    fit = scaling_fit(catalog)
    tokens = sample_parameter(cap["data"]["stock_tokens"], n, rng) * sample_parameter(cap["data"]["max_epochs"], n, rng)
    data = fit.flop_for_tokens(tokens)
    latency = sample_parameter(cap["limits"]["latency_wall_flop"], n, rng)
    stacked = np.stack([hardware, data, latency])
    largest = stacked.min(axis=0)
    names = ("hardware", "data", "latency")
    binding = names[int(np.argmin([np.median(hardware), np.median(data), np.median(latency)]))]
    largest_job = options[0]["job_size_max"] if spec.goodput is None else job_max  # in whole replicas if elastic
    if binding == "hardware" and job < largest_job:
        binding = "reliability"  # more accelerators were there, but a bigger job would deliver less
    per_flop = peak * float(np.median(mfu)) * float(np.median(link)) * spec.days * SECONDS_PER_DAY
    regime_rows = [
        {
            **r,
            "allowed": r in options,
            "largest_run_flop_p50": float(
                min(r["effective_accelerators"] * per_flop, np.median(data), np.median(latency))
            ),
        }
        for r in [*options, *others]
    ]
    inference = cap["inference"]
    serve_accelerators = fleet.accelerators * (1 - spec.training_share)
    context = sample_parameter(inference["mean_context_tokens"], n, rng)
    share = sample_parameter(inference["weights_hbm_share"], n, rng)
    efficiency = sample_parameter(inference["decode_bandwidth_efficiency"], n, rng)
    prefill_mfu = sample_parameter(inference["prefill_mfu"], n, rng)
    kv = sample_parameter(inference["kv_bytes_per_token"], n, rng)
    bytes_per_param = BYTES_PER_PARAM[spec.precision]
    decode = np.array(
        [
            decode_tokens_per_second(
                spec.serve_params,
                bytes_per_param,
                fleet.hbm_bytes,
                fleet.bandwidth_bytes_s,
                peak,
                kv_bytes_per_token=float(kv[i]),
                context_tokens=float(context[i]),
                weights_share=float(share[i]),
                bandwidth_efficiency=float(efficiency[i]),
                compute_mfu=float(prefill_mfu[i]),
            )
            for i in range(min(n, 400))
        ]
    )
    decode_day = decode * serve_accelerators * SECONDS_PER_DAY
    prefill_day = peak * prefill_mfu / (2.0 * spec.serve_params) * serve_accelerators * SECONDS_PER_DAY
    return {
        "year": fleet.year,
        "accelerators": fleet.accelerators,
        "h100e": fleet.h100e * fleet.accelerators,
        "peak_flops": peak * fleet.accelerators,
        "effective_flops": _q(peak * fleet.accelerators * mfu),
        "largest_run_flop": _q(largest),
        "binding_limit": binding,
        "limits_flop": {name: _q(values) for name, values in zip(names, stacked, strict=True)},
        "compute_optimal_params": _q(fit.params(largest)),
        "compute_optimal_tokens": _q(fit.tokens(largest)),
        "job_accelerators": job,
        "job_size": job,
        "job_size_max": job_max,
        "goodput": goodput,
        "goodput_range": _q(goodput_arr),
        "regime": regime,
        "run_power_gw": job * fleet.facility_kw / 1e6,
        "regimes": regime_rows,
        "training_share": spec.training_share,
        "inference_tokens_per_day": _q(decode_day) if serve_accelerators > 0 else _q(np.zeros(1)),
        "prefill_tokens_per_day": _q(prefill_day) if serve_accelerators > 0 else _q(np.zeros(1)),
        "inference_accelerators": serve_accelerators,
    }


RUN_KEYS: tuple[str, ...] = (
    "largest_run_flop",
    "binding_limit",
    "limits_flop",
    "compute_optimal_params",
    "compute_optimal_tokens",
    "job_accelerators",
    "job_size",
    "job_size_max",
    "goodput",
    "goodput_range",
    "regime",
    "run_power_gw",
    "regimes",
)
"""Outputs that describe the largest training run (taken from the best sub-fleet of a mix)."""


def _best_training_subfleet(catalog: Catalog, fleet: FleetSlice, spec: CapabilitySpec) -> dict[str, Any]:
    """Capability of a fleet whose largest run uses the best of its chips.

    A training run uses one kind of cluster, not the fleet's average accelerator: for a mix, the run is searched
    on the sub-fleets made of the k chips with the highest peak per accelerator (k = 1 ... all), each at the
    fleet's campus share, and the one with the largest run is kept (``run_chips``). Adding accelerators of any
    kind therefore never shrinks the largest run. Fleet totals and inference use the whole mix.
    """
    whole = year_capability(catalog, fleet, spec)
    if len(fleet.mix) < 2:
        return {**whole, "run_chips": [c for c, _ in fleet.mix] or [fleet.chip_for_reliability]}
    share = fleet.largest_campus / fleet.accelerators if fleet.accelerators else 1.0

    def peak(chip: str) -> float:
        item = catalog.item("accelerators", chip)
        name = f"{spec.precision}_dense_tflops"
        return item[name].mid if name in item else item["fp8_dense_tflops"].mid

    ranked = sorted(fleet.mix, key=lambda cn: -peak(cn[0]))
    best, best_chips = whole, [c for c, _ in ranked]
    for k in range(1, len(ranked)):
        sub = dict(ranked[:k])
        candidate = year_capability(catalog, fleet_slice(catalog, sub, sum(sub.values()), share, year=fleet.year), spec)
        if candidate["largest_run_flop"]["p50"] > best["largest_run_flop"]["p50"]:
            best, best_chips = candidate, list(sub)
    return {**whole, **{key: best[key] for key in RUN_KEYS}, "run_chips": best_chips}


def capability(
    catalog: Catalog, fleets: list[FleetSlice], spec: CapabilitySpec, inputs: dict[str, Any] | None = None
) -> dict[str, Any]:
    """Capability of one fleet or of each year of a plan; the JSON-ready result of ``gigafleet capability``."""
    validate_spec(spec)
    years = [_best_training_subfleet(catalog, fleet, spec) for fleet in fleets]
    last = years[-1]
    return {
        "schema_version": 1,
        "inputs": {
            **(inputs or {}),
            "days": spec.days,
            "precision": spec.precision,
            "training_share": spec.training_share,
            "campus_share": spec.campus_share,
            "linked_campuses": spec.linked_campuses,
            "serve_params": spec.serve_params,
            "mfu": spec.mfu,
            "samples": spec.samples,
            "seed": spec.seed,
            "regime": spec.regime,
        },
        "years": years,
        "largest_run_flop": last["largest_run_flop"],
        "compute_optimal_params": last["compute_optimal_params"],
        "compute_optimal_tokens": last["compute_optimal_tokens"],
        "binding_limit": last["binding_limit"],
        "inference_tokens_per_day": last["inference_tokens_per_day"],
        "job_size": last["job_size"],
        "regime": last["regime"],
        "goodput": last["goodput"],
        "run_power_gw": last["run_power_gw"],
        "regimes": last["regimes"],
        "notes": [
            *spec.notes,
            f"Training share {spec.training_share:.0%} of the fleet"
            + (
                " (the default: half trains, half serves inference; set --training-share)"
                if spec.training_share == 0.5
                else " (as given)"
            )
            + "; the run uses at most the largest "
            "campus's share of it.",
            "Largest run = the job size and recovery regime (among those available in the year) that deliver "
            "the most compute: accelerators x goodput(size, regime); a bigger job is not a bigger run when "
            "failures cost more than the added accelerators give, and the binding limit is then "
            "'reliability'. Other regimes are listed under 'regimes' (allowed: false if not yet available).",
            "Largest run = min(hardware, data, latency limits) sample by sample; the binding limit is the "
            "one with the lowest P50.",
            "Hardware limit = accelerators in the run x dense peak x MFU x goodput (closed forms of the "
            "reliability engine per regime, Daly-optimal checkpoints) x duration; run_power_gw is the run's "
            "facility power at peak (IT x design-day PUE).",
            "Compute-optimal sizes follow Hoffmann et al. (2022) approach 1 (fitted to their Table 3).",
            f"Inference: decode of a {spec.serve_params:.3g}-parameter model at {spec.precision} on the "
            f"{1 - spec.training_share:.0%} of the fleet not training.",
        ],
    }


def plan_fleets(catalog: Catalog, result: dict[str, Any], campus_share: float | None = None) -> list[FleetSlice]:
    """Fleet slices by year from a stored plan result (``gigafleet plan --json``)."""
    slices = []
    for year in result.get("years", []):
        y = int(year["year"])
        mix = {
            row["chip"]: row["in_service"]
            for row in result.get("by_chip", [])
            if row["year"] == y and row["in_service"] > 0
        }
        if not mix:
            continue
        total = sum(mix.values())
        sites = [row["accelerators"] for row in result.get("by_site", []) if row["year"] == y]
        share = campus_share if campus_share is not None else (max(sites) / total if sites and total else 1.0)
        slices.append(fleet_slice(catalog, mix, total, min(1.0, share), year=y))
    if not slices:
        raise InputError("--plan", result.get("run_id", "?"), "a stored plan with accelerators in service")
    return slices
