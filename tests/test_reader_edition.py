"""The reader's edition (tools/reader_edition.py): the answers kept, nbgrader's machinery gone.

Fast: the stored notebooks are read and transformed, nothing is executed.
"""
import json
import re
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
import reader_edition  # noqa: E402  (tools/reader_edition.py)
import tool_safety  # noqa: E402
from grading_markers import BEGIN, BEGIN_HIDDEN, END, END_HIDDEN  # noqa: E402

EXERCISES = ROOT / 'notebooks' / '05_exercises.ipynb'
# The exercises in English: the same source version for nbgrader, translated.
EXERCISES_EN = ROOT / 'notebooks' / 'en' / '05_exercises.ipynb'
POINTS = re.compile(r'（\d+ 分）|\(\d+ points?\)')  # an exercise heading's points


@pytest.fixture(scope='module', params=[EXERCISES, EXERCISES_EN], ids=['zh', 'en'])
def teachers(request):
    return nbformat.read(request.param, as_version=4)


@pytest.fixture(scope='module')
def readers(teachers):
    return reader_edition.reader_edition(teachers, EXERCISES.name)


def lines(cell):
    return cell.source.split('\n')


def hidden_block(cell):
    """The lines of ``cell``'s hidden tests, markers included."""
    source = lines(cell)
    if BEGIN_HIDDEN not in source:
        return []
    return source[source.index(BEGIN_HIDDEN):source.index(END_HIDDEN) + 1]


def test_every_answer_line_is_kept_and_only_the_markers_go(teachers, readers):
    answer_cells = [i for i, cell in enumerate(teachers.cells) if BEGIN in lines(cell)]
    assert len(answer_cells) >= 5  # exercise 1, 2 (twice) and 3 (twice)
    for index in answer_cells:
        kept = [line for line in lines(teachers.cells[index]) if line not in (BEGIN, END)]
        assert lines(readers.cells[index]) == kept, f'cell {index}'


def test_the_checks_lose_their_hidden_tests_only(teachers, readers):
    check_cells = [i for i, cell in enumerate(teachers.cells) if hidden_block(cell)]
    assert len(check_cells) == 3
    for index in check_cells:
        source, hidden = lines(teachers.cells[index]), hidden_block(teachers.cells[index])
        assert source[0].startswith('d2l.check.')
        start = source.index(BEGIN_HIDDEN)
        expected = source[:start] + source[start + len(hidden):]
        assert lines(readers.cells[index]) == expected, f'cell {index}'


def test_no_grading_marker_or_metadata_is_left(teachers, readers):
    hidden_lines = {line for cell in teachers.cells for line in hidden_block(cell) if line}
    text = json.dumps(readers, ensure_ascii=False)
    for marker in (BEGIN, END, BEGIN_HIDDEN, END_HIDDEN, 'strict=True', 'nbgrader'):
        assert marker not in text
    assert POINTS.findall(json.dumps(teachers, ensure_ascii=False)) and not POINTS.search(text)
    assert not [line for cell in readers.cells for line in lines(cell) if line in hidden_lines]
    assert not [cell for cell in readers.cells if 'solution' in cell.metadata.get('tags', [])]


def test_nothing_else_changes(teachers, readers):
    assert len(readers.cells) == len(teachers.cells)
    for index, (teacher, reader) in enumerate(zip(teachers.cells, readers.cells)):
        assert reader.get('outputs') == teacher.get('outputs'), f'cell {index}'
        assert reader.get('execution_count') == teacher.get('execution_count')
        if teacher.cell_type == 'markdown' and index > 0:  # the first held the grading note
            heading_points = [line for line in lines(teacher)
                              if line.startswith('## ') and POINTS.search(line)]
            changed = [(a, b) for a, b in zip(lines(teacher), lines(reader)) if a != b]
            assert [a for a, _ in changed] == heading_points, f'cell {index}'


def test_the_edition_of_the_edition_and_of_other_notebooks_is_the_same(readers):
    assert reader_edition.reader_edition(readers, 'edition') == readers
    for path in sorted((ROOT / 'notebooks').glob('*.ipynb')) + sorted(
            (ROOT / 'notebooks' / 'en').glob('*.ipynb')):
        if path.name != EXERCISES.name:
            nb = nbformat.read(path, as_version=4)
            assert reader_edition.reader_edition(nb, path.name) == nb, path.name


@pytest.mark.parametrize('source, where', [
    (f'x = 1  {BEGIN}\ny = 2\n{END}', 'line 1'),
    (f'check()\n{BEGIN_HIDDEN}\nassert True', 'No end hidden tests'),
])
def test_a_marker_the_edition_cannot_take_out_is_named(source, where):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('text'),
                                         nbformat.v4.new_code_cell(source)])
    with pytest.raises(tool_safety.ToolError) as error:
        reader_edition.reader_edition(nb, 'probe.ipynb')
    assert 'probe.ipynb' in str(error.value) and where in str(error.value)
