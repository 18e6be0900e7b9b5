"""The Typer application of the ``gigafleet`` command line, and the checks and output its commands share.

Commands live in ``gigafleet.cli.commands`` (importing ``gigafleet.cli`` registers them); :func:`main` builds
each one's click command only when it is used (:func:`command`). Heavy modules (numpy, pydantic, plotly) are
imported inside commands so that ``gigafleet --help`` is fast.
Every user error prints one line ``error: ...`` on stderr and exits with code 2.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import gc
import importlib
import inspect
import sys
import types
from collections.abc import Callable, Iterator, MutableMapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import typer
import typer.core

from gigafleet.errors import GigafleetError

if TYPE_CHECKING:
    from gigafleet.catalog import Catalog
    from gigafleet.fleet import FleetSpec
    from gigafleet.scenario import Scenario

# --------------------------------------------------------------------------------------------------------
# Start-up: Typer renders help and usage errors with ``typer.rich_utils``, which imports ``rich.markdown``
# (markdown-it, pygments) and ``rich.traceback`` (pygments, attrs) at its top: about half the time of
# ``gigafleet --help``. Neither is used here (``rich_markup_mode`` is not "markdown", pretty exceptions are
# off), so the help classes below import it with stand-ins for those two classes that import the real one
# on first use. Same help, same errors; measured by ``benchmarks/bench_startup.py``.
# --------------------------------------------------------------------------------------------------------

_DEFERRED_RICH = (("rich.markdown", "Markdown"), ("rich.traceback", "Traceback"))
"""The (module, class) pairs of ``typer.rich_utils``'s imports that help and usage errors never use."""


F = TypeVar("F", bound=Callable[..., Any])


class _DeferredClass(type):
    """The metaclass of a stand-in for a Rich class: a call or a class attribute (``Traceback.from_exception``)
    imports the real class and goes to it; ``Markdown | Text`` in annotations works as for any class."""

    _module: str

    def real(cls) -> Any:
        return getattr(importlib.import_module(cls._module), cls.__name__)

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        return cls.real()(*args, **kwargs)

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__"):
            raise AttributeError(name)
        return getattr(cls.real(), name)


def import_rich_utils() -> None:
    """Import ``typer.rich_utils`` (once) without importing ``rich.markdown`` and ``rich.traceback``.

    While it is imported, ``sys.modules`` holds a stand-in module for each of those not yet imported, with a
    :class:`_DeferredClass` of the name it takes; the stand-ins are removed afterwards, so a later import of
    either (``typer.rich_utils`` itself on first use, or any other code) loads the real module.
    """
    if "typer.rich_utils" in sys.modules:
        return
    stand_ins: dict[str, types.ModuleType] = {}
    for module, name in _DEFERRED_RICH:
        if module not in sys.modules:
            stand_ins[module] = types.ModuleType(module)
            setattr(stand_ins[module], name, _DeferredClass(name, (), {"_module": module}))
    sys.modules.update(stand_ins)
    try:
        from typer import rich_utils  # noqa: F401  (an import statement, so -X importtime lists it)
    finally:
        for module, stand_in in stand_ins.items():
            if sys.modules.get(module) is stand_in:
                del sys.modules[module]


def _help_flag_off(option: Any) -> Any:
    """The ``--help`` option with ``False`` for its default instead of ``None``.

    Typer coerces a flag's value through a pydantic ``TypeAdapter`` unless it is already a bool, so the
    ``--help`` flag of ``gigafleet`` left out of ``gigafleet estimate --help`` (``None``) imports pydantic
    (~0.1 s) for nothing; ``False`` means the same to the flag's callback (no help) and is not shown.
    """
    if option is not None and option.default is None:
        option.default = False
    return option


class _Command(typer.core.TyperCommand):
    """A command whose Rich help imports ``typer.rich_utils`` without Markdown and tracebacks, and shows each
    option's help as written (``[default: gb200]`` is text, not a Rich markup tag that would vanish)."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        import_rich_utils()
        from rich.markup import escape

        written = [(param, getattr(param, "help", None)) for param in self.params]
        for param, text in written:
            if text:
                param.help = escape(text)  # type: ignore[attr-defined]
        try:
            super().format_help(ctx, formatter)
        finally:
            for param, text in written:
                if text:
                    param.help = text  # type: ignore[attr-defined]

    def get_help_option(self, ctx: Any) -> Any:
        return _help_flag_off(super().get_help_option(ctx))

    def invoke(self, ctx: Any) -> Any:
        _Run.command_called = True
        return super().invoke(ctx)


class _Run:
    """What :func:`main` needs to know of its run: whether a command's function was called (not only a help
    screen or a usage error shown)."""

    command_called = False


class _Group(typer.core.TyperGroup):
    """A command group whose Rich help and usage errors import ``typer.rich_utils`` without Markdown and
    tracebacks (usage errors are raised while parsing or invoking, and shown by Typer with ``rich_utils``).

    Its ``commands`` may be :class:`_LazyCommands` (:func:`command`): then its help lists each command from its
    name and help text, without building the click command (its options) that only running it, or its own
    help, needs.
    """

    _listing = False
    """True while the group's help is written: :meth:`get_command` gives the listing of a command not built."""

    def format_help(self, ctx: Any, formatter: Any) -> None:
        import_rich_utils()
        self._listing = True
        try:
            super().format_help(ctx, formatter)
        finally:
            self._listing = False

    def list_commands(self, ctx: Any) -> list[str]:
        return list(self.commands)  # the names, in order (Typer's reads the values, which builds them)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if self._listing and isinstance(self.commands, _LazyCommands):
            return self.commands.listing(cmd_name)
        return super().get_command(ctx, cmd_name)

    def get_help_option(self, ctx: Any) -> Any:
        return _help_flag_off(super().get_help_option(ctx))

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except (typer.Exit, typer.Abort):
            raise
        except Exception:
            import_rich_utils()
            raise

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except (typer.Exit, typer.Abort):
            raise
        except Exception:
            import_rich_utils()
            raise


class _Typer(typer.Typer):
    """``typer.Typer`` whose groups are :class:`_Group` and commands :class:`_Command` (unless told others)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("cls", _Group)
        super().__init__(**kwargs)

    def command(self, name: str | None = None, **kwargs: Any) -> Callable[[F], F]:
        kwargs.setdefault("cls", _Command)
        return super().command(name, **kwargs)


class _LazyCommands(MutableMapping[str, Any]):
    """The sub-commands of a group, each built (by Typer, from its function's signature) on first use.

    ``makers`` maps each name, in the order ``--help`` lists them, to the function that builds its click command
    and the function that builds its listing (a :class:`_Command` with only the name and help texts, no options,
    for the group's help).
    """

    def __init__(self, makers: dict[str, tuple[Callable[[], Any], Callable[[], Any]]]) -> None:
        self._makers = makers
        self._built: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._built:
            self._built[name] = self._makers[name][0]()  # KeyError for a name that is no command
        return self._built[name]

    def listing(self, name: str) -> Any:
        """The command ``name`` as the group's help lists it: built if it was, else its listing (None if none)."""
        if name in self._built:
            return self._built[name]
        return self._makers[name][1]() if name in self._makers else None

    def __setitem__(self, name: str, command: Any) -> None:
        self._makers[name] = (lambda: command, lambda: command)
        self._built[name] = command

    def __delitem__(self, name: str) -> None:
        del self._makers[name]
        self._built.pop(name, None)

    def __iter__(self) -> Iterator[str]:
        return iter(self._makers)

    def __len__(self) -> int:
        return len(self._makers)


def command(typer_app: typer.Typer) -> typer.core.TyperGroup:
    """The click group of ``typer_app`` (what ``typer.main.get_command`` makes), with its sub-commands and
    sub-groups built on first use (:class:`_LazyCommands`) instead of all at once.

    Typer builds every command's options from its function's signature (~2 ms a command, ~30 ms for the 15 of
    ``gigafleet``) before it parses anything; ``gigafleet estimate ...`` needs one, ``gigafleet --help`` none
    (it lists names and help texts). Same help, same errors, same commands (``tests/test_cli_startup.py``).
    """
    return _lazy_group(typer.models.TyperInfo(typer_app), typer_app)


def _lazy_group(info: typer.models.TyperInfo, root: typer.Typer) -> typer.core.TyperGroup:
    """The group of ``info`` (the root's, or a sub-group's from ``add_typer``), built by Typer from a copy of its
    Typer without commands, then given its commands as :class:`_LazyCommands`; ``root`` holds the settings."""
    instance = info.typer_instance
    assert instance is not None
    bare = copy.copy(instance)
    bare.registered_commands, bare.registered_groups = [], []
    bare_info = copy.copy(info)
    bare_info.typer_instance = bare
    group = typer.main.get_group_from_info(
        bare_info,
        pretty_exceptions_short=root.pretty_exceptions_short,
        rich_markup_mode=root.rich_markup_mode,
        suggest_commands=root.suggest_commands,
    )
    makers: dict[str, tuple[Callable[[], Any], Callable[[], Any]]] = {}
    for command_info in instance.registered_commands:
        assert command_info.callback is not None
        name = command_info.name or typer.main.get_command_name(command_info.callback.__name__)
        makers[name] = (
            functools.partial(
                typer.main.get_command_from_info,
                command_info,
                pretty_exceptions_short=root.pretty_exceptions_short,
                rich_markup_mode=root.rich_markup_mode,
            ),
            functools.partial(_command_listing, command_info, name),
        )
    for sub_info in instance.registered_groups:
        solved = typer.main.solve_typer_info_defaults(sub_info)
        assert solved.name, "sub-groups are added with a name"
        makers[solved.name] = (
            functools.partial(_lazy_group, sub_info, root),
            functools.partial(_listing, solved.name, solved.help, solved),
        )
    group.commands = _LazyCommands(makers)
    return group


def _command_listing(command_info: typer.models.CommandInfo, name: str) -> _Command:
    """A command as its group's help lists it: name and help as Typer gives them (``get_command_from_info``)."""
    text = command_info.help
    doc = inspect.getdoc(command_info.callback) if text is None else inspect.cleandoc(text)
    return _listing(name, doc, command_info)


def _listing(name: str, text: str | None, info: Any) -> _Command:
    return _Command(
        name=name,
        help=text,
        short_help=info.short_help,
        hidden=info.hidden,
        deprecated=info.deprecated,
        rich_help_panel=info.rich_help_panel,
    )


app = _Typer(
    name="gigafleet",
    help="Plan and simulate AI compute fleets: what N accelerators really take (power, energy, water, CO2, "
    "money), with P10/P50/P90 ranges from a cited catalogue.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
catalog_app = _Typer(help="List, show and check the cited catalogue.", no_args_is_help=True)
app.add_typer(catalog_app, name="catalog")


def user_errors(func: F) -> F:
    """Turn gigafleet errors into one line on stderr and exit code 2."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except GigafleetError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


# --------------------------------------------------------------------------------------------------------
# Checks and output shared by the commands
# --------------------------------------------------------------------------------------------------------


REPORTS = {
    kind: f"gigafleet.reports.{kind}" for kind in ("estimate", "plan", "power", "reliability", "capability", "compare")
}
"""The report module of each command that writes ``--report`` (each has ``write_<kind>_report``)."""


@contextlib.contextmanager
def stages(title: str) -> Iterator[Callable[[str], None]]:
    """A live line on stderr for work of unknown length: a spinner, ``title``, the current stage and the time
    elapsed (Rich); yields the function that sets the stage. Prints nothing when stderr is not a terminal."""
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    if not console.is_terminal:  # a pipe or a log: no live line, and nothing left behind (errors stay one line)
        yield lambda _stage: None
        return
    with Progress(
        SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console, transient=True
    ) as progress:
        task = progress.add_task(title, total=None)
        yield lambda stage: progress.update(task, description=f"{title}: {stage}")


class Tables:
    """Where a command writes its result as tidy tables (``--csv DIR``, ``--parquet DIR``, ``--xlsx FILE``).

    Made when the command starts, so an unwritable path fails before any work; :func:`emit` writes them.
    (A plain class: a frozen dataclass costs about 1 ms of every start, ``gigafleet --help`` included.)
    """

    __slots__ = ("csv_dir", "parquet_dir", "xlsx")

    def __init__(self, csv_dir: Path | None = None, parquet_dir: Path | None = None, xlsx: Path | None = None) -> None:
        self.csv_dir = csv_dir
        self.parquet_dir = parquet_dir
        self.xlsx = xlsx
        check_outputs(("--xlsx", self.xlsx), folder=("--csv", self.csv_dir))
        check_outputs(folder=("--parquet", self.parquet_dir))
        from gigafleet.errors import InputError

        if self.xlsx is not None and self.xlsx.suffix.lower() != ".xlsx":
            raise InputError("--xlsx", str(self.xlsx), "a file name ending in .xlsx")
        for flag, folder in (("--csv", self.csv_dir), ("--parquet", self.parquet_dir)):
            try:
                if folder is not None:
                    folder.mkdir(parents=True, exist_ok=True)  # now, not after the work
            except OSError as exc:
                raise InputError(flag, str(folder), f"a folder that can be created ({exc.strerror})") from None

    def write(self, result: dict[str, Any]) -> None:
        """Write the tables asked for (their paths on stderr)."""
        if self.csv_dir is None and self.parquet_dir is None and self.xlsx is None:
            return
        from gigafleet.export import result_tables, write_tables

        paths = write_tables(result_tables(result), csv_dir=self.csv_dir, parquet_dir=self.parquet_dir, xlsx=self.xlsx)
        folders = sorted({str(p.parent) if p.suffix != ".xlsx" else str(p) for p in paths})
        typer.echo(f"tables written to {', '.join(folders)}", err=True)


def emit(
    result: dict[str, Any],
    *,
    as_json: bool,
    show: Callable[[dict[str, Any]], None] | str,
    report: Path | None = None,
    kind: str = "estimate",
    tables: Tables | None = None,
) -> None:
    """A command's output: the HTML report and the tidy tables if asked (their paths on stderr), then JSON or the
    command's tables: ``show(result)``, or for a name the function of that name in ``gigafleet.cli.tables``
    (imported only when tables are printed)."""
    if tables is not None:
        tables.write(result)
    if report is not None:
        writer = getattr(importlib.import_module(REPORTS[kind]), f"write_{kind}_report")
        typer.echo(f"report written to {writer(result, report)}", err=True)
    if as_json:
        dump(result)
    elif isinstance(show, str):
        from gigafleet.cli import tables as cli_tables

        getattr(cli_tables, show)(result)
    else:
        show(result)


def check_outputs(*paths: tuple[str, Path | None], folder: tuple[str, Path | None] | None = None) -> None:
    """Refuse unwritable or empty output paths before any work (no half-written results)."""
    from gigafleet.safeio import check_output_path

    for flag, path in paths:
        if path is not None:
            check_output_path(path, flag)
    if folder is not None and folder[1] is not None:
        check_output_path(folder[1], folder[0], directory=True)


FLEET_FLAGS = ("chip", "accelerators", "it_power_gw", "facility_power_gw", "budget_usd", "cooling", "region", "year")
"""Scenario keys a fleet flag of the same name sets (``--fleet`` sets ``counts``)."""


def fleet_spec(
    scenario_file: Path | None, max_memory_gb: str, **flags: str | None
) -> tuple[Scenario, Catalog, FleetSpec]:
    """The scenario, catalogue and fleet of the fleet flags that ``estimate`` and ``check`` share.

    ``flags`` are the flag values as typed (``chip``, ``fleet``, ``accelerators`` ... ``samples``, ``seed``);
    errors name the flag, or the scenario file's key where the value came from ``--scenario``.
    """
    from gigafleet.catalog import load_catalog
    from gigafleet.inputs import build_scenario, error_names, memory_gb
    from gigafleet.scenario import to_spec

    scenario = build_scenario(**flags, scenario_file=scenario_file, max_memory_gb=memory_gb(max_memory_gb))
    catalog = load_catalog()
    names = error_names(scenario_file, counts=flags["fleet"], **{key: flags[key] for key in FLEET_FLAGS})
    return scenario, catalog, to_spec(catalog, scenario, names)


def check_solver(name: str) -> None:
    from gigafleet.solver import check_solver

    check_solver(name, "--solver")


def finite(obj: Any) -> Any:
    """The object with NaN and infinite floats as None (JSON null): JSON has no NaN."""
    import math

    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: finite(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [finite(v) for v in obj]
    return obj


def dump(obj: Any) -> None:
    import json

    typer.echo(json.dumps(finite(obj), indent=2, allow_nan=False))


def main() -> None:
    """Console-script entry point.

    When no command ran (a help screen or a usage error was shown), the objects made so far are moved out of the
    garbage collector's reach (``gc.freeze``) before the process ends: the collections that Python runs while it
    shuts down would otherwise go through every one of them (Typer, Click and Rich: ~3% of ``gigafleet --help``
    on an idle machine, ~15% on a busy one), to find no garbage with anything to release.
    """
    try:
        command(app)()  # app(), with each command built only when used
    except GigafleetError as exc:  # errors raised outside commands (e.g. while parsing)
        typer.echo(f"error: {exc}", err=True)
        sys.exit(2)
    finally:
        if not _Run.command_called:
            gc.freeze()


if __name__ == "__main__":
    main()
