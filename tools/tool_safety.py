"""What the tools that write files share, so that misuse gives a clear message, never a mess.

- ``write_atomically``: a file is replaced through a temporary file in its own folder and a
  rename, so that a full disk or a kill leaves the old file whole (never a truncated one); the
  temporary file a SIGKILL left is named by its run's pid, and the next write removes it.
- ``stopping_on_signals``: SIGINT, SIGTERM, SIGHUP and SIGQUIT raise ``Stopped`` instead of
  ending the process at once, so that ``finally`` blocks remove temporary files and folders;
  the processes given to ``end_on_stop`` (kernels) are killed at once.
- ``stops_held``: a step that must not be cut in two (a rename and its report, a swap) makes a
  stop wait until it is done; ``Stopped.completed`` then says it was done.
- ``quiet_interrupt``, ``say``, ``plain_console``: a Ctrl-C while the tool loads, a reader that
  goes away (``| head``) and a file name that is not UTF-8 give no traceback.
- ``check_utf8``, ``read_notebook``: a text file in another encoding is named with its likely
  encoding; a notebook that is not one (empty, cut short, a BOM, half a character) is named.
- ``resolved_output``: an output path that is a symbolic-link loop is named as such.
- ``end_with_parent``: a child process (Jupyter Book) that ends when the tool is killed, instead
  of writing on into a folder the next run removes.
"""
import contextlib
import ctypes
import json
import os
import signal
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path

import charset_normalizer

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)
TEMPORARY_MARK = '.tmp-of-pid-'  # .NAME.tmp-of-pid-PID-RANDOM.tmp: whose it is, for the clean-up


class ToolError(Exception):
    """Bad input or a failed write; the message names the problem and the fix."""


class Stopped(KeyboardInterrupt):
    """A signal asked the tool to stop.

    A KeyboardInterrupt, so that ``except Exception`` lets it pass and asyncio (under nbclient)
    passes it on: a plain BaseException raised by the handler while the event loop ran one of
    its callbacks was logged and dropped, and the run went on (seen as a SIGQUIT that did not
    stop make store on a loaded machine; tests/test_tool_safety.py)."""

    def __init__(self, signum, completed=False):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum  # what a shell reports for a process ended by the signal
        self.completed = completed  # the held step (stops_held) was done before the stop


class _Hold:
    """Whether a stop must wait (``stops_held``), and the signal that is waiting."""
    active = False
    signum = None


_children = []  # processes ended at once on a stop (kernels): see end_on_stop


def write_atomically(path, text):
    """Replace the file at ``path`` (or the one its symlink points to) by ``text``, UTF-8.

    Raises ``OSError`` if the folder cannot be written; the file is then unchanged and no
    temporary file is left. A stop meanwhile waits until the file is whole (``stops_held``).
    The new file keeps the old one's mode and, where allowed, its owner (``sudo make store``);
    a file new to the folder gets the mode the user's umask gives any file they make.
    """
    target = Path(path).resolve()  # a symlinked notebook stays a symlink
    _remove_dead_temporaries(target)
    with stops_held():
        fd, tmp = tempfile.mkstemp(prefix=f'.{target.name}{TEMPORARY_MARK}{os.getpid()}-',
                                   suffix='.tmp', dir=target.parent)
        try:
            with os.fdopen(fd, 'w', encoding='utf-8') as f:
                f.write(text)
            if target.exists():
                _copy_mode_and_owner(target.stat(), tmp)
            else:  # mkstemp made it private (0600): give it the mode open() would have
                os.chmod(tmp, 0o666 & ~_umask())
            os.replace(tmp, target)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


def _umask():
    mask = os.umask(0o022)  # reading the mask means setting it: set it back at once
    os.umask(mask)
    return mask


def _copy_mode_and_owner(info, tmp):
    os.chmod(tmp, info.st_mode & 0o777)
    with contextlib.suppress(PermissionError):  # only root may give a file to another user
        os.chown(tmp, info.st_uid, info.st_gid)


def _remove_dead_temporaries(target):
    """Remove the temporary files that a killed run of a tool here left beside ``target``."""
    prefix = f'.{target.name}{TEMPORARY_MARK}'
    with contextlib.suppress(OSError), os.scandir(target.parent) as entries:
        for entry in entries:
            pid = entry.name[len(prefix):].split('-')[0]
            if (entry.name.startswith(prefix) and entry.name.endswith('.tmp') and pid.isdigit()
                    and entry.is_file(follow_symlinks=False)
                    and entry.stat(follow_symlinks=False).st_uid == os.geteuid()
                    and not running(int(pid))):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)


def running(pid):
    """Whether a process with id ``pid`` exists, as any user: the tools' one liveness check
    (a leftover of a run still running is never removed)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return True  # someone else's process (or a number no pid can be): leave it
    return True


def _stop(signum, frame):
    for s in SIGNALS:  # let the clean-up that follows finish undisturbed
        signal.signal(s, signal.SIG_IGN)
    _end_children()
    if _Hold.active:
        _Hold.signum = _Hold.signum or signum  # raised when the held step is done
        return
    raise Stopped(signum)


@contextmanager
def stopping_on_signals():
    """Within the block, SIGINT, SIGTERM, SIGHUP and SIGQUIT raise ``Stopped`` (once: later
    ones wait).

    Those that the process ignores (under nohup, SIGHUP) stay ignored."""
    # A signal already ignored stays so (nohup ignores SIGHUP: the run must go on).
    previous = {s: signal.signal(s, _stop) for s in SIGNALS
                if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


@contextmanager
def stops_held():
    """Within the block a stop waits; it is raised as ``Stopped`` when the block ends, with
    ``completed`` True if the block ran to its end (the file was renamed, the report printed).

    Holds may nest: the outermost one raises."""
    outer, _Hold.active = _Hold.active, True
    completed = False
    try:
        yield
        completed = True
    finally:
        _Hold.active = outer
        if not outer and _Hold.signum is not None:
            signum, _Hold.signum = _Hold.signum, None
            raise Stopped(signum, completed=completed)


def end_on_stop(process):
    """Kill ``process`` (a ``subprocess.Popen``, with its process group if it leads one) as
    soon as the tool is stopped, and when ``end_children`` is called: a kernel stopped
    politely prints its own traceback, and one still starting writes files after the tool
    removed its folder."""
    _children.append(process)


def end_children():
    """Kill the processes given to ``end_on_stop`` that still run, and wait until they end."""
    _end_children()
    while _children:
        with contextlib.suppress(Exception):
            _children.pop().wait(timeout=30)


def _end_children():
    for process in _children:
        if process.poll() is None:  # not yet reaped: its pid is still its own
            with contextlib.suppress(OSError):
                if os.getpgid(process.pid) == process.pid:
                    os.killpg(process.pid, signal.SIGKILL)
                else:
                    process.kill()


def quiet_interrupt():
    """Until ``stopping_on_signals``, a Ctrl-C ends the tool as it ends any program, without
    a traceback: nothing has been written yet. (An ignored SIGINT stays ignored.)"""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, signal.SIG_DFL)


def plain_console():
    """A character the terminal cannot show (a file name that is not UTF-8) is written as an
    escape (\\udce9) instead of ending the tool with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(AttributeError, ValueError):
            stream.reconfigure(errors='backslashreplace')


def say(text):
    """Print a line of progress; if its reader went away (``| head -1``), the run goes on."""
    try:
        print(text, flush=True)
    except BrokenPipeError:
        # Later lines, and the rest of the buffer at exit, go nowhere instead of failing.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


def end_with_parent():
    """``preexec_fn`` of a child: Linux sends it SIGTERM when the tool dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG; elsewhere the child runs to its end
    except (OSError, AttributeError):
        pass


def check_utf8(path):
    """Raise ``ToolError`` if the file at ``path`` is not UTF-8 text."""
    data = Path(path).read_bytes()
    try:
        data.decode('utf-8')
    except UnicodeDecodeError as e:
        guess = charset_normalizer.from_bytes(data).best()
        encoding = f'it looks like {guess.encoding}' if guess else 'its encoding is unknown'
        raise ToolError(f'{path} is not UTF-8 text ({encoding}; byte {e.start} is not UTF-8): '
                        f'save it again as UTF-8 (in an editor: "Save with encoding", UTF-8).'
                        ) from None


def resolved_output(path, example):
    """The output path with symlinks resolved; ``ToolError`` if they form a loop."""
    try:
        return Path(path).resolve()
    except RuntimeError:  # Python 3.11 reports a symlink loop so, with no errno
        raise ToolError(f'the output {path} is, or lies under, a symbolic link that leads '
                        f'back to itself (a loop): remove the link (rm {path}) or choose '
                        f'another output folder, for example {example}.') from None


BOM = b'\xef\xbb\xbf'


def read_notebook(path):
    """The notebook at ``path`` (nbformat 4); ``ToolError`` naming what is wrong with it."""
    import nbformat  # here: the tools that read no notebook need not load it

    check_utf8(path)
    if Path(path).read_bytes().startswith(BOM):
        raise ToolError(f'{path} starts with a byte-order mark (BOM, bytes EF BB BF), which '
                        f'JSON does not allow: save it again as UTF-8 without BOM (in an '
                        f'editor: "UTF-8", not "UTF-8 with BOM").')
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # nbformat raises several types for bad JSON or schema
        raise ToolError(f'{path} is not a readable notebook ({e}); fix or restore it '
                        f'(git checkout -- {path})') from None
    _check_whole_characters(path, nb)
    return nb


def _check_whole_characters(path, nb):
    """``ToolError`` naming the cell that holds half a character (a lone UTF-16 surrogate,
    \\ud83d: valid JSON, but no UTF-8 file can hold it, so the notebook could not be saved)."""
    parts = [(f'cell {i + 1}', cell) for i, cell in enumerate(nb.cells)]
    for where, part in parts + [('the notebook\'s metadata', nb.metadata)]:
        try:
            json.dumps(part, ensure_ascii=False).encode('utf-8')
        except UnicodeEncodeError as e:
            raise ToolError(f'{path}: {where} holds half a character ({e.object[e.start]!a}, a '
                            f'lone surrogate, as left by cutting an emoji in two): delete it or '
                            f'complete the character, then run again.') from None
