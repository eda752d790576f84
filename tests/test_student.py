"""The student edition: the teacher's checks pass, the student's run to the end and say "not yet"."""
import importlib.util
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / 'notebooks' / '05_exercises.ipynb'

spec = importlib.util.spec_from_file_location('make_student', ROOT / 'tools' / 'make_student.py')
make_student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_student)


def check_cells(nb):
    return [cell for cell in nb.cells
            if cell.cell_type == 'code' and cell.source.startswith('d2l.check.')]


def stdout(cell):
    return ''.join(o.get('text', '') for o in cell.outputs if o.get('name') == 'stdout')


def test_every_exercise_is_followed_by_a_check():
    nb = nbformat.read(EXERCISES, as_version=4)
    sections = '\n'.join(cell.source for cell in nb.cells).split('## 练习 ')[1:]
    assert len(sections) == 3
    assert all('d2l.check.' in section for section in sections)


def test_the_teachers_checks_all_pass():
    """nbval keeps these stored outputs equal to a fresh run of the teacher's notebook."""
    checks = check_cells(nbformat.read(EXERCISES, as_version=4))
    assert len(checks) == 3
    assert all(stdout(cell).startswith('✓ 正确：') for cell in checks)


@pytest.fixture(scope='module')
def student_edition(tmp_path_factory):
    out = tmp_path_factory.mktemp('student') / 'student'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_student.py'),
                    str(ROOT / 'notebooks'), str(out)], check=True, capture_output=True)
    return out


def test_the_student_edition_gives_no_answers_away(student_edition):
    nb = nbformat.read(student_edition / EXERCISES.name, as_version=4)
    text = '\n'.join(cell.source for cell in nb.cells)
    assert 'BEGIN SOLUTION' not in text and make_student.PROMPT in text
    assert 'shape_before = net[0].weight.shape' not in text and "'MSRAPrelu':" not in text
    assert not any('solution' in cell.metadata.get('tags', []) for cell in nb.cells)
    assert all(not cell.outputs for cell in nb.cells if cell.cell_type == 'code')
    untouched = nbformat.read(student_edition / '04_sharing_parameters.ipynb', as_version=4)
    assert untouched == nbformat.read(ROOT / 'notebooks' / '04_sharing_parameters.ipynb',
                                      as_version=4)


def test_the_student_edition_runs_as_is_and_every_check_says_not_yet(student_edition):
    nb = nbformat.read(student_edition / EXERCISES.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name='python3',
                   resources={'metadata': {'path': str(student_edition)}}).execute()
    checks = check_cells(nb)
    assert len(checks) == 3
    for cell in checks:
        assert stdout(cell).startswith('✗ 还没有完成：') and '提示：' in stdout(cell), cell.source


@pytest.mark.parametrize('source, message', [
    ('a = 1\n### BEGIN SOLUTION\nb = 2', 'without ### END SOLUTION'),
    ('### END SOLUTION', 'without ### BEGIN SOLUTION'),
    ('### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION', 'inside another block'),
])
def test_unbalanced_markers_are_rejected_with_the_cell_named(source, message):
    with pytest.raises(ValueError, match=message) as info:
        make_student.strip_solution(source, '05_exercises.ipynb, cell 4')
    assert '05_exercises.ipynb, cell 4' in str(info.value)
