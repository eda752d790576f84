"""An English class on the shipped JupyterHub, with the README's commands and one setting,
CLASS_LANGUAGE=en, for each of them ("An English class").

As root, as tests/test_hub.py runs the Chinese class of three (tests/hub_support.py holds what
the two share), for one student: `course.py setup`, `start`, `release`; in headless Chromium the
student logs in, opens the printed link and gets the English exercises in JupyterLab in English,
answers exercises 1 and 2, runs the notebook, whose self-checks speak English, and submits from a
terminal; the instructor collects, autogrades, exports and returns feedback; the student fetches
an English feedback page. Accounts, group, class folder and processes are removed at the end.
"""
import os

import nbformat
import pytest
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
    submit,
    type_answer,
)

pytestmark = [pytest.mark.slow, pytest.mark.needs_root, pytest.mark.skipif(
    os.geteuid() != 0, reason='the class makes Linux accounts and runs servers as them: as root')]

# What the student types into the two solution cells (one line each).
ANSWERS = {
    'ex1_answer1': "import inspect; "
                   "when_to_use = {name: f'{name}: when to use it, see the MXNet documentation' "
                   "for name, obj in vars(init).items() if inspect.isclass(obj) "
                   "and obj.__module__ == 'mxnet.initializer' and name != 'InitDesc'}",
    'ex2_answer1': "net = nn.Sequential(); shared = nn.Dense(8, activation='relu'); "
                   "net.add(nn.Dense(8, activation='relu'), shared, nn.Dense(8, activation='relu', "
                   "params=shared.params), nn.Dense(10)); net.initialize(); "
                   "shape_before = net[0].weight.shape",
    'ex2_answer2': "X = nd.random_uniform(shape=(2, 20)); net(X); "
                   "shape_after = net[0].weight.shape",
}

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
    page = log_in(browser, english_class, student)
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
    notebook = nbformat.reads(saved.read_text('utf-8'), as_version=4)
    # The English notebook on its English kernel; exercise 3's check, unanswered, ends the run
    # with the English verdict (the self-checks' language comes from the hub's D2L_LANGUAGE and
    # the kernel's own).
    assert notebook.metadata.kernelspec.name == 'd2l-mxnet-en'
    verdicts = ['\n'.join([output.get('text', ''), output.get('evalue', ''),
                            *output.get('traceback', [])])
                for cell in notebook.cells if cell.cell_type == 'code'
                for output in cell.get('outputs', [])]
    assert any(labels['not yet'] in verdict for verdict in verdicts), verdicts
    rows, _ = grades(english_class)
    assert rows == {student: 5.0}
    assert labels['score'].format(score=5.0) in fetch_feedback(english_class, student)
