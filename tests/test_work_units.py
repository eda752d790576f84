"""The work units of tests/work_units.py: what must run together does, the table is current."""
from pathlib import Path

from work_units import MOSTLY_WAITING, SECONDS, expected_seconds, send_order, work_unit

ROOT = Path(__file__).resolve().parent.parent


def test_a_notebooks_cells_are_one_unit_so_they_share_a_kernel():
    assert (work_unit('notebooks/05_exercises.ipynb::Cell 0')
            == work_unit('notebooks/05_exercises.ipynb::Cell 21') == 'notebooks/05_exercises.ipynb')


def test_a_modules_tests_are_one_unit_so_its_fixtures_are_set_up_once():
    assert (work_unit('tests/test_autograde.py::test_a[teacher]')
            == work_unit('tests/test_autograde.py::test_b') == 'tests/test_autograde.py')


def test_the_browser_and_native_runs_are_one_unit_per_notebook():
    for module in ('tests/test_jupyterlab.py::test_ui',
                   'tests/test_native_kernels.py::test_native'):
        assert work_unit(f'{module}[05_exercises]') != work_unit(f'{module}[07_why]')
        assert work_unit(f'{module}[05_exercises]') == f'{module}[05_exercises]'


def test_each_name_in_the_table_is_a_test_module_or_a_notebook():
    names = ({path.name for path in (ROOT / 'tests').glob('test_*.py')}
             | {path.stem for path in (ROOT / 'notebooks').glob('*.ipynb')})
    assert set(SECONDS) - names == set()


def test_a_notebooks_runs_take_its_time_and_unnamed_units_are_short():
    assert expected_seconds('tests/test_jupyterlab.py::t[07_why_initialization_matters.ipynb]') \
        == expected_seconds('notebooks/07_why_initialization_matters.ipynb::Cell 3') > 0
    assert expected_seconds('tests/test_check.py::test_each_check') == 0


def test_a_unit_that_mostly_waits_is_sent_before_the_longest():
    longest = max(SECONDS, key=SECONDS.get)
    waiting = f'tests/{MOSTLY_WAITING[0]}::test_x'
    assert send_order(waiting) < send_order(f'tests/{longest}::test_y')
    assert send_order('tests/test_hub.py::a') < send_order('tests/test_check.py::b')


def test_make_test_collects_in_that_order():
    """conftest.py sorts the collected tests by send_order (a file keeps its own order)."""
    import conftest
    nodeids = ['tests/test_check.py::a', 'tests/test_hub.py::b', 'tests/test_check.py::c',
               f'tests/{MOSTLY_WAITING[0]}::d', 'tests/test_hub.py::e']
    items = [type('Item', (), {'nodeid': nodeid})() for nodeid in nodeids]
    conftest.pytest_collection_modifyitems(items)
    assert [item.nodeid[-1] for item in items] == ['d', 'b', 'e', 'a', 'c']


def test_each_mostly_waiting_unit_is_a_test_module():
    assert set(MOSTLY_WAITING) <= {path.name for path in (ROOT / 'tests').glob('test_*.py')}
