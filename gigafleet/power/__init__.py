"""Campus power design: hourly least-cost supply for an AI campus (``weather``, ``facility``, ``repdays``,
``campus``)."""
