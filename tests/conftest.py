"""Shared fixtures (real data, a local server, nbval runs, Chromium); make test's order of work."""
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from work_units import send_order, work_unit

import d2lhelpers.data as data  # imports no MXNet, so every pytest run can afford it

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / 'tools'))  # the tools' own modules, for the tests that read them
import project_kernel  # noqa: E402  (tools/project_kernel.py: the kernel's one home)

SERVER_BOUND = 30  # seconds any misbehaving reply lasts at most, so no test can hang on it


@pytest.fixture(scope='session')
def unprivileged():
    """``unprivileged(command)``: ``command`` made unable to bypass file permissions.

    Root reads and writes every file, so a test of an unreadable or unwritable entry needs a
    process without that power. As root the command keeps its user, and so still enters a checkout
    that only root may enter (tests/test_odd_paths.py), but runs without CAP_DAC_OVERRIDE and
    CAP_DAC_READ_SEARCH, the two capabilities that bypass permission checks. Any other user
    lacks them already, and its command is run as it is.
    """
    def command_without_root_powers(command):
        if os.geteuid() != 0:
            return list(command)
        if shutil.which('setpriv') is None:
            pytest.fail('running as root and setpriv (util-linux) is missing: root reads every '
                        'file, so this case needs its powers dropped')
        return ['setpriv', '--bounding-set=-dac_override,-dac_read_search', *command]
    return command_without_root_powers


@pytest.fixture(scope='session')
def real_dir():
    """The folder of the real Fashion-MNIST; tests that need it are skipped without it."""
    try:
        return data.find_fashion_mnist()
    except data.DataError as e:
        pytest.skip(f'the real Fashion-MNIST is not on this machine: {e}')


@pytest.fixture
def real_copy(real_dir, tmp_path):
    """A private copy of the real files that a test may damage."""
    folder = tmp_path / 'fashion-mnist'
    folder.mkdir()
    for name in data.FILES:
        shutil.copy(real_dir / name, folder / name)
    data.clear_cache()
    yield folder
    data.clear_cache()


class FileServer(http.server.BaseHTTPRequestHandler):
    """Serves bytes from ``self.server.files``; ``self.server.mode`` makes it misbehave.

    Modes: 'good'; 'drop' (half the body, then the connection closes); 'stall' (headers,
    then 3 s of silence); 'half then wait' (half the body, then 60 s of silence);
    'trickle' (64 KiB/s); 'slow headers' (the status line, then a header byte every
    0.2 s); 'endless' (no length announced, 200 MB at full speed).
    """

    def do_GET(self):
        try:
            self.reply(self.server.files.get(self.path.lstrip('/')))
        except (BrokenPipeError, ConnectionResetError):
            self.server.client_left.set()  # the client gave up, as one past its deadline should

    def reply(self, body):
        if body is None:
            self.send_error(404)
            return
        mode = self.server.mode
        if mode == 'slow headers':
            self.slow_headers()
            return
        self.send_response(200)
        if mode != 'endless':
            self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        if mode == 'drop':
            self.wfile.write(body[:len(body) // 2])  # then the connection closes
        elif mode == 'stall':
            time.sleep(3)
        elif mode == 'half then wait':
            self.wfile.write(body[:len(body) // 2])
            self.wfile.flush()
            time.sleep(60)
        elif mode == 'trickle':
            self.trickle(body)
        elif mode == 'endless':
            for _ in range(200):
                self.wfile.write(bytes(1 << 20))
        else:
            self.wfile.write(body)

    def trickle(self, body, rate=64 * 1024, steps_per_second=4):
        """Send ``body`` at ``rate`` bytes a second, for at most SERVER_BOUND seconds."""
        step = rate // steps_per_second
        stop_at = time.monotonic() + SERVER_BOUND
        for start in range(0, len(body), step):
            if time.monotonic() > stop_at:
                return
            self.wfile.write(body[start:start + step])
            self.wfile.flush()
            time.sleep(1 / steps_per_second)

    def slow_headers(self):
        """A status line, then one byte of a never-ending header every 0.2 s."""
        self.wfile.write(b'HTTP/1.1 200 OK\r\nX-Slow: ')
        stop_at = time.monotonic() + SERVER_BOUND
        while time.monotonic() < stop_at:
            self.wfile.write(b'a')
            self.wfile.flush()
            time.sleep(0.2)

    def log_message(self, *args):
        pass


@pytest.fixture
def server(real_dir):
    """A local HTTP server (127.0.0.1 only) holding the four real files; ``.url`` is its root."""
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), FileServer)
    httpd.files = {name: (real_dir / name).read_bytes() for name in data.FILES}
    httpd.mode = 'good'
    httpd.client_left = threading.Event()  # set when a client closes a reply still being sent
    httpd.bound = SERVER_BOUND
    # A short poll interval: shutdown() waits up to one interval (0.5 s by default) per test.
    thread = threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05},
                              daemon=True)
    thread.start()
    httpd.url = f'http://127.0.0.1:{httpd.server_address[1]}/'
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def connections(monkeypatch):
    """Every network connection the code under test tries, recorded and refused."""
    tried = []

    def refuse(sock, address, *args, **kwargs):
        tried.append(address)
        raise OSError('the test allows no connection')

    monkeypatch.setattr(socket.socket, 'connect', refuse)
    return tried


# What the project kernel pins (kernel/<name>/kernel.json); a native run has none of it.
PROJECT_KERNEL_ENV = project_kernel.ENV


def _run_nbval(*paths, lax=False, native=False, **env):
    """Run nbval on the notebooks in a fresh pytest, configured as ``make test`` (pyproject.toml).

    The notebooks run on the kernel they name, the project's (tools/project_kernel.py); with
    ``native=True``, on a plain kernel of this Python with none of its pins.
    ``lax=True`` checks exceptions only. Returns the exit code and the output.
    """
    base = {k: v for k, v in os.environ.items() if not (native and k in PROJECT_KERNEL_ENV)}
    options = (['--nbval-lax'] if lax else []) + (['--nbval-current-env'] if native else [])
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
         '-c', str(ROOT / 'pyproject.toml'), *options, *map(str, paths)],
        cwd=ROOT, capture_output=True, text=True, timeout=900, env={**base, **env})
    return result.returncode, result.stdout


@pytest.fixture(scope='session')
def run_nbval():
    """``run_nbval(*notebooks, lax=False, native=False, **env)`` -> (exit code, output)."""
    return _run_nbval


@pytest.fixture
def fake_mathjax(tmp_path):
    """Enough of MathJax for build_book to accept it, for cases refused before any build."""
    folder = tmp_path / 'mathjax'
    folder.mkdir()
    (folder / 'tex-mml-chtml.js').write_text('// MathJax\n')
    return folder


@pytest.fixture(scope='session')
def mathjax_dir():
    """The MathJax copy that make fetches for the offline book (MATHJAX_DIR may name another)."""
    found = os.environ.get('MATHJAX_DIR') or next(
        (str(p) for p in sorted((ROOT / '.venv' / 'share').glob('mathjax-*/es5'))), None)
    if not found:
        pytest.skip('no MathJax: run the tests through make test, which fetches it for the '
                    'offline book, or set MATHJAX_DIR')
    return Path(found).resolve()


CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
# As in the probe of this machine: no background traffic, a fresh profile per launch.
CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update',
                 '--disable-sync']


@pytest.fixture(scope='session')
def browser():
    """Debian's Chromium, headless, driven by Playwright (no browser is downloaded).

    Session-scoped, so it is set up, or the test skipped, before any server is started.
    """
    sync_api = pytest.importorskip('playwright.sync_api',
                                   reason='playwright is not installed: run them through make test')
    if not Path(CHROMIUM).is_file():
        pytest.skip(f"no Chromium at {CHROMIUM}: the browser tests need Debian's chromium "
                    f'(make test installs it as root or with sudo) or CHROMIUM=/path/to/chromium')
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


# How make test spreads the tests over its pytest-xdist workers (tests/work_units.py).
def pytest_collection_modifyitems(items):
    """Longest work first (tests/work_units.py), so that make test's workers end together; a unit
    that mostly waits before them."""
    items.sort(key=lambda item: send_order(item.nodeid))  # stable: a file keeps its order


@pytest.hookimpl(optionalhook=True)  # a pytest-xdist hook: plain pytest runs without it
def pytest_xdist_make_scheduler(config, log):
    """For --dist loadfile: pytest-xdist's own file scheduler, with tests/work_units.py's units."""
    if config.getvalue('dist') != 'loadfile':
        return None
    from xdist.scheduler import LoadScopeScheduling

    class NotebookRunsApart(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return work_unit(nodeid)

        def _reschedule(self, node):
            """A unit for the node once it has one test left, not xdist's two: a worker runs a
            test only once it knows the next, so its last test waits for this unit (one round
            trip). With xdist's two, near the end a worker held two notebook runs queued while
            another had nothing; now it holds one."""
            if node.shutting_down:
                return
            if not self.workqueue:
                node.shutdown()
                return
            if self._pending_of(self.assigned_work[node]) <= 1:
                self._assign_work_unit(node)

    # Send the units in the order collected (longest first), not by their number of tests.
    config.option.loadscopereorder = False
    return NotebookRunsApart(config, log)


# In CI a missing part (Chromium, MathJax, the hub's proxy, the data) is a failure, not a skip.
def missing_in_ci(report, needs_root=False):
    """A skipped report turned into a failure when CI is set (as CI's runner sets it).

    Tests marked ``needs_root`` (they make Linux accounts) are the one exception: run by another
    user, they are skipped, as nothing is missing that the user could install.
    """
    if needs_root and os.geteuid() != 0:
        return
    if os.environ.get('CI') and report.skipped and not hasattr(report, 'wasxfail'):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = 'failed'
        report.longrepr = (f'skipped, and in CI every part must be there: {reason} '
                           '(unset CI to allow the skip on a machine without it)')


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    missing_in_ci(outcome.get_result(), item.get_closest_marker('needs_root') is not None)


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    outcome = yield
    missing_in_ci(outcome.get_result())
