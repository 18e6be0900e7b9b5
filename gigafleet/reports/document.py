"""The HTML page shared by every report: escaping, tables, sections, the page skeleton, style sheets, writing.

``html_document`` assembles a self-contained page (plotly.js inline once, no external resources);
``write_report`` writes it atomically (``safeio.write_atomic``), so a failed run never leaves a half-written report.
"""

from __future__ import annotations

import html
import os
import pathlib
from collections.abc import Callable, Container, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from gigafleet.reports.values import as_mapping, as_sequence, entry_text


def escape(text: object) -> str:
    """HTML-escape any value (quotes included)."""
    return html.escape(str(text), quote=True)


def html_table(headers: Sequence[str], rows: Iterable[Sequence[str]], numeric: Container[int], css: str) -> str:
    """Build an HTML table; every cell is escaped here.

    Parameters
    ----------
    headers : sequence of str
        Column headings (raw text).
    rows : iterable of sequence of str
        Cell texts (raw text).
    numeric : container of int
        Indices of the right-aligned (numeric) columns.
    css : str
        Class of the table.

    Returns
    -------
    str
        The ``<table>`` element.
    """
    num = ' class="num"'
    head = "".join(f'<th scope="col"{num if i in numeric else ""}>{escape(h)}</th>' for i, h in enumerate(headers))
    body_rows = []
    for row in rows:
        cells = []
        for i, cell in enumerate(row):
            if i == 0:
                cells.append(f'<th scope="row">{escape(cell)}</th>')
            else:
                cells.append(f"<td{num if i in numeric else ''}>{escape(cell)}</td>")
        body_rows.append("<tr>" + "".join(cells) + "</tr>")
    return f'<table class="{escape(css)}"><thead><tr>{head}</tr></thead><tbody>{"".join(body_rows)}</tbody></table>'


CSS = """
:root { color-scheme: light; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Helvetica, Arial, sans-serif;
       margin: 0 auto; max-width: 1180px; padding: 1.5rem 1.25rem 3rem; color: #1d2430;
       line-height: 1.45; background: #ffffff; }
h1 { font-size: 1.7rem; margin: 0 0 .3rem; }
h2 { font-size: 1.25rem; margin: 2.2rem 0 .6rem; border-bottom: 1px solid #d8dee8; padding-bottom: .25rem; }
.subtitle { color: #4a5568; margin: 0 0 .8rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .94rem; }
th, td { padding: .32rem .7rem; border-bottom: 1px solid #e2e8f0; text-align: left; vertical-align: top; }
thead th { background: #f4f6fa; border-bottom: 2px solid #cbd5e1; }
.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody th { font-weight: 600; }
.inputs th { font-weight: 600; color: #4a5568; }
.caption, .muted { color: #5a6475; font-size: .88rem; }
.chart { margin: .5rem 0 1rem; }
details { margin: .3rem 0 1rem; }
summary { cursor: pointer; color: #2b4c7e; }
.noscript { background: #fff7e0; border: 1px solid #f0d890; padding: .5rem .8rem; }
footer { margin-top: 2.5rem; color: #5a6475; font-size: .85rem; }
"""


def chart_section(section_id: str, title: str, chart: str | None, extra: str = "") -> str:
    """A section holding one chart (or a note that there is nothing to draw)."""
    body = f'<div class="chart">{chart}</div>' if chart else '<p class="muted">No data for this chart.</p>'
    return f'<section id="{escape(section_id)}"><h2>{escape(title)}</h2>{body}{extra}</section>'


def table_section(
    section_id: str,
    title: str,
    headers: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    numeric: Container[int],
    css: str,
    empty: str,
    caption: str = "",
) -> str:
    """A section holding one table (or ``empty`` as a note when there are no rows) and an optional caption."""
    body = html_table(headers, rows, numeric=numeric, css=css) if rows else f'<p class="muted">{escape(empty)}</p>'
    note = f'<p class="caption">{escape(caption)}</p>' if caption else ""
    return f'<section id="{escape(section_id)}"><h2>{escape(title)}</h2>{body}{note}</section>'


def infeasible_alert(result: Mapping[str, Any], headline: str, not_what: str) -> str:
    """The warning block of an infeasible optimisation: ``headline``, the solver's termination, what is not shown.

    Examples
    --------
    >>> "No feasible plan (solver termination: infeasible)." in infeasible_alert(
    ...     {"solver": {"termination": "infeasible"}}, "No feasible plan", "a plan")
    True
    """
    termination = entry_text(as_mapping(result.get("solver")), "termination")
    message = headline + (f" (solver termination: {termination})." if termination else ".")
    message += f" Figures below, if any, are not {not_what}; see the binding limits and notes."
    return f'<div class="alert alert-infeasible" role="alert"><strong>{escape(message)}</strong></div>'


def notes_section(result: Mapping[str, Any]) -> str:
    """Notes as a list."""
    notes = [str(note) for note in as_sequence(result.get("notes")) if note is not None and str(note).strip()]
    if not notes:
        return ""
    items = "".join(f"<li>{escape(note)}</li>" for note in notes)
    return f'<section id="notes"><h2>Notes</h2><ul>{items}</ul></section>'


def html_document(
    *, title: str, css: str, head_section: str, noscript: str, sections: Sequence[str], source: str, schema: object
) -> str:
    """The self-contained page every report shares: head with inline plotly.js, body, footer.

    Parameters
    ----------
    title : str
        Text of ``<title>`` (escaped here).
    css : str
        Style sheet of the report.
    head_section : str
        The title section (first in the body).
    noscript : str
        What the ``<noscript>`` note says is also available without JavaScript.
    sections : sequence of str
        The rest of the body, in order.
    source : str
        What the page was generated from, e.g. ``"an estimate"`` (for the footer).
    schema : object
        The result's schema version, or ``None``.
    """
    from plotly.offline import get_plotlyjs

    footer = (
        "<footer>Generated by gigafleet"
        + (f" from {source} with schema version {escape(schema)}" if schema is not None else "")
        + ". Self-contained page: no network access needed.</footer>"
    )
    return "\n".join(
        (
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="gigafleet">',
            f"<title>{escape(title)}</title>",
            f"<style>{css}</style>",
            "<script>window.PlotlyConfig = {MathJaxConfig: 'local'};</script>",
            f'<script type="text/javascript">{get_plotlyjs()!s}</script>',
            "</head>",
            "<body>",
            head_section,
            f'<noscript><p class="noscript">{noscript}</p></noscript>',
            *sections,
            footer,
            "</body>",
            "</html>",
            "",
        )
    )


@dataclass(frozen=True)
class Page:
    """What every page of one report kind shares: its style sheet, the footer's source and the ``<noscript>`` note.

    Attributes
    ----------
    css : str
        Style sheet of the report.
    source : str
        What the page is generated from, e.g. ``"an estimate"`` (for the footer).
    noscript : str
        What the ``<noscript>`` note says is also available without JavaScript.
    """

    css: str
    source: str
    noscript: str

    def render(self, title: str, head_section: str, sections: Sequence[str], result: Mapping[str, Any]) -> str:
        """The page of one result: ``title`` (escaped here), the title section, the sections in order, the notes."""
        return html_document(
            title=title,
            css=self.css,
            head_section=head_section,
            noscript=self.noscript,
            sections=(*sections, notes_section(result)),
            source=self.source,
            schema=result.get("schema_version"),
        )

    def write(
        self, render: Callable[[dict[str, Any]], str], result: dict[str, Any], path: str | os.PathLike[str]
    ) -> pathlib.Path:
        """Render ``result`` with ``render`` and write the page atomically to ``path`` (see ``write_report``)."""
        return write_report(render, result, path)


PLAN_CSS = (
    CSS
    + """
.badge { display: inline-block; font-size: .95rem; font-weight: 600; padding: .15rem .6rem;
         border-radius: .8rem; vertical-align: middle; margin-left: .5rem; border: 1px solid transparent; }
.status-optimal { background: #e3f4e6; color: #1e6b2e; border-color: #9fd3aa; }
.status-shortfall { background: #fff1d6; color: #8a4b00; border-color: #f0b85a; }
.status-infeasible { background: #fde2e2; color: #9b1c1c; border-color: #f19a9a; }
.status-unknown { background: #eef1f5; color: #3a4656; border-color: #cbd5e1; }
.alert { padding: .55rem .85rem; margin: .6rem 0 1rem; border-radius: .3rem; }
.alert-shortfall { background: #fff7e6; border: 1px solid #f0b85a; }
.alert-infeasible { background: #fdeeee; border: 1px solid #f19a9a; }
.alert ul { margin: .3rem 0 0; }
"""
)


def write_report(
    render: Callable[[dict[str, Any]], str], result: dict[str, Any], path: str | os.PathLike[str]
) -> pathlib.Path:
    """Render ``result`` with ``render`` and write the page atomically to ``path``.

    The document goes to a temporary file in the destination folder and is then moved over ``path``; readers
    never see a partial file and no temporary file is left behind, even on error.

    Parameters
    ----------
    render : callable
        One of the ``render_*_html`` functions.
    result : dict of str to Any
        The dictionary the command prints with ``--json``.
    path : str or os.PathLike of str
        Destination of the HTML file; missing parent folders are created.

    Returns
    -------
    pathlib.Path
        ``path`` as a ``Path``.
    """
    from gigafleet.safeio import write_atomic

    target = pathlib.Path(path)
    write_atomic(target, render(result))
    return target
