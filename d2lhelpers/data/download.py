"""Downloading Fashion-MNIST: pooch fetches each file, ``verify`` checks it, then it is renamed.

The *download* part of ``d2lhelpers.data``. pooch's ``HTTPDownloader`` does the transfer
(requests underneath: redirects, proxies, TLS, a timeout on each read) and draws tqdm's
progress bar. ``pooch.retrieve`` is not used: it hashes the *compressed* file (mirrors and
Debian recompress it, so the same data would fail) and moves its own temporary file (anonymous,
mode 0600) into place. Around the downloader this module adds what pooch does not guarantee:

- the temporary file beside the target, with the umask's mode, named by host and process so
  that the next call removes a killed run's; renamed into place only after the content check
  (``verify``, the one for files on disk);
- an overall deadline (``Watchdog``) and a size bound on each file;
- redirects followed to http and https only; an announced size that no copy has is refused;
- ``file://`` URLs, which pooch cannot open: a regular file only, refused by its type before it
  is opened (a FIFO's open blocks, /dev/zero never ends), then opened without blocking;
- target names taken by no regular file (a folder, a FIFO, a link loop) refused before anything
  is downloaded and again before each rename; folders the call created removed if left empty;
  files already present and valid kept;
- every failure as a ``DataError`` naming the URL or the folder and what to do.
"""
import functools
import glob
import http.client
import os
import secrets
import shutil
import socket
import stat
import sys
import threading
import time
import urllib.parse
import urllib.request
from contextvars import ContextVar
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


def download_fashion_mnist(root=None, base_url=DOWNLOAD_URL, timeout=30, deadline=None,
                           progressbar=None):
    """Download the four files from the publisher into ``root`` (default: mxnet's data folder).

    ``base_url`` is a folder URL (http, https or file) holding the four original files.
    ``timeout`` bounds each network read (seconds); ``deadline`` bounds the whole call
    (default ``20 * timeout``), so a server that sends slowly cannot hold it for long.
    ``progressbar`` True shows pooch's progress bar for each file fetched over http(s) (tqdm: a
    widget in a notebook, text on stderr elsewhere), False none; None (the default) shows them
    where a person watches, in a terminal or a notebook, not in a log, a test or CI.
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
    progressbar = shown_to_a_person() if progressbar is None else bool(progressbar)
    folder = root_folder(root) if root is not None else default_download_dir()
    created = make_folder(folder)
    watchdog = Watchdog(deadline)
    kept = []  # names in place, for an error that comes after some of them
    try:
        check_targets(folder)
        for name in FILES:
            download_file(folder, name, urls[name], kept, watchdog, timeout, progressbar)
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
    timeout = positive_seconds('timeout', timeout, DataArgumentError)
    return timeout, (DEADLINE_PER_TIMEOUT * timeout if deadline is None
                     else positive_seconds('deadline', deadline, DataArgumentError))


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
    if parts.scheme == 'file' and not is_this_machine(parts):
        raise DataArgumentError(f'The download URL (base_url) {base_url!r} names another '
                                f'machine: a file URL names a file here, as file:///folder/.')
    base = base_url.strip()
    base = base if base.endswith('/') else base + '/'
    return {name: base + name for name in FILES}


def is_this_machine(parts):
    """Whether a split ``file://`` URL names this machine (as urllib decides), without a port."""
    try:
        return parts.port is None and socket.gethostbyname(
            parts.hostname or 'localhost') in urllib.request.FileHandler().get_names()
    except (OSError, ValueError):
        return False


def shown_to_a_person():
    """Whether stderr goes to a person as it comes: a terminal, or a Jupyter notebook."""
    stderr = sys.stderr
    return stderr is not None and (type(stderr).__module__.startswith('ipykernel')
                                   or stderr.isatty())


def what_was_kept(kept):
    """For an error message: the files of this call already in place, if any."""
    return (f'{", ".join(kept)} were downloaded and kept, the others not' if kept
            else 'nothing was downloaded into it')


def folder_error(folder, e, kept=()):
    """A ``DataError`` for a folder the files cannot be written to; ``kept`` are in place."""
    what = (f'{folder} is not a folder' if folder.exists() and not folder.is_dir()
            else f'Cannot write to {folder} ({e.strerror or e})')
    return DataError(f'{what}: {what_was_kept(kept)}. Pass another folder as root=..., or set '
                     f'MXNET_HOME to a folder you can write to.')


def check_targets(folder):
    """Refuse before downloading if a file's name in ``folder`` is taken by no regular file."""
    refuse_taken_names(folder, FILES)


def refuse_taken_names(folder, names, kept=()):
    """Replacing a folder, a FIFO or a link loop would destroy what the user put there.

    Checked before downloading and again before each rename: only the moment between that
    check and the rename is left unguarded.
    """
    taken = [f'{folder / name} is {kind}, not a regular file'
             for name in names if (kind := special_file(folder / name))]
    if taken:
        raise DataError(f'{"; ".join(taken)}: {what_was_kept(kept)}, so as not to replace it. '
                        f'Move it away, or pass another folder as root=....')


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


def download_file(folder, name, url, kept, watchdog, timeout, progressbar):
    """Make ``folder / name`` a verified copy of ``url``, unless it already is one."""
    remove_parts_of_ended_downloads(folder, name)
    target = folder / name
    if target.is_file():
        try:
            read_fashion_mnist_file(target)
            return
        except DataError:
            pass  # a bad copy is replaced below, once a good one is downloaded
    tmp_name = None
    try:
        fd, tmp_name = create_part_file(folder, name)
        with os.fdopen(fd, 'wb') as tmp:
            Transfer(url, tmp, max_compressed_size(*FILES[name][:2]), watchdog,
                     lambda e: folder_error(folder, e, kept)).run(timeout, progressbar)
            tmp.flush()
            os.fsync(tmp.fileno())  # on disk before it is renamed into place
        read_fashion_mnist_file(
            tmp_name, name=name, source=f'the download of {url}',
            fix=f'Nothing was kept. Check that {url.rsplit("/", 1)[0]}/ serves the original '
                f'Fashion-MNIST files, or try again.')
        refuse_taken_names(folder, [name], kept)
        os.replace(tmp_name, target)
    except OSError as e:  # the network's and the source's are DataErrors by now: the disk's
        raise folder_error(folder, e, kept) from None
    finally:
        if tmp_name and os.path.exists(tmp_name):
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


class Transfer:
    """One file's copy from its URL into the open temporary file ``out``.

    It is the file object pooch's downloader writes to (each write checked against the size
    bound) and requests' hook on each reply's headers.
    """

    def __init__(self, url, out, max_bytes, watchdog, disk_error):
        self.url, self.out, self.max_bytes = url, out, max_bytes
        self.watchdog, self.disk_error = watchdog, disk_error  # disk_error(e): a failed write
        self.received, self.announced = 0, ''  # bytes written; the reply's Content-Length

    def run(self, timeout, progressbar):
        try:
            if self.url.startswith('file:'):
                self.copy_local_file()
            else:
                import pooch  # 0.35 s with requests and tqdm: paid by a download only
                pooch.HTTPDownloader(
                    timeout=timeout, progressbar=progressbar, chunk_size=CHUNK,
                    headers={'Accept-Encoding': 'identity'},  # the .gz file as published
                    hooks={'response': self.check_headers})(self.url, self, None)
        except Exception as e:  # requests' and the source file's errors are said in words
            error = e if isinstance(e, DataError) else self.failure(e)
        else:  # a reply cut at the deadline can look whole
            error = self.network_error() if self.watchdog.expired() else None
        if error:
            # Raised afresh out here, so pooch's frames go now: its progress bar is closed (its
            # line ended) before the error is shown, and its connection is released.
            raise error.with_traceback(None)

    def copy_local_file(self):
        """A ``file://`` URL's regular file: pooch's downloaders are for network URLs."""
        path = urllib.request.url2pathname(urllib.parse.urlsplit(self.url).path)
        kind = special_file(path)  # before opening: a FIFO's open blocks, /dev/zero never ends
        if kind:
            raise OSError(f'{path} is {kind}, not a regular file')
        # Opened without blocking, in case a FIFO was put in its place since the check above.
        with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY), 'rb') as source:
            mode = os.fstat(source.fileno()).st_mode
            if not stat.S_ISREG(mode):
                raise OSError(f'{path} is {file_kind(mode)}, not a regular file')
            shutil.copyfileobj(source, self, CHUNK)

    def check_headers(self, response, **_):
        """requests' hook: a redirect away from http(s), or a size no copy has, is refused."""
        if response.is_redirect:
            target = urllib.parse.urljoin(response.url, response.headers['Location'])
            if urllib.parse.urlsplit(target).scheme not in ('http', 'https'):
                raise self.network_error(f'a redirect to {target}, but only http:// and '
                                         f'https:// are followed')
            return
        length = response.headers.get('Content-Length', '')
        if length.isdigit() and int(length) > self.max_bytes:
            raise DataError(f'{self.url} announces {length} bytes, more than any copy of this '
                            f'file has ({self.max_bytes}): it is not Fashion-MNIST; nothing was '
                            f'kept. Check the URL.')
        self.announced = length

    def write(self, chunk):
        """Write ``chunk`` through to the file (a killed run leaves what it had received)."""
        self.received += len(chunk)
        if self.received > self.max_bytes:
            raise DataError(f'{self.url} sent more than the {self.max_bytes} bytes any copy of '
                            f'this file has: it is not Fashion-MNIST; nothing was kept. '
                            f'Check the URL.')
        try:
            self.out.write(chunk)
            self.out.flush()
        except OSError as e:
            raise self.disk_error(e) from None

    def flush(self):
        """pooch flushes after each write: ``write`` has done so."""

    def failure(self, e):
        """A ``DataError`` for ``e``: the deadline, a reply cut short, or the root cause."""
        chain = list(causes(e))
        response = getattr(e, 'response', None)  # requests' HTTPError: its status, not its URL
        reason = (f'HTTP Error {response.status_code}: {response.reason}' if response is not None
                  else chain[-1])
        if self.watchdog.expired() or not any(isinstance(c, http.client.IncompleteRead)
                                              for c in chain):
            return self.network_error(reason)
        total = f' of {self.announced}' if self.announced else ''
        return DataError(f'Downloading {self.url} stopped after {self.received}{total} bytes; '
                         f'nothing was kept. Try again.')

    def network_error(self, reason=None):
        """A ``DataError`` for a failed transfer, saying if the deadline ended it."""
        if self.watchdog.expired():
            return DataError(
                f'Downloading {self.url} took longer than the deadline of '
                f'{self.watchdog.deadline:g} s; nothing was kept. Try again later, pass a larger '
                f'deadline=..., or use a nearer mirror (base_url=..., or FASHION_MNIST_URL for '
                f'postBuild).')
        reason = ' '.join(str(reason).split())  # some errors quote a multi-line server reply
        return DataError(f'Downloading {self.url} failed ({reason}); nothing was kept. Check the '
                         f'URL and the network and try again. {HOW_TO_GET}')


def causes(e):
    """``e`` and the exceptions it was raised from, outermost first (the last says why)."""
    seen = set()
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        yield e
        e = e.__cause__ or e.__context__


class Watchdog:
    """The overall deadline of a download.

    Every socket made while it is the current one (pooch's downloader runs in the caller's
    thread) is handed to it by an audit hook. From the deadline on they are shut, again and
    again until the call ends (one still connecting is shut once connected), which wakes a
    blocked read, and no new socket can be made. Only a name lookup can outlast it.
    """

    def __init__(self, deadline):
        self.deadline, self.stop_at = deadline, time.monotonic() + deadline
        self.sockets, self.done = [], threading.Event()  # list: appended and copied atomically
        install_socket_hook()
        self.token = _current_watchdog.set(self)
        threading.Thread(target=self._shut_from_deadline, daemon=True).start()

    def expired(self):
        return time.monotonic() >= self.stop_at

    def watch(self, sock):
        if self.expired():
            raise TimeoutError(f'the deadline of {self.deadline:g} s has passed')
        self.sockets.append(sock)

    def _shut_from_deadline(self):
        wait = self.deadline
        while not self.done.wait(wait):
            self._shut_all()
            wait = 0.05

    def _shut_all(self):
        for sock in list(self.sockets):
            try:  # the plain socket's shutdown, under TLS too: it wakes a blocked read
                socket.socket.shutdown(sock, socket.SHUT_RDWR)
            except OSError:
                pass  # closed, or not connected

    def stop(self):
        """The call is over: its sockets are shut too, whatever still refers to them."""
        self.done.set()
        _current_watchdog.reset(self.token)
        self._shut_all()


_current_watchdog = ContextVar('the watchdog of the download running here', default=None)


def hand_over_new_socket(event, args):
    """Audit hook: a socket made during a download goes to its watchdog."""
    if event == 'socket.__new__' and (watchdog := _current_watchdog.get()) is not None:
        watchdog.watch(args[0])


@functools.cache
def install_socket_hook():
    """Once per process, at the first download: an audit hook cannot be removed."""
    sys.addaudithook(hand_over_new_socket)


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
        ours = part.is_file() and not part.is_symlink()  # a folder or a link is not a part file
        if pid.isdigit() and ours and not process_is_running(int(pid)):
            part.unlink(missing_ok=True)


def process_is_running(pid):
    """Whether a process with this id exists (as any user)."""
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's process
    return True
