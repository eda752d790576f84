"""What some tests need of the OS, in one place (used by test_data, test_student, test_tools,
test_store and test_run_and_book): a Unix socket in a deep folder, and a child process that
takes the signals a test sends it.
"""
import os
import signal
import socket


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
    """For ``preexec_fn``: SIGINT, SIGTERM and SIGHUP do what they do by default in the child.

    A test run started in the background (``make test &``) or under nohup ignores SIGINT or SIGHUP,
    and a child inherits that: a test that stops a tool with them would then wait in vain.
    """
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, signal.SIG_DFL)
