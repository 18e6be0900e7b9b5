"""Notebook-friendly results: HTML tables in Jupyter (``_repr_html_``) and Plotly figures (``.plot()``).

>>> from gigafleet.notebook import estimate
>>> result = estimate(accelerators="1M", chip="gb200", samples=300)
>>> result._repr_html_().startswith("<table")   # Jupyter shows ``result`` as this HTML table of key figures
True
>>> figure = result.plot()                       # power layers, chip -> grid, with P10-P90 error bars
>>> len(figure.data) > 0
True
>>> frame = result.to_frame()                    # pandas: one row per quantity, columns p10, p50, p90
>>> float(frame.loc["accelerators", "p50"]), sorted(result.tables())[:3]
(1000000.0, ['capex_breakdown_usd', 'comparisons', 'effective_flops'])
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from gigafleet.formatting import FORMATS, quantity

LAYERS = ("chip_power_gw", "server_power_gw", "it_power_gw", "facility_power_gw", "grid_connection_gw")


class EstimateResult:
    """An estimate (the dict of ``gigafleet estimate --json``) with notebook display."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data

    def __getitem__(self, key: str) -> Any:
        return self.data[key]

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready dict."""
        return self.data

    def to_frame(self) -> pd.DataFrame:
        """Every P10/P50/P90 quantity as a pandas DataFrame indexed by ``quantity`` (columns ``p10``, ``p50``,
        ``p90``; units in the quantity names, as in the JSON)."""
        return self.tables()["quantities"].set_index("quantity")

    def tables(self) -> dict[str, pd.DataFrame]:
        """All tables of the result, as ``--csv`` writes them (:func:`gigafleet.export.result_tables`)."""
        from gigafleet.export import result_tables

        return result_tables(self.data)

    def _repr_html_(self) -> str:
        rows = []
        for key, (label, kind) in FORMATS.items():
            q = self.data.get(key)
            if isinstance(q, dict) and {"p10", "p50", "p90"} <= set(q):
                cells = "".join(
                    f"<td style='text-align:right'>{html.escape(quantity(q[p], kind))}</td>"
                    for p in ("p10", "p50", "p90")
                )
                rows.append(f"<tr><td>{html.escape(label)}</td>{cells}</tr>")
        return "<table><tr><th>Quantity</th><th>P10</th><th>P50</th><th>P90</th></tr>" + "".join(rows) + "</table>"

    def plot(self) -> Any:
        """Plotly figure of the power layers (P50 with P10-P90 error bars) [GW]."""
        import plotly.graph_objects as go

        values = [self.data[k] for k in LAYERS]
        return go.Figure(
            go.Bar(
                x=["chip", "server", "IT", "facility", "grid"],
                y=[v["p50"] for v in values],
                error_y={
                    "type": "data",
                    "symmetric": False,
                    "array": [v["p90"] - v["p50"] for v in values],
                    "arrayminus": [v["p50"] - v["p10"] for v in values],
                },
            ),
            layout={"title": {"text": "Power layers (GW)"}},
        )


def estimate(**fields: Any) -> EstimateResult:
    """Run an estimate with the CLI's flag names as keyword arguments (``accelerators="1M", chip="gb200"``)."""
    from gigafleet.catalog import load_catalog
    from gigafleet.estimate import estimate as run
    from gigafleet.scenario import FLAG_NAMES, to_spec
    from gigafleet.web.models import EstimateRequest, estimate_scenario  # the API's validation

    scenario = estimate_scenario(EstimateRequest(**fields))
    catalog = load_catalog()
    spec = to_spec(catalog, scenario, FLAG_NAMES)
    return EstimateResult(run(spec, samples=scenario.samples, seed=scenario.seed, catalog=catalog))
