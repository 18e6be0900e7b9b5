"""Benchmark: start-up of the ``gigafleet`` command line against ``python -c "import typer, rich"``.

Goal (issue 18): ``gigafleet --help`` in < 1.5x the time of ``python -c "import typer, rich"`` (what any Typer +
Rich program imports first; drawing a Rich help screen imports more of Rich: ``docs/startup.md``). Every
command is a fresh process, timed whole (interpreter, imports, work, exit); the commands are run in turns (one
of each per round) so that load on a busy machine hits them alike, and the
medians of ``--runs`` rounds are printed with their ratio to the baseline, with the fastest run of each (the
least disturbed by other work) and the median CPU time (user + system: waiting for a CPU does not count, so it
moves less than wall time on a busy machine):

* ``import typer, rich``: the baseline;
* ``import gigafleet.cli``: the package and every command's registration;
* ``gigafleet --help``, ``gigafleet estimate --help``, ``gigafleet plan --help``: the help screens (Rich);
* ``gigafleet estimate --accelerators 1k --samples 100 --json``: the fixed cost of a small estimate.

Two byte-code modes (``--bytecode``): ``cached`` (as installed: every module's ``.pyc`` written once by a
warm-up run, to a temporary ``PYTHONPYCACHEPREFIX``, then read) and ``none`` (``PYTHONDONTWRITEBYTECODE=1``
and no prefix, as in a development checkout with that variable set: gigafleet's own modules are compiled from
source on every start, third-party ones read from their installed ``.pyc``).

``--before CHECKOUT`` (a copy of older gigafleet, e.g. ``git worktree add /tmp/before COMMIT``) runs every
workload of that code too, in the same rounds (its rows are marked ``(before)``; the processes run in a
temporary folder with ``PYTHONPATH=CHECKOUT``). ``--instructions`` counts each workload's instructions once
under ``valgrind --tool=callgrind`` instead (deterministic, the same on a busy machine; ~50x slower).

Run: ``.venv/bin/python benchmarks/bench_startup.py [--runs 7] [--bytecode both|cached|none] [--before DIR]
[--instructions]``.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

GOAL_RATIO = 1.5
"""``gigafleet --help`` / ``import typer, rich``: the issue's goal [-]."""
BASELINE = "import typer, rich"
HELP = "gigafleet --help"


def gigafleet_command() -> list[str]:
    """The console script next to this interpreter (``[project.scripts]``), else ``python -m gigafleet.cli``."""
    script = Path(sys.executable).with_name("gigafleet")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gigafleet.cli"]


def workloads() -> dict[str, list[str]]:
    """Label -> command line; the first is the baseline."""
    cli = gigafleet_command()
    return {
        BASELINE: [sys.executable, "-c", "import typer, rich"],
        "import gigafleet.cli": [sys.executable, "-c", "import gigafleet.cli"],
        HELP: [*cli, "--help"],
        "gigafleet estimate --help": [*cli, "estimate", "--help"],
        "gigafleet plan --help": [*cli, "plan", "--help"],
        "estimate 1k x 100 --json": [*cli, "estimate", "--accelerators", "1k", "--samples", "100", "--json"],
    }


def environment(bytecode: str, prefix: Path, checkout: Path | None = None) -> dict[str, str]:
    """The environment of the timed processes in byte-code mode ``bytecode`` (``cached`` or ``none``), running
    the gigafleet of ``checkout`` if given (else the installed one)."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["COLUMNS"] = "100"  # the same help layout whatever the terminal
    if bytecode == "cached":
        env["PYTHONPYCACHEPREFIX"] = str(prefix)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    if checkout is not None:
        env["PYTHONPATH"] = str(checkout)
    return env


def _child_cpu_s() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_s(command: list[str], env: dict[str, str], cwd: Path) -> tuple[float, float]:
    """Wall time and CPU time (user + system) of one run of ``command`` [s]; a failing command stops the
    benchmark."""
    cpu, started = _child_cpu_s(), time.perf_counter()
    done = subprocess.run(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    elapsed, cpu = time.perf_counter() - started, _child_cpu_s() - cpu
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr.decode()[-2000:]}")
    return elapsed, cpu


def instructions(command: list[str], env: dict[str, str], cwd: Path) -> int:
    """Instructions one run of ``command`` executes (callgrind's ``Collected``), after a warm-up run."""
    run_s(command, env, cwd)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env,
        cwd=cwd,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    assert found is not None, done.stderr[-2000:]
    return int(found.group(1))


def jobs(bytecode: str, prefix: Path, before: Path | None) -> dict[str, tuple[list[str], dict[str, str]]]:
    """Label -> (command line, environment) of every workload, and of the ``before`` checkout's if given."""
    found = {label: (command, environment(bytecode, prefix)) for label, command in workloads().items()}
    if before is not None:
        env = environment(bytecode, prefix, before)
        found.update({f"{label} (before)": (command, env) for label, command in workloads().items()})
    return found


def measure(bytecode: str, runs: int, before: Path | None) -> dict[str, list[tuple[float, float]]]:
    """(wall, CPU) times of each workload [s], in byte-code mode ``bytecode``, ``runs`` interleaved rounds."""
    prefix = Path(tempfile.mkdtemp(prefix="gigafleet-pycache-"))
    try:
        work = prefix / "work"  # not the repository: ``python -c`` puts the working folder first on sys.path
        work.mkdir()
        todo = jobs(bytecode, prefix, before)
        for command, env in todo.values():  # warm-up: writes the .pyc files (cached), warms the file cache (both)
            run_s(command, env, work)
        times: dict[str, list[tuple[float, float]]] = {label: [] for label in todo}
        for _ in range(runs):
            for label, (command, env) in todo.items():
                times[label].append(run_s(command, env, work))
        return times
    finally:
        shutil.rmtree(prefix, ignore_errors=True)


def _stats(values: list[tuple[float, float]]) -> tuple[float, float, float]:
    """Median wall time, fastest wall time and median CPU time of runs [s]."""
    walls = [wall for wall, _ in values]
    return statistics.median(walls), min(walls), statistics.median(cpu for _, cpu in values)


def report(times: dict[str, list[tuple[float, float]]]) -> None:
    """Print the medians, fastest runs and CPU medians with their ratios to the baseline (of the same code)."""
    print(f"{'':<40}{'median':>10}{'fastest':>21}{'CPU median':>23}")
    for label, values in times.items():
        base = _stats(times[BASELINE + (" (before)" if label.endswith("(before)") else "")])
        row = [f"{s * 1000:8.1f} ms {s / b:5.2f}x" for s, b in zip(_stats(values), base, strict=True)]
        print(f"  {label:<36} {'   '.join(row)}")
    (help_median, help_fastest, _), (base_median, base_fastest, _) = _stats(times[HELP]), _stats(times[BASELINE])
    ratio = help_median / base_median
    verdict = "meets" if ratio < GOAL_RATIO else "misses"
    print(
        f"  ratio {HELP} / {BASELINE} = {ratio:.2f} of the medians ({verdict} the goal < {GOAL_RATIO}), "
        f"{help_fastest / base_fastest:.2f} of the fastest runs"
    )


def count(bytecode: str, before: Path | None) -> None:
    """Print each workload's instructions and their ratio to the baseline's."""
    prefix = Path(tempfile.mkdtemp(prefix="gigafleet-pycache-"))
    try:
        work = prefix / "work"
        work.mkdir()
        todo = jobs(bytecode, prefix, before)
        counted = {label: instructions(command, env, work) for label, (command, env) in todo.items()}
    finally:
        shutil.rmtree(prefix, ignore_errors=True)
    print(f"{'':<40}{'instructions':>14}")
    for label, value in counted.items():
        base = counted[BASELINE + (" (before)" if label.endswith("(before)") else "")]
        print(f"  {label:<36} {value / 1e6:8.1f} M {value / base:5.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=7, help="rounds; medians of these (default 7)")
    parser.add_argument("--bytecode", choices=("both", "cached", "none"), default="both")
    parser.add_argument("--before", type=Path, default=None, help="checkout of older gigafleet to compare with")
    parser.add_argument("--instructions", action="store_true", help="count instructions (valgrind) instead")
    args = parser.parse_args()
    before = args.before.resolve() if args.before is not None else None
    modes = ("cached", "none") if args.bytecode == "both" else (args.bytecode,)
    load = os.getloadavg()[0]
    if args.instructions:
        print(f"gigafleet start-up: instructions of one run each (callgrind), load {load:.1f}")
    else:
        print(f"gigafleet start-up: medians of {args.runs} interleaved runs, {os.cpu_count()} CPUs, load {load:.1f}")
    for mode in modes:
        print(f"\nbyte-code {mode}:")
        if args.instructions:
            count(mode, before)
        else:
            report(measure(mode, args.runs, before))


if __name__ == "__main__":
    main()
