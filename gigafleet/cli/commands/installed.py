"""``gigafleet installed``: the installed base of accelerators at a date."""

from gigafleet.cli.app import app, dump, user_errors
from gigafleet.cli.options import JsonOpt, LifetimeYearsOpt, SamplesOpt, SeedOpt, ThroughOpt, VendorOpt
from gigafleet.inputs import INSTALLED_DEFAULTS as D


@app.command()
@user_errors
def installed(
    through: ThroughOpt = D.through,
    lifetime_years: LifetimeYearsOpt = D.lifetime_years,
    vendor: VendorOpt = None,
    samples: SamplesOpt = D.samples,
    seed: SeedOpt = D.seed,
    as_json: JsonOpt = False,
) -> None:
    """The accelerators already shipped: count, H100e, chip power and spend (P10/P50/P90), from Epoch AI.

    Example: gigafleet installed --through 2026 --json
    """
    from gigafleet.catalog import load_catalog
    from gigafleet.inputs import installed_request
    from gigafleet.installed import installed_base

    request = installed_request(
        through=through, lifetime_years=lifetime_years, vendor=vendor, samples=samples, seed=seed
    )
    result = installed_base(
        load_catalog(),
        request.through,
        lifetime_years=request.lifetime_years,
        samples=request.samples,
        seed=request.seed,
        vendors=request.vendors,
    )
    if as_json:
        dump(result)
    else:
        from gigafleet.cli.tables import print_installed

        print_installed(result)
