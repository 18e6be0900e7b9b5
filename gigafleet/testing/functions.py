"""Functions for tests of the sweep engine (resume, scheduling, lost workers); not registered for users."""

from __future__ import annotations

import time


def slow_linear(x: float = 0.0, delay: float = 0.02, seed: int = 0, marker_dir: str = "") -> dict[str, float]:
    """y = 2x + seed, after sleeping ``delay`` seconds (for resume and scheduling tests).

    With ``marker_dir``, each call also leaves an empty file there, so a test can watch progress. It writes files,
    so it is not registered: tests register it in-process (``register_function("slow-linear", slow_linear)``).
    """
    time.sleep(delay)
    if marker_dir:
        import os
        import uuid

        open(os.path.join(marker_dir, uuid.uuid4().hex), "w").close()
    return {"y": 2.0 * x + seed}
