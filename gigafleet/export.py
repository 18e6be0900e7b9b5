"""Any command's result as tidy tables: CSV files, Parquet files or one Excel workbook (``--csv``, ``--parquet``,
``--xlsx``), and pandas DataFrames in the Python API.

:func:`result_tables` reads the dictionary a command prints with ``--json`` and needs no per-command code:

- ``quantities``: every P10/P50/P90 triple (``{"p10", "p50", "p90"}``), one row each (``quantity``, ``p10``,
  ``p50``, ``p90``), the key path in ``quantity`` (``capex_usd``, ``effective_flops.bf16``);
- a mapping whose values are all triples (``capex_breakdown_usd``): its own table, one row per ``item``;
- a list of records (``years``, ``binding``, ``capacity``, ``comparisons``): its own table, nested fields
  flattened into dotted columns;
- a mapping of equal-length series (a week's hours, failures by cause and day): its own table, one column per
  series (nested mappings give dotted names: ``dispatch_mw.gas``); a lone series: a table of ``index``, ``value``;
- ``notes``: one row per note; every other value: ``summary`` (``key``, ``value``).

Units stay in the column and key names (``power_gw``, ``capex_usd``), as in the JSON.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

PERCENTILE_KEYS = frozenset({"p10", "p50", "p90"})

_SHEET = re.compile(r"[^A-Za-z0-9_]+")


def _is_triple(value: object) -> bool:
    return isinstance(value, Mapping) and PERCENTILE_KEYS <= set(value) and set(value) <= PERCENTILE_KEYS | {"mean"}


def _scalars(value: object) -> bool:
    """A list of two or more numbers, text or ``None`` (a series)."""
    if not isinstance(value, list) or len(value) < 2:
        return False
    return all(x is None or isinstance(x, int | float | str) for x in value)


def _series_columns(value: Mapping[str, Any], prefix: str = "") -> dict[str, list[Any]]:
    """The series of a mapping as columns (nested mappings of series give dotted names): a week's ``time``,
    ``load_mw``, ``dispatch_mw.gas`` ...; entries that are not series are left out."""
    columns: dict[str, list[Any]] = {}
    for key, item in value.items():
        if _scalars(item):
            columns[f"{prefix}{key}"] = item
        elif isinstance(item, Mapping):
            nested = _series_columns(item, f"{prefix}{key}.")
            if nested and len(nested) == len(item):  # only a mapping made of series joins the table
                columns.update(nested)
    return columns


def _cell(value: object) -> object:
    """A value a table cell can hold: numbers, text and booleans as they are, anything else as JSON."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return json.dumps(value, sort_keys=True, default=str)


def result_tables(result: Mapping[str, Any]) -> dict[str, pd.DataFrame]:
    """The tables of a command's result (see the module docstring), in a stable order.

    Parameters
    ----------
    result : mapping
        What the command prints with ``--json``.

    Returns
    -------
    dict of str to pandas.DataFrame
        ``summary`` and ``quantities`` first (where present), then the result's own tables by key path
        (``capex_breakdown_usd``, ``years``, ``failures_by_day.by_cause`` ...), then ``notes``.

    Examples
    --------
    >>> tables = result_tables({"capex_usd": {"p10": 1.0, "p50": 2.0, "p90": 3.0}, "status": "optimal",
    ...                         "years": [{"year": 2026, "h100e": 5.0}]})
    >>> sorted(tables), tables["quantities"].to_dict("records")
    (['quantities', 'summary', 'years'], [{'quantity': 'capex_usd', 'p10': 1.0, 'p50': 2.0, 'p90': 3.0}])
    """
    import pandas as pd

    summary: list[dict[str, object]] = []
    quantities: list[dict[str, object]] = []
    tables: dict[str, pd.DataFrame] = {}
    notes: list[str] = []

    def walk(path: str, value: object) -> None:
        if _is_triple(value):
            assert isinstance(value, Mapping)
            quantities.append({"quantity": path, **{p: value.get(p) for p in ("p10", "p50", "p90")}})
        elif isinstance(value, Mapping) and value and all(_is_triple(v) for v in value.values()):
            tables[path] = pd.DataFrame(
                [{"item": key, **{p: v.get(p) for p in ("p10", "p50", "p90")}} for key, v in value.items()]
            )
        elif isinstance(value, Mapping):
            columns = _series_columns(value)
            if len(columns) >= 2 and len({len(c) for c in columns.values()}) == 1:  # a table of equal-length series
                tables[path] = pd.DataFrame(columns)
                joined = {name.split(".", 1)[0] for name in columns}
            else:
                joined = set()
            for key, item in value.items():
                if str(key) not in joined:
                    walk(f"{path}.{key}" if path else str(key), item)
        elif path == "notes" and isinstance(value, list):
            notes.extend(str(note) for note in value)
        elif isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
            frame = pd.json_normalize([dict(item) for item in value], sep=".")
            tables[path] = frame.map(_cell) if hasattr(frame, "map") else frame.applymap(_cell)
        elif _scalars(value):
            assert isinstance(value, list)
            tables[path] = pd.DataFrame({"index": range(len(value)), "value": value})
        else:
            summary.append({"key": path, "value": _cell(value)})

    walk("", result)
    ordered: dict[str, pd.DataFrame] = {}
    if summary:
        ordered["summary"] = pd.DataFrame(summary, columns=["key", "value"])
    if quantities:
        ordered["quantities"] = pd.DataFrame(quantities, columns=["quantity", "p10", "p50", "p90"])
    ordered.update(tables)
    if notes:
        ordered["notes"] = pd.DataFrame({"note": notes})
    return ordered


def table_file_name(name: str) -> str:
    """A table's key path as a file or sheet name: ``failures_by_day.by_cause`` → ``failures_by_day-by_cause``."""
    return _SHEET.sub("-", name).strip("-") or "table"


def write_tables(
    tables: Mapping[str, pd.DataFrame],
    *,
    csv_dir: Path | None = None,
    parquet_dir: Path | None = None,
    xlsx: Path | None = None,
) -> list[Path]:
    """Write ``tables`` as CSV files, Parquet files and/or one workbook (one sheet per table); each file is written
    whole or not at all (``safeio.write_atomic``). Returns the paths written."""
    import io

    from gigafleet.safeio import write_atomic

    written: list[Path] = []
    for folder, suffix in ((csv_dir, "csv"), (parquet_dir, "parquet")):
        if folder is None:
            continue
        folder.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            target = folder / f"{table_file_name(name)}.{suffix}"
            if suffix == "csv":
                written.append(write_atomic(target, frame.to_csv(index=False)))
            else:
                buffer = io.BytesIO()
                frame.astype({c: "string" for c in frame.columns if frame[c].dtype == object}).to_parquet(
                    buffer, index=False
                )
                written.append(write_atomic(target, buffer.getvalue()))
    if xlsx is not None:
        written.append(write_atomic(xlsx, workbook_bytes_of(tables)))
    return written


def workbook_bytes_of(tables: Mapping[str, pd.DataFrame]) -> bytes:
    """``tables`` as one Excel workbook (.xlsx bytes), one sheet per table (names cut to Excel's 31 characters)."""
    import io

    import pandas as pd

    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="openpyxl") as workbook:
        used: set[str] = set()
        for name, frame in tables.items():
            sheet = table_file_name(name)[:31]
            while sheet in used:
                sheet = f"{sheet[:27]}-{len(used)}"
            used.add(sheet)
            frame.to_excel(workbook, sheet_name=sheet, index=False)
    return buffer.getvalue()


def workbook_bytes(result: Mapping[str, Any]) -> bytes:
    """A command's result as one Excel workbook (:func:`result_tables`, one sheet per table)."""
    return workbook_bytes_of(result_tables(result))


__all__ = ["PERCENTILE_KEYS", "result_tables", "table_file_name", "workbook_bytes", "workbook_bytes_of", "write_tables"]
