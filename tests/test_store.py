"""make store (tools/store_notebooks.py): a notebook is replaced only by a complete run."""
import resource
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # executes notebooks, builds the book or drives a browser

STORE = Path(__file__).resolve().parent.parent / 'tools' / 'store_notebooks.py'


def notebook_with(tmp_path, *sources, name='probe.ipynb'):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def store(*args, limit_file_size=None):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    return subprocess.run([sys.executable, str(STORE), *map(str, args)], capture_output=True,
                          text=True, timeout=300, preexec_fn=limit if limit_file_size else None)


def leftovers(folder, path):
    return sorted(p.name for p in folder.iterdir() if p != path)


def test_a_successful_run_stores_outputs_on_the_project_kernel(tmp_path):
    path = notebook_with(tmp_path, "import os\nprint(os.environ['DNNL_MAX_CPU_ISA'])")
    result = store(path)
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec.name == 'd2l-mxnet'
    assert nb.cells[0].outputs[0].text == 'AVX2\n'
    assert nb.cells[0].metadata == {}  # no execution times
    assert leftovers(tmp_path, path) == []


def test_storing_an_unchanged_notebook_does_not_touch_the_file(tmp_path):
    path = notebook_with(tmp_path, "print(6 * 7)")
    assert store(path).returncode == 0
    before = path.stat().st_mtime_ns, path.read_bytes()
    result = store(path)
    assert result.returncode == 0 and 'unchanged' in result.stdout
    assert (path.stat().st_mtime_ns, path.read_bytes()) == before


def test_a_cell_that_never_ends_stops_at_the_timeout_and_changes_nothing(tmp_path):
    path = notebook_with(tmp_path, "print('edited, not yet stored')",
                         "import time\ntime.sleep(600)")
    before = path.read_bytes()
    result = store('--timeout', '3', path)
    assert result.returncode == 1
    assert 'did not run to the end' in result.stderr and 'unchanged' in result.stderr, result.stderr
    assert path.read_bytes() == before and leftovers(tmp_path, path) == []


def test_a_cell_that_raises_changes_nothing(tmp_path):
    path = notebook_with(tmp_path, "1 / 0")
    before = path.read_bytes()
    result = store(path)
    assert result.returncode == 1 and 'ZeroDivisionError' in result.stderr, result.stderr
    assert path.read_bytes() == before and leftovers(tmp_path, path) == []


def test_a_failed_write_leaves_the_notebook_whole(tmp_path):
    """A full disk, simulated by a file-size limit below the executed notebook's size."""
    path = notebook_with(tmp_path, "print('x' * 20000)")
    before = path.read_bytes()
    result = store(path, limit_file_size=4096)
    assert result.returncode == 1, result.stdout
    assert 'could not write' in result.stderr and 'unchanged' in result.stderr, result.stderr
    assert path.read_bytes() == before and leftovers(tmp_path, path) == []
    nbformat.read(path, as_version=4)  # still a valid notebook


@pytest.mark.parametrize('content, expected', [
    ('{"cells": [', 'is not a readable notebook'),
    ('', 'is not a readable notebook'),
])
def test_a_broken_notebook_is_named_and_left_alone(tmp_path, content, expected):
    path = tmp_path / 'broken.ipynb'
    path.write_text(content)
    result = store(path)
    assert result.returncode == 1 and expected in result.stderr and str(path) in result.stderr
    assert path.read_text() == content


def test_a_path_that_is_not_a_notebook_is_refused(tmp_path):
    result = store(tmp_path / 'missing.ipynb', tmp_path)
    assert result.returncode == 2 and 'is not a notebook file' in result.stderr
