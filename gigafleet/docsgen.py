"""Generate the documentation pages that must never be hand-copied, by running the code.

``python -m gigafleet.docsgen docs`` writes:

* ``reference/scenarios.md`` — every key of the estimate scenario, plan scenario and experiment files, from the
  typed (pydantic) models;
* ``reference/catalogue.md`` — every catalogue row with its range, grade and sources, and every source;
* ``reference/cli.md`` — every command and option, from the Typer application;
* ``reference/audit.md`` — the catalogue rows that move the headline outputs most (``gigafleet catalog audit``);
* ``validation.md`` — each published case: the figure, gigafleet's result, the tolerance, pass or fail;
* ``case-studies/100m-gpus.md`` — the flagship case study, executed.
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from gigafleet.catalog import KINDS, Catalog, load_catalog


def _md(value: object, *, code: bool = False) -> str:
    """Table-cell text: pipes and newlines escaped and, outside code spans (``code``), backslashes and brackets, so
    text such as ``[default: x]`` is not read as a link (inside backticks Markdown shows every character as is)."""
    text = str(value).replace("\n", " ")
    if not code:
        text = text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")
    return text.replace("|", "\\|")


def source_anchor(tag: str) -> str:
    """HTML id of a source's row in the catalogue reference."""
    return "source-" + re.sub(r"[^a-z0-9]+", "-", tag.lower()).strip("-")


def _note_md(note: str, tags: Collection[str]) -> str:
    """A catalogue note as a table cell whose ``[TAG]`` citations link to the source's row.

    Examples
    --------
    >>> _note_md("Uptime [R50][R56]; see [x]", {"R50", "R56"})
    'Uptime [R50](#source-r50)[R56](#source-r56); see \\\\[x\\\\]'
    """
    out = []
    for part in re.split(r"(\[[^\[\]]+\])", note):
        tag = part[1:-1]
        cited = part.startswith("[") and part.endswith("]") and tag in tags
        out.append(f"[{tag}](#{source_anchor(tag)})" if cited else _md(part))
    return "".join(out)


# ---- scenario reference ---------------------------------------------------------------------------------------


def _schema_rows(schema: dict[str, Any], defs: dict[str, Any], prefix: str = "") -> list[tuple[str, str, str, str]]:
    rows: list[tuple[str, str, str, str]] = []
    for name, prop in schema.get("properties", {}).items():
        path = f"{prefix}{name}"
        target = prop
        for key in ("$ref",):
            if key in prop:
                target = defs[prop[key].rsplit("/", 1)[-1]]
        options = prop.get("anyOf", [])
        refs = [o["$ref"].rsplit("/", 1)[-1] for o in options if "$ref" in o]
        types = [o.get("type", o.get("$ref", "").rsplit("/", 1)[-1]) for o in options] or [prop.get("type", "")]
        if "$ref" in prop:
            types = [prop["$ref"].rsplit("/", 1)[-1]]
        kind = " or ".join(t for t in types if t) or "object"
        if prop.get("type") == "array":
            item = prop.get("items", {})
            kind = f"list of {item.get('type', item.get('$ref', '').rsplit('/', 1)[-1]) or 'values'}"
        if "enum" in prop:
            kind = " \\| ".join(map(str, prop["enum"]))
        if "const" in prop:
            kind = str(prop["const"])
        default = prop.get("default", "required" if name in schema.get("required", []) else "")
        limits = ", ".join(
            f"{k} {prop[k]}"
            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength")
            if k in prop
        )
        description = " ".join(x for x in (prop.get("description", ""), limits) if x)
        rows.append((path, kind, json.dumps(default) if default not in ("", "required") else str(default), description))
        nested = [defs[r] for r in refs] + ([target] if target is not prop else [])
        for sub in nested:
            if sub.get("properties"):
                rows.extend(_schema_rows(sub, defs, f"{path}."))
        if prop.get("type") == "array" and "$ref" in prop.get("items", {}):
            rows.extend(_schema_rows(defs[prop["items"]["$ref"].rsplit("/", 1)[-1]], defs, f"{path}[]."))
        if prop.get("type") == "object" and "$ref" in prop.get("additionalProperties", {}):
            rows.extend(
                _schema_rows(defs[prop["additionalProperties"]["$ref"].rsplit("/", 1)[-1]], defs, f"{path}.<key>.")
            )
    return rows


def scenario_reference() -> str:
    """Markdown tables of every scenario and experiment key, from the pydantic models."""
    from gigafleet.buildout.scenario import PlanScenario
    from gigafleet.scenario import Scenario
    from gigafleet.uncertainty.experiment import Experiment

    out = [
        "# Scenario and experiment files",
        "",
        "Generated from the typed models by `gigafleet.docsgen`: every key, its type, default and limits. "
        "Unknown keys are errors.",
        "",
    ]
    for title, model, command in (
        ("Estimate scenario", Scenario, "gigafleet run / estimate --scenario"),
        ("Plan scenario", PlanScenario, "gigafleet plan"),
        ("Experiment", Experiment, "gigafleet sweep"),
    ):
        schema = model.model_json_schema()
        out += [f"## {title} (`{command}`)", "", "| key | type | default | limits and notes |", "|---|---|---|---|"]
        out += [
            f"| `{_md(p, code=True)}` | {_md(t)} | {_md(d)} | {_md(n)} |"
            for p, t, d, n in _schema_rows(schema, schema.get("$defs", {}))
        ]
        out.append("")
    return "\n".join(out)


def scenario_keys() -> set[str]:
    """Every key path the scenario reference documents (for tests)."""
    from gigafleet.buildout.scenario import PlanScenario
    from gigafleet.scenario import Scenario
    from gigafleet.uncertainty.experiment import Experiment

    keys: set[str] = set()
    for model in (Scenario, PlanScenario, Experiment):
        schema = model.model_json_schema()
        keys |= {row[0] for row in _schema_rows(schema, schema.get("$defs", {}))}
    return keys


# ---- catalogue reference ----------------------------------------------------------------------------------------


def catalogue_reference(catalog: Catalog) -> str:
    """Every catalogue row and source."""
    out = [
        "# Catalogue",
        "",
        "Generated from `gigafleet/data/*.csv` by `gigafleet.docsgen`. Grades: P primary, "
        "S reputable secondary, W weak secondary, D derived, U unsourced estimate.",
        "",
    ]
    for kind in KINDS:
        out += [
            f"## {kind}",
            "",
            "| id | parameter | unit | low | mid | high | grade | sources | as of | note |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for p in catalog.parameters(kind):
            out.append(
                f"| `{p.id}` | `{p.parameter}` | {_md(p.unit)} | {p.low:.6g} | {p.mid:.6g} | {p.high:.6g} | "
                f"{p.grade} | {', '.join(f'[{s}](#{source_anchor(s)})' for s in p.sources)} | {p.as_of} | "
                f"{_note_md(p.note, catalog.sources)} |"
            )
        out.append("")
    out += ["## Sources", "", "| tag | title | publisher | date | url |", "|---|---|---|---|---|"]
    out += [
        f'| <a id="{source_anchor(t)}"></a>{t} | {_md(s.title)} | {_md(s.publisher)} | {_md(s.date)} | {_md(s.url)} |'
        for t, s in catalog.sources.items()
    ]
    return "\n".join(out) + "\n"


# ---- CLI reference ----------------------------------------------------------------------------------------------


def cli_commands() -> dict[str, Any]:
    """Every command of the CLI (name -> click command), subcommands as 'group sub'."""
    import typer

    from gigafleet.cli import app

    root: Any = typer.main.get_command(app)
    commands: dict[str, Any] = {}

    def walk(command: Any, prefix: str) -> None:
        if hasattr(command, "commands"):  # a group (typer vendors its own click classes)
            for name, sub in command.commands.items():
                walk(sub, f"{prefix} {name}".strip())
        else:
            commands[prefix] = command

    walk(root, "")
    return commands


def cli_reference() -> str:
    """Every command and option, from the Typer application."""
    out = ["# Command line", "", "Generated from the Typer application by `gigafleet.docsgen`.", ""]
    for name, command in sorted(cli_commands().items()):
        out += [
            f"## `gigafleet {name}`",
            "",
            _md((command.help or "").strip().split("\n\n")[0]),
            "",
            "| option | help | default |",
            "|---|---|---|",
        ]
        for param in command.params:
            flags = ", ".join(getattr(param, "opts", [])) or param.name
            out.append(
                f"| `{_md(flags, code=True)}` | {_md(getattr(param, 'help', '') or '')} | "
                f"{_md(param.default if param.default is not None else '')} |"
            )
        out.append("")
    return "\n".join(out)


# ---- validation -------------------------------------------------------------------------------------------------


def validation_cases(catalog: Catalog) -> list[dict[str, Any]]:
    """Run the published cases of ../shared/validation-cases.md that gigafleet covers."""
    from gigafleet.capability import implied_mfu, scaling_fit, training_energy_mwh, training_flop
    from gigafleet.estimate import estimate
    from gigafleet.fleet import FleetSpec, Sizing, annual_energy_twh, simulate_fleet
    from gigafleet.reliability.analytic import daly_interval
    from gigafleet.reliability.summary import ReliabilitySpec, simulate_reliability

    cases: list[dict[str, Any]] = []

    def case(code: str, figure: str, result: float, low: float, high: float, fmt: str = "{:.3g}") -> None:
        cases.append(
            {
                "case": code,
                "figure": figure,
                "gigafleet": fmt.format(result),
                "tolerance": f"{fmt.format(low)} – {fmt.format(high)}",
                "pass": low <= result <= high,
            }
        )

    h100 = FleetSpec({"h100": 1.0}, Sizing("accelerators", 1e8), "air", "us", 2026)
    fleet = simulate_fleet(catalog, h100, 2000)
    case("F1", "chip-only power of 100M H100 [GW]", float(fleet.totals["chip_power_gw"][0]), 70, 70)
    uk = catalog.item("baselines", "uk-demand")["energy_twh_per_year"].mid
    case("F1", "75 GW all year ÷ UK demand [×]", float(annual_energy_twh(75.0)) / uk, 2.0, 2.5)
    import numpy as np

    case(
        "F1",
        "all-in facility ÷ chip-only power, P10 [×]",
        float(np.percentile(fleet.totals["facility_power_gw"], 10)) / 70.0,
        1.8,
        10,
    )
    f2 = estimate(
        FleetSpec({"h100": 1.0}, Sizing("accelerators", 1e5), "air", "us", 2026, utilisation=1.0),
        samples=2000,
        catalog=catalog,
    )
    case("F2", "100k H100 IT power [MW]", f2["it_power_gw"]["p50"] * 1000, 130, 165)
    case("F2", "100k H100 energy [TWh/yr]", f2["energy_twh_per_year"]["p50"], 1.4, 1.8)
    f3 = estimate(
        FleetSpec({"gb200": 1.0}, Sizing("it_power_gw", 1.0), "liquid", "us", 2026), samples=2000, catalog=catalog
    )
    case("F3", "1 GW IT GB200 capex [USD B]", f3["capex_usd"]["p50"] / 1e9, 30, 46)
    case("F3", "1 GW IT GB200 TCO [USD B/yr]", f3["tco_usd_per_year"]["p50"] / 1e9, 7, 10)
    case("F4", "capex per GW of IT power [USD B]", f3["capex_usd_per_it_gw"]["p50"] / 1e9, 30, 55)
    gb200 = catalog.item("accelerators", "gb200")
    case(
        "F5",
        "server ÷ GPU power (Epoch 1.53)",
        gb200["server_power_kw"].mid * 1000 / gb200["tdp_w"].mid,
        1.53 * 0.9,
        1.53 * 1.1,
    )
    case(
        "F5",
        "IT ÷ server power (Epoch 1.14)",
        gb200["it_power_kw"].mid / gb200["server_power_kw"].mid,
        1.14 * 0.9,
        1.14 * 1.1,
    )
    case(
        "F5",
        "facility ÷ IT power at peak, liquid (Epoch 1.4)",
        catalog.item("cooling", "liquid")["peak_pue"].mid,
        1.4 * 0.9,
        1.4 * 1.1,
    )
    case(
        "F6",
        "US data centres 2023 [TWh]",
        catalog.item("baselines", "us-datacentres-2023")["energy_twh_per_year"].mid,
        176,
        176,
    )
    case(
        "F7",
        "world data centres 2024 [TWh]",
        catalog.item("baselines", "world-datacentres-2024")["energy_twh_per_year"].mid,
        415,
        415,
    )
    counts = [
        simulate_reliability(
            catalog,
            ReliabilitySpec(chip="h100", accelerators=16384, days=54, job_size=16384, seed=s, regime="storage-restart"),
        )
        for s in range(4)
    ]
    mean = float(np.mean([c["job_interruptions"] for c in counts]))
    case("R1", "Llama 3 unexpected interruptions (419)", mean, 419 - 1.96 * 419**0.5, 419 + 1.96 * 419**0.5, "{:.0f}")
    case("R1", "Llama 3 goodput (> 0.9)", float(np.mean([c["goodput"] for c in counts])), 0.9, 1.0)
    case("R2", "Daly optimum, M = 24 h, δ = 5 min [min]", daly_interval(5 / 60, 24) * 60, 116, 118, "{:.1f}")
    megascale = simulate_reliability(
        catalog,
        ReliabilitySpec(chip="h100", accelerators=12288, days=30, job_size=12288, seed=0, regime="storage-restart"),
    )
    case("R3", "MegaScale 12,288 GPUs, minutes-scale restart: goodput (> 0.9)", megascale["goodput"], 0.9, 1.0)
    gemini = simulate_reliability(
        catalog, ReliabilitySpec(chip="h100", accelerators=30_000, days=30, job_size=30_000, seed=0, regime="in-memory")
    )
    case("R4", "in-memory regime, 30k accelerators: goodput (≥ 0.95)", gemini["goodput"], 0.95, 1.0)
    from gigafleet.reliability.model import failure_model
    from gigafleet.reliability.summary import job_rate_per_hour

    factor = catalog.item("failure_modes", "generation")["factor_a100"]
    rsc1 = failure_model(catalog, "a100", rate_factor=factor.high / factor.mid)
    case(
        "R5",
        "A100 (high = RSC-1) job MTTF at 16,384 GPUs, Kokolis 1.8 h [h]",
        1 / job_rate_per_hour(rsc1, 16_384),
        1.8 / 1.5,
        1.8 * 1.5,
    )
    case(
        "R5",
        "A100 (high = RSC-1) job MTTF at 131,072 GPUs, Kokolis 0.23 h [h]",
        1 / job_rate_per_hour(rsc1, 131_072),
        0.23 / 1.5,
        0.23 * 1.5,
    )
    a100 = catalog.item("accelerators", "a100")["bf16_dense_tflops"].mid * 1e12
    case("C1", "GPT-4 compute [FLOP]", 25_000 * a100 * 0.34 * 95 * 86400, 1.9e25, 2.4e25)
    case("C2", "Llama 3.1 405B 6ND [FLOP]", training_flop(405e9, 15.6e12), 3.79e25 * 0.95, 3.79e25 * 1.05)
    h100_peak = catalog.item("accelerators", "h100")["bf16_dense_tflops"].mid * 1e12
    case("C2", "Llama 3.1 implied MFU", implied_mfu(3.8e25, 30.84e6, h100_peak), 0.35 * 0.95, 0.35 * 1.05)
    v100 = catalog.item("accelerators", "v100")["server_power_kw"].mid
    case(
        "C3",
        "GPT-3 energy [MWh]",
        training_energy_mwh(10_000 * 14.8 * 24, v100, 1.1),
        1287 * 0.85,
        1287 * 1.15,
        "{:.0f}",
    )
    fit = scaling_fit(catalog)
    for params, flop, tokens in ((1e9, 1.21e20, 20.2e9), (67e9, 5.76e23, 1.5e12), (1e12, 1.27e26, 21.2e12)):
        case("C4", f"compute-optimal params at {flop:.3g} FLOP", float(fit.params(flop)), params * 0.95, params * 1.05)
        case("C4", f"compute-optimal tokens at {flop:.3g} FLOP", float(fit.tokens(flop)), tokens * 0.95, tokens * 1.05)
    from gigafleet.capability import CapabilitySpec, capability, fleet_slice

    spec = CapabilitySpec(days=300, training_share=1.0, samples=200, seed=0)
    runs = [
        capability(catalog, [fleet_slice(catalog, {"gb300": n}, n)], spec)["largest_run_flop"]["p50"]
        for n in (1e3, 1e5, 1e6, 1e7, 1e8)
    ]
    case("C5", "largest run never falls, 1k → 100M GB300 (1 = monotone)", float(runs == sorted(runs)), 1, 1, "{:.0f}")
    from gigafleet.buildout.scenario import load_plan_scenario
    from gigafleet.buildout.solve import plan

    colossus = plan(catalog, load_plan_scenario("colossus"))
    first = colossus["years"][0]
    bridge_twh = sum(
        r["energy_twh"] for r in colossus["power"] if r["year"] == first["year"] and r["source"] == "bridge"
    )
    served_twh = sum(r["energy_twh"] for r in colossus["power"] if r["year"] == first["year"])
    case(
        "F9",
        "Colossus: share of the first year's energy on bridge power (no grid yet)",
        bridge_twh / served_twh,
        0.99,
        1.0,
        "{:.2f}",
    )
    case(
        "F9",
        "Colossus: months 100k H100 wait for power (122-day build)",
        12 * first["idle_gw"] / first["facility_power_gw"],
        2,
        4.5,
        "{:.1f}",
    )
    # F8: Colossus is liquid-cooled (Supermicro direct-to-chip racks, ServeTheHome 2024): default liquid settings
    f8 = estimate(
        FleetSpec({"h100": 1.0}, Sizing("accelerators", 2e5), "liquid", "us-tn", 2025), samples=2000, catalog=catalog
    )
    case(
        "F8",
        "Colossus 200k H100 (liquid, Memphis, 2025): facility power [MW] (~300 ±15%)",
        f8["facility_power_gw"]["p50"] * 1000,
        255,
        345,
        "{:.0f}",
    )
    hardware = sum(f8["capex_breakdown_usd"][p]["p50"] for p in ("accelerators", "servers", "networking", "storage"))
    case("F8", "Colossus 200k H100: hardware [USD B] (~7 ±25%)", hardware / 1e9, 5.25, 8.75, "{:.2f}")
    # installed base against Epoch's own cumulative totals (same data, Epoch's Monte Carlo)
    from gigafleet.installed import calibration, installed_base

    for row in calibration(catalog):
        if row["metric"] != "h100e":
            continue
        case(
            "I1",
            f"installed H100e, {row['vendor']}, through {row['through']}: median vs Epoch {row['epoch_p50']:,.0f}",
            float(row["ours_p50"]) / float(row["epoch_p50"]),
            0.97,
            1.03,
            "{:.3f}",
        )
        width = (float(row["ours_p95"]) - float(row["ours_p5"])) / (float(row["epoch_p95"]) - float(row["epoch_p5"]))
        case("I1", f"installed H100e, {row['vendor']}: 5th-95th width vs Epoch", width, 0.8, 1.25, "{:.2f}")
    nvidia_2023 = sum(r.units[1] for r in catalog.shipments if r.vendor == "nvidia" and r.start.startswith("2023"))
    case(
        "S2",
        "Nvidia data-centre GPUs shipped in 2023 vs TechInsights 3.76M (order of magnitude) [x]",
        nvidia_2023 / 3.76e6,
        0.1,
        10,
        "{:.2f}",
    )
    h100_2024 = sum(r.units[1] for r in catalog.shipments if r.chip == "h100" and r.start.startswith("2024"))
    case(
        "S2", "H100/H200 shipped in 2024 vs 1.5-2M H100 (order of magnitude) [x]", h100_2024 / 1.75e6, 0.1, 10, "{:.2f}"
    )
    base = installed_base(catalog, "2025", samples=4000)
    case(
        "I1",
        "installed base through 2025: H100e (P50) vs Epoch's vendor medians summed",
        float(base["h100e"]["p50"])
        / sum(float(r["epoch_p50"]) for r in calibration(catalog) if r["metric"] == "h100e"),
        0.97,
        1.03,
        "{:.3f}",
    )
    return cases


def validation_page(catalog: Catalog) -> str:
    """The validation page, by running the cases."""
    cases = validation_cases(catalog)
    passed = sum(c["pass"] for c in cases)
    out = [
        "# Validation",
        "",
        f"Generated by running the cases ({passed} of {len(cases)} pass). The published "
        "figures and their sources are in the project's validation-case list; tests hold the same tolerances.",
        "",
        "| case | figure | gigafleet | tolerance | result |",
        "|---|---|---|---|---|",
    ]
    out += [
        f"| {c['case']} | {_md(c['figure'])} | {c['gigafleet']} | {c['tolerance']} | "
        f"{'pass' if c['pass'] else '**FAIL**'} |"
        for c in cases
    ]
    return "\n".join(out) + "\n"


# ---- case study -------------------------------------------------------------------------------------------------


def case_study(catalog: Catalog) -> str:
    """'What 100 million GPUs really take', executed."""
    from gigafleet.buildout.scenario import load_plan_scenario
    from gigafleet.buildout.solve import plan
    from gigafleet.capability import CapabilitySpec, capability, plan_fleets
    from gigafleet.claims import Claims, check_claims
    from gigafleet.estimate import estimate
    from gigafleet.fleet import FleetSpec, Sizing, simulate_fleet
    from gigafleet.formatting import money, scaled, sig
    from gigafleet.power.campus import CampusSpec, design_campus
    from gigafleet.reliability.summary import ReliabilitySpec, simulate_reliability

    lines = [
        "# What 100 million GPUs really take",
        "",
        "This page is generated by running gigafleet (`make docs`); every number below comes from the shipped "
        "catalogue and models, with the catalogue's sources. Commands to reproduce each part are shown.",
        "",
    ]
    spec = FleetSpec({"h100": 1.0}, Sizing("accelerators", 1e8), "air", "us", 2026)
    result = simulate_fleet(catalog, spec, 4000)
    claims = check_claims(catalog, result, Claims(capex_usd=3e12, power_gw=75, share_of={"uk": 0.75}))
    lines += [
        "## 1. The claim: 100M GPUs = $3T = 75 GW = 75% of the UK's electricity",
        "",
        "`gigafleet check --accelerators 100M --chip h100 --claim-capex-usd 3e12 --claim-power-gw 75 "
        "--claim-share-of uk=0.75`",
        "",
    ]
    lines += [f"- {c['verdict']}" for c in claims]
    gb = estimate(
        FleetSpec({"gb200": 1.0}, Sizing("accelerators", 1e8), "liquid", "us", 2026), samples=4000, catalog=catalog
    )

    def q(x: dict[str, float], f: Callable[[float], str]) -> str:
        return f"{f(x['p50'])} (P10–P90 {f(x['p10'])} – {f(x['p90'])})"

    lines += [
        "",
        "## 2. The same fleet of today's rack-scale GPUs (GB200 NVL72)",
        "",
        "`gigafleet estimate --accelerators 100M --chip gb200`",
        "",
        f"- Facility power at peak: {q(gb['facility_power_gw'], lambda v: sig(v) + ' GW')}",
        f"- Energy: {q(gb['energy_twh_per_year'], lambda v: sig(v) + ' TWh/yr')}",
        f"- All-in capex: {q(gb['capex_usd'], money)}",
        f"- Annualised cost (the revenue it must earn): {q(gb['tco_usd_per_year'], money)} per year",
        f"- CO2 on the US grid: {q(gb['co2_mt_per_year'], lambda v: sig(v) + ' Mt/yr')}",
        "",
    ]
    scenario = load_plan_scenario("openai-100x")
    planned = plan(catalog, scenario)
    lines += [
        "## 3. The optimal build-out to 100M (openai-100x scenario)",
        "",
        "`gigafleet plan openai-100x`",
        "",
        f"Status: **{planned['status']}**; discounted cost {money(planned['cost_usd'])}.",
        "",
        "| year | target | accelerators | H100e | facility GW | capex |",
        "|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {y['year']} | {scaled(y['target'] or 0)} | {scaled(y['accelerators'])} | {scaled(y['h100e'])} | "
        f"{sig(y['facility_power_gw'])} | {money(y['capex_usd'])} |"
        for y in planned["years"]
    ]
    groups: dict[str, set[int]] = {}
    for row in planned["binding"]:
        groups.setdefault(row["limit"], set()).add(row["year"])
    lines += ["", "Binding limits by year: " + "; ".join(f"{k} ({min(v)}–{max(v)})" for k, v in groups.items()), ""]
    campus = design_campus(catalog, CampusSpec(site="abilene-tx", it_load_gw=1.2, year=2031, hours="repdays"))
    capped = design_campus(
        catalog, CampusSpec(site="abilene-tx", it_load_gw=1.2, year=2031, hours="repdays", carbon_cap_g_per_kwh=100)
    )
    mix = ", ".join(
        f"{r['source']} {r['share_of_energy']:.0%}" for r in capped["capacity"] if r["share_of_energy"] > 0.01
    )
    lines += [
        "## 4. How a 1.2 GW campus could be supplied",
        "",
        "`gigafleet power --site abilene-tx --it-load-gw 1.2 --year 2031 --hours repdays [--carbon-cap-g-per-kwh 100]`",
        "",
        f"- Least cost: ${campus['lcoe_usd_per_mwh']:.0f}/MWh at {campus['co2_g_per_kwh']:.0f} g/kWh.",
        f"- Under 100 g/kWh: ${capped['lcoe_usd_per_mwh']:.0f}/MWh; energy mix {mix}; land "
        f"{capped['land_km2']:.0f} km².",
        "",
    ]
    reliability = simulate_reliability(
        catalog,
        ReliabilitySpec(chip="gb200", accelerators=100_000_000, days=30, job_size=100_000, seed=1, regime="auto"),
    )
    by_regime = {r["regime"]: r for r in reliability["regimes"]}
    lines += [
        "## 5. Reliability and goodput at that scale",
        "",
        "`gigafleet reliability --accelerators 100M --chip gb200 --days 30 --job-size 100k`",
        "",
        f"- Fleet failures per day: {sig(reliability['failures_per_day']['total'])}.",
        f"- A 100k-GPU job meets a failure every {60 / (1e5 * failure_rate_per_hour(catalog)):.1f} minutes. "
        "What that costs depends on how the job recovers: goodput "
        + ", ".join(f"{name} {row['goodput']:.2f}" for name, row in by_regime.items())
        + f" (the default for this year is {reliability['regime']}; P10–P90 "
        f"{reliability['goodput_range']['p10']:.2f}–{reliability['goodput_range']['p90']:.2f}).",
        "- Goodput by job size under that regime: "
        + ", ".join(f"{scaled(r['job_size'])}: {r['goodput']:.2f}" for r in reliability["goodput_vs_job_size"]),
        "",
    ]
    fleets = plan_fleets(catalog, planned)
    cap = capability(catalog, fleets, CapabilitySpec(days=100, samples=300, goodput=None))
    lines += [
        "## 6. The largest training run it enables, by year",
        "",
        "`gigafleet capability --plan RUN_ID`: for each year, the job size (up to the largest campus's training "
        "share) and recovery regime that deliver the most compute.",
        "",
        "| year | fleet H100e | run size | regime | goodput | run power | largest run (P50) | binding |",
        "|---|---|---|---|---|---|---|---|",
    ]
    lines += [
        f"| {y['year']} | {scaled(y['h100e'])} | {scaled(y['job_size'])} | {y['regime']} | "
        f"{y['goodput']:.2f} | {y['run_power_gw']:.2g} GW | {y['largest_run_flop']['p50']:.2e} FLOP | "
        f"{y['binding_limit']} |"
        for y in cap["years"]
    ]
    lines += [
        "",
        "## 7. Sensitivity",
        "",
        "One-at-a-time swings of the 100M-GB200 capex as each uncertain input goes from its catalogue low to "
        "high (`gigafleet sweep` gives Sobol and Morris indices for any output):",
        "",
        "| input | capex at low | capex at high | swing |",
        "|---|---|---|---|",
    ]
    swings = []
    drivers = (
        ("accelerators", "gb200", "unit_price_usd"),
        ("accelerators", "gb200", "server_capex_usd"),
        ("facility", "construction", "cost_usd_per_mw"),
        ("cooling", "liquid", "peak_pue"),
        ("accelerators", "gb200", "it_power_kw"),
        ("facility", "grid-connection", "cost_usd_per_mw"),
    )
    for kind, item, name in drivers:
        parameter = catalog.item(kind, item)[name]
        values = []
        for v in (parameter.low, parameter.high):
            cat = catalog.with_overrides({(kind, item, name): v})
            values.append(
                estimate(
                    FleetSpec({"gb200": 1.0}, Sizing("accelerators", 1e8), "liquid", "us", 2026),
                    samples=500,
                    catalog=cat,
                )["capex_usd"]["p50"]
            )
        swings.append((abs(values[1] - values[0]), f"{kind}.{item}.{name}", values))
    for swing, label, values in sorted(swings, reverse=True):
        lines.append(f"| `{label}` | {money(values[0])} | {money(values[1])} | {money(swing)} |")
    return "\n".join(lines) + "\n"


def failure_rate_per_hour(catalog: Catalog, chip: str = "gb200") -> float:
    """Interruption rate of one accelerator at the reference age, domains excluded [1/h]."""
    from gigafleet.reliability.model import failure_model

    return failure_model(catalog, chip).total_rate_per_hour


def regime_chart(catalog: Catalog, chip: str = "gb200") -> tuple[str, str]:
    """Goodput vs job size (10^3 to 10^8) for each recovery regime: (markdown table, inline SVG chart)."""
    import math

    from gigafleet.reliability.model import failure_model
    from gigafleet.reliability.regimes import REGIMES, analytic_goodput, applicable, recovery_regime

    model = failure_model(catalog, chip)
    sizes = [round(10 ** (3 + i / 4)) for i in range(21)]
    series = {}
    for name in REGIMES:
        regime = recovery_regime(catalog, name, model)
        series[name] = [(s, analytic_goodput(model, regime, s)) for s in sizes if applicable(regime, s)]
    width, height, left, bottom = 640, 320, 50, 40
    colours = {"storage-restart": "#b91c1c", "in-memory": "#1d4ed8", "elastic": "#15803d"}

    def x(size: float) -> float:
        return left + (math.log10(size) - 3) / 5 * (width - left - 20)

    def y(goodput: float) -> float:
        return 10 + (1 - goodput) * (height - bottom - 10)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Goodput vs job size by recovery regime ({chip})" style="max-width:100%">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
    ]
    for tick in range(3, 9):
        parts.append(
            f'<line x1="{x(10**tick):.1f}" y1="10" x2="{x(10**tick):.1f}" y2="{height - bottom}" stroke="#e5e7eb"/>'
        )
        parts.append(
            f'<text x="{x(10**tick):.1f}" y="{height - bottom + 16}" font-size="12" text-anchor="middle">'
            f"10^{tick}</text>"
        )
    for value in (0.0, 0.25, 0.5, 0.75, 1.0):
        parts.append(f'<line x1="{left}" y1="{y(value):.1f}" x2="{width - 20}" y2="{y(value):.1f}" stroke="#e5e7eb"/>')
        parts.append(f'<text x="{left - 6}" y="{y(value) + 4:.1f}" font-size="12" text-anchor="end">{value:.2f}</text>')
    for index, (name, points) in enumerate(series.items()):
        path = " ".join(f"{x(s):.1f},{y(g):.1f}" for s, g in points)
        parts.append(f'<polyline fill="none" stroke="{colours[name]}" stroke-width="2.5" points="{path}"/>')
        parts.append(
            f'<text x="{width - 150}" y="{height - bottom - 60 + 16 * index}" font-size="13" '
            f'fill="{colours[name]}">{name}</text>'
        )
    parts.append(
        f'<text x="{(width + left) / 2}" y="{height - 6}" font-size="12" text-anchor="middle">'
        f"job size [accelerators, {chip}]</text></svg>"
    )
    header = "| job size | " + " | ".join(REGIMES) + " |"
    rows = [header, "|---" * (len(REGIMES) + 1) + "|"]
    for size in (10**3, 10**4, 10**5, 10**6, 10**7, 10**8):
        cells = []
        for name in REGIMES:
            regime = recovery_regime(catalog, name, model)
            cells.append(f"{analytic_goodput(model, regime, size):.3f}" if applicable(regime, size) else "–")
        rows.append(f"| {size:.0e} | " + " | ".join(cells) + " |")
    return "\n".join(rows), "".join(parts)


def regimes_page(catalog: Catalog) -> str:
    """``reference/regimes.md``: goodput vs job size per recovery regime (chart and table), generated."""
    table, svg = regime_chart(catalog)
    return (
        "# Recovery regimes: goodput vs job size\n\nGenerated from the catalogue (`failure_modes.csv`, rows "
        "`regime-*`) by the closed forms of `gigafleet.reliability.regimes`, which the event engine and the "
        "SimPy reference reproduce. GB200 at the catalogue's mid failure rates; see "
        "[Reliability](../reliability.md) for what each regime assumes.\n\n" + svg + "\n\n" + table + "\n"
    )


def audit_page(catalog: Catalog) -> str:
    """``reference/audit.md``: the catalogue rows that move the headline outputs most (``gigafleet catalog audit``)."""
    from gigafleet.audit import audit, top_unsourced

    rows = audit(catalog)
    moving = [r for r in rows if r["swing"] > 0]
    flagged = top_unsourced(rows)
    lines = [
        "# Catalogue audit: the rows that move the answers",
        "",
        "Generated by `gigafleet catalog audit` (one-at-a-time swings: each row from its low to its high, "
        "everything else at mid values; swing = |output at high − output at low| / output at mid, the largest "
        "over capex, opex, facility power and energy of 100M H100 (air, US, 2026) and 1 GW of IT of GB200 "
        "(liquid, US, 2026)). Add `--plan NAME` to move the rows a build-out plan reads through its cost and "
        "final H100e (one solve per row end: minutes). With `--plan demo` and with the flagship `--plan "
        "openai-100x` no grade-U row is among the 40 most influential either (the benchmark-marked test "
        "`tests/test_audit.py::test_plan_audit_has_no_unsourced_row_in_its_top_40`, ~5 and ~30 minutes).",
        "",
        f"{len(moving)} of {len(rows)} rows with a range move these outputs; grade U among the 40 most "
        f"influential: **{len(flagged)}**.",
        "",
        "| # | row | grade | swing | moves most | source |",
        "|---|---|---|---|---|---|",
    ]
    for r in moving[:40]:
        lines.append(
            f"| {r['rank']} | `{r['kind']}/{r['id']}/{r['parameter']}` | {r['grade']} | "
            f"{100 * r['swing']:.1f} % | {r['output']} | {r['source']} |"
        )
    return "\n".join(lines) + "\n"


EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
"""The notebook gallery (a source checkout's ``examples/``; executed by ``tests/test_examples.py``)."""


def examples_page(folder: Path = EXAMPLES) -> str:
    """The notebook gallery as one page: each notebook's text and code, in order (run them for the outputs)."""
    import json

    parts = [
        "# Notebook gallery\n",
        "Five notebooks under `examples/` answer the questions of this tool end to end on the shipped data. "
        "`make test` executes every one of them (`tests/test_examples.py`), so they never go stale. Open them with "
        "`.venv/bin/pip install jupyterlab && .venv/bin/jupyter lab examples/`; below is each one's text and code.\n",
    ]
    for path in sorted(folder.glob("*.ipynb")):
        book = json.loads(path.read_text(encoding="utf-8"))
        parts.append(f"\n---\n\nNotebook `examples/{path.name}`:\n")
        for cell in book["cells"]:
            text = "".join(cell["source"]).rstrip()
            if cell["cell_type"] == "markdown":
                parts.append(("#" + text if text.startswith("# ") else text) + "\n")
            elif cell["cell_type"] == "code":
                parts.append(f"```python\n{text}\n```\n")
    return "\n".join(parts)


def generate(folder: Path) -> list[Path]:
    """Write every generated page under ``folder``; returns the paths."""
    catalog = load_catalog()
    pages = {
        folder / "reference" / "scenarios.md": scenario_reference(),
        folder / "reference" / "catalogue.md": catalogue_reference(catalog),
        folder / "reference" / "cli.md": cli_reference(),
        folder / "reference" / "audit.md": audit_page(catalog),
        folder / "validation.md": validation_page(catalog),
        folder / "case-studies" / "100m-gpus.md": case_study(catalog),
        folder / "reference" / "regimes.md": regimes_page(catalog),
        **({folder / "examples.md": examples_page()} if EXAMPLES.is_dir() else {}),
    }
    for path, text in pages.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(pages)


if __name__ == "__main__":
    for written in generate(Path(sys.argv[1] if len(sys.argv) > 1 else "docs")):
        print(f"wrote {written}")
    _ = dataclasses  # keep the import for type tools
