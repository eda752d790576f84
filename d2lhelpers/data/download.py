"""Downloading Fashion-MNIST: into a temporary file, checked by ``verify``, then renamed.

The *download* part of ``d2lhelpers.data``. Why not a library:

- mxnet's ``gluon.utils.download`` calls ``requests.get`` with no timeout at all, checks
  the SHA-1 of the *compressed* file (mirrors and Debian recompress it, so the same data
  fails), does so only after moving the file into place (a bad file stays there),
  and leaves its temporary file behind when a download fails.
- ``pooch`` would be a new dependency for one function, also hashes the compressed
  file, and bounds each read but not the whole download or its size.

So this module uses ``urllib`` directly; the content check is the one used for files
found on disk. Every failure raises ``DataError`` naming the URL or the folder and what to do.
A ``file://`` source that is no regular file (a FIFO, a socket, a link to /dev/zero) is
refused by its type before it is opened (and opened without blocking, whatever host the URL
names), and so is a target name taken by one (or by a folder, or a link loop), before
anything is downloaded and again just before each rename. Only http, https and file URLs
are opened, and redirects are followed to http and https only: the deadline watches those
sockets alone. Downloaded files get the permissions the umask gives any new file, like a
file the user saves.
"""
import email.message
import glob
import http.client
import os
import secrets
import socket
import stat
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import urllib.response
from pathlib import Path

from ..arguments import positive_seconds
from .cache import clear_cache
from .files import (
    DOWNLOAD_URL,
    FILES,
    HOW_TO_GET,
    DataArgumentError,
    DataError,
    default_download_dir,
    file_kind,
    root_folder,
    special_file,
)
from .verify import max_compressed_size, read_fashion_mnist_file

CHUNK = 1 << 16
DEADLINE_PER_TIMEOUT = 20  # default overall deadline: 20 per-read timeouts (600 s for 30 s)


def download_fashion_mnist(root=None, base_url=DOWNLOAD_URL, timeout=30, deadline=None):
    """Download the four files from the publisher into ``root`` (default: mxnet's data folder).

    ``base_url`` is a folder URL (http, https or file) holding the four original files.
    ``timeout`` bounds each network read (seconds); ``deadline`` bounds the whole call
    (default ``20 * timeout``), so a server that sends slowly cannot hold it for long.
    Each file goes to a temporary name in the same folder, is verified by content
    (``verify.read_idx``, as for files on disk), and only then renamed into place;
    on any failure nothing partial is left behind, and folders this call created are
    removed again if they stay empty. Temporary files of a download whose process was
    killed (a kernel restarted in the middle) are removed by the next call. Files
    already present and valid are kept. Returns the folder.

    Used in: postBuild (Binder); the README's set-up for machines without the data.
    """
    timeout, deadline = validate_times(timeout, deadline)
    urls = file_urls(base_url)
    folder = root_folder(root) if root is not None else default_download_dir()
    created = make_folder(folder)
    watchdog = Watchdog(deadline)
    kept = []  # names in place, for an error that comes after some of them
    try:
        check_targets(folder)
        for name in FILES:
            download_file(folder, name, urls[name], timeout, watchdog, kept)
            kept.append(name)
    except BaseException:
        remove_empty_folders(created)
        raise
    finally:
        watchdog.stop()
        clear_cache()
    return folder


def validate_times(timeout, deadline):
    """Return ``(timeout, deadline)`` in seconds; ``deadline`` None means 20 timeouts."""
    def seconds(name, value):
        return positive_seconds(name, value, DataArgumentError)
    timeout = seconds('timeout', timeout)
    if deadline is None:
        return timeout, DEADLINE_PER_TIMEOUT * timeout
    return timeout, seconds('deadline', deadline)


def file_urls(base_url):
    """The four files' URLs under ``base_url``; a missing final ``/`` is added."""
    hint = (f'Give the URL of a folder holding the four files ({", ".join(FILES)}), '
            f'for example the publisher\'s {DOWNLOAD_URL} (the default); for postBuild, '
            f'set FASHION_MNIST_URL to it or leave FASHION_MNIST_URL unset.')
    if not isinstance(base_url, str) or not base_url.strip():
        raise DataArgumentError(f'The download URL (base_url) is {base_url!r}. {hint}')
    parts = urllib.parse.urlsplit(base_url.strip())
    if parts.scheme not in ('http', 'https', 'file') or (
            parts.scheme != 'file' and not parts.netloc):
        raise DataArgumentError(f'The download URL (base_url) {base_url!r} is not an '
                                f'http://, https:// or file:// URL. {hint}')
    base = base_url.strip()
    base = base if base.endswith('/') else base + '/'
    return {name: base + name for name in FILES}


def folder_error(folder, e, kept=()):
    """A ``DataError`` for a folder the files cannot be written to; ``kept`` are in place."""
    what = (f'{folder} is not a folder' if folder.exists() and not folder.is_dir()
            else f'Cannot write to {folder} ({e.strerror or e})')
    done = (f'{", ".join(kept)} were downloaded and kept, the others not' if kept
            else 'nothing was downloaded into it')
    return DataError(f'{what}: {done}. Pass another folder as root=..., or set MXNET_HOME '
                     f'to a folder you can write to.')


def check_targets(folder):
    """Refuse before downloading if a file's name in ``folder`` is taken by no regular file.

    Replacing it would destroy what the user put there (a folder, a FIFO, a link loop).
    """
    taken = [f'{folder / name} is {special_file(folder / name)}, not a regular file'
             for name in FILES if special_file(folder / name)]
    if taken:
        raise DataError(f'{"; ".join(taken)}: nothing was downloaded, so as not to replace '
                        f'it. Move it away, or pass another folder as root=....')


def check_target_again(target, kept):
    """Just before the rename: a special file that appeared since ``check_targets`` is kept.

    (Only the moment between this check and the rename is left unguarded.)
    """
    kind = special_file(target)
    if kind:
        done = (f'{", ".join(kept)} were downloaded and kept, the others not' if kept
                else 'nothing was kept')
        raise DataError(f'{target} is {kind}, not a regular file: it appeared during the '
                        f'download and was left in place; {done}. Move it away, or pass '
                        f'another folder as root=....')


def make_folder(folder):
    """Create ``folder`` and missing parents; return those created, deepest last."""
    created = []
    try:
        for path in [p for p in [folder, *folder.parents] if not p.exists()][::-1]:
            path.mkdir()
            created.append(path)
        if not folder.is_dir():
            raise NotADirectoryError(20, 'not a directory', str(folder))
    except OSError as e:
        remove_empty_folders(created)
        raise folder_error(folder, e) from None
    return created


def remove_empty_folders(created):
    """Remove the folders a failed call created, deepest first, if they are still empty."""
    for path in reversed(created):
        try:
            path.rmdir()
        except OSError:
            return  # not empty (or gone): keep it and its parents


def download_file(folder, name, url, timeout, watchdog, kept=()):
    """Make ``folder / name`` a verified copy of ``url``, unless it already is one."""
    remove_parts_of_ended_downloads(folder, name)
    target = folder / name
    if target.is_file():
        try:
            read_fashion_mnist_file(target)
            return
        except DataError:
            pass  # a bad copy is replaced below, once a good one is downloaded
    try:
        fd, tmp_name = create_part_file(folder, name)
    except OSError as e:
        raise folder_error(folder, e, kept) from None
    try:
        try:
            with os.fdopen(fd, 'wb') as tmp:
                fetch(url, tmp, folder, timeout, watchdog, max_compressed_size(*FILES[name][:2]))
                tmp.flush()
                os.fsync(tmp.fileno())  # on disk before it is renamed into place
        except OSError as e:  # network errors are DataErrors by now: this is the disk
            raise folder_error(folder, e, kept) from None
        read_fashion_mnist_file(
            tmp_name, name=name, source=f'the download of {url}',
            fix=f'Nothing was kept. Check that {url.rsplit("/", 1)[0]}/ serves the original '
                f'Fashion-MNIST files, or try again.')
        check_target_again(target, kept)
        try:
            os.replace(tmp_name, target)
        except OSError as e:
            raise folder_error(folder, e, kept) from None
    finally:
        if os.path.exists(tmp_name):
            os.remove(tmp_name)


def create_part_file(folder, name):
    """Create a new temporary file for ``name``; return ``(fd, path)``.

    Created with mode 0666 less the umask, as any file the user saves (``mkstemp``
    would make it 0600, and a shared data folder unreadable to others).
    """
    while True:
        path = os.path.join(folder, f'{part_prefix(name)}{os.getpid()}.{secrets.token_hex(4)}'
                                    f'.part')
        try:
            return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666), path
        except FileExistsError:
            continue  # another random name


def fetch(url, out, folder, timeout, watchdog, max_bytes):
    """Copy ``url`` into the open file ``out``, within the timeouts and at most ``max_bytes``."""
    try:
        with watchdog.opener.open(url, timeout=timeout) as response:
            expected = response.headers.get('Content-Length')
            if expected is not None and expected.isdigit() and int(expected) > max_bytes:
                raise DataError(f'{url} announces {expected} bytes, more than any copy of '
                                f'this file has ({max_bytes}): it is not Fashion-MNIST; '
                                f'nothing was kept. Check the URL.')
            received = copy_response(response, out, url, folder, watchdog, max_bytes)
    except (OSError, http.client.HTTPException, ValueError) as e:
        raise watchdog.network_error(url, e) from None
    if expected is not None and expected.isdigit() and received != int(expected):
        raise DataError(f'Downloading {url} stopped after {received} of {expected} bytes; '
                        f'nothing was kept. Try again.')


def copy_response(response, out, url, folder, watchdog, max_bytes):
    """Copy the body in chunks as they arrive; return the number of bytes."""
    received = 0
    while True:
        chunk = response.read1(CHUNK)  # returns what has arrived: the deadline is seen
        if watchdog.expired():
            raise watchdog.network_error(url)
        if not chunk:
            return received
        received += len(chunk)
        if received > max_bytes:
            raise DataError(f'{url} sent more than the {max_bytes} bytes any copy of this '
                            f'file has: it is not Fashion-MNIST; nothing was kept. '
                            f'Check the URL.')
        try:
            out.write(chunk)
        except OSError as e:
            raise folder_error(folder, e) from None


class Watchdog:
    """The overall deadline of a download: at that time every socket it opened is shut,
    so no read, connection or slow header blocks past it (only a name lookup can)."""

    def __init__(self, deadline):
        self.deadline = deadline
        self.stop_at = time.monotonic() + deadline
        self.sockets = []
        self.lock = threading.Lock()
        self.timer = threading.Timer(min(deadline, threading.TIMEOUT_MAX), self._shut_all)
        self.timer.daemon = True
        self.timer.start()
        self.opener = web_and_file_opener(self)

    def expired(self):
        return time.monotonic() >= self.stop_at

    def watch(self, sock):
        """Register a new socket; one opened after the deadline is shut at once."""
        with self.lock:
            self.sockets.append(sock)
        if self.expired():
            self._shut_all()

    def _shut_all(self):
        with self.lock:
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)  # wakes a blocked read in the other thread
                except OSError:
                    pass  # already closed

    def stop(self):
        self.timer.cancel()

    def network_error(self, url, e=None):
        """A ``DataError`` for a failed transfer, saying if the deadline ended it."""
        if self.expired():
            return DataError(
                f'Downloading {url} took longer than the deadline of {self.deadline:g} s; '
                f'nothing was kept. Try again later, pass a larger deadline=..., or use a '
                f'nearer mirror (base_url=..., or FASHION_MNIST_URL for postBuild).')
        reason = ' '.join(str(e).split())  # some errors quote a multi-line server reply
        return DataError(f'Downloading {url} failed ({reason}); nothing was kept. Check the URL '
                         f'and the network and try again. {HOW_TO_GET}')


def web_and_file_opener(watchdog):
    """An opener for http, https and file URLs only, redirects to http and https only.

    ``build_opener`` would add urllib's FTP and data handlers, whose sockets the watchdog
    never sees: a redirect to ftp:// could hold the call past its deadline.
    """
    opener = urllib.request.OpenerDirector()
    for handler in (urllib.request.ProxyHandler(), _WatchedHTTPHandler(watchdog),
                    _WatchedHTTPSHandler(watchdog), _RegularFileHandler(),
                    urllib.request.UnknownHandler(), urllib.request.HTTPDefaultErrorHandler(),
                    _WebRedirectHandler(), urllib.request.HTTPErrorProcessor()):
        opener.add_handler(handler)
    return opener


class _WebRedirectHandler(urllib.request.HTTPRedirectHandler):
    """Follows redirects to http:// and https:// only (urllib also follows ftp://)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme not in ('http', 'https'):
            raise urllib.error.HTTPError(
                newurl, code, f'{msg}: a redirect to {newurl}, but only http:// and https:// '
                              f'are followed', headers, fp)
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _watched(connection_class, watchdog):
    """``connection_class`` whose sockets are handed to ``watchdog`` once connected."""
    class Watched(connection_class):
        def connect(self):
            super().connect()
            watchdog.watch(self.sock)
    return Watched


class _WatchedHTTPHandler(urllib.request.HTTPHandler):
    def __init__(self, watchdog):
        super().__init__()
        self.connection_class = _watched(http.client.HTTPConnection, watchdog)

    def http_open(self, req):
        return self.do_open(self.connection_class, req)


class _WatchedHTTPSHandler(urllib.request.HTTPSHandler):
    def __init__(self, watchdog):
        super().__init__()
        self.connection_class = _watched(http.client.HTTPSConnection, watchdog)

    def https_open(self, req):
        return self.do_open(self.connection_class, req, context=self._context)


class _RegularFileHandler(urllib.request.FileHandler):
    """``file://`` URLs of regular files only, refused by type before they are opened: the
    open of a FIFO blocks past any deadline, and /dev/zero never ends."""

    def file_open(self, req):
        return self.open_local_file(req)  # its host check is the one below

    def open_local_file(self, req):
        if req.host not in ('', 'localhost') and not self.is_this_machine(req.host):
            raise urllib.error.URLError(f'file://{req.host}/... names another machine: a '
                                        f'file URL names a file here, as file:///folder/')
        path = urllib.request.url2pathname(req.selector)
        kind = special_file(path)
        if kind:
            raise urllib.error.URLError(f'{path} is {kind}, not a regular file')
        try:  # non-blocking, in case a FIFO was put in its place since the check above
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY)
        except OSError as e:
            raise urllib.error.URLError(e) from None
        body = os.fdopen(fd, 'rb')
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            body.close()
            raise urllib.error.URLError(f'{path} is {file_kind(info.st_mode)}, not a regular file')
        headers = email.message.Message()
        headers['Content-Length'] = str(info.st_size)
        return urllib.response.addinfourl(body, headers, req.full_url)

    def is_this_machine(self, host):
        """Whether ``host`` (no port) is one of this machine's addresses, as urllib decides."""
        name, port = urllib.parse.urlsplit(f'//{host}').hostname, None
        try:
            port = urllib.parse.urlsplit(f'//{host}').port
            address = socket.gethostbyname(name or '')
        except (OSError, ValueError):
            return False
        return port is None and address in self.get_names()


def part_prefix(name):
    """Temporary download files are ``.<name>.<host>.<pid>.<random>.part``."""
    return f'.{name}.{socket.gethostname()}.'


def remove_parts_of_ended_downloads(folder, name):
    """Remove this host's temporary files of ``name`` whose process no longer runs.

    A live download elsewhere (another kernel on the same folder) keeps its file.
    """
    prefix = part_prefix(name)
    for part in Path(folder).glob(glob.escape(prefix) + '*.part'):
        pid = part.name[len(prefix):].split('.')[0]
        if pid.isdigit() and is_plain_file(part) and not process_is_running(int(pid)):
            part.unlink(missing_ok=True)


def is_plain_file(path):
    """A regular file, not a link: a folder or link with a part file's name is not ours."""
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except OSError:
        return False


def process_is_running(pid):
    """Whether a process with this id exists (as any user)."""
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's process
    return True
