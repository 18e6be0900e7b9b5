"""Typer option types shared by several commands (fleet size, chip, cooling, samples, seed, output)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

ChipOpt = Annotated[str | None, typer.Option(
    "--chip", help="Accelerator id (e.g. gb200, h100, tpu-v7), or shares like h100:0.4,gb200:0.6 [default: gb200].")]
FleetOpt = Annotated[str | None, typer.Option(
    "--fleet", help="Counts per accelerator, e.g. h100=40M,gb200=60M (instead of --chip and a sizing flag).")]
AcceleratorsOpt = Annotated[str | None, typer.Option(
    "--accelerators", "-n", help="Number of accelerators: 100M, 2.9M, 1e6 (suffixes k, M, B, T).")]
ItPowerOpt = Annotated[str | None, typer.Option("--it-power-gw", help="Size the fleet by IT power [GW].")]
FacilityPowerOpt = Annotated[str | None, typer.Option(
    "--facility-power-gw", help="Size the fleet by facility power at peak [GW].")]
BudgetOpt = Annotated[str | None, typer.Option("--budget-usd", help="Size the fleet by all-in capex [USD], e.g. 1T.")]
CoolingOpt = Annotated[str, typer.Option(
    "--cooling", help="air, liquid, immersion, or auto (liquid for chips that ship liquid-cooled only, else air).")]
RegionOpt = Annotated[str, typer.Option("--region", help="Region for power price, grid CO2 and build cost.")]
YearOpt = Annotated[str | None, typer.Option(
    "--year", help="Year of operation [default: this year, or the chip's volume year if later].")]
UtilOpt = Annotated[str | None, typer.Option(
    "--utilisation", help="Share of time busy, 0-1 or 80% [default: sampled from the catalogue range].")]
MfuOpt = Annotated[str | None, typer.Option(
    "--mfu", help="Model FLOP utilisation while busy [default: sampled from the catalogue range].")]
SamplesOpt = Annotated[str, typer.Option("--samples", help="Monte Carlo samples (e.g. 2000, 1e6).")]
SeedOpt = Annotated[str, typer.Option("--seed", help="Random seed (same seed, same numbers).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]
MaxMemoryOpt = Annotated[str, typer.Option(
    "--max-memory-gb", help="Refuse sample counts whose estimated memory is above this [GiB].")]
ScenarioOpt = Annotated[Path | None, typer.Option(
    "--scenario", help="Read the fleet from a scenario YAML file (flags given too override it).")]
