"""Build-out planning: the year-by-year (or quarter-by-quarter) least-cost plan of chips, sites, data centres and
power (linopy + HiGHS).

``scenario`` (typed YAML), ``parameters`` (coefficients from the catalogue and fleet model), ``model`` (the LP, one
``define_*`` function per constraint family), ``terms`` (linear expressions as labelled numpy arrays, handed to
linopy once per family), ``solve`` (solve, results, binding limits and shadow prices), ``synthetic`` (world-sized
scenarios for benchmarks and scale tests).
"""
