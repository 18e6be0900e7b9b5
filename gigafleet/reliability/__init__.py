"""Fleet reliability and training goodput: failure model (``model``), vectorised cohort engine (``cohort``),
training-job timeline (``job``), closed forms (``analytic``), SimPy reference (``reference``) and the
orchestrating ``simulate`` (``summary``)."""
