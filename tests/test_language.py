"""d2lhelpers.language: the helpers speak the reader's language, chosen by one setting.

D2L_LANGUAGE (zh by default, or en) picks the language; the text is marked _('…') in the code,
the Chinese is the msgid, and the English is in the helpers' gettext catalog. Every message has
a current English translation that keeps its fields and numbers; no Chinese text of the helpers
escapes the catalog; each edition's kernel sets the setting. Fast: no notebook is executed.
"""
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import nbformat
import polib
import pytest
from jupyter_client.kernelspec import KernelSpecManager

import d2lhelpers as d2l
from d2lhelpers import language

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))
import english_edition  # noqa: E402  (tools/english_edition.py: the catalogs' tool)
import project_kernel  # noqa: E402  (tools/project_kernel.py: the editions' kernels)

CATALOG = language.catalog_path('en')


def helper_catalog():
    return polib.pofile(str(CATALOG))


# --- the catalog: complete, current, faithful ---

def test_every_message_of_the_helpers_has_a_current_english_translation():
    problems = english_edition.helper_catalog_problems(helper_catalog(),
                                                       english_edition.helper_messages())
    assert problems == [], '\n'.join(problems)


def test_the_helpers_catalog_is_as_a_refresh_writes_it():
    """A message added or changed in the code shows here until make english-catalogs ran."""
    refreshed = english_edition.updated_helper_catalog(english_edition.helper_messages(),
                                                       helper_catalog())
    assert str(refreshed).rstrip('\n') + '\n' == CATALOG.read_text(encoding='utf-8')


def test_no_chinese_text_of_the_helpers_escapes_the_catalog():
    """Every Chinese string of d2lhelpers' code (docstrings and comments aside) is a msgid."""
    messages, problems = english_edition.helper_text()
    assert problems == []
    assert {m.path for m in messages} == {'d2lhelpers/check.py', 'd2lhelpers/explorer.py'}


def test_unmarked_chinese_text_is_named_with_its_file_and_line(tmp_path):
    """The check above can fail: a plain string, an f-string, _() of a variable."""
    (tmp_path / 'module.py').write_text(
        '"""模块说明。"""\n'
        'def f(x):\n'
        '    """函数说明。"""\n'
        "    print('还没有完成')  # 注释\n"
        "    print(f'第 {x} 层')\n"
        '    return _(x)\n', encoding='utf-8')
    messages, problems = english_edition.helper_text(tmp_path)
    assert messages == []
    assert [problem.split(': ', 1)[0] for problem in problems] == [
        f'{tmp_path}/module.py:{line}' for line in (4, 5, 6)]
    assert 'Chinese text not marked' in problems[0] and 'f-string' in problems[1]
    with pytest.raises(english_edition.EditionError, match='make english-catalogs'):
        english_edition.helper_messages(tmp_path)


def numbers(text):
    """The numbers written in ``text``, not those of its {fields}."""
    fields = english_edition.placeholders(text)
    for field in fields:
        text = text.replace('{' + field, '{')
    return Counter(english_edition.NUMBER.findall(text))


def test_each_english_message_keeps_the_fields_and_numbers_of_the_chinese():
    entries = [entry for entry in helper_catalog() if entry.msgid]
    assert len(entries) >= 30
    for entry in entries:
        assert english_edition.placeholders(entry.msgstr) == \
            english_edition.placeholders(entry.msgid), entry.msgid
        assert numbers(entry.msgstr) == numbers(entry.msgid), entry.msgid


def test_a_missing_fuzzy_or_unfaithful_translation_is_named(tmp_path):
    catalog = helper_catalog()
    messages = english_edition.helper_messages()
    first, second, third = (next(e for e in catalog if e.msgid == text) for text in
                            ['还没有给出 net。', '✓ 正确：{success}', '输出'])
    catalog.remove(first)
    second.msgstr = '✓ Correct: {result}'
    third.flags.append('fuzzy')
    problems = english_edition.helper_catalog_problems(catalog, messages)
    assert len(problems) == 3
    assert problems[0].startswith('d2lhelpers/check.py (report) «✓ 正确：{success}»: the '
                                  "translation has the fields ['result'], the Chinese "
                                  "['success']")
    assert 'check.py (deferred_shapes) «还没有给出 net。»: no translation' in problems[1]
    assert 'explorer.py (describe_spread) «输出»: the translation is marked fuzzy' in problems[2]


def test_refreshing_the_helpers_catalog_marks_a_changed_message_fuzzy(tmp_path):
    package = tmp_path / 'd2lhelpers'
    shutil.copytree(ROOT / 'd2lhelpers', package, ignore=shutil.ignore_patterns('__pycache__'))
    check = package / 'check.py'
    check.write_text(check.read_text(encoding='utf-8').replace(
        "_('运行记录训练 5 个周期。')", "_('运行记录共训练 5 个周期。')"), encoding='utf-8')
    target = tmp_path / 'd2lhelpers.po'
    shutil.copy(CATALOG, target)
    english_edition.update_helper_catalog(target, package)
    po = polib.pofile(str(target))
    changed = next(e for e in po if e.msgid == '运行记录共训练 5 个周期。')
    assert changed.fuzzy and changed.msgstr == 'The run record trains for 5 epochs.'
    assert changed.previous_msgid == '运行记录训练 5 个周期。'
    assert po.obsolete_entries() == []
    assert len(po) == len(helper_catalog())


# --- the setting ---

def test_unset_the_helpers_speak_chinese(monkeypatch):
    monkeypatch.delenv(language.VARIABLE, raising=False)
    assert language.current() == 'zh' and language._('输出') == '输出'


def test_with_d2l_language_en_the_explorers_words_are_english(monkeypatch):
    """And printed a sentence a line as notebook 11 prints them: split on '. '."""
    monkeypatch.setenv(language.VARIABLE, 'en')
    result = d2l.explorer.Spread([1.0, 0.5], [1.0, 0.25], [0.1, 0.2], [0.125, 0.25],
                                 "Normal(sigma=0.01), relu, 2 x 16")
    words = d2l.describe_spread(result)
    assert not english_edition.has_chinese(words)
    assert words.split('. ')[:-1] == [
        'Standard deviation of each layer for Normal(sigma=0.01), relu, 2 x 16 (log vertical '
        'axis)', 'Output: layer 1 1.00e+00 (formula 1.00e+00), layer 2 5.00e-01 (formula '
        '2.50e-01)', 'Gradient: layer 1 1.00e-01 (formula 1.25e-01), layer 2 2.00e-01 (formula '
        '2.50e-01)']


def test_a_language_the_helpers_do_not_speak_is_a_clear_error(monkeypatch):
    monkeypatch.setenv(language.VARIABLE, 'fr')
    with pytest.raises(language.LanguageError, match="D2L_LANGUAGE='fr': the helpers speak zh "
                                                     "and en; set D2L_LANGUAGE to one of them"):
        language._('输出')


# --- one setting: each edition's kernel sets it ---

def test_the_english_kernel_is_the_projects_kernel_with_the_english_setting():
    chinese, english = project_kernel.spec('zh'), project_kernel.spec('en')
    assert english['env'] == {**project_kernel.ENV, 'D2L_LANGUAGE': 'en'}
    assert chinese['env'] == {**project_kernel.ENV, 'D2L_LANGUAGE': 'zh'}
    assert {k: v for k, v in english.items() if k not in ('env', 'display_name')} == \
        {k: v for k, v in project_kernel.SPEC.items() if k not in ('env', 'display_name')}
    assert project_kernel.metadata('zh') == project_kernel.METADATA
    assert project_kernel.metadata('en')['name'] == 'd2l-mxnet-en'
    assert project_kernel.edition_of('d2l-mxnet-en') == 'en'
    assert project_kernel.edition_of('python3') == project_kernel.edition_of('d2l-mxnet') == 'zh'


def test_make_setup_installed_both_kernels_as_project_kernel_makes_them():
    """JupyterLab, nbval and make store find them in this environment's Jupyter."""
    manager = KernelSpecManager()
    for edition in ('zh', 'en'):
        installed = manager.get_kernel_spec(project_kernel.name(edition))
        expected = project_kernel.spec(edition)
        assert installed.env == expected['env'], 'python tools/project_kernel.py install'
        assert installed.display_name == expected['display_name']


@pytest.mark.slow  # starts two kernels
@pytest.mark.parametrize('edition', ['zh', 'en'])
def test_make_store_runs_a_notebook_on_the_kernel_of_its_edition(tmp_path, edition):
    """An English notebook (its metadata names d2l-mxnet-en) is stored from a run in English,
    keeping its metadata; any other on the project's kernel, in Chinese."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell('import d2lhelpers as d2l\n'
                                          'd2l.check.deferred_shapes(None, None, None)')]
    nb.metadata['kernelspec'] = project_kernel.metadata(edition)
    path = tmp_path / 'probe.ipynb'
    nbformat.write(nb, path)
    result = subprocess.run([sys.executable, str(ROOT / 'tools' / 'store_notebooks.py'),
                             str(path)], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    stored = nbformat.read(path, as_version=4)
    assert stored.metadata.kernelspec == project_kernel.metadata(edition)
    verdict = {'zh': '✗ 还没有完成：还没有给出 net。',
               'en': '✗ Not done yet: net is not given yet.'}
    assert stored.cells[0].outputs[0].text.startswith(verdict[edition])
