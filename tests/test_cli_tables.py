"""Tables at 80 columns (a pipe, a log, a small terminal): no value cut ("…"), no line wider than the terminal."""

from __future__ import annotations

import io

import pytest
from typer.testing import CliRunner

from gigafleet.cli import app
from gigafleet.cli.tables import console, fit

COMMANDS = [
    ["estimate", "--accelerators", "100M", "--chip", "h100", "--samples", "300"],
    ["estimate", "--fleet", "h100=40M,gb200=60M", "--samples", "300"],
    ["check", "--accelerators", "100M", "--chip", "h100", "--samples", "300", "--claim-power-gw", "75",
     "--claim-capex-usd", "3T"],
    ["catalog", "list"],
    ["catalog", "list", "sites"],
    ["catalog", "show", "gb200"],
    ["catalog", "show", "world-datacentres-2030"],
    ["catalog", "audit", "--top", "10"],
    ["installed", "--through", "2026", "--samples", "300"],
    ["capability", "--chip", "gb200", "--accelerators", "1M", "--samples", "100"],
    ["reliability", "--accelerators", "10k", "--chip", "h100", "--days", "10"],
    ["plan", "demo", "--no-store"],
    ["power", "--site", "abilene-tx", "--it-load-gw", "0.5", "--hours", "repdays"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_every_table_is_whole_at_80_columns(args: list[str]) -> None:
    done = CliRunner().invoke(app, args, env={"COLUMNS": "80"})
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert len(lines) > 3
    cut = [line for line in lines if "…" in line]
    assert cut == [], "\n".join(cut)
    wide = [line for line in lines if len(line) > 80]
    assert wide == [], "\n".join(wide)
    cropped = [line for line in lines if line[:1] in _LEFT and line.rstrip()[-1:] not in _RIGHT]
    assert cropped == [], "\n".join(cropped)  # a table wider than the terminal loses its right edge


_LEFT, _RIGHT = "┏┃┡│└╭╰├", "┓┃┩│┘╮╯┤"


def _render(table: object, *, fitted: bool) -> str:
    from rich.console import Console

    if fitted:
        out = console()
        out.file = io.StringIO()
        out.width = 80
    else:
        out = Console(file=io.StringIO(), width=80)
    out.print(table)
    return str(out.file.getvalue())  # type: ignore[attr-defined]


def test_the_check_can_fail_without_fit() -> None:
    """The same long row is cut by a plain Rich console at 80 columns and whole through ``console()``."""
    from rich.table import Table

    def table() -> Table:
        t = Table("Baseline", "Value", "Fleet measure", "Fleet / baseline P50", "P10-P90")
        t.add_row("world-datacentres-2030-iea-base-case", "945 TWh/yr", "energy/yr", "1.36x", "1.25-1.53x")
        return t

    assert "…" in _render(table(), fitted=False)
    whole = _render(table(), fitted=True)
    assert "…" not in whole and "1.25-1.53x" in whole and "945 TWh/yr" in whole
    assert all(line.rstrip()[-1:] in _RIGHT for line in whole.splitlines() if line[:1] in _LEFT)


def test_numbers_keep_their_width_and_text_folds() -> None:
    from rich.table import Table

    t = Table("Name", "Value")
    t.add_row("a very long name of a baseline", "30,856 TWh/yr")
    columns = fit(t).columns
    assert [c.overflow for c in columns] == ["fold", "fold"]
    assert columns[1].min_width == columns[1].max_width == len("30,856 TWh/yr") and columns[0].min_width is None
    assert columns[0].max_width is not None and columns[0].max_width < 80
