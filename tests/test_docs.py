"""Documentation: every README and docs example runs; generated references are complete; the site builds strict."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from gigafleet.catalog import load_catalog
from gigafleet.cli import app

ROOT = Path(__file__).resolve().parents[1]
DOC_FILES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
PLACEHOLDERS = ("RUN_ID", "SWEEP_ID", "my.yaml", "tcp://scheduler", "gigafleet serve")


def _examples(path: Path) -> list[tuple[str, list[str]]]:
    """(command, documented output lines) for every `gigafleet ...` line in the file's ```bash blocks."""
    text = path.read_text(encoding="utf-8")
    found = []
    for language, block in re.findall(r"^```([a-z]*)\n(.*?)^```", text, flags=re.S | re.M):  # fences paired
        if language not in ("", "bash"):
            continue
        lines = block.splitlines()
        for i, line in enumerate(lines):
            command = line.removeprefix("$ ").split("  #")[0].split(" # ")[0].split(" > ")[0].strip()
            if not command.startswith("gigafleet "):
                continue
            output = []
            for follow in lines[i + 1 :]:
                if follow.startswith(("$ ", "gigafleet ")):
                    break
                output.append(follow)
            found.append((command, output if line.startswith("$ ") else []))
    return found


EXAMPLES = [(path.name, command, output) for path in DOC_FILES for command, output in _examples(path)]


SLOW_EXAMPLES = {
    "gigafleet power --site abilene-tx --it-load-gw 1.2",  # a full year at 1.2 GW: minutes on 2 busy cores
    "gigafleet sweep openai-100x-uncertainty",  # the flagship sweep: 100+ plan runs
}
"""Examples run with the benchmarks (``pytest -m benchmark``), not in ``make test``: tests/test_power.py's full-year
tests and the smaller sweeps cover the same paths there."""


def _slow(command: str) -> bool:
    return command in SLOW_EXAMPLES


def test_the_slow_examples_are_still_in_the_docs() -> None:
    assert SLOW_EXAMPLES <= {command for _, command, _ in EXAMPLES}


PARAMS = [
    pytest.param(s, c, o, id=f"{s}:{c[:60]}", marks=[pytest.mark.benchmark] if _slow(c) else []) for s, c, o in EXAMPLES
]


@pytest.mark.parametrize(("source", "command", "output"), PARAMS)
def test_documented_example_runs(
    source: str, command: str, output: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if any(p in command for p in PLACEHOLDERS):
        pytest.skip("placeholder or long-running server example (covered by its own tests)")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GIGAFLEET_STORE", str(tmp_path / "out" / "gigafleet.duckdb"))
    arguments = shlex.split(command.replace("gigafleet/scenarios/", f"{ROOT}/gigafleet/scenarios/"))[1:]
    result = CliRunner().invoke(app, arguments)
    if output and output[0].startswith("error:"):
        assert result.exit_code == 2
        documented = output[0].split("...")[0]
        assert result.stderr.startswith(documented), (result.stderr, documented)
        return
    assert result.exit_code == 0, f"{command}\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"


def test_examples_were_found() -> None:
    commands = {c.split()[1] for _, c, _ in EXAMPLES}
    assert {"estimate", "check", "plan", "power", "reliability", "capability", "sweep", "catalog"} <= commands


def test_generated_references_cover_every_key_row_and_command(tmp_path: Path) -> None:
    from gigafleet.docsgen import catalogue_reference, cli_commands, cli_reference, scenario_keys, scenario_reference

    scenarios = scenario_reference()
    for key in scenario_keys():
        assert f"`{key}`" in scenarios, key
    for required in ("fleet.accelerators", "sites[].grid_gw", "sample.parameters", "power_model"):
        assert required in scenarios
    catalog = load_catalog()
    catalogue = catalogue_reference(catalog)
    for parameter in catalog.parameters():
        assert f"| `{parameter.id}` | `{parameter.parameter}` |" in catalogue
    from gigafleet.docsgen import source_anchor

    for tag in catalog.sources:  # every source has a row with an anchor that the rows' citations link to
        assert f'| <a id="{source_anchor(tag)}"></a>{tag} |' in catalogue
    cli = cli_reference()
    for name in cli_commands():
        assert f"## `gigafleet {name}`" in cli
    assert {
        "estimate",
        "check",
        "plan",
        "power",
        "reliability",
        "capability",
        "sweep",
        "report",
        "serve",
        "catalog show",
    } <= set(cli_commands())


def test_validation_cases_all_pass() -> None:
    from gigafleet.docsgen import validation_cases

    cases = validation_cases(load_catalog())
    assert len(cases) >= 20
    failed = [c for c in cases if not c["pass"]]
    assert failed == []


def test_site_builds_offline_with_warnings_as_errors(tmp_path: Path) -> None:
    copy = tmp_path / "repo"
    copy.mkdir()
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    generate = subprocess.run(
        [sys.executable, "-m", "gigafleet.docsgen", str(copy / "docs")], capture_output=True, text=True, timeout=600
    )
    assert generate.returncode == 0, generate.stderr[-2000:]
    case_study = (copy / "docs" / "case-studies" / "100m-gpus.md").read_text(encoding="utf-8")
    for section in ("The claim", "optimal build-out", "supplied", "Reliability", "largest training run", "Sensitivity"):
        assert section in case_study
    build = _mkdocs_strict(copy)
    assert build.returncode == 0, build.stderr[-3000:]
    assert "WARNING" not in build.stderr, build.stderr[-3000:]
    assert (copy / "site" / "case-studies" / "100m-gpus" / "index.html").exists()


def _mkdocs_strict(folder: Path) -> subprocess.CompletedProcess[str]:
    """``mkdocs build --strict`` of a copy, as ``make docs`` runs it (no ``--quiet``: it would hide the warnings)."""
    mkdocs = Path(sys.executable).with_name("mkdocs")
    return subprocess.run(
        [str(mkdocs), "build", "--strict", "-f", str(folder / "mkdocs.yml")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=folder,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )


def test_strict_site_build_fails_on_a_broken_reference(tmp_path: Path) -> None:
    """The strict build can fail: one source-tag-style reference without a target aborts it."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT / "docs", copy / "docs")
    shutil.copy(ROOT / "mkdocs.yml", copy / "mkdocs.yml")
    page = copy / "docs" / "index.md"
    page.write_text(page.read_text(encoding="utf-8") + "\nUptime [R50][R56].\n", encoding="utf-8")
    build = _mkdocs_strict(copy)
    assert build.returncode != 0
    assert "R56" in build.stderr


def test_web_docs_show_the_browser_tests_screenshots() -> None:
    """docs/web.md shows exactly the screenshots tests/test_web_browser.py makes (``make screenshots``), and each
    is in the repository."""
    import re

    from tests.test_web_browser import DOCS_IMAGES, DOCS_SHOTS

    shown = re.findall(r"\]\(images/web/([0-9a-z-]+)\.jpg\)", (ROOT / "docs" / "web.md").read_text(encoding="utf-8"))
    assert sorted(shown) == sorted(DOCS_SHOTS)
    for name in DOCS_SHOTS:
        picture = DOCS_IMAGES / f"{name}.jpg"
        assert picture.is_file() and picture.read_bytes()[:3] == b"\xff\xd8\xff", picture
