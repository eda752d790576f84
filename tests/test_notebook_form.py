"""The stored notebooks keep the house form: a sentence before each code cell, no run metadata."""
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / 'notebooks').glob('*.ipynb'))


@pytest.fixture(params=NOTEBOOKS, ids=lambda p: p.name)
def notebook(request):
    return nbformat.read(request.param, as_version=4)


def test_every_code_cell_follows_a_sentence(notebook):
    """As in d2l: each cell is introduced by a sentence that says what to look for."""
    cells = notebook.cells
    orphans = [index for index, cell in enumerate(cells) if cell.cell_type == 'code'
               and (index == 0 or cells[index - 1].cell_type != 'markdown')]
    assert orphans == []


def test_cells_carry_only_tags_as_written_by_make_store(notebook):
    """No execution times in the cells, so that storing an unchanged notebook changes no byte.

    Besides tags, a cell may carry nbgrader's metadata (the exercises are nbgrader's source).
    """
    extra = {key for cell in notebook.cells for key in cell.metadata
             if key not in ('tags', 'nbgrader')}
    assert extra == set()
