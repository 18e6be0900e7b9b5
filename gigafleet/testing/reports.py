"""Helpers for the HTML report tests (``tests/reports/``): the page's parts and the checks every report passes.

Every report is one self-contained document: the plotly.js bundle inlined once, one ``<div>`` and one
``Plotly.newPlot`` per chart, and nothing fetched from elsewhere (no script ``src``, stylesheet link, ``@import``,
web font or URL outside the bundle).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from types import ModuleType
from typing import Any


@functools.cache
def plotly_bundle() -> str:
    """The plotly.js bundle that reports inline (plotly's own copy)."""
    from plotly.offline import get_plotlyjs

    return str(get_plotlyjs())


def without_bundle(page: str, bundle: str | None = None) -> str:
    """The page with the inlined plotly.js removed (its code holds URL and tag strings)."""
    return page.replace(bundle if bundle is not None else plotly_bundle(), "")


def section(page: str, section_id: str) -> str:
    """The HTML of one ``<section id=...>``."""
    start = page.index(f'<section id="{section_id}">')
    return page[start : page.index("</section>", start)]


def table_rows(html: str) -> list[str]:
    """The ``<tr>...</tr>`` rows of the ``<tbody>`` of the first table in ``html``."""
    body = html[html.index("<tbody>") : html.index("</tbody>")]
    return re.findall(r"<tr>.*?</tr>", body)


def capture_figures(monkeypatch: Any, module: ModuleType) -> dict[str, Any]:
    """Make ``module`` keep the plotly figures of its next render, by chart id, instead of serialising them."""
    captured: dict[str, Any] = {}

    def capture(fig: Any, div_id: str) -> str:
        captured[div_id] = fig
        return f'<div id="{div_id}"></div>'

    monkeypatch.setattr(module, "figure_html", capture)
    return captured


def assert_single_document(page: str, chart_ids: Sequence[str], *, all_drawn: bool = True) -> None:
    """One HTML document with the bundle once and each chart once (drawn, unless ``all_drawn`` is False)."""
    bundle = plotly_bundle()
    assert page.lstrip().startswith("<!DOCTYPE html>")
    assert page.count("<html") == page.count("</html>") == page.count("<body>") == 1
    assert page.rstrip().endswith("</html>")
    assert page.count(bundle) == 1
    rest = without_bundle(page, bundle)
    assert rest.count('class="plotly-graph-div"') == len(chart_ids)
    for div_id in chart_ids:
        assert rest.count(f'id="{div_id}"') == 1, div_id
    assert rest.count("Plotly.newPlot(") == len(chart_ids)
    if all_drawn:
        assert "No data for this chart." not in rest


def assert_self_contained(page: str) -> None:
    """Nothing the page loads from elsewhere: no script src, stylesheet link, @import, web font or URL."""
    rest = without_bundle(page)
    assert re.search(r"<script[^>]*\bsrc\s*=", page, flags=re.IGNORECASE) is None
    assert re.search(r"<link\b", rest, flags=re.IGNORECASE) is None
    for text in ("@import", "@font-face", "http://", "https://"):
        assert text not in rest, text


def assert_in_order(text: str, markers: Iterable[str]) -> None:
    """Each marker occurs in ``text``, in the order given."""
    positions = [(text.index(marker), marker) for marker in markers]
    assert positions == sorted(positions), [m for _, m in sorted(positions)]
