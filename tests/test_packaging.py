"""The wheel carries every data file the package reads: each tracked non-Python file under ``gigafleet/`` is
matched by a ``[tool.setuptools.package-data]`` glob (an editable install hides a missing one)."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_shipped_data_file_is_in_package_data() -> None:
    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["gigafleet"]
    package = ROOT / "gigafleet"
    packaged = {path.relative_to(package).as_posix() for pattern in patterns for path in package.glob(pattern)}
    listed = subprocess.run(["git", "ls-files", "gigafleet"], cwd=ROOT, capture_output=True, text=True, check=True)
    tracked = {
        Path(line).relative_to("gigafleet").as_posix()
        for line in listed.stdout.splitlines()
        if not line.endswith(".py")
    }
    assert len(tracked) > 30
    assert sorted(tracked - packaged) == []
