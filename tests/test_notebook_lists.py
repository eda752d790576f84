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


def test_the_english_readme_lists_every_notebook_in_the_books_order():
    """notebooks/en/README.md: a row per notebook, in the book's order; the translated ones
    (those in notebooks/en) linked, the others marked as coming."""
    readme = (ROOT / 'notebooks' / 'en' / 'README.md').read_text(encoding='utf-8')
    rows = re.findall(r'^\| (?:\[(\d\d_\w+)\]\((\d\d_\w+)\.ipynb\)|(\d\d_\w+)) \| (.*) \|$',
                      readme, flags=re.MULTILINE)
    assert [linked or plain for linked, _, plain, _ in rows] == CHAPTERS
    english = sorted(p.stem for p in (ROOT / 'notebooks' / 'en').glob('*.ipynb'))
    assert [linked for linked, target, _, _ in rows if linked and linked == target] == english
    assert all(text.startswith('coming: ') for linked, _, _, text in rows if not linked)
    assert not any(text.startswith('coming') for linked, _, _, text in rows if linked)


def english_extra_label(name):
    """How the English edition heads an extra: 拓展 C becomes "Extra C —", one form for all."""
    return f'Extra {title(name).split()[1]} \N{EM DASH}'


def test_each_english_notebook_has_the_chinese_notebooks_section_number():
    """4.2.x stays 4.2.x; 拓展 A, B, ... become "Extra A — Title", "Extra B — Title", ..."""
    for path in sorted((ROOT / 'notebooks' / 'en').glob('*.ipynb')):
        chinese = title(path.stem).split()[0]
        first = nbformat.read(path, as_version=4).cells[0].source.splitlines()[0].lstrip('# ')
        expected = chinese if chinese.startswith('4.2') else english_extra_label(path.stem)
        assert first.startswith(expected + ' '), path.name


def test_the_english_readme_names_each_extra_as_its_heading_does():
    """notebooks/en/README.md: a translated extra's row begins "Extra C — Title", as its heading."""
    readme = (ROOT / 'notebooks' / 'en' / 'README.md').read_text(encoding='utf-8')
    rows = dict(re.findall(r'^\| \[(\d\d_\w+)\]\(\d\d_\w+\.ipynb\) \| (.*) \|$', readme,
                           flags=re.MULTILINE))
    extras = [name for name in rows if not title(name).startswith('4.2')]
    assert extras
    for name in extras:
        assert rows[name].startswith(english_extra_label(name) + ' '), name
