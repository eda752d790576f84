"""The English edition (tools/english_edition.py, make english): notebooks/en built from the Chinese
notebooks and their gettext catalogs in translations/en, kept in step by construction.

(a) every catalog translates its Chinese notebook as it is now; (b) each stored English notebook
is what the builder makes now; (c) each pair has the same cells, code (comments and Chinese
strings aside) and outputs, but for the cells whose output is in the reader's language, which
are named with the reason (english_edition.language_reasons) and whose English output, from a
real run on the English kernel, must still fit the Chinese one; nbval runs exactly the English
notebooks that have such cells; (d) no Chinese character is left in English. Then the builder's
own behaviour on bad input, on scratch copies. Fast: nothing is executed.
"""
import copy
import io
import json
import os
import re
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
import project_kernel  # noqa: E402  (tools/project_kernel.py)

CHINESE = ROOT / 'notebooks'
EDITION = ROOT / 'notebooks' / 'en'
CATALOGS = ROOT / 'translations' / 'en'
NAMES = sorted(path.stem for path in CATALOGS.glob('*.po'))
FIRST = '01_accessing_parameters'
EXPLORER = '11_init_explorer'  # an English notebook with a cell in the reader's language


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
    """So nobody edits it by hand: the English text lives in the catalog (and the outputs in the
    reader's language come from make store, which the builder keeps)."""
    built, problems = english_edition.translate(chinese(name), name, name, catalog(name),
                                                english(name))
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


def without_kernel(metadata):
    return {key: value for key, value in metadata.items()
            if key not in ('english_edition', 'kernelspec')}


@pytest.mark.parametrize('name', NAMES)
def test_each_pair_has_the_same_cells_code_and_outputs(name):
    """Every output is the Chinese one, but that of a cell named as printing the reader's
    language (why: english_edition.language_reasons), which must still fit it: stored (by a
    run, not cleared), the same kinds of output, no Chinese, the same numbers."""
    zh, en = chinese(name), english(name)
    assert [(c.cell_type, c.get('id')) for c in en.cells] == \
        [(c.cell_type, c.get('id')) for c in zh.cells]
    for index, (a, b) in enumerate(zip(zh.cells, en.cells)):
        assert without_alt(a.metadata) == without_alt(b.metadata), f'{name}, cell {index}'
        if a.cell_type != 'code':
            continue
        assert same_code(a.source, b.source), f'{name}, cell {index}: the code differs'
        assert a.execution_count == b.execution_count, (
            f'{name}, cell {index}: run make store NOTEBOOKS=notebooks/en/{name}.ipynb')
        reasons = english_edition.language_reasons(a.source)
        if reasons:
            assert english_edition.misfit(a, b) is None, (
                f'{name}, cell {index} prints the reader\'s language ({"; ".join(reasons)}), '
                f'but {english_edition.misfit(a, b)}: run make store on the English notebook')
        else:
            assert a.outputs == b.outputs, f'{name}, cell {index}: the outputs differ'
    assert without_kernel(en.metadata) == without_kernel(zh.metadata)
    assert zh.metadata.kernelspec == project_kernel.metadata('zh')
    assert en.metadata.kernelspec == project_kernel.metadata('en')  # JupyterLab, nbval: English


def test_the_cells_in_the_readers_language_are_found_by_their_code():
    """The rule names 05's and 11's cells that print text of a catalog (and no other cell of
    the series), and every Chinese cell whose output has Chinese in it is among them."""
    found = {}
    for path in sorted(CHINESE.glob('*.ipynb')):
        nb = nbformat.read(path, as_version=4)
        for index, cell in enumerate(nb.cells):
            reasons = cell.cell_type == 'code' and english_edition.language_reasons(cell.source)
            if reasons:
                found[path.stem, index] = reasons
            elif cell.cell_type == 'code':
                assert not english_edition.has_chinese(english_edition.output_text(
                    cell.outputs)), f'{path.name}, cell {index}: Chinese output, no reason'
    strings, check = english_edition.TRANSLATED_STRINGS, english_edition.SPEAKING_HELPERS
    assert found == {('05_exercises', 4): [strings], ('05_exercises', 6): [check['d2l.check.']],
                     ('05_exercises', 15): [check['d2l.check.']],
                     ('05_exercises', 32): [check['d2l.check.']],
                     (EXPLORER, 11): [strings, check['d2l.describe_spread(']]}


def test_a_stored_output_in_english_that_does_not_fit_the_chinese_one_is_named():
    """The comparison of a language cell can fail: a number, a Chinese word, a missing output."""
    zh, en = chinese(EXPLORER).cells[11], english(EXPLORER).cells[11]
    assert english_edition.misfit(zh, en) is None
    changed = copy.deepcopy(en)
    changed.outputs[0].text = changed.outputs[0].text.replace('9.95e-01', '9.96e-01')
    assert 'it prints the numbers' in english_edition.misfit(zh, changed)
    changed.outputs[0].text += '梯度\n'
    assert english_edition.misfit(zh, changed) == 'its output has Chinese in it'
    changed.outputs = []
    assert 'its outputs are []' in english_edition.misfit(zh, changed)


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


# --- nbval runs the English notebooks whose outputs are their own, and no other ---

def with_outputs_of_their_own():
    """The English notebooks that have a cell in the reader's language."""
    return sorted(name for name in NAMES if any(
        cell.cell_type == 'code' and english_edition.language_reasons(cell.source)
        for cell in chinese(name).cells))


def test_nbval_does_not_run_the_english_notebooks_unless_named():
    """pyproject.toml leaves notebooks/en out of `pytest notebooks`: most have the Chinese
    notebooks' code and outputs, and running them again would check nothing new."""
    result = subprocess.run([sys.executable, '-m', 'pytest', '--collect-only', '-q',
                             '-p', 'no:cacheprovider', '-p', 'no:xdist', 'notebooks'],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    collected = [line for line in result.stdout.splitlines() if '::' in line]
    assert any(line.startswith(f'notebooks/{FIRST}.ipynb::') for line in collected)
    assert not [line for line in collected if line.startswith('notebooks/en/')]


def test_the_jupyterlab_test_runs_the_english_notebooks_whose_outputs_are_their_own():
    """Those with a cell in the reader's language (05 and 11) have outputs of their own, stored
    from a run on the English kernel, which the notebook names: tests/test_jupyterlab.py runs them
    in JupyterLab, strictly, as it runs the Chinese ones; the others it leaves out."""
    own = with_outputs_of_their_own()
    assert own == ['05_exercises', EXPLORER]
    result = subprocess.run([sys.executable, '-m', 'pytest', '--collect-only', '-q',
                             '-p', 'no:cacheprovider', '-p', 'no:xdist',
                             'tests/test_jupyterlab.py'],
                            cwd=ROOT, capture_output=True, text=True, timeout=120)
    english_runs = re.findall(r'\[en/(\w+)\.ipynb\]', result.stdout)
    assert sorted(english_runs) == own, result.stdout


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


# --- the outputs in the reader's language: kept while they fit, else cleared for make store ---

@pytest.fixture
def explorer_scratch(tmp_path):
    """11's catalog in tmp_path/po, its Chinese notebook in tmp_path, tmp_path/en empty."""
    (tmp_path / 'po').mkdir()
    shutil.copy(CATALOGS / f'{EXPLORER}.po', tmp_path / 'po')
    shutil.copy(CHINESE / f'{EXPLORER}.ipynb', tmp_path)
    (tmp_path / 'en').mkdir()
    return tmp_path


def build_explorer(scratch):
    argv = [str(scratch / f'{EXPLORER}.ipynb'), '--catalogs', str(scratch / 'po'),
            '--out', str(scratch / 'en')]
    return english_edition.main(argv)


def built_explorer(scratch):
    return nbformat.read(scratch / 'en' / f'{EXPLORER}.ipynb', as_version=4)


def test_a_new_english_notebook_leaves_its_cells_in_the_readers_language_to_make_store(
        explorer_scratch, capsys):
    """Copying the Chinese output there would be wrong: the cell is cleared, and the builder
    says which notebook to run make store on; every other output is the Chinese one."""
    assert build_explorer(explorer_scratch) == 0
    out = capsys.readouterr().out
    assert f'en/{EXPLORER}.ipynb, cell 11: its output is in the reader\'s language' in out
    assert f'run make store NOTEBOOKS={explorer_scratch}/en/{EXPLORER}.ipynb' in out
    built, zh = built_explorer(explorer_scratch), chinese(EXPLORER)
    assert built.cells[11].outputs == [] and built.cells[11].execution_count is None
    assert 'its outputs are []' in english_edition.misfit(zh.cells[11], built.cells[11])
    assert all(a.outputs == b.outputs for index, (a, b) in enumerate(zip(zh.cells, built.cells))
               if a.cell_type == 'code' and index != 11)


def test_a_stored_output_in_english_is_kept_while_its_cell_is_unchanged(explorer_scratch,
                                                                          capsys):
    shutil.copy(EDITION / f'{EXPLORER}.ipynb', explorer_scratch / 'en')
    assert build_explorer(explorer_scratch) == 0
    assert 'unchanged' in capsys.readouterr().out
    assert (explorer_scratch / 'en' / f'{EXPLORER}.ipynb').read_bytes() == \
        (EDITION / f'{EXPLORER}.ipynb').read_bytes()


def reword_the_printing_cell(scratch):
    path = scratch / 'po' / f'{EXPLORER}.po'
    po = polib.pofile(str(path))
    entry = next(e for e in po if e.msgctxt == f'{EXPLORER} cell 017a46d6')
    entry.msgstr = entry.msgstr.replace("sentence + '.'", "sentence + '!'")
    path.write_text(str(po), encoding='utf-8')


def change_a_chinese_number(scratch):
    path = scratch / f'{EXPLORER}.ipynb'
    nb = nbformat.read(path, as_version=4)
    nb.cells[11].outputs[0].text = nb.cells[11].outputs[0].text.replace('9.95e-01', '9.90e-01')
    nbformat.write(nb, path)


@pytest.mark.parametrize('change', [reword_the_printing_cell, change_a_chinese_number],
                         ids=['its-english-code', 'the-chinese-numbers'])
def test_a_stored_output_in_english_that_no_longer_fits_is_cleared_for_make_store(
        explorer_scratch, capsys, change):
    shutil.copy(EDITION / f'{EXPLORER}.ipynb', explorer_scratch / 'en')
    change(explorer_scratch)
    assert build_explorer(explorer_scratch) == 0
    assert 'not stored yet: run make store' in capsys.readouterr().out
    cell = built_explorer(explorer_scratch).cells[11]
    assert cell.outputs == [] and cell.execution_count is None


# --- nbgrader's markers: a translation cannot move an answer out of its block ---

EXERCISES = '05_exercises'


@pytest.fixture
def exercises_catalog(tmp_path):
    """A copy of 05's catalog in tmp_path/po; the answer cell of exercise 1, by its msgid."""
    (tmp_path / 'po').mkdir()
    shutil.copy(CATALOGS / f'{EXERCISES}.po', tmp_path / 'po')
    return tmp_path


def edit_answer_cell(folder, change):
    """Change the translation of the code cell holding exercise 1's answer (when_to_use)."""
    path = folder / 'po' / f'{EXERCISES}.po'
    po = polib.pofile(str(path))
    [entry] = [e for e in po if 'when_to_use = {' in e.msgid and '### BEGIN SOLUTION' in e.msgid]
    entry.msgstr = change(entry.msgstr)
    path.write_text(str(po), encoding='utf-8')


def build_exercises(folder):
    argv = [str(CHINESE / f'{EXERCISES}.ipynb'), '--catalogs', str(folder / 'po'),
            '--out', str(folder / 'en')]
    return english_edition.main(argv)


def test_a_translation_that_moves_a_marker_is_refused(exercises_catalog, capsys):
    """Moving `### END SOLUTION` up to just below `### BEGIN SOLUTION` would release the
    answer: the markers count as code, in their places."""
    def move(text):
        text = text.replace('### END SOLUTION\n', '')
        return text.replace('### BEGIN SOLUTION\n', '### BEGIN SOLUTION\n### END SOLUTION\n')
    edit_answer_cell(exercises_catalog, move)
    assert build_exercises(exercises_catalog) == 1
    error = capsys.readouterr().err
    assert 'the translation changes the code' in error and 'SOLUTION' in error, error
    assert not (exercises_catalog / 'en').exists()


def test_a_translation_that_repeats_an_answer_line_in_a_comment_is_refused(
        exercises_catalog, capsys):
    def copy_into_a_comment(text):
        return text.replace('### BEGIN SOLUTION\n', '# when_to_use = {\n### BEGIN SOLUTION\n', 1)
    edit_answer_cell(exercises_catalog, copy_into_a_comment)
    assert build_exercises(exercises_catalog) == 1
    error = capsys.readouterr().err
    assert "a line of the answer is repeated outside it: 'when_to_use = {'" in error, error
    assert not (exercises_catalog / 'en').exists()


@pytest.mark.parametrize('change', [
    # split in two: the book would show the half it no longer recognises
    lambda text: text.replace('in its heading. ', 'in its heading.\n\n', 1),
    # a code name without its backticks: the paragraph could no longer be found
    lambda text: text.replace('`CheckFailed`', 'CheckFailed', 1),
], ids=['split', 'code-name'])
def test_a_grading_paragraph_the_book_could_not_leave_out_is_refused(
        exercises_catalog, capsys, change):
    path = exercises_catalog / 'po' / f'{EXERCISES}.po'
    po = polib.pofile(str(path))
    [entry] = [e for e in po if 'As an nbgrader assignment' in e.msgstr]
    entry.msgstr = change(entry.msgstr)
    path.write_text(str(po), encoding='utf-8')
    assert build_exercises(exercises_catalog) == 1
    error = capsys.readouterr().err
    assert 'the translation of the grading paragraph must be paragraph 3 of its cell' in error
    assert not (exercises_catalog / 'en').exists()


def test_exercise_points_in_another_form_are_refused(exercises_catalog, capsys):
    """The reader's edition takes " (2 points)" out of the English book's headings; "(2 pts)"
    would stay."""
    path = exercises_catalog / 'po' / f'{EXERCISES}.po'
    po = polib.pofile(str(path))
    [entry] = [e for e in po if e.msgstr.startswith('## Exercise 1:')]
    entry.msgstr = entry.msgstr.replace(' (2 points)', ' (2 pts)')
    path.write_text(str(po), encoding='utf-8')
    assert build_exercises(exercises_catalog) == 1
    error = capsys.readouterr().err
    assert 'give their points as "## Exercise N: ... (P points)"' in error
    assert "for exercises ['1']; found them for []" in error
    assert not (exercises_catalog / 'en').exists()
