"""The stored notebooks keep the house form: a sentence before each code cell, no run metadata."""
import ast
import re
import unicodedata
from pathlib import Path

import nbformat
import pytest

CHINESE_NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / 'notebooks').glob('*.ipynb'))
# The English edition (tools/english_edition.py) keeps the same form: same cells, translated text.
ENGLISH_NOTEBOOKS = sorted((CHINESE_NOTEBOOKS[0].parent / 'en').glob('*.ipynb'))
NOTEBOOKS = CHINESE_NOTEBOOKS + ENGLISH_NOTEBOOKS


def notebook_id(path):
    return f'en/{path.name}' if path in ENGLISH_NOTEBOOKS else path.name


@pytest.fixture(params=NOTEBOOKS, ids=notebook_id)
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

    Besides tags, a cell may carry nbgrader's metadata (the exercises are nbgrader's source) and
    MyST-NB's options (a figure's text alternative); make store keeps these three.
    """
    extra = {key for cell in notebook.cells for key in cell.metadata
             if key not in ('tags', 'nbgrader', 'mystnb')}
    assert extra == set()


MAX_OUTPUT_LINES = 60


def output_text(output):
    """The text a reader sees of one output: a stream, a result's text/plain, or an error."""
    if output.output_type == 'stream':
        return output.text
    if output.output_type == 'error':
        return f'{output.ename}: {output.evalue}'
    return output.get('data', {}).get('text/plain', '')


def test_no_stored_output_is_longer_than_a_screen(notebook):
    """A wall of numbers teaches nothing: print a summary instead (at most 60 lines a cell)."""
    long = {index: lines for index, cell in enumerate(notebook.cells) if cell.cell_type == 'code'
            for lines in [sum(len(output_text(o).splitlines()) for o in cell.outputs)]
            if lines > MAX_OUTPUT_LINES}
    assert long == {}


# A path of the machine that stored the outputs: a learner cannot use it, and it tells about
# whoever stored the notebook. Windows drives too, in case a notebook is ever stored there.
MACHINE_PATH = re.compile(r'/work/|/tmp/|/home/|/root/|/usr/|/opt/|site-packages|[A-Za-z]:\\')


def stored_texts(output):
    """Every text an output stores: a stream, a result's or display's text/* data, an error's
    name, message and traceback (images are left out: base64 is not text a reader sees)."""
    if output.output_type == 'stream':
        return [output.text]
    if output.output_type == 'error':
        return [output.ename, output.evalue, *output.traceback]
    return [value if isinstance(value, str) else ''.join(value)
            for mime, value in output.get('data', {}).items() if mime.startswith('text/')]


def test_no_stored_output_shows_a_path_of_the_machine_that_stored_it(notebook):
    """Tracebacks and warnings name files like /work/.../site-packages/mxnet/...: show the
    error's name and message instead (issue 18)."""
    found = {index: match.group() for index, cell in enumerate(notebook.cells)
             if cell.cell_type == 'code' for output in cell.outputs
             for text in stored_texts(output) for match in [MACHINE_PATH.search(text)] if match}
    assert found == {}


CAUGHT = '单元格会以 `AssertionError` 失败'
CAUGHT_IN_ENGLISH = 'the cell fails with `AssertionError`'


def test_a_cell_that_shows_a_caught_error_fails_when_nothing_is_raised(notebook):
    """Such a cell still proves that the call raises: with the call taken out of its ``try``
    (as if it no longer raised), the cell must fail with AssertionError, as its sentence says."""
    cells = notebook.cells
    caught = [index + 1 for index, cell in enumerate(cells[:-1]) if cell.cell_type == 'markdown'
              and (CAUGHT in cell.source or CAUGHT_IN_ENGLISH in cell.source)]
    for index in caught:
        tree = ast.parse(cells[index].source)
        imports = [node for node in tree.body if isinstance(node, ast.ImportFrom)]
        [attempt] = [node for node in tree.body if isinstance(node, ast.Try)]
        attempt.body = [ast.Pass()]
        module = ast.fix_missing_locations(ast.Module(body=imports + [attempt], type_ignores=[]))
        with pytest.raises(AssertionError, match='^expected '):
            exec(compile(module, f'cell {index}', 'exec'), {})


def test_the_caught_errors_are_in_the_five_notebooks_that_show_one():
    """The test above is not empty: 01, 05, 06, 08 and 09 each show one error this way."""
    showing = [path.name[:2] for path in CHINESE_NOTEBOOKS if shows(path, CAUGHT)]
    assert showing == ['01', '05', '06', '08', '09']


def test_the_english_notebooks_show_the_caught_errors_where_the_chinese_ones_do():
    """In English the sentence reads 'the cell fails with `AssertionError`': the test above
    finds it in each English notebook whose Chinese notebook has it, and in no other."""
    assert ENGLISH_NOTEBOOKS, 'no English notebook: this test checks nothing'
    assert [shows(path, CAUGHT_IN_ENGLISH) for path in ENGLISH_NOTEBOOKS] == \
        [shows(path.parent.parent / path.name, CAUGHT) for path in ENGLISH_NOTEBOOKS]


def shows(path, sentence):
    return any(cell.cell_type == 'markdown' and sentence in cell.source
               for cell in nbformat.read(path, as_version=4).cells)


# Where a figure's text alternative lives: the cell's MyST-NB options (``render_image_options``,
# cell key ``image``), which the book renders as the <img alt>; JupyterLab shows no alt of an
# output, so the same text is also a sentence of the markdown cell beside the figure.
IMAGE_MIMES = ('image/png', 'image/jpeg', 'image/svg+xml', 'image/gif')
# What a text alternative must not be: a file name, a path, a hash (Jupyter Book's default).
FILE_NAME = re.compile(r'\.(png|jpe?g|svg|gif)\b|_images/|\b[0-9a-f]{12,}\b', re.IGNORECASE)
CHINESE = re.compile(r'[\u4e00-\u9fff]')
DECIMAL = re.compile(r'\d+\.\d+(?:e[-+]\d+)?')


def figure_alt(cell):
    return cell.metadata.get('mystnb', {}).get('image', {}).get('alt', '')


def alt_problem(alt, cells, index, english=False):
    """Why ``alt`` is not a text alternative of the figure in ``cells[index]`` (None if it is)."""
    language = 'English' if english else 'Chinese'
    if len(alt) < 40 or bool(CHINESE.search(alt)) == english or FILE_NAME.search(alt):
        return (f'no text alternative that says, in {language}, what the figure shows: {alt!r} '
                f'(set the cell metadata mystnb: {{image: {{alt: ...}}}}, at least 40 '
                f'characters)')
    beside = [cells[i].source for i in (index - 1, index + 1)
              if 0 <= i < len(cells) and cells[i].cell_type == 'markdown']
    if not any(alt in text for text in beside):
        return ('its alt text is not in the markdown cell before or after it (JupyterLab shows '
                'no alt text: repeat it there, as 上图：...)')
    shown = ''.join(text for cell in cells for text in [cell.source.replace(alt, '')]
                    + [t for o in cell.get('outputs', []) for t in stored_texts(o)])
    guessed = [number for number in DECIMAL.findall(alt) if number not in shown]
    if guessed:
        return f'numbers that the notebook neither prints nor says: {guessed}'
    return None


def test_every_figure_has_a_text_alternative_that_says_what_it_shows(request, notebook):
    """A screen reader reads the alt text where a sighted reader sees the figure (issue 24): it
    says, in the edition's language, what the figure shows, with numbers the notebook prints."""
    english = request.node.callspec.id.startswith('en/')
    cells = notebook.cells
    figures = [index for index, cell in enumerate(cells) if cell.cell_type == 'code'
               and any(mime in output.get('data', {}) for output in cell.outputs
                       for mime in IMAGE_MIMES)]
    problems = {index: problem for index in figures
                for problem in [alt_problem(figure_alt(cells[index]), cells, index, english)]
                if problem}
    assert problems == {}


PAGE_COLUMNS = 80


def columns(line):
    """How many columns ``line`` takes in a monospace font: wide and full-width characters
    (Chinese) take two."""
    return sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in line)


@pytest.mark.parametrize('path', NOTEBOOKS, ids=notebook_id)
def test_no_line_is_wider_than_the_page(path):
    """Code and printed lines fit in 80 columns: the book scrolls no code block sideways and
    a narrow JupyterLab panel cuts nothing (PEP 8's width; a Chinese character counts two)."""
    wide = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type != 'code':
            continue
        texts = [('code', cell.source)] + [('output', output_text(o)) for o in cell.outputs]
        wide += [f'{notebook_id(path)}, cell {index}, {kind} line {number} ({columns(line)} '
                 f'columns): {line}' for kind, text in texts
                 for number, line in enumerate(text.splitlines(), 1)
                 if columns(line) > PAGE_COLUMNS]
    assert not wide, 'lines wider than the page:\n' + '\n'.join(wide)
