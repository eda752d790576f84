"""What some tests need of the OS, in one place (used by test_data, test_student, test_tools,
test_store and test_run_and_book): a Unix socket in a deep folder, a child process that takes
the signals a test sends it, a tool run that gets a Ctrl-C just as a rename completes, and the
processes still running on a test's files.
"""
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path


def bind_unix_socket(path):
    """A Unix socket bound at ``path``, kept open by the caller.

    A socket's path may be at most 107 bytes, and a test's folder (pytest's, under a long user
    name or a deep checkout) can be longer, so it is bound by its name from inside its folder.
    """
    sock = socket.socket(socket.AF_UNIX)
    here = os.getcwd()
    os.chdir(path.parent)
    try:
        sock.bind(path.name)
    finally:
        os.chdir(here)
    return sock


def take_stop_signals():
    """For ``preexec_fn``: SIGINT, SIGTERM, SIGHUP and SIGQUIT do what they do by default in the
    child.

    A test run started in the background (``make test &``: a shell ignores SIGINT and SIGQUIT in
    its background jobs) or under nohup (SIGHUP) ignores them, and a child inherits that: a test
    that stops a tool with them would then wait in vain. The same for a blocked one.
    """
    stops = {signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT}
    for signum in stops:
        signal.signal(signum, signal.SIG_DFL)
    # A signal mask is inherited too: a thread of the test process that blocks one (a library's
    # helper thread may) would leave it pending in the child for ever.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, stops)


SIGNAL_AFTER_RENAME = '''
import importlib, os, runpy, signal, sys
sys.path.insert(0, os.path.dirname(sys.argv[2]))  # the tool's folder, for its own modules
module = importlib.import_module('{module}')
real = getattr(module, '{function}')
def at_rename(source, target, *args, **kwargs):
    real(source, target, *args, **kwargs)
    if str(target).endswith(sys.argv[1]):  # as a Ctrl-C that lands as this rename completes
        os.kill(os.getpid(), signal.SIGINT)
setattr(module, '{function}', at_rename)
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name='__main__')
'''


def signal_after_rename(tmp_path, function, name, tool, *args):
    """Run ``tool`` with a SIGINT sent to itself just after ``function`` ('os.replace', or the
    swap's 'safe_output._exchange') puts something at ``name``."""
    module, _, attribute = function.rpartition('.')
    wrapper = tmp_path / 'signal_after_rename.py'
    wrapper.write_text(SIGNAL_AFTER_RENAME.format(module=module, function=attribute))
    return subprocess.run([sys.executable, str(wrapper), name, str(tool), *map(str, args)],
                          capture_output=True, text=True, timeout=300,
                          preexec_fn=take_stop_signals)


def processes_naming(folder):
    """Processes whose command line names ``folder`` (a tool, its kernel by its connection file,
    Jupyter Book): what a stopped tool must not leave running."""
    found = []
    for cmdline in Path('/proc').glob('[0-9]*/cmdline'):
        try:
            if str(folder).encode() in cmdline.read_bytes():
                found.append(cmdline.parent.name)
        except OSError:
            continue  # the process ended meanwhile
    return found
