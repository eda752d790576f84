"""An English class on the shipped JupyterHub, with the README's commands and one setting,
CLASS_LANGUAGE=en, for each of them ("An English class").

As root, as tests/test_hub.py runs the Chinese class of three (tests/hub_support.py holds what
the two share), for one student: `course.py setup`, `start`, `release`; in headless Chromium set
to Chinese, the student logs in, opens the printed link and gets the English exercises in
JupyterLab in English (her server started with the English class's settings, locale en, and
D2L_LANGUAGE=en), answers exercises 1 and 2, runs the notebook, whose self-checks speak English,
and submits from a terminal; the instructor collects, autogrades, exports and returns feedback;
the student fetches the English feedback page. Accounts, group, class folder and processes are
removed at the end.
"""
import json
import os
import re
from pathlib import Path

import nbformat
import pytest
from english_edition import CJK  # tools/english_edition.py: what is not English text
from hub_support import (
    CHP,
    class_on_the_hub,
    fetch_feedback,
    grades,
    log_in,
    open_the_link,
    run_all_and_save,
    saved_notebook,
    screenshot,
    server_of,
    submit,
    type_answer,
    typed_answers,
)

pytestmark = [pytest.mark.slow, pytest.mark.needs_root, pytest.mark.skipif(
    os.geteuid() != 0, reason='the class makes Linux accounts and runs servers as them: as root')]

ANSWERS = typed_answers('en')  # exercises 1 and 2 answered: 5 of 10 points

if not os.access(CHP, os.X_OK):
    pytest.skip(f'no configurable-http-proxy at {CHP}: make proxy installs it with npm',
                allow_module_level=True)


@pytest.fixture(scope='module')
def english_class(tmp_path_factory):
    with class_on_the_hub(tmp_path_factory.mktemp('roster'), students=1,
                          language='en') as classroom:
        yield classroom


def test_an_english_class_works_and_is_graded_in_english(english_class, browser):
    [student] = english_class['students']
    labels, saved = english_class['labels'], saved_notebook(student)
    page = log_in(browser, english_class, student)  # a Chinese browser (hub_support.log_in)
    try:
        open_the_link(page, english_class)  # JupyterLab's menus in English, the kernel idle
        for grade_id, text in ANSWERS.items():
            type_answer(page, grade_id, text)
        run_all_and_save(page, labels, saved)
        submit(page, english_class, student)
        screenshot(page, 'en-submitted')
    except Exception:
        screenshot(page, 'en-failed')
        raise
    finally:
        page.close()
    # The hub gave the student's server the English class's JupyterLab settings (locale en,
    # not "default", which would follow the machine's LANG) and the self-checks' language.
    _, args, environ = server_of(english_class, student)
    [settings_dir] = [arg.split('=', 1)[1] for arg in args
                      if arg.startswith('--LabApp.app_settings_dir=')]
    assert Path(settings_dir) == english_class['home'] / 'config' / 'lab-settings' / 'en'
    overrides = json.loads((Path(settings_dir) / 'overrides.json').read_text('utf-8'))
    assert overrides['@jupyterlab/translation-extension:plugin'] == {'locale': 'en'}
    assert environ['D2L_LANGUAGE'] == 'en'
    # The English notebook on its English kernel, with the answers; exercise 3's check,
    # unanswered, ends the run with the English verdict.
    notebook = nbformat.reads(saved.read_text('utf-8'), as_version=4)
    assert notebook.metadata.kernelspec.name == 'd2l-mxnet-en'
    sources = '\n'.join(cell.source for cell in notebook.cells)
    assert all(answer in sources for answer in ANSWERS.values())
    [check] = [cell for cell in notebook.cells
               if cell.metadata.get('nbgrader', {}).get('grade_id') == 'ex3_check']
    shown = '\n'.join('\n'.join([output.get('text', ''), output.get('evalue', ''),
                                 *output.get('traceback', [])]) for output in check.outputs)
    assert labels['not yet'] in shown, shown
    rows, _ = grades(english_class)
    assert rows == {student: 5.0}
    # The feedback page the student fetches is the English one (feedback_en), with no Chinese.
    html = fetch_feedback(english_class, student)
    assert '<html lang="en">' in html and labels['score'].format(score=5.0) in html
    assert 'Exercise 1 check</a> (Score: 2.0 / 2.0)' in html, html[:3000]
    visible = re.sub(r'<[^>]+>', '', re.sub(r'<(script|style)\b.*?</\1>', '', html, flags=re.S))
    assert not CJK.search(visible), CJK.findall(visible)[:10]
