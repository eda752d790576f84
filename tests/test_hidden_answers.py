"""The class's set-up closes the teacher's checkout to other users (tools/classroom/course.py,
hide_answers): its notebooks, the English catalog of the exercises, tests quoting answers, their
compiled copies and the git history all hold answers.

tests/test_hub.py reads the answers as a real student of a running class; here, on a scratch
checkout, the unprivileged user ``nobody`` tries every kind of file that holds them.
"""
import importlib.util
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ANSWER = "'Uniform':"  # a line of exercise 1's answer (its first key), in both editions


@pytest.fixture(scope='module')
def course():
    spec = importlib.util.spec_from_file_location(
        'course', ROOT / 'tools' / 'classroom' / 'course.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def checkout():
    """A clone of the repository (git history included) with a compiled test, every folder
    open to all, in a folder of /tmp anyone may enter (pytest's own is root's only)."""
    open_folder = Path(tempfile.mkdtemp(prefix='d2l-hidden-answers-'))
    open_folder.chmod(0o755)
    copy = open_folder / 'checkout'
    subprocess.run(['git', 'clone', '-q', '--no-hardlinks', str(ROOT), str(copy)], check=True)
    (copy / 'tests' / '__pycache__').mkdir()
    shutil.copy(copy / 'tests' / 'test_hub.py', copy / 'tests' / '__pycache__' / 'test_hub.pyc')
    for path in [copy, *copy.rglob('*')]:
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)
    yield copy
    shutil.rmtree(open_folder)


def as_nobody(command, cwd):
    return subprocess.run(command, cwd=cwd, user='nobody', group='nogroup', extra_groups=[],
                          capture_output=True, text=True, env={'PATH': os.environ['PATH']})


ANSWER_FILES = ['notebooks/05_exercises.ipynb', 'notebooks/en/05_exercises.ipynb',
                'translations/en/05_exercises.po', 'tests/test_hub.py',
                'tests/__pycache__/test_hub.pyc']


@pytest.mark.needs_root
@pytest.mark.skipif(os.geteuid() != 0, reason='another user tries the files: only root can be one')
def test_setup_closes_every_file_and_the_history_that_hold_answers(course, checkout):
    for relative in ANSWER_FILES:  # the scratch checkout is open before set-up
        assert as_nobody(['cat', str(checkout / relative)], '/').returncode == 0, relative
    assert ANSWER in as_nobody(['cat', str(checkout / ANSWER_FILES[1])], '/').stdout
    course.hide_answers(checkout)
    for relative in ANSWER_FILES:
        result = as_nobody(['cat', str(checkout / relative)], '/')
        assert result.returncode != 0 and ANSWER not in result.stdout, relative
    history = as_nobody(['git', '-C', str(checkout), 'show',
                         'HEAD:notebooks/en/05_exercises.ipynb'], '/')
    assert history.returncode != 0 and ANSWER not in history.stdout
    assert (checkout / 'translations' / 'en' / '05_exercises.po').read_text('utf-8')  # modes only
