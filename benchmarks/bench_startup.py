"""Benchmark: start-up of the ``gigafleet`` command line against ``python -c "import typer, rich"``.

Goal (issue 18): ``gigafleet --help`` in < 1.5x the time of ``python -c "import typer, rich"`` (the floor of
any Typer + Rich program). Every command is a fresh process, timed whole (interpreter, imports, work, exit);
the commands are run in turns (one of each per round) so that load on a busy machine hits them alike, and the
medians of ``--runs`` rounds are printed with their ratio to the baseline (and the fastest run of each, the
least disturbed by other work on a busy machine):

* ``import typer, rich``: the baseline;
* ``import gigafleet.cli``: the package and every command's registration;
* ``gigafleet --help``, ``gigafleet estimate --help``, ``gigafleet plan --help``: the help screens (Rich);
* ``gigafleet estimate --accelerators 1k --samples 100 --json``: the fixed cost of a small estimate.

Two byte-code modes (``--bytecode``): ``cached`` (as installed: every module's ``.pyc`` written once by a
warm-up run, to a temporary ``PYTHONPYCACHEPREFIX``, then read) and ``none`` (``PYTHONDONTWRITEBYTECODE=1``
and no prefix, as in a development checkout with that variable set: gigafleet's own modules are compiled from
source on every start, third-party ones read from their installed ``.pyc``).

Run: ``.venv/bin/python benchmarks/bench_startup.py [--runs 7] [--bytecode both|cached|none]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 1.5
"""``gigafleet --help`` / ``import typer, rich``: the issue's goal [-]."""


def gigafleet_command() -> list[str]:
    """The console script next to this interpreter (``[project.scripts]``), else ``python -m gigafleet.cli``."""
    script = Path(sys.executable).with_name("gigafleet")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gigafleet.cli"]


def workloads() -> dict[str, list[str]]:
    """Label -> command line; the first is the baseline."""
    cli = gigafleet_command()
    return {
        "import typer, rich": [sys.executable, "-c", "import typer, rich"],
        "import gigafleet.cli": [sys.executable, "-c", "import gigafleet.cli"],
        "gigafleet --help": [*cli, "--help"],
        "gigafleet estimate --help": [*cli, "estimate", "--help"],
        "gigafleet plan --help": [*cli, "plan", "--help"],
        "estimate 1k x 100 --json": [*cli, "estimate", "--accelerators", "1k", "--samples", "100", "--json"],
    }


def environment(bytecode: str, prefix: Path) -> dict[str, str]:
    """The environment of the timed processes in byte-code mode ``bytecode`` (``cached`` or ``none``)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["COLUMNS"] = "100"  # the same help layout whatever the terminal
    if bytecode == "cached":
        env["PYTHONPYCACHEPREFIX"] = str(prefix)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def wall_s(command: list[str], env: dict[str, str]) -> float:
    """Wall time of one run of ``command`` [s]; a failing command stops the benchmark."""
    started = time.perf_counter()
    done = subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed


def measure(bytecode: str, runs: int) -> dict[str, list[float]]:
    """Wall times of each workload [s], in byte-code mode ``bytecode``, ``runs`` interleaved rounds."""
    prefix = Path(tempfile.mkdtemp(prefix="gigafleet-pycache-"))
    try:
        env = environment(bytecode, prefix)
        jobs = workloads()
        for command in jobs.values():  # warm-up: writes the .pyc files (cached), warms the file cache (both)
            wall_s(command, env)
        times: dict[str, list[float]] = {label: [] for label in jobs}
        for _ in range(runs):
            for label, command in jobs.items():
                times[label].append(wall_s(command, env))
        return times
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds; medians of these (default 7)")
    parser.add_argument("--bytecode", choices=("both", "cached", "none"), default="both")
    args = parser.parse_args()
    modes = ("cached", "none") if args.bytecode == "both" else (args.bytecode,)
    print(f"gigafleet start-up: medians of {args.runs} interleaved runs, {os.cpu_count()} CPUs")
    for mode in modes:
        times = measure(mode, args.runs)
        medians = {label: statistics.median(values) for label, values in times.items()}
        fastest = {label: min(values) for label, values in times.items()}
        base, base_fastest = next(iter(medians.values())), next(iter(fastest.values()))
        print(f"\nbyte-code {mode}:{'median':>30}{'fastest':>21}")
        for label, median in medians.items():
            print(
                f"  {label:<28} {median * 1000:7.1f} ms {median / base:5.2f}x"
                f"   {fastest[label] * 1000:7.1f} ms {fastest[label] / base_fastest:5.2f}x"
            )
        ratio = medians["gigafleet --help"] / base
        verdict = "meets" if ratio < GOAL_RATIO else "misses"
        print(
            f"  ratio gigafleet --help / import typer, rich = {ratio:.2f} of the medians ({verdict} the goal "
            f"< {GOAL_RATIO}), {fastest['gigafleet --help'] / base_fastest:.2f} of the fastest runs"
        )


if __name__ == "__main__":
    main()
