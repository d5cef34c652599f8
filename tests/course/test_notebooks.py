"""The notebooks run top to bottom in a real kernel (nbclient), tiny through their parameter cell, and
are kept in git without outputs."""


import nbformat
import pytest
from nbclient import NotebookClient

from helpers import DATA, ROOT

NOTEBOOKS = ROOT / "notebooks"
TINY = {"NST_SIZE": "64", "NST_ITERS": "1", "SR_IMAGES": "8", "SR_CROPS": "4", "SR_STEPS": "2",
        "SR_EVAL_IMAGES": "1", "FS_IMAGES": "4", "FS_SIZE": "64", "FS_STEPS": "2"}


def test_notebooks_are_stored_without_outputs():
    books = sorted(NOTEBOOKS.glob("*.ipynb"))
    assert [b.name for b in books] == ["fast-style.ipynb", "neural-sr.ipynb", "neural-style.ipynb"]
    for path in books:
        book = nbformat.read(path, as_version=4)
        nbformat.validate(book)
        for cell in book.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip its outputs"


@pytest.mark.slow
@pytest.mark.parametrize("name", ["neural-style.ipynb", "neural-sr.ipynb", "fast-style.ipynb"])
def test_notebook_runs_tiny(name, vgg, monkeypatch, tmp_path):
    if name != "neural-style.ipynb" and not DATA.is_dir():  # neural-style falls back to scikit-image's photos
        pytest.skip(f"real data not found at {DATA}")
    for key, value in TINY.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("NST_DATA", str(DATA))
    monkeypatch.setenv("SR_WORK", str(tmp_path / "sr"))
    monkeypatch.setenv("FS_WORK", str(tmp_path / "fs"))
    book = nbformat.read(NOTEBOOKS / name, as_version=4)
    NotebookClient(book, timeout=600, kernel_name="python3",
                   resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()  # raises on any cell's error
    code = [c for c in book.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code)
    figures = [o for c in code for o in c.outputs if "image/png" in o.get("data", {})]
    assert figures, "no figure was drawn"
