"""nbgrader grades the exercises: full points for the teacher's answers, none for the untouched
release, and for a partly wrong submission exactly the points it deserves; feedback for each.

One course folder is made by `make student`'s tool (tools/make_student.py, nbgrader's
generate_assignment), and the three submissions, made here from the release, are graded in one
`nbgrader autograde` run, as a teacher would after `nbgrader collect`:
- teacher: every solution cell holds the teacher's own answer (the only one that trains);
- untouched: the release as a student got it;
- partly: exercise 1 answered right; exercises 2 and 3 faked so that their visible checks say
  "✓ 正确" (a shape written down, a made-up training record): only the hidden tests catch them;
- first_unfinished: exercise 1 left as released, exercise 2 right with the input named
  ``inputs`` (a name the exercise does not ask for), exercise 3 left: exercise 2's points;
- tampered: exercises 1 and 2 right, exercise 1's test cell altered and exercise 2's deleted:
  nbgrader grades the original cells, and the feedback says so above each.
The feedback pages are in Chinese and load nothing from another host. The English course
(make student CLASS_LANGUAGE=en, from notebooks/en) grades one submission, the tampered one
without exercise 3's training, and its feedback is in English.
"""
import csv
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
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
    'ex2_answer2': 'shape_after = (8, 20)',  # written down: net never saw an input
    'ex3_answer2': 'history = d2l.History(loss=[0.4] * 5, train_acc=[0.85] * 5, '
                   'test_acc=[0.85] * 5, seconds=[1.0] * 5)',
}
EXPECTED = {
    'teacher': {'ex1_check': 2, 'ex2_check': 3, 'ex3_check': 5},
    'untouched': {'ex1_check': 0, 'ex2_check': 0, 'ex3_check': 0},
    'partly': {'ex1_check': 2, 'ex2_check': 0, 'ex3_check': 0},
    'first_unfinished': {'ex1_check': 0, 'ex2_check': 3, 'ex3_check': 0},
    'tampered': {'ex1_check': 2, 'ex2_check': 3, 'ex3_check': 0},
}
TAMPERED_CHECK = "print('✓ 正确：')"  # what a student might put in exercise 1's test cell


def other_input_name(source):
    """Exercise 2's forward pass with the input named ``inputs``."""
    assert 'X = nd.random_uniform' in source and 'net(X)' in source
    return source.replace('X = nd.random_uniform', 'inputs = nd.random_uniform').replace(
        'net(X)', 'net(inputs)')


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


def submission(release, answers, tamper=False, tampered_check=TAMPERED_CHECK):
    nb = nbformat.read(release, as_version=4)
    for cell in nb.cells:
        grade_id = cell.metadata.get('nbgrader', {}).get('grade_id')
        if grade_id in answers:
            cell.source = answers[grade_id]
        if tamper and grade_id == 'ex1_check':
            cell.source = tampered_check
    if tamper:
        nb.cells = [cell for cell in nb.cells
                    if cell.metadata.get('nbgrader', {}).get('grade_id') != 'ex2_check']
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
    exercise_2 = {'ex2_answer1': teacher['ex2_answer1'],
                  'ex2_answer2': other_input_name(teacher['ex2_answer2'])}
    submissions = {'teacher': teacher, 'untouched': {},
                   'partly': {**teacher, **FAKED},
                   'first_unfinished': exercise_2,
                   'tampered': {'ex1_answer1': teacher['ex1_answer1'], **exercise_2}}
    for student, answers in submissions.items():
        folder = course / 'submitted' / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(submission(release, answers, tamper=student == 'tampered'),
                       folder / f'{NOTEBOOK}.ipynb')
    log = nbgrader(course, 'autograde', ASSIGNMENT, '--force', timeout=600)
    log += nbgrader(course, 'generate_feedback', ASSIGNMENT, '--force')
    nbgrader(course, 'export', '--to', str(build / 'grades.csv'))
    return course, build / 'grades.csv', log


def inbound_submission(exchange, student, notebook, stamp):
    """A submission in the exchange as `nbgrader submit` leaves it; ``notebook(folder)`` puts the
    notebook in."""
    entry = exchange / 'd2l-4.2' / 'inbound' / f'{student}+{ASSIGNMENT}+{stamp}+secret'
    entry.mkdir(parents=True)
    (entry / 'timestamp.txt').write_text(stamp)
    (entry / 'submission_secret.txt').write_text('secret')
    notebook(entry)
    return entry


def test_collect_copies_no_link_a_student_put_in_a_submission(graded, tmp_path):
    """The exchange is written by students and collect copies as the teacher: a submission whose
    notebook (or a folder of it, or the submission itself) is a link to the teacher's source
    notebook is not collected, nor one with a name nbgrader cannot read, nor one made by another
    account than the student it names; the log says why; an honest submission beside them is."""
    course = tmp_path / 'course'
    shutil.copytree(graded[0], course)
    exchange = tmp_path / 'exchange'
    nbgrader(course, 'release_assignment', ASSIGNMENT, f'--Exchange.root={exchange}', '--force')
    source = course / 'source' / ASSIGNMENT / f'{NOTEBOOK}.ipynb'
    release = course / 'release' / ASSIGNMENT / f'{NOTEBOOK}.ipynb'
    stamp = '2026-12-04 10:00:00.000000 UTC'
    inbound_submission(exchange, 'honest', lambda entry: shutil.copy(release, entry), stamp)
    inbound_submission(exchange, 'linker',
                       lambda entry: (entry / f'{NOTEBOOK}.ipynb').symlink_to(source), stamp)
    inbound_submission(exchange, 'folderlinker',
                       lambda entry: (entry / 'more').symlink_to(source.parent), stamp)
    # a submission that is itself a link: refused, and the others after it are still collected
    (exchange / 'd2l-4.2' / 'inbound' / f'entrylinker+{ASSIGNMENT}+{stamp}+secret').symlink_to(
        source.parent)
    # a name nbgrader cannot read, which stopped nbgrader's own collect for everyone
    inbound_submission(exchange, 'garbled', lambda entry: shutil.copy(release, entry),
                       'not a time')
    # a timestamp.txt its student edited: nbgrader could not read it in the collected copy at the
    # next collect, which then stopped for everyone
    stamper = inbound_submission(exchange, 'stamper', lambda entry: shutil.copy(release, entry),
                                 stamp)
    (stamper / 'timestamp.txt').write_text('not a time')
    # a name with a newline in it, which the log would show as a line of its own
    inbound_submission(exchange, 'forger', lambda entry: shutil.copy(release, entry),
                       'not a time\n[CollectApp | INFO] a line the forger wrote')
    # named for an account (nobody) that did not make it (this test's user did): refused, even
    # with the latest time, so nobody's own submission, if any, would be the one collected
    impostor = inbound_submission(exchange, 'nobody', lambda entry: shutil.copy(release, entry),
                                  '2099-01-01 00:00:00.000000 UTC')
    log = nbgrader(course, 'collect', ASSIGNMENT, '--update', f'--Exchange.root={exchange}')
    submitted = course / 'submitted'
    assert (submitted / 'honest' / ASSIGNMENT / f'{NOTEBOOK}.ipynb').read_bytes() == \
        release.read_bytes()
    assert not (submitted / 'linker' / ASSIGNMENT).exists()
    assert not (submitted / 'folderlinker' / ASSIGNMENT).exists()
    assert not (submitted / 'entrylinker' / ASSIGNMENT).exists()
    assert not any((submitted / name / ASSIGNMENT).exists()
                   for name in ('garbled', 'forger', 'nobody', 'stamper'))
    assert (f'Not collected: {stamper}: its timestamp.txt does not hold the time in its name '
            f'({stamp})' in log), log
    assert f"garbled+{ASSIGNMENT}+not a time+secret: its name is not one nbgrader submit" in log
    assert (f'forger+{ASSIGNMENT}+not a time\\n[CollectApp | INFO] a line the forger wrote+secret: '
            'its name is not one nbgrader submit' in log), log
    assert not any(line.startswith('[CollectApp | INFO] a line') for line in log.splitlines()), log
    assert (f'Not collected: {impostor}: it is named for nobody, but account {os.getuid()} made '
            f'it' in log), log
    assert (f'Not collected: {exchange}/d2l-4.2/inbound/entrylinker+{ASSIGNMENT}+{stamp}+secret: '
            in log), log
    for student, name in [('linker', f'{NOTEBOOK}.ipynb'), ('folderlinker', 'more')]:
        entry = f'{student}+{ASSIGNMENT}+{stamp}+secret'
        assert (f'Not collected: {exchange}/d2l-4.2/inbound/{entry}: {exchange}/d2l-4.2/inbound/'
                f'{entry}/{name} is a link. A submission is what nbgrader submit' in log), log
    # the next collect still collects: an honest resubmission replaces the earlier one
    later = '2026-12-04 11:00:00.000000 UTC'
    inbound_submission(exchange, 'honest', lambda entry: shutil.copy(release, entry), later)
    log = nbgrader(course, 'collect', ASSIGNMENT, '--update', f'--Exchange.root={exchange}')
    assert (submitted / 'honest' / ASSIGNMENT / 'timestamp.txt').read_text() == later, log
    assert not (submitted / 'stamper' / ASSIGNMENT).exists()
    assert not [path for student in ('honest', 'linker', 'folderlinker', 'entrylinker')
                for path in (submitted / student).rglob('*')
                if path.is_file() and b'BEGIN SOLUTION' in path.read_bytes()]


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


def error_outputs(nb):
    return [o for cell in nb.cells if cell.cell_type == 'code' for o in cell.outputs
            if o.output_type == 'error']


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


@pytest.mark.parametrize('student', ['untouched', 'first_unfinished'])
def test_a_failed_check_shows_its_verdict_and_hint_not_the_checkers_source(graded, student):
    course, _, _ = graded
    errors = error_outputs(autograded(course, student))
    assert errors and all(o.ename == 'CheckFailed' for o in errors)
    for error in errors:
        # the verdict and hint alone, wrapped at 80 columns (d2lhelpers/check.py, fit_the_page)
        shown = re.sub(r'\s+', '', ''.join(error.traceback))
        assert shown == re.sub(r'\s+', '', f'CheckFailed: {error.evalue}'), error.traceback
        assert '提示：' in error.evalue
    html = feedback(course, student)
    assert 'check.py' not in html and 'def deferred_shapes' not in html
    assert 'shape_before == (8, 20)' not in html  # a line of the checker, expected value in it


def test_a_deleted_or_altered_test_cell_is_graded_as_released_and_named_in_the_feedback(graded):
    course, _, _ = graded
    checks = check_cells(autograded(course, 'tampered'))
    assert TAMPERED_CHECK not in checks['ex1_check'].source
    assert checks['ex2_check'].source.count('d2l.check.deferred_shapes(') == 1  # put back
    text = re.sub(r'<[^>]+>', '', feedback(course, 'tampered'))
    assert '提交的笔记本里，练习 1 的检查单元格（ex1_check）被改动过' in text
    assert '提交的笔记本里没有练习 2 的检查单元格（ex2_check）（被删掉了）' in text


def test_hidden_tests_are_back_for_grading_and_catch_what_the_visible_checks_let_pass(graded):
    course, _, _ = graded
    checks = check_cells(autograded(course, 'partly'))
    for grade_id in ('ex2_check', 'ex3_check'):
        cell = checks[grade_id]
        assert '### BEGIN HIDDEN TESTS' in cell.source
        assert '✓ 正确：' in outputs(cell)  # the visible check was fooled ...
        assert any(o.output_type == 'error' for o in cell.outputs)  # ... the hidden tests not
    assert '✓ 正确：' in outputs(checks['ex1_check'])


def feedback(course, student):
    return (course / 'feedback' / student / ASSIGNMENT / f'{NOTEBOOK}.html').read_text('utf-8')


@pytest.mark.parametrize('student', EXPECTED)
def test_feedback_html_shows_each_students_score_in_chinese(graded, student):
    course, _, _ = graded
    html = feedback(course, student)
    total = sum(EXPECTED[student].values())
    assert f'（得分：{total:.1f} / 10.0）' in html, html[:2000]
    for exercise, grade_id in enumerate(POINTS, 1):
        score = EXPECTED[student][grade_id]
        assert re.search(rf'练习 {exercise}的检查</a>（得分：{score:.1f} / '
                         rf'{POINTS[grade_id]:.1f}）', html), (exercise, html[:3000])
    visible = re.sub(r'<(script|style)\b.*?</\1>', '', html, flags=re.S)
    for english in ('Score:', 'Test cell', "Student's answer", 'Grade cell', '(Top)',
                    'No response'):  # nbgrader's comment on an answer cell left as released
        assert english not in visible
    # each comment's entry in the table of contents says whose answer it is about
    comments = re.findall(r'<a href="#comment-[^"]*">([^<]*)</a>', html)
    assert len(comments) == len(set(comments)), comments
    if student == 'untouched':  # every answer cell as released: nbgrader's "No response."
        assert '练习 1 作答 1的评语' in comments and '未作答：这个单元格与发下去时一样。' in html
    # the checks' verdicts, in Chinese
    assert '✗ 还没有完成：' in html if student == 'untouched' else '✓ 正确：' in html


class Links(HTMLParser):
    """Every src and href of a script, link, img, iframe, source or object element."""

    def __init__(self):
        super().__init__()
        self.found = []

    def handle_starttag(self, tag, attrs):
        if tag in ('script', 'link', 'img', 'iframe', 'source', 'object', 'embed'):
            self.found += [(tag, value) for name, value in attrs
                           if name in ('src', 'href', 'data') and value]


def test_the_formgrader_shows_a_students_html_as_text(tmp_path):
    """The formgrader's page of a submission is the instructor's: it is rendered with nbgrader's
    own formgrader settings under the course's nbgrader_config.py, as the formgrader loads them,
    and a student's HTML, in a Markdown cell or in an output, reaches it as text, not as a tag
    whose script would run there."""
    from nbconvert.exporters import HTMLExporter
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
    from nbgrader.server_extensions.formgrader.formgrader import FormgradeExtension
    from traitlets.config.loader import PyFileConfigLoader
    shutil.copy(ROOT / 'tools' / 'classroom' / 'nbgrader_config.py', tmp_path)  # as make_student
    config = FormgradeExtension().build_extra_config()  # the formgrader's own, then the files'
    config.merge(PyFileConfigLoader('nbgrader_config.py', path=str(tmp_path)).load_config())
    notebook = new_notebook(cells=[
        new_markdown_cell('**mine** <img src="x" onerror="alert(1)">'),
        new_code_cell('show()', outputs=[new_output('display_data', data={
            'text/html': '<img src="y" onerror="alert(2)">', 'text/plain': 'shown'})])])
    notebook.metadata['kernelspec'] = {'name': 'd2l-mxnet', 'display_name': 'd2l',
                                       'language': 'python'}
    resources = {'assignment_id': ASSIGNMENT, 'notebook_id': NOTEBOOK, 'submission_id': 'id',
                 'index': 0, 'total': 1, 'base_url': '/', 'student': 'she', 'last_name': '',
                 'first_name': '', 'notebook_path': f'/{NOTEBOOK}.ipynb'}
    page, _ = HTMLExporter(config=config).from_notebook_node(notebook, resources=resources)
    assert '<b>mine</b>' in page or '<strong>mine</strong>' in page  # the Markdown is rendered
    assert not re.search(r'<img[^>]*onerror', page), page


@pytest.mark.parametrize('student', EXPECTED)
def test_the_feedback_page_loads_nothing_from_another_host(graded, student):
    course, _, _ = graded
    parser = Links()
    parser.feed(feedback(course, student))
    remote = [(tag, url) for tag, url in parser.found if re.match(r'\s*(https?:)?//', url, re.I)]
    assert remote == []
    assert not re.search(r'@import\s+url\(\s*[\'"]?(https?:)?//', feedback(course, student))


def test_the_released_text_needs_no_mathjax(graded):
    """The feedback page has no MathJax (it would come from a CDN): no formula to typeset."""
    course, _, _ = graded
    release = nbformat.read(course / 'release' / ASSIGNMENT / f'{NOTEBOOK}.ipynb', as_version=4)
    text = '\n'.join(cell.source for cell in release.cells if cell.cell_type == 'markdown')
    assert not re.search(r'\$|\\\(|\\\[|\\begin\{', text)


def test_a_strict_check_prints_its_verdict_then_fails(capsys):
    import d2lhelpers as d2l
    with pytest.raises(d2l.check.CheckFailed, match='还没有完成'):
        d2l.check.deferred_shapes(None, None, None, strict=True)
    assert capsys.readouterr().out.startswith('✗ 还没有完成：')
    assert issubclass(d2l.check.CheckFailed, AssertionError)  # nbgrader: a failed test


# --- the English course: one submission, graded with the points it deserves, feedback in English

CJK = re.compile(r'[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]')  # Chinese text, full-width marks


@pytest.fixture(scope='module')
def graded_in_english(tmp_path_factory):
    """The tampered submission of the English course: exercises 1 and 2 answered, exercise 1's
    test cell altered, exercise 2's deleted, exercise 3 as released (nothing trains)."""
    build = tmp_path_factory.mktemp('build-en')
    run([sys.executable, str(ROOT / 'tools' / 'make_student.py'), str(ROOT / 'notebooks' / 'en'),
         str(build / 'student-en'), '--course', str(build / 'course-en'), '--language', 'en'], ROOT)
    course = build / 'course-en'
    teacher = answers_of(nbformat.read(course / 'source' / ASSIGNMENT / f'{NOTEBOOK}.ipynb',
                                       as_version=4))
    answers = {grade_id: teacher[grade_id]
               for grade_id in ('ex1_answer1', 'ex2_answer1', 'ex2_answer2')}
    folder = course / 'submitted' / 'tampered' / ASSIGNMENT
    folder.mkdir(parents=True)
    nbformat.write(submission(course / 'release' / ASSIGNMENT / f'{NOTEBOOK}.ipynb', answers,
                              tamper=True, tampered_check="print('✓ Correct:')"),
                   folder / f'{NOTEBOOK}.ipynb')
    log = nbgrader(course, 'autograde', ASSIGNMENT, '--force', timeout=600)
    log += nbgrader(course, 'generate_feedback', ASSIGNMENT, '--force')
    return course, log


def test_the_english_course_grades_a_submission_and_gives_feedback_in_english(graded_in_english):
    course, log = graded_in_english
    assert scores(course, 'tampered') == EXPECTED['tampered'], log
    checks = check_cells(autograded(course, 'tampered'))
    assert checks['ex2_check'].source.count('d2l.check.deferred_shapes(') == 1  # put back
    assert '✗ Not done yet: ' in outputs(checks['ex3_check'])  # the kernel speaks English
    html = feedback(course, 'tampered')
    assert '<html lang="en">' in html
    assert '(Score: 5.0 / 10.0)' in html, html[:2000]
    for exercise, grade_id in enumerate(POINTS, 1):
        score = EXPECTED['tampered'][grade_id]
        assert f'Exercise {exercise} check</a> (Score: {score:.1f} / {POINTS[grade_id]:.1f})' \
            in html, (exercise, html[:3000])
    text = re.sub(r'<[^>]+>', '', html)
    assert "in the submitted notebook, exercise 1's check cell (ex1_check) was altered" in text
    assert "the submitted notebook has no exercise 2's check cell (ex2_check) (it was deleted)" \
        in text
    # exercise 3's answers as released: nbgrader's "No response.", said in full
    assert 'Not answered: this cell is as it was handed out.' in html
    assert 'No response.' not in re.sub(r'<(script|style)\b.*?</\1>', '', html, flags=re.S)
    comments = re.findall(r'<a href="#comment-[^"]*">([^<]*)</a>', html)
    assert 'Comments on Exercise 3, answer 1' in comments and len(comments) == len(set(comments))
    visible = re.sub(r'<(script|style)\b.*?</\1>', '', html, flags=re.S)
    assert not CJK.search(re.sub(r'<[^>]+>', '', visible)), CJK.findall(visible)[:10]
    parser = Links()
    parser.feed(html)
    assert [url for _, url in parser.found if re.match(r'\s*(https?:)?//', url, re.I)] == []
