"""make store (tools/store_notebooks.py): a notebook is replaced only by a complete run."""
import json
import os
import resource
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import nbformat
import project_kernel  # tools/, put on the path by conftest.py
import pytest
from os_support import processes_naming, signal_after_rename, take_stop_signals

pytestmark = pytest.mark.slow  # executes notebooks, builds the book or drives a browser

STORE = Path(__file__).resolve().parent.parent / 'tools' / 'store_notebooks.py'


def notebook_with(tmp_path, *sources, name='probe.ipynb'):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    path = tmp_path / name
    nbformat.write(nb, path)
    return path


def store(*args, limit_file_size=None, env=None):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    return subprocess.run([sys.executable, str(STORE), *map(str, args)], capture_output=True,
                          text=True, timeout=300, preexec_fn=limit if limit_file_size else None,
                          env=env)


def leftovers(folder, path):
    return sorted(p.name for p in folder.iterdir() if p != path)


def test_a_successful_run_stores_outputs_on_the_project_kernel(tmp_path):
    path = notebook_with(tmp_path, "import os\nprint(os.environ['DNNL_MAX_CPU_ISA'])")
    nb = nbformat.read(path, as_version=4)
    alt = {'image': {'alt': '一幅直方图'}}  # a figure's text alternative (issue 24)
    nb.cells[0].metadata.update(mystnb=alt, execution={'iopub.status.idle': '2020-01-01'})
    nbformat.write(nb, path)
    result = store(path)
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(path, as_version=4)
    assert nb.metadata.kernelspec == project_kernel.METADATA
    assert nb.cells[0].outputs[0].text == 'AVX2\n'
    assert nb.cells[0].metadata == {'mystnb': alt}  # no execution times, the alt text kept
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
    line = next(line for line in result.stderr.splitlines() if line.startswith('store:'))
    assert 'did not run to the end' in line and 'unchanged' in line, result.stderr
    assert 'cell 2 of 2' in line and 'timeout of 3 s' in line and '---' not in line, line
    assert path.read_bytes() == before and leftovers(tmp_path, path) == []


def test_a_cell_that_raises_changes_nothing(tmp_path):
    path = notebook_with(tmp_path, "1 / 0")
    before = path.read_bytes()
    result = store(path)
    assert result.returncode == 1 and 'ZeroDivisionError' in result.stderr, result.stderr
    assert 'cell 1 of 1' in result.stderr, result.stderr
    assert path.read_bytes() == before and leftovers(tmp_path, path) == []


def test_a_kernel_that_dies_is_reported_with_its_cell(tmp_path):
    path = notebook_with(tmp_path, "print(1)", "import os\nos._exit(1)")
    before = path.read_bytes()
    result = store(path)
    assert result.returncode == 1
    line = next(line for line in result.stderr.splitlines() if line.startswith('store:'))
    assert 'kernel died while running cell 2 of 2' in line and 'unchanged' in line, line
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
    ('\ufeff{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
     'starts with a byte-order mark (BOM'),
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


@pytest.mark.parametrize('timeout', ['0', '-1', 'nan', 'inf', '1.5'])
def test_a_timeout_that_is_not_a_positive_whole_number_is_refused(tmp_path, timeout):
    """0 and -1 would silently run every cell without a bound."""
    path = notebook_with(tmp_path, "print('edited, not yet stored')")
    before = path.read_bytes()
    result = store('--timeout', timeout, path)
    assert result.returncode == 2 and 'positive whole number of seconds' in result.stderr, \
        result.stderr
    assert path.read_bytes() == before


@contextmanager
def read_only(folder):
    """``folder`` made read-only for the tool, also when the tests run as root (CI)."""
    if os.geteuid() == 0:  # root writes through permission bits: make the folder immutable
        subprocess.run(['chattr', '+i', str(folder)], check=True)
    else:
        folder.chmod(0o555)
    try:
        yield
    finally:
        if os.geteuid() == 0:
            subprocess.run(['chattr', '-i', str(folder)], check=True)
        folder.chmod(0o755)


def test_a_read_only_folder_gives_one_line_and_the_other_notebooks_still_run(tmp_path):
    (tmp_path / 'locked').mkdir()
    (tmp_path / 'open').mkdir()
    locked = notebook_with(tmp_path / 'locked', "print('a')", name='first.ipynb')
    other = notebook_with(tmp_path / 'open', "print('b')", name='second.ipynb')
    before = locked.read_bytes()
    with read_only(tmp_path / 'locked'):
        result = store(locked, other)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith('store:')]
    assert len(errors) == 1 and f'could not write {locked}' in errors[0], result.stderr
    assert 'unchanged' in errors[0] and 'writable' in errors[0]
    assert f'{other}: stored' in result.stdout
    assert locked.read_bytes() == before and leftovers(tmp_path / 'locked', locked) == []
    assert nbformat.read(other, as_version=4).cells[0].outputs[0].text == 'b\n'


def test_a_symlinked_notebook_stays_a_symlink(tmp_path):
    real = notebook_with(tmp_path, "print(6 * 7)", name='real.ipynb')
    link = tmp_path / 'link.ipynb'
    link.symlink_to(real.name)
    result = store(link)
    assert result.returncode == 0, result.stderr
    assert link.is_symlink() and os.readlink(link) == 'real.ipynb'
    assert nbformat.read(real, as_version=4).cells[0].outputs[0].text == '42\n'


def test_a_notebook_in_another_encoding_is_named_with_its_encoding(tmp_path):
    path = tmp_path / 'utf16.ipynb'
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell('参数')]
    path.write_text(nbformat.writes(nb), encoding='utf-16')
    before = path.read_bytes()
    result = store(path)
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    assert f'{path} is not UTF-8 text' in result.stderr and 'utf_16' in result.stderr
    assert 'save it again as UTF-8' in result.stderr
    assert path.read_bytes() == before


def private_env(tmp_path):
    """The tool's environment with Jupyter's runtime folder and the temporary folder in
    tmp_path, where whatever a run leaves behind can be seen."""
    runtime, tmp = tmp_path / 'runtime', tmp_path / 'tmp'
    runtime.mkdir()
    tmp.mkdir()
    return [runtime, tmp], {**os.environ, 'JUPYTER_RUNTIME_DIR': str(runtime), 'TMPDIR': str(tmp)}


def left_in(folders):
    return [p for folder in folders for p in folder.rglob('*')]


def start_a_long_run(tmp_path, env):
    """A store run whose kernel is inside a cell that sleeps; returns (process, notebook)."""
    (tmp_path / 'nb').mkdir()
    path = notebook_with(tmp_path / 'nb', "open('started', 'w').close()\nimport time\n"
                         "time.sleep(600)")
    process = subprocess.Popen([sys.executable, str(STORE), str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=take_stop_signals)
    for _ in range(1200):  # at most 120 s for the kernel to start
        if (tmp_path / 'nb' / 'started').exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    assert (tmp_path / 'nb' / 'started').exists(), process.communicate(timeout=60)
    return process, path


def wait_until_no_kernel(folder):
    for _ in range(300):  # a kernel whose client is gone notices within a few seconds
        if not processes_naming(folder):
            return
        time.sleep(0.1)
    raise AssertionError(f'kernels still running: {processes_naming(folder)}')


@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT, signal.SIGHUP,
                                    signal.SIGQUIT])
def test_a_stopped_run_leaves_no_connection_file_and_no_kernel(tmp_path, signum):
    """SIGQUIT (Ctrl-\\) was not handled; the others printed the kernel's ZMQError traceback."""
    folders, env = private_env(tmp_path)
    process, path = start_a_long_run(tmp_path, env)
    assert processes_naming(tmp_path) != []  # the kernel's connection file is under tmp_path
    before = path.read_bytes()
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signum, stderr
    assert f'stopped by {signal.Signals(signum).name}' in stderr, stderr
    assert 'Traceback' not in stderr, stderr
    assert left_in(folders) == []
    wait_until_no_kernel(tmp_path)
    assert path.read_bytes() == before and leftovers(path.parent, path) == ['started']


def test_a_killed_runs_connection_file_is_removed_by_the_next_run(tmp_path):
    folders, env = private_env(tmp_path)
    process, _ = start_a_long_run(tmp_path, env)
    process.kill()  # SIGKILL: no clean-up is possible
    process.communicate(timeout=60)
    wait_until_no_kernel(tmp_path)
    assert [p.suffix for p in left_in(folders) if p.is_file()] == ['.json']  # the killed run's
    result = store(notebook_with(tmp_path, "print(1)"), env=env)
    assert result.returncode == 0, result.stderr
    assert left_in(folders) == []


def test_under_nohup_a_hangup_does_not_stop_the_run(tmp_path):
    """nohup ignores SIGHUP, so that closing the terminal leaves the run going."""
    path = notebook_with(tmp_path, "open('started', 'w').close()\nimport time\ntime.sleep(3)\n"
                         "print('done')")
    process = subprocess.Popen([sys.executable, str(STORE), str(path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True,
                               preexec_fn=lambda: signal.signal(signal.SIGHUP, signal.SIG_IGN))
    for _ in range(1200):  # at most 120 s for the kernel to start
        if (tmp_path / 'started').exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    process.send_signal(signal.SIGHUP)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr
    assert nbformat.read(path, as_version=4).cells[0].outputs[0].text == 'done\n'


# what an adversary found (issue 20) --------------------------------------------------------------

def test_half_a_character_is_named_and_the_next_notebook_still_runs(tmp_path):
    """A lone surrogate (\\ud83d: valid ASCII JSON) failed at the write and aborted the run."""
    broken = tmp_path / 'half.ipynb'
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell('half an emoji: \ud83d')]
    broken.write_text(json.dumps(nb, indent=1))  # ensure_ascii: the file itself is plain ASCII
    before = broken.read_bytes()
    other = notebook_with(tmp_path, "print('b')", name='other.ipynb')
    result = store(broken, other)
    assert result.returncode == 1 and 'Traceback' not in result.stderr, result.stderr
    assert f'{broken}: cell 1 holds half a character' in result.stderr, result.stderr
    assert f'{other}: stored' in result.stdout and broken.read_bytes() == before


def test_a_file_name_that_is_not_utf8_is_shown_and_the_next_notebook_still_runs(tmp_path):
    """Under a strict UTF-8 console the "stored" line of caf\\xe9.ipynb raised, ending the run."""
    odd = notebook_with(tmp_path, "print('a')", name=os.fsdecode(b'caf\xe9.ipynb'))
    other = notebook_with(tmp_path, "print('z')", name='z.ipynb')
    result = store(odd, other, env={**os.environ, 'PYTHONIOENCODING': 'utf-8'})
    assert result.returncode == 0 and 'Traceback' not in result.stderr, result.stderr
    assert 'caf\\udce9.ipynb: stored' in result.stdout and f'{other}: stored' in result.stdout
    assert nbformat.read(other, as_version=4).cells[0].outputs[0].text == 'z\n'


def test_a_closed_output_pipe_does_not_stop_the_run(tmp_path):
    """make store | head -1 (with PYTHONUNBUFFERED=1) gave BrokenPipeError, the rest unstored."""
    paths = [notebook_with(tmp_path, f"print({n})", name=f'{n}.ipynb') for n in range(2)]
    process = subprocess.Popen([sys.executable, str(STORE), *map(str, paths)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, 'PYTHONUNBUFFERED': '1'})
    process.stdout.close()  # the reader is gone before the first line
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 0 and 'Traceback' not in stderr, stderr
    assert [nbformat.read(p, as_version=4).cells[0].outputs[0].text for p in paths] == \
        ['0\n', '1\n']


def test_a_stop_as_the_notebook_is_renamed_reports_it_stored_and_stops(tmp_path):
    """It said "could not write a.ipynb ...; it is unchanged" (it was changed), ran b.ipynb,
    and ignored every later signal."""
    stored = notebook_with(tmp_path, "print('a')", name='a.ipynb')
    never = notebook_with(tmp_path, "print('b')", name='b.ipynb')
    before = never.read_bytes()
    result = signal_after_rename(tmp_path, 'os.replace', 'a.ipynb', STORE, stored, never)
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert f'{stored}: stored' in result.stdout and 'stopped by SIGINT' in result.stderr
    assert 'could not write' not in result.stderr and 'Traceback' not in result.stderr
    assert nbformat.read(stored, as_version=4).cells[0].outputs[0].text == 'a\n'
    assert never.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ['a.ipynb', 'b.ipynb',
                                                          'signal_after_rename.py']


def test_a_killed_writes_temporary_file_is_removed_by_the_next_write(tmp_path):
    """A SIGKILL at the rename left .a.ipynb.XXXX.tmp in the user's folder for good."""
    sys.path.insert(0, str(STORE.parent))
    import tool_safety
    dead = _a_dead_pid()
    target = tmp_path / 'a.ipynb'
    target.write_text('old')
    killed = tmp_path / f'.a.ipynb{tool_safety.TEMPORARY_MARK}{dead}-x1y2.tmp'
    running = tmp_path / f'.a.ipynb{tool_safety.TEMPORARY_MARK}{os.getpid()}-x1y2.tmp'
    users = tmp_path / '.a.ipynb.mine.tmp'  # not named as the tool's: never touched
    for path in (killed, running, users):
        path.write_text('partial')
    tool_safety.write_atomically(target, 'new')
    assert target.read_text() == 'new'
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ['a.ipynb', running.name, users.name])
    ignored = subprocess.run(['git', 'check-ignore', '-q', killed.name],
                             cwd=STORE.parent.parent)
    assert ignored.returncode == 0  # until then, git does not offer it for a commit


def _a_dead_pid():
    process = subprocess.Popen(['true'])
    process.wait()
    return process.pid


def test_a_file_keeps_its_owner_and_mode_when_written(tmp_path):
    """sudo make store gave the user's notebook to root:root."""
    sys.path.insert(0, str(STORE.parent))
    import tool_safety
    target = tmp_path / 'a.ipynb'
    target.write_text('old')
    target.chmod(0o640)
    owner = (65534, 65534) if os.geteuid() == 0 else (os.getuid(), os.getgid())
    if os.geteuid() == 0:
        os.chown(target, *owner)
    tool_safety.write_atomically(target, 'new')
    info = target.stat()
    assert (info.st_uid, info.st_gid, info.st_mode & 0o777) == (*owner, 0o640)


def test_a_stop_while_the_kernel_starts_leaves_no_connection_file(tmp_path):
    """The starting kernel wrote its connection file after the tool had removed the folder."""
    folders, env = private_env(tmp_path)
    path = notebook_with(tmp_path, "print(1)")
    process = subprocess.Popen([sys.executable, str(STORE), str(path)], env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               preexec_fn=take_stop_signals)
    for _ in range(1200):  # at most 120 s until the kernel is being started
        if list(folders[0].rglob('kernel-*.json')) or process.poll() is not None:
            break
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGINT and 'Traceback' not in stderr, stderr
    wait_until_no_kernel(tmp_path)
    assert left_in(folders) == []


def test_widget_state_is_not_stored(tmp_path):
    """Widgets made by a cell leave no state in the notebook's metadata (their ids are the
    kernel's, and Jupyter Book would load the widget libraries from a CDN to draw it)."""
    path = notebook_with(tmp_path, 'import ipywidgets\nipywidgets.IntSlider(value=3)')
    result = store(path)
    assert result.returncode == 0, result.stderr
    nb = nbformat.read(path, as_version=4)
    assert 'widgets' not in nb.metadata
    [output] = nb.cells[0].outputs
    assert 'application/vnd.jupyter.widget-view+json' in output.data
