"""The reading version: a Jupyter Book of the stored notebooks, complete, in order and offline."""
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # executes notebooks, builds the book or drives a browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.stem for p in (ROOT / 'notebooks').glob('*.ipynb'))


@pytest.fixture(scope='module')
def book(tmp_path_factory, mathjax_dir):
    out = tmp_path_factory.mktemp('book') / 'html'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_book.py'),
                    str(ROOT / 'notebooks'), str(out), str(mathjax_dir)],
                   check=True, capture_output=True, text=True, timeout=600)
    return out


def test_the_index_links_every_chapter_in_order(book):
    redirect = (book / 'index.html').read_text(encoding='utf-8')
    start = re.search(r'url=([\w.]+\.html)', redirect).group(1)
    index = (book / start).read_text(encoding='utf-8')
    positions = [index.find(f'href="{name}.html"') for name in NOTEBOOKS]
    assert -1 not in positions and positions == sorted(positions)


def stored_output_lines(notebook, starting_with):
    nb = nbformat.read(ROOT / 'notebooks' / f'{notebook}.ipynb', as_version=4)
    return [line for cell in nb.cells if cell.cell_type == 'code'
            for output in cell.outputs for line in output.get('text', '').splitlines()
            if line.startswith(starting_with)]


def test_each_page_shows_stored_outputs_and_figures(book):
    exercises = (book / '05_exercises.html').read_text(encoding='utf-8')
    last_epochs = stored_output_lines('05_exercises', 'epoch 5, loss')
    assert last_epochs and all(line in exercises for line in last_epochs)
    assert re.search(r'<img [^>]*src="_images/', exercises)
    assert all((book / '_images' / Path(src).name).is_file()
               for src in re.findall(r'<img [^>]*src="(_images/[^"]+)"', exercises))


def test_nothing_is_loaded_from_the_network(book):
    """No script, stylesheet or image comes from another host; MathJax is local."""
    for page in book.glob('*.html'):
        html = page.read_text(encoding='utf-8')
        remote = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?:)?//[^"]*"', html)
        assert remote == [], page.name
    sharing = (book / '04_sharing_parameters.html').read_text(encoding='utf-8')
    assert 'src="_static/mathjax/tex-mml-chtml.js' in sharing
    assert (book / '_static' / 'mathjax' / 'output' / 'chtml' / 'fonts' / 'woff-v2').is_dir()


GRADING_MARKERS = ('BEGIN SOLUTION', 'END SOLUTION', 'HIDDEN TESTS', 'strict=True', 'nbgrader')


def page_text(html):
    """What a reader sees of a page: its text, the code without the highlighter's spans."""
    from bs4 import BeautifulSoup  # Jupyter Book's own dependency
    return BeautifulSoup(html, 'html.parser').get_text()


def test_no_page_shows_grading_markers(book):
    """The book is the reader's edition (tools/reader_edition.py): no nbgrader machinery on a
    page, in the notebook a reader downloads from it (_sources) or in its search index."""
    pages = sorted(book.glob('*.html'))
    assert {f'{name}.html' for name in NOTEBOOKS} <= {page.name for page in pages}
    found = []
    for path in pages + sorted((book / '_sources').iterdir()) + [book / 'searchindex.js']:
        raw = path.read_text(encoding='utf-8')
        text = page_text(raw) if path.suffix == '.html' else raw
        found += [(path.name, marker) for marker in GRADING_MARKERS
                  if marker in text or marker.lower() in raw.lower()]
    assert found == []
    exercises = page_text((book / '05_exercises.html').read_text(encoding='utf-8'))
    assert 'd2l.check.init_table(when_to_use)' in exercises  # the check, as a reader calls it


# What a reader's screen holds: a laptop's and a phone's viewport (CSS pixels).
LAPTOP, PHONE = {'width': 1280, 'height': 800}, {'width': 390, 'height': 844}
SMALLEST_CODE_FONT = 12  # px: below this, code on a phone is hard to read
PHONE_COLUMNS = 40  # a code line this long fits a phone's screen at that size
CODE_BLOCKS = """() => [...document.querySelectorAll('pre')].map(pre => ({
    scroll: pre.scrollWidth, client: pre.clientWidth, text: pre.textContent,
    font: parseFloat(getComputedStyle(pre).fontSize),
    overflow: getComputedStyle(pre).overflowX}))"""


def columns(line):
    """Columns of ``line`` in a monospace font; wide and full-width characters take two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in line)


def widest(block):
    """The widest line of a code block, and its columns."""
    line = max(block['text'].splitlines() or [''], key=columns)
    return columns(line), line


def problems_at(device, blocks):
    """What is wrong with a page's code blocks on ``device``: on a laptop any sideways scroll;
    on a phone a font too small to read, or a scroll that a short line does not need or that
    cannot be scrolled (clipped)."""
    scrolling = [block for block in blocks if block['scroll'] > block['client']]
    if device == 'laptop':
        return [('scrolls', *widest(block)) for block in scrolling]
    too_small = [(f'{block["font"]}px font', *widest(block)) for block in blocks
                 if block['font'] < SMALLEST_CODE_FONT]
    return too_small + [('scrolls', *widest(block)) for block in scrolling
                        if widest(block)[0] <= PHONE_COLUMNS
                        or block['overflow'] not in ('auto', 'scroll')]


def test_code_blocks_fit_a_laptop_and_scroll_only_inside_themselves_on_a_phone(
        book, browser, tmp_path):
    """At 1280 px no code block scrolls sideways (80 columns fit: book/_static/code-width.css
    shrinks the font with the column); at 390 px the code stays readable, short lines fit, a
    longer one scrolls inside its own block, and the page itself never scrolls sideways.
    Screenshots of each page at both widths go to the test's folder."""
    page = browser.new_page()
    problems = []
    for name in NOTEBOOKS:
        page.set_viewport_size(LAPTOP)
        page.goto((book / f'{name}.html').as_uri())
        for device, viewport in (('laptop', LAPTOP), ('phone', PHONE)):
            page.set_viewport_size(viewport)
            page.screenshot(path=tmp_path / f'{name}-{device}.png')
            problems += [(name, device, *problem)
                         for problem in problems_at(device, page.evaluate(CODE_BLOCKS))]
            if page.evaluate('document.documentElement.scrollWidth') > viewport['width']:
                problems.append((name, device, 'the page scrolls sideways'))
    page.close()
    assert not problems, '\n'.join(map(str, problems))
