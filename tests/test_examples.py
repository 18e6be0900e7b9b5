"""The notebook gallery (``examples/``) runs from top to bottom on the shipped data, so it never goes stale: each
notebook is executed in a fresh kernel, and its own ``assert`` cells check what it shows."""

from __future__ import annotations

from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
NOTEBOOKS = sorted(EXAMPLES.glob("*.ipynb"))


def test_the_gallery_has_the_five_questions() -> None:
    assert [p.stem.split("-", 1)[1] for p in NOTEBOOKS] == [
        "100m-gpus",
        "build-out",
        "campus-power",
        "reliability-at-scale",
        "sweep",
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, tmp_path: Path) -> None:
    import nbformat
    from nbclient import NotebookClient

    book = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code")  # committed clean
    NotebookClient(book, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [
        out for cell in book.cells if cell.cell_type == "code" for out in cell.outputs if out.output_type == "error"
    ]
    assert errors == []
    assert any(
        out.output_type in ("execute_result", "display_data")
        for cell in book.cells
        if cell.cell_type == "code"
        for out in cell.outputs
    )
