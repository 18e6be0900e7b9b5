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
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from gigafleet.catalog import Catalog
from gigafleet.errors import InputError

REFERENCE_YEAR = 2023
HOURS = 8760
FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

if TYPE_CHECKING:
    import pandas as pd


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
    """The 8,760 hours of the reference year, UTC (pandas; the model itself uses :func:`reference_calendar`)."""
    import pandas as pd

    return pd.date_range(f"{REFERENCE_YEAR}-01-01", periods=HOURS, freq="h", tz="UTC")


def reference_calendar(utc_offset_h: float = 0.0) -> tuple[IntArray, IntArray]:
    """Day of year (1-based) and hour (0-23) of the reference year's 8,760 UTC hours at a clock ``utc_offset_h``
    hours ahead of UTC: what ``(hourly_index() + Timedelta(hours=utc_offset_h))`` gives as ``dayofyear`` and
    ``hour`` (hours before 2023 fall on 31 December 2022, day 365; after it, on 1 January 2024, day 1), without
    pandas."""
    clock = np.arange(HOURS, dtype=float) + utc_offset_h
    day = np.floor(clock / 24.0)
    hour = np.floor(clock - 24.0 * day).astype(np.int64)
    return (day.astype(np.int64) % 365 + 1), hour


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


def temperature_c(site: SiteClimate, rng: np.random.Generator) -> np.ndarray:
    """Hourly air temperature [°C] over the reference year (see module docstring)."""
    local_day, local_hour = reference_calendar(site.utc_offset_h)
    days = local_day.astype(float)
    hours = local_hour.astype(float)
    base = _daily_climatology(site.temp_mean_c, days + hours / 24.0)
    diurnal = 0.5 * site.temp_daily_range_c * np.cos(2 * np.pi * (hours - 15.0) / 24.0)
    anomaly_daily = 2.5 * _ar1(367, 0.7, rng)
    anomaly = anomaly_daily[local_day - 1]
    return np.asarray(base + diurnal + anomaly, dtype=float)


def _beta_from_mean(mean: np.ndarray, concentration: float) -> tuple[np.ndarray, np.ndarray]:
    m = np.clip(mean, 0.02, 0.98)
    return m * concentration, (1 - m) * concentration


CLEAR_SKY_CACHE_VERSION = 1
"""Bump when :func:`_clear_sky` changes: files of another version are not read."""


def clear_sky(
    latitude_deg: float, longitude_deg: float, elevation_m: float, times: pd.DatetimeIndex | None = None
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Clear-sky GHI [W/m2], apparent solar zenith and azimuth [deg] at a place and times (pvlib Ineichen with
    the bundled Linke turbidity; NREL SPA solar position; ``None``: the reference year). Read-only arrays.

    They do not depend on the weather seed: for the reference year they are computed once per place and process
    and kept on disk (:func:`clear_sky_cache_dir`), so replications and later commands reuse them without
    importing pvlib."""
    if times is None or (len(times) == HOURS and times.equals(hourly_index())):
        return _reference_clear_sky(latitude_deg, longitude_deg, elevation_m)
    return _clear_sky(latitude_deg, longitude_deg, elevation_m, times)


def clear_sky_cache_dir() -> Path:
    """Folder of the clear-sky files: ``$GIGAFLEET_CACHE_DIR/clear-sky``, else ``$XDG_CACHE_HOME/gigafleet/
    clear-sky``, else ``~/.cache/gigafleet/clear-sky``."""
    root = os.environ.get("GIGAFLEET_CACHE_DIR")
    if root:
        return Path(root) / "clear-sky"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "gigafleet" / "clear-sky"


def _cache_file(latitude_deg: float, longitude_deg: float, elevation_m: float) -> Path:
    from importlib.metadata import version

    key = f"{CLEAR_SKY_CACHE_VERSION}|{REFERENCE_YEAR}|{latitude_deg!r}|{longitude_deg!r}|{elevation_m!r}"
    key += f"|pvlib {version('pvlib')}"
    return clear_sky_cache_dir() / f"{hashlib.sha256(key.encode()).hexdigest()[:24]}.npy"


@functools.lru_cache(maxsize=64)
def _reference_clear_sky(
    latitude_deg: float, longitude_deg: float, elevation_m: float
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """:func:`clear_sky` over the reference year, cached per place in the process and on disk (a file that cannot
    be read or written is recomputed or skipped, never an error)."""
    try:
        path: Path | None = _cache_file(latitude_deg, longitude_deg, elevation_m)
    except Exception:  # pvlib's version unknown: no disk cache
        path = None
    if path is not None:
        try:
            stored = np.load(path, allow_pickle=False)
            if stored.shape == (3, HOURS) and stored.dtype == np.float64:
                arrays = (stored[0], stored[1], stored[2])
                for array in arrays:
                    array.flags.writeable = False
                return arrays
        except (OSError, ValueError):
            pass
    arrays = _clear_sky(latitude_deg, longitude_deg, elevation_m, hourly_index())
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_suffix(f".{os.getpid()}.part")
            with partial.open("wb") as handle:
                np.save(handle, np.stack(arrays), allow_pickle=False)
            os.replace(partial, path)
        except OSError:
            pass
    return arrays


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


def _cosd(angle: npt.ArrayLike) -> FloatArray:
    return np.asarray(np.cos(np.radians(angle)), dtype=float)


def _sind(angle: npt.ArrayLike) -> FloatArray:
    return np.asarray(np.sin(np.radians(angle)), dtype=float)


def erbs(ghi: FloatArray, zenith_deg: FloatArray, day_of_year: IntArray) -> tuple[FloatArray, FloatArray]:
    """DNI and DHI [W/m2] from GHI by the Erbs diffuse fraction [2]_ (pvlib ``irradiance.erbs`` with its defaults,
    operation for operation: Spencer extraterrestrial radiation, cos zenith floored at 0.065, clearness index
    capped at 1, no beam beyond 87°)."""
    angle = (2.0 * np.pi / 365.0) * (day_of_year - 1)
    extra = 1366.1 * (
        1.00011
        + 0.034221 * np.cos(angle)
        + 0.00128 * np.sin(angle)
        + 0.000719 * np.cos(2 * angle)
        + 7.7e-05 * np.sin(2 * angle)
    )
    cos_zenith = _cosd(zenith_deg)
    kt = np.minimum(np.maximum(ghi / (extra * np.maximum(cos_zenith, 0.065)), 0), 1)
    df = 1 - 0.09 * kt
    df = np.where((kt > 0.22) & (kt <= 0.8), 0.9511 - 0.1604 * kt + 4.388 * kt**2 - 16.638 * kt**3 + 12.336 * kt**4, df)
    df = np.where(kt > 0.8, 0.165, df)
    dhi = df * ghi
    dni = (ghi - dhi) / cos_zenith
    bad = (zenith_deg > 87) | (ghi < 0) | (dni < 0)
    return np.where(bad, 0, dni), np.where(bad, ghi, dhi)


def plane_of_array(
    tilt_deg: float,
    azimuth_deg: float,
    zenith_deg: FloatArray,
    sun_azimuth_deg: FloatArray,
    dni: FloatArray,
    ghi: FloatArray,
    dhi: FloatArray,
    albedo: float = 0.25,
) -> FloatArray:
    """Global irradiance on a fixed plane [W/m2]: beam by the angle of incidence, isotropic sky diffuse and
    ground reflection (pvlib ``irradiance.get_total_irradiance``, isotropic model, operation for operation)."""
    sky = dhi * (1 + _cosd(tilt_deg)) * 0.5
    ground = ghi * albedo * (1 - np.cos(np.radians(tilt_deg))) * 0.5
    projection = _cosd(tilt_deg) * _cosd(zenith_deg) + _sind(tilt_deg) * _sind(zenith_deg) * _cosd(
        sun_azimuth_deg - azimuth_deg
    )
    incidence = np.rad2deg(np.arccos(np.clip(projection, -1, 1)))
    direct = np.maximum(dni * np.cos(np.radians(incidence)), 0)
    return np.asarray(direct + (sky + ground), dtype=float)


def solar_capacity_factor(site: SiteClimate, temp_c: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Hourly AC capacity factor of a fixed-tilt PV plant [fraction] over the reference year (see module
    docstring)."""
    from scipy import special

    clear_ghi, zenith, azimuth_deg = clear_sky(site.latitude_deg, site.longitude_deg, site.elevation_m)
    clear_year = clear_ghi.sum() / 1000.0  # kWh/m2
    mean_transmittance = float(np.clip(site.ghi_kwh_m2_year / clear_year, 0.2, 0.97))
    a, b = _beta_from_mean(np.array([mean_transmittance]), 6.0)
    u = special.ndtr(_ar1(366, 0.5, rng))  # persistent daily cloudiness (normal CDF)
    daily = special.betaincinv(a[0], b[0], u)  # Beta quantile (scipy.stats.beta.ppf)
    day_of_year, _ = reference_calendar()
    ghi = clear_ghi * daily[day_of_year - 1]
    ghi *= site.ghi_kwh_m2_year / max(ghi.sum() / 1000.0, 1e-9)  # exact annual GHI
    dni, dhi = erbs(ghi, zenith, day_of_year)
    tilt = abs(site.latitude_deg)
    azimuth = 180.0 if site.latitude_deg >= 0 else 0.0
    poa = plane_of_array(tilt, azimuth, zenith, azimuth_deg, dni, ghi, dhi)
    poa = np.nan_to_num(poa, nan=0.0).clip(min=0.0)
    cell = temp_c + poa / (25.0 + 6.84 * 2.0)  # Faiman [4]_, wind 2 m/s (pvlib temperature.faiman)
    dc = poa * 0.001 * 1.0 * (1 + -0.0035 * (cell - 25.0))  # PVWatts [3]_ (pvlib pvsystem.pvwatts_dc)
    dc = np.nan_to_num(np.asarray(dc, dtype=float), nan=0.0).clip(min=0.0)
    dc_ac_ratio, losses = 1.3, 0.14
    ac = np.minimum(dc * dc_ac_ratio * (1 - losses), 1.0)
    for _ in range(20):  # calibrate the annual capacity factor to the shipped value (clipping is non-linear)
        mean = ac.mean()
        if mean <= 0 or abs(mean - site.solar_cf) < 1e-5:
            break
        ac = np.minimum(ac * site.solar_cf / mean, 1.0)
    return np.asarray(ac, dtype=float)


def wind_capacity_factor(site: SiteClimate, rng: np.random.Generator) -> np.ndarray:
    """Hourly capacity factor of onshore wind [fraction] over the reference year (see module docstring)."""
    from scipy import special

    ratio = max(site.wind_winter_summer_ratio, 1e-3)
    amplitude = (ratio - 1) / (ratio + 1)
    days = reference_calendar()[0].astype(float)
    winter_peak_day = 15.0 if site.latitude_deg >= 0 else 196.0
    seasonal = site.wind_cf * (1 + amplitude * np.cos(2 * np.pi * (days - winter_peak_day) / 365.0))
    a, b = _beta_from_mean(seasonal, 2.5)
    u = special.ndtr(_ar1(HOURS, 0.985, rng))  # normal CDF
    cf = special.betaincinv(a, b, u)  # Beta quantile (scipy.stats.beta.ppf)
    cf *= site.wind_cf / max(cf.mean(), 1e-9)
    return np.asarray(np.clip(cf, 0.0, 1.0), dtype=float)


def weather_arrays(catalog: Catalog, site_id: str, seed: int = 0) -> dict[str, FloatArray]:
    """:func:`site_weather` as numpy arrays (``temp_c``, ``solar_cf``, ``wind_cf``; 8,760 hours), no pandas."""
    site = site_climate(catalog, site_id)
    rng = np.random.default_rng(seed)
    temp = temperature_c(site, rng)
    solar = solar_capacity_factor(site, temp, rng)
    wind = wind_capacity_factor(site, rng)
    return {"temp_c": temp, "solar_cf": solar, "wind_cf": wind}


def site_weather(catalog: Catalog, site_id: str, seed: int = 0) -> pd.DataFrame:
    """Hourly ``temp_c`` [°C], ``solar_cf`` and ``wind_cf`` [fraction] for the reference year, seeded.

    Examples
    --------
    >>> from gigafleet.catalog import load_catalog
    >>> w = site_weather(load_catalog(), "abilene-tx")
    >>> len(w), round(float(w["solar_cf"].mean()), 3) == round(site_climate(load_catalog(), "abilene-tx").solar_cf, 3)
    (8760, True)
    """
    import pandas as pd

    return pd.DataFrame(weather_arrays(catalog, site_id, seed), index=hourly_index())
