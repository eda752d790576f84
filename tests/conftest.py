"""Shared fixtures: the real data when present, and a local HTTP server that serves it."""
import http.server
import shutil
import socket
import threading
import time

import pytest

import d2lhelpers.data as data

SERVER_BOUND = 30  # seconds any misbehaving reply lasts at most, so no test can hang on it


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
            pass  # the client gave up, as a download past its deadline should

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
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
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
