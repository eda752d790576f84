"""What the tests need of the OS, in one place (used by test_data, test_student, test_tools,
test_store, test_run_and_book, test_distributed, test_jupyterlab, and hub_support for the hub
tests): a Unix socket in a deep folder, a child process that takes the signals a test sends it,
a tool run that gets a Ctrl-C just as a rename completes, free ports on 127.0.0.1, and the
processes of this machine read from /proc (by parent, by user, by what their command line
names), whether one lives, and a wait for a condition to come true.

The tests read /proc here, not through d2lhelpers.distributed's own walker: that is code under
test, and a check must not lean on what it checks.
"""
import os
import signal
import socket
import subprocess
import sys
import time
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
    return [str(pid) for pid, _, _, cmdline in process_table() if str(folder).encode() in cmdline]


def free_port(block=1):
    """A TCP port on 127.0.0.1 that nothing listens on right now, and with ``block`` > 1 the
    next ``block - 1`` ports too (the hub takes PORT+1 and PORT+2)."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        if port + block < 65535 and all(_free(port + i) for i in range(1, block)):
            return port
    raise RuntimeError(f'no block of {block} free ports on 127.0.0.1')


def _free(port):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
            return True
        except OSError:
            return False


def process_table():
    """[(pid, parent pid, user id, command line)] of every process, read from /proc."""
    table = []
    for proc in Path('/proc').iterdir():
        if not proc.name.isdigit():
            continue
        try:
            # bytes: a process may give itself a name that is not UTF-8
            ppid = int((proc / 'stat').read_bytes().rsplit(b')', 1)[1].split()[1])
            uid = int((proc / 'status').read_bytes().split(b'\nUid:')[1].split()[0])
            cmdline = (proc / 'cmdline').read_bytes()
        except (OSError, IndexError, ValueError):
            continue  # the process ended meanwhile
        table.append((int(proc.name), ppid, uid, cmdline))
    return table


def descendants(pids):
    """{pid: command line} of every process below ``pids``."""
    children = {}
    for pid, ppid, _, cmdline in process_table():
        children.setdefault(ppid, []).append((pid, cmdline))
    found, todo = {}, list(pids)
    while todo:
        for child, cmdline in children.get(todo.pop(), []):
            if child not in found:
                found[child] = cmdline
                todo.append(child)
    return found


def processes_of(uids):
    """{pid: command line} of every process run by one of ``uids``."""
    return {pid: cmdline for pid, _, uid, cmdline in process_table() if uid in uids}


def alive(pid, cmdline=None):
    """Whether ``pid`` is running (a zombie has ended), and still runs ``cmdline`` if given (its
    number may have gone to another process)."""
    try:
        state = Path(f'/proc/{pid}/stat').read_bytes().rsplit(b')', 1)[1].split()[0]
        return state != b'Z' and (cmdline is None
                                 or Path(f'/proc/{pid}/cmdline').read_bytes() == cmdline)
    except (OSError, IndexError):
        return False


def wait_for(condition, seconds, message):
    """Return once ``condition()`` is true; fail with ``message`` after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, message
        time.sleep(0.2)
