"""The style sheets of the report pages: ``CSS`` for every page, ``PLAN_CSS`` adding status badges and alerts.

Plain CSS, inlined in each page (no fetched stylesheet or web font); charts are styled by the Plotly template in
:mod:`gigafleet.reports.figures`.
"""

from __future__ import annotations

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

"""Every page: type, tables, number cells, captions, the <noscript> note and the footer."""

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
"""Pages with a status (plan, power, reliability, capability): the badges and the shortfall/infeasible alerts."""
