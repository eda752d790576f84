"""make works wherever a user clones the project: a path with spaces and Chinese, in a 0700 folder.

A copy of this working tree (what git would commit, so uncommitted edits are tested too) is laid in
``mktemp -d``/"a b 中文"/c, a folder only its owner may enter, and ``make test`` runs there from
scratch: its set-up (the .venv, the kernel, MathJax, the hub's proxy) and, on one pytest-xdist
worker, a quick tier of tests that touch the checkout's own paths: the permission tests, a kernel
started by make store, the student edition, make run given the path of the checkout's Python, and
nbval over the notebook whose stored output once showed a warning's path.
"""
import os
import re
import shutil
import stat
import subprocess
import tempfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # a whole set-up: a new .venv, npm installs

ROOT = Path(__file__).resolve().parent.parent
QUICK_TIER = [
    'tests/test_data.py::test_an_unreadable_folder_or_file_is_named',
    'tests/test_data.py::test_an_unwritable_folder_is_a_data_error_naming_it',
    'tests/test_store.py::test_a_successful_run_stores_outputs_on_the_project_kernel',
    # the tools run from the checkout: the student edition, and the book built from book/ there
    'tests/test_tools.py::test_the_tool_replaces_its_own_output_and_marks_it',
    'tests/test_tools.py::test_a_failed_book_build_leaves_the_previous_book',
    'tests/test_student.py::test_an_unreadable_entry_in_the_teachers_folder_is_refused',
    'tests/test_run_and_book.py::test_make_run_keeps_a_users_notebook_in_build_notebooks',
    'notebooks/02_initializing_parameters.ipynb',
]
# Set by an outer make or pytest: the copy's make and pytest must find their own.
OUTER_ONLY = ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'MATHJAX_DIR', 'AXE_JS',
              'VIRTUAL_ENV', 'PYTHONPATH')


def ignored_names():
    """What .gitignore keeps out of a commit (.venv, build, caches): left out of the copy too."""
    lines = (ROOT / '.gitignore').read_text(encoding='utf-8').splitlines()
    return [line.rstrip('/') for line in lines if line and not line.startswith('#')]


@pytest.fixture
def odd_checkout():
    """The working tree copied to <mktemp -d>/a b 中文/c; removed afterwards."""
    private = Path(tempfile.mkdtemp())
    assert stat.S_IMODE(private.stat().st_mode) == 0o700
    checkout = private / 'a b 中文' / 'c'
    shutil.copytree(ROOT, checkout, symlinks=True,
                    ignore=shutil.ignore_patterns('.git', *ignored_names()))
    yield checkout
    shutil.rmtree(private)


def test_make_test_sets_up_and_passes_in_a_private_folder_with_spaces_and_chinese(odd_checkout):
    outer_venv = str(ROOT / '.venv' / 'bin')
    env = {k: v for k, v in os.environ.items()
           if k not in OUTER_ONLY and not k.startswith(('PYTEST_', 'COV_'))}
    env['PATH'] = os.pathsep.join(p for p in env['PATH'].split(os.pathsep) if p != outer_venv)
    # One pytest-xdist worker, not make test's three: xdist still starts a worker from the odd
    # path, and the two others would only start and collect for these few tests (3.5 CPU-s).
    result = subprocess.run(['make', 'test', 'TESTS=-n 1 ' + ' '.join(QUICK_TIER)],
                            cwd=odd_checkout,
                            env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                            timeout=900)
    output = result.stdout + result.stderr
    # pip's notes on this machine's extra package indexes would hide pytest's own lines
    shown = '\n'.join(line for line in output.splitlines()
                      if not line.startswith('WARNING: Location'))[-4000:]
    assert result.returncode == 0, shown
    assert (odd_checkout / '.venv' / '.installed').is_file()
    # pytest's closing line: the quick tier passed whole, nothing skipped.
    summary = re.findall(r'^=+ (.*) in [\d.]+s', result.stdout, flags=re.MULTILINE)
    assert summary and re.fullmatch(r'\d+ passed(, \d+ warnings?)?', summary[-1]), shown
