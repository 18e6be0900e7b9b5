"""Demo functions with known answers, runnable as ``kind: function`` experiments (``ishigami``, ``linear``)."""

from __future__ import annotations

import math
import time


def ishigami(
    x1: float = 0.0, x2: float = 0.0, x3: float = 0.0, a: float = 7.0, b: float = 0.1, seed: int = 0
) -> dict[str, float]:
    """Ishigami function y = sin x1 + a sin² x2 + b x3⁴ sin x1 (Ishigami & Homma 1990), inputs on [−π, π].

    With a = 7, b = 0.1: first-order Sobol indices S1 = 0.3139, S2 = 0.4424, S3 = 0; total ST1 = 0.5576,
    ST2 = 0.4424, ST3 = 0.2437.
    """
    return {"y": math.sin(x1) + a * math.sin(x2) ** 2 + b * x3**4 * math.sin(x1)}


def linear(x: float = 0.0, delay: float = 0.0, seed: int = 0) -> dict[str, float]:
    """y = 2x + seed, after sleeping ``delay`` seconds (0 to 1), for scheduling tests and demos."""
    if not 0.0 <= float(delay) <= 1.0:
        raise ValueError(f"delay {delay!r} must be within [0, 1] s")
    time.sleep(float(delay))
    return {"y": 2.0 * float(x) + seed}
