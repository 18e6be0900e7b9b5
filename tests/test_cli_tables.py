"""Tables at 80 columns (a pipe, a log, a small terminal): no value cut ("…"), no line wider than the terminal."""

from __future__ import annotations

import io
from typing import Any

import pytest
from typer.testing import CliRunner

from gigafleet.cli import app
from gigafleet.cli import tables as cli_tables
from gigafleet.cli.tables import console, fit, plain_text

COMMANDS = [
    ["estimate", "--accelerators", "100M", "--chip", "h100", "--samples", "300"],
    ["estimate", "--fleet", "h100=40M,gb200=60M", "--samples", "300"],
    [
        "check",
        "--accelerators",
        "100M",
        "--chip",
        "h100",
        "--samples",
        "300",
        "--claim-power-gw",
        "75",
        "--claim-capex-usd",
        "3T",
    ],
    ["catalog", "list"],
    ["catalog", "list", "sites"],
    ["catalog", "show", "gb200"],
    ["catalog", "show", "world-datacentres-2030"],
    ["catalog", "audit", "--top", "10"],
    ["installed", "--through", "2026", "--samples", "300"],
    ["capability", "--chip", "gb200", "--accelerators", "1M", "--samples", "100"],
    ["reliability", "--accelerators", "10k", "--chip", "h100", "--days", "10"],
    ["plan", "demo", "--no-store"],
    ["plan", "openai-100x", "--no-store"],
    ["power", "--site", "abilene-tx", "--it-load-gw", "0.5", "--hours", "repdays"],
]


@pytest.mark.parametrize(
    ("args", "width"),
    [*((args, 80) for args in COMMANDS), *((["plan", "openai-100x", "--no-store"], w) for w in (100, 120, 60))],
    ids=lambda a: " ".join(a[:2]) if isinstance(a, list) else str(a),
)
def test_every_table_is_whole_at_80_columns(args: list[str], width: int, monkeypatch: pytest.MonkeyPatch) -> None:
    tables: list[Any] = []

    def recording(table: Any, width: int = 80) -> Any:
        tables.append(table)
        return fit(table, width)

    monkeypatch.setattr(cli_tables, "fit", recording)
    done = CliRunner().invoke(app, args, env={"COLUMNS": str(width)})
    assert done.exit_code == 0, done.output
    lines = done.stdout.splitlines()
    assert len(lines) > 3
    cut = [line for line in lines if "…" in line]
    assert cut == [], "\n".join(cut)
    wide = [line for line in lines if len(line) > width]
    assert wide == [], "\n".join(wide)
    cropped = [line for line in lines if line[:1] in _LEFT and line.rstrip()[-1:] not in _RIGHT]
    assert cropped == [], "\n".join(cropped)  # a table wider than the terminal loses its right edge
    import collections
    import re

    printed = collections.Counter(re.split(r"[\s│┃┆|]+", done.stdout))
    cells = collections.Counter(
        word
        for table in tables
        for column in table.columns
        for cell in column.cells
        for word in plain_text(cell).split()
    )
    split = sorted(word for word, count in cells.items() if printed[word] < count)
    assert tables and split == []  # every word of every cell printed whole (no "launch_yea" / "r")


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


def test_numbers_keep_their_width_and_words_stay_whole() -> None:
    from rich.table import Table

    t = Table("Name", "Value")
    t.add_row("a very long name of a baseline " * 3, "30,856 TWh/yr")
    columns = fit(t).columns
    assert columns[1].min_width == columns[1].max_width == len("30,856 TWh/yr")
    assert columns[0].max_width == 80 - 3 - 4 - len("30,856 TWh/yr")
    names = Table("Parameter", "Unit", "Low", "Mid", "High", "Source")
    names.add_row("bf16_dense_tflops", "TFLOP/s", "1,979", "2,250", "2,500", "R1;R2;EPOCHPRICE")
    text = _render(names, fitted=True)
    assert "bf16_dense_tflops" in text and "R1;R2;EPOCHPRICE" in text  # the plain console splits the name
    assert "bf16_dense_tflops" not in _render(_squeezed(names), fitted=False)


def _squeezed(table: object) -> object:
    """The same table with a tenth column that makes Rich squeeze every column."""
    from rich.table import Table

    wide = Table(*[c.header for c in table.columns], "Note")  # type: ignore[attr-defined]
    for row in zip(*[list(c.cells) for c in table.columns], strict=True):  # type: ignore[attr-defined]
        wide.add_row(*row, "a note of some length that takes room")
    return wide


def test_tables_too_wide_for_their_words_become_key_value_rows() -> None:
    from rich.table import Table

    t = Table("Parameter", "Unit", "Low", "Mid", "High", "Grade", "Source", "As of", title="gb200")
    for name in ("bf16_dense_tflops", "hbm_capacity_gb_per_accelerator"):
        t.add_row(name, "USD/accelerator", "1,234,570", "2,345,680", "3,456,790", "S", "EPOCHPRICE;R24", "2025-06")
    text = _render(t, fitted=True)
    lines = text.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert any(line.startswith("│ Parameter") and "bf16_dense_tflops" in line for line in lines)
    assert sum("hbm_capacity_gb_per_accelerator" in line for line in lines) == 1 and "3,456,790" in text
