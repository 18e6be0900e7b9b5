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


def inputs_html(items: Sequence[tuple[str, str]], *, details: bool = True) -> str:
    """The inputs under a page's title: one line ``label: text · ...`` and, with ``details``, a collapsible table.

    ``items`` are ``(label, text)`` pairs of raw text (escaped here); no items give an empty string.
    """
    if not items:
        return ""
    summary = escape(" · ".join(f"{label}: {text}" for label, text in items))
    if not details:
        return f'<p class="subtitle">{summary}</p>'
    rows = "".join(f'<tr><th scope="row">{escape(label)}</th><td>{escape(text)}</td></tr>' for label, text in items)
    table = f'<details><summary>Inputs</summary><table class="inputs"><tbody>{rows}</tbody></table></details>'
    return f'<p class="subtitle">{summary}</p>{table}'


def key_figures_section(rows: Sequence[Sequence[str]]) -> str:
    """The key-figures table of a single-result page: one row per quantity, ``(quantity, value, definition)``."""
    return table_section(
        "key-figures",
        "Key figures",
        ("Quantity", "Value", "Definition"),
        rows,
        numeric=(1,),
        css="key-figures",
        empty="No key figures in this result.",
    )


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
