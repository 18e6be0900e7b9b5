"""Self-contained HTML reports, one module per command, on shared parts.

* ``document``: page skeleton, sections, tables, style sheets, atomic writing;
* ``figures``: palette, Plotly embedding, chart helpers;
* ``values``: tolerant readers of result dictionaries (numbers are printed by ``gigafleet.formatting``);
* ``estimate``, ``plan``, ``power``, ``reliability``, ``capability``, ``sweep``: ``render_*_html`` and
  ``write_*_report`` of each command's result.
* ``sitemap``: the offline site map (``site_map_html`` for reports, ``site_map_json`` for the web app), on the
  shipped Natural Earth base map.

Every page works offline: plotly.js is embedded inline exactly once and nothing refers to an external script,
style sheet or font. All text taken from a result is HTML-escaped. Tables are plain HTML and readable without
JavaScript; a chart without data shows a note instead. Writes are atomic (``document.write_report``).
"""
