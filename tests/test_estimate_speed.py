"""Structure of the estimate's speed-ups (issue 18): what runs and what it gives, never how long it takes
(``benchmarks/bench_estimate.py`` measures that).

The summaries are numpy's percentiles bit for bit without ``np.percentile``; a small run partitions one buffer
once for all its outputs; large runs split the table draws and the summaries across threads without changing a
number; a small estimate imports neither ``numpy.ma`` (``np.percentile``'s) nor a thread pool.
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import numpy as np
import pytest

from gigafleet.catalog import load_catalog
from gigafleet.estimate import estimate, summarise
from gigafleet.fleet import FleetSpec, Sizing, simulate_fleet
from gigafleet.uncertainty import parallel, sampling

CATALOG = load_catalog()
GB200 = FleetSpec({"gb200": 1.0}, Sizing("accelerators", 1e8), "liquid", "us", 2026)
MIX = FleetSpec({"h100": 0.4, "gb200": 0.6}, Sizing("it_power_gw", 5.0), "liquid", "us", 2027)
LARGE = 2 * parallel.PARALLEL_MIN_SAMPLES + 1
"""Table draws, window percentiles and threaded parts (an odd size: parts of unequal length)."""


def _no_percentile(*args: object, **kwargs: object) -> None:
    raise AssertionError("np.percentile was called")


@pytest.mark.parametrize("samples", [1, 999, 1000, 50_001, LARGE])
def test_summaries_are_numpys_percentiles_bit_for_bit_without_calling_it(
    samples: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    result = simulate_fleet(CATALOG, MIX, samples, 3)
    totals = result.totals
    expected = {key: [float(v) for v in np.percentile(values, (10, 50, 90))] for key, values in totals.items()}
    monkeypatch.setattr(np, "percentile", _no_percentile)
    together = sampling.quantiles_of(list(totals.values()))
    assert {key: [q.p10, q.p50, q.p90] for key, q in zip(totals, together, strict=True)} == expected
    summary = summarise(result, CATALOG, samples=samples, seed=3)
    for key in ("capex_usd", "it_power_gw", "tco_usd_per_year", "co2_mt_per_year"):
        assert list(summary[key].values()) == expected[key], key
    for part, value in summary["capex_breakdown_usd"].items():
        assert list(value.values()) == expected[f"capex.{part}"], part


def test_a_small_run_partitions_one_buffer_of_every_output_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """All outputs and the sampled baseline ratios of a 10^3-sample run: one buffer, one partition."""
    shapes: list[tuple[int, ...]] = []
    original = sampling._partition_percentiles

    def counted(buffer: np.ndarray) -> list[sampling.Quantiles]:
        shapes.append(buffer.shape)
        return original(buffer)

    monkeypatch.setattr(sampling, "_partition_percentiles", counted)
    result = estimate(GB200, samples=1000, catalog=CATALOG)
    assert len(shapes) == 1
    rows, size = shapes[0]
    assert size == 1000 and rows >= 30  # ~36 distinct outputs and the range baselines' ratios
    assert result["comparisons"] and result["capex_usd"]["p10"] < result["capex_usd"]["p90"]


def _threads(monkeypatch: pytest.MonkeyPatch, count: int) -> None:
    monkeypatch.setattr(parallel, "workers", lambda: count)


def test_large_runs_give_the_same_numbers_on_one_thread_and_on_two(monkeypatch: pytest.MonkeyPatch) -> None:
    fills: list[int] = []
    original = sampling.PertTable._fill

    def counted(self: sampling.PertTable, u: np.ndarray, *args: Any) -> None:
        fills.append(u.size)
        original(self, u, *args)

    monkeypatch.setattr(sampling.PertTable, "_fill", counted)
    _threads(monkeypatch, 1)
    one = estimate(MIX, samples=LARGE, seed=5, catalog=CATALOG)
    assert set(fills) == {LARGE}
    fills.clear()
    _threads(monkeypatch, 2)
    two = estimate(MIX, samples=LARGE, seed=5, catalog=CATALOG)
    assert set(fills) == {LARGE // 2, LARGE - LARGE // 2}  # the draws were split
    assert json.dumps(one) == json.dumps(two)


@pytest.mark.parametrize("threads", [1, 2])
def test_table_draws_split_into_parts_and_steps_equal_one_piece(threads: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parts on threads and cache-sized steps within them compute each value as the whole array in one step
    would; fresh draws (uniforms drawn a step at a time on one thread) equal the table at the whole stream."""
    _threads(monkeypatch, threads)
    table = sampling.pert_table(2.0, 3.0, 7.0)
    assert table is not None
    n = 3 * sampling.TABLE_CHUNK + 17 if threads == 1 else 2 * parallel.PARALLEL_MIN_SAMPLES + 17
    u = np.random.default_rng(0).random(n)
    u[:3] = (0.0, 1e-14, 1.0 - 1e-14)
    one_step = sampling.TableWork(np.empty(n), np.empty(n), np.empty(n, np.intp), np.empty(n, np.float32))
    for dtype in (np.float32, np.float64):
        whole = np.empty(n, dtype)
        table._step(u, whole, dtype == np.float32, one_step)
        assert np.array_equal(table(u, dtype), whole)
        assert np.array_equal(table(u, dtype, scratch=sampling.TableScratch.of(n)), whole)
        stream = np.random.default_rng(9).random(n)
        for scratch in (None, sampling.TableScratch.of(n)):
            drawn = table.draw(np.random.default_rng(9), n, dtype, scratch=scratch)
            assert drawn.dtype == dtype and np.array_equal(drawn, table(stream, dtype))


def test_a_small_estimate_imports_neither_numpy_ma_nor_a_thread_pool() -> None:
    code = (
        "import sys\n"
        "from gigafleet.estimate import estimate\n"
        "from gigafleet.fleet import FleetSpec, Sizing\n"
        "estimate(FleetSpec({'gb200': 1.0}, Sizing('accelerators', 1e8), 'liquid', 'us', 2026), samples=1000)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[:2] == ['numpy', 'ma'] or m.startswith('concurrent')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_threads_follow_the_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    from gigafleet.errors import InputError

    try:
        monkeypatch.setenv(parallel.THREADS_ENV, "3")
        parallel.workers.cache_clear()
        assert parallel.workers() == 3
        assert [p.stop - p.start for p in parallel.parts(10 * parallel.PARALLEL_MIN_SAMPLES)] == [
            10 * parallel.PARALLEL_MIN_SAMPLES // 3 + extra for extra in (0, 1, 1)
        ]
        assert parallel.parts(parallel.PARALLEL_MIN_SAMPLES - 1) == [slice(0, parallel.PARALLEL_MIN_SAMPLES - 1)]
        monkeypatch.setenv(parallel.THREADS_ENV, "0")
        parallel.workers.cache_clear()
        with pytest.raises(InputError, match=parallel.THREADS_ENV):
            parallel.workers()
    finally:
        monkeypatch.undo()
        parallel.workers.cache_clear()


def test_threads_without_the_variable_are_the_idle_cores_plus_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.THREADS_ENV, raising=False)
    monkeypatch.setattr(parallel.os, "sched_getaffinity", lambda pid: {0, 1}, raising=False)
    try:
        for load, expected in ((0.0, 2), (0.9, 2), (1.1, 1), (3.5, 1)):
            monkeypatch.setattr(parallel.os, "getloadavg", lambda load=load: (load, load, load))
            parallel.workers.cache_clear()
            assert parallel.workers() == expected, load
    finally:
        monkeypatch.undo()
        parallel.workers.cache_clear()


def test_work_mapped_from_a_pool_thread_runs_on_that_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    """A function on the pool that maps work again gets it done on its own thread (no wait on a full pool)."""
    import threading

    _threads(monkeypatch, 2)

    def inner(_: int) -> list[str]:
        return parallel.map_parallel(lambda _: threading.current_thread().name, range(3))

    outer: list[list[list[str]]] = []
    runner = threading.Thread(target=lambda: outer.append(parallel.map_parallel(inner, range(4))), daemon=True)
    runner.start()
    runner.join(30)
    assert outer, "the pool's threads wait on work queued behind them"
    assert all(len(set(names)) == 1 and names[0].startswith("gigafleet-numpy") for names in outer[0])
