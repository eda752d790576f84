"""nbgrader grades the exercises: full points for the teacher's answers, none for the untouched
release, and for a partly wrong submission exactly the points it deserves; feedback for each.

One course folder is made by `make student`'s tool (tools/make_student.py, nbgrader's
generate_assignment), and the three submissions, made here from the release, are graded in one
`nbgrader autograde` run, as a teacher would after `nbgrader collect`:
- teacher: every solution cell holds the teacher's own answer (the only one that trains);
- untouched: the release as a student got it;
- partly: exercise 1 answered right; exercises 2 and 3 faked so that their visible checks say
  "✓ 正确" (shapes written down, a made-up training record): only the hidden tests catch them.
"""
import csv
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # runs nbgrader autograde on executed submissions

ROOT = Path(__file__).resolve().parent.parent
ASSIGNMENT, NOTEBOOK = 'exercises', '05_exercises'
POINTS = {'ex1_check': 2, 'ex2_check': 3, 'ex3_check': 5}
ENV = {**os.environ, 'PATH': os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get('PATH', '')])}
FAKED = {
    'ex2_answer1': 'shape_before = (8, 0)',
    'ex2_answer2': 'shape_after = (8, 20)',
    'ex3_answer2': 'history = d2l.History(loss=[0.4] * 5, train_acc=[0.85] * 5, '
                   'test_acc=[0.85] * 5, seconds=[1.0] * 5)',
}
EXPECTED = {
    'teacher': {'ex1_check': 2, 'ex2_check': 3, 'ex3_check': 5},
    'untouched': {'ex1_check': 0, 'ex2_check': 0, 'ex3_check': 0},
    'partly': {'ex1_check': 2, 'ex2_check': 0, 'ex3_check': 0},
}


def run(command, cwd, timeout=300):
    result = subprocess.run(command, cwd=cwd, env=ENV, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def nbgrader(course, *args, timeout=300):
    return run([sys.executable, '-m', 'nbgrader', *args], course, timeout)


def answers_of(nb):
    """{grade_id: source} of the solution cells."""
    return {cell.metadata['nbgrader']['grade_id']: cell.source for cell in nb.cells
            if cell.metadata.get('nbgrader', {}).get('solution')}


def submission(release, answers):
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get('nbgrader', {}).get('grade_id')
        if grade_id in answers:
            cell.source = answers[grade_id]
    return nb


@pytest.fixture(scope='module')
def graded(tmp_path_factory):
    build = tmp_path_factory.mktemp('build')
    run([sys.executable, str(ROOT / 'tools' / 'make_student.py'), str(ROOT / 'notebooks'),
         str(build / 'student')], ROOT)
    course = build / 'course'
    release = course / 'release' / ASSIGNMENT / f'{NOTEBOOK}.ipynb'
    teacher = answers_of(nbformat.read(course / 'source' / ASSIGNMENT / f'{NOTEBOOK}.ipynb',
                                       as_version=4))
    submissions = {'teacher': teacher, 'untouched': {},
                   'partly': {**teacher, **FAKED}}
    for student, answers in submissions.items():
        folder = course / 'submitted' / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(release, answers), folder / f'{NOTEBOOK}.ipynb')
    log = nbgrader(course, 'autograde', ASSIGNMENT, '--force', timeout=600)
    log += nbgrader(course, 'generate_feedback', ASSIGNMENT, '--force')
    nbgrader(course, 'export', '--to', str(build / 'grades.csv'))
    return course, build / 'grades.csv', log


def scores(course, student):
    from nbgrader.api import Gradebook
    with Gradebook(f'sqlite:///{course / "gradebook.db"}') as gb:
        return {grade_id: gb.find_grade(grade_id, NOTEBOOK, ASSIGNMENT, student).score
                for grade_id in POINTS}


@pytest.mark.parametrize('student', EXPECTED)
def test_each_submission_gets_the_points_it_deserves(graded, student):
    course, grades_csv, log = graded
    assert scores(course, student) == EXPECTED[student], log
    row = next(r for r in csv.DictReader(grades_csv.open()) if r['student_id'] == student)
    assert float(row['score']) == sum(EXPECTED[student].values())
    assert float(row['max_score']) == sum(POINTS.values()) == 10


def autograded(course, student):
    return nbformat.read(course / 'autograded' / student / ASSIGNMENT / f'{NOTEBOOK}.ipynb',
                         as_version=4)


def outputs(cell):
    return ''.join(o.get('text', '') + o.get('ename', '') + o.get('evalue', '')
                   for o in cell.outputs)


def check_cells(nb):
    return {cell.metadata['nbgrader']['grade_id']: cell for cell in nb.cells
            if cell.metadata.get('nbgrader', {}).get('grade')}


def test_the_untouched_release_runs_to_the_end_and_every_check_says_not_yet(graded):
    course, _, _ = graded
    nb = autograded(course, 'untouched')
    code = [cell for cell in nb.cells if cell.cell_type == 'code']
    assert all(cell.execution_count is not None for cell in code)  # nothing stopped the run
    errors = {cell.metadata['nbgrader']['grade_id'] for cell in code
              if any(o.output_type == 'error' for o in cell.outputs)}
    assert errors == set(POINTS)  # only the checks fail, with CheckFailed and a hint
    for cell in check_cells(nb).values():
        assert '✗ 还没有完成：' in outputs(cell) and '提示：' in outputs(cell)
        assert 'CheckFailed' in outputs(cell)


def test_hidden_tests_are_back_for_grading_and_catch_what_the_visible_checks_let_pass(graded):
    course, _, _ = graded
    checks = check_cells(autograded(course, 'partly'))
    for grade_id in ('ex2_check', 'ex3_check'):
        cell = checks[grade_id]
        assert '### BEGIN HIDDEN TESTS' in cell.source
        assert '✓ 正确：' in outputs(cell)  # the visible check was fooled ...
        assert any(o.output_type == 'error' for o in cell.outputs)  # ... the hidden tests not
    assert '✓ 正确：' in outputs(checks['ex1_check'])


@pytest.mark.parametrize('student', EXPECTED)
def test_feedback_html_shows_each_students_score(graded, student):
    course, _, _ = graded
    html = (course / 'feedback' / student / ASSIGNMENT / f'{NOTEBOOK}.html').read_text('utf-8')
    total = sum(EXPECTED[student].values())
    assert f'Score: {total:.1f} / 10.0' in html, html[:2000]
    # the checks' verdicts, in Chinese ("✓ 正确" also stands in CheckFailed's traceback)
    assert '✗ 还没有完成：' in html if student == 'untouched' else '✓ 正确：' in html


def test_a_strict_check_prints_its_verdict_then_fails(capsys):
    import d2lhelpers as d2l
    with pytest.raises(d2l.check.CheckFailed, match='还没有完成'):
        d2l.check.deferred_shapes(None, None, strict=True)
    assert capsys.readouterr().out.startswith('✗ 还没有完成：')
    assert d2l.check.deferred_shapes((8, 0), (8, 20), strict=True) is None
    assert issubclass(d2l.check.CheckFailed, AssertionError)  # nbgrader: a failed test
