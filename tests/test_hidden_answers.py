"""The class's set-up hides every place of the teacher's checkout that holds answers
(tools/classroom/course.py, hide_answers): students may enter the checkout on the class's machine.

tests/test_hub.py checks, as a real student, that the notebooks and the English catalog cannot
be read; here, on a scratch copy, which files set-up finds and what it leaves alone.
"""
import importlib.util
import shutil
import stat
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope='module')
def course():
    spec = importlib.util.spec_from_file_location(
        'course', ROOT / 'tools' / 'classroom' / 'course.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def checkout(tmp_path):
    """What hide_answers reads: both editions' notebooks, the package, the catalogs, a test
    quoting answers, and a README that does not; every file readable by all."""
    copy = tmp_path / 'checkout'
    shutil.copytree(ROOT / 'notebooks', copy / 'notebooks',
                    ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    shutil.copytree(ROOT / 'd2lhelpers', copy / 'd2lhelpers',
                    ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copytree(ROOT / 'translations', copy / 'translations')
    (copy / 'tests').mkdir()
    shutil.copy(ROOT / 'tests' / 'test_claims.py', copy / 'tests')
    shutil.copy(ROOT / 'README.md', copy)
    for path in [copy, *copy.rglob('*')]:
        path.chmod(0o755 if path.is_dir() else 0o644)
    return copy


def readable_by_others(path):
    return bool(path.stat().st_mode & (stat.S_IROTH | stat.S_IRGRP))


def test_setup_hides_the_notebooks_and_every_file_quoting_an_answer(course, checkout):
    course.hide_answers(checkout)
    assert not readable_by_others(checkout / 'notebooks')  # both editions' assignment
    # the English catalog translates the answer cells; the claim tests quote answer lines
    for hidden in ('translations/en/05_exercises.po', 'tests/test_claims.py'):
        assert not readable_by_others(checkout / hidden), hidden
    for public in ('README.md', 'translations/en/01_accessing_parameters.po',
                   'd2lhelpers/check.py', 'd2lhelpers/training.py'):
        assert readable_by_others(checkout / public), public
    assert (checkout / 'translations/en/05_exercises.po').stat().st_size > 0  # modes only


def test_a_line_of_the_helper_package_or_a_short_one_is_no_answer(course, checkout):
    """training.py imports DeferredInitializationError as exercise 2's answer does: students
    have the package anyway. A short line such as `net.initialize()` is common code."""
    found = {str(path.relative_to(checkout)) for path in course.files_holding_answers(checkout)}
    assert found == {'translations/en/05_exercises.po', 'tests/test_claims.py'}
