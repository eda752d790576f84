"""The comparison that makes the JupyterLab run a strict check: nbval's rules, and it can fail."""
import copy
from pathlib import Path

import nbformat
import pytest
from notebook_outputs import differing_cells, read_sanitize_rules

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'
RULES = read_sanitize_rules(Path(__file__).resolve().parent / 'nbval-sanitize.cfg')


@pytest.fixture
def stored():
    return nbformat.read(NOTEBOOKS / '05_exercises.ipynb', as_version=4)


def outputs_of(nb, output_type, key=None):
    code = [c for c in nb.cells if c.cell_type == 'code']
    return [(i, o) for i, c in enumerate(code) for o in c.outputs
            if o.output_type == output_type and (key is None or key in o.get('data', {}))]


def test_one_changed_digit_is_a_difference(stored):
    executed = copy.deepcopy(stored)
    index, output = outputs_of(executed, 'stream')[0]
    output.text = output.text.replace('0', '1', 1)
    assert [cell for cell, _, _ in differing_cells(stored, executed, RULES)] == [index]


def test_a_changed_text_plain_result_is_a_difference(stored):
    executed = copy.deepcopy(stored)
    index, output = outputs_of(executed, 'execute_result', 'text/plain')[0]
    output.data['text/plain'] += ' '
    assert [cell for cell, _, _ in differing_cells(stored, executed, RULES)] == [index]


def test_a_missing_output_is_a_difference(stored):
    executed = copy.deepcopy(stored)
    index, _ = outputs_of(executed, 'stream')[0]
    [c for c in executed.cells if c.cell_type == 'code'][index].outputs = []
    assert [cell for cell, _, _ in differing_cells(stored, executed, RULES)] == [index]


def test_streams_split_differently_and_other_png_bytes_are_not(stored):
    """As in nbval: streams of one name are joined, and PNG figures are not compared."""
    executed = copy.deepcopy(stored)
    _, image = outputs_of(executed, 'display_data', 'image/png')[0]
    image.data['image/png'] = image.data['image/png'][::-1]
    cell_index, stream = outputs_of(executed, 'stream')[0]
    cell = [c for c in executed.cells if c.cell_type == 'code'][cell_index]
    half = len(stream.text) // 2
    position = cell.outputs.index(stream)
    cell.outputs[position:position + 1] = [
        nbformat.v4.new_output('stream', name=stream.name, text=stream.text[:half]),
        nbformat.v4.new_output('stream', name=stream.name, text=stream.text[half:])]
    assert differing_cells(stored, executed, RULES) == []


def test_the_sanitize_rules_apply_to_both_sides(stored):
    executed = copy.deepcopy(stored)
    cells = [c for c in executed.cells if c.cell_type == 'code']
    cells[0].outputs = [nbformat.v4.new_output(
        'stream', name='stderr', text='[12:00:01] storage.cc:196: Using Pooled StorageManager\n')]
    stored_copy = copy.deepcopy(stored)
    [c for c in stored_copy.cells if c.cell_type == 'code'][0].outputs = [nbformat.v4.new_output(
        'stream', name='stderr', text='[23:59:59] storage.cc:196: Using Pooled StorageManager\n')]
    assert differing_cells(stored_copy, executed, RULES) == []
