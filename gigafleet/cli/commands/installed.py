"""``gigafleet installed``: the installed base of accelerators at a date."""

from __future__ import annotations

from gigafleet.cli.app import app, dump, user_errors
from gigafleet.cli.options import JsonOpt, LifetimeYearsOpt, SamplesOpt, SeedOpt, ThroughOpt, VendorOpt
from gigafleet.cli.tables import print_installed


@app.command()
@user_errors
def installed(
    through: ThroughOpt = "2026",
    lifetime_years: LifetimeYearsOpt = None,
    vendor: VendorOpt = None,
    samples: SamplesOpt = "4000",
    seed: SeedOpt = "20261201",
    as_json: JsonOpt = False,
) -> None:
    """The accelerators already shipped: count, H100e, chip power and spend (P10/P50/P90), from Epoch AI.

    Example: gigafleet installed --through 2026 --json
    """
    from gigafleet import inputs
    from gigafleet.catalog import load_catalog
    from gigafleet.installed import installed_base, parse_through

    cut = parse_through(through)
    life = inputs.bounded(lifetime_years, "--lifetime-years", 0.25, 30, "years") if lifetime_years is not None else None
    chosen = None
    if vendor:
        chosen = [v.strip().lower() for v in vendor]
        if len(set(chosen)) != len(chosen):
            from gigafleet.errors import InputError

            raise InputError("--vendor", ",".join(vendor), "each vendor once")
    count = inputs.int_flag(samples, "--samples", low=200, high=200_000)
    assert count is not None
    result = installed_base(
        load_catalog(), cut, lifetime_years=life, samples=count, seed=inputs.seed(seed), vendors=chosen
    )
    if as_json:
        dump(result)
    else:
        print_installed(result)
