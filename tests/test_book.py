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
