"""Build-out planning: the year-by-year least-cost plan of chips, sites, data centres and power (linopy + HiGHS).

``scenario`` (typed YAML), ``parameters`` (coefficients from the catalogue and fleet model), ``model`` (the LP),
``solve`` (solve, results, binding limits and shadow prices).
"""
