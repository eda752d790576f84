"""Replace a tool's output folder without ever destroying what the tool did not make.

Both ``make_student.py`` and ``build_book.py`` write a whole folder. They use::

    with safe_output.replacing(out_dir, 'make_student', [notebook_dir], 'build/student') as staging:
        ...write everything into staging...

Before anything is written, the output folder is refused (``OutputError``) if it
is, contains or lies inside an input, is or contains the repository (or any
``.git``), is not a folder, or holds anything this tool did not write. The tool
knows what it wrote from the marker file ``.made-by-<tool>`` it leaves in every
output: a list of each file with its SHA-256, so a file added or edited by hand
(a teacher's ``grades.csv``) also blocks the replacement.

Anything in the output the tool cannot read (a folder without permission) or must
not open (a FIFO, a socket, a device: reading one hangs or never ends) is a refusal
too: its type is checked with lstat before anything is opened.

The new output is built in a hidden folder beside the target (same parent, so
renames never cross file systems) and swapped in only when complete: on Linux the
two folders are exchanged in one step (renameat2 RENAME_EXCHANGE), so even a
SIGKILL leaves an output; elsewhere the old output is renamed aside, the new one
renamed in. Then the old one is removed. A failure at any step leaves the previous
output as it was (or no output), never half of one. An existing empty folder
(a user's, with its own permissions), an empty folder made inside the output and
a read-only output (protected on purpose) are refused, never replaced. One run at
a time writes an output: a second is refused while ``.<output>.lock`` is locked.
``private=True`` makes the new output readable by its owner only
(0700), from the moment its staging folder exists.

The hidden folders a run makes (staging, set aside) are recorded, each with its
device and inode, in ``.<output>.temporaries-of-<tool>.json`` beside the output
while they exist, a staging folder with the random token it holds from its creation
(``.temporary-of-<tool>``). A later run removes a leftover of a killed run only if it
is such a recorded folder, the very same one (a copy or a backup of it, even one
holding the tool's marker, is never touched), and holds the recorded token or exactly
the files its marker lists: a folder a user makes under the same name, which the
file system may give the same inode, is never removed. The record is removed once empty.
"""
import contextlib
import ctypes
import errno
import fcntl
import hashlib
import json
import os
import shutil
import stat
import tempfile
import uuid
from pathlib import Path

import tool_safety  # beside this module: the tools' one liveness check

ROOT = Path(__file__).resolve().parent.parent


class OutputError(Exception):
    """The output folder may not be replaced; the message names the folder and the fix."""


def marker_name(tool):
    return f'.made-by-{tool}'


SPECIAL_KINDS = {stat.S_IFIFO: 'a FIFO (named pipe)', stat.S_IFSOCK: 'a socket',
                 stat.S_IFCHR: 'a character device', stat.S_IFBLK: 'a block device'}
MAX_FILE_BYTES = 200 * 1024 * 1024  # a larger file in a folder of notebooks is a mistake


def special_kind(mode):
    """'a FIFO (named pipe)', 'a socket', ... for a file that must not be opened; else None."""
    return SPECIAL_KINDS.get(stat.S_IFMT(mode))


def read_regular_file(path, max_bytes=MAX_FILE_BYTES):
    """The bytes of the regular file at ``path`` (a symlink is followed).

    Its type is checked before it is opened, and again on what was opened (it may have
    been swapped in between): ``ValueError`` saying what it is for anything but a regular
    file, or for one larger than ``max_bytes``; ``OSError`` when it cannot be read.
    """
    kind = _not_regular(os.stat(path).st_mode)
    kernel = None if kind else _kernel_file(path)
    if kernel:  # a regular file by type (/proc/kmsg), but no one's file
        raise ValueError(f'it is {kernel}, made up by the kernel as it is read')
    if kind is None:
        # O_NONBLOCK: should a FIFO have been swapped in since, opening it does not hang.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, 'O_NOCTTY', 0))
        with os.fdopen(fd, 'rb') as file:
            kind = _not_regular(os.fstat(file.fileno()).st_mode)
            data = b'' if kind else file.read(max_bytes + 1)
    if kind:
        raise ValueError(f'it is {kind}, not a regular file')
    if data is None:  # non-blocking and nothing to read yet: a file only the kernel writes
        raise ValueError('it has nothing to read yet, as a file the kernel writes')
    if len(data) > max_bytes:
        raise ValueError(f'it is larger than {max_bytes // 2**20} MiB')
    return data


KERNEL_FOLDERS = ('/proc', '/sys', '/dev')  # files the kernel makes up as they are read


def _kernel_file(path):
    """'a file of /proc' (...) if ``path`` really is one, else None: no teacher's file."""
    real = os.path.realpath(path)
    folder = next((f for f in KERNEL_FOLDERS if real == f or real.startswith(f + '/')), None)
    return f'a file of {folder} ({real})' if folder else None


def _not_regular(mode):
    if stat.S_ISREG(mode):
        return None
    return 'a folder' if stat.S_ISDIR(mode) else special_kind(mode) or 'not a regular file'


def _entries(folder):
    """(path, lstat result) of everything below ``folder``; OSError for what cannot be read."""
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        info = entry.stat(follow_symlinks=False)
        yield Path(entry.path), info
        if stat.S_ISDIR(info.st_mode):
            yield from _entries(entry.path)


def _sha256(path):
    """The hash of a regular file, read without following a symlink or blocking."""
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    with os.fdopen(fd, 'rb') as file:
        if not stat.S_ISREG(os.fstat(file.fileno()).st_mode):
            raise OSError(f'{path} changed while it was read')
        return hashlib.file_digest(file, 'sha256').hexdigest()


def _manifest(folder, skip):
    """{relative path: sha256} of every file and symlink under ``folder`` except ``skip``,
    and {'folder/': 'empty folder'} of every empty folder.

    ``OutputError`` names an entry that cannot be read or is a special file: the tool did
    not write it, and cannot tell what it holds.
    """
    files = {}
    try:
        for path, info in _entries(folder):
            relative = path.relative_to(folder).as_posix()
            kind = special_kind(info.st_mode)
            if kind:
                raise OutputError(f'{relative} is {kind}, which no tool here writes')
            if stat.S_ISDIR(info.st_mode):
                if not any(os.scandir(path)):  # an empty folder is content too (my_drafts/)
                    files[relative + '/'] = 'empty folder'
                continue
            if relative == skip:
                continue
            files[relative] = ('symlink:' + os.readlink(path) if stat.S_ISLNK(info.st_mode)
                               else _sha256(path))
    except OSError as e:
        where = os.path.relpath(e.filename, folder) if e.filename else folder
        raise OutputError(f'{where} cannot be read ({e.strerror or e}), so what it holds '
                          f'is unknown') from None
    return files


def _inside(path, folder):
    return path == folder or folder in path.parents


def _resolve(path):
    """``path`` with every symlink followed, or ``OutputError`` for a loop of links."""
    try:
        return path.resolve()
    except (RuntimeError, OSError) as e:  # Python 3.11 raises RuntimeError for a loop
        raise OutputError(f'{path} cannot be followed to a folder ({e}): it is a symbolic '
                          f'link that leads back to itself; remove it or give another '
                          f'folder.') from None


def validate_output(out_dir, tool, inputs, example):
    """Return the resolved output folder, or raise ``OutputError`` if it must not be replaced."""
    given = Path(out_dir)
    out = _resolve(given)  # a symlink is judged by what it points to
    for source in [_resolve(Path(p)) for p in inputs]:
        if _inside(out, source) or _inside(source, out):
            raise OutputError(
                f'the output folder {given} ({out}) is, contains or lies inside the input '
                f'{source}: replacing it would destroy the input. Choose an output folder '
                f'outside it, for example {example}.')
    if _inside(ROOT, out) or '.git' in out.parts:
        raise OutputError(f'the output folder {given} ({out}) is or contains the repository '
                          f'{ROOT}, or lies inside a .git folder: choose a folder of its '
                          f'own, for example {example}.')
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f'the output {given} exists and is not a folder: remove it or '
                          f'choose another output folder.')
    try:
        if not out.exists():
            return out
        if not any(out.iterdir()):
            raise OutputError(
                f'the output folder {given} ({out}) already exists, empty, and {tool} did not '
                f'make it: replacing it would lose its permissions, owner and group. Remove '
                f'it (rmdir {given}) to let {tool} make it, or choose another output folder, '
                f'for example {example}.')
    except OSError as e:
        raise OutputError(f'the output folder {given} cannot be read ({e.strerror}): {tool} '
                          f'only replaces folders it can check; choose another output '
                          f'folder, or fix its permissions.') from None
    if (out / '.git').exists():
        raise OutputError(f'the output folder {given} holds a git repository (.git), which '
                          f'{tool} would delete: choose another output folder (for example '
                          f'{example}) and copy the result into your checkout.')
    _check_manifest(out, given, tool)
    _check_writable(out, given, tool)
    return out


def _check_writable(out, given, tool):
    """``OutputError`` if a folder of the output is read-only: someone protected it.

    Judged by the owner's write bit, so even root keeps off a folder made read-only
    (chmod -R a-w), and by access, since removing it would fail half way.
    """
    folders = [out] + [path for path, info in _entries(out) if stat.S_ISDIR(info.st_mode)]
    for folder in folders:
        if not os.lstat(folder).st_mode & stat.S_IWUSR or not os.access(folder, os.W_OK | os.X_OK):
            raise OutputError(
                f'the output folder {given} is read-only ({folder} cannot be written), as if '
                f'protected on purpose: {tool} leaves it as it is. Make it writable '
                f'(chmod -R u+w {given}) to let {tool} replace it, or choose another output '
                f'folder; nothing was changed.')


def _check_manifest(out, given, tool):
    """The output holds exactly what ``tool`` recorded in its marker, or ``OutputError``."""
    marker = out / marker_name(tool)
    try:
        if os.path.islink(marker):
            raise ValueError('a symlink')
        recorded = json.loads(read_regular_file(marker, 64 * 2**20).decode('utf-8'))['files']
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(
            f'the output folder {given} holds files that {tool} did not write (it has no '
            f'readable {marker.name} marker): move them elsewhere or choose another, empty '
            f'output folder; {tool} only replaces folders it made itself.') from None
    try:
        found = _manifest(out, skip=marker.name)
    except OutputError as e:
        raise OutputError(f'the output folder {given} holds something {tool} did not write: '
                          f'{e}. Move it elsewhere (or fix its permissions) or choose another '
                          f'output folder; nothing was changed.') from None
    if found != recorded:
        changed = sorted(p for p in set(found) | set(recorded) if found.get(p) != recorded.get(p))
        shown = ', '.join(changed[:5]) + (', ...' if len(changed) > 5 else '')
        raise OutputError(
            f'the output folder {given} holds files added, changed or removed since {tool} '
            f'wrote it ({shown}): save what you need from it elsewhere and remove the folder, '
            f'or choose another output folder; nothing was changed.')


# --- the record of this tool's temporary folders beside the output ---

def _record_path(out, tool):
    return out.parent / f'.{out.name}.temporaries-of-{tool}.json'


def _read_record(out, tool):
    """{folder name: {'dev', 'ino', 'pid'}} of the temporary folders recorded beside ``out``."""
    path = _record_path(out, tool)
    if not os.path.lexists(path):
        return {}
    try:
        if os.path.islink(path):
            raise ValueError('a symlink')
        record = json.loads(read_regular_file(path, 2**20).decode('utf-8'))
        if not isinstance(record, dict):
            raise ValueError('not a JSON object')
        return record
    except (OSError, ValueError) as e:
        raise OutputError(f'{path}, where {tool} records its temporary folders, cannot be '
                          f'used ({e}): remove it (and any hidden .{out.name}.tmp-* or '
                          f'.{out.name}.old-* folder you do not need), then run again.') from None


def _write_record(out, tool, record):
    path = _record_path(out, tool)
    if record:
        _write_atomically(path, json.dumps(record, indent=0, sort_keys=True))
    elif os.path.lexists(path):
        os.unlink(path)


def _remember(out, tool, name, info, token=None, also=None):
    """Record ``name`` (beside ``out``, with the device and inode of ``info``) as ours.

    ``token``: the random text of the folder's token file (a staging folder has one).
    ``also``: the lstat of a second folder that may be under ``name`` (one being exchanged).
    """
    record = _read_record(out, tool)
    record[name] = {'dev': info.st_dev, 'ino': info.st_ino, 'pid': os.getpid(), 'token': token}
    if also is not None:
        record[name]['also'] = [also.st_dev, also.st_ino]
    _write_record(out, tool, record)


def _forget(out, tool, name):
    record = _read_record(out, tool)
    if record.pop(name, None) is not None:
        _write_record(out, tool, record)


def token_name(tool):
    return f'.temporary-of-{tool}'


def _is_recorded_folder(path, entry, tool):
    """Whether ``path`` is still the very folder recorded, holding only what ``tool`` wrote.

    Device and inode alone are not enough: a file system gives a freed inode to the next
    folder made, such as one a user makes under the same name. So the folder must also
    hold the random token written into it at creation, or exactly the files its marker
    lists (an output set aside, or a staging folder complete but for the swap).
    """
    try:
        info = os.lstat(path)
    except FileNotFoundError:
        return False
    identity = [info.st_dev, info.st_ino]
    if not (stat.S_ISDIR(info.st_mode) and isinstance(entry, dict)
            and identity in ([entry.get('dev'), entry.get('ino')], entry.get('also'))):
        return False
    return _holds_token(path, entry.get('token'), tool) or _holds_only_its_files(path, tool)


def _holds_token(folder, token, tool):
    path = folder / token_name(tool)
    try:
        return bool(token) and not os.path.islink(path) and \
            read_regular_file(path, 1024).decode('utf-8') == token
    except (OSError, ValueError):
        return False


def _holds_only_its_files(folder, tool):
    try:
        _check_manifest(folder, folder, tool)
        return True
    except OutputError:
        return False


def _remove_leftovers(out, tool):
    """Remove the recorded temporary folders of runs of this tool that are no longer running.

    A recorded name that now holds anything else is left as it is and forgotten.
    """
    for name, entry in _read_record(out, tool).items():
        if isinstance(entry, dict) and _alive(entry.get('pid')):
            continue  # another run is building there right now
        if _is_recorded_folder(out.parent / name, entry, tool):
            shutil.rmtree(out.parent / name, ignore_errors=True)
        if not os.path.lexists(out.parent / name) or not _is_recorded_folder(
                out.parent / name, entry, tool):
            _forget(out, tool, name)


def _alive(pid):
    """Whether the run that recorded ``pid`` still runs (a record's pid may be anything)."""
    if pid == os.getpid():
        return False  # a run this process made earlier (tests run in one process)
    try:
        pid = int(pid)
    except (TypeError, ValueError):
        return False
    return tool_safety.running(pid)


def _write_atomically(path, text):
    """Write ``path`` by a temporary file of a unique name and a rename; none is left behind.

    A unique name made with O_EXCL: a fixed one may be a FIFO someone left (opening it
    hangs) or the file of another run writing the same path.
    """
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.name}.', suffix='.tmp', dir=path.parent)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as file:
            file.write(text)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


@contextlib.contextmanager
def replacing(out_dir, tool, inputs, example, private=False):
    """Yield an empty staging folder; when the block succeeds, it becomes ``out_dir``.

    ``private``: the output is readable by its owner only (0700), as a folder holding a
    gradebook must be on a shared machine.
    """
    out = validate_output(out_dir, tool, inputs, example)
    out.parent.mkdir(parents=True, exist_ok=True)
    with _only_run(out, tool):
        out = validate_output(out_dir, tool, inputs, example)  # as it is now, under the lock
        yield from _build_and_swap(out, out_dir, tool, inputs, example, private)


def _build_and_swap(out, out_dir, tool, inputs, example, private):
    _remove_leftovers(out, tool)
    staging = out.parent / f'.{out.name}.tmp-{uuid.uuid4().hex[:12]}'
    staging.mkdir(mode=0o700 if private else 0o777)  # the latter as the umask allows
    try:
        token = uuid.uuid4().hex  # proves a leftover is this folder (see _is_recorded_folder)
        (staging / token_name(tool)).write_text(token, encoding='utf-8')
        _remember(out, tool, staging.name, os.lstat(staging), token)
        if private:
            staging.chmod(0o700)  # also under a umask stricter than 077
        yield staging
        os.unlink(staging / token_name(tool))  # from here on, the marker proves it ours
        _write_atomically(staging / marker_name(tool), json.dumps(
            {'tool': tool, 'files': _manifest(staging, skip=marker_name(tool))},
            indent=0, sort_keys=True))
        validate_output(out_dir, tool, inputs, example)  # again: a file may have been added since
        _swap(staging, out, tool)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
        if not os.path.lexists(staging):
            _forget(out, tool, staging.name)


def _lock_path(out):
    return out.parent / f'.{out.name}.lock'


@contextlib.contextmanager
def _only_run(out, tool):
    """Hold a lock on ``out`` for the whole run, or ``OutputError`` if another run holds it.

    Two runs at once would remove each other's temporary folders or swap over each other.
    The lock file is removed at the end; a run that opened it just before is then holding a
    removed file, which it notices (its inode is no longer the path's) and refuses too.
    """
    path = _lock_path(out)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK, 0o600)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OutputError(f'{path} is not a regular file, so it is not the lock {tool} '
                              f'makes: move it elsewhere and run again.')
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            held = os.fstat(fd)
            now = os.lstat(path)
            if (held.st_dev, held.st_ino) != (now.st_dev, now.st_ino):
                raise BlockingIOError
        except (BlockingIOError, FileNotFoundError):
            raise OutputError(
                f'another run of {tool} (or of a tool writing the same folder) is writing '
                f'{out} right now ({path.name} is locked): wait for it to finish and run '
                f'again, or choose another output folder; nothing was changed.') from None
        try:
            yield
        finally:
            os.unlink(path)  # while still locked: no other run can hold this file
    finally:
        os.close(fd)


RENAME_NOREPLACE, RENAME_EXCHANGE = 1, 2  # <linux/fs.h>
AT_FDCWD = -100


def _renameat2(source, target, flags):
    """Linux's renameat2(2); ``NotImplementedError`` where the system or file system lacks it."""
    try:
        function = ctypes.CDLL(None, use_errno=True).renameat2
    except (AttributeError, OSError):
        raise NotImplementedError from None
    if function(AT_FDCWD, os.fsencode(source), AT_FDCWD, os.fsencode(target), flags) == 0:
        return
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP):
        raise NotImplementedError
    raise OSError(code, os.strerror(code), str(source), None, str(target))


def _exchange(staging, out):
    """Swap the two folders in one step: no moment without an output, even under SIGKILL."""
    _renameat2(staging, out, RENAME_EXCHANGE)


def _move_in(staging, out):
    """Rename ``staging`` to ``out``, which must not exist (a rename replaces an empty folder)."""
    try:
        _renameat2(staging, out, RENAME_NOREPLACE)
    except NotImplementedError:
        if os.path.lexists(out):
            raise FileExistsError(errno.EEXIST, 'made meanwhile by someone', str(out)) from None
        os.rename(staging, out)


def _swap(staging, out, tool):
    """Exchange the new output and the old one in one step, then remove the old one.

    Where the system cannot exchange, the old output is renamed aside and the new one in.
    """
    if not os.path.lexists(out):
        _move_in(staging, out)
        return
    old = os.lstat(out)
    # after the exchange the staging name holds the old output: recorded as ours
    _remember(out, tool, staging.name, old, also=os.lstat(staging))
    try:
        _exchange(staging, out)
    except NotImplementedError:
        _forget(out, tool, staging.name)
        _swap_by_two_renames(staging, out, tool)
        return
    shutil.rmtree(staging, ignore_errors=True)  # the old output; a leftover, if not removed,
    # is removed by the next run


def _swap_by_two_renames(staging, out, tool):
    """Rename the old output aside, the new one in, then remove the old one."""
    aside = None
    if os.path.lexists(out):
        aside = out.parent / f'.{out.name}.old-{uuid.uuid4().hex[:12]}'
        _remember(out, tool, aside.name, os.lstat(out))  # a rename keeps the inode
        os.rename(out, aside)
    try:
        os.rename(staging, out)
    except BaseException:
        if aside is not None:
            os.rename(aside, out)  # put the previous output back as it was
            _forget(out, tool, aside.name)
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)
        if not os.path.lexists(aside):
            _forget(out, tool, aside.name)  # else a leftover, removed by the next run
