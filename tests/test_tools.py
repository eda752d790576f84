"""make_student.py and build_book.py never destroy what they did not make (tools/safe_output.py).

Every run happens in a scratch copy of the repository (tools/, book/, notebooks/ and a
.git folder), so that a tool which does delete its input or the repository deletes the copy.
"""
import hashlib
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from os_support import bind_unix_socket

ROOT = Path(__file__).resolve().parent.parent


def load_safe_output(folder):
    spec = importlib.util.spec_from_file_location('safe_output', folder / 'safe_output.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def scratch_repo(folder):
    """A scratch copy of the repository in ``folder``, .git included, to let the tools loose on."""
    copy = folder / 'repo'
    shutil.copytree(ROOT / 'tools', copy / 'tools', ignore=shutil.ignore_patterns('__pycache__'))
    shutil.copytree(ROOT / 'kernel', copy / 'kernel')
    shutil.copytree(ROOT / 'book', copy / 'book')
    shutil.copytree(ROOT / 'translations', copy / 'translations')  # the English reader's edition
    for folder in ('notebooks', 'notebooks/en'):  # the Chinese notebooks and their English edition
        (copy / folder).mkdir()
        for path in (ROOT / folder).iterdir():
            if path.is_file():
                shutil.copy(path, copy / folder)
    (copy / '.git').mkdir()
    (copy / '.git' / 'HEAD').write_text('ref: refs/heads/main\n')
    (copy / 'README.md').write_text('the clone\n')
    return copy


@pytest.fixture
def repo(tmp_path):
    return scratch_repo(tmp_path)


@pytest.fixture(scope='module')
def first_edition(tmp_path_factory):
    """build/ after one make_student run: the edition (student/) and nbgrader's course folder."""
    work = tmp_path_factory.mktemp('first-edition')
    result = student(scratch_repo(work), work / 'build' / 'student')
    assert result.returncode == 0, result.stderr
    assert (work / 'build' / 'student' / '.made-by-make_student').is_file()
    return work / 'build'


@pytest.fixture
def edition(first_edition, tmp_path):
    """tmp_path/build/student, an edition the tool made (a copy of the one made once per module)."""
    shutil.copytree(first_edition, tmp_path / 'build')
    return tmp_path / 'build' / 'student'


def snapshot(folder):
    """Every file under ``folder`` with its content hash: to prove nothing changed."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(Path(folder).rglob('*')) if p.is_file()}


def run_tool(repo, tool, *args):
    return subprocess.run([sys.executable, str(repo / 'tools' / tool), *map(str, args)],
                          cwd=repo, capture_output=True, text=True, timeout=600)


def student(repo, out):
    return run_tool(repo, 'make_student.py', repo / 'notebooks', out)


def book(repo, out, mathjax):
    return run_tool(repo, 'build_book.py', repo / 'notebooks', out, mathjax)


def refused(result, folder_named):
    """The tool failed with a message that names the folder and says what to do."""
    return (result.returncode != 0 and 'Traceback' not in result.stderr
            and folder_named in result.stderr and 'choose' in result.stderr.lower())


# Output folders a careless user might give, relative to the scratch repository.
DANGEROUS = {
    'the input itself': 'notebooks',
    'inside the input': 'notebooks/student',
    'the repository root': '.',
    'a folder containing the repository': '..',
    'the git folder': '.git',
    'inside the git folder': '.git/student',
    'a folder of the repository that the tool did not write': 'book',
}


@pytest.mark.parametrize('tool', ['make_student', 'build_book'])
@pytest.mark.parametrize('case', DANGEROUS)
def test_an_output_that_overlaps_the_input_or_the_repository_is_refused(repo, fake_mathjax,
                                                                        tool, case):
    out = DANGEROUS[case]
    before = snapshot(repo)
    if tool == 'make_student':
        result = student(repo, out)
    else:
        result = book(repo, out, fake_mathjax)
    assert refused(result, out), result.stderr
    assert snapshot(repo) == before


def test_build_book_refuses_to_write_over_its_mathjax(repo, tmp_path):
    mathjax = repo / 'mathjax'
    mathjax.mkdir()
    (mathjax / 'tex-mml-chtml.js').write_text('// MathJax\n')
    before = snapshot(repo)
    result = book(repo, mathjax, mathjax)
    assert refused(result, str(mathjax)), result.stderr
    assert snapshot(repo) == before


@pytest.mark.parametrize('tool', ['make_student', 'build_book'])
def test_a_folder_of_someone_elses_files_is_refused(repo, tmp_path, fake_mathjax, tool):
    out = tmp_path / 'build' / 'out'
    out.mkdir(parents=True)
    (out / 'grades.csv').write_text('student,grade\nli,92\n')
    result = student(repo, out) if tool == 'make_student' else book(repo, out, fake_mathjax)
    assert refused(result, str(out)), result.stderr
    assert 'did not write' in result.stderr
    assert snapshot(out) == {'grades.csv': hashlib.sha256(b'student,grade\nli,92\n').hexdigest()}


def test_a_file_given_as_the_output_folder_is_refused(repo, tmp_path):
    out = tmp_path / 'notes.txt'
    out.write_text('mine')
    result = student(repo, out)
    assert result.returncode != 0 and 'not a folder' in result.stderr
    assert out.read_text() == 'mine'


@pytest.mark.slow  # builds a whole edition or book
def test_the_tool_replaces_its_own_output_and_marks_it(repo, edition):
    out = edition
    first = snapshot(out)
    result = student(repo, out)
    assert result.returncode == 0, result.stderr
    assert snapshot(out) == first
    # no leftovers beside (the course folder is make_student's too: nbgrader's, beside the edition)
    assert sorted(p.name for p in out.parent.iterdir()) == ['course', 'student']


@pytest.mark.slow  # builds a whole edition or book
@pytest.mark.parametrize('change', ['add', 'edit', 'remove'])
def test_a_teachers_file_in_the_tools_own_output_is_never_lost(repo, edition, change):
    """The marker lists every file it wrote with its hash: anything else blocks the run."""
    out = edition
    if change == 'add':
        (out / 'grades.csv').write_text('li,92\n')
    elif change == 'edit':
        (out / 'README.md').write_text('my notes for the class\n')
    else:
        (out / 'README.md').unlink()
    before = snapshot(out)
    result = student(repo, out)
    assert refused(result, str(out)), result.stderr
    assert snapshot(out) == before


@pytest.mark.slow  # builds a whole edition or book
def test_a_previous_edition_is_untouched_when_the_new_one_fails(repo, edition):
    out = edition
    before = snapshot(out)
    (repo / 'notebooks' / '03_custom_initialization.ipynb').write_text('{"cells": [')
    result = student(repo, out)
    assert result.returncode != 0 and '03_custom_initialization.ipynb' in result.stderr
    assert 'Traceback' not in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ['course', 'student']


def kill_a_run(repo, out, when):
    """Run safe_output.replacing for make_student in a process that dies ``when`` (no clean-up)."""
    code = f'''
import os, sys
sys.path.insert(0, {str(repo / 'tools')!r})
import safe_output
renames = []
def rename(source, target):
    renames.append(source)
    if len(renames) == 2:  # the new output into place: killed between the two renames
        os._exit(9)
    os.replace(source, target)
def exchange(source, target):
    real_exchange(source, target)
    os._exit(9)  # killed right after the exchange, before the old output is removed
real_exchange = safe_output._exchange
if {when!r} == 'swapping':
    safe_output.os.rename = rename
    safe_output._exchange = exchange
with safe_output.replacing({str(out)!r}, 'make_student', [{str(repo / 'notebooks')!r}],
                           'build/student') as staging:
    (staging / '05_exercises.ipynb').write_text('half')
    if {when!r} == 'building':
        os._exit(9)
'''
    result = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 9, result.stderr


def hidden_siblings(out):
    """The names of the hidden folders and files beside ``out`` named after it."""
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f'.{out.name}.'))


@pytest.mark.slow  # builds a whole edition or book
@pytest.mark.parametrize('when', ['building', 'swapping'])
def test_leftovers_of_a_killed_run_are_removed_by_the_next(repo, edition, when):
    out = edition
    kill_a_run(repo, out, when)
    leftovers = [name for name in hidden_siblings(out) if (out.parent / name).is_dir()]
    # the killed run's staging folder, or (swapping) the previous edition exchanged with it:
    # there is always an output, even when killed in the middle of the swap
    assert len(leftovers) == 1, leftovers
    assert (out / '.made-by-make_student').is_file()
    someone_elses = out.parent / '.student.tmp-notmine'
    someone_elses.mkdir()
    (someone_elses / 'keep.txt').write_text('keep')
    a_copy = out.parent / f'{leftovers[0]}-copy'  # a copy of the leftover, made by hand
    shutil.copytree(out.parent / leftovers[0], a_copy, symlinks=True)
    result = student(repo, out)
    assert result.returncode == 0, result.stderr
    assert hidden_siblings(out) == sorted([someone_elses.name, a_copy.name])
    assert (someone_elses / 'keep.txt').read_text() == 'keep'


@pytest.mark.slow  # builds a whole edition or book
def test_a_backup_beside_the_output_is_never_removed(repo, edition):
    """A copy of the tool's output (marker included) is the user's: only recorded temporaries go."""
    course = edition.parent / 'course'
    backups = [edition.parent / '.course.backup-2024', edition.parent / '.student.old-0123456789ab',
               edition.parent / '.course.tmp-0123456789ab']
    for backup in backups:
        shutil.copytree(course if backup.name.startswith('.course') else edition, backup)
        (backup / 'grades.csv').write_text('li,92\n')
    result = student(repo, edition)
    assert result.returncode == 0, result.stderr
    for backup in backups:
        assert (backup / 'grades.csv').read_text() == 'li,92\n', backup.name
        assert (backup / '.made-by-make_student').is_file()


def test_a_failure_while_building_leaves_the_previous_output_and_no_staging(repo, tmp_path):
    safe_output = load_safe_output(repo / 'tools')
    out = tmp_path / 'out'
    with safe_output.replacing(out, 'tool', [repo / 'notebooks'], 'build/out') as staging:
        (staging / 'page.html').write_text('good')
    with pytest.raises(OSError):
        with safe_output.replacing(out, 'tool', [repo / 'notebooks'], 'build/out') as staging:
            (staging / 'page.html').write_text('half')
            raise OSError('No space left on device')
    assert (out / 'page.html').read_text() == 'good'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out', 'repo']


@pytest.mark.parametrize('how', ['exchange', 'two renames'])
def test_a_failed_swap_puts_the_previous_output_back(repo, tmp_path, monkeypatch, how):
    safe_output = load_safe_output(repo / 'tools')
    out = tmp_path / 'out'
    with safe_output.replacing(out, 'tool', [repo / 'notebooks'], 'build/out') as staging:
        (staging / 'page.html').write_text('good')
    renames = []

    def exchange(staging, out):
        if how == 'exchange':
            raise OSError('simulated failure')
        raise NotImplementedError  # a system without renameat2: two renames instead

    def rename(source, target):
        renames.append(source)
        if len(renames) == 2:  # the new output into place
            raise OSError('simulated failure')
        os.replace(source, target)

    monkeypatch.setattr(safe_output.os, 'rename', rename)
    monkeypatch.setattr(safe_output, '_exchange', exchange)
    with pytest.raises(OSError, match='simulated'):
        with safe_output.replacing(out, 'tool', [repo / 'notebooks'], 'build/out') as staging:
            (staging / 'page.html').write_text('new')
    assert (out / 'page.html').read_text() == 'good'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out', 'repo']


@pytest.mark.slow  # builds a whole edition or book
def test_a_failed_book_build_leaves_the_previous_book(repo, tmp_path, mathjax_dir):
    out = tmp_path / 'build' / 'html'
    result = book(repo, out, mathjax_dir)
    assert result.returncode == 0, result.stderr
    assert (out / '.made-by-build_book').is_file()
    before = snapshot(out)
    (repo / 'notebooks' / '04_sharing_parameters.ipynb').write_text('not a notebook')
    result = book(repo, out, mathjax_dir)
    assert result.returncode != 0 and 'unchanged' in result.stderr
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir()) == ['html']


@pytest.mark.parametrize('tool, args', [('make_student.py', []), ('make_student.py', ['x']),
                                        ('build_book.py', ['a', 'b']),
                                        ('make_student.py', ['no-such-folder', 'out'])])
def test_wrong_arguments_give_a_usage_message(repo, tool, args):
    result = run_tool(repo, tool, *args)
    assert result.returncode != 0 and 'Traceback' not in result.stderr, result.stderr
    assert 'usage' in result.stderr or 'not a folder of notebooks' in result.stderr
    assert not (repo / 'out').exists()


@pytest.mark.slow  # builds a whole edition or book
def test_a_checkout_given_as_the_output_folder_is_refused(repo, edition):
    """A teacher's clone of the student branch: even with the tool's marker in it."""
    out = edition
    (out / '.git').mkdir()
    (out / '.git' / 'HEAD').write_text('ref: refs/heads/student\n')
    before = snapshot(out)
    result = student(repo, out)
    assert refused(result, str(out)) and '.git' in result.stderr, result.stderr
    assert snapshot(out) == before


# --- what the tool cannot read, or must not open, in its own output folder ---


@pytest.mark.slow  # builds a whole edition or book
@pytest.mark.parametrize('name, make_it', [
    ('notes.fifo', os.mkfifo),
    ('.made-by-make_student', os.mkfifo),  # the tool's own marker, replaced by a FIFO
    ('zeros', lambda p: p.symlink_to('/dev/zero')),
    ('notes.sock', bind_unix_socket),
])
def test_a_special_file_in_the_output_is_refused_without_reading_it(repo, edition, name,
                                                                    make_it):
    out = edition
    if (out / name).exists():
        (out / name).unlink()
    made = make_it(out / name)
    try:
        result = subprocess.run([sys.executable, str(repo / 'tools' / 'make_student.py'),
                                 repo / 'notebooks', out], cwd=repo, capture_output=True,
                                text=True, timeout=60)
    finally:
        if made is not None:
            made.close()
    assert refused(result, str(out)), result.stderr
    assert os.path.lexists(out / name)  # left where it was, like everything else
    assert (out / 'exercises' / '05_exercises.ipynb').is_file()


def test_an_unreadable_folder_in_the_output_is_refused_and_stays_where_it_is(unprivileged,
                                                                             tmp_path):
    out = tmp_path / 'out'
    code = f'''
import os, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT / 'tools')!r})
import safe_output
out = Path({str(out)!r})
with safe_output.replacing(out, 'tool', [], 'build/out') as staging:
    (staging / 'page.html').write_text('made by the tool')
(out / 'mine').mkdir()
(out / 'mine' / 'grades.csv').write_text('li,92')
(out / 'mine').chmod(0)
try:
    with safe_output.replacing(out, 'tool', [], 'build/out') as staging:
        (staging / 'page.html').write_text('new')
except safe_output.OutputError as e:
    print('OutputError:', e)
'''
    result = subprocess.run(unprivileged([sys.executable, '-c', code]), capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert 'OutputError:' in result.stdout and 'mine' in result.stdout, result.stdout
    (out / 'mine').chmod(0o755)
    assert (out / 'mine' / 'grades.csv').read_text() == 'li,92'
    assert (out / 'page.html').read_text() == 'made by the tool'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out']


@pytest.mark.slow  # builds a whole edition or book
def test_the_course_folder_with_the_gradebook_is_private(repo, tmp_path):
    out = tmp_path / 'build' / 'student'
    result = subprocess.run([sys.executable, str(repo / 'tools' / 'make_student.py'),
                             repo / 'notebooks', out], cwd=repo, capture_output=True,
                            text=True, timeout=300, preexec_fn=lambda: os.umask(0o022))
    assert result.returncode == 0, result.stderr
    course = tmp_path / 'build' / 'course'
    assert stat.S_IMODE(course.stat().st_mode) == 0o700
    assert stat.S_IMODE(out.stat().st_mode) == 0o755  # the student edition follows the umask


# --- the adversary's second round (issue 20) ---

@pytest.mark.parametrize('which', ['output', 'course'])
def test_a_symlink_loop_given_as_a_folder_is_a_clear_refusal(repo, tmp_path, which):
    loop = tmp_path / 'loop'
    loop.symlink_to('loop')  # loop -> loop
    out = loop if which == 'output' else tmp_path / 'build' / 'student'
    course = loop if which == 'course' else tmp_path / 'build' / 'course'
    result = run_tool(repo, 'make_student.py', repo / 'notebooks', out, '--course', course)
    assert result.returncode != 0 and 'Traceback' not in result.stderr, result.stderr
    assert str(loop) in result.stderr and 'link that leads back to itself' in result.stderr
    assert not (tmp_path / 'build').exists()


def test_a_folder_made_under_a_leftovers_name_is_never_removed(repo, tmp_path):
    """A killed run leaves its staging folder; the user removes it and makes a folder of their
    own under that name, which ext4 may give the freed inode: it is not the tool's to remove."""
    import json
    out = tmp_path / 'build' / 'student'
    kill_a_run(repo, out, 'building')
    record_path = out.parent / '.student.temporaries-of-make_student.json'
    record = json.loads(record_path.read_text())
    (name,) = record
    shutil.rmtree(out.parent / name)
    (out.parent / name).mkdir()
    (out.parent / name / 'grades-final.csv').write_text('alice,10\n')
    mine = os.lstat(out.parent / name)  # the inode reuse, made certain on any file system:
    record[name].update(dev=mine.st_dev, ino=mine.st_ino)
    record_path.write_text(json.dumps(record))
    safe_output = load_safe_output(repo / 'tools')
    with safe_output.replacing(out, 'make_student', [repo / 'notebooks'],
                               'build/student') as staging:
        (staging / 'page.md').write_text('new')
    assert (out.parent / name / 'grades-final.csv').read_text() == 'alice,10\n'
    assert (out / 'page.md').read_text() == 'new'


def test_the_leftover_of_a_killed_run_is_still_removed(repo, tmp_path):
    out = tmp_path / 'build' / 'student'
    kill_a_run(repo, out, 'building')
    assert len(hidden_siblings(out)) == 3  # the staging folder, the record and the lock
    safe_output = load_safe_output(repo / 'tools')
    with safe_output.replacing(out, 'make_student', [repo / 'notebooks'],
                               'build/student') as staging:
        (staging / 'page.md').write_text('new')
    assert hidden_siblings(out) == []
    assert sorted(p.name for p in out.iterdir()) == ['.made-by-make_student', 'page.md']


def test_a_kernel_file_is_refused_by_its_real_path(repo, tmp_path):
    safe_output = load_safe_output(repo / 'tools')
    link = tmp_path / 'notes.txt'
    link.symlink_to('/proc/self/status')  # a regular file, made up by the kernel as it is read
    with pytest.raises(ValueError, match='a file of /proc'):
        safe_output.read_regular_file(link)


def test_a_file_with_nothing_to_read_yet_is_a_clear_error(repo, tmp_path, monkeypatch):
    """/proc/kmsg opened non-blocking reads as None (nothing yet): a ValueError, not a TypeError."""
    import io
    safe_output = load_safe_output(repo / 'tools')
    path = tmp_path / 'notes.txt'
    path.write_text('text')

    class NothingYet(io.RawIOBase):
        def readable(self):
            return True

        def readinto(self, buffer):
            return None  # what a non-blocking read of an empty kernel buffer returns

    real_fdopen = os.fdopen

    def fdopen(fd, *args, **kwargs):
        file = real_fdopen(fd, *args, **kwargs)
        file.read = io.BufferedReader(NothingYet()).read
        return file
    monkeypatch.setattr(safe_output.os, 'fdopen', fdopen)
    with pytest.raises(ValueError, match='nothing to read yet'):
        safe_output.read_regular_file(path)


@pytest.mark.slow  # builds a whole edition
def test_an_output_folder_named_in_gbk_is_published_and_printed(repo, tmp_path):
    out = os.fsdecode(os.fsencode(tmp_path) + b'/student-' + '练习'.encode('gbk'))
    result = subprocess.run([sys.executable, str(repo / 'tools' / 'make_student.py'),
                             str(repo / 'notebooks'), out, '--course', str(tmp_path / 'course')],
                            capture_output=True, timeout=600,
                            env=dict(os.environ, PYTHONIOENCODING='utf-8:strict'))
    assert result.returncode == 0, result.stderr.decode(errors='replace')
    printed = b'the student edition is in ' + os.fsencode(tmp_path) + b'/student-\\udcc1'
    assert printed in result.stdout  # the GBK bytes, escaped
    assert os.path.isfile(os.path.join(out, '.made-by-make_student'))


# --- the adversary's issue-20 findings against safe_output (items 9-12, the swap) ---

def run_in_child(code, timeout=60, **kwargs):
    """Run ``code`` (with safe_output importable) in a child Python, bounded by ``timeout``."""
    prelude = f'import os, sys\nsys.path.insert(0, {str(ROOT / "tools")!r})\nimport safe_output\n'
    return subprocess.run([sys.executable, '-c', prelude + code], capture_output=True,
                          text=True, timeout=timeout, **kwargs)


def make_output(safe_output, out, text='made by the tool'):
    with safe_output.replacing(out, 'tool', [], 'build/out') as staging:
        (staging / 'sub').mkdir()
        (staging / 'sub' / 'page.html').write_text(text)


def test_a_fifo_at_the_old_temporary_name_does_not_hang_the_run(tmp_path):
    """The record beside the output was written through a fixed NAME.tmp: a FIFO there hung."""
    out = tmp_path / 'out'
    os.mkfifo(tmp_path / '.out.temporaries-of-tool.json.tmp')
    result = run_in_child(f'''
from pathlib import Path
with safe_output.replacing(Path({str(out)!r}), 'tool', [], 'build/out') as staging:
    (staging / 'page.html').write_text('new')
''', timeout=30)  # the old code blocks in open() for ever: TimeoutExpired fails the test
    assert result.returncode == 0, result.stderr
    assert (out / 'page.html').read_text() == 'new'
    assert stat.S_ISFIFO(os.lstat(tmp_path / '.out.temporaries-of-tool.json.tmp').st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        '.out.temporaries-of-tool.json.tmp', 'out']


def test_a_users_existing_empty_folder_is_refused_and_kept(tmp_path):
    safe_output = load_safe_output(ROOT / 'tools')
    shared = tmp_path / 'home' / 'shared'
    shared.mkdir(parents=True)
    shared.chmod(0o2770)
    before = os.lstat(shared)
    link = tmp_path / 'out-link'
    link.symlink_to(shared)
    with pytest.raises(safe_output.OutputError, match='already exists, empty'):
        make_output(safe_output, link)
    after = os.lstat(shared)
    assert (after.st_ino, after.st_mode, after.st_uid, after.st_gid) == (
        before.st_ino, before.st_mode, before.st_uid, before.st_gid)
    assert list(shared.iterdir()) == [] and sorted(p.name for p in (tmp_path / 'home').iterdir()) \
        == ['shared']


def test_an_empty_folder_made_inside_the_output_is_never_deleted(tmp_path):
    safe_output = load_safe_output(ROOT / 'tools')
    out = tmp_path / 'out'
    make_output(safe_output, out)
    (out / 'my_drafts').mkdir()
    (out / 'sub' / 'later').mkdir()
    with pytest.raises(safe_output.OutputError, match='my_drafts/'):
        make_output(safe_output, out, 'new')
    assert (out / 'my_drafts').is_dir() and (out / 'sub' / 'later').is_dir()
    assert (out / 'sub' / 'page.html').read_text() == 'made by the tool'


def test_an_output_made_read_only_is_refused_and_left_as_it_is(tmp_path):
    safe_output = load_safe_output(ROOT / 'tools')
    out = tmp_path / 'out'
    make_output(safe_output, out)
    folders = [out, out / 'sub']
    for folder in folders:  # chmod -R a-w on the folders
        folder.chmod(0o555)
    try:
        before = os.lstat(out).st_ino
        with pytest.raises(safe_output.OutputError, match='read-only'):
            make_output(safe_output, out, 'new')
        assert os.lstat(out).st_ino == before
        assert (out / 'sub' / 'page.html').read_text() == 'made by the tool'
        assert sorted(p.name for p in tmp_path.iterdir()) == ['out']
    finally:
        for folder in folders:
            folder.chmod(0o755)


def test_a_second_run_on_the_same_output_is_refused_while_the_first_runs(tmp_path):
    safe_output = load_safe_output(ROOT / 'tools')
    out = tmp_path / 'out'
    make_output(safe_output, out, 'old')
    with safe_output.replacing(out, 'tool', [], 'build/out') as first:
        (first / 'page.html').write_text('from the first run')
        with pytest.raises(safe_output.OutputError, match='another run of tool'):
            make_output(safe_output, out, 'second')
        assert (first / 'page.html').read_text() == 'from the first run'
    assert sorted(p.name for p in out.iterdir()) == ['.made-by-tool', 'page.html']
    assert (out / 'page.html').read_text() == 'from the first run'
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out']


def test_a_full_disk_while_recording_leaves_nothing_beside_the_output(tmp_path):
    """RLIMIT_FSIZE: the 32-byte token is written, the record beside the output is not."""
    out = tmp_path / 'out'
    result = run_in_child(f'''
import resource
from pathlib import Path
resource.setrlimit(resource.RLIMIT_FSIZE, (40, 40))
try:
    with safe_output.replacing(Path({str(out)!r}), 'tool', [], 'build/out') as staging:
        (staging / 'page.html').write_text('new')
except OSError as e:
    print('OSError', e.errno)
''')
    assert result.returncode == 0, result.stderr
    assert 'OSError 27' in result.stdout, result.stdout  # EFBIG: the limit was hit
    assert list(tmp_path.iterdir()) == []


def test_a_kill_in_the_middle_of_the_swap_leaves_an_output(tmp_path):
    """SIGKILL right after the swap's first step: the old output or the new one is in place,
    and the next run removes the other."""
    out = tmp_path / 'out'
    result = run_in_child(f'''
from pathlib import Path
real_rename = os.rename
real_exchange = getattr(safe_output, '_exchange', None)  # none before the fix
def dies_after(step):
    def step_then_die(source, target):
        step(source, target)
        if Path(target).name == 'out' or Path(source).name == 'out':
            os._exit(9)
    return step_then_die
out = Path({str(out)!r})
with safe_output.replacing(out, 'tool', [], 'build/out') as staging:
    (staging / 'page.html').write_text('old')
safe_output.os.rename = dies_after(real_rename)
if real_exchange:
    safe_output._exchange = dies_after(real_exchange)
with safe_output.replacing(out, 'tool', [], 'build/out') as staging:
    (staging / 'page.html').write_text('new')
''')
    assert result.returncode == 9, result.stderr
    assert (out / 'page.html').read_text() == 'new'
    safe_output = load_safe_output(ROOT / 'tools')
    with safe_output.replacing(out, 'tool', [], 'build/out') as staging:
        (staging / 'page.html').write_text('newer')
    assert sorted(p.name for p in tmp_path.iterdir()) == ['out']
