"""What the tools that write files share, so that misuse gives a clear message, never a mess.

- ``write_atomically``: a file is replaced through a temporary file in its own folder and a
  rename, so that a full disk or a kill leaves the old file whole (never a truncated one).
- ``stopping_on_signals``: SIGINT, SIGTERM and SIGHUP raise ``Stopped`` instead of ending the
  process at once, so that ``finally`` blocks remove temporary files and folders.
- ``check_utf8``: a text file in another encoding is named with its likely encoding.
- ``resolved_output``: an output path that is a symbolic-link loop is named as such.
- ``end_with_parent``: a child process (Jupyter Book) that ends when the tool is killed, instead
  of writing on into a folder the next run removes.
"""
import ctypes
import os
import signal
import tempfile
from contextlib import contextmanager
from pathlib import Path

import charset_normalizer

SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class ToolError(Exception):
    """Bad input or a failed write; the message names the problem and the fix."""


class Stopped(BaseException):
    """A signal asked the tool to stop (a BaseException, so ``except Exception`` lets it pass)."""

    def __init__(self, signum):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.exit_code = 128 + signum  # what a shell reports for a process ended by the signal


def write_atomically(path, text):
    """Replace the file at ``path`` (or the one its symlink points to) by ``text``, UTF-8.

    Raises ``OSError`` if the folder cannot be written; the file is then unchanged and no
    temporary file is left.
    """
    target = Path(path).resolve()  # a symlinked notebook stays a symlink
    fd, tmp = tempfile.mkstemp(prefix=f'.{target.name}.', suffix='.tmp', dir=target.parent)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        if target.exists():
            os.chmod(tmp, target.stat().st_mode & 0o777)
        os.replace(tmp, target)
    except BaseException:
        os.unlink(tmp)
        raise


@contextmanager
def stopping_on_signals():
    """Within the block, SIGINT, SIGTERM and SIGHUP raise ``Stopped`` (once: later ones wait).

    Those that the process ignores (under nohup, SIGHUP) stay ignored."""
    def stop(signum, frame):
        for s in SIGNALS:  # let the clean-up that follows finish undisturbed
            signal.signal(s, signal.SIG_IGN)
        raise Stopped(signum)
    # A signal already ignored stays so (nohup ignores SIGHUP: the run must go on).
    previous = {s: signal.signal(s, stop) for s in SIGNALS
                if signal.getsignal(s) is not signal.SIG_IGN}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)


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
