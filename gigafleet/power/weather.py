"""Hourly weather for a site without network access: temperature, solar and wind capacity factors.

Everything is derived from shipped catalogue rows (``sites.csv``) and a seeded stochastic model:

* **Temperature** [°C]: monthly climate normals interpolated day by day, plus a diurnal cosine (minimum near
  05:00, maximum near 15:00 local solar time) with the site's mean daily range, plus a day-to-day AR(1) anomaly
  (φ = 0.7, σ = 2.5 °C).
* **Solar** [fraction of AC nameplate]: pvlib clear-sky irradiance (Ineichen, bundled Linke turbidity) at the
  site's coordinates, dimmed by a daily transmittance drawn from a Beta distribution with day-to-day persistence
  and scaled so annual GHI equals the shipped ``ghi_kwh_m2_year``; decomposed with Erbs, transposed to a fixed,
  equator-facing array tilted at the latitude, cell temperature by Faiman, PVWatts DC model (γ = −0.35 %/°C),
  DC/AC ratio 1.3 with clipping, then scaled so the annual capacity factor equals the shipped ``solar_cf``.
* **Wind** [fraction of nameplate]: an hourly AR(1) Gaussian process (φ = 0.985: multi-day lulls) mapped through
  a Beta distribution whose mean follows a seasonal cosine fixed by the shipped annual ``wind_cf`` and
  ``wind_winter_summer_ratio``.

Same site and seed, same weather. The reference year is 2023 (8,760 h, UTC).

References
----------
.. [1] P. Ineichen, R. Perez, "A new airmass independent formulation for the Linke turbidity coefficient",
   Solar Energy 73(3), 2002 (pvlib ``ineichen``).
.. [2] D. G. Erbs, S. A. Klein, J. A. Duffie, "Estimation of the diffuse radiation fraction for hourly, daily and
   monthly-average global radiation", Solar Energy 28(4), 1982.
.. [3] A. P. Dobos, "PVWatts Version 5 Manual", NREL/TP-6A20-62641, 2014.
.. [4] D. Faiman, "Assessing the outdoor operating temperature of photovoltaic modules", Progress in
   Photovoltaics 16(4), 2008.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError

REFERENCE_YEAR = 2023
HOURS = 8760
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class SiteClimate:
    """Climate and resource parameters of one site (catalogue mid values)."""

    id: str
    label: str
    latitude_deg: float
    longitude_deg: float
    elevation_m: float
    utc_offset_h: float
    temp_mean_c: tuple[float, ...]  # 12 monthly means
    temp_daily_range_c: float
    ghi_kwh_m2_year: float
    solar_cf: float
    wind_cf: float
    wind_winter_summer_ratio: float
    grid_import_gw: float
    region: str
    campus: str


def site_climate(catalog: Catalog, site_id: str, field: str = "--site") -> SiteClimate:
    """Read a site's climate from the catalogue; unknown ids raise :class:`InputError` with a close match."""
    item = catalog.item("sites", site_id, field_name=field)
    attributes = catalog.site_attributes.get(item.id, {})

    def mid(name: str) -> float:
        return item[name].mid

    latitude, longitude = mid("latitude_deg"), mid("longitude_deg")
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        raise InputError(field, site_id, "a site with latitude in -90..90 and longitude in -180..180")
    return SiteClimate(
        id=item.id,
        label=item.label,
        latitude_deg=latitude,
        longitude_deg=longitude,
        elevation_m=mid("elevation_m"),
        utc_offset_h=mid("utc_offset_h"),
        temp_mean_c=tuple(mid(f"temp_mean_c_{m:02d}") for m in range(1, 13)),
        temp_daily_range_c=mid("temp_daily_range_c"),
        ghi_kwh_m2_year=mid("ghi_kwh_m2_year"),
        solar_cf=mid("solar_cf"),
        wind_cf=mid("wind_cf"),
        wind_winter_summer_ratio=mid("wind_winter_summer_ratio"),
        grid_import_gw=mid("grid_import_gw"),
        region=attributes.get("region", "us"),
        campus=attributes.get("campus", ""),
    )


def hourly_index() -> pd.DatetimeIndex:
    """The 8,760 hours of the reference year, UTC."""
    return pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=HOURS, freq="h", tz="UTC")


def _daily_climatology(monthly: tuple[float, ...], days: np.ndarray) -> np.ndarray:
    """Periodic linear interpolation of 12 monthly means (centred mid-month) to days of year (1-based)."""
    centres = np.array([15.5 + 30.42 * m for m in range(12)])
    x = np.concatenate([centres - 365.0, centres, centres + 365.0])
    y = np.tile(np.asarray(monthly, dtype=float), 3)
    return np.asarray(np.interp(days, x, y), dtype=float)


def _ar1(n: int, phi: float, rng: np.random.Generator) -> np.ndarray:
    """Stationary AR(1) series with unit variance."""
    shocks = rng.standard_normal(n) * np.sqrt(1 - phi**2)
    out = np.empty(n)
    out[0] = rng.standard_normal()
    for i in range(1, n):
        out[i] = phi * out[i - 1] + shocks[i]
    return out


def temperature_c(site: SiteClimate, times: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Hourly air temperature [°C] (see module docstring)."""
    local = times + pd.Timedelta(hours=site.utc_offset_h)
    days = np.asarray(local.dayofyear, dtype=float)
    hours = np.asarray(local.hour, dtype=float)
    base = _daily_climatology(site.temp_mean_c, days + hours / 24.0)
    diurnal = 0.5 * site.temp_daily_range_c * np.cos(2 * np.pi * (hours - 15.0) / 24.0)
    anomaly_daily = 2.5 * _ar1(367, 0.7, rng)
    anomaly = anomaly_daily[np.asarray(local.dayofyear) - 1]
    return np.asarray(base + diurnal + anomaly, dtype=float)


def _beta_from_mean(mean: np.ndarray, concentration: float) -> tuple[np.ndarray, np.ndarray]:
    m = np.clip(mean, 0.02, 0.98)
    return m * concentration, (1 - m) * concentration


def clear_sky(
    latitude_deg: float, longitude_deg: float, elevation_m: float, times: pd.DatetimeIndex
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Clear-sky GHI [W/m2], apparent solar zenith and azimuth [deg] at a place and times (pvlib Ineichen with
    the bundled Linke turbidity; NREL SPA solar position). Read-only arrays.

    They do not depend on the weather seed: for the reference year (:func:`hourly_index`) they are computed once
    per place and process (:func:`_reference_clear_sky`), so replications of a design reuse them."""
    if len(times) == HOURS and times.equals(hourly_index()):
        return _reference_clear_sky(latitude_deg, longitude_deg, elevation_m)
    return _clear_sky(latitude_deg, longitude_deg, elevation_m, times)


@functools.lru_cache(maxsize=64)
def _reference_clear_sky(
    latitude_deg: float, longitude_deg: float, elevation_m: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`clear_sky` over the reference year, cached per place."""
    return _clear_sky(latitude_deg, longitude_deg, elevation_m, hourly_index())


def _clear_sky(
    latitude_deg: float, longitude_deg: float, elevation_m: float, times: pd.DatetimeIndex
) -> tuple[FloatArray, FloatArray, FloatArray]:
    import pvlib

    location = pvlib.location.Location(latitude_deg, longitude_deg, tz="UTC", altitude=elevation_m)
    solpos = location.get_solarposition(times)
    clear = location.get_clearsky(times, model="ineichen", solar_position=solpos)
    arrays = (
        np.asarray(clear["ghi"], dtype=float),
        np.asarray(solpos["apparent_zenith"], dtype=float),
        np.asarray(solpos["azimuth"], dtype=float),
    )
    for array in arrays:
        array.flags.writeable = False
    return arrays


def solar_capacity_factor(
    site: SiteClimate, times: pd.DatetimeIndex, temp_c: np.ndarray, rng: np.random.Generator
) -> np.ndarray:
    """Hourly AC capacity factor of a fixed-tilt PV plant [fraction] (see module docstring); ``times`` are the
    reference year's hours (:func:`hourly_index`)."""
    import pvlib
    from scipy import special

    clear_ghi, zenith, azimuth_deg = clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m, times)
    clear_year = clear_ghi.sum() / 1000.0  # kWh/m2
    mean_transmittance = float(np.clip(site.ghi_kwh_m2_year / clear_year, 0.2, 0.97))
    a, b = _beta_from_mean(np.array([mean_transmittance]), 6.0)
    u = special.ndtr(_ar1(366, 0.5, rng))  # persistent daily cloudiness (normal CDF)
    daily = special.betaincinv(a[0], b[0], u)  # Beta quantile (scipy.stats.beta.ppf)
    day_index = np.asarray(times.dayofyear) - 1
    ghi = clear_ghi * daily[day_index]
    ghi *= site.ghi_kwh_m2_year / max(ghi.sum() / 1000.0, 1e-9)  # exact annual GHI
    erbs = pvlib.irradiance.erbs(ghi, zenith, times)
    tilt = abs(site.latitude_deg)
    azimuth = 180.0 if site.latitude_deg >= 0 else 0.0
    poa = pvlib.irradiance.get_total_irradiance(
        surface_tilt=tilt,
        surface_azimuth=azimuth,
        solar_zenith=zenith,
        solar_azimuth=azimuth_deg,
        dni=np.asarray(erbs["dni"], dtype=float),
        ghi=ghi,
        dhi=np.asarray(erbs["dhi"], dtype=float),
    )["poa_global"]
    poa = np.nan_to_num(np.asarray(poa, dtype=float), nan=0.0).clip(min=0.0)
    cell = pvlib.temperature.faiman(poa, temp_c, wind_speed=2.0)
    dc = pvlib.pvsystem.pvwatts_dc(poa, cell, pdc0=1.0, gamma_pdc=-0.0035)
    dc = np.nan_to_num(np.asarray(dc, dtype=float), nan=0.0).clip(min=0.0)
    dc_ac_ratio, losses = 1.3, 0.14
    ac = np.minimum(dc * dc_ac_ratio * (1 - losses), 1.0)
    for _ in range(20):  # calibrate the annual capacity factor to the shipped value (clipping is non-linear)
        mean = ac.mean()
        if mean <= 0 or abs(mean - site.solar_cf) < 1e-5:
            break
        ac = np.minimum(ac * site.solar_cf / mean, 1.0)
    return np.asarray(ac, dtype=float)


def wind_capacity_factor(site: SiteClimate, times: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Hourly capacity factor of onshore wind [fraction] (see module docstring)."""
    from scipy import special

    ratio = max(site.wind_winter_summer_ratio, 1e-3)
    amplitude = (ratio - 1) / (ratio + 1)
    days = np.asarray(times.dayofyear, dtype=float)
    winter_peak_day = 15.0 if site.latitude_deg >= 0 else 196.0
    seasonal = site.wind_cf * (1 + amplitude * np.cos(2 * np.pi * (days - winter_peak_day) / 365.0))
    a, b = _beta_from_mean(seasonal, 2.5)
    u = special.ndtr(_ar1(len(times), 0.985, rng))  # normal CDF
    cf = special.betaincinv(a, b, u)  # Beta quantile (scipy.stats.beta.ppf)
    cf *= site.wind_cf / max(cf.mean(), 1e-9)
    return np.asarray(np.clip(cf, 0.0, 1.0), dtype=float)


def site_weather(catalog: Catalog, site_id: str, seed: int = 0) -> pd.DataFrame:
    """Hourly ``temp_c`` [°C], ``solar_cf`` and ``wind_cf`` [fraction] for the reference year, seeded.

    Examples
    --------
    >>> from gigafleet.catalog import load_catalog
    >>> w = site_weather(load_catalog(), "abilene-tx")
    >>> len(w), round(float(w["solar_cf"].mean()), 3) == round(site_climate(load_catalog(), "abilene-tx").solar_cf, 3)
    (8760, True)
    """
    site = site_climate(catalog, site_id)
    times = hourly_index()
    rng = np.random.default_rng(seed)
    temp = temperature_c(site, times, rng)
    solar = solar_capacity_factor(site, times, temp, rng)
    wind = wind_capacity_factor(site, times, rng)
    return pd.DataFrame({"temp_c": temp, "solar_cf": solar, "wind_cf": wind}, index=times)
