"""The English edition (tools/english_edition.py, make english): notebooks/en built from the Chinese
notebooks and their gettext catalogs in translations/en, kept in step by construction.

(a) every catalog translates its Chinese notebook as it is now; (b) each stored English notebook
is what the builder makes now; (c) each pair has the same cells, code (comments and Chinese
strings aside) and outputs; (d) no Chinese character is left in English. Then the builder's own
behaviour on bad input, on scratch copies. Fast: nothing is executed.
"""
import io
import json
import os
import shutil
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import polib
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
import english_edition  # noqa: E402  (tools/english_edition.py)

CHINESE = ROOT / 'notebooks'
EDITION = ROOT / 'notebooks' / 'en'
CATALOGS = ROOT / 'translations' / 'en'
NAMES = sorted(path.stem for path in CATALOGS.glob('*.po'))
FIRST = '01_accessing_parameters'
# (notebook, cell id): why that cell's output is text in the reader's language and so differs.
# None in 01 and 02: their outputs are what MXNet and Python print (numbers, reprs, MXNet's own
# English warnings), the same in both editions.
LANGUAGE_OUTPUTS = {}


def chinese(name):
    return nbformat.read(CHINESE / f'{name}.ipynb', as_version=4)


def english(name):
    return nbformat.read(EDITION / f'{name}.ipynb', as_version=4)


def catalog(name, folder=CATALOGS):
    return polib.pofile(str(folder / f'{name}.po'))


def test_the_english_notebooks_and_the_catalogs_come_in_pairs():
    """A catalog without its English notebook (never built) or the reverse (no source of its
    text) is a mistake; and 01 and 02 are translated, so the tests below are not empty."""
    assert sorted(path.stem for path in EDITION.glob('*.ipynb')) == NAMES
    assert all((CHINESE / f'{name}.ipynb').is_file() for name in NAMES)
    assert {FIRST, '02_initializing_parameters'} <= set(NAMES)


# --- (a) every catalog is complete and current ---

@pytest.mark.parametrize('name', NAMES)
def test_the_catalog_translates_every_cell_of_the_chinese_notebook_as_it_is_now(name):
    problems = english_edition.catalog_problems(chinese(name), f'notebooks/{name}.ipynb', name,
                                                catalog(name))
    assert problems == [], '\n'.join(problems)


def change_a_sentence(cells):
    cells[5].source = cells[5].source.replace('方括号', '中括号')


def change_a_comment(cells):
    cells[4].source = cells[4].source.replace('# 前向计算', '# 做前向计算')


def change_a_figure_text(cells):
    cells[0].metadata['mystnb'] = {'image': {'alt': '一幅新的图'}}


@pytest.mark.parametrize('change, cell, words, problem', [
    (change_a_sentence, 5, '对于 `Sequential` 构造的网络，可以用中括号按下…', 'changed since'),
    (change_a_comment, 4, 'from mxnet import init, nd', 'changed since it was translated'),
    (change_a_figure_text, 0, '一幅新的图', 'no translation in the catalog'),
], ids=['sentence', 'code-comment', 'new-alt-text'])
def test_a_changed_chinese_text_is_named_with_its_notebook_and_cell(change, cell, words,
                                                                     problem):
    nb = chinese(FIRST)
    change(nb.cells)
    problems = english_edition.catalog_problems(nb, f'notebooks/{FIRST}.ipynb', FIRST,
                                                catalog(FIRST))
    assert len(problems) == 1
    assert problems[0].startswith(f'notebooks/{FIRST}.ipynb, cell {cell} ')
    assert f'«{words}»' in problems[0] and problem in problems[0]


def test_a_removed_chinese_cell_leaves_an_entry_that_is_named_until_the_catalog_is_refreshed():
    nb = chinese(FIRST)
    nb.cells.pop(9)  # «用 `is` 核对…», id c92e65b8
    problems = english_edition.catalog_problems(nb, f'notebooks/{FIRST}.ipynb', FIRST,
                                                catalog(FIRST))
    assert len(problems) == 1
    assert problems[0].startswith(f'notebooks/{FIRST}.ipynb: the catalog has an entry for a '
                                  f"cell no longer in the notebook ('{FIRST} cell c92e65b8' «用 ")
    assert 'make english-catalogs' in problems[0]


# --- (b) the stored English notebook is the builder's ---

@pytest.mark.parametrize('name', NAMES)
def test_the_stored_english_notebook_is_what_the_builder_makes_now(name):
    """So nobody edits it by hand: the English text lives in the catalog."""
    built, problems = english_edition.translate(chinese(name), name, name, catalog(name))
    assert problems == []
    stored = (EDITION / f'{name}.ipynb').read_text(encoding='utf-8')
    assert stored == english_edition.notebook_text(built), f'run make english ({name})'


# --- (c) the same code and the same numbers ---

def code_tokens(source):
    """(type, text) of each token that makes the code: comments and the line breaks outside
    statements (NL) dropped, so a translated comment may be longer or wrap."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(token.type, token.string) for token in tokens
            if token.type not in (tokenize.COMMENT, tokenize.NL)]


def same_code(chinese_source, english_source):
    """Token for token the same, but where the Chinese cell has a string holding Chinese."""
    ours, theirs = code_tokens(chinese_source), code_tokens(english_source)
    return len(ours) == len(theirs) and all(
        a == b or (a[0] == b[0] == tokenize.STRING and english_edition.has_chinese(a[1]))
        for a, b in zip(ours, theirs))


def without_alt(metadata):
    metadata = nbformat.from_dict(metadata)
    metadata.get('mystnb', {}).get('image', {}).pop('alt', None)
    return metadata


@pytest.mark.parametrize('name', NAMES)
def test_each_pair_has_the_same_cells_code_and_outputs(name):
    zh, en = chinese(name), english(name)
    assert [(c.cell_type, c.get('id')) for c in en.cells] == \
        [(c.cell_type, c.get('id')) for c in zh.cells]
    for index, (a, b) in enumerate(zip(zh.cells, en.cells)):
        assert without_alt(a.metadata) == without_alt(b.metadata), f'{name}, cell {index}'
        if a.cell_type != 'code':
            continue
        assert same_code(a.source, b.source), f'{name}, cell {index}: the code differs'
        assert a.execution_count == b.execution_count, f'{name}, cell {index}'
        if (name, a.id) not in LANGUAGE_OUTPUTS:
            assert a.outputs == b.outputs, f'{name}, cell {index}: the outputs differ'
    assert {key: value for key, value in en.metadata.items() if key != 'english_edition'} == \
        zh.metadata


def test_the_code_comparison_sees_code_and_passes_over_comments_and_chinese_strings():
    """The comparison above can fail: a changed number, name or line does not pass."""
    source = "x = 1  # 一个数\nprint('你好', x)\n"
    assert same_code(source, "x = 1  # a number,\n# wrapped\nprint('hello', x)\n")
    assert not same_code(source, "x = 2  # a number\nprint('hello', x)\n")
    assert not same_code(source, "y = 1  # a number\nprint('hello', y)\n")
    assert not same_code(source, "x = 1  # a number\nprint('hello', x)\nx += 1\n")
    assert not same_code("print('x')\n", "print('y')\n")  # an English string is code


# --- (d) no Chinese left ---

@pytest.mark.parametrize('name', NAMES)
def test_no_chinese_character_is_left_in_the_english_notebook(name):
    nb = english(name)
    parts = {f'cell {index}': cell for index, cell in enumerate(nb.cells)}  # source, outputs,
    parts['the notebook metadata'] = nb.metadata  # the cell's metadata (alt text)
    found = {where: sorted(set(english_edition.CJK.findall(json.dumps(part, ensure_ascii=False))))
             for where, part in parts.items()}
    assert {where: chars for where, chars in found.items() if chars} == {}


def test_chinese_characters_and_punctuation_are_seen_and_english_symbols_are_not():
    seen = ['参', '，', '。', '：', '（', '、', '\u3000', '𠀀']
    assert all(english_edition.has_chinese(char) for char in seen)
    assert not any(english_edition.has_chinese(char) for char in '×±≈…“”—é')


# --- nbval leaves the English notebooks alone ---

def test_nbval_does_not_run_the_english_notebooks():
    """Same code, same numbers: running them again costs two minutes and checks nothing new."""
    result = subprocess.run([sys.executable, '-m', 'pytest', '--collect-only', '-q',
                             '-p', 'no:cacheprovider', '-p', 'no:xdist', 'notebooks'],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    collected = [line for line in result.stdout.splitlines() if '::' in line]
    assert any(line.startswith(f'notebooks/{FIRST}.ipynb::') for line in collected)
    assert not [line for line in collected if line.startswith('notebooks/en/')]


# --- the builder on scratch copies ---

@pytest.fixture
def scratch(tmp_path):
    """A copy of 01's catalog in tmp_path/po, and an empty output folder tmp_path/en."""
    (tmp_path / 'po').mkdir()
    shutil.copy(CATALOGS / f'{FIRST}.po', tmp_path / 'po')
    return tmp_path


def run_build(scratch, *notebooks, update=False):
    """english_edition's exit code, on the scratch catalogs and output folder."""
    argv = [str(n) for n in notebooks or [CHINESE / f'{FIRST}.ipynb']]
    argv += ['--catalogs', str(scratch / 'po'), '--out', str(scratch / 'en')]
    return english_edition.main(argv + ['--update-catalogs'] * update)


def edit_catalog(scratch, change):
    path = scratch / 'po' / f'{FIRST}.po'
    po = polib.pofile(str(path))
    change(po)
    path.write_text(str(po), encoding='utf-8')


def entry_of(po, cell_id):
    return next(entry for entry in po if entry.msgctxt == f'{FIRST} cell {cell_id}')


def test_the_builder_writes_the_english_notebook_and_a_second_run_changes_nothing(scratch,
                                                                                   capsys):
    assert run_build(scratch) == 0
    written = scratch / 'en' / f'{FIRST}.ipynb'
    assert written.read_text(encoding='utf-8') == (EDITION / f'{FIRST}.ipynb').read_text('utf-8')
    assert 'written' in capsys.readouterr().out
    assert run_build(scratch) == 0
    assert 'unchanged' in capsys.readouterr().out


def test_a_new_english_notebook_is_readable_like_any_file_the_user_makes(scratch):
    """The temporary file behind the rename is private (0600); the notebook must not be."""
    mask = os.umask(0o022)
    try:
        assert run_build(scratch) == 0
    finally:
        os.umask(mask)
    assert (scratch / 'en' / f'{FIRST}.ipynb').stat().st_mode & 0o777 == 0o644


def drop_entry(po):
    po.remove(entry_of(po, '9ae27acf'))


def empty_entry(po):
    entry_of(po, '9ae27acf').msgstr = ''


def fuzzy_entry(po):
    entry_of(po, '9ae27acf').flags.append('fuzzy')


@pytest.mark.parametrize('change, problem', [
    (drop_entry, 'no translation in the catalog'),
    (empty_entry, 'not translated yet (empty msgstr)'),
    (fuzzy_entry, 'the translation is marked fuzzy'),
], ids=['missing', 'empty', 'fuzzy'])
def test_a_translation_missing_empty_or_fuzzy_stops_the_build_and_nothing_is_written(
        scratch, capsys, change, problem):
    assert run_build(scratch) == 0
    written = scratch / 'en' / f'{FIRST}.ipynb'
    before = written.read_bytes()
    edit_catalog(scratch, change)
    assert run_build(scratch) == 1
    error = capsys.readouterr().err
    cell = 'cell 5 (markdown) «对于 `Sequential` 构造的网络，可以用方括号按下…»'
    assert f'notebooks/{FIRST}.ipynb, {cell}: {problem}' in error
    assert 'Nothing was written' in error
    assert written.read_bytes() == before
    assert sorted(p.name for p in written.parent.iterdir()) == [written.name]


def test_a_second_notebook_in_error_keeps_the_first_from_being_written(scratch, capsys):
    """All or nothing: 02 has no catalog in the scratch folder, so 01 is not written either."""
    assert run_build(scratch, CHINESE / f'{FIRST}.ipynb',
                     CHINESE / '02_initializing_parameters.ipynb') == 1
    assert 'no catalog' in capsys.readouterr().err
    assert not (scratch / 'en').exists()


def test_a_translation_that_changes_the_code_is_refused(scratch, capsys):
    def change(po):
        entry = entry_of(po, 'ea156fde')
        entry.msgstr = entry.msgstr.replace('nn.Dense(10)', 'nn.Dense(12)')
    edit_catalog(scratch, change)
    assert run_build(scratch) == 1
    error = capsys.readouterr().err
    assert f'{FIRST}.ipynb, cell 4 (code) «from mxnet import init, nd»: the translation ' \
           f'changes the code' in error and "'12'" in error
    assert not (scratch / 'en').exists()


def test_a_translation_that_keeps_chinese_is_refused(scratch, capsys):
    def change(po):
        entry = entry_of(po, 'c92e65b8')
        entry.msgstr = entry.msgid  # pasted the Chinese as its own translation
    edit_catalog(scratch, change)
    assert run_build(scratch) == 1
    assert f'{FIRST}.ipynb in English, cell 9, source: Chinese left' in capsys.readouterr().err
    assert not (scratch / 'en').exists()


def test_an_english_notebook_edited_by_hand_is_not_overwritten(scratch, capsys):
    assert run_build(scratch) == 0
    written = scratch / 'en' / f'{FIRST}.ipynb'
    nb = nbformat.read(written, as_version=4)
    nb.cells[5].source += ' A better sentence.'
    nbformat.write(nb, written)
    edited = written.read_bytes()
    edit_catalog(scratch, lambda po: setattr(entry_of(po, 'c92e65b8'), 'msgstr', 'Check it:'))
    assert run_build(scratch) == 1
    error = capsys.readouterr().err
    assert 'was edited by hand since make english wrote it' in error and 'msgstr' in error
    assert written.read_bytes() == edited


def test_a_file_the_tool_did_not_make_is_not_overwritten(scratch, capsys):
    (scratch / 'en').mkdir()
    mine = scratch / 'en' / f'{FIRST}.ipynb'
    shutil.copy(CHINESE / f'{FIRST}.ipynb', mine)
    before = mine.read_bytes()
    assert run_build(scratch) == 1
    assert 'was not made by tools/english_edition.py' in capsys.readouterr().err
    assert mine.read_bytes() == before


def test_the_chinese_notebooks_folder_is_refused_as_the_output(scratch, capsys):
    shutil.copy(CHINESE / f'{FIRST}.ipynb', scratch)
    before = (scratch / f'{FIRST}.ipynb').read_bytes()
    argv = [str(scratch / f'{FIRST}.ipynb'), '--catalogs', str(scratch / 'po'),
            '--out', str(scratch)]
    assert english_edition.main(argv) == 1
    assert 'would replace it' in capsys.readouterr().err
    assert (scratch / f'{FIRST}.ipynb').read_bytes() == before


def test_an_unreadable_catalog_is_named(scratch, capsys):
    path = scratch / 'po' / f'{FIRST}.po'
    path.write_text(path.read_text(encoding='utf-8').replace('msgstr', 'msgstrr', 3), 'utf-8')
    assert run_build(scratch) == 1
    assert f'{path} is not a readable gettext catalog' in capsys.readouterr().err
    assert not (scratch / 'en').exists()


# --- refreshing a catalog, as msgmerge does ---

def test_refreshing_marks_a_changed_cell_fuzzy_a_new_one_untranslated_a_removed_one_obsolete(
        scratch, capsys):
    nb = chinese(FIRST)
    change_a_sentence(nb.cells)  # cell 5, id 9ae27acf
    removed = nb.cells.pop(9)  # the sentence before the `is` check, id c92e65b8
    nb.cells.insert(1, nbformat.v4.new_markdown_cell('新的一句话。', id='0123abcd'))
    source = scratch / f'{FIRST}.ipynb'
    nbformat.write(nb, source)
    before = catalog(FIRST, scratch / 'po')
    assert run_build(scratch, source, update=True) == 0
    po = catalog(FIRST, scratch / 'po')
    changed, new = entry_of(po, '9ae27acf'), entry_of(po, '0123abcd')
    assert changed.fuzzy and changed.msgstr == entry_of(before, '9ae27acf').msgstr
    assert changed.previous_msgid == entry_of(before, '9ae27acf').msgid
    assert new.msgstr == '' and not new.fuzzy
    [gone] = po.obsolete_entries()
    assert gone.msgid == removed.source and gone.msgstr == entry_of(before, 'c92e65b8').msgstr
    kept = entry_of(po, 'a4794281')
    assert kept.msgstr == entry_of(before, 'a4794281').msgstr and not kept.fuzzy
    # the same position: one cell out before it, one in
    assert kept.occurrences == [(f'notebooks/{FIRST}.ipynb', '17')]
    capsys.readouterr()
    assert run_build(scratch, source) == 1
    error = capsys.readouterr().err
    assert 'cell 1 (markdown) «新的一句话。»: not translated yet' in error
    changed = 'cell 6 (markdown) «对于 `Sequential` 构造的网络，可以用中括号按下…»'
    assert f'{changed}: the translation is marked fuzzy' in error


def test_refreshing_keeps_no_empty_entry_of_a_changed_or_removed_cell(scratch):
    """An old entry never translated has nothing to keep: it is neither obsolete nor fuzzy."""
    def untranslate(po):
        entry_of(po, '9ae27acf').msgstr = entry_of(po, 'c92e65b8').msgstr = ''
    edit_catalog(scratch, untranslate)
    nb = chinese(FIRST)
    change_a_sentence(nb.cells)  # cell 5, id 9ae27acf
    nb.cells.pop(9)  # id c92e65b8
    source = scratch / f'{FIRST}.ipynb'
    nbformat.write(nb, source)
    assert run_build(scratch, source, update=True) == 0
    po = catalog(FIRST, scratch / 'po')
    changed = entry_of(po, '9ae27acf')
    assert changed.msgstr == '' and not changed.fuzzy and changed.previous_msgid is None
    assert po.obsolete_entries() == []
    assert len(po) == len(catalog(FIRST)) - 1


def test_refreshing_an_unchanged_catalog_changes_no_byte(scratch):
    path = scratch / 'po' / f'{FIRST}.po'
    before = path.read_bytes()
    assert run_build(scratch, update=True) == 0
    assert path.read_bytes() == before


def test_the_stored_catalogs_are_as_a_refresh_writes_them():
    """A hand-made entry or order a refresh would change shows up here, not in a later diff."""
    for name in NAMES:
        refreshed = english_edition.updated_catalog(chinese(name), name, catalog(name))
        text = (CATALOGS / f'{name}.po').read_text(encoding='utf-8')
        assert str(refreshed).rstrip('\n') + '\n' == text, name
