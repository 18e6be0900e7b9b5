"""Chart helpers shared by every report: the palette, Plotly figure embedding, error bars and count axes.

plotly is imported lazily inside the functions, so importing a report module stays cheap.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from gigafleet.formatting import Triple

# Tableau-10: distinguishable, reasonably colour-blind friendly.
FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Roboto, Helvetica, Arial, sans-serif"}
"""Font of every chart (the system UI stack, as the pages' style sheets)."""

LEGEND_ABOVE = {"orientation": "h", "yanchor": "bottom", "y": 1.02, "xanchor": "left", "x": 0.0}
"""Horizontal legend above the plot, left-aligned."""

PALETTE = ("#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac")


def error_arrays(triples: Sequence[Triple], divisor: float) -> tuple[list[float], list[float]]:
    """Asymmetric error-bar lengths (P90 − P50, P50 − P10), clipped at zero, divided by ``divisor``."""
    plus: list[float] = []
    minus: list[float] = []
    for p10, p50, p90 in triples:
        centre = p50 if p50 is not None else 0.0
        plus.append(max((p90 - centre) / divisor, 0.0) if p90 is not None else 0.0)
        minus.append(max((centre - p10) / divisor, 0.0) if p10 is not None else 0.0)
    return plus, minus


def figure_html(fig: Any, div_id: str) -> str:
    """Serialise one plotly figure as a ``<div>`` + ``<script>`` snippet, without plotly.js."""
    config = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d", "select2d"]}
    snippet = fig.to_html(full_html=False, include_plotlyjs=False, include_mathjax=False, div_id=div_id, config=config)
    return str(snippet)


def count_scale(values: Iterable[float]) -> tuple[float, str]:
    """Pick a single axis unit for counts.

    Parameters
    ----------
    values : iterable of float
        Values plotted on the axis [1].

    Returns
    -------
    tuple of (float, str)
        Divisor to apply to the values [1 per axis unit] and a suffix for the axis title,
        e.g. ``(1e6, " [million]")``.
    """
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    for divisor, word in ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"), (1e3, "thousand")):
        if largest >= divisor:
            return divisor, f" [{word}]"
    return 1.0, ""


def count_axis_title(what: str, suffix: str, unit: str) -> str:
    """Axis title for a count, e.g. ``"H100-equivalents in service [million H100e]"``."""
    inside = " ".join(part for part in (suffix.strip(" []"), unit) if part)
    return f"{what} [{inside}]" if inside else what


def log_ticks(low: float, high: float) -> list[float]:
    """Round ticks (1, 2, 5 times a power of ten) covering ``low`` to ``high`` on a log axis.

    Parameters
    ----------
    low, high : float
        Smallest and largest positive value on the axis [unit of the axis].

    Returns
    -------
    list of float
        Tick values from the 1-2-5 step at or below ``low`` to the one at or above ``high`` [unit of the axis].
    """
    ticks: list[float] = []
    for exponent in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1):
        for mantissa in (1.0, 2.0, 5.0):
            ticks.append(mantissa * 10.0**exponent)
    first = max((i for i, tick in enumerate(ticks) if tick <= low), default=0)
    last = min((i for i, tick in enumerate(ticks) if tick >= high), default=len(ticks) - 1)
    return ticks[first : last + 1]


def style(
    fig: Any,
    *,
    height: int,
    margin: Mapping[str, int],
    xaxis: Mapping[str, Any],
    yaxis: Mapping[str, Any],
    hovermode: str | None = "closest",
) -> None:
    """The layout every report chart shares: white template, legend above the plot, the report font.

    Parameters
    ----------
    fig : plotly.graph_objects.Figure
        The figure to style (changed in place).
    height : int
        Figure height [px].
    margin, xaxis, yaxis : mapping
        Plotly ``margin`` [px], ``xaxis`` and ``yaxis`` layouts.
    hovermode : str or None
        Plotly ``hovermode``; ``None`` leaves Plotly's default.
    """
    shared: dict[str, Any] = {
        "template": "plotly_white",
        "height": height,
        "margin": dict(margin),
        "xaxis": dict(xaxis),
        "yaxis": dict(yaxis),
        "legend": dict(LEGEND_ABOVE),
    }
    if hovermode is not None:
        shared["hovermode"] = hovermode
    fig.update_layout(**shared, font=FONT)


def rgba(colour: str, alpha: float) -> str:
    """``"#rrggbb"`` with transparency ``alpha`` [1] as a CSS ``rgba(…)`` colour.

    Examples
    --------
    >>> rgba("#4e79a7", 0.16)
    'rgba(78, 121, 167, 0.16)'
    """
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {alpha})"
