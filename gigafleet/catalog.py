"""The cited catalogue: load, validate and look up the data files under ``gigafleet/data/``.

This module is the only reader of the catalogue. Every row is one (item, parameter) pair with a unit,
a low/mid/high range, a confidence grade, source tags, an as-of date and a note; see
``gigafleet/data/README.md`` for the schema.

Examples
--------
>>> cat = load_catalog()
>>> cat.item("accelerators", "h100")["tdp_w"].mid
700.0
"""

from __future__ import annotations

import csv
import functools
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gigafleet.errors import CatalogError, InputError

DATA_DIR = Path(__file__).parent / "data"
"""Folder of the built-in catalogue."""

KINDS: tuple[str, ...] = (
    "accelerators",
    "cooling",
    "facility",
    "power_sources",
    "regions",
    "baselines",
    "supply",
    "sites",
    "failure_modes",
    "capability",
)
"""Catalogue kinds, one CSV file each (``<kind>.csv``)."""

COLUMNS: tuple[str, ...] = (
    "id",
    "label",
    "parameter",
    "unit",
    "low",
    "mid",
    "high",
    "grade",
    "source",
    "as_of",
    "note",
)
SOURCE_COLUMNS: tuple[str, ...] = ("tag", "title", "publisher", "url", "date", "accessed")
SITE_ATTRIBUTE_COLUMNS: tuple[str, ...] = ("id", "label", "region", "country", "campus", "source", "as_of", "note")
SITE_ATTRIBUTE_OPTIONAL_COLUMNS: tuple[str, ...] = ("status",)
"""Columns ``site_attributes.csv`` may add after :data:`SITE_ATTRIBUTE_COLUMNS` (all of them, in this order)."""
SITE_STATUSES: tuple[str, ...] = ("operating", "under-construction", "announced")
"""Allowed values of a site's ``status`` (empty: not recorded)."""
INSTALLED_CHIP_COLUMNS: tuple[str, ...] = (
    "chip",
    "epoch_name",
    "vendor",
    "proxy",
    "tdp_w",
    "grade",
    "source",
    "as_of",
    "note",
)
SHIPMENT_COLUMNS: tuple[str, ...] = (
    "chip",
    "vendor",
    "start",
    "end",
    "units_low",
    "units_mid",
    "units_high",
    "h100e_low",
    "h100e_mid",
    "h100e_high",
    "price_low_usd",
    "price_mid_usd",
    "price_high_usd",
    "source",
    "note",
)

SITE_PARAMETERS: tuple[str, ...] = (
    "latitude_deg",
    "longitude_deg",
    "elevation_m",
    "utc_offset_h",
    *(f"temp_mean_c_{m:02d}" for m in range(1, 13)),
    "temp_daily_range_c",
    "ghi_kwh_m2_year",
    "solar_cf",
    "wind_cf",
    "wind_winter_summer_ratio",
    "grid_import_gw",
)
"""Parameters every site carries (climate, solar and wind resource, grid access)."""

GRADES: dict[str, str] = {
    "P": "primary (vendor document, official statistics, peer-reviewed paper)",
    "S": "reputable secondary (trade press, analyst as quoted)",
    "W": "weak secondary (aggregator, wiki, blog)",
    "D": "derived from sourced figures (method in note)",
    "U": "unsourced estimate (placeholder; basis in note)",
}

H100_FP8_DENSE_TFLOPS = 1979.0
"""Dense 8-bit peak of the H100 SXM [TFLOP/s]: Epoch AI's H100-equivalent unit."""

_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_PARAM = re.compile(r"^[a-z][a-z0-9_]*$")
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")

ACCELERATOR_PARAMETERS: tuple[str, ...] = (
    "launch_year",
    "tdp_w",
    "bf16_dense_tflops",
    "fp8_dense_tflops",
    "hbm_gb",
    "hbm_bw_tbps",
    "hbm_stacks",
    "scale_up_domain",
    "packages_per_cowos_wafer",
    "unit_price_usd",
    "server_capex_usd",
    "network_capex_usd",
    "server_power_kw",
    "it_power_kw",
    "h100e_factor",
    "liquid_cooling_required",
)
POWER_SOURCE_PARAMETERS: tuple[str, ...] = (
    "capex_usd_per_kw",
    "fixed_om_usd_per_kw_year",
    "variable_om_usd_per_mwh",
    "heat_rate_btu_per_kwh",
    "capacity_factor",
    "lead_time_years",
    "co2_g_per_kwh",
    "co2_lifecycle_g_per_kwh",
    "lifetime_years",
    "lcoe_usd_per_mwh",
    "firm_capacity_credit",
    "land_km2_per_gw",
    "water_m3_per_mwh",
    "unit_size_mw",
    "forced_outage_rate",
)
REGION_PARAMETERS: tuple[str, ...] = (
    "electricity_price_usd_per_mwh",
    "grid_co2_g_per_kwh",
    "water_price_usd_per_m3",
    "construction_cost_factor",
    "gas_price_usd_per_mmbtu",
    "solar_capex_factor",
    "wind_capex_factor",
    "grid_co2_change_g_per_kwh_per_year",
)

REQUIRED_ITEMS: dict[str, tuple[str, ...]] = {
    "accelerators": (
        "a100",
        "h100",
        "h200",
        "b200",
        "gb200",
        "b300",
        "gb300",
        "rubin",
        "rubin-ultra",
        "mi300x",
        "mi325x",
        "mi355x",
        "tpu-v5p",
        "tpu-v6e",
        "tpu-v7",
        "trainium2",
        "trainium3",
    ),
    "cooling": ("air", "liquid", "immersion"),
    "facility": ("construction", "land", "grid-connection", "storage", "operations", "finance", "accelerator-prices"),
    "power_sources": (
        "grid",
        "ccgt",
        "ocgt",
        "recip",
        "nuclear-large",
        "nuclear-smr",
        "nuclear-restart",
        "solar-pv",
        "wind-onshore",
        "battery-4h",
        "bridge",
        "natural-gas",
    ),
    "regions": ("us", "us-tx", "us-va", "us-ga", "us-la", "us-ok", "us-nm", "us-wa", "us-tn"),
    "baselines": (
        "world-demand",
        "us-demand",
        "uk-demand",
        "france-demand",
        "germany-demand",
        "japan-demand",
        "gb-peak-demand",
        "uk-installed-capacity",
        "us-datacentres-2023",
        "world-datacentres-2024",
        "world-datacentres-2030",
    ),
    "supply": (
        "cowos-2023",
        "cowos-2024",
        "cowos-2025",
        "cowos-2026",
        "cowos-2027",
        "cowos-yield",
        "bridge-fleet",
        "production-ramp",
        "shipment-correlation",
    ),
    "capability": ("hoffmann-approach1", "hoffmann-approach3", "data", "limits", "inference", "training"),
    "failure_modes": (
        "gpu",
        "hbm",
        "sram",
        "nic",
        "network",
        "host",
        "psu",
        "cooling",
        "software",
        "sdc",
        "repair",
        "job",
        "generation",
        "domain-rack",
        "domain-pdu",
        "domain-cooling-loop",
        "domain-fabric",
        "regime-storage-restart",
        "regime-in-memory",
        "regime-elastic",
    ),
    "sites": (
        "abilene-tx",
        "memphis-tn",
        "new-albany-oh",
        "richland-parish-la",
        "mount-pleasant-wi",
        "northern-virginia",
        "abu-dhabi",
        "lulea-se",
    ),
}
"""Items each kind must contain."""

REQUIRED_PARAMETERS: dict[tuple[str, str], tuple[str, ...]] = {
    ("cooling", "*"): (
        "pue",
        "peak_pue",
        "wue_l_per_kwh",
        "capex_usd_per_mw",
        "pue_min",
        "free_cooling_threshold_c",
        "pue_slope_per_c",
    ),
    ("sites", "*"): SITE_PARAMETERS,
    ("accelerators", "*"): ACCELERATOR_PARAMETERS,
    ("facility", "construction"): (
        "cost_usd_per_mw",
        "share_critical_capacity",
        "share_shell",
        "share_site",
        "share_white_space",
        "share_back_of_house",
        "share_office",
        "lead_time_years",
    ),
    ("facility", "land"): ("cost_usd_per_mw",),
    ("facility", "grid-connection"): ("cost_usd_per_mw", "margin", "lead_time_years"),
    ("facility", "storage"): ("capex_share_of_it",),
    ("facility", "operations"): (
        "idle_power_fraction",
        "it_maintenance_share_per_year",
        "facility_maintenance_share_per_year",
        "staff_fte_per_mw",
        "staff_cost_usd_per_fte",
        "utilisation",
        "mfu",
    ),
    ("facility", "finance"): ("wacc", "it_life_years", "facility_life_years"),
    ("facility", "accelerator-prices"): ("decline_per_year",),
    ("power_sources", "natural-gas"): ("price_usd_per_mmbtu", "co2_kg_per_mmbtu"),
    ("regions", "*"): REGION_PARAMETERS,
    ("supply", "cowos-yield"): ("package_yield",),
    ("supply", "bridge-fleet"): ("gw",),
    ("supply", "production-ramp"): ("first_year_share", "second_year_share"),
    ("supply", "shipment-correlation"): (
        "nvidia",
        "google",
        "amd",
        "amazon",
        "quarters_nvidia",
        "quarters_google",
        "quarters_amd",
        "quarters_amazon",
    ),
    ("power_sources", "grid"): ("minimum_take_fraction",),
}
"""Parameters each item must carry; ``"*"`` = every item of the kind (power sources: see below)."""

BASELINE_METRICS: dict[str, str] = {"energy_twh_per_year": "energy_twh_per_year", "power_gw": "facility_power_gw"}
"""Baseline parameter -> the fleet output it is compared with."""


@dataclass(frozen=True)
class Source:
    """A cited reference (one row of ``sources.csv``)."""

    tag: str
    title: str
    publisher: str
    url: str
    date: str
    accessed: str


@dataclass(frozen=True)
class Parameter:
    """One catalogue value with its range and provenance.

    Attributes
    ----------
    low, mid, high
        Range of the value [``unit``]; equal for a point value.
    grade
        Confidence grade, a key of :data:`GRADES`.
    sources
        Source tags, keys of :attr:`Catalog.sources`.
    """

    kind: str
    id: str
    label: str
    parameter: str
    unit: str
    low: float
    mid: float
    high: float
    grade: str
    sources: tuple[str, ...]
    as_of: str
    note: str

    @property
    def is_range(self) -> bool:
        """True when the value is uncertain (``low < high``) and so is sampled."""
        return self.low < self.high

    def record(self) -> dict[str, Any]:
        """The row as JSON: ``parameter``, ``unit``, ``low``, ``mid``, ``high``, ``grade``, ``sources`` (a list),
        ``as_of``, ``note`` (``catalog show --json``, ``/api/catalog`` and its CSV)."""
        return {
            "parameter": self.parameter,
            "unit": self.unit,
            "low": self.low,
            "mid": self.mid,
            "high": self.high,
            "grade": self.grade,
            "sources": list(self.sources),
            "as_of": self.as_of,
            "note": self.note,
        }


@dataclass(frozen=True)
class Item:
    """A catalogue item (an accelerator, a cooling type, a region, ...) and its parameters."""

    kind: str
    id: str
    label: str
    parameters: Mapping[str, Parameter]

    def __getitem__(self, name: str) -> Parameter:
        try:
            return self.parameters[name]
        except KeyError:
            raise CatalogError(f"catalogue {self.kind}/{self.id} has no parameter {name!r}") from None

    def get(self, name: str) -> Parameter | None:
        """The parameter, or ``None`` when the item does not carry it."""
        return self.parameters.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self.parameters


@dataclass(frozen=True)
class InstalledChip:
    """A chip type of the installed base (one row of ``installed_chips.csv``).

    Attributes
    ----------
    proxy
        The catalogue accelerator a plan counts it as (units of equal H100e).
    tdp_w
        Package TDP [W] as used by the shipment source.
    """

    chip: str
    epoch_name: str
    vendor: str
    proxy: str
    tdp_w: float
    grade: str
    sources: tuple[str, ...]
    as_of: str
    note: str


@dataclass(frozen=True)
class Shipment:
    """Shipments of one chip in one calendar quarter (one row of ``shipments.csv``).

    ``*_low``/``*_mid``/``*_high`` are the source's 5th percentile, median and 95th percentile; prices [USD per
    package] are ``None`` where the source has none for the chip and year.
    """

    chip: str
    vendor: str
    start: str
    end: str
    units: tuple[float, float, float]
    h100e: tuple[float, float, float]
    price_usd: tuple[float, float, float] | None
    sources: tuple[str, ...]
    note: str


@dataclass(frozen=True)
class Defect:
    """A problem found by :meth:`Catalog.check`: where, and what is wrong."""

    file: str
    line: int
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


@dataclass
class Catalog:
    """The loaded catalogue: items by kind and id, sources by tag, and the defects found while loading."""

    root: Path
    items: dict[str, dict[str, Item]] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    site_attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    installed_chips: dict[str, InstalledChip] = field(default_factory=dict)
    shipments: list[Shipment] = field(default_factory=list)
    defects: list[Defect] = field(default_factory=list)

    def ids(self, kind: str) -> list[str]:
        """Item ids of a kind, in file order."""
        return list(self.items.get(self._kind(kind), {}))

    def item(self, kind: str, item_id: str, *, field_name: str | None = None) -> Item:
        """Look up an item; unknown ids raise :class:`InputError` with a close match.

        Parameters
        ----------
        kind
            A catalogue kind (see :data:`KINDS`).
        item_id
            The item id, e.g. ``"gb200"``.
        field_name
            Flag or field named in the error message (default: the kind).
        """
        items = self.items.get(self._kind(kind), {})
        key = item_id.strip().lower()
        if key not in items:
            raise InputError(field_name or kind, item_id, items.keys())
        return items[key]

    def find(self, item_id: str) -> Item:
        """Look up an id in any kind (ids are unique across kinds in practice)."""
        for kind in KINDS:
            if item_id in self.items.get(kind, {}):
                return self.items[kind][item_id]
        every = [i for kind in KINDS for i in self.items.get(kind, {})]
        raise InputError("ID", item_id, every)

    def parameters(self, kind: str | None = None) -> Iterator[Parameter]:
        """Every parameter row, optionally of one kind."""
        for k in (self._kind(kind),) if kind else KINDS:
            for item in self.items.get(k, {}).values():
                yield from item.parameters.values()

    def with_overrides(self, overrides: Mapping[tuple[str, str, str], float]) -> Catalog:
        """A copy in which the given (kind, id, parameter) values are fixed to a point value.

        Used by sweeps to sample catalogue inputs; unknown paths raise :class:`InputError`.
        """
        import dataclasses

        copy = Catalog(
            root=self.root,
            items={k: dict(v) for k, v in self.items.items()},
            sources=self.sources,
            site_attributes=self.site_attributes,
            installed_chips=self.installed_chips,
            shipments=self.shipments,
            defects=list(self.defects),
        )
        for (kind, item_id, name), value in overrides.items():
            item = copy.item(kind, item_id, field_name=f"catalog.{kind}")
            parameter = item.get(name)
            if parameter is None:
                raise InputError(f"catalog.{kind}.{item_id}", name, list(item.parameters))
            fixed = dataclasses.replace(parameter, low=float(value), mid=float(value), high=float(value))
            copy.items[item.kind][item.id] = Item(item.kind, item.id, item.label, {**item.parameters, name: fixed})
        return copy

    def check(self) -> list[Defect]:
        """All defects: those found while loading plus cross-row consistency checks."""
        return self.defects + _consistency_defects(self)

    def _kind(self, kind: str) -> str:
        normalised = kind.strip().lower().replace("-", "_")
        aliases = {
            "accelerator": "accelerators",
            "chips": "accelerators",
            "chip": "accelerators",
            "power": "power_sources",
            "region": "regions",
            "baseline": "baselines",
        }
        normalised = aliases.get(normalised, normalised)
        if normalised not in KINDS:
            raise InputError("KIND", kind, KINDS)
        return normalised


def _parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if value == value and abs(value) != float("inf") else None


def _read_rows(
    path: Path, columns: tuple[str, ...], defects: list[Defect], optional: tuple[str, ...] = ()
) -> list[tuple[int, dict[str, str]]]:
    if not path.is_file():
        defects.append(Defect(path.name, 0, "file is missing"))
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        header = tuple(reader.fieldnames or ())
        if header not in (columns, columns + optional):
            defects.append(Defect(path.name, 1, f"header is {','.join(header)}; expected {','.join(columns)}"))
            return []
        rows = []
        for row in reader:
            if None in row or any(v is None for v in row.values()):
                defects.append(Defect(path.name, reader.line_num, "wrong number of columns"))
                continue
            rows.append((reader.line_num, {k: (v or "").strip() for k, v in row.items()}))
        return rows


def _parse_parameter(kind: str, row: dict[str, str], file: str, line: int, defects: list[Defect]) -> Parameter | None:
    before = len(defects)

    def bad(message: str) -> None:
        defects.append(Defect(file, line, f"{row.get('id')}/{row.get('parameter')}: {message}"))

    if not _ID.match(row["id"]):
        bad(f"id {row['id']!r} must be lowercase letters, digits and '-'")
    if not _PARAM.match(row["parameter"]):
        bad(f"parameter name {row['parameter']!r} must be snake_case")
    if not row["label"]:
        bad("label is empty")
    if not row["unit"]:
        bad("unit is empty")
    values = {c: _parse_float(row[c]) for c in ("low", "mid", "high")}
    for column, value in values.items():
        if value is None:
            bad(f"{column} {row[column]!r} is not a number")
    low, mid, high = values["low"], values["mid"], values["high"]
    if low is not None and mid is not None and high is not None and not (low <= mid <= high):
        bad(f"range must satisfy low <= mid <= high, got {low} / {mid} / {high}")
    if row["grade"] not in GRADES:
        bad(f"grade {row['grade']!r} must be one of {', '.join(GRADES)}")
    tags = tuple(t.strip() for t in row["source"].split(";") if t.strip())
    if not tags:
        bad("source is empty")
    if not _DATE.match(row["as_of"]):
        bad(f"as_of {row['as_of']!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
    if len(defects) > before or low is None or mid is None or high is None:
        return None
    return Parameter(
        kind=kind,
        id=row["id"],
        label=row["label"],
        parameter=row["parameter"],
        unit=row["unit"],
        low=low,
        mid=mid,
        high=high,
        grade=row["grade"],
        sources=tags,
        as_of=row["as_of"],
        note=row["note"],
    )


def read_catalog(root: str | os.PathLike[str] | None = None) -> Catalog:
    """Read a catalogue folder, recording (not raising) every defect found.

    Parameters
    ----------
    root
        Folder holding ``<kind>.csv`` and ``sources.csv``; default: ``$GIGAFLEET_CATALOG`` or the built-in one.
    """
    folder = Path(root or os.environ.get("GIGAFLEET_CATALOG") or DATA_DIR)
    catalog = Catalog(root=folder)
    for line, row in _read_rows(folder / "sources.csv", SOURCE_COLUMNS, catalog.defects):
        if not row["tag"]:
            catalog.defects.append(Defect("sources.csv", line, "tag is empty"))
        elif row["tag"] in catalog.sources:
            catalog.defects.append(Defect("sources.csv", line, f"tag {row['tag']!r} is defined twice"))
        else:
            catalog.sources[row["tag"]] = Source(**row)
    for line, row in _read_rows(
        folder / "site_attributes.csv", SITE_ATTRIBUTE_COLUMNS, catalog.defects, SITE_ATTRIBUTE_OPTIONAL_COLUMNS
    ):
        status = row.get("status", "")
        if status and status not in SITE_STATUSES:
            catalog.defects.append(
                Defect(
                    "site_attributes.csv",
                    line,
                    f"{row['id']}: status {status!r} is not one of {', '.join(SITE_STATUSES)}",
                )
            )
        for tag in (t.strip() for t in row["source"].split(";") if t.strip()):
            if tag not in catalog.sources:
                catalog.defects.append(
                    Defect("site_attributes.csv", line, f"{row['id']}: source tag {tag!r} is not in sources.csv")
                )
        catalog.site_attributes[row["id"]] = row
    _read_installed(folder, catalog)
    for kind in KINDS:
        file = f"{kind}.csv"
        params: dict[str, dict[str, Parameter]] = {}
        labels: dict[str, str] = {}
        for line, row in _read_rows(folder / file, COLUMNS, catalog.defects):
            parameter = _parse_parameter(kind, row, file, line, catalog.defects)
            if parameter is None:
                continue
            for tag in parameter.sources:
                if tag not in catalog.sources:
                    catalog.defects.append(
                        Defect(
                            file,
                            line,
                            f"{parameter.id}/{parameter.parameter}: source tag {tag!r} is not in sources.csv",
                        )
                    )
            if parameter.parameter in params.setdefault(parameter.id, {}):
                catalog.defects.append(Defect(file, line, f"{parameter.id}/{parameter.parameter} is defined twice"))
                continue
            if labels.setdefault(parameter.id, parameter.label) != parameter.label:
                catalog.defects.append(Defect(file, line, f"{parameter.id}: label differs from its first row"))
            params[parameter.id][parameter.parameter] = parameter
        catalog.items[kind] = {i: Item(kind, i, labels[i], p) for i, p in params.items()}
    return catalog


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _tags(text: str, file: str, line: int, what: str, catalog: Catalog) -> tuple[str, ...]:
    tags = tuple(t.strip() for t in text.split(";") if t.strip())
    if not tags:
        catalog.defects.append(Defect(file, line, f"{what}: source is empty"))
    for tag in tags:
        if tag not in catalog.sources:
            catalog.defects.append(Defect(file, line, f"{what}: source tag {tag!r} is not in sources.csv"))
    return tags


def _read_installed(folder: Path, catalog: Catalog) -> None:
    """Read ``installed_chips.csv`` and ``shipments.csv`` (the installed base) into ``catalog``."""
    file = "installed_chips.csv"
    for line, row in _read_rows(folder / file, INSTALLED_CHIP_COLUMNS, catalog.defects):
        what = row["chip"] or "(empty chip)"
        tdp = _parse_float(row["tdp_w"])
        problems = []
        if not _ID.match(row["chip"]):
            problems.append(f"chip {row['chip']!r} must be lowercase letters, digits and '-'")
        if row["chip"] in catalog.installed_chips:
            problems.append("is defined twice")
        if tdp is None or not 0 < tdp <= 10000:
            problems.append(f"tdp_w {row['tdp_w']!r} must be a number in (0, 10000]")
        if row["grade"] not in GRADES:
            problems.append(f"grade {row['grade']!r} must be one of {', '.join(GRADES)}")
        if not _DATE.match(row["as_of"]):
            problems.append(f"as_of {row['as_of']!r} must be YYYY, YYYY-MM or YYYY-MM-DD")
        tags = _tags(row["source"], file, line, what, catalog)
        for problem in problems:
            catalog.defects.append(Defect(file, line, f"{what}: {problem}"))
        if not problems and tdp is not None:
            catalog.installed_chips[row["chip"]] = InstalledChip(
                chip=row["chip"],
                epoch_name=row["epoch_name"],
                vendor=row["vendor"],
                proxy=row["proxy"],
                tdp_w=tdp,
                grade=row["grade"],
                sources=tags,
                as_of=row["as_of"],
                note=row["note"],
            )
    file = "shipments.csv"
    for line, row in _read_rows(folder / file, SHIPMENT_COLUMNS, catalog.defects):
        what = f"{row['chip']} {row['start']}"
        problems = []
        chip = catalog.installed_chips.get(row["chip"])
        if chip is None:
            problems.append(f"chip {row['chip']!r} is not in installed_chips.csv")
        elif chip.vendor != row["vendor"]:
            problems.append(f"vendor {row['vendor']!r} differs from installed_chips.csv ({chip.vendor})")
        if not (_ISO_DATE.match(row["start"]) and _ISO_DATE.match(row["end"]) and row["start"] <= row["end"]):
            problems.append(f"start/end {row['start']!r}/{row['end']!r} must be YYYY-MM-DD, start <= end")
        triples: dict[str, tuple[float, float, float] | None] = {}
        for name in ("units", "h100e", "price"):
            columns = [f"{name}_{c}" if name != "price" else f"price_{c}_usd" for c in ("low", "mid", "high")]
            texts = [row[c] for c in columns]
            if name == "price" and not any(texts):
                triples[name] = None
                continue
            values = [_parse_float(t) for t in texts]
            if any(v is None or v < 0 for v in values):
                problems.append(f"{name} {'/'.join(texts)} must be non-negative numbers")
                triples[name] = None
            elif not values[0] <= values[1] <= values[2]:  # type: ignore[operator]
                problems.append(f"{name} must satisfy low <= mid <= high, got {'/'.join(texts)}")
                triples[name] = None
            else:
                triples[name] = (float(values[0]), float(values[1]), float(values[2]))  # type: ignore[arg-type]
        tags = _tags(row["source"], file, line, what, catalog)
        for problem in problems:
            catalog.defects.append(Defect(file, line, f"{what}: {problem}"))
        units, h100e = triples.get("units"), triples.get("h100e")
        if not problems and units is not None and h100e is not None:
            catalog.shipments.append(
                Shipment(
                    chip=row["chip"],
                    vendor=row["vendor"],
                    start=row["start"],
                    end=row["end"],
                    units=units,
                    h100e=h100e,
                    price_usd=triples.get("price"),
                    sources=tags,
                    note=row["note"],
                )
            )


def _consistency_defects(catalog: Catalog) -> list[Defect]:
    """Cross-row checks: required items and parameters, physical orderings, derived values."""
    out: list[Defect] = []
    for kind, required in REQUIRED_ITEMS.items():
        present = catalog.items.get(kind, {})
        for item_id in required:
            if item_id not in present:
                out.append(Defect(f"{kind}.csv", 0, f"required item {item_id!r} is missing"))
    for (kind, item_id), names in REQUIRED_PARAMETERS.items():
        targets = catalog.items.get(kind, {})
        for target_id, item in targets.items():
            if item_id not in ("*", target_id):
                continue
            for name in names:
                if name not in item:
                    out.append(Defect(f"{kind}.csv", 0, f"{target_id}: required parameter {name!r} is missing"))
    for target_id, item in catalog.items.get("power_sources", {}).items():
        if target_id == "natural-gas":
            continue
        for name in POWER_SOURCE_PARAMETERS:
            if name not in item:
                out.append(Defect("power_sources.csv", 0, f"{target_id}: required parameter {name!r} is missing"))

    def ordered(file: str, item: Item, small: str, large: str) -> None:
        a, b = item.get(small), item.get(large)
        if a is not None and b is not None and (a.low > b.low or a.mid > b.mid or a.high > b.high):
            out.append(Defect(file, 0, f"{item.id}: {small} must not exceed {large} (low/mid/high)"))

    for item in catalog.items.get("accelerators", {}).values():
        ordered("accelerators.csv", item, "server_power_kw", "it_power_kw")
        tdp, server = item.get("tdp_w"), item.get("server_power_kw")
        if tdp is not None and server is not None and tdp.mid / 1000 > server.mid:
            out.append(Defect("accelerators.csv", 0, f"{item.id}: server_power_kw is below the chip TDP"))
        fp8, factor = item.get("fp8_dense_tflops"), item.get("h100e_factor")
        if fp8 is not None and factor is not None:
            expected = fp8.mid / H100_FP8_DENSE_TFLOPS
            if abs(factor.mid - expected) > 0.02 * expected:
                out.append(
                    Defect(
                        "accelerators.csv",
                        0,
                        f"{item.id}: h100e_factor {factor.mid:g} differs from "
                        f"fp8_dense_tflops / {H100_FP8_DENSE_TFLOPS:g} = "
                        f"{expected:.3f}",
                    )
                )
        liquid = item.get("liquid_cooling_required")
        if liquid is not None and liquid.mid not in (0.0, 1.0):
            out.append(Defect("accelerators.csv", 0, f"{item.id}: liquid_cooling_required must be 0 or 1"))
    accelerators = catalog.items.get("accelerators", {})
    for chip in catalog.installed_chips.values():
        if chip.proxy not in accelerators:
            out.append(
                Defect("installed_chips.csv", 0, f"{chip.chip}: proxy {chip.proxy!r} is not in accelerators.csv")
            )
    for item in catalog.items.get("cooling", {}).values():
        ordered("cooling.csv", item, "pue", "peak_pue")
        pue = item.get("pue")
        if pue is not None and pue.low < 1.0:
            out.append(Defect("cooling.csv", 0, f"{item.id}: pue below 1 is impossible"))
    regions = catalog.items.get("regions", {})
    for site_id in catalog.items.get("sites", {}):
        attributes = catalog.site_attributes.get(site_id)
        if attributes is None:
            out.append(Defect("site_attributes.csv", 0, f"{site_id}: no attribute row (region, campus)"))
        elif attributes["region"] not in regions:
            out.append(
                Defect("site_attributes.csv", 0, f"{site_id}: region {attributes['region']!r} is not in regions.csv")
            )
    for site_id, item in catalog.items.get("sites", {}).items():
        lat, lon = item.get("latitude_deg"), item.get("longitude_deg")
        if lat is not None and not -90 <= lat.mid <= 90:
            out.append(Defect("sites.csv", 0, f"{site_id}: latitude {lat.mid} outside -90..90"))
        if lon is not None and not -180 <= lon.mid <= 180:
            out.append(Defect("sites.csv", 0, f"{site_id}: longitude {lon.mid} outside -180..180"))
    construction = catalog.items.get("facility", {}).get("construction")
    if construction is not None:
        shares = [p.mid for name, p in construction.parameters.items() if name.startswith("share_")]
        if shares and abs(sum(shares) - 1.0) > 0.01:
            out.append(Defect("facility.csv", 0, f"construction: cost shares sum to {sum(shares):.3f}, not 1"))
    for item in catalog.items.get("baselines", {}).values():
        if not any(metric in item for metric in BASELINE_METRICS):
            out.append(Defect("baselines.csv", 0, f"{item.id}: needs one of {', '.join(BASELINE_METRICS)}"))
        for parameter in item.parameters.values():
            if not parameter.note:
                out.append(Defect("baselines.csv", 0, f"{item.id}: note (the definition) is empty"))
    for parameter in catalog.parameters():
        if parameter.grade == "U" and "EST" not in parameter.sources:
            out.append(
                Defect(f"{parameter.kind}.csv", 0, f"{parameter.id}/{parameter.parameter}: grade U rows must cite EST")
            )
    return out


@functools.lru_cache(maxsize=4)
def _load_cached(root: str) -> Catalog:
    catalog = read_catalog(root)
    defects = catalog.check()
    if defects:
        shown = "; ".join(str(d) for d in defects[:3])
        more = f" (and {len(defects) - 3} more)" if len(defects) > 3 else ""
        raise CatalogError(
            f"catalogue {root} has {len(defects)} defect(s): {shown}{more}; run `gigafleet catalog check`"
        )
    return catalog


def load_catalog(root: str | os.PathLike[str] | None = None) -> Catalog:
    """Load and validate the catalogue; raise :class:`CatalogError` on any defect.

    Parameters
    ----------
    root
        Catalogue folder; default ``$GIGAFLEET_CATALOG`` or the built-in ``gigafleet/data``.
    """
    folder = Path(root or os.environ.get("GIGAFLEET_CATALOG") or DATA_DIR).resolve()
    return _load_cached(str(folder))
