"""Start-up of the command line (issue 18): ``gigafleet`` builds a command's options only when it is used.

``gigafleet.cli.main`` runs :func:`gigafleet.cli.app.command` (a group whose sub-commands Typer builds on first
use) instead of ``typer.main.get_command`` (all of them first). These tests hold the two to the same help
screens, usage errors and results, and check the structure that makes it fast: the top-level help builds no
command, a command's help builds that one only. Times are measured by ``benchmarks/bench_startup.py``.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
import typer
import typer.main
from typer.testing import CliRunner

from gigafleet.cli import app
from gigafleet.cli.app import command

SCREENS: tuple[list[str], ...] = (
    [],
    ["--help"],
    ["-h"],
    *([name, "--help"] for name in ("estimate", "check", "run", "plan", "power", "reliability", "capability")),
    *([name, "--help"] for name in ("sweep", "report", "serve", "installed", "compare", "catalog")),
    ["catalog"],
    *(["catalog", name, "--help"] for name in ("list", "show", "check", "audit")),
    ["estimate", "--no-such-flag"],
    ["estimat"],
    ["catalog", "lst"],
    ["catalog", "show"],
    ["estimate", "-n", "1OOM"],
    ["catalog", "list", "no-such-kind"],
)
"""Every help screen (no arguments shows it too) and some usage and input errors."""


def _run(group: Any, args: list[str], width: int = 100) -> tuple[int, str, str]:
    """Exit code, stdout and stderr of ``gigafleet ARGS`` run by the click group ``group`` (as the console
    script runs it: standalone, ``--help`` exits)."""
    runner = CliRunner()
    with runner.isolation(env={"COLUMNS": str(width)}) as (out, err, _):
        try:
            group.main(args=args, prog_name="gigafleet")
            code = 0
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return code, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the commands Typer builds (``get_command_from_info``) while the test runs."""
    names: list[str] = []
    build = typer.main.get_command_from_info

    def counting(command_info: Any, **kwargs: Any) -> Any:
        made = build(command_info, **kwargs)
        names.append(made.name)
        return made

    monkeypatch.setattr(typer.main, "get_command_from_info", counting)
    yield names


@pytest.mark.parametrize("args", SCREENS, ids=lambda a: " ".join(a) or "(no arguments)")
def test_lazy_group_shows_what_typer_shows(args: list[str]) -> None:
    eager = _run(typer.main.get_command(app), args)
    assert eager[1] + eager[2], args  # something was shown
    assert _run(command(app), args) == eager


@pytest.mark.parametrize("width", [40, 80, 200])
def test_top_level_help_is_the_same_at_any_width(width: int) -> None:
    assert _run(command(app), ["--help"], width) == _run(typer.main.get_command(app), ["--help"], width)


def test_top_level_help_builds_no_command(built: list[str]) -> None:
    code, out, _ = _run(command(app), ["--help"])
    assert code == 0 and "estimate" in out and "catalog" in out
    assert built == []
    code, _, _ = _run(command(app), [])
    assert code == 2 and built == []  # no arguments: the same help


def test_a_commands_help_builds_that_command_only(built: list[str]) -> None:
    code, out, _ = _run(command(app), ["estimate", "--help"])
    assert code == 0 and "--accelerators" in out
    assert built == ["estimate"]
    built.clear()
    code, out, _ = _run(command(app), ["catalog", "show", "--help"])
    assert code == 0 and "ID" in out
    assert built == ["show"]  # the catalog group lists its commands without building them


def test_lazy_group_runs_commands_as_typer_does() -> None:
    args = ["estimate", "--accelerators", "1k", "--chip", "h100", "--samples", "200", "--json"]
    code, out, err = _run(command(app), args)
    assert code == 0, err
    eager = _run(typer.main.get_command(app), args)
    assert json.loads(out) == json.loads(eager[1])


def test_lazy_group_has_every_command_of_typers() -> None:
    """Same names in the same order, each the same kind of click command with the same options."""
    lazy, eager = command(app), typer.main.get_command(app)

    def shape(group: Any) -> list[Any]:
        rows = []
        for name in group.list_commands(None):
            cmd = group.get_command(None, name)
            params = [(p.name, tuple(p.opts), p.default, p.help) for p in getattr(cmd, "params", [])]
            sub = shape(cmd) if hasattr(cmd, "commands") else None
            rows.append((name, type(cmd), cmd.help, params, sub))
        return rows

    assert shape(lazy) == shape(eager)  # type: ignore[arg-type]


def test_flag_defaults_are_read_only() -> None:
    from gigafleet import inputs

    for defaults in (inputs.RELIABILITY_DEFAULTS, inputs.POWER_DEFAULTS, inputs.CAPABILITY_DEFAULTS):
        name = dataclasses.fields(defaults)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(defaults, name, "changed")
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(defaults, name)
    assert inputs.INSTALLED_DEFAULTS.samples == "4000"


@pytest.mark.parametrize(
    ("args", "frozen"), [(["--help"], True), (["estimat"], True), (["catalog", "list", "regions", "--json"], False)]
)
def test_main_freezes_the_collector_only_when_no_command_ran(args: list[str], frozen: bool) -> None:
    """A help screen or a usage error ends the process with ``gc.freeze`` (no collection of everything at exit);
    after a command's work the collector is left as it is (its garbage may hold things to release)."""
    import subprocess

    code = (
        "import gc, sys\n"
        "from gigafleet.cli import main\n"
        f"sys.argv = ['gigafleet', *{args!r}]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print('FROZEN', gc.get_freeze_count() > 0, file=sys.stderr)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, check=True)
    assert f"FROZEN {frozen}" in done.stderr, done.stderr[-2000:]
