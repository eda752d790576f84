"""The tools that write files, misused: make run (tools/run_notebooks.py), the book
(tools/build_book.py), the source-version tool (tools/classroom/make_source_version.py) and
the class hub's private files (tools/classroom/jupyterhub_config.py).

Whatever is given or whatever happens (a folder of the user's, a full disk, a file in another
encoding, a symlink loop, a signal), nothing that the tool did not make is lost, nothing is
left half written, and the message names the problem.
"""
import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
from os_support import processes_naming, signal_after_rename, take_stop_signals

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / 'tools'
MAKE_SOURCE_VERSION = TOOLS / 'classroom' / 'make_source_version.py'


def scratch_repo(folder):
    """A copy of what the tools read (tools/, kernel/, book/, translations/, notebooks/, the
    Makefile) in ``folder``."""
    copy = folder / 'repo'
    shutil.copytree(TOOLS, copy / 'tools', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copytree(ROOT / 'kernel', copy / 'kernel')
    shutil.copytree(ROOT / 'book', copy / 'book')
    shutil.copytree(ROOT / 'translations', copy / 'translations')  # the English reader's edition
    shutil.copytree(ROOT / 'notebooks', copy / 'notebooks',
                    ignore=shutil.ignore_patterns('.ipynb_checkpoints'))
    shutil.copy(ROOT / 'Makefile', copy)
    return copy


@pytest.fixture
def repo(tmp_path):
    return scratch_repo(tmp_path)


def notebook_with(folder, *sources, name='probe.ipynb'):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source) for source in sources]
    folder.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, folder / name)
    return folder / name


def run(program, *args, env=None, limit_file_size=None, cwd=None):
    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))
    return subprocess.run([sys.executable, str(program), *map(str, args)], capture_output=True,
                          text=True, timeout=600, env=env, cwd=cwd,
                          preexec_fn=limit if limit_file_size else None)


def clear_error(result, *phrases):
    """The tool failed with a message, not a traceback, that says each of ``phrases``."""
    return (result.returncode != 0 and 'Traceback' not in result.stderr
            and all(phrase in result.stderr for phrase in phrases))


# make run ---------------------------------------------------------------------------------

def test_make_run_keeps_a_users_notebook_in_build_notebooks(repo, fake_mathjax):
    """It deleted build/notebooks unconditionally: a student's my_answers.ipynb was lost."""
    notebook_with(repo / 'notebooks', "print(1)")
    mine = notebook_with(repo / 'build' / 'notebooks', "answer = 42", name='my_answers.ipynb')
    before = mine.read_bytes()
    result = subprocess.run(
        ['make', '-o', 'data', '-o', 'mathjax', 'run', f'PY={sys.executable}',
         'NOTEBOOKS=notebooks/probe.ipynb', f'MATHJAX={fake_mathjax}'],
        cwd=repo, capture_output=True, text=True, timeout=600)
    assert clear_error(result, 'run_notebooks', 'build/notebooks', 'did not write'), \
        result.stdout + result.stderr
    assert mine.read_bytes() == before
    assert sorted(p.name for p in (repo / 'build' / 'notebooks').iterdir()) == ['my_answers.ipynb']


@pytest.mark.slow  # executes notebooks
def test_run_notebooks_writes_executed_copies_and_replaces_only_its_own(tmp_path):
    source = notebook_with(tmp_path / 'src', "print(6 * 7)")
    before = source.read_bytes()
    out = tmp_path / 'build' / 'notebooks'
    for _ in range(2):  # the second run replaces the folder that the first one made
        result = run(TOOLS / 'run_notebooks.py', out, source)
        assert result.returncode == 0, result.stderr
        assert nbformat.read(out / 'probe.ipynb', as_version=4).cells[0].outputs[0].text == '42\n'
    assert source.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ['notebooks']
    mine = notebook_with(out, "answer = 42", name='my_answers.ipynb')
    assert clear_error(run(TOOLS / 'run_notebooks.py', out, source), 'my_answers.ipynb')
    assert mine.is_file() and (out / 'probe.ipynb').is_file()


@pytest.mark.slow  # executes a notebook
def test_run_notebooks_writes_the_readers_edition(tmp_path):
    """make run's notebooks are the reader's edition: the answer and the check's verdict are
    there, nbgrader's markers and hidden tests are not (tools/reader_edition.py)."""
    fake_check = ('import types\n'
                  'd2l = types.SimpleNamespace(check=types.SimpleNamespace(\n'
                  '    table=lambda answer: print("checked", answer)))')
    answer = 'answer = None\n### BEGIN SOLUTION\nanswer = 42\n### END SOLUTION'
    check = ('d2l.check.table(answer)\n'
             '### BEGIN HIDDEN TESTS\nassert answer == 42\n### END HIDDEN TESTS')
    source = notebook_with(tmp_path / 'src', fake_check, answer, check)
    out = tmp_path / 'build' / 'notebooks'
    result = run(TOOLS / 'run_notebooks.py', out, source)
    assert result.returncode == 0, result.stderr
    cells = nbformat.read(out / 'probe.ipynb', as_version=4).cells
    assert cells[1].source == 'answer = None\nanswer = 42'
    assert cells[2].source == 'd2l.check.table(answer)'
    assert cells[2].outputs[0].text == 'checked 42\n'


@pytest.mark.slow  # executes notebooks
def test_run_notebooks_writes_the_english_notebooks_into_en(tmp_path):
    """make run's English notebooks (--english) go to OUT_DIR/en, where build_book reads them;
    a notebook of the same name in each language is no clash."""
    chinese = notebook_with(tmp_path / 'src', "print('中文')")
    english = notebook_with(tmp_path / 'src' / 'en', "print('English')")
    out = tmp_path / 'build' / 'notebooks'
    result = run(TOOLS / 'run_notebooks.py', out, chinese, '--english', english)
    assert result.returncode == 0, result.stderr
    for path, text in ((out / 'probe.ipynb', '中文\n'), (out / 'en' / 'probe.ipynb', 'English\n')):
        assert nbformat.read(path, as_version=4).cells[0].outputs[0].text == text
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob('*.ipynb')) == [
        'en/probe.ipynb', 'probe.ipynb']


@pytest.mark.slow  # executes notebooks
def test_a_failing_notebook_leaves_the_previous_run(tmp_path):
    good = notebook_with(tmp_path / 'src', "print('first')")
    out = tmp_path / 'build' / 'notebooks'
    assert run(TOOLS / 'run_notebooks.py', out, good).returncode == 0
    before = (out / 'probe.ipynb').read_bytes()
    notebook_with(tmp_path / 'src', "1 / 0")
    result = run(TOOLS / 'run_notebooks.py', out, good)
    assert clear_error(result, 'cell 1 of 1', 'ZeroDivisionError', f'{out} is unchanged')
    assert (out / 'probe.ipynb').read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ['notebooks']


@pytest.mark.slow  # executes a notebook
def test_a_stopped_run_leaves_the_previous_notebooks(tmp_path):
    out = tmp_path / 'build' / 'notebooks'
    source = notebook_with(tmp_path / 'src', "print('first')")
    assert run(TOOLS / 'run_notebooks.py', out, source).returncode == 0
    before = (out / 'probe.ipynb').read_bytes()
    notebook_with(tmp_path / 'src', "open('started', 'w').close()\nimport time\ntime.sleep(600)")
    process = subprocess.Popen([sys.executable, str(TOOLS / 'run_notebooks.py'), str(out),
                                str(source)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, preexec_fn=take_stop_signals)
    for _ in range(1200):  # at most 120 s for the kernel to start
        if (tmp_path / 'src' / 'started').exists() or process.poll() is not None:
            break
        time.sleep(0.1)
    process.terminate()
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 128 + signal.SIGTERM and 'stopped by SIGTERM' in stderr, stderr
    assert (out / 'probe.ipynb').read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ['notebooks']


# both tools' output --------------------------------------------------------------------------

@pytest.mark.parametrize('tool', ['run_notebooks', 'build_book'])
def test_a_symlink_loop_as_the_output_is_named(repo, tmp_path, fake_mathjax, tool):
    loop = tmp_path / 'loop'
    loop.symlink_to(loop.name)
    if tool == 'run_notebooks':
        result = run(TOOLS / 'run_notebooks.py', loop, notebook_with(tmp_path, "print(1)"))
    else:
        result = run(TOOLS / 'build_book.py', repo / 'notebooks', loop, fake_mathjax)
    assert clear_error(result, str(loop), 'loop', 'remove the link'), result.stderr
    assert os.readlink(loop) == 'loop'


# the book ---------------------------------------------------------------------------------

@pytest.mark.parametrize('encoding, named', [('utf-16', 'utf_16'), ('gb18030', '')])
@pytest.mark.parametrize('where', ['book/intro.md', 'book/_toc.yml',
                                   'notebooks/01_accessing_parameters.ipynb', 'book/en/_config.yml',
                                   'notebooks/en/05_exercises.ipynb'])  # not all ASCII
def test_a_book_source_in_another_encoding_is_named(repo, tmp_path, fake_mathjax, where,
                                                    encoding, named):
    path = repo / where
    path.write_bytes(path.read_text(encoding='utf-8').encode(encoding))
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax)
    assert clear_error(result, f'{path} is not UTF-8 text', named, 'save it again as UTF-8'), \
        result.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize('kind', ['named pipe', 'symlink loop', 'broken symlink'])
def test_a_notebook_that_is_not_a_regular_file_is_named(repo, tmp_path, fake_mathjax, kind):
    path = repo / 'notebooks' / 'extra.ipynb'
    if kind == 'named pipe':
        os.mkfifo(path)  # copying it would wait for a writer forever
    else:
        path.symlink_to('extra.ipynb' if kind == 'symlink loop' else 'missing.ipynb')
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax)
    assert clear_error(result, f'{path} is not a regular file'), result.stderr
    assert not out.parent.exists()


def test_an_english_page_missing_is_named_before_anything_is_built(repo, tmp_path, fake_mathjax):
    """Every page links to its counterpart: an English notebook missing is named, nothing built."""
    (repo / 'notebooks' / 'en' / '03_custom_initialization.ipynb').unlink()
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax)
    assert clear_error(result, str(repo / 'book' / 'en' / '_toc.yml'), 'lists 03_custom_init',
                       f'no {repo / "notebooks" / "en" / "03_custom_initialization"}.ipynb',
                       'make english'), result.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize('where', ['book/en/_config.yml', 'book/en/_toc.yml'])
def test_an_english_book_setting_that_is_not_yaml_is_named(repo, tmp_path, fake_mathjax, where):
    """The English book's settings are read by build_book itself (merged into the Chinese
    book's; its table of contents compared with theirs): bad YAML is named, not a traceback."""
    (repo / where).write_text('title: "unclosed\n', encoding='utf-8')
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax)
    assert clear_error(result, f'{repo / where} cannot be read as YAML', 'git checkout'), \
        result.stderr
    assert not out.parent.exists()


def test_tables_of_contents_that_differ_are_named(repo, tmp_path, fake_mathjax):
    """The English book's table of contents must list the Chinese book's pages, in order."""
    toc = repo / 'book' / 'en' / '_toc.yml'
    text = toc.read_text(encoding='utf-8')
    toc.write_text(text.replace('  - file: 02_initializing_parameters\n', '', 1), encoding='utf-8')
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax)
    assert clear_error(result, str(toc), 'the same pages in the same order'), result.stderr
    assert not out.parent.exists()


def start_a_book_build(repo, tmp_path, mathjax_dir):
    """build_book running Jupyter Book, with its temporary folder in tmp_path/tmp."""
    (tmp_path / 'tmp').mkdir()
    env = {**os.environ, 'TMPDIR': str(tmp_path / 'tmp')}
    out = tmp_path / 'build' / 'html'
    process = subprocess.Popen([sys.executable, str(repo / 'tools' / 'build_book.py'),
                                str(repo / 'notebooks'), str(out), str(mathjax_dir)],
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               text=True, preexec_fn=take_stop_signals)
    for _ in range(1200):  # at most 120 s until Jupyter Book writes its build
        if list(tmp_path.rglob('_build')) or process.poll() is not None:
            break
        time.sleep(0.1)
    assert list(tmp_path.rglob('_build')), process.communicate(timeout=60)
    return process, env, out


def wait_until_no_process_names(folder):
    for _ in range(1200):  # a Jupyter Book left running would finish within 120 s
        if not processes_naming(folder):
            return
        time.sleep(0.1)
    raise AssertionError(f'still running: {processes_naming(folder)}')


@pytest.mark.slow  # builds the book
@pytest.mark.parametrize('signum', [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_stopped_book_build_leaves_nothing(repo, tmp_path, mathjax_dir, signum):
    process, _, out = start_a_book_build(repo, tmp_path, mathjax_dir)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 128 + signum, stderr
    assert f'stopped by {signal.Signals(signum).name}' in stderr, stderr
    wait_until_no_process_names(tmp_path)
    assert list((tmp_path / 'tmp').iterdir()) == []
    assert list(out.parent.iterdir()) == []


@pytest.mark.slow  # builds the book
def test_a_killed_book_builds_leftover_is_removed_by_the_next_build(repo, tmp_path, mathjax_dir):
    process, env, out = start_a_book_build(repo, tmp_path, mathjax_dir)
    process.kill()  # SIGKILL: the tool cannot clean up
    process.communicate(timeout=60)
    wait_until_no_process_names(tmp_path)
    left = sorted(p.name for p in out.parent.iterdir())
    # the staging folder, the record that names it as the tool's own, and the run's lock
    # (tools/safe_output.py); the next build removes all three
    assert len(left) == 3 and left[:2] == ['.html.lock', '.html.temporaries-of-build_book.json'] \
        and left[2].startswith('.html.tmp-'), left
    result = subprocess.run([sys.executable, str(repo / 'tools' / 'build_book.py'),
                             str(repo / 'notebooks'), str(out), str(mathjax_dir)],
                            env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.parent.iterdir()] == ['html']
    assert list((tmp_path / 'tmp').iterdir()) == []
    assert (out / 'index.html').is_file() and not (out / '.book-work').exists()


# the source-version tool ---------------------------------------------------------------------

@pytest.fixture
def teachers_notebook(tmp_path):
    path = tmp_path / 'teacher' / '05_exercises.ipynb'
    path.parent.mkdir()
    shutil.copy(ROOT / 'notebooks' / '05_exercises.ipynb', path)
    return path


def test_a_full_disk_leaves_the_teachers_notebook_whole(teachers_notebook):
    """Simulated by a file-size limit below the notebook's size."""
    before = teachers_notebook.read_bytes()
    result = run(MAKE_SOURCE_VERSION, teachers_notebook, limit_file_size=4096)
    assert clear_error(result, f'could not write {teachers_notebook}', 'unchanged'), result.stderr
    assert teachers_notebook.read_bytes() == before
    assert [p.name for p in teachers_notebook.parent.iterdir()] == ['05_exercises.ipynb']


def test_the_source_version_is_written_in_place(teachers_notebook):
    """The same run without the limit rewrites it (it is already a source version: no change)."""
    before = teachers_notebook.read_bytes()
    result = run(MAKE_SOURCE_VERSION, teachers_notebook)
    assert result.returncode == 0, result.stderr
    assert teachers_notebook.read_bytes() == before
    assert [p.name for p in teachers_notebook.parent.iterdir()] == ['05_exercises.ipynb']


@pytest.mark.parametrize('case', ['utf-16', 'not json', 'missing', 'no argument'])
def test_a_bad_notebook_for_the_source_version_is_named(teachers_notebook, case):
    text = teachers_notebook.read_text(encoding='utf-8')
    args, expected = [teachers_notebook], [str(teachers_notebook)]
    if case == 'utf-16':
        teachers_notebook.write_text(text, encoding='utf-16')
        expected += ['is not UTF-8 text', 'utf_16']
    elif case == 'not json':
        teachers_notebook.write_text(text[:1000], encoding='utf-8')
        expected += ['is not a readable notebook']
    elif case == 'missing':
        teachers_notebook.unlink()
        expected += ['is not a notebook file']
    else:
        args, expected = [], ['usage']
    before = teachers_notebook.read_bytes() if teachers_notebook.exists() else None
    result = run(MAKE_SOURCE_VERSION, *args)
    assert clear_error(result, *expected), result.stderr
    assert (teachers_notebook.read_bytes() if teachers_notebook.exists() else None) == before


# the hub's database and cookie secret ------------------------------------------------------------

HUB_CHECK = '''
import os, sys
from traitlets.config import Config
from jupyterhub import orm
config = Config()
exec(open(sys.argv[1]).read(), {'get_config': lambda: config, '__file__': sys.argv[1]})
orm.new_session_factory(config.JupyterHub.db_url)  # what the hub does first: make its tables
'''


@pytest.mark.parametrize('earlier_run', [False, True])
def test_the_hubs_database_and_secret_are_private_whatever_the_umask(tmp_path, earlier_run):
    hub_dir = tmp_path / 'hub'
    hub_dir.mkdir()  # as tests/test_hub.py makes it: with the umask's mode
    if earlier_run:  # files left with the umask's modes (JupyterHub refuses such a secret)
        for name, text in [('jupyterhub.sqlite', ''), ('jupyterhub_cookie_secret', 'ab' * 32)]:
            (hub_dir / name).write_text(text)
            (hub_dir / name).chmod(0o644)
    env = {**os.environ, 'CLASS_HOME': str(tmp_path)}  # the hub's folder is CLASS_HOME/hub
    result = subprocess.run([sys.executable, '-c', HUB_CHECK,
                             str(TOOLS / 'classroom' / 'jupyterhub_config.py')],
                            env=env, capture_output=True, text=True, timeout=120,
                            preexec_fn=lambda: os.umask(0o022))
    assert result.returncode == 0, result.stderr
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [hub_dir, *hub_dir.iterdir()]}
    assert modes == {'hub': 0o700, 'jupyterhub.sqlite': 0o600,
                     'jupyterhub_cookie_secret': 0o600}, {k: oct(v) for k, v in modes.items()}
    secret = (hub_dir / 'jupyterhub_cookie_secret').read_text().strip()
    assert len(secret) == 64 and int(secret, 16) >= 0  # 32 bytes in hex, as JupyterHub writes
    assert (hub_dir / 'jupyterhub.sqlite').stat().st_size > 0  # a real database was made


def load_hub_config(class_home):
    return subprocess.run([sys.executable, '-c', HUB_CHECK,
                           str(TOOLS / 'classroom' / 'jupyterhub_config.py')],
                          env={**os.environ, 'CLASS_HOME': str(class_home)}, capture_output=True,
                          text=True, timeout=120)


@pytest.mark.needs_root
@pytest.mark.skipif(os.geteuid() != 0, reason='a folder of another user: only root can make it')
def test_a_hub_folder_of_another_user_is_refused_and_left_as_it_is(tmp_path):
    """It was made 0700 whatever it was: a shared 1777 or 2775 folder locked everyone out."""
    hub_dir = tmp_path / 'hub'
    hub_dir.mkdir()
    os.chown(hub_dir, 65534, 65534)
    hub_dir.chmod(0o1777)
    result = load_hub_config(tmp_path)
    assert result.returncode != 0 and 'is not a folder of this user' in result.stderr, \
        result.stderr
    assert stat.S_IMODE(hub_dir.stat().st_mode) == 0o1777 and list(hub_dir.iterdir()) == []


def test_a_cookie_secret_cut_short_is_refused(tmp_path):
    """A full disk left 16 hex characters, which JupyterHub accepts as an 8-byte key."""
    hub_dir = tmp_path / 'hub'
    hub_dir.mkdir(mode=0o700)
    (hub_dir / 'jupyterhub_cookie_secret').write_text('ab' * 8)
    result = load_hub_config(tmp_path)
    assert result.returncode != 0 and 'holds 8 bytes of key, not 32' in result.stderr, \
        result.stderr
    assert (hub_dir / 'jupyterhub_cookie_secret').read_text() == 'ab' * 8


def test_a_new_cookie_secret_is_written_whole_or_not_at_all(tmp_path):
    """Written in place, a full disk left half a key; now nothing is left but the old state."""
    result = subprocess.run([sys.executable, '-c', HUB_CHECK,
                             str(TOOLS / 'classroom' / 'jupyterhub_config.py')],
                            env={**os.environ, 'CLASS_HOME': str(tmp_path)}, capture_output=True,
                            text=True, timeout=120,
                            preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (40, 40)))
    assert result.returncode != 0
    assert not (tmp_path / 'hub' / 'jupyterhub_cookie_secret').exists()
    assert [p.name for p in (tmp_path / 'hub').iterdir()
            if p.name.startswith('.jupyterhub_cookie_secret')] == []


# what an adversary found (issue 20) --------------------------------------------------------------

@pytest.mark.slow  # executes a notebook
def test_a_stop_during_the_swap_finishes_it_and_says_so(tmp_path):
    """A SIGINT as the new folder was swapped in: it said "Directory not empty ... unchanged",
    exit 1, with the new notebooks in place and the old ones left beside them."""
    out = tmp_path / 'build' / 'notebooks'
    source = notebook_with(tmp_path / 'src', "print('first')")
    assert run(TOOLS / 'run_notebooks.py', out, source).returncode == 0
    notebook_with(tmp_path / 'src', "print('second')")
    result = signal_after_rename(tmp_path, 'safe_output._exchange', '/notebooks',
                                 TOOLS / 'run_notebooks.py',
                                 out, source)
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert f'stopped by SIGINT; {out} holds the new notebooks' in result.stderr, result.stderr
    assert nbformat.read(out / 'probe.ipynb', as_version=4).cells[0].outputs[0].text == \
        'second\n'
    assert sorted(p.name for p in out.parent.iterdir()) == ['notebooks']


@pytest.mark.slow  # executes a notebook
def test_run_notebooks_goes_on_when_its_reader_is_gone(tmp_path):
    """run_notebooks ... | head -1 failed: "could not write build/notebooks (Broken pipe)"."""
    out = tmp_path / 'build' / 'notebooks'
    source = notebook_with(tmp_path / 'src', "print(6 * 7)")
    process = subprocess.Popen([sys.executable, str(TOOLS / 'run_notebooks.py'), str(out),
                                str(source)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    process.stdout.close()  # the reader is gone before the first line
    stderr = process.stderr.read()
    assert process.wait(timeout=300) == 0 and 'Traceback' not in stderr, stderr
    assert nbformat.read(out / 'probe.ipynb', as_version=4).cells[0].outputs[0].text == '42\n'


@pytest.mark.parametrize('kind', ['/dev/zero', 'named pipe'])
def test_a_device_or_pipe_in_book_is_named_before_any_copy(repo, tmp_path, fake_mathjax, kind):
    """A link to /dev/zero was copied without end; a pipe gave a Python list blaming the output."""
    path = repo / 'book' / 'extra.md'
    if kind == '/dev/zero':
        path.symlink_to('/dev/zero')
    else:
        os.mkfifo(path)
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax,
                 limit_file_size=20 * 2**20)  # without the check: a full "disk", not forever
    assert clear_error(result, f'{path} is a', f'remove it from {repo / "book"}'), result.stderr
    assert "[('" not in result.stderr
    assert not out.parent.exists()


@pytest.mark.parametrize('content', ['', '{"cells": [{"cell_type": "mark'])
def test_an_empty_or_cut_short_notebook_in_the_book_is_named(repo, tmp_path, fake_mathjax,
                                                             content):
    """Sphinx gave 115 lines and 3 tracebacks, and the last line named no file."""
    path = repo / 'notebooks' / '03_custom_initialization.ipynb'
    path.write_text(content)
    out = tmp_path / 'build' / 'html'
    result = run(repo / 'tools' / 'build_book.py', repo / 'notebooks', out, fake_mathjax)
    assert clear_error(result, f'{path} is not a readable notebook'), result.stderr
    assert len(result.stderr.splitlines()) == 1 and not out.parent.exists()


@pytest.mark.parametrize('case', ['no cells', 'exercise 4', 'half a character'])
def test_an_odd_notebook_for_the_source_version_is_named(teachers_notebook, case):
    """No cells gave IndexError, a heading "## 练习 4：" StopIteration, half a character
    UnicodeEncodeError."""
    nb = nbformat.read(teachers_notebook, as_version=4)
    if case == 'no cells':
        nb.cells, expected = [], 'the notebook has no cells'
    elif case == 'exercise 4':
        nb.cells.append(nbformat.v4.new_markdown_cell('## 练习 4：思考题'))
        expected = '"## 练习 4：…" names an exercise that has no check'
    else:
        nb.cells.append(nbformat.v4.new_markdown_cell('half an emoji: \ud83d'))
        expected = 'holds half a character'
    teachers_notebook.write_text(json.dumps(nb))  # ensure_ascii: \ud83d is written as text
    before = teachers_notebook.read_bytes()
    result = run(MAKE_SOURCE_VERSION, teachers_notebook)
    assert clear_error(result, str(teachers_notebook), expected), result.stderr
    assert teachers_notebook.read_bytes() == before


def test_a_stop_as_the_source_version_is_renamed_says_it_was_written(teachers_notebook):
    """It said "stopped by SIGINT; ... is unchanged" though the file had been replaced."""
    notebook = teachers_notebook
    nb = nbformat.read(notebook, as_version=4)
    nb.cells[0].source = '# 练习'  # no grading paragraph yet: the tool changes the file
    nbformat.write(nb, notebook)
    before = notebook.read_bytes()
    result = signal_after_rename(notebook.parent.parent, 'os.replace', notebook.name,
                                 MAKE_SOURCE_VERSION, notebook)
    assert result.returncode == 128 + signal.SIGINT, result.stderr
    assert f'{notebook} was written just before' in result.stderr, result.stderr
    assert notebook.read_bytes() != before and 'Traceback' not in result.stderr
    assert [p.name for p in notebook.parent.iterdir()] == ['05_exercises.ipynb']
