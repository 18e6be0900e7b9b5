"""Failure and repair model of a fleet, from the catalogue (``failure_modes.csv``).

Each failure mode m has a hazard in the device's operating age t: Weibull with shape k_m and a scale set so the
hazard equals the catalogue rate × the chip's generation factor at the reference age (minimal repair: repairs
do not reset age). A failure is repaired in one of three ways, drawn with the mode's shares: automatic reset,
manual repair by a technician, or a swap from the spare pool with the faulty part returned to the vendor.
Shared domains (scale-up rack, PDU, cooling loop, fabric partition) fail as common shocks that take every device
in the domain down together.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from gigafleet.catalog import Catalog

MODES: tuple[str, ...] = ("gpu", "hbm", "sram", "nic", "network", "host", "psu", "cooling", "software", "sdc")
DOMAINS: tuple[str, ...] = ("domain-rack", "domain-pdu", "domain-cooling-loop", "domain-fabric")
REPAIR_CLASSES: tuple[str, ...] = ("auto", "manual", "swap")
HOURS_PER_DAY = 24.0


@dataclass(frozen=True)
class FailureModel:
    """Per-mode hazards and repair parameters for one accelerator type (catalogue mid values).

    Attributes
    ----------
    rate_per_hour
        Hazard of each mode at the reference age [1/h per device].
    shape
        Weibull shape of each mode [1].
    repair_shares
        (mode, class) shares of auto reset, manual repair and spare swap [fraction].
    down_hours
        Time a device stays down per repair class [h] (swap: until the spare is in).
    """

    chip: str
    modes: tuple[str, ...]
    rate_per_hour: np.ndarray
    shape: np.ndarray
    reference_age_hours: float
    repair_shares: np.ndarray
    down_hours: np.ndarray
    vendor_return_hours: float
    misdiagnosis_rate: float
    tech_hours_per_repair: float
    technicians_per_10k: float
    domain_size: dict[str, int]
    domain_rate_per_hour: dict[str, float]
    domain_outage_hours: dict[str, float]
    checkpoint_write_hours: float
    restart_hours: float

    @property
    def total_rate_per_hour(self) -> float:
        """Sum of mode hazards at the reference age [1/h per device]."""
        return float(self.rate_per_hour.sum())

    def scale_hours(self) -> np.ndarray:
        """Weibull scale η of each mode [h] so that h(reference age) = rate: η^k = k · t_ref^(k−1) / rate."""
        k = self.shape
        return np.asarray((k * self.reference_age_hours ** (k - 1) / self.rate_per_hour) ** (1 / k), dtype=float)


def failure_model(catalog: Catalog, chip: str, *, rate_factor: float = 1.0) -> FailureModel:
    """Build the failure model of an accelerator type from the catalogue.

    Parameters
    ----------
    catalog
        Loaded catalogue.
    chip
        Accelerator id; its generation factor scales every hardware mode (software is per job, not per chip).
    rate_factor
        Extra multiplier on all rates (sensitivity studies).
    """
    accelerator = catalog.item("accelerators", chip, field_name="--chip")
    generation = catalog.item("failure_modes", "generation")[f"factor_{accelerator.id.replace('-', '_')}"].mid
    rates, shapes, shares = [], [], []
    for mode in MODES:
        item = catalog.item("failure_modes", mode)
        factor = 1.0 if mode == "software" else generation
        rates.append(item["rate_per_1000_gpu_days"].mid / 1000.0 / HOURS_PER_DAY * factor * rate_factor)
        shapes.append(item["weibull_shape"].mid)
        split = np.array(
            [item["auto_reset_share"].mid, item["manual_repair_share"].mid, item["vendor_return_share"].mid]
        )
        shares.append(split / split.sum())
    repair = catalog.item("failure_modes", "repair")
    job = catalog.item("failure_modes", "job")
    scale_up = int(accelerator["scale_up_domain"].mid)
    sizes, domain_rates, outages = {}, {}, {}
    for domain in DOMAINS:
        item = catalog.item("failure_modes", domain)
        size = int(item["domain_size"].mid) or scale_up
        sizes[domain] = max(size, 1)
        domain_rates[domain] = item["rate_per_domain_year"].mid / 8766.0 * rate_factor
        outages[domain] = item["outage_hours"].mid
    return FailureModel(
        chip=accelerator.id,
        modes=MODES,
        rate_per_hour=np.array(rates),
        shape=np.array(shapes),
        reference_age_hours=repair["reference_age_days"].mid * HOURS_PER_DAY,
        repair_shares=np.array(shares),
        down_hours=np.array(
            [repair["auto_reset_hours"].mid, repair["manual_repair_hours"].mid, repair["spare_swap_hours"].mid]
        ),
        vendor_return_hours=repair["vendor_return_days"].mid * HOURS_PER_DAY,
        misdiagnosis_rate=repair["misdiagnosis_rate"].mid,
        tech_hours_per_repair=repair["tech_hours_per_repair"].mid,
        technicians_per_10k=repair["technicians_per_10k_accelerators"].mid,
        domain_size=sizes,
        domain_rate_per_hour=domain_rates,
        domain_outage_hours=outages,
        checkpoint_write_hours=job["checkpoint_write_minutes"].mid / 60.0,
        restart_hours=job["restart_minutes"].mid / 60.0,
    )


def exponential(model: FailureModel) -> FailureModel:
    """The same model with every hazard constant (shape 1) at its reference-age rate (for closed-form checks)."""
    return FailureModel(**{**model.__dict__, "shape": np.ones_like(model.shape)})


def without_domains(model: FailureModel) -> FailureModel:
    """The same model without correlated domain shocks."""
    return FailureModel(**{**model.__dict__, "domain_rate_per_hour": dict.fromkeys(model.domain_rate_per_hour, 0.0)})
