"""One list of the notebooks: the book's table of contents. Every other list must agree with it."""
import re
from pathlib import Path

import nbformat
import yaml

ROOT = Path(__file__).resolve().parent.parent
TOC = yaml.safe_load((ROOT / 'book' / '_toc.yml').read_text(encoding='utf-8'))
CHAPTERS = [chapter['file'] for chapter in TOC['chapters']]


def title(name):
    """The notebook's first heading, without the leading #'s and backquotes."""
    first = nbformat.read(ROOT / 'notebooks' / f'{name}.ipynb', as_version=4).cells[0].source
    return first.splitlines()[0].lstrip('# ').replace('`', '')


def test_the_table_of_contents_lists_every_notebook_once():
    assert sorted(CHAPTERS) == sorted(p.stem for p in (ROOT / 'notebooks').glob('*.ipynb'))
    assert len(set(CHAPTERS)) == len(CHAPTERS)


def test_the_readme_tables_list_the_notebooks_in_the_books_order():
    readme = (ROOT / 'README.md').read_text(encoding='utf-8')
    assert re.findall(r'^\| `(\d\d_\w+)` \|', readme, flags=re.MULTILINE) == CHAPTERS
    notebooks_readme = (ROOT / 'notebooks' / 'README.md').read_text(encoding='utf-8')
    linked = re.findall(r'^\| \[(\d\d_\w+)\]\((\d\d_\w+)\.ipynb\) \|', notebooks_readme,
                        flags=re.MULTILINE)
    assert [name for name, _ in linked] == CHAPTERS
    assert all(name == target for name, target in linked)


def test_extras_are_titled_so_that_they_cannot_pass_for_book_sections():
    """Book sections are headed 4.2.x; the extras 拓展 A, B, ... in order, here and in the book."""
    extras = [name for name in CHAPTERS if not title(name).startswith('4.2')]
    letters = [re.match(r'拓展 ([A-Z])\s', title(name)) for name in extras]
    assert all(letters)
    assert [m.group(1) for m in letters] == [chr(ord('A') + i) for i in range(len(extras))]
    toc_titles = {c['file']: c.get('title', '') for c in TOC['chapters']}
    for name, letter in zip(extras, letters):
        assert toc_titles[name].startswith(f'拓展 {letter.group(1)}'), name
