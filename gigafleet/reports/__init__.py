"""Self-contained HTML reports, one module per command, on shared parts.

* ``document``: page skeleton, sections, tables, style sheets, atomic writing;
* ``figures``: palette, Plotly embedding, chart helpers;
* ``format``: numbers with units; ``values``: tolerant readers of result dictionaries;
* ``estimate``, ``plan``, ``power``, ``reliability``, ``capability``, ``sweep``: ``render_*_html`` and
  ``write_*_report`` of each command's result.
"""
