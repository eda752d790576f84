"""The student edition, made by nbgrader: the teacher's checks pass, the student's say "not yet".

It gives no answer away: every file it writes is searched for the teacher's solution lines
themselves (hidden tests included), and a marker written almost right (also in full-width,
look-alike or invisible characters), in the wrong cell or unbalanced, a notebook that cannot
be read, a file that cannot be checked (not UTF-8, an archive, a FIFO, a device, unreadable)
stops the tool before nbgrader runs, with no edition and no course folder written. nbgrader
runs with the project's configuration only, and what it released is checked before anything
is published. Grading is tests/test_autograde.py.
"""
import contextlib
import importlib.util
import io
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from os_support import bind_unix_socket

ROOT = Path(__file__).resolve().parent.parent
EXERCISES = ROOT / 'notebooks' / '05_exercises.ipynb'
ENGLISH = ROOT / 'notebooks' / 'en'  # the English edition: make student CLASS_LANGUAGE=en
ASSIGNMENT = 'exercises'  # nbgrader's assignment: its folder in the student edition

spec = importlib.util.spec_from_file_location('make_student', ROOT / 'tools' / 'make_student.py')
make_student = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_student)
sys.path.insert(0, str(ROOT / 'tools' / 'classroom'))
import settings  # noqa: E402  (tools/classroom/settings.py: the class's settings, their one home)


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
    out = tmp_path_factory.mktemp('build') / 'student'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_student.py'),
                    str(ROOT / 'notebooks'), str(out)], check=True, capture_output=True,
                   timeout=300)
    return out


@pytest.mark.slow  # runs nbgrader
def test_make_student_uses_nbgrader_and_lays_out_a_course_folder(student_edition):
    course = student_edition.parent / 'course'
    assert (course / 'gradebook.db').is_file() and (course / 'nbgrader_config.py').is_file()
    assert (course / 'source' / ASSIGNMENT / EXERCISES.name).is_file()
    release = nbformat.read(course / 'release' / ASSIGNMENT / EXERCISES.name, as_version=4)
    assert release == nbformat.read(student_edition / ASSIGNMENT / EXERCISES.name, as_version=4)
    checks = [cell for cell in release.cells if cell.metadata.get('nbgrader', {}).get('grade')]
    assert [c.metadata['nbgrader']['points'] for c in checks] == [2, 3, 5]
    assert all(c.metadata['nbgrader']['checksum'] for c in checks)  # nbgrader wrote them
    locked = [c for c in release.cells if c.metadata.get('nbgrader', {}).get('locked')]
    assert len(locked) > len(checks) and all(c.metadata.get('deletable') is False for c in locked)


def nbformat_text(path):
    """Every cell's source and every output's text of a notebook, decoded."""
    nb = nbformat.read(path, as_version=4)
    return '\n'.join([cell.source for cell in nb.cells] + [
        output.get('text', '') + ''.join(map(str, output.get('data', {}).values()))
        for cell in nb.cells for output in cell.get('outputs', [])])


def solution_and_public_lines(nb):
    """The non-blank lines of the teacher's answers, and the lines of everything else.

    Answers are the lines between the exact markers in code cells and the lines of cells
    tagged ``solution``; read here independently of the tool.
    """
    answers, public = set(), set()
    for cell in nb.cells:
        hidden = 'solution' in cell.metadata.get('tags', [])
        inside = False
        for line in cell.source.splitlines():
            marker = line.strip()
            if marker in ('### BEGIN SOLUTION', '### BEGIN HIDDEN TESTS'):
                inside = True
            elif marker in ('### END SOLUTION', '### END HIDDEN TESTS'):
                inside = False
            elif marker:
                (answers if hidden or inside else public).add(marker)
    return answers, public


def teachers_answers(notebook_dir=ROOT / 'notebooks'):
    """The answer lines that appear nowhere else in the teacher's material (so may not leak)."""
    answers, public = solution_and_public_lines(nbformat.read(notebook_dir / EXERCISES.name,
                                                              as_version=4))
    for path in notebook_dir.iterdir():
        if path.is_file() and path.name != EXERCISES.name:
            text = nbformat_text(path) if path.suffix == '.ipynb' else path.read_text('utf-8')
            public.add(text)
    public = '\n'.join(public)  # an answer line found anywhere in it is not the answer's own
    return {answer for answer in answers if answer not in public}


ANSWERS = teachers_answers()


def leaked_answers(folder, answers=ANSWERS):
    """(file, answer line) for every answer found in any file under ``folder``, hidden ones too."""
    leaks = []
    for path in sorted(Path(folder).rglob('*')):
        if not path.is_file():
            continue
        text = path.read_bytes().decode('utf-8', errors='replace')
        if path.suffix == '.ipynb':  # JSON escapes quotes: search the decoded strings too
            try:
                text += nbformat_text(path)
            except Exception:  # noqa: BLE001 (not a notebook: the raw text was searched)
                pass
        leaks += [(path.name, answer) for answer in answers if answer in text]
    return leaks


def test_the_answers_searched_for_are_the_teachers_own_lines():
    assert len(ANSWERS) > 30
    assert {'shape_before = net[0].weight.shape', 'shape_after = net[0].weight.shape',
            "diverging_trainer = gluon.Trainer(diverging.collect_params(), 'sgd',"} <= ANSWERS
    assert any(line.startswith("'MSRAPrelu':") for line in ANSWERS)
    assert leaked_answers(ROOT / 'notebooks')  # the search finds them where they are


@pytest.mark.slow  # runs nbgrader
def test_no_file_of_the_student_edition_holds_an_answer(student_edition):
    assert leaked_answers(student_edition) == []


@pytest.mark.slow  # runs nbgrader
def test_the_student_edition_gives_no_answers_away(student_edition):
    nb = nbformat.read(student_edition / ASSIGNMENT / EXERCISES.name, as_version=4)
    text = '\n'.join(cell.source for cell in nb.cells)
    assert 'BEGIN SOLUTION' not in text and make_student.PROMPT in text
    assert 'HIDDEN TESTS' not in text
    assert 'shape_before = net[0].weight.shape' not in text and "'MSRAPrelu':" not in text
    assert not any('solution' in cell.metadata.get('tags', []) for cell in nb.cells)
    assert all(not cell.outputs for cell in nb.cells if cell.cell_type == 'code')
    reading = nbformat.read(student_edition / '04_sharing_parameters.ipynb', as_version=4)
    original = nbformat.read(ROOT / 'notebooks' / '04_sharing_parameters.ipynb', as_version=4)
    assert [(c.source, c.get('outputs')) for c in reading.cells] == \
        [(c.source, c.get('outputs')) for c in original.cells]  # read as it is, outputs and all
    assert all(c.metadata['editable'] is False and c.metadata['deletable'] is False
               for c in reading.cells)  # locked: reading material
    assert not (student_edition / EXERCISES.name).exists()


def verdict_results(notebook):
    """The values the teacher's checks report as the exercises' results ("(8, 0)", "(8, 20)"):
    the shapes in the stored output of each check cell of ``notebook``."""
    nb = nbformat.read(notebook, as_version=4)
    return {shape for cell in check_cells(nb)
            for shape in re.findall(r'\(\d+, \d+\)', stdout(cell))}


@pytest.mark.slow  # runs nbgrader
@pytest.mark.parametrize('edition', ['zh', 'en'])
def test_the_released_exercises_state_no_result_an_exercise_asks_for(
        edition, student_edition, english_edition):
    """The release's own words (a summary, say) must not state what exercise 2 asks the student
    to find: its shapes, as the teacher's check reports them."""
    teacher = EXERCISES if edition == 'zh' else ENGLISH / EXERCISES.name
    results = verdict_results(teacher)
    assert {'(8, 0)', '(8, 20)'} <= results  # exercise 2's two shapes, from the stored verdict
    edition_folder = student_edition if edition == 'zh' else english_edition
    text = nbformat_text(edition_folder / ASSIGNMENT / EXERCISES.name)
    assert [result for result in sorted(results) if result in text] == []


def run_release(student_edition, monkeypatch):
    """The released exercises run top to bottom as a student's Run All. (nbgrader's own run of
    the release is tests/test_autograde.py's untouched submission: only the checks fail, each
    with its verdict and hint alone.)"""
    monkeypatch.delenv('NBGRADER_EXECUTION', raising=False)
    nb = nbformat.read(student_edition / ASSIGNMENT / EXERCISES.name, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name='python3', allow_errors=True,
                   resources={'metadata': {'path': str(student_edition)}}).execute()
    return nb


@pytest.mark.slow  # runs nbgrader
def test_the_student_edition_runs_to_the_end_and_every_check_says_not_yet(student_edition,
                                                                          monkeypatch):
    """In JupyterLab or nbconvert no check raises: Run All reaches every exercise."""
    nb = run_release(student_edition, monkeypatch)
    checks = check_cells(nb)
    assert len(checks) == 3
    for cell in checks:
        assert stdout(cell).startswith('✗ 还没有完成：') and '提示：' in stdout(cell), cell.source
    assert [o for cell in nb.cells if cell.cell_type == 'code' for o in cell.outputs
            if o.output_type == 'error'] == []


def released_exercises(student_edition):
    return nbformat.read(student_edition / ASSIGNMENT / EXERCISES.name, as_version=4)


def names_defined_only_in_removed_code():
    """Names the teacher's notebook defines (assigns, def, class, import) only in what the
    release leaves out: solution blocks and cells tagged ``solution``."""
    import ast
    nb = nbformat.read(EXERCISES, as_version=4)
    removed, kept = [], []
    for cell in nb.cells:
        if cell.cell_type != 'code':
            continue
        if 'solution' in cell.metadata.get('tags', []):
            removed.append(cell.source)
            continue
        parts = re.split(r'^\s*### (?:BEGIN|END) (?:SOLUTION|HIDDEN TESTS)\s*$', cell.source,
                         flags=re.M)
        kept += parts[0::2]
        removed += parts[1::2]

    def defined(sources):
        names = set()
        for node in ast.walk(ast.parse('\n'.join(textwrap.dedent(s) for s in sources))):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                names.add(node.id)
            elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, ast.alias):
                names.add((node.asname or node.name).split('.')[0])
        return names
    return defined(removed) - defined(kept)


# Words that point at what a student does not have: the answers, the project's README, a
# demonstration "below" or "at the end" that the release leaves out.
POINTERS = ['解答', 'README', '本节最后', '下面演示', '后面解释', '见下文']


def test_the_removed_names_are_found():
    assert {'shared', 'grad_norms', 'PrintInit', 'diverging', 'animator'} <= \
        names_defined_only_in_removed_code()
    assert 'when_to_use' not in names_defined_only_in_removed_code()  # given, and asked for


@pytest.mark.slow  # runs nbgrader
def test_the_released_text_refers_to_nothing_it_leaves_out(student_edition):
    """No markdown cell of the release names a variable, function or cell that only the
    teacher's removed code defines, nor points at the answers, README or a removed demo."""
    removed = names_defined_only_in_removed_code()
    problems = []
    for index, cell in enumerate(released_exercises(student_edition).cells):
        if cell.cell_type != 'markdown':
            continue
        named = set(re.findall(r'`([A-Za-z_]\w*)', cell.source))
        problems += [(index, name) for name in sorted(named & removed)]
        problems += [(index, word) for word in POINTERS if word in cell.source]
    assert problems == []


@pytest.mark.parametrize('source, message', [
    ('a = 1\n### BEGIN SOLUTION\nb = 2', 'without ### END SOLUTION'),
    ('### END SOLUTION', 'without ### BEGIN SOLUTION'),
    ('### BEGIN SOLUTION\n### BEGIN SOLUTION\n### END SOLUTION', 'inside another block'),
])
def test_unbalanced_markers_are_rejected_with_the_cell_named(source, message):
    with pytest.raises(ValueError, match=message) as info:
        make_student.strip_solution(source, '05_exercises.ipynb, cell 4')
    assert '05_exercises.ipynb, cell 4' in str(info.value)


# --- failing closed: a teacher's slip stops the tool, and no edition is written ---

@pytest.fixture
def teacher(tmp_path):
    """A scratch copy of the teacher's notebook folder, to be damaged by a test."""
    folder = tmp_path / 'notebooks'
    folder.mkdir()
    for path in (ROOT / 'notebooks').iterdir():
        if path.is_file():
            shutil.copy(path, folder)
    return folder


def edit_exercises(folder, change):
    """Apply ``change(cells)`` to the exercise notebook in ``folder``."""
    nb = nbformat.read(folder / EXERCISES.name, as_version=4)
    change(nb.cells)
    nbformat.write(nb, folder / EXERCISES.name)


def make(teacher, out):
    """make_student.py's main(), run in this process (nbgrader, when reached, still runs in a
    process of its own): its exit status and what it printed, as a finished command's would be.

    A refusal costs no new interpreter this way; the command itself, started as a teacher
    starts it, is run by the tests of a built edition and of special or unreadable files.
    """
    stdout, stderr = (io.TextIOWrapper(io.BytesIO(), encoding='utf-8') for _ in range(2))
    with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
        try:
            make_student.main([str(teacher), str(out)])
            returncode = 0
        except SystemExit as exit:  # sys.exit(message) prints the message and exits with 1
            returncode = exit.code if isinstance(exit.code, int) else 1
            if isinstance(exit.code, str):
                print(exit.code, file=sys.stderr)
    return subprocess.CompletedProcess(['make_student.py', str(teacher), str(out)], returncode,
                                       *(text_of(stream) for stream in (stdout, stderr)))


def text_of(stream):
    stream.flush()
    return stream.buffer.getvalue().decode('utf-8')


def first_marker(cells, marker='### BEGIN SOLUTION'):
    """(cell index, line number from 1) of the first line that is exactly ``marker``."""
    for index, cell in enumerate(cells):
        lines = cell.source.splitlines()
        if cell.cell_type == 'code' and marker in lines:
            return index, lines.index(marker) + 1
    raise AssertionError(marker)


def replace_line(cells, where, new):
    index, number = where
    lines = cells[index].source.splitlines()
    lines[number - 1] = new
    cells[index].source = '\n'.join(lines)


def assert_refused_naming(result, out, *named):
    assert result.returncode != 0, result.stdout
    assert 'Traceback' not in result.stderr, result.stderr
    for text in named:
        assert text in result.stderr, (text, result.stderr)
    assert not out.exists() or leaked_answers(out) == [], 'an edition with answers was written'
    assert not out.exists(), 'no edition may be written when the tool fails'
    assert not (out.parent / 'course').exists(), 'nor a course folder'


@pytest.mark.parametrize('marker, variant', [
    ('### BEGIN SOLUTION', '### BEGIN SOLUTION (exercise 1)'),
    ('### BEGIN SOLUTION', '###BEGIN SOLUTION'),
    ('### BEGIN SOLUTION', '# BEGIN SOLUTION'),
    ('### BEGIN SOLUTION', '#### BEGIN SOLUTION'),
    ('### BEGIN SOLUTION', '### begin solution'),
    ('### BEGIN SOLUTION', '### BEGIN  SOLUTION'),
    ('### BEGIN SOLUTION', '### BEGIN_SOLUTION'),
    ('### BEGIN SOLUTION', '### BEGIN SOLUTION:'),
    ('### BEGIN SOLUTION', 'x = 1  ### BEGIN SOLUTION'),
    ('### BEGIN SOLUTION', '### BEGIN\u00a0SOLUTION'),
    ('### END SOLUTION', '### END SOLUTION '),
    ('### END SOLUTION', '### END SOLUTION.'),
    ('### END SOLUTION', '### end solution'),
    ('### END SOLUTION', '## END SOLUTION'),
    ('### END SOLUTION', '### END OF SOLUTION'),
])
def test_a_marker_written_almost_right_is_an_error_naming_cell_and_line(teacher, tmp_path,
                                                                          marker, variant):
    where = []
    edit_exercises(teacher, lambda cells: (where.append(first_marker(cells, marker)),
                                           replace_line(cells, where[0], variant)))
    out = tmp_path / 'build' / 'student'
    index, number = where[0]
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, f'cell {index}',
                          f'line {number}', repr(variant))


@pytest.mark.parametrize('variant', ['### BEGIN HIDDEN TEST', '### begin hidden tests',
                                     '###END HIDDEN TESTS', '# BEGIN HIDDEN TESTS (grader)'])
def test_a_hidden_tests_marker_written_almost_right_is_an_error(teacher, tmp_path, variant):
    where = []
    edit_exercises(teacher, lambda cells: (
        where.append(first_marker(cells, '### END SOLUTION')),
        replace_line(cells, where[0], f'### END SOLUTION\n{variant}\nassert when_to_use')))
    out = tmp_path / 'build' / 'student'
    index, number = where[0]
    assert_refused_naming(make(teacher, out), out, f'cell {index}', f'line {number + 1}')


@pytest.mark.slow  # runs nbgrader
def test_hidden_tests_are_left_out(teacher, tmp_path):
    secret = 'assert len(when_to_use) == 14  # the grader only'
    edit_exercises(teacher, lambda cells: replace_line(
        cells, first_marker(cells, '### END HIDDEN TESTS'),
        f'{secret}\n### END HIDDEN TESTS'))
    out = tmp_path / 'student'
    result = make(teacher, out)
    assert result.returncode == 0, result.stderr
    assert leaked_answers(out, ANSWERS | {secret}) == []
    source = (tmp_path / 'course' / 'source' / ASSIGNMENT / EXERCISES.name).read_text('utf-8')
    assert 'the grader only' in source  # kept for grading, in the teacher's course folder


def test_hidden_tests_outside_a_test_cell_are_an_error(teacher, tmp_path):
    where = []
    edit_exercises(teacher, lambda cells: (
        where.append(first_marker(cells, '### END SOLUTION')),
        replace_line(cells, where[0], '### END SOLUTION\n### BEGIN HIDDEN TESTS\n'
                                      'assert when_to_use\n### END HIDDEN TESTS')))
    out = tmp_path / 'build' / 'student'
    index, number = where[0]
    assert_refused_naming(make(teacher, out), out, f'cell {index}', f'line {number + 1}',
                          'not an autograded test cell')


@pytest.mark.parametrize('cell_type', ['markdown', 'raw'])
def test_a_marker_in_a_markdown_or_raw_cell_is_an_error(teacher, tmp_path, cell_type):
    answer = '答案：形状是 (8, 0)，因为输入个数还不知道。'
    new = getattr(nbformat.v4, f'new_{cell_type}_cell')(
        f'下面是答案：\n### BEGIN SOLUTION\n{answer}\n### END SOLUTION')
    edit_exercises(teacher, lambda cells: cells.insert(8, new))
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, 'cell 8', 'line 2',
                          cell_type)


@pytest.mark.parametrize('change, named', [
    (lambda cells: replace_line(cells, first_marker(cells, '### END SOLUTION'), 'pass'),
     'without ### END SOLUTION'),
    (lambda cells: replace_line(cells, first_marker(cells, '### BEGIN SOLUTION'), 'pass'),
     'without ### BEGIN SOLUTION'),
    (lambda cells: replace_line(cells, first_marker(cells, '### END SOLUTION'),
                                '### BEGIN SOLUTION\nx = 1\n### END SOLUTION'),
     'inside another block'),
    (lambda cells: replace_line(cells, first_marker(cells, '### END SOLUTION'),
                                '### END HIDDEN TESTS'),
     'does not close'),
])
def test_an_unbalanced_block_in_a_notebook_is_an_error_and_writes_nothing(teacher, tmp_path,
                                                                          change, named):
    edit_exercises(teacher, change)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, named, 'line ')


@pytest.mark.parametrize('tags', [['Solution'], ['solutions'], [' solution'], 'solution'])
def test_a_tag_that_looks_like_solution_but_is_not_is_an_error(teacher, tmp_path, tags):
    def retag(cells):
        index = next(i for i, c in enumerate(cells) if 'solution' in c.metadata.get('tags', []))
        cells[index].metadata['tags'] = tags
    edit_exercises(teacher, retag)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, 'cell 9')


def test_an_nbgrader_solution_cell_without_markers_is_an_error(teacher, tmp_path):
    cell = nbformat.v4.new_code_cell('answer = 42',
                                     metadata={'nbgrader': {'solution': True, 'grade': False}})
    edit_exercises(teacher, lambda cells: cells.insert(5, cell))
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'cell 5', 'nbgrader')


@pytest.mark.parametrize('content', [
    b'', b'{"cells": [', b'[]', b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}}',
    b'\xff\xfe not text', b'{"cells": [{"cell_type": "code"}], "metadata": {}, '
                          b'"nbformat": 4, "nbformat_minor": 5}',
])
def test_a_malformed_notebook_is_a_clear_error_and_writes_nothing(teacher, tmp_path, content):
    (teacher / '03_custom_initialization.ipynb').write_bytes(content)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, '03_custom_initialization.ipynb',
                          'not a valid notebook')


@pytest.mark.slow  # runs nbgrader
def test_jupyters_checkpoints_and_other_hidden_files_are_not_copied(teacher, tmp_path):
    checkpoints = teacher / '.ipynb_checkpoints'
    checkpoints.mkdir()
    shutil.copy(teacher / EXERCISES.name, checkpoints / '05_exercises-checkpoint.ipynb')
    (teacher / 'more').mkdir()  # a notebook in a subfolder is a notebook too
    shutil.copy(teacher / '04_sharing_parameters.ipynb', teacher / 'more' / 'copy.ipynb')
    out = tmp_path / 'student'
    result = make(teacher, out)
    assert result.returncode == 0, result.stderr
    assert leaked_answers(out) == [] and leaked_answers(tmp_path / 'course' / 'release') == []
    assert not (out / '.ipynb_checkpoints').exists()
    assert (out / 'more' / 'copy.ipynb').is_file()


def test_exercises_in_a_subfolder_are_an_error(teacher, tmp_path):
    """nbgrader releases only an assignment's top-level notebooks: one below would be copied."""
    (teacher / 'answers').mkdir()
    shutil.copy(teacher / EXERCISES.name, teacher / 'answers' / 'copy.ipynb')
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'answers/copy.ipynb', 'subfolder')


def files(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob('*') if p.is_file()}


@pytest.mark.slow  # runs nbgrader
def test_a_failed_run_keeps_the_previous_edition_which_has_no_answers(teacher, tmp_path):
    out = tmp_path / 'student'
    assert make(teacher, out).returncode == 0
    before = {folder: files(folder) for folder in (out, tmp_path / 'course')}
    edit_exercises(teacher, lambda cells: replace_line(
        cells, first_marker(cells, '### BEGIN SOLUTION'), '###BEGIN SOLUTION'))
    result = make(teacher, out)
    assert result.returncode != 0 and 'unchanged' in result.stderr
    assert {folder: files(folder) for folder in before} == before
    assert leaked_answers(out) == []


def test_a_marker_in_a_file_copied_as_it_is_is_an_error(teacher, tmp_path):
    (teacher / 'solutions.py').write_text('x = 1\n### BEGIN SOLUTION\nanswer = 42\n'
                                          '### END SOLUTION\n')
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'solutions.py', 'line 2')


# --- look-alikes: what an input method, a web page or a slip makes of a marker ---

def fullwidth(text):
    """Text as a Chinese input method types it in full-width mode (＃＃＃ ＢＥＧＩＮ ...)."""
    return ''.join(chr(ord(c) + 0xFEE0) if '!' <= c <= '~' else c for c in text)


def mathematical_bold(text):
    return ''.join(chr(0x1D400 + ord(c) - ord('A')) if 'A' <= c <= 'Z' else c for c in text)


GREEK_CAPITALS = str.maketrans('BEINT', '\u0392\u0395\u0399\u039d\u03a4')  # Β Ε Ι Ν Τ
SMALL_CAPITALS = str.maketrans('BEGINSOLUTHD', 'ʙᴇɢɪɴꜱᴏʟᴜᴛʜᴅ')
# Each turns a marker ('### BEGIN SOLUTION', ...) into one that nbgrader does not see.
LOOK_ALIKES = {
    'full-width letters': lambda m: m[:4] + fullwidth(m[4:]),
    'full-width # and ideographic spaces': lambda m: fullwidth(m).replace(' ', '\u3000'),
    'zero-width space inside BEGIN / END': lambda m: m.replace('BEGIN', 'BE\u200bGIN')
                                                     .replace('END', 'E\u200bND'),
    'soft hyphen': lambda m: m.replace('SOLUTION', 'SOLU\u00adTION')
                              .replace('TESTS', 'TE\u00adSTS'),
    'Cyrillic O and E': lambda m: m.replace('O', '\u041e').replace('E', '\u0415'),
    'Greek capitals': lambda m: m[:4] + m[4:].translate(GREEK_CAPITALS),
    'mathematical bold': lambda m: m[:4] + mathematical_bold(m[4:]),
    'small capitals': lambda m: m[:4] + m[4:].translate(SMALL_CAPITALS),
    'lower case, Cyrillic s': lambda m: m.lower().replace('s', '\u0455'),
    'non-breaking spaces': lambda m: m.replace(' ', '\u00a0'),
    'line separator between the words': lambda m: m.replace(' ', '\u2028'),
    'combining accent': lambda m: m.replace('I', 'I\u0301'),
    'digit zero for O': lambda m: m.replace('O', '0'),
    'a letter missing': lambda m: m.replace('SOLUTION', 'SOLUTON').replace('TESTS', 'TEST'),
    'two letters swapped': lambda m: m.replace('SOLUTION', 'SOLUTINO')
                                      .replace('HIDDEN', 'HIDDNE'),
}


def replace_block(cells, begin, look_alike):
    """Write the first ``begin`` ... end block with ``look_alike`` markers; (cell, line)."""
    end = make_student.BLOCKS[begin]
    where = first_marker(cells, begin)
    replace_line(cells, where, look_alike(begin))
    index, _ = where
    lines = cells[index].source.split('\n')
    lines[lines.index(end)] = look_alike(end)
    cells[index].source = '\n'.join(lines)
    return where


@pytest.mark.parametrize('kind', LOOK_ALIKES)
def test_a_solution_block_marked_with_look_alikes_is_an_error(teacher, tmp_path, kind):
    where = []
    edit_exercises(teacher, lambda cells: where.append(
        replace_block(cells, '### BEGIN SOLUTION', LOOK_ALIKES[kind])))
    out = tmp_path / 'build' / 'student'
    index, number = where[0]
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, f'cell {index}',
                          f'line {number}', repr(LOOK_ALIKES[kind]('### BEGIN SOLUTION')))


@pytest.mark.parametrize('kind', ['full-width letters', 'Cyrillic O and E', 'Greek capitals',
                                  'zero-width space inside BEGIN / END', 'a letter missing'])
def test_hidden_tests_marked_with_look_alikes_are_an_error(teacher, tmp_path, kind):
    where = []
    edit_exercises(teacher, lambda cells: where.append(
        replace_block(cells, '### BEGIN HIDDEN TESTS', LOOK_ALIKES[kind])))
    out = tmp_path / 'build' / 'student'
    index, number = where[0]
    assert_refused_naming(make(teacher, out), out, f'cell {index}', f'line {number}')


@pytest.mark.parametrize('cell_type', ['markdown', 'raw'])
@pytest.mark.parametrize('kind', ['full-width letters', 'Cyrillic O and E',
                                  'zero-width space inside BEGIN / END'])
def test_a_look_alike_marker_in_a_markdown_or_raw_cell_is_an_error(teacher, tmp_path,
                                                                   cell_type, kind):
    look_alike = LOOK_ALIKES[kind]
    new = getattr(nbformat.v4, f'new_{cell_type}_cell')(
        f'下面是答案：\n{look_alike("### BEGIN SOLUTION")}\n答案：形状是 (8, 0)。\n'
        f'{look_alike("### END SOLUTION")}')
    edit_exercises(teacher, lambda cells: cells.insert(8, new))
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, 'cell 8', 'line 2')


@pytest.mark.parametrize('tag', ['ｓｏｌｕｔｉｏｎ', 'SOLUTION', 's\u043elution', 'solu\u200btion',
                                 'soluton', 'ꜱᴏʟᴜᴛɪᴏɴ', 'solution\u00a0'])
def test_a_tag_that_looks_like_solution_in_any_script_is_an_error(teacher, tmp_path, tag):
    def retag(cells):
        cells[9].metadata['tags'] = [tag]  # the first cell tagged 'solution'
    edit_exercises(teacher, retag)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, 'cell 9', repr(tag))


def test_the_teachers_own_notebooks_have_no_look_alike_of_a_marker():
    """The lint passes on the real notebooks: the look-alike check has no false alarm there."""
    for folder in (ROOT / 'notebooks', ENGLISH):
        assignment, files = make_student.lint(folder)
        assert [p.name for p in assignment] == [EXERCISES.name]
        # every file, in subfolders too, but hidden ones, __pycache__ and the other edition
        assert sorted(files) == sorted(
            path.relative_to(folder) for path in folder.rglob('*') if path.is_file()
            and not make_student.is_hidden(path.relative_to(folder))
            and not (folder != ENGLISH and ENGLISH in path.parents))


# --- files that cannot be checked are refused, never copied unchecked ---

def zipped(path):
    import io
    import zipfile
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, 'w', zipfile.ZIP_DEFLATED) as archive:
        archive.write(path, path.name)
    return buffer.getvalue()


ANSWER_FILE = '### BEGIN SOLUTION\n答案：形状是 (8, 0)\n### END SOLUTION\n'


@pytest.mark.parametrize('name, content, reason', [
    ('answers.txt', ANSWER_FILE.encode('gbk'), 'not UTF-8 text'),
    ('answers.py', ('# r\u00e9ponse\n' + ANSWER_FILE.replace('答案：形状是', 'x =')
                    ).encode('latin-1'), 'not UTF-8 text'),
    ('answers-utf16.txt', ANSWER_FILE.encode('utf-16'), 'not UTF-8 text'),
    ('exercises.zip', None, 'an archive'),
    ('figure.png', b'\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR' + bytes(range(256)), 'not UTF-8 text'),
    ('notes.txt', b'text with a NUL\x00 byte\n', 'not UTF-8 text'),
])
def test_a_file_that_cannot_be_checked_is_refused(teacher, tmp_path, name, content, reason):
    (teacher / name).write_bytes(content or zipped(teacher / EXERCISES.name))
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, name, reason)


# --- special files: refused by type, before they are opened ---

def make_limited(teacher, out, seconds=60):
    """make(), bounded: a hang becomes a timeout, reading /dev/zero a MemoryError at 2 GiB."""
    import resource

    def limit():
        resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
    return subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_student.py'),
                           str(teacher), str(out)], capture_output=True, text=True,
                          timeout=seconds, preexec_fn=limit)


@pytest.mark.parametrize('kind, make_it, reason', [
    ('fifo', os.mkfifo, 'a FIFO'),
    ('link to /dev/zero', lambda p: p.symlink_to('/dev/zero'), 'a character device'),
    ('link to /dev/null', lambda p: p.symlink_to('/dev/null'), 'a character device'),
    ('socket', bind_unix_socket, 'a socket'),
    ('link to nothing', lambda p: p.symlink_to(p.parent / 'gone'), 'does not exist'),
    ('link to a folder', lambda p: p.symlink_to(ROOT / 'tools'), 'a link to a folder'),
])
def test_a_special_file_in_the_teachers_folder_is_refused_without_reading_it(
        teacher, tmp_path, kind, make_it, reason):
    made = make_it(teacher / 'data.txt')
    out = tmp_path / 'build' / 'student'
    try:
        result = make_limited(teacher, out)
    finally:
        if made is not None:
            made.close()
    assert_refused_naming(result, out, 'data.txt', reason)


@pytest.mark.parametrize('locked', ['a folder', 'a file'])
def test_an_unreadable_entry_in_the_teachers_folder_is_refused(unprivileged, teacher, tmp_path,
                                                               locked):
    if locked == 'a folder':
        (teacher / 'private').mkdir()
        (teacher / 'private' / 'answers.md').write_text(ANSWER_FILE)
        target = teacher / 'private'
    else:
        target = teacher / 'answers.md'
        target.write_text(ANSWER_FILE)
    target.chmod(0)
    out = tmp_path / 'build' / 'student'
    result = subprocess.run(unprivileged([sys.executable, str(ROOT / 'tools' / 'make_student.py'),
                                          str(teacher), str(out)]),
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    target.chmod(0o755)
    assert_refused_naming(result, out, target.name, 'cannot be read')


# --- nbgrader runs with the project's configuration only, and what it wrote is checked ---

HIDDEN_SECRET = 'assert len(when_to_use) == 14  # the grader only'
# A teacher's own nbgrader configuration from another course: other delimiters, no tag removal.
PERSONAL_CONFIG = '''c = get_config()
c.ClearSolutions.begin_solution_delimeter = "BEGIN ANSWER"
c.ClearSolutions.end_solution_delimeter = "END ANSWER"
c.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET TESTS"
c.ClearHiddenTests.end_test_delimeter = "END SECRET TESTS"
c.TagRemovePreprocessor.remove_cell_tags = set()
'''


def with_hidden_secret(teacher):
    edit_exercises(teacher, lambda cells: replace_line(
        cells, first_marker(cells, '### END HIDDEN TESTS'),
        f'{HIDDEN_SECRET}\n### END HIDDEN TESTS'))


@pytest.mark.slow  # runs nbgrader
def test_a_personal_nbgrader_configuration_is_not_used(teacher, tmp_path):
    """The teacher's own configuration in each place nbgrader looks, all in one build (one nbgrader
    run instead of three): if any were read, the answers would not be cleared, and the tool would
    refuse to publish."""
    with_hidden_secret(teacher)
    places = {}
    for where in ('JUPYTER_CONFIG_DIR', 'JUPYTER_CONFIG_PATH', 'current folder'):
        places[where] = tmp_path / 'personal' / where.replace(' ', '_')
        places[where].mkdir(parents=True)
        (places[where] / 'nbgrader_config.py').write_text(PERSONAL_CONFIG)
    env = {**os.environ, 'JUPYTER_CONFIG_DIR': str(places['JUPYTER_CONFIG_DIR']),
           'JUPYTER_CONFIG_PATH': str(places['JUPYTER_CONFIG_PATH'])}
    out = tmp_path / 'build' / 'student'
    result = subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_student.py'),
                             str(teacher), str(out)], capture_output=True, text=True,
                            timeout=300, env=env, cwd=places['current folder'])
    assert result.returncode == 0, result.stderr
    assert leaked_answers(out, ANSWERS | {HIDDEN_SECRET}) == []
    assert leaked_answers(tmp_path / 'build' / 'course' / 'release',
                          ANSWERS | {HIDDEN_SECRET}) == []


@pytest.fixture
def tools_copy(tmp_path):
    """A scratch copy of tools/, whose course configuration a test may change."""
    copy = tmp_path / 'tools'
    shutil.copytree(ROOT / 'tools', copy, ignore=shutil.ignore_patterns('__pycache__'))
    (tmp_path / 'kernel').symlink_to(ROOT / 'kernel')  # tools/project_kernel.py reads it
    return copy


@pytest.mark.slow  # runs nbgrader
@pytest.mark.parametrize('change, named', [
    ('c.ClearHiddenTests.begin_test_delimeter = "BEGIN SECRET TESTS"\n'
     'c.ClearHiddenTests.end_test_delimeter = "END SECRET TESTS"\n', 'HIDDEN TESTS'),
    ('from nbgrader.preprocessors import ClearSolutions\n'
     'c.GenerateAssignment.preprocessors = [p for p in c.GenerateAssignment.preprocessors'
     ' if p is not ClearSolutions]\n', 'BEGIN SOLUTION'),
    ('c.TagRemovePreprocessor.remove_cell_tags = set()\n', 'an answer line'),
    ('from nbgrader.preprocessors import ClearOutput\n'
     'c.GenerateAssignment.preprocessors = [p for p in c.GenerateAssignment.preprocessors'
     ' if p is not ClearOutput]\n', 'outputs'),
])
def test_what_nbgrader_released_is_checked_before_anything_is_published(
        teacher, tmp_path, tools_copy, change, named):
    """Whatever makes nbgrader release an answer, the tool sees it and publishes nothing."""
    with_hidden_secret(teacher)
    with open(tools_copy / 'classroom' / 'nbgrader_config.py', 'a', encoding='utf-8') as config:
        config.write(change)
    out = tmp_path / 'build' / 'student'
    result = subprocess.run([sys.executable, str(tools_copy / 'make_student.py'),
                             str(teacher), str(out)], capture_output=True, text=True, timeout=300)
    assert_refused_naming(result, out, EXERCISES.name, named, 'nothing was published')


@pytest.mark.slow  # runs nbconvert
def test_an_export_of_the_answered_exercises_without_code_is_not_published(teacher, tmp_path):
    """`jupyter nbconvert --to html --no-input` beside the notebook: no marker and no line of code
    is left, but the printed answers and the worked discussion are (an adversary's finding)."""
    subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'html', '--no-input',
                    str(teacher / EXERCISES.name)], check=True, capture_output=True)
    export = EXERCISES.with_suffix('.html').name
    assert (teacher / export).is_file()
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, export, 'shows what only the answered',
                          'move it out of the folder')


@pytest.mark.parametrize('tag', ['answer', 'Answers', '答案', '参考解答'])
def test_a_cell_tagged_as_an_answer_but_not_solution_is_an_error(teacher, tmp_path, tag):
    """Only cells tagged 'solution' are left out; a teacher who tags an answer otherwise expects
    it hidden, and nbgrader would release it (an adversary's finding)."""
    where = []

    def tag_a_cell(cells):
        index = next(i for i, cell in enumerate(cells) if cell.cell_type == 'markdown'
                     and 'solution' not in cell.metadata.get('tags', []))
        cells[index].metadata['tags'] = [tag]
        where.append(f'cell {index}')

    edit_exercises(teacher, tag_a_cell)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, where[0], repr(tag),
                          "tag it 'solution'")


@pytest.mark.slow  # runs nbgrader
def test_the_answers_code_without_its_markers_is_not_published(teacher, tmp_path):
    """A script of the answers (the solution blocks with their marker lines deleted) beside the
    notebooks has no marker left, but its code is the answers' (an adversary's finding). Here
    exercises 2 and 3 (exercise 1's table is also refused for printing what its check prints)."""
    nb = nbformat.read(teacher / EXERCISES.name, as_version=4)
    script = '\n'.join(line for cell in nb.cells if cell.cell_type == 'code'
                       and cell.metadata.get('nbgrader', {}).get('solution')
                       and not cell.metadata['nbgrader']['grade_id'].startswith('ex1')
                       for line in cell.source.split('\n') if 'SOLUTION' not in line)
    (teacher / 'ex_answers.py').write_text(script, encoding='utf-8')
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'ex_answers.py', "lines of the answers' code",
                          'move it out of the folder')


@pytest.mark.slow  # runs nbgrader
def test_widget_state_in_a_reading_notebook_is_not_published(teacher, tmp_path):
    """Widget state is the output of a run; a reading notebook's is not published either."""
    nb = nbformat.read(teacher / '06_init_tour.ipynb', as_version=4)
    nb.metadata['widgets'] = {'application/vnd.jupyter.widget-state+json': {'state': {}}}
    nbformat.write(nb, teacher / '06_init_tour.ipynb')
    out = tmp_path / 'build' / 'student'
    result = make(teacher, out)
    assert result.returncode == 0, result.stderr
    assert 'widgets' not in nbformat.read(out / '06_init_tour.ipynb', as_version=4).metadata


@pytest.mark.slow  # runs nbgrader
def test_the_widget_state_of_the_teachers_run_is_not_released(teacher, tmp_path):
    """A run that saves widget state (nbconvert --execute does by default, JupyterLab when asked)
    keeps what the widgets showed in the notebook's metadata, outside every cell: an answer
    shown by a widget there (an adversary's finding) must not reach the students."""
    shown = '在 [-scale, scale] 上均匀采样：这一句只有老师的运行里的小部件显示过。'
    nb = nbformat.read(teacher / EXERCISES.name, as_version=4)
    nb.metadata['widgets'] = {'application/vnd.jupyter.widget-state+json': {
        'version_major': 2, 'version_minor': 0, 'state': {'a1': {
            'model_name': 'OutputModel', 'model_module': '@jupyter-widgets/output',
            'model_module_version': '1.0.0',
            'state': {'outputs': [{'output_type': 'stream', 'name': 'stdout',
                                   'text': shown + '\n'}]}}}}}
    nbformat.write(nb, teacher / EXERCISES.name)
    out = tmp_path / 'build' / 'student'
    result = make(teacher, out)
    assert result.returncode == 0, result.stderr
    released = nbformat.read(out / 'exercises' / EXERCISES.name, as_version=4)
    assert 'widgets' not in released.metadata
    assert leaked_answers(out, {shown}) == []


@pytest.mark.parametrize('notebook', ['04_sharing_parameters.ipynb', EXERCISES.name])
def test_a_marker_in_a_stored_output_is_an_error(teacher, tmp_path, notebook):
    """A reading notebook keeps its outputs: a marker printed there would be copied as it is."""
    nb = nbformat.read(teacher / notebook, as_version=4)
    index = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == 'code'
                 and 'solution' not in cell.metadata.get('tags', []))
    nb.cells[index].outputs.append(nbformat.v4.new_output(
        'stream', name='stdout',
        text=f'the answer:\n{fullwidth("### BEGIN SOLUTION")}\nanswer = 42\n'))
    nbformat.write(nb, teacher / notebook)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, notebook, f'cell {index}', 'output')


# --- the adversary's second round (issue 20): right-to-left text, every field, written answers ---

def right_to_left_override(marker):
    """'#', U+202E, 'NOITULOS NIGEB ##': shown as '### BEGIN SOLUTION' (U+202E reverses)."""
    return marker[0] + '\u202e' + marker[1:][::-1]


RIGHT_TO_LEFT = {
    'right-to-left override': right_to_left_override,
    # Hebrew vav and NKo digit zero, stored by the confusables library in direction marks.
    'Hebrew and NKo look-alikes': lambda m: m.replace('I', '\u05d5').replace('O', '\u07c0'),
}


@pytest.mark.parametrize('kind', RIGHT_TO_LEFT)
def test_a_solution_block_marked_with_right_to_left_tricks_is_an_error(teacher, tmp_path, kind):
    where = []
    edit_exercises(teacher, lambda cells: where.append(
        replace_block(cells, '### BEGIN SOLUTION', RIGHT_TO_LEFT[kind])))
    out = tmp_path / 'build' / 'student'
    index, number = where[0]
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, f'cell {index}',
                          f'line {number}')


@pytest.mark.parametrize('tag', ['\u202enoitulos', 's\u05e1lut\u05d5\u05e1n'])
def test_a_solution_tag_written_with_right_to_left_tricks_is_an_error(teacher, tmp_path, tag):
    def retag(cells):
        cells[9].metadata['tags'] = [tag]  # the first cell tagged 'solution'
    edit_exercises(teacher, retag)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, EXERCISES.name, 'cell 9')


BLOCK = '### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION'


def b64(text):
    import base64
    return base64.b64encode(text.encode()).decode()


# Fields beside a cell's source that are copied as they are: each holds a marked answer.
HIDDEN_FIELDS = {
    'error traceback': lambda cell: cell.outputs.append(nbformat.v4.new_output(
        'error', ename='NameError', evalue='x',
        traceback=['Cell In[7], line 3', '      1 ### BEGIN SOLUTION', '----> 2 answer'])),
    'error evalue': lambda cell: cell.outputs.append(nbformat.v4.new_output(
        'error', ename='ValueError', evalue=BLOCK, traceback=[])),
    'JSON output with a zero-width space': lambda cell: cell.outputs.append(
        nbformat.v4.new_output('execute_result', execution_count=1, data={
            'application/json': {'answer': BLOCK.replace(' SOLUTION', '\u200bSOLUTION')}})),
    'stream with ANSI colours': lambda cell: cell.outputs.append(nbformat.v4.new_output(
        'stream', name='stdout', text=BLOCK.replace(' SOLUTION', '\x1b[01;31m SOLUTION'))),
    'cell metadata': lambda cell: cell.metadata.update(notes=BLOCK),
}


@pytest.mark.parametrize('field', HIDDEN_FIELDS)
@pytest.mark.parametrize('notebook', ['01_accessing_parameters.ipynb', EXERCISES.name])
def test_a_marker_in_any_field_of_a_notebook_is_an_error(teacher, tmp_path, notebook, field):
    nb = nbformat.read(teacher / notebook, as_version=4)
    index = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == 'code'
                 and 'solution' not in cell.metadata.get('tags', []))
    HIDDEN_FIELDS[field](nb.cells[index])
    nbformat.write(nb, teacher / notebook)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, notebook, f'cell {index}')


@pytest.mark.parametrize('notebook', ['01_accessing_parameters.ipynb', EXERCISES.name])
def test_a_marker_in_a_text_attachment_is_an_error(teacher, tmp_path, notebook):
    nb = nbformat.read(teacher / notebook, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(
        '![](attachment:notes.txt)', attachments={'notes.txt': {'text/plain': b64(BLOCK)}}))
    nbformat.write(nb, teacher / notebook)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, notebook, 'cell 1', 'attachments')


def graded(grade_id, **kinds):
    return {'nbgrader': {'grade_id': grade_id, 'schema_version': 3, 'locked': False,
                         'grade': False, 'solution': False, 'task': False, **kinds}}


@pytest.mark.parametrize('cell', [
    nbformat.v4.new_markdown_cell('因为两次使用的梯度相加。',  # nbgrader's written answer
                                  metadata=graded('q', solution=True, grade=True, points=5)),
    nbformat.v4.new_markdown_cell('## 任务\n=== BEGIN MARK SCHEME ===\n提到对称性得 3 分\n'
                                  '=== END MARK SCHEME ===', metadata=graded('t', task=True)),
    nbformat.v4.new_code_cell('assert True', metadata=graded('c', grade=True, points=1)),
], ids=['markdown answer', 'mark scheme', 'graded code cell'])
def test_written_answers_and_grading_in_a_reading_notebook_are_an_error(teacher, tmp_path, cell):
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell('## 思考题'), cell])
    nbformat.write(nb, teacher / '11_written.ipynb')
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, '11_written.ipynb', 'cell 1')


def test_nbgrader_metadata_that_is_not_a_mapping_is_a_clear_error(teacher, tmp_path):
    notebook = teacher / '01_accessing_parameters.ipynb'
    nb = nbformat.read(notebook, as_version=4)
    index = next(i for i, cell in enumerate(nb.cells) if cell.cell_type == 'code')
    nb.cells[index].metadata['nbgrader'] = 'locked'
    nbformat.write(nb, notebook)
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, notebook.name, f'cell {index}',
                          'metadata.nbgrader')


def test_a_file_name_that_is_not_utf8_is_an_error(teacher, tmp_path):
    gbk = os.fsencode(teacher) + b'/notes-' + '练习'.encode('gbk') + b'.md'
    with open(gbk, 'w', encoding='utf-8') as file:
        file.write('reading\n')
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'not UTF-8', 'convmv')


def test_a_link_to_a_kernel_file_is_refused(teacher, tmp_path):
    (teacher / 'kernel-notes.txt').symlink_to('/proc/self/status')  # readable, regular
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'kernel-notes.txt', 'a file of /proc')


def test_the_release_check_reads_every_field_not_only_the_source(tmp_path):
    """nbgrader keeps cell metadata and attachments: an answer there is caught."""
    release = tmp_path / 'release' / ASSIGNMENT
    release.mkdir(parents=True)
    cell = nbformat.v4.new_code_cell('x = 1', metadata={'notes': 'answer = 42'})
    nbformat.write(nbformat.v4.new_notebook(cells=[cell]), release / EXERCISES.name)
    with pytest.raises(make_student.StudentError, match=r'cell 0, metadata\.notes'):
        make_student.check_release(release, {'answer = 42'})


# --- the typo check is fast on big data files, and its pre-filter misses no marker ---

def test_the_typo_check_skips_lines_that_cannot_hold_a_marker(monkeypatch):
    calls = []
    monkeypatch.setattr(make_student, 'close_to', lambda *args: calls.append(args) or False)
    csv_line = ','.join(['0', '1', '0', '255', '1', '0'] * 130)  # Fashion-MNIST as CSV
    assert not make_student.looks_like_marker(csv_line)
    assert calls == []


@pytest.mark.parametrize('word', ['BEGIN SOLUTION', 'END SOLUTION', 'BEGIN HIDDEN TESTS',
                                  'END HIDDEN TESTS'])
def test_every_marker_two_edits_away_is_still_found(word):
    """The pre-filter is exact: every deletion or substitution pair still counts as a marker."""
    import itertools
    letters = word.replace(' ', '')
    for first, second in itertools.combinations(range(len(letters)), 2):
        for edit in ('', 'X'):  # delete both letters, or substitute both
            typo = letters[:first] + edit + letters[first + 1:second] + edit + letters[second + 1:]
            assert make_student.looks_like_marker(f'### {typo}'), typo


def test_a_bidi_control_in_a_file_copied_as_it_is_is_an_error(teacher, tmp_path):
    (teacher / 'notes.py').write_text(f'x = 1\n{right_to_left_override("### BEGIN SOLUTION")}\n'
                                      f'answer = 42\n', encoding='utf-8')
    out = tmp_path / 'build' / 'student'
    assert_refused_naming(make(teacher, out), out, 'notes.py', 'line 2', 'U+202E')


def test_right_to_left_letters_are_judged_in_the_order_they_are_shown():
    hebrew = '\u05d0\u05d1 \u05d2'  # alef, bet, space, gimel: shown gimel, space, bet, alef
    assert make_student.displayed(f'ab {hebrew} cd') == f'ab {hebrew[::-1]} cd'
    assert make_student.displayed('### BEGIN SOLUTION') == '### BEGIN SOLUTION'


def test_the_hidden_tests_have_one_home_the_notebook(tmp_path):
    """make_source_version keeps the hidden tests as the notebook has them (an edit made there
    survives a re-run), and holds no hidden test of its own."""
    tool = ROOT / 'tools' / 'classroom' / 'make_source_version.py'
    notebook = tmp_path / EXERCISES.name
    nb = nbformat.read(EXERCISES, as_version=4)
    edited = 'assert len(when_to_use) >= 14  # edited in the notebook'
    [check] = [c for c in nb.cells if c.source.startswith('d2l.check.init_table(')]
    check.source = check.source.replace('### END HIDDEN TESTS', f'{edited}\n### END HIDDEN TESTS')
    nbformat.write(nb, notebook)
    subprocess.run([sys.executable, str(tool), str(notebook)], check=True, timeout=60)
    assert edited in nbformat.read(notebook, as_version=4).cells[nb.cells.index(check)].source
    assert 'assert ' not in tool.read_text(encoding='utf-8')


# --- the English course: make student CLASS_LANGUAGE=en, from notebooks/en ---

CJK = re.compile(r'[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]')  # Chinese text, full-width marks
ENGLISH_STUB = '# YOUR CODE HERE: write your answer here, then run the check below'


def test_the_class_language_has_one_home_and_a_wrong_value_names_the_choices(monkeypatch):
    assert settings.DEFAULTS['CLASS_LANGUAGE'] == 'zh'
    assert set(settings.LAB_LOCALES) == set(settings.LANGUAGES) == {'zh', 'en'}
    monkeypatch.delenv('CLASS_LANGUAGE', raising=False)
    assert settings.class_language() == 'zh'
    monkeypatch.setenv('CLASS_LANGUAGE', 'en')
    assert settings.class_language() == 'en'
    assert settings.notebook_folder('en') == ENGLISH
    assert settings.notebook_folder('zh') == ROOT / 'notebooks'
    for wrong in ('fr', 'EN', 'zh_CN'):
        monkeypatch.setenv('CLASS_LANGUAGE', wrong)
        with pytest.raises(settings.SettingError, match=rf"CLASS_LANGUAGE='{wrong}'.*zh, en"):
            settings.class_language()


def test_make_student_with_a_wrong_language_is_an_error_naming_the_choices(tmp_path):
    stamp = tmp_path / 'installed'  # newer than what it depends on: make sets nothing up
    stamp.touch()
    result = subprocess.run(['make', '-s', 'student', 'CLASS_LANGUAGE=fr', f'PY={sys.executable}',
                             f'STAMP={stamp}'], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "CLASS_LANGUAGE='fr': the class is taught in one of zh, en" in result.stderr
    assert 'Traceback' not in result.stderr
    assert not (ROOT / 'build' / 'student-fr').exists()


def test_notebooks_of_another_language_are_refused_and_nothing_is_written(tmp_path):
    out = tmp_path / 'build' / 'student'
    result = subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_student.py'),
                             str(ENGLISH), str(out), '--language', 'zh'],
                            capture_output=True, text=True, timeout=300)
    assert_refused_naming(result, out, "in 'zh'", "notebooks are in 'en'", 'd2l-mxnet-en')


def test_the_feedback_pages_are_twins_but_for_their_text():
    """feedback_en is feedback_zh line for line, the text aside: a fix to one is in both."""
    templates = ROOT / 'tools' / 'classroom' / 'templates'

    def lines(name):
        text = (templates / name / 'index.html.j2').read_text('utf-8')
        return re.sub(r'\{#.*?#\}', '', text, flags=re.S).splitlines()  # Jinja comments aside
    zh, en = lines('feedback_zh'), lines('feedback_en')
    assert len(zh) == len(en)
    differing = [(a, b) for a, b in zip(zh, en) if a != b]
    assert len(differing) > 10
    for chinese, english in differing:
        assert CJK.search(chinese) or 'zh-CN' in chinese, (chinese, english)
        assert not CJK.search(english), english
    assert (templates / 'feedback_zh' / 'conf.json').read_bytes() == \
        (templates / 'feedback_en' / 'conf.json').read_bytes()


@pytest.fixture(scope='module')
def english_edition(tmp_path_factory):
    out = tmp_path_factory.mktemp('build') / 'student-en'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'make_student.py'), str(ENGLISH),
                    str(out), '--course', str(out.parent / 'course-en'), '--language', 'en'],
                   check=True, capture_output=True, timeout=300)
    return out


def edition_notebooks(edition):
    return {path.relative_to(edition).as_posix(): nbformat.read(path, as_version=4)
            for path in sorted(edition.rglob('*.ipynb'))}


@pytest.mark.slow  # runs nbgrader
def test_the_english_edition_gives_no_answers_away(english_edition):
    answers = teachers_answers(ENGLISH)
    assert len(answers) > 30 and 'shape_after = net[0].weight.shape' in answers
    assert leaked_answers(english_edition, answers) == []
    assert leaked_answers(english_edition.parent / 'course-en' / 'release', answers) == []
    nb = released_exercises(english_edition)
    text = '\n'.join(cell.source for cell in nb.cells)
    assert ENGLISH_STUB in text and make_student.PROMPT not in text
    assert not [line for line in text.splitlines() if make_student.looks_like_marker(line)]
    assert 'HIDDEN TESTS' not in text and 'SOLUTION' not in text
    assert not any('solution' in cell.metadata.get('tags', []) for cell in nb.cells)
    assert all(not cell.outputs for cell in nb.cells if cell.cell_type == 'code')
    course = english_edition.parent / 'course-en'
    assert (course / 'course_language').read_text('utf-8').strip() == 'en'


@pytest.mark.slow  # runs nbgrader
def test_the_english_edition_is_the_english_notebooks_only_and_the_chinese_has_none(
        english_edition, student_edition):
    english = edition_notebooks(english_edition)
    assert sorted(english) == sorted(
        (f'{ASSIGNMENT}/' if path.name == EXERCISES.name else '') + path.name
        for path in ENGLISH.glob('*.ipynb'))
    for name, nb in english.items():
        assert nb.metadata.kernelspec.name == 'd2l-mxnet-en', name
        assert not CJK.search('\n'.join(cell.source for cell in nb.cells)), name
    assert (english_edition / 'ps_worker.py').read_bytes() == \
        (ROOT / 'notebooks' / 'ps_worker.py').read_bytes()  # notebook 10's workers run it
    assert not (english_edition / 'ps_worker.py').is_symlink()
    chinese = edition_notebooks(student_edition)
    assert sorted(chinese) == sorted(
        (f'{ASSIGNMENT}/' if path.name == EXERCISES.name else '') + path.name
        for path in (ROOT / 'notebooks').glob('*.ipynb'))
    assert all(nb.metadata.kernelspec.name == 'd2l-mxnet' for nb in chinese.values())
    assert not (student_edition / 'en').exists()


@pytest.mark.slow  # runs nbgrader and the released notebook
def test_the_english_release_runs_to_the_end_and_every_check_says_not_yet_in_english(
        english_edition, monkeypatch):
    """Run All on the kernel the notebook names (d2l-mxnet-en), as a student's JupyterLab."""
    monkeypatch.delenv('NBGRADER_EXECUTION', raising=False)
    monkeypatch.delenv('D2L_LANGUAGE', raising=False)
    nb = released_exercises(english_edition)
    NotebookClient(nb, timeout=300, allow_errors=True,
                   resources={'metadata': {'path': str(english_edition)}}).execute()
    checks = check_cells(nb)
    assert len(checks) == 3
    for cell in checks:
        assert stdout(cell).startswith('✗ Not done yet: ') and ' Hint: ' in stdout(cell), \
            stdout(cell)
        assert not CJK.search(stdout(cell)), stdout(cell)
    assert [o for cell in nb.cells if cell.cell_type == 'code' for o in cell.outputs
            if o.output_type == 'error'] == []


MAINTAINERS_WORDS = ('make english', 'make store', '.po', 'tests/', 'folder above', 'gettext')


@pytest.mark.slow  # runs nbgrader
@pytest.mark.parametrize('edition', ['zh', 'en'])
def test_the_students_readme_speaks_to_students(edition, student_edition, english_edition):
    """The course's README.md (the notebooks' README, copied): nothing about how maintainers
    build the notebooks, nor a folder the students do not have."""
    readme = (student_edition if edition == 'zh' else english_edition) / 'README.md'
    text = readme.read_text(encoding='utf-8')
    assert '05_exercises' in text
    assert [words for words in MAINTAINERS_WORDS if words in text] == []


README_ROW = re.compile(r'^\| \[(\d\d_\w+)\]\(([^)]+)\) \| (.*) \|$', re.MULTILINE)


@pytest.mark.slow  # runs nbgrader
@pytest.mark.parametrize('edition', ['zh', 'en'])
def test_the_students_readme_describes_the_exercises_as_released(edition, student_edition,
                                                                   english_edition):
    """The teacher's README row of 05 names what only the answered notebook shows (a printing
    initializer, the training summary, the zero rows of a gradient, the divergence run); in
    the course, the row links the release and says what its opening paragraph says. The other
    rows are the teacher's, their links unchanged."""
    folder, teachers = ((student_edition, ROOT / 'notebooks') if edition == 'zh'
                        else (english_edition, ENGLISH))
    students = {name: (link, text) for name, link, text in
                README_ROW.findall((folder / 'README.md').read_text('utf-8'))}
    teacher = {name: (link, text) for name, link, text in
               README_ROW.findall((teachers / 'README.md').read_text('utf-8'))}
    assert sorted(students) == sorted(teacher)
    release = nbformat.read(folder / ASSIGNMENT / EXERCISES.name, as_version=4)
    opening = release.cells[0].source.split('\n\n')[1]
    assert students.pop(EXERCISES.stem) == (f'{ASSIGNMENT}/{EXERCISES.name}', opening)
    assert teacher.pop(EXERCISES.stem)[1] != opening
    assert students == teacher


def released_with(folder, first_cell):
    """A released 05_exercises.ipynb in ``folder`` whose first cell is ``first_cell``."""
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(first_cell)])
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / EXERCISES.name)
    return folder / EXERCISES.name


@pytest.mark.parametrize('first_cell', ['# 4.2 练习', '# 4.2 练习\n\n## 练习 1',
                                        '# 4.2 练习\n\n- 练习 1\n- 练习 2', '# 4.2 练习\n> 引用'])
def test_exercises_without_an_opening_paragraph_are_named(tmp_path, first_cell):
    released = released_with(tmp_path, first_cell)
    with pytest.raises(make_student.StudentError, match='05_exercises.ipynb: .* not open with'):
        make_student.described_as_released('| [05_exercises](05_exercises.ipynb) | 练习 |\n',
                                           Path('README.md'), released)


@pytest.mark.parametrize('first_cell, expected', [
    ('# 4.2 练习\n三道练习：\n查阅 `init` 模块。', '三道练习：查阅 `init` 模块。'),
    ('# 4.2 Exercises\n\nThree\nexercises.\n\nPoints.', 'Three exercises.'),
])
def test_the_opening_paragraph_is_read_as_a_reader_sees_it(tmp_path, first_cell, expected):
    """Right under the heading or after a blank line; Chinese lines joined without a space,
    others with one."""
    nb = nbformat.read(released_with(tmp_path, first_cell), as_version=4)
    assert make_student.opening_paragraph(nb, EXERCISES.name) == expected


def test_a_row_of_the_exercises_in_any_table_layout_describes_the_release(tmp_path):
    """Windows line ends, padded cells, './' links, a third column, a README in a subfolder:
    the teacher's description never survives; a row with no description cell is an error."""
    released = released_with(tmp_path, '# 4.2 练习\n\n三道练习 | 共 10 分。')
    teachers = ('| notebook | 内容 | 分 |\r\n| --- | --- | --- |\r\n'
                '|  [05_exercises](./05_exercises.ipynb)   | 会打印的初始化器 | 10 |  \r\n'
                '见 [练习](05_exercises.ipynb)。\r\n')
    assert make_student.described_as_released(teachers, Path('README.md'), released) == (
        '| notebook | 内容 | 分 |\r\n| --- | --- | --- |\r\n'
        '|  [05_exercises](exercises/05_exercises.ipynb)   | 三道练习 \\| 共 10 分。 | |  \r\n'
        '见 [练习](exercises/05_exercises.ipynb)。\r\n')
    below = make_student.described_as_released('| [05](../05_exercises.ipynb) | 会打印 |\n',
                                               Path('docs/README.md'), released)
    assert below == '| [05](../exercises/05_exercises.ipynb) | 三道练习 \\| 共 10 分。 |\n'
    with pytest.raises(make_student.StudentError, match=r'README.md, line 1: .* no cell after'):
        make_student.described_as_released('| 会打印 | [05](05_exercises.ipynb) |\n',
                                           Path('README.md'), released)
