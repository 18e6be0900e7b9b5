"""Bad-input corpus over every command (issue 12).

Every case is an invocation that must be refused as a user error:

* exit code 2, no traceback, no exception other than ``SystemExit``;
* stderr is exactly one line starting with ``error:``, under 1,000 characters, that names the field (the flag,
  the argument's metavar, the scenario key path or the file) and never quotes a huge value or a file's content;
* nothing is written: the case's working folder (where default outputs such as ``out/`` land) is unchanged.

The corpus is built programmatically: each numeric flag of each command x a list of bad values fitting its kind,
string flags, scenario / plan / experiment files with bad contents, unwritable output paths, and inputs that used
to give a silently wrong result. Bases are small so that a wrongly accepted case still finishes quickly; each case
also runs under a timeout (SIGALRM) so that an accepted absurd input cannot hang the suite.
"""

from __future__ import annotations

import copy
import importlib.util
import os
import re
import shutil
import signal
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from typer.testing import CliRunner

from gigafleet.cli import app

CASE_TIMEOUT_S = 20
MAX_LINE = 1000
HUGE = 10_000
SCENARIO_DIR = Path(__file__).resolve().parents[1] / "gigafleet" / "scenarios"

# ---------------------------------------------------------------------------------------------------------
# Case model
# ---------------------------------------------------------------------------------------------------------

DIR = object()
"""Marker in :attr:`Case.files`: create a directory instead of a file."""


@dataclass(frozen=True)
class Case:
    """One bad invocation. ``{tmp}`` in args is replaced by the case's working folder."""

    args: tuple[str, ...]
    fields: tuple[str, ...]
    """At least one of these must appear in the error line (flag, metavar, key path or file name)."""
    files: tuple[tuple[str, Any], ...] = ()
    """(relative path, bytes | str | DIR) created in the working folder before the run."""
    forbidden: tuple[str, ...] = ()
    """Strings that must not appear anywhere in the output (file content); never echoed in failure messages."""
    needs: str = ""
    """``serve`` (skipped without gigafleet.web.server), ``sweep-store`` (a stored sweep), ``non-root``."""


def param(
    case_id: str,
    args: list[str],
    fields: list[str] | str,
    *,
    files: dict[str, Any] | None = None,
    forbidden: tuple[str, ...] = (),
    needs: str = "",
) -> Any:
    fields_t = (fields,) if isinstance(fields, str) else tuple(fields)
    case = Case(tuple(args), fields_t, tuple((files or {}).items()), forbidden, needs)
    return pytest.param(case, id=_clean_id(case_id))


def _clean_id(text: str) -> str:
    text = text.replace(" ", "_")
    return text if len(text) <= 90 else f"{text[:80]}...({len(text)})"


# ---------------------------------------------------------------------------------------------------------
# Numeric flags: every flag x the bad values of its kind
# ---------------------------------------------------------------------------------------------------------

COMMON_BAD: tuple[tuple[str, str], ...] = (
    ("empty", ""),
    ("blank", "  "),
    ("abc", "abc"),
    ("nan", "nan"),
    ("NaN", "NaN"),
    ("inf", "inf"),
    ("-inf", "-inf"),
    ("-1", "-1"),
    ("1e400", "1e400"),
    ("1e30", "1e30"),
    ("1OOM", "1OOM"),
    ("fullwidth", "１００"),
    ("hex", "0x10"),
    ("huge-digits", "9" * HUGE),
    ("huge-text", "x" * HUGE),
)
KIND_BAD: dict[str, tuple[tuple[str, str], ...]] = {
    "count": (("0", "0"), ("0.5", "0.5")),  # a whole number >= 1
    "whole0": (("0.5", "0.5"),),  # a whole number >= 0
    "seed": (("0.5", "0.5"), ("2**31", "2147483648"), ("2**53+1", "9007199254740993")),
    "positive": (("0", "0"), ("1e-30", "1e-30")),  # an amount > 0
    "nonneg": (),  # an amount >= 0
    "fraction": (("0", "0"), ("1.5", "1.5"), ("150%", "150%"), ("-0.1", "-0.1")),  # (0, 1]
    "fraction0": (("1.5", "1.5"), ("150%", "150%"), ("-0.1", "-0.1")),  # [0, 1]
    "year": (("0", "0"), ("1800", "1800"), ("3000", "3000"), ("2030.5", "2030.5")),
    "percent": (("150", "150"),),  # 0-100 %
}


@dataclass(frozen=True)
class Flag:
    name: str
    kind: str
    extra: tuple[tuple[str, str], ...] = ()
    drop: tuple[str, ...] = ()
    """Flags of the base to remove (e.g. --accelerators when another sizing flag is given)."""
    template: str = "{}"
    """How the value is written (``uk={}`` for --claim-share-of)."""
    override: tuple[tuple[str, str], ...] = ()
    """Replacements of common bad values (label, value), e.g. a cheaper fullwidth number."""


@dataclass(frozen=True)
class Command:
    name: tuple[str, ...]
    base: tuple[tuple[str, str | None], ...]
    """(flag, value) pairs; value None for a switch such as --json."""
    flags: tuple[Flag, ...]
    needs: str = ""
    files: tuple[tuple[str, Any], ...] = ()
    positional: tuple[str, ...] = ()

    def invocation(
        self, replace: dict[str, str] | None = None, drop: tuple[str, ...] = (), extra: list[str] | None = None
    ) -> list[str]:
        replace = dict(replace or {})
        args = [*self.name, *self.positional]
        for flag, value in self.base:
            if flag in drop or flag in replace:
                continue
            args += [flag, value] if value is not None else [flag]
        for flag, value in replace.items():
            args += [flag, value]
        return args + list(extra or [])


SIZING = ("--accelerators", "--it-power-gw", "--facility-power-gw", "--budget-usd")


def _fleet_flags() -> tuple[Flag, ...]:
    def sizing(name: str) -> Flag:
        return Flag(
            name, "count" if name == "--accelerators" else "positive", drop=tuple(s for s in SIZING if s != name)
        )

    return (
        *(sizing(s) for s in SIZING),
        Flag("--year", "year"),
        Flag("--utilisation", "fraction"),
        Flag("--mfu", "fraction"),
        Flag("--samples", "count", (("1e7-memory", "1e7"), ("1e8", "1e8"))),
        Flag("--seed", "seed"),
    )


FUNCTION_EXPERIMENT: dict[str, Any] = {
    "name": "corpus",
    "kind": "function",
    "function": "linear",
    "sample": {"method": "random", "n": 2, "seed": 0, "parameters": {"function.x": {"low": 0.0, "high": 1.0}}},
    "outputs": ["y"],
}

COMMANDS: tuple[Command, ...] = (
    Command(
        ("estimate",),
        (("--chip", "h100"), ("--accelerators", "1000"), ("--samples", "100"), ("--json", None)),
        _fleet_flags(),
    ),
    Command(
        ("check",),
        (
            ("--chip", "h100"),
            ("--accelerators", "1000"),
            ("--samples", "100"),
            ("--claim-power-gw", "5"),
            ("--json", None),
        ),
        (
            *_fleet_flags(),
            Flag("--claim-capex-usd", "positive"),
            Flag("--claim-power-gw", "positive"),
            Flag("--claim-energy-twh", "positive"),
            Flag("--claim-share-of", "positive", template="uk={}"),
        ),
    ),
    Command(
        ("reliability",),
        (("--accelerators", "1000"), ("--days", "1"), ("--json", None)),
        (
            Flag("--accelerators", "count"),
            Flag("--days", "positive"),
            Flag("--job-size", "count"),
            Flag("--checkpoint-interval", "positive"),
            Flag("--checkpoint-write-minutes", "nonneg"),
            Flag("--restart-minutes", "nonneg"),
            Flag("--hot-spares", "whole0"),
            Flag("--spares-pct", "percent"),
            Flag("--seed", "seed"),
            Flag("--max-memory-gb", "positive"),
        ),
    ),
    Command(
        ("capability",),
        (("--accelerators", "1000"), ("--samples", "10"), ("--json", None)),
        (
            Flag("--accelerators", "count"),
            Flag("--days", "positive"),
            Flag("--mfu", "fraction"),
            Flag("--goodput", "fraction"),
            Flag("--training-share", "fraction"),
            Flag("--campus-share", "fraction"),
            Flag("--linked-campuses", "count"),
            Flag("--serve-params", "positive"),
            Flag("--samples", "count", (("1e7", "1e7"),)),
            Flag("--seed", "seed"),
        ),
    ),
    Command(
        ("power",),
        (("--site", "abilene-tx"), ("--it-load-gw", "0.1"), ("--hours", "repdays"), ("--days", "2"), ("--json", None)),
        (
            Flag("--it-load-gw", "positive"),
            Flag("--year", "year"),
            Flag("--carbon-cap-g-per-kwh", "nonneg"),
            Flag("--availability", "fraction"),
            Flag("--days", "count", (("61", "61"),)),
            Flag("--reserve-margin", "fraction0"),
            Flag("--training-swing", "nonneg"),
            Flag("--grid-gw", "nonneg"),
            Flag("--seed", "seed"),
        ),
    ),
    Command(
        ("sweep",),
        (("--workers", "1"), ("--store", "{tmp}/s.duckdb")),
        (Flag("--workers", "count", (("100000", "100000"),), override=(("fullwidth", "２"),)),),
        files=(("exp.yaml", yaml.safe_dump(FUNCTION_EXPERIMENT)),),
        positional=("{tmp}/exp.yaml",),
    ),
    Command(
        ("installed",),
        (("--through", "2025"), ("--samples", "200"), ("--json", None)),
        (
            Flag("--lifetime-years", "positive"),
            Flag("--samples", "count", (("1e7", "1e7"),)),
            Flag("--seed", "seed"),
            Flag("--through", "year"),
        ),
    ),
    Command(
        ("serve",),
        (("--port", "8765"),),
        (Flag("--port", "count", (("70000", "70000"), ("65536", "65536"))), Flag("--max-jobs", "count")),
        needs="serve",
    ),
)


def numeric_cases() -> Iterator[Any]:
    for command in COMMANDS:
        for flag in command.flags:
            override = dict(flag.override)
            for label, value in (*COMMON_BAD, *KIND_BAD[flag.kind], *flag.extra):
                value = override.get(label, value)
                args = command.invocation({flag.name: flag.template.format(value)}, drop=flag.drop)
                yield param(
                    f"{' '.join(command.name)}{flag.name}={label}",
                    args,
                    flag.name,
                    files=dict(command.files),
                    needs=command.needs,
                )


# ---------------------------------------------------------------------------------------------------------
# String flags and positional arguments
# ---------------------------------------------------------------------------------------------------------

LONG = "x" * HUGE


def _cmd(name: str) -> Command:
    return next(c for c in COMMANDS if c.name == (name,))


def string_cases() -> Iterator[Any]:
    est, rel, cap, pwr, swp = (_cmd(n) for n in ("estimate", "reliability", "capability", "power", "sweep"))
    chk = _cmd("check")
    bad_ids = (("empty", ""), ("blank", " "), ("unknown", "nope"), ("huge", LONG), ("comma", ","))
    for command in (est, chk):
        cname = command.name[0]
        for label, value in (
            *bad_ids,
            ("share-nan", "h100:nan"),
            ("share-neg", "h100:-1,gb200:2"),
            ("twice", "h100:0.4,h100:0.6"),
            ("mix-no-share", "h100:0.4,gb200"),
            ("share-inf", "h100:inf,gb200:0.5"),
            ("share-zero", "h100:0,gb200:1"),
        ):
            yield param(f"{cname}--chip={label}", command.invocation({"--chip": value}), "--chip")
        for flag in ("--cooling", "--region"):
            for label, value in (("empty", ""), ("unknown", "vapour"), ("huge", LONG)):
                yield param(f"{cname}{flag}={label}", command.invocation({flag: value}), flag)
        fleet_bad = (
            ("empty", ""),
            ("no-count", "h100"),
            ("abc", "h100=abc"),
            ("nan", "h100=nan"),
            ("neg", "h100=-1"),
            ("zero", "h100=0"),
            ("1e30", "h100=1e30"),
            ("half", "h100=0.5"),
            ("unknown", "nope=1M"),
            ("no-id", "=1M"),
            ("huge", LONG),
            ("huge-id", f"{LONG}=1M"),
            ("twice", "h100=1M,h100=2M"),
            ("twice-case", "h100=1M,H100=2M"),
            ("commas", ",,"),
        )
        for label, value in fleet_bad:
            yield param(
                f"{cname}--fleet={label}",
                command.invocation({"--fleet": value}, drop=("--chip", "--accelerators")),
                "--fleet",
            )
        yield param(f"{cname}--fleet-and-chip", command.invocation({"--fleet": "h100=1M"}), ["--fleet", "--chip"])
        yield param(
            f"{cname}-two-sizings",
            command.invocation({"--it-power-gw": "1"}),
            ["--accelerators", "--it-power-gw", "sizing"],
        )
    for label, value in (
        ("empty", ""),
        ("no-eq", "uk"),
        ("no-key", "=0.5"),
        ("unknown", "nope=0.5"),
        ("huge-key", f"{LONG}=0.5"),
    ):
        yield param(f"check--claim-share-of={label}", chk.invocation({"--claim-share-of": value}), "--claim-share-of")
    yield param("check-no-claims", chk.invocation(drop=("--claim-power-gw",)), ["claim"])
    yield param(
        "check--claim-share-of-twice",
        chk.invocation(extra=["--claim-share-of", "uk=0.5", "--claim-share-of", "uk=0.7"]),
        "--claim-share-of",
    )
    for label, value in bad_ids:
        yield param(f"reliability--chip={label}", rel.invocation({"--chip": value}), "--chip")
        yield param(f"capability--chip={label}", cap.invocation({"--chip": value}), "--chip")
        yield param(f"power--site={label}", pwr.invocation({"--site": value}), "--site")
    for label, value in (("empty", ""), ("word", "sometimes"), ("huge", LONG)):
        yield param(
            f"reliability--checkpoint-interval={label}",
            rel.invocation({"--checkpoint-interval": value}),
            "--checkpoint-interval",
        )
    for label, value in (("empty", ""), ("unknown", "fp3"), ("huge", LONG)):
        yield param(f"capability--precision={label}", cap.invocation({"--precision": value}), "--precision")
    for label, value in (("empty", ""), ("abc", "h100=abc"), ("unknown", "nope=1M"), ("twice", "h100=1M,h100=2M")):
        yield param(
            f"capability--fleet={label}", cap.invocation({"--fleet": value}, drop=("--accelerators",)), "--fleet"
        )
    yield param("capability--plan-and-fleet", cap.invocation({"--plan": "abc"}), "--plan")
    yield param(
        "capability--plan=unknown",
        cap.invocation({"--plan": "nope", "--store": "{tmp}/s.duckdb"}, drop=("--accelerators",)),
        ["--plan", "--store"],
    )
    for flag, values in (
        ("--sources", (("empty", ""), ("unknown", "grid,nope"), ("commas", ",,,"), ("huge", LONG))),
        ("--hours", (("empty", ""), ("unknown", "weekly"), ("huge", LONG))),
        ("--cooling", (("empty", ""), ("unknown", "vapour"))),
        ("--solver", (("empty", ""), ("unknown", "nope"))),
    ):
        for label, value in values:
            yield param(f"power{flag}={label}", pwr.invocation({flag: value}), flag)
    for label, value in (("empty", ""), ("not-a-url", "not a url"), ("huge", LONG)):
        yield param(
            f"sweep--scheduler={label}", swp.invocation({"--scheduler": value}), "--scheduler", files=dict(swp.files)
        )
    for label, value in (("empty", ""), ("unknown", "nope")):
        yield param(f"plan--solver={label}", ["plan", "demo", "--no-store", "--solver", value], "--solver")
    for label, value in (("empty", ""), ("unknown", "nope"), ("huge", LONG), ("traversal", "../../etc/passwd")):
        yield param(f"catalog-show={label}", ["catalog", "show", value], "ID")
        yield param(f"catalog-list={label}", ["catalog", "list", value], "KIND")
    yield param("catalog-check--path=missing", ["catalog", "check", "--path", "{tmp}/missing"], ["--path", "missing"])
    yield param("catalog-check--path=file", ["catalog", "check", "--path", "{tmp}/afile"], ["--path", "afile"])
    yield param("catalog-check--path=empty", ["catalog", "check", "--path", ""], "--path")
    for label, args, fields in (
        ("token-empty", ["--token", ""], "--token"),
        ("no-token-public", ["--no-token", "--host", "0.0.0.0"], ["--no-token", "--host"]),
        ("host-empty", ["--host", ""], "--host"),
        ("host-garbage", ["--host", "not a host"], "--host"),
        ("allow-host-empty", ["--allow-host", ""], "--allow-host"),
        ("token-and-no-token", ["--token", "abc123abc123", "--no-token"], ["--token", "--no-token"]),
    ):
        yield param(f"serve-{label}", ["serve", "--port", "8765", *args], fields, needs="serve")


# ---------------------------------------------------------------------------------------------------------
# Files: scenario, plan scenario and experiment files with bad contents
# ---------------------------------------------------------------------------------------------------------

SCENARIO: dict[str, Any] = {
    "name": "corpus",
    "fleet": {"chip": "h100", "accelerators": 1000},
    "samples": 100,
    "claims": {"power_gw": 5},
}
NAN, INF = float("nan"), float("inf")


def _set(data: Any, path: str, value: Any) -> Any:
    """A deep copy of ``data`` with the dotted ``path`` set (digits index lists); ``...`` deletes the key."""
    data = copy.deepcopy(data)
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
    node = data
    for key in keys[:-1]:
        node = node[key]
    if value is ...:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return data


def _dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=10**6)


SCENARIO_MUTATIONS: tuple[tuple[str, str, Any], ...] = (
    ("unknown-key", "colour", "red"),
    ("fleet-unknown-key", "fleet.chips", ["h100"]),
    *(
        (f"accelerators={label}", "fleet.accelerators", value)
        for label, value in (
            ("abc", "abc"),
            ("true", True),
            ("false", False),
            ("inf", INF),
            ("nan", NAN),
            ("-1", -1),
            ("0", 0),
            ("1e30", 1e30),
            ("0.5", 0.5),
            ("list", []),
            ("map", {}),
            ("1OOM", "1OOM"),
            ("huge", LONG),
        )
    ),
    *(
        (f"chip={label}", "fleet.chip", value)
        for label, value in (("empty", ""), ("unknown", "nope"), ("int", 123), ("true", True), ("huge", LONG))
    ),
    *(
        (f"samples={label}", "samples", value)
        for label, value in (
            ("true", True),
            ("0", 0),
            ("-1", -1),
            ("1.5", 1.5),
            ("abc", "abc"),
            ("1e30", 1e30),
            ("1e7-memory", 10_000_000),
            ("nan", NAN),
        )
    ),
    *(
        (f"seed={label}", "seed", value)
        for label, value in (
            ("-1", -1),
            ("2**53+1", 2**53 + 1),
            ("2**31", 2**31),
            ("true", True),
            ("1.5", 1.5),
            ("abc", "abc"),
        )
    ),
    *(
        (f"year={label}", "year", value)
        for label, value in (
            ("1800", 1800),
            ("3000", 3000),
            ("true", True),
            ("abc", "abc"),
            ("nan", NAN),
            ("2030.5", 2030.5),
        )
    ),
    *(
        (f"{key}={label}", key, value)
        for key in ("utilisation", "mfu")
        for label, value in (
            ("1.5", 1.5),
            ("0", 0),
            ("-0.1", -0.1),
            ("nan", NAN),
            ("inf", INF),
            ("true", True),
            ("abc", "abc"),
        )
    ),
    *((f"cooling={label}", "cooling", value) for label, value in (("unknown", "vapour"), ("int", 123), ("empty", ""))),
    *((f"region={label}", "region", value) for label, value in (("unknown", "nowhere"), ("int", 123), ("empty", ""))),
    *(
        (f"claims.capex_usd={label}", "claims.capex_usd", value)
        for label, value in (("inf", INF), ("nan", NAN), ("true", True), ("-1", -1), ("abc", "abc"), ("1e30", 1e30))
    ),
    *((f"claims.power_gw={label}", "claims.power_gw", value) for label, value in (("0", 0), ("inf", INF))),
    ("claims=abc", "claims", "abc"),
    ("claims-unknown-key", "claims.colour", 1),
    ("fleet=abc", "fleet", "abc"),
    ("fleet=list", "fleet", []),
    ("name=list", "name", ["a"]),
    ("no-fleet", "fleet", ...),
)
SHARE_OF_MUTATIONS: tuple[tuple[str, Any], ...] = (
    ("inf", {"uk": INF}),
    ("nan", {"uk": NAN}),
    ("-1", {"uk": -1}),
    ("true", {"uk": True}),
    ("abc", {"uk": "abc"}),
    ("1e30", {"uk": 1e30}),
)
COUNTS_MUTATIONS: tuple[tuple[str, Any], ...] = (
    ("inf", {"h100": INF}),
    ("true", {"h100": True}),
    ("-1", {"h100": -1}),
    ("unknown", {"nope": 1000}),
    ("nan", {"h100": NAN}),
    ("half", {"h100": 0.5}),
    ("empty", {}),
    ("list", ["h100"]),
)

BILLION_LAUGHS = (
    "\n".join(
        ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
        + [f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)]
    )
    + "\n"
)
SECRET = "root:$6$s3cr3tHASHzz$9xQ2vLk:19000:0:99999:7:::\nbin:*:19000:0:99999:7:::\n"


def file_problems(valid_text: str) -> tuple[tuple[str, Any, tuple[str, ...]], ...]:
    """(label, content or DIR or None for missing, forbidden strings) for whole-file problems."""
    return (
        ("empty-file", "", ()),
        ("comment-only", "# nothing\n", ()),
        ("top-level-list", "- 1\n- 2\n", ()),
        ("top-level-scalar", "42\n", ()),
        ("syntax-error", "name: [unclosed\nfleet: {\n", ()),
        ("tab-indent", "fleet:\n\tchip: h100\n", ()),
        ("billion-laughs", BILLION_LAUGHS, ()),
        ("alias", "x: &x {chip: h100}\nfleet: *x\n", ()),
        ("2MB", valid_text + "# " + "x" * 2_100_000 + "\n", ()),
        ("2MB-description", valid_text + "description: " + "x" * 2_100_000 + "\n", ()),
        ("deep-nesting", "x: " + "[" * 200 + "]" * 200 + "\n", ()),
        ("binary", b"\x00\x01\x02\xffname: corpus\n", ()),
        ("not-utf8", "name: caf\xe9\n".encode("latin-1"), ()),
        ("directory", DIR, ()),
        ("missing", None, ()),
        ("secret", SECRET, ("s3cr3tHASH", "9xQ2vLk")),
    )


def _file_cases(
    prefix: str,
    make_args: Callable[[str], list[str]],
    valid: Any,
    mutations: list[tuple[str, Any, tuple[str, ...]]],
    needs: str = "",
) -> Iterator[Any]:
    """Cases for one file-taking command: ``mutations`` are (label, data, fields); then whole-file problems."""
    for label, data, fields in mutations:
        yield param(
            f"{prefix}:{label}", make_args("{tmp}/bad.yaml"), list(fields), files={"bad.yaml": _dump(data)}, needs=needs
        )
    for label, content, forbidden in file_problems(_dump(valid)):
        files = {} if content is None else {"bad.yaml": content}
        yield param(
            f"{prefix}:{label}", make_args("{tmp}/bad.yaml"), "bad.yaml", files=files, forbidden=forbidden, needs=needs
        )
    if Path("/etc/shadow").exists():
        yield param(
            f"{prefix}:/etc/shadow", make_args("/etc/shadow"), "/etc/shadow", forbidden=("@shadow",), needs=needs
        )


def scenario_cases() -> Iterator[Any]:
    mutations: list[tuple[str, Any, tuple[str, ...]]] = [
        (label, _set(SCENARIO, path, value), (path,)) for label, path, value in SCENARIO_MUTATIONS
    ]
    mutations += [
        (f"share_of={label}", _set(SCENARIO, "claims.share_of", value), ("claims.share_of",))
        for label, value in SHARE_OF_MUTATIONS
    ]
    mutations += [
        (f"counts={label}", _set(SCENARIO, "fleet", {"counts": value}), ("fleet.counts",))
        for label, value in COUNTS_MUTATIONS
    ]
    with_claims = [
        *mutations,
        ("share_of=unknown", _set(SCENARIO, "claims.share_of", {"nope": 0.5}), ("claims.share_of", "nope")),
    ]
    commands: tuple[tuple[str, Callable[[str], list[str]], list[tuple[str, Any, tuple[str, ...]]]], ...] = (
        ("run", lambda p: ["run", p, "--out", "{tmp}/out", "--json"], with_claims),
        ("estimate--scenario", lambda p: ["estimate", "--scenario", p, "--json"], mutations),
        ("check--scenario", lambda p: ["check", "--scenario", p, "--json"], with_claims),
    )
    duplicate = "name: corpus\nsamples: 100\nfleet:\n  chip: h100\n  accelerators: 1000\n  accelerators: 2000\n"
    for prefix, make_args, muts in commands:
        yield from _file_cases(prefix, make_args, SCENARIO, muts)
        yield param(
            f"{prefix}:duplicate-key",
            make_args("{tmp}/bad.yaml"),
            "accelerators",
            files={"bad.yaml": duplicate + "claims: {power_gw: 5}\n"},
        )


def _demo_plan() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load((SCENARIO_DIR / "demo.yaml").read_text(encoding="utf-8"))
    return data


PLAN_MUTATIONS: tuple[tuple[str, str, Any, tuple[str, ...]], ...] = (
    ("unknown-key", "colour", "red", ("colour",)),
    ("site-unknown-key", "sites.0.colour", "red", ("sites.0.colour", "sites[0].colour")),
    *(
        (f"years.start={label}", "years.start", value, ("years.start", "years"))
        for label, value in (
            ("1800", 1800),
            ("3000", 3000),
            ("true", True),
            ("abc", "abc"),
            ("nan", NAN),
            ("2026.5", 2026.5),
        )
    ),
    ("years.end=3000", "years.end", 3000, ("years.end", "years")),
    ("years-reversed", "years", {"start": 2029, "end": 2026}, ("years",)),
    ("years-too-long", "years", {"start": 2026, "end": 2100}, ("years",)),
    *(
        (f"supply.buyer_share={label}", "supply.buyer_share", value, ("supply.buyer_share",))
        for label, value in (
            ("nan", NAN),
            ("inf", INF),
            ("true", True),
            ("1.5", 1.5),
            ("0", 0),
            ("-0.1", -0.1),
            ("abc", "abc"),
        )
    ),
    *(
        (f"targets.values={label}", "targets.values", value, ("targets.values",))
        for label, value in (
            ("inf", {2026: INF}),
            ("-1", {2026: -1}),
            ("true", {2026: True}),
            ("nan", {2026: NAN}),
            ("year-1800", {1800: 1_000_000}),
            ("year-abc", {"abc": 1}),
            ("1e30", {2026: 1e30}),
        )
    ),
    *(
        (f"chips={label}", "chips", value, ("chips",))
        for label, value in (("empty", []), ("unknown", ["nope"]), ("string", "gb200"), ("twice", ["gb200", "gb200"]))
    ),
    ("sites=empty", "sites", [], ("sites",)),
    ("sites.0.region=unknown", "sites.0.region", "nope", ("sites.0.region", "sites[0].region")),
    ("sites.0.id=bad", "sites.0.id", "Bad Id", ("sites.0.id", "sites[0].id")),
    ("sites.0.grid_gw=inf", "sites.0.grid_gw", {2026: INF}, ("sites.0.grid_gw", "sites[0].grid_gw")),
    (
        "sites.0.max_facility_gw=-1",
        "sites.0.max_facility_gw",
        -1,
        ("sites.0.max_facility_gw", "sites[0].max_facility_gw"),
    ),
    (
        "sites.0.max_facility_gw=true",
        "sites.0.max_facility_gw",
        True,
        ("sites.0.max_facility_gw", "sites[0].max_facility_gw"),
    ),
    ("sites.0.onsite=unknown", "sites.0.onsite", ["nope"], ("sites.0.onsite", "sites[0].onsite")),
    *(
        (f"budget_usd_per_year={label}", "budget_usd_per_year", value, ("budget_usd_per_year",))
        for label, value in (("nan", {2026: NAN}), ("true", {2026: True}), ("-1", {2026: -1}))
    ),
    *(
        (f"power_days={label}", "power_days", value, ("power_days",))
        for label, value in (("true", True), ("1.5", 1.5), ("100", 100), ("0", 0))
    ),
    *(
        (f"finance.wacc={label}", "finance", {"wacc": value}, ("finance.wacc",))
        for label, value in (("nan", NAN), ("2", 2), ("true", True), ("-0.1", -0.1))
    ),
    ("finance.it_life_years=0", "finance", {"it_life_years": 0}, ("finance.it_life_years",)),
    ("finance.it_life_years=1.5", "finance", {"it_life_years": 1.5}, ("finance.it_life_years",)),
    *(
        (f"lead_times_years={label}", "lead_times_years", {"datacentre": value}, ("lead_times_years",))
        for label, value in (("inf", INF), ("-1", -1), ("true", True), ("nan", NAN))
    ),
    ("lead_times_years=unknown", "lead_times_years", {"nope": 1}, ("lead_times_years",)),
    ("objective=unknown", "objective", "max_fun", ("objective",)),
    ("power_model=unknown", "power_model", "weekly", ("power_model",)),
    ("early_retirement=abc", "early_retirement", "abc", ("early_retirement",)),
    (
        "existing.count=true",
        "existing",
        [{"chip": "gb200", "site": "texas", "count": True, "year": 2025}],
        ("existing.0.count", "existing[0].count"),
    ),
    (
        "existing.site=unknown",
        "existing",
        [{"chip": "gb200", "site": "mars", "count": 1000, "year": 2025}],
        ("existing.0.site", "existing[0].site"),
    ),
    ("no-targets", "targets", ..., ("targets",)),
    ("name=list", "name", ["a"], ("name",)),
)


def plan_cases() -> Iterator[Any]:
    demo = _demo_plan()
    mutations = [(label, _set(demo, path, value), fields) for label, path, value, fields in PLAN_MUTATIONS]
    yield from _file_cases("plan", lambda p: ["plan", p, "--no-store", "--json"], demo, mutations)
    yield param("plan:missing-named-demo", ["plan", "/nonexistent/demo.yaml", "--no-store"], "/nonexistent/demo.yaml")
    yield param("plan:missing-relative-demo", ["plan", "{tmp}/sub/demo.yaml", "--no-store"], "demo.yaml")
    yield param("plan:unknown-name", ["plan", "nope", "--no-store"], ["nope", "SCENARIO"])
    yield param("plan:empty-name", ["plan", "", "--no-store"], ["SCENARIO", "scenario"])


def experiment_cases() -> Iterator[Any]:
    base = FUNCTION_EXPERIMENT
    plan_base: dict[str, Any] = {"name": "corpus-plan", "kind": "plan", "base": "demo", "outputs": ["cost_usd"]}
    muts: list[tuple[str, Any, tuple[str, ...]]] = [
        ("unknown-key", _set(base, "colour", "red"), ("colour",)),
        ("kind=unknown", _set(base, "kind", "nope"), ("kind",)),
        *(
            (f"sample.n={label}", _set(base, "sample.n", v), ("sample.n",))
            for label, v in (("0", 0), ("-1", -1), ("true", True), ("1e30", 1e30), ("1.5", 1.5), ("abc", "abc"))
        ),
        ("sample.method=unknown", _set(base, "sample.method", "nope"), ("sample.method",)),
        *(
            (f"sample.seed={label}", _set(base, "sample.seed", v), ("sample.seed",))
            for label, v in (("-1", -1), ("1.5", 1.5), ("abc", "abc"))
        ),
        *(
            (f"replications={label}", _set(base, "replications", v), ("replications",))
            for label, v in (("0", 0), ("1e30", 1e30), ("-1", -1))
        ),
        ("axes-empty-list", _set(base, "axes", {"function.x": []}), ("function.x", "axes")),
        ("axes=abc", _set(base, "axes", "abc"), ("axes",)),
        ("axes-bad-head", _set(base, "axes", {"nope.x": [1]}), ("nope.x",)),
        ("axes-worker-failure", _set(base, "axes", {"function.delay": [5]}), ("function.delay",)),
        ("axes-unknown-argument", _set(base, "axes", {"function.nope": [1]}), ("function.nope",)),
        (
            "parameters-low>high",
            _set(base, "sample.parameters", {"function.x": {"low": 1, "high": 0}}),
            ("function.x", "sample.parameters"),
        ),
        (
            "parameters-low-nan",
            _set(base, "sample.parameters", {"function.x": {"low": NAN, "high": 1}}),
            ("function.x", "sample.parameters"),
        ),
        (
            "parameters-infinite",
            _set(base, "sample.parameters", {"function.x": {"low": -INF, "high": INF}}),
            ("function.x", "sample.parameters"),
        ),
        (
            "parameters-unknown-catalog",
            _set(base, "sample.parameters", {"catalog.accelerators.nope.unit_price_usd": {}}),
            ("catalog.accelerators", "nope"),
        ),
        (
            "parameters-no-range",
            _set(base, "sample.parameters", {"function.x": {}}),
            ("function.x", "sample.parameters"),
        ),
        ("function=os:system", _set(base, "function", "os:system"), ("function",)),
        ("function=unknown", _set(base, "function", "nope"), ("function",)),
        ("outputs=string", _set(base, "outputs", "y"), ("outputs",)),
        (
            "stop.halfwidth=2",
            _set(base, "stop", {"output": "y", "relative_halfwidth": 2}),
            ("stop.relative_halfwidth", "stop"),
        ),
        ("name=list", _set(base, "name", ["a"]), ("name",)),
        ("name=path", _set(base, "name", "../../evil"), ("name",)),
        (
            "plan-axes-typo",
            _set(plan_base, "axes", {"scenario.suply.buyer_share": [0.2]}),
            ("scenario.suply.buyer_share", "suply"),
        ),
        ("plan-axes-empty", _set(plan_base, "axes", {"scenario.x": []}), ("scenario.x", "axes")),
        ("plan-axes-unknown-key", _set(plan_base, "axes", {"scenario.x": [1]}), ("scenario.x",)),
        ("plan-base-unknown", _set(plan_base, "base", "nope"), ("base", "nope")),
        ("plan-no-base", _set(plan_base, "base", ...), ("base",)),
    ]
    store = ["--workers", "1", "--store", "{tmp}/s.duckdb"]
    yield from _file_cases("sweep", lambda p: ["sweep", p, *store], base, muts)
    yield param("sweep:missing-name", ["sweep", "nope", *store], ["nope", "EXPERIMENT"])


# ---------------------------------------------------------------------------------------------------------
# Output paths and contradictory flags
# ---------------------------------------------------------------------------------------------------------


def output_cases() -> Iterator[Any]:
    est, rel, cap, pwr = (_cmd(n) for n in ("estimate", "reliability", "capability", "power"))
    report_commands: dict[str, list[str]] = {
        "estimate": est.invocation(),
        "reliability": rel.invocation(),
        "capability": cap.invocation(),
        "power": pwr.invocation(),
        "plan": ["plan", "demo", "--no-store", "--json"],
    }
    bad_files = (
        ("empty", ""),
        ("under-a-file", "{tmp}/afile/x.html"),
        ("a-directory", "{tmp}/adir"),
        ("unwritable", "{tmp}/locked/x.html"),
        ("deep-under-a-file", "{tmp}/afile/a/b/x.html"),
    )
    for name, args in report_commands.items():
        for label, path in bad_files:
            yield param(
                f"{name}--report={label}",
                [*args, "--report", path],
                "--report",
                needs="non-root" if label == "unwritable" else "",
            )
    run_args = ["run", "{tmp}/ok.yaml", "--json"]
    ok = {"ok.yaml": _dump(SCENARIO)}
    for label, path in (
        ("empty", ""),
        ("a-file", "{tmp}/afile"),
        ("under-a-file", "{tmp}/afile/sub"),
        ("unwritable", "{tmp}/locked/out"),
    ):
        yield param(
            f"run--out={label}",
            [*run_args, "--out", path],
            "--out",
            files=ok,
            needs="non-root" if label == "unwritable" else "",
        )
    sweep = _cmd("sweep")
    for flag, values in (
        ("--parquet", (("empty", ""), ("under-a-file", "{tmp}/afile/x.parquet"), ("a-directory", "{tmp}/adir"))),
        (
            "--store",
            (
                ("empty", ""),
                ("under-a-file", "{tmp}/afile/x.duckdb"),
                ("a-directory", "{tmp}/adir"),
                ("not-duckdb", "{tmp}/afile"),
            ),
        ),
    ):
        for label, path in values:
            yield param(f"sweep{flag}={label}", sweep.invocation({flag: path}), flag, files=dict(sweep.files))
    for label, path in (
        ("empty", ""),
        ("under-a-file", "{tmp}/afile/x.duckdb"),
        ("a-directory", "{tmp}/adir"),
        ("not-duckdb", "{tmp}/afile"),
    ):
        yield param(f"plan--store={label}", ["plan", "demo", "--json", "--store", path], "--store")
    yield param(
        "plan--no-store--store",
        ["plan", "demo", "--json", "--no-store", "--store", "{tmp}/x.duckdb"],
        ["--no-store", "--store"],
    )
    # sweep report (needs a stored sweep, copied into the case folder as s.duckdb)
    rep = ["report", "{sweep_id}", "--store", "{tmp}/s.duckdb"]
    for label, args, fields in (
        ("unknown-id", ["report", "nope", "--store", "{tmp}/s.duckdb"], ["SWEEP_ID"]),
        ("empty-id", ["report", "", "--store", "{tmp}/s.duckdb"], ["SWEEP_ID"]),
        ("huge-id", ["report", LONG, "--store", "{tmp}/s.duckdb"], ["SWEEP_ID"]),
        ("--output=unknown", [*rep, "--output", "nope"], ["--output"]),
        ("--output=empty", [*rep, "--output", ""], ["--output"]),
        ("--html=empty", [*rep, "--html", ""], ["--html"]),
        ("--html=under-a-file", [*rep, "--html", "{tmp}/afile/x.html"], ["--html"]),
        ("--html=a-directory", [*rep, "--html", "{tmp}/adir"], ["--html"]),
    ):
        yield param(f"report-{label}", args, fields, needs="sweep-store")
    for label, store, fields in (
        ("--store=missing", "{tmp}/missing.duckdb", ["--store", "SWEEP_ID"]),
        ("--store=a-directory", "{tmp}/adir", ["--store"]),
        ("--store=not-duckdb", "{tmp}/afile", ["--store"]),
        ("--store=empty", "", ["--store"]),
    ):
        yield param(f"report-{label}", ["report", "abc", "--store", store], fields)


def silent_cases() -> Iterator[Any]:
    """Inputs that used to give a silently wrong result; each must be an error."""
    est, rel = _cmd("estimate"), _cmd("reliability")
    yield param(
        "silent:estimate--chip=empty",
        ["estimate", "--chip", "", "--accelerators", "1000", "--samples", "100"],
        "--chip",
    )
    yield param(
        "silent:estimate--fleet-twice", ["estimate", "--fleet", "h100=1M,h100=2M", "--samples", "100"], "--fleet"
    )
    yield param("silent:plan-missing-demo", ["plan", "/nonexistent/demo.yaml", "--no-store"], "/nonexistent/demo.yaml")
    yield param(
        "silent:plan--no-store--store", ["plan", "demo", "--no-store", "--store", "x.duckdb"], ["--no-store", "--store"]
    )
    yield param("silent:reliability--hot-spares>fleet", rel.invocation({"--hot-spares": "5000"}), "--hot-spares")
    yield param("silent:reliability--job-size>fleet", rel.invocation({"--job-size": "5000"}), "--job-size")
    yield param(
        "silent:scenario-accelerators=true",
        ["estimate", "--scenario", "{tmp}/s.yaml"],
        "fleet.accelerators",
        files={"s.yaml": _dump(_set(SCENARIO, "fleet.accelerators", True))},
    )
    yield param("silent:estimate--seed=2**53+1", est.invocation({"--seed": "9007199254740993"}), "--seed")
    yield param(  # one job of 10^9 (the default job size, auto, makes a 10^9 fleet a study that runs)
        "silent:reliability-absurd",
        rel.invocation({"--accelerators": "1e9", "--days": "1", "--job-size": "1e9"}),
        ["--accelerators", "--job-size", "--max-memory-gb"],
    )


CASES: list[Any] = [
    *numeric_cases(),
    *string_cases(),
    *scenario_cases(),
    *plan_cases(),
    *experiment_cases(),
    *output_cases(),
    *silent_cases(),
]


# ---------------------------------------------------------------------------------------------------------
# Running a case
# ---------------------------------------------------------------------------------------------------------


class CaseTimeoutError(Exception):
    """A case ran past CASE_TIMEOUT_S (an absurd input was accepted and is being worked on)."""


class ServerWouldStartError(Exception):
    """serve got past validation and tried to start a server."""


@contextmanager
def _timeout(seconds: int) -> Iterator[None]:
    def fire(signum: int, frame: Any) -> None:
        raise CaseTimeoutError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _snapshot(root: Path) -> dict[str, tuple[bool, int, int]]:
    out: dict[str, tuple[bool, int, int]] = {}
    for path in root.rglob("*"):
        try:
            stat = path.lstat()
        except OSError:
            continue
        out[str(path.relative_to(root))] = (path.is_dir(), stat.st_size, stat.st_mtime_ns)
    return out


@pytest.fixture(scope="session")
def stored_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A small finished sweep (function experiment) in a run store: (store path, sweep id)."""
    folder = tmp_path_factory.mktemp("stored-sweep")
    experiment = folder / "exp.yaml"
    experiment.write_text(_dump(FUNCTION_EXPERIMENT), encoding="utf-8")
    store = folder / "s.duckdb"
    result = CliRunner().invoke(app, ["sweep", str(experiment), "--workers", "1", "--store", str(store)])
    match = re.search(r"sweep (\S+):", result.stdout)
    if result.exit_code != 0 or match is None:
        pytest.skip(f"could not create a stored sweep (exit {result.exit_code}): {result.stderr[-300:]}")
    return store, match.group(1)


def _is_root() -> bool:
    return hasattr(os, "geteuid") and os.geteuid() == 0


def _prepare(case: Case, tmp: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    subs = {"tmp": str(tmp)}
    if case.needs == "serve":
        if importlib.util.find_spec("gigafleet.web.server") is None:
            pytest.skip("gigafleet.web.server does not exist yet")
        import uvicorn

        def refuse(*args: Any, **kwargs: Any) -> None:
            raise ServerWouldStartError("serve accepted the input and tried to start a server")

        monkeypatch.setattr(uvicorn, "run", refuse)
        monkeypatch.setattr(uvicorn.Server, "run", refuse)
        monkeypatch.setattr(uvicorn.Server, "serve", refuse)
    if case.needs == "non-root" and _is_root():
        pytest.skip("running as root: a chmod 500 folder is writable (the under-a-file case covers this)")
    if case.needs == "sweep-store":
        store, sweep = request.getfixturevalue("stored_sweep")
        shutil.copy(store, tmp / "s.duckdb")
        subs["sweep_id"] = sweep
    (tmp / "afile").write_text("a regular file, not a folder\n", encoding="utf-8")
    (tmp / "adir").mkdir()
    locked = tmp / "locked"
    locked.mkdir()
    for name, content in case.files:
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if content is DIR:
            path.mkdir()
        elif isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    locked.chmod(0o500)
    request.addfinalizer(lambda: locked.chmod(0o700))
    return subs


def _where(exc: BaseException) -> str:
    """The innermost gigafleet frame of an exception's traceback, as path:line."""
    tb, where = exc.__traceback__, "?"
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if "/gigafleet/" in filename and "/tests/" not in filename:
            where = f"gigafleet/{filename.rsplit('/gigafleet/', 1)[1]}:{tb.tb_lineno}"
        tb = tb.tb_next
    return where


def _forbidden(case: Case) -> list[str]:
    strings = [s for s in case.forbidden if s != "@shadow"]
    if "@shadow" in case.forbidden:
        try:
            content = Path("/etc/shadow").read_text(encoding="utf-8", errors="replace")
        except OSError:
            content = ""
        strings += [line for line in content.splitlines() if len(line) >= 8]
    return strings


@pytest.mark.parametrize("case", CASES)
def test_bad_input_is_one_clear_error(
    case: Case, tmp_path: Path, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    subs = _prepare(case, work, request, monkeypatch)
    monkeypatch.chdir(work)
    for var in ("GIGAFLEET_STORE", "GIGAFLEET_TOKEN"):
        monkeypatch.delenv(var, raising=False)
    args = [a.format(**subs) if "{" in a and len(a) < 1000 else a for a in case.args]
    before = _snapshot(work)
    with _timeout(CASE_TIMEOUT_S):
        result = CliRunner().invoke(app, args)
    stderr, output = result.stderr, result.output
    shown = " ".join(a if len(a) < 80 else f"<{len(a)} chars>" for a in args)
    exc = result.exception
    if exc is not None and not isinstance(exc, SystemExit):
        pytest.fail(f"[exception {type(exc).__name__} at {_where(exc)}] {str(exc)[:200]!r} for: {shown}")
    assert "Traceback" not in output, f"[traceback in output] for: {shown}"
    for secret in _forbidden(case):
        assert secret not in output, f"[quotes file content] for: {shown}"
    assert result.exit_code == 2, f"[exit {result.exit_code}] for: {shown}; stderr {stderr[-200:]!r}"
    lines = stderr.splitlines()
    assert len(lines) == 1, f"[{len(lines)} lines on stderr] for: {shown}: {stderr[:300]!r}"
    line = lines[0]
    assert line.startswith("error:"), f"[no 'error:' prefix] for: {shown}: {line[:200]!r}"
    assert len(line) < MAX_LINE, f"[error line too long: {len(line)} chars] for: {shown}: {line[:200]!r}..."
    for arg in args:
        if len(arg) >= MAX_LINE:
            assert arg not in output, f"[quotes a {len(arg)}-char value in full] for: {shown}"
    fields = [f.format(**subs) if "{" in f else f for f in case.fields]
    assert any(f in line for f in fields), f"[field not named: {fields}] for: {shown}: {line[:300]!r}"
    after = _snapshot(work)
    changed = sorted(set(after.items()) ^ set(before.items()))
    assert not changed, f"[files written] for: {shown}: {sorted({c[0] for c in changed})[:5]}"


def test_corpus_size() -> None:
    assert len(CASES) >= 500


BASES: list[Any] = [pytest.param(c.invocation(), c, id=" ".join(c.name)) for c in COMMANDS if not c.needs] + [
    pytest.param(["plan", "demo", "--no-store", "--json"], None, id="plan")
]


@pytest.mark.parametrize(("args", "command"), BASES)
def test_bases_are_valid(
    args: list[str], command: Command | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The base invocations succeed, so a corpus case fails because of its one bad value."""
    monkeypatch.chdir(tmp_path)
    for name, content in command.files if command else ():
        (tmp_path / name).write_text(content, encoding="utf-8")
    args = [a.format(tmp=tmp_path) for a in args]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.stderr[-500:]
