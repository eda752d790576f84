"""d2lhelpers.data: IDX parsing, the search for the files, content checks, batches, downloads."""
import fcntl
import gzip
import http.server
import os
import pty
import re
import socket
import stat
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import tqdm
from mxnet import nd
from os_support import bind_unix_socket

import d2lhelpers as d2l
import d2lhelpers.data as data
import d2lhelpers.data.download as data_download
import d2lhelpers.data.files as data_files

LABELS = 'train-labels-idx1-ubyte.gz'
IMAGES = 'train-images-idx3-ubyte.gz'


def write_idx(path, magic, array, count=None, compress=True):
    """Write ``array`` (uint8) as an IDX file with the given header; gzip it unless told not to."""
    array = np.asarray(array, dtype=np.uint8)
    dims = [count if count is not None else array.shape[0], *array.shape[1:]]
    raw = np.array([magic, *dims], dtype='>u4').tobytes() + array.tobytes()
    opener = gzip.open if compress else open
    with opener(path, 'wb') as f:
        f.write(raw)
    return path


# --- IDX parsing on small files the tests write -------------------------------------

def test_read_idx_returns_images_and_labels_as_written(tmp_path):
    images = np.arange(3 * 28 * 28, dtype=np.uint8).reshape(3, 28, 28)
    labels = np.array([0, 9, 4], dtype=np.uint8)
    got_images, _ = data.read_idx(write_idx(tmp_path / 'i.gz', 2051, images), 2051, 3)
    got_labels, _ = data.read_idx(write_idx(tmp_path / 'l.gz', 2049, labels), 2049, 3)
    np.testing.assert_array_equal(got_images, images)
    np.testing.assert_array_equal(got_labels, labels)


@pytest.mark.parametrize('kwargs, expected', [
    (dict(magic=2051), 'magic number 2051, expected 2049'),
    (dict(count=4), 'holds 4 items, expected 3'),
    (dict(labels=[0, 10, 1]), 'label 10, outside 0-9'),
])
def test_read_idx_rejects_bad_headers_and_values(tmp_path, kwargs, expected):
    path = write_idx(tmp_path / LABELS, kwargs.get('magic', 2049),
                     kwargs.get('labels', [0, 1, 2]), count=kwargs.get('count'))
    with pytest.raises(data.DataError, match=expected) as info:
        data.read_idx(path, 2049, 3)
    assert str(path) in str(info.value) and 'get the file again' in str(info.value)


def test_read_idx_rejects_truncated_data(tmp_path):
    path = tmp_path / IMAGES
    raw = np.array([2051, 2, 28, 28], dtype='>u4').tobytes() + bytes(28 * 28 + 5)
    with gzip.open(path, 'wb') as f:
        f.write(raw)
    with pytest.raises(data.DataError, match='is truncated'):
        data.read_idx(path, 2051, 2)


def test_read_idx_rejects_a_file_that_is_not_gzip(tmp_path):
    path = write_idx(tmp_path / LABELS, 2049, [1, 2, 3], compress=False)
    with pytest.raises(data.DataError, match='not a complete gzip file') as info:
        data.read_idx(path, 2049, 3)
    assert str(path) in str(info.value)


# --- where the files are looked for ---------------------------------------------------

@pytest.fixture
def no_default_dirs(monkeypatch, tmp_path):
    """Point every default search place at empty folders."""
    monkeypatch.delenv('FASHION_MNIST_DIR', raising=False)
    monkeypatch.setenv('MXNET_HOME', str(tmp_path / 'mxnet-home'))
    monkeypatch.setattr(data_files, 'DEBIAN_DIR', tmp_path / 'debian')


def make_complete_dir(folder):
    folder.mkdir(parents=True)
    for name in data.FILES:
        (folder / name).touch()
    return folder


def test_search_order_is_root_then_variable_then_mxnet_home_then_debian(
        no_default_dirs, monkeypatch, tmp_path):
    debian = make_complete_dir(tmp_path / 'debian')
    assert data.find_fashion_mnist() == debian
    mxnet_home = make_complete_dir(tmp_path / 'mxnet-home' / 'datasets' / 'fashion-mnist')
    assert data.find_fashion_mnist() == mxnet_home
    variable = make_complete_dir(tmp_path / 'from-variable')
    monkeypatch.setenv('FASHION_MNIST_DIR', str(variable))
    assert data.find_fashion_mnist() == variable
    explicit = make_complete_dir(tmp_path / 'explicit')
    assert data.find_fashion_mnist(root=explicit) == explicit


def test_no_data_anywhere_names_every_place_and_the_fixes(no_default_dirs, tmp_path,
                                                         connections):
    with pytest.raises(data.DataError) as info:
        d2l.load_data_fashion_mnist(256)
    assert connections == []  # says what to do at once, instead of trying a download
    message = str(info.value)
    assert str(tmp_path / 'debian') in message and 'mxnet-home' in message
    assert 'dataset-fashion-mnist' in message and 'FASHION_MNIST_DIR' in message


def test_an_explicit_root_is_the_only_place_looked_at(no_default_dirs, tmp_path):
    make_complete_dir(tmp_path / 'debian')
    with pytest.raises(data.DataError, match='the root argument'):
        data.find_fashion_mnist(root=tmp_path / 'elsewhere')


def test_a_missing_file_is_named(no_default_dirs, monkeypatch, tmp_path):
    folder = make_complete_dir(tmp_path / 'partial')
    (folder / LABELS).unlink()
    monkeypatch.setenv('FASHION_MNIST_DIR', str(folder))
    with pytest.raises(data.DataError, match=f'lacks {LABELS}'):
        d2l.load_data_fashion_mnist(256)


def run_python(command_for, code):
    """Run Python ``code`` with the package importable, through ``command_for`` (unprivileged)."""
    return subprocess.run(command_for([sys.executable, '-c', code]), capture_output=True,
                          text=True, timeout=60,
                          env={**os.environ, 'MPLCONFIGDIR': tempfile.mkdtemp()})


@pytest.mark.parametrize('locked, expected', [
    ('folder', 'cannot be read: check its permissions'),
    (LABELS, 'cannot be read: check its permissions'),
])
def test_an_unreadable_folder_or_file_is_named(unprivileged, tmp_path, locked, expected):
    folder = tmp_path / 'locked'
    folder.mkdir()
    for name in data.FILES:
        write_idx(folder / name, 2049, [0])
        (folder / name).chmod(0o644)
    target = folder if locked == 'folder' else folder / locked
    target.chmod(0)
    folder.chmod(0 if locked == 'folder' else 0o755)
    result = run_python(
        unprivileged,
        'import d2lhelpers\n'
        'try:\n'
        f'    d2lhelpers.load_data_fashion_mnist(256, root={str(folder)!r})\n'
        'except d2lhelpers.DataError as e:\n'
        '    print(e)\n')
    assert result.returncode == 0, result.stderr
    assert expected in result.stdout and str(target) in result.stdout, result.stdout


# --- the real data --------------------------------------------------------------------

def test_real_data_has_the_published_counts_and_balance(real_dir):
    train_images, train_labels, test_images, test_labels = d2l.load_fashion_mnist_arrays()
    assert train_images.shape == (60000, 28, 28) and test_images.shape == (10000, 28, 28)
    assert np.bincount(train_labels).tolist() == [6000] * 10
    assert np.bincount(test_labels).tolist() == [1000] * 10


def test_batches_look_like_d2lzh_batches(real_dir):
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    X, y = next(iter(train_iter))
    assert X.shape == (256, 1, 28, 28) and X.dtype == np.float32 and y.dtype == np.int32
    assert 0 <= X.min().asscalar() and X.max().asscalar() <= 1
    assert len(train_iter) == 234 and len(test_iter) == 40
    assert sum(y.shape[0] for _, y in test_iter) == 10000


def test_training_batches_are_all_full_and_each_epoch_drops_other_examples(real_dir):
    train_iter, _ = d2l.load_data_fashion_mnist(256)
    train_iter.features = nd.arange(60000).reshape((60000, 1))  # the index in place of the image
    np.random.seed(0)
    epochs = [[X.asnumpy().ravel().astype(int) for X, _ in train_iter] for _ in range(2)]
    for batches in epochs:
        assert len(batches) == 234 and {len(b) for b in batches} == {256}
        assert len(set(np.concatenate(batches))) == 234 * 256
    dropped = [set(range(60000)) - set(np.concatenate(batches)) for batches in epochs]
    assert len(dropped[0]) == 96 and dropped[0] != dropped[1]


def test_keep_gives_d2lzh_batches_with_a_smaller_last_one(real_dir):
    train_iter, _ = d2l.load_data_fashion_mnist(256, last_batch='keep')
    sizes = [y.shape[0] for _, y in train_iter]
    assert len(train_iter) == len(sizes) == 235 and sizes[-1] == 96 and sum(sizes) == 60000


def test_test_batches_equal_mxnet_own_parsing_and_totensor(real_dir, monkeypatch):
    """The same pixels as gluon's FashionMNIST + ToTensor, which d2lzh uses."""
    from mxnet.gluon.data.vision import datasets, transforms
    monkeypatch.setattr(datasets, 'download',
                        lambda url, path=None, **kw: str(real_dir / url.rsplit('/', 1)[-1]))
    theirs = datasets.FashionMNIST(root=str(real_dir), train=False)
    _, test_iter = d2l.load_data_fashion_mnist(100)
    X, y = next(iter(test_iter))
    their_X = nd.stack(*[transforms.ToTensor()(theirs[i][0]) for i in range(100)])
    np.testing.assert_array_equal(X.asnumpy(), their_X.asnumpy())
    np.testing.assert_array_equal(y.asnumpy(), [theirs[i][1] for i in range(100)])


def test_every_epoch_is_a_new_shuffle_of_all_examples_repeatable_by_seed(real_dir):
    train_iter, _ = d2l.load_data_fashion_mnist(1000)
    np.random.seed(0)
    first = np.concatenate([y.asnumpy() for _, y in train_iter])
    second = np.concatenate([y.asnumpy() for _, y in train_iter])
    np.random.seed(0)
    again = np.concatenate([y.asnumpy() for _, y in train_iter])
    assert np.bincount(first).tolist() == [6000] * 10
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(first, again)


def test_resize_gives_the_requested_size(real_dir):
    _, test_iter = d2l.load_data_fashion_mnist(8, resize=32)
    X, _ = next(iter(test_iter))
    assert X.shape == (8, 1, 32, 32)


# --- damaged copies of the real files ---------------------------------------------------

def damage_truncate(path):
    raw = path.read_bytes()
    path.write_bytes(raw[:len(raw) // 2])


def damage_not_gzip(path):
    path.write_bytes(b'<html>404 Not Found</html>')


def damage_magic(path):
    write_idx(path, 2051, np.zeros(60000, dtype=np.uint8))


def damage_count(path):
    write_idx(path, 2049, np.zeros(59999, dtype=np.uint8))


def damage_label(path):
    labels = np.zeros(60000, dtype=np.uint8)
    labels[123] = 11
    write_idx(path, 2049, labels)


def damage_content(path):
    with gzip.open(path, 'rb') as f:
        raw = bytearray(f.read())
    raw[-1] = (raw[-1] + 1) % 10
    with gzip.open(path, 'wb') as f:
        f.write(bytes(raw))


@pytest.mark.parametrize('damage, expected', [
    (damage_truncate, 'not a complete gzip file'),
    (damage_not_gzip, 'not a complete gzip file'),
    (damage_magic, 'magic number 2051, expected 2049'),
    (damage_count, 'holds 59999 items, expected 60000'),
    (damage_label, 'label 11, outside 0-9'),
    (damage_content, 'content differs from the published Fashion-MNIST'),
])
def test_a_damaged_file_gives_an_error_naming_it_and_the_fix(real_copy, damage, expected,
                                                            connections):
    damage(real_copy / LABELS)
    with pytest.raises(data.DataError, match=expected) as info:
        d2l.load_data_fashion_mnist(256, root=real_copy)
    assert connections == []  # a damaged file is reported, not fetched again behind the user's back
    message = str(info.value)
    assert str(real_copy / LABELS) in message
    assert 'dataset-fashion-mnist' in message and 'FASHION_MNIST_DIR' in message


# --- downloads from a local server -------------------------------------------------------

def assert_no_partial_files(folder):
    """Only complete files, if anything (a folder the call created is removed if empty)."""
    if folder.exists():
        assert [p.name for p in folder.iterdir() if p.name not in data.FILES] == []


def test_download_writes_verified_files_and_they_load(server, tmp_path):
    folder = d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url)
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FILES)
    assert d2l.load_fashion_mnist_arrays(root=folder)[1].shape == (60000,)


def test_a_progress_bar_per_file_is_shown_when_asked_and_not_in_tests(server, tmp_path, capsys):
    """pooch's bar (tqdm) on stderr; by default only where a person watches, so not here."""
    d2l.download_fashion_mnist(tmp_path / 'quiet', base_url=server.url)
    assert capsys.readouterr().err == ''
    d2l.download_fashion_mnist(tmp_path / 'shown', base_url=server.url, progressbar=True)
    bars = capsys.readouterr().err.strip('\n').split('\n')  # a bar redraws itself after '\r'
    assert len(bars) == len(data.FILES), bars
    for bar, name in zip(bars, data.FILES):
        size = tqdm.tqdm.format_sizeof(len(server.files[name]))  # as the bar writes it: 26.4M
        assert re.search(rf'100%\|.*\| {re.escape(f"{size}/{size}")}', bar.rsplit('\r')[-1]), bar


@pytest.mark.parametrize('mode, expected', [('drop', 'stopped after'), ('endless', 'sent more')])
def test_a_failed_download_ends_its_progress_bar_before_its_error(
        server, tmp_path, capsys, mode, expected):
    """Else the traceback starts on the bar's line, and the bar is drawn again after it."""
    server.mode = mode  # an error from requests; a DataError raised in pooch's loop
    with pytest.raises(data.DataError, match=expected) as error:
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url, progressbar=True)
    shown = capsys.readouterr().err  # while the error is still there to be shown
    assert shown.endswith('\n') and shown.count('\n') == 1 and error.value, shown


def test_a_terminal_gets_the_progress_bars_by_default(server, tmp_path):
    """Where a person watches: a download whose stderr is a terminal (a pty here) shows them."""
    controller, terminal = pty.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))  # a window's size
    shown = []
    reader = threading.Thread(target=lambda: shown.append(read_until_closed(controller)))
    reader.start()
    child = subprocess.run(
        [sys.executable, '-c', f'import d2lhelpers; d2lhelpers.download_fashion_mnist('
                               f'{str(tmp_path)!r}, base_url={server.url!r})'],
        stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=terminal, timeout=120)
    os.close(terminal)
    reader.join(timeout=60)
    assert child.returncode == 0
    for name in data.FILES:
        size = tqdm.tqdm.format_sizeof(len(server.files[name]))
        assert re.search(rf'100%\|[^\r\n]*\| {re.escape(f"{size}/{size}")} ', shown[0]), name


def read_until_closed(fd):
    """All a pty's controller reads until its terminal side is closed everywhere."""
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 1 << 16)
        except OSError:  # EIO: no process holds the terminal any more
            chunk = b''
        if not chunk:
            os.close(fd)
            return b''.join(chunks).decode()
        chunks.append(chunk)


@pytest.mark.parametrize('mode, expected', [
    ('wrong', 'differs from the published Fashion-MNIST'),
    ('drop', 'stopped after'),
    ('stall', 'timed out'),
])
def test_a_failed_download_leaves_nothing_and_the_next_one_succeeds(
        server, real_dir, tmp_path, mode, expected):
    folder = tmp_path / 'dl'
    if mode == 'wrong':
        server.files[LABELS] = gzip.compress(gzip.decompress(server.files[LABELS])[:-1] + b'\x00')
    else:
        server.mode = mode
    with pytest.raises(data.DataError, match=expected):
        d2l.download_fashion_mnist(folder, base_url=server.url, timeout=1)
    assert_no_partial_files(folder)
    assert not (folder / LABELS).exists()

    server.mode = 'good'
    server.files[LABELS] = (real_dir / LABELS).read_bytes()
    d2l.download_fashion_mnist(folder, base_url=server.url)
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FILES)


def test_a_download_killed_midway_leaves_no_file_and_the_next_one_cleans_up(server, tmp_path):
    """A kernel restarted during a download: the next call removes its temporary file."""
    folder = tmp_path / 'dl'
    server.mode = 'half then wait'
    download = (f'import d2lhelpers; d2lhelpers.download_fashion_mnist('
                f'{str(folder)!r}, base_url={server.url!r}, timeout=60)')
    child = subprocess.Popen([sys.executable, '-c', download])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # until the first half has reached the disk
        if any(part.stat().st_size for part in folder.glob('.*.part')):
            break
        time.sleep(0.1)
    child.kill()
    child.wait()
    left_over = list(folder.glob('.*.part'))
    assert len(left_over) == 1 and str(child.pid) in left_over[0].name
    assert not any((folder / name).exists() for name in data.FILES)

    server.mode = 'good'
    d2l.download_fashion_mnist(folder, base_url=server.url)
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FILES)


def test_the_temporary_file_of_a_running_download_is_kept(tmp_path):
    ended = subprocess.run([sys.executable, '-c', 'import os; print(os.getpid())'],
                           capture_output=True, text=True, check=True)
    running = tmp_path / f'{data_download.part_prefix(LABELS)}{os.getpid()}.abc.part'
    stale = tmp_path / f'{data_download.part_prefix(LABELS)}{ended.stdout.strip()}.abc.part'
    running.touch()
    stale.touch()
    data_download.remove_parts_of_ended_downloads(tmp_path, LABELS)
    assert running.exists() and not stale.exists()


# --- argument errors ---------------------------------------------------------------------

@pytest.mark.parametrize('batch_size, error', [(0, ValueError), (-5, ValueError),
                                               (2.5, TypeError), ('256', TypeError)])
def test_load_data_rejects_a_bad_batch_size_before_reading_anything(batch_size, error):
    with pytest.raises(error, match='batch_size'):
        d2l.load_data_fashion_mnist(batch_size, root='/nonexistent')


def test_load_data_rejects_a_bad_last_batch_before_reading_anything():
    with pytest.raises(ValueError, match="last_batch must be 'keep' or 'discard', got 'rollover'"):
        d2l.load_data_fashion_mnist(256, root='/nonexistent', last_batch='rollover')


def test_discarding_with_a_batch_larger_than_the_data_is_refused():
    with pytest.raises(ValueError, match='batch_size 8 is larger than the 4 examples'):
        data.ArrayBatches(nd.ones((4, 2)), nd.ones(4), 8, last_batch='discard')
    assert len(data.ArrayBatches(nd.ones((4, 2)), nd.ones(4), 8)) == 1


def test_batches_reject_features_and_labels_of_different_lengths():
    with pytest.raises(ValueError, match='features has 4 examples but labels has 3'):
        data.ArrayBatches(nd.ones((4, 2)), nd.ones(3), 2)


@pytest.mark.parametrize('resize', [0, -3, 2.5, 'a', (28,), (28, 0), (28, 28, 1), [0, 5], True,
                                    (28.0, 28)])
def test_a_bad_resize_is_refused_before_reading_anything(resize):
    with pytest.raises(ValueError, match=r'resize must be None, a positive int .* or a pair '
                                         r'of positive ints') as info:
        d2l.load_data_fashion_mnist(256, resize=resize, root='/nonexistent')
    assert isinstance(info.value, d2l.DataError) and repr(resize) in str(info.value)


def test_a_resize_whose_batches_cannot_fit_in_memory_is_refused_up_front():
    with pytest.raises(ValueError, match='resize=.*batch_size 256 makes batches of 34.9 GiB'):
        d2l.load_data_fashion_mnist(256, resize=(6000, 6100), root='/nonexistent')


@pytest.mark.parametrize('root', ['', '  ', 5])
def test_an_empty_or_wrong_root_is_refused(tmp_path, monkeypatch, root):
    """An empty root (say, an unset variable) would otherwise mean the current folder."""
    monkeypatch.chdir(tmp_path)
    for call in (lambda: d2l.load_data_fashion_mnist(256, root=root),
                 lambda: d2l.download_fashion_mnist(root, base_url='http://127.0.0.1:9/')):
        with pytest.raises(ValueError, match='root must be the path of a folder') as info:
            call()
        assert isinstance(info.value, d2l.DataError)
    assert list(tmp_path.iterdir()) == []


# --- memory: a gzip bomb, resizing, an allocation that fails -------------------------------

def run_limited(code, address_space_gib=None, file_size=None):
    """Run Python ``code`` in a child with limits on its address space or file size."""
    limits = 'import resource, signal\n'
    if address_space_gib is not None:  # beyond what the child has mapped after its imports
        limits += ('import d2lhelpers.data.batches\n'  # MXNet too: the code makes batches
                   'vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") '
                   'if l.startswith("VmSize"))\n'
                   f'limit = vm + int({address_space_gib} * 2**30)\n'
                   'resource.setrlimit(resource.RLIMIT_AS, (limit, limit))\n')
    if file_size is not None:  # a full disk: writes fail with EFBIG instead of a signal
        limits += ('signal.signal(signal.SIGXFSZ, signal.SIG_IGN)\n'
                   f'resource.setrlimit(resource.RLIMIT_FSIZE, ({file_size}, {file_size}))\n')
    # VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the forking pytest process.
    peak = ('\nprint("peak MiB", next(int(l.split()[1]) // 1024 for l in open("/proc/self/status")'
            ' if l.startswith("VmHWM")))')
    return subprocess.run([sys.executable, '-c', limits + code + peak], capture_output=True,
                          text=True, timeout=300,
                          env={**os.environ, 'MPLCONFIGDIR': tempfile.mkdtemp()})


def peak_mib(result):
    return int(result.stdout.rsplit('peak MiB', 1)[1])


@pytest.fixture(scope='session')
def bomb_dir(tmp_path_factory):
    """Four files whose training images have a valid header but inflate to 2 GiB (2 MB of gzip).

    Gzip members concatenate: one member with the header, then 128 members of 16 MiB zeros.
    """
    folder = tmp_path_factory.mktemp('bomb')
    for name, (magic, count, _) in data.FILES.items():
        shape = (count, 28, 28) if magic == 2051 else (count,)
        write_idx(folder / name, magic, np.zeros(shape, dtype=np.uint8))
    header = np.array([2051, 60000, 28, 28], dtype='>u4').tobytes()
    zeros = gzip.compress(bytes(16 << 20))
    (folder / IMAGES).write_bytes(gzip.compress(header) + zeros * 128)
    return folder


def test_a_gzip_bomb_fails_at_once_naming_the_file_with_bounded_memory(bomb_dir):
    """Before: the whole 2 GiB was inflated (4.2 GiB of memory), or a bare MemoryError."""
    result = run_limited(
        'import d2lhelpers\n'
        'try:\n'
        f'    d2lhelpers.load_data_fashion_mnist(256, root={str(bomb_dir)!r})\n'
        'except d2lhelpers.DataError as e:\n'
        '    print("DataError:", e)\n', address_space_gib=1.5)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'DataError: {bomb_dir / IMAGES} holds more than the 47040000 bytes of data its ' \
           f'header announces' in result.stdout
    assert peak_mib(result) < 500, result.stdout  # the real file's 45 MiB plus mxnet


def test_out_of_memory_while_reading_is_a_data_error_naming_the_file(tmp_path, monkeypatch):
    """As under a memory limit (ulimit -v): the error names the file, not a bare MemoryError."""
    path = write_idx(tmp_path / LABELS, 2049, [0, 1, 2])

    def no_memory(*args, **kwargs):
        raise MemoryError
    monkeypatch.setattr(gzip.GzipFile, 'read', no_memory)
    with pytest.raises(data.DataError, match=f'Not enough memory to read {path}'):
        data.read_idx(path, 2049, 3)


def test_out_of_memory_for_the_float_images_is_a_data_error(real_dir):
    """mxnet's own failure would be "Failed to allocate CPU Memory", naming nothing."""
    result = run_limited(
        'import os, sys\n'
        'import d2lhelpers.data.batches  # MXNet is mapped before the limit is set\n'
        'd2lhelpers.load_fashion_mnist_arrays()\n'
        'vm = next(int(l.split()[1]) * 1024 for l in open("/proc/self/status") '
        'if l.startswith("VmSize"))\n'
        'resource.setrlimit(resource.RLIMIT_AS, (vm + 100 * 2**20, vm + 100 * 2**20))\n'
        'try:\n'
        '    d2lhelpers.load_data_fashion_mnist(256)\n'
        'except d2lhelpers.DataError as e:\n'
        '    print("DataError:", e)\n'
        'sys.stdout.flush()\n'
        'os._exit(0)  # mxnet cannot shut down cleanly under the limit\n')
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'DataError: Not enough memory to hold Fashion-MNIST as float32 (209 MiB)' \
        in result.stdout


def test_a_file_larger_than_any_gzip_of_it_is_refused_before_decompressing(tmp_path):
    path = tmp_path / LABELS
    path.write_bytes(bytes(200_000))  # the labels' gzip is at most 60 KB + a margin
    with pytest.raises(data.DataError, match='is 200000 bytes, more than any gzip of this '
                                             'file can be') as info:
        data.read_fashion_mnist_file(path)
    assert str(path) in str(info.value)


def test_decompressed_data_beyond_the_header_count_is_refused(tmp_path):
    path = write_idx(tmp_path / LABELS, 2049, [0, 1, 2, 3], count=3)
    with pytest.raises(data.DataError, match='more than the 3 bytes of data its header'):
        data.read_idx(path, 2049, 3)


def test_resize_224_is_done_per_batch_and_fits_in_memory(real_dir):
    """Before: all 70,000 images were resized at once, about 14 GB. A resized batch
    must equal the same images resized all at once."""
    result = run_limited(
        'import numpy as np\n'
        'from mxnet import nd\n'
        'import d2lhelpers\n'
        'train_iter, test_iter = d2lhelpers.load_data_fashion_mnist(256, resize=224)\n'
        'X, y = next(iter(train_iter))\n'
        'X_test, _ = next(iter(test_iter))\n'
        'print("shapes", X.shape, X_test.shape, X.dtype.__name__)\n'
        'images = d2lhelpers.load_fashion_mnist_arrays()[2][:256]\n'
        'whole = nd.contrib.BilinearResize2D(d2lhelpers.data.to_tensor(images), height=224, '
        'width=224)\n'
        'print("equal", np.array_equal(X_test.asnumpy(), whole.asnumpy()))\n',
        address_space_gib=3)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'shapes (256, 1, 224, 224) (256, 1, 224, 224) float32' in result.stdout
    assert 'equal True' in result.stdout
    assert peak_mib(result) < 1024, result.stdout


# --- downloads: deadlines, bad URLs and folders, one verification path ------------------------

def test_a_trickling_server_is_stopped_at_the_overall_deadline(server, tmp_path):
    """64 KiB/s never trips the 1 s read timeout; the 2 s deadline ends the download."""
    server.mode = 'trickle'
    folder = tmp_path / 'dl'
    with pytest.raises(data.DataError, match='took longer than the deadline of 2 s') as info:
        d2l.download_fashion_mnist(folder, base_url=server.url, timeout=1, deadline=2)
    # the download gave up while the server was still sending (it would go on for 30 s)
    assert server.client_left.wait(timeout=server.bound)
    assert server.url + IMAGES in str(info.value)
    assert not folder.exists()


def test_slow_headers_are_stopped_at_the_overall_deadline(server, tmp_path):
    server.mode = 'slow headers'
    with pytest.raises(data.DataError, match='took longer than the deadline'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url, timeout=1, deadline=2)
    assert server.client_left.wait(timeout=server.bound)  # it left while headers still came


def test_the_default_deadline_follows_the_timeout():
    assert data_download.validate_times(1, None) == (1.0, 20.0)
    assert data_download.validate_times(30, None) == (30.0, 600.0)


@pytest.mark.parametrize('timeout, deadline', [(0, None), (-1, None), ('1', None),
                                               (float('nan'), None), (1, 0), (1, 'soon')])
def test_bad_timeouts_are_refused(tmp_path, timeout, deadline):
    with pytest.raises(data.DataError, match='must be a positive number of seconds'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url='http://127.0.0.1:9/',
                                   timeout=timeout, deadline=deadline)
    assert not (tmp_path / 'dl').exists()


@pytest.mark.parametrize('base_url', ['', '   ', None, 'example.org/fashion-mnist/',
                                      'ftp://example.org/', 'http:///nohost/'])
def test_a_bad_base_url_is_a_data_error_saying_what_to_give(tmp_path, base_url):
    """An empty FASHION_MNIST_URL in postBuild arrives here as ''."""
    with pytest.raises(data.DataError, match='The download URL') as info:
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url=base_url)
    assert repr(base_url) in str(info.value) and 'FASHION_MNIST_URL' in str(info.value)
    assert not (tmp_path / 'dl').exists()


def test_a_base_url_without_its_final_slash_works(server, tmp_path):
    folder = d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url.rstrip('/'))
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FILES)


@pytest.mark.parametrize('url_tail, expected', [('missing/', 'HTTP Error 404'),
                                                (None, 'Connection refused')])
def test_a_failed_download_names_the_url_and_removes_only_the_folders_it_created(
        server, tmp_path, url_tail, expected):
    base_url = server.url + url_tail if url_tail else 'http://127.0.0.1:9/'
    with pytest.raises(data.DataError, match=expected) as info:
        d2l.download_fashion_mnist(tmp_path / 'a' / 'b', base_url=base_url, timeout=5)
    assert base_url + IMAGES in str(info.value) and 'Check the URL' in str(info.value)
    assert not (tmp_path / 'a').exists()
    for folder, contents in [(tmp_path / 'mine', ['notes.txt']), (tmp_path / 'empty', [])]:
        folder.mkdir()
        for name in contents:
            (folder / name).write_text('mine')
        with pytest.raises(data.DataError, match=expected):
            d2l.download_fashion_mnist(folder, base_url=base_url, timeout=5)
        assert sorted(p.name for p in folder.iterdir()) == contents


@pytest.mark.parametrize('where', ['file', 'under a file'])
def test_a_folder_that_is_a_file_is_a_data_error_and_the_file_is_untouched(tmp_path, where):
    a_file = tmp_path / 'data.gz'
    a_file.write_bytes(b'precious')
    folder = a_file if where == 'file' else a_file / 'fashion-mnist'
    with pytest.raises(data.DataError, match='nothing was downloaded into it') as info:
        d2l.download_fashion_mnist(folder, base_url='http://127.0.0.1:9/')
    assert str(folder) in str(info.value) and 'root=' in str(info.value)
    assert a_file.read_bytes() == b'precious'


def test_an_unwritable_folder_is_a_data_error_naming_it(unprivileged, tmp_path):
    folder = tmp_path / 'locked'
    folder.mkdir(mode=0o555)
    result = run_python(
        unprivileged,
        'import d2lhelpers\n'
        'try:\n'
        f'    d2lhelpers.download_fashion_mnist({str(folder)!r}, base_url="http://127.0.0.1:9/")\n'
        'except d2lhelpers.DataError as e:\n'
        '    print("DataError:", e)\n')
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'DataError: Cannot write to {folder} (Permission denied)' in result.stdout
    assert list(folder.iterdir()) == []


def test_a_full_disk_during_a_download_names_the_folder_and_leaves_nothing(server, tmp_path):
    folder = tmp_path / 'dl'
    result = run_limited(
        'import d2lhelpers\n'
        'try:\n'
        f'    d2lhelpers.download_fashion_mnist({str(folder)!r}, base_url={server.url!r})\n'
        'except d2lhelpers.DataError as e:\n'
        '    print("DataError:", e)\n', file_size=1 << 20)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'DataError: Cannot write to {folder} (File too large)' in result.stdout
    assert not folder.exists()


def test_a_server_sending_more_than_the_file_is_stopped(server, tmp_path):
    server.mode = 'endless'  # no Content-Length, then 200 MB: more than any copy of the file
    with pytest.raises(data.DataError, match='sent more than the 47152592 bytes any copy'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url, timeout=5)
    assert not (tmp_path / 'dl').exists()


def test_a_download_announcing_more_than_the_file_is_refused_at_once(server, tmp_path):
    server.files[LABELS] = bytes(10 << 20)
    with pytest.raises(data.DataError, match='announces 10485760 bytes, more than any copy'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url)
    assert_no_partial_files(tmp_path / 'dl')


@pytest.mark.parametrize('damage', [damage_truncate, damage_not_gzip, damage_magic,
                                    damage_count, damage_label, damage_content])
def test_a_download_gets_the_same_diagnosis_as_the_file_on_disk(
        server, real_copy, tmp_path, damage):
    """One verification path: what is wrong is said in the same words either way."""
    damage(real_copy / LABELS)
    with pytest.raises(data.DataError) as on_disk:
        data.read_fashion_mnist_file(real_copy / LABELS)
    problem = str(on_disk.value).split(str(real_copy / LABELS), 1)[1].split('. Delete')[0]
    server.files[LABELS] = (real_copy / LABELS).read_bytes()
    with pytest.raises(data.DataError) as downloaded:
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url=server.url)
    assert f'The download of {server.url + LABELS}{problem}. Nothing was kept' \
        in str(downloaded.value)
    assert_no_partial_files(tmp_path / 'dl')


# --- special files: FIFOs, sockets, devices and folders where a data file should be ------------

def make_special(path, kind):
    """Put a file of ``kind`` at ``path``; the bound socket is returned to keep it open."""
    if kind == 'FIFO':
        os.mkfifo(path)
    elif kind == 'socket':
        return bind_unix_socket(path)
    elif kind == 'link to /dev/zero':
        path.symlink_to('/dev/zero')
    elif kind == 'folder':
        path.mkdir()
    elif kind == 'link to nothing':
        path.symlink_to(path.parent / 'no-such-file')
    return None


KIND_WORDS = {'FIFO': 'a FIFO (named pipe)', 'socket': 'a socket',
              'link to /dev/zero': 'a character device', 'folder': 'a folder',
              'link to nothing': 'a link to a missing file'}


def run_apart(code, timeout=60):
    """Run Python ``code`` in a child; the timeout only keeps a blocked child from hanging."""
    return subprocess.run([sys.executable, '-c', code], capture_output=True, text=True,
                          timeout=timeout, env={**os.environ, 'MPLCONFIGDIR': tempfile.mkdtemp()})


def print_data_error(call):
    return ('import d2lhelpers\n'
            'try:\n'
            f'    {call}\n'
            'except d2lhelpers.DataError as e:\n'
            '    print("DataError:", e)\n')


@pytest.mark.parametrize('kind', ['FIFO', 'socket', 'link to /dev/zero', 'folder'])
def test_a_file_url_to_a_special_file_is_refused_by_type_before_it_is_opened(tmp_path, kind):
    """Issue 20: a file:// base whose files are FIFOs blocked past the deadline."""
    source = tmp_path / 'source'
    source.mkdir()
    keep = [make_special(source / name, kind) for name in data.FILES]
    folder = tmp_path / 'dl'
    result = run_apart(print_data_error(
        f'd2lhelpers.download_fashion_mnist({str(folder)!r}, base_url={source.as_uri()!r}, '
        f'timeout=1, deadline=5)'))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'DataError: Downloading {source.as_uri()}/{IMAGES} failed' in result.stdout
    assert f'{source / IMAGES} is {KIND_WORDS[kind]}, not a regular file' in result.stdout
    assert not folder.exists()
    del keep


def test_a_file_url_to_the_real_files_downloads_them(real_dir, tmp_path):
    folder = d2l.download_fashion_mnist(tmp_path / 'dl', base_url=real_dir.as_uri())
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FILES)


@pytest.mark.parametrize('kind', ['FIFO', 'socket', 'link to /dev/zero', 'folder',
                                  'link to nothing'])
def test_a_data_file_that_is_no_regular_file_is_named_by_its_kind_not_as_missing(tmp_path, kind):
    """Issue 20: a FIFO among the files was reported as lacking."""
    folder = make_complete_dir(tmp_path / 'data')
    (folder / LABELS).unlink()
    keep = make_special(folder / LABELS, kind)
    with pytest.raises(data.DataError) as info:
        data.find_fashion_mnist(root=folder)
    message = str(info.value)
    assert f'{folder / LABELS} is {KIND_WORDS[kind]}, not a regular file (the root argument)' \
        in message and 'lacks' not in message
    del keep


@pytest.mark.parametrize('kind', ['FIFO', 'socket', 'link to /dev/zero'])
def test_reading_a_special_file_is_refused_by_type_and_never_blocks(tmp_path, kind):
    path = tmp_path / LABELS
    keep = make_special(path, kind)
    result = run_apart(print_data_error(f'd2lhelpers.data.read_fashion_mnist_file({str(path)!r})'))
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'DataError: {path} is {KIND_WORDS[kind]}, not a regular file. Delete' in result.stdout
    del keep


@pytest.mark.parametrize('kind', ['folder', 'FIFO', 'socket', 'link to /dev/zero'])
def test_a_target_name_taken_by_no_regular_file_is_refused_before_downloading(
        real_dir, tmp_path, kind):
    """Issue 20: a folder named like the last file got three files downloaded, then "nothing
    was downloaded"; a FIFO there was silently replaced."""
    folder = tmp_path / 'dl'
    folder.mkdir()
    last = list(data.FILES)[-1]
    keep = make_special(folder / last, kind)
    with pytest.raises(data.DataError, match=re.escape(f'{folder / last} is {KIND_WORDS[kind]}, '
                                                       f'not a regular file: nothing was '
                                                       f'downloaded')):
        d2l.download_fashion_mnist(folder, base_url=real_dir.as_uri())
    assert [p.name for p in folder.iterdir()] == [last]  # nothing added, nothing replaced
    assert data_files.special_file(folder / last) == KIND_WORDS[kind]
    del keep


def test_a_failure_after_some_files_says_which_were_kept(real_dir, tmp_path, monkeypatch):
    folder = tmp_path / 'dl'
    last = list(data.FILES)[-1]
    real_replace = os.replace

    def replace(source, target):
        if str(target).endswith(last):  # as if the name were taken meanwhile
            raise IsADirectoryError(21, 'Is a directory', str(target))
        real_replace(source, target)
    monkeypatch.setattr(os, 'replace', replace)
    with pytest.raises(data.DataError, match=f'{", ".join(list(data.FILES)[:3])} were '
                                             f'downloaded and kept, the others not'):
        d2l.download_fashion_mnist(folder, base_url=real_dir.as_uri())
    assert sorted(p.name for p in folder.iterdir()) == sorted(list(data.FILES)[:3])


def test_downloaded_files_follow_the_umask(real_dir, tmp_path):
    """Issue 20: they were 0600 whatever the umask, so a shared data folder was unreadable."""
    for umask, expected in [(0o022, 0o644), (0o027, 0o640)]:
        old = os.umask(umask)
        try:
            folder = d2l.download_fashion_mnist(tmp_path / oct(umask), base_url=real_dir.as_uri())
        finally:
            os.umask(old)
        assert {p.stat().st_mode & 0o777 for p in folder.iterdir()} == {expected}, oct(umask)


@pytest.mark.parametrize('timeout, deadline', [(1e300, None), (float('inf'), None),
                                               (86401, None), (1, 1e300), (1, 86401)])
def test_timeouts_beyond_a_day_are_refused_clearly(tmp_path, timeout, deadline):
    """Issue 20: timeout=1e300 raised OverflowError."""
    with pytest.raises(data.DataArgumentError, match='at most 86400 seconds'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url='http://127.0.0.1:9/',
                                   timeout=timeout, deadline=deadline)
    assert not (tmp_path / 'dl').exists()


# --- the helpers say which notebooks use them ------------------------------------------------

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'


@pytest.mark.parametrize('function', ['load_data_fashion_mnist', 'load_fashion_mnist_arrays'])
def test_docstrings_name_the_notebooks_that_use_the_function(function):
    used_in = getattr(data, function).__doc__.split('Used in:', 1)[1]
    for notebook in sorted(NOTEBOOKS.glob('*.ipynb')):
        if f'd2l.{function}(' in notebook.read_text():
            assert notebook.stem in used_in, f'{function} is used in {notebook.name}'


# --- issue 20 follow-up: what an adversary found ----------------------------------------------

SWAP_IN_A_FIFO = '''
import os, d2lhelpers.data.download as dd
real = dd.special_file
def racing(path):  # a FIFO put in place of the source file just after its type was checked
    kind = real(path)
    if str(path).endswith({name!r}) and {source!r} in str(path) and os.path.isfile(path):
        os.remove(path)
        os.mkfifo(path)
    return kind
dd.special_file = racing
'''


@pytest.mark.parametrize('host', ['', '127.0.0.1'])
def test_a_fifo_swapped_in_after_the_type_check_never_blocks_whatever_the_host(
        real_dir, tmp_path, host):
    """Adversary 1: file://127.0.0.1/... went to urllib's blocking open(): it hung."""
    source = tmp_path / 'source'
    source.mkdir()
    (source / IMAGES).write_bytes((real_dir / IMAGES).read_bytes())
    url = f'file://{host}{source}'
    result = run_apart(SWAP_IN_A_FIFO.format(name=IMAGES, source=str(source)) + print_data_error(
        f'd2lhelpers.download_fashion_mnist({str(tmp_path / "dl")!r}, base_url={url!r}, '
        f'timeout=1, deadline=5)'), timeout=40)
    assert result.returncode == 0, result.stderr[-2000:]
    assert f'{source / IMAGES} is a FIFO (named pipe), not a regular file' in result.stdout


def test_a_file_url_naming_another_machine_is_refused(tmp_path):
    with pytest.raises(data.DataError, match='names another machine'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url='file://192.0.2.1/data/',
                                   timeout=1, deadline=5)


@pytest.fixture
def ftp_banner_forever():
    """A port that answers like an FTP server whose 220 banner never ends (a line each 0.2 s)."""
    listener = socket.socket()
    listener.bind(('127.0.0.1', 0))
    listener.listen()
    stop = threading.Event()

    def serve():
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with client:
                while not stop.wait(0.2):
                    try:
                        client.sendall(b'220-welcome, still talking\r\n')
                    except OSError:
                        break
    threading.Thread(target=serve, daemon=True).start()
    yield listener.getsockname()[1]
    stop.set()
    listener.close()


@pytest.fixture
def redirecting_server():
    """An HTTP server on 127.0.0.1 whose every answer is a 302 to ``.location``."""
    class Redirect(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(302)
            self.send_header('Location', self.server.location)
            self.end_headers()

        def log_message(self, *args):
            pass
    httpd = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Redirect)
    threading.Thread(target=httpd.serve_forever, kwargs={'poll_interval': 0.05},
                     daemon=True).start()
    httpd.url = f'http://127.0.0.1:{httpd.server_address[1]}/'
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def test_a_redirect_to_ftp_is_refused_and_cannot_escape_the_deadline(
        redirecting_server, ftp_banner_forever, tmp_path):
    """Adversary 2: urllib's FTP handler followed it, unwatched: an endless banner hung."""
    redirecting_server.location = f'ftp://127.0.0.1:{ftp_banner_forever}/x.gz'
    result = run_apart(print_data_error(
        f'd2lhelpers.download_fashion_mnist({str(tmp_path / "dl")!r}, '
        f'base_url={redirecting_server.url!r}, timeout=1, deadline=5)'), timeout=40)
    assert result.returncode == 0, result.stderr[-2000:]
    assert 'DataError: Downloading' in result.stdout
    assert 'only http:// and https:// are followed' in result.stdout
    assert not (tmp_path / 'dl').exists()


@pytest.mark.parametrize('link', ['loop', 'self'])
def test_a_target_name_taken_by_a_symlink_loop_is_kept_and_refused(real_dir, tmp_path, link):
    """Adversary 16: the loop was silently replaced by the downloaded file."""
    folder = tmp_path / 'dl'
    folder.mkdir()
    target = folder / LABELS
    if link == 'loop':
        target.symlink_to(folder / 'other')
        (folder / 'other').symlink_to(target)
    else:
        target.symlink_to(target)
    with pytest.raises(data.DataError, match=re.escape(f'{target} is a symbolic link loop, not '
                                                       f'a regular file: nothing was downloaded')):
        d2l.download_fashion_mnist(folder, base_url=real_dir.as_uri())
    assert target.is_symlink()


def test_a_fifo_made_in_a_target_name_during_the_download_is_not_replaced(
        real_dir, tmp_path, monkeypatch):
    """Adversary 16: a FIFO appearing after the first check was replaced by the rename."""
    folder = tmp_path / 'dl'
    last = list(data.FILES)[-1]
    real_check = data_download.check_targets

    def fifo_appears(where):
        real_check(where)
        os.mkfifo(where / last)  # the user's FIFO appears now, during the download
    monkeypatch.setattr(data_download, 'check_targets', fifo_appears)
    with pytest.raises(data.DataError, match=re.escape(f'{folder / last} is a FIFO (named '
                                                       f'pipe), not a regular file')):
        d2l.download_fashion_mnist(folder, base_url=real_dir.as_uri())
    assert stat.S_ISFIFO(os.lstat(folder / last).st_mode)
    assert_no_partial_files(folder)


def test_a_folder_named_like_a_dead_part_file_is_left_alone(real_dir, tmp_path):
    """Adversary 16: removing it as a dead download's part file raised IsADirectoryError."""
    folder = tmp_path / 'dl'
    planted = folder / f'{data_download.part_prefix(IMAGES)}4194000.abcd.part'
    planted.mkdir(parents=True)
    d2l.download_fashion_mnist(folder, base_url=real_dir.as_uri())
    assert planted.is_dir()
    assert all((folder / name).is_file() for name in data.FILES)


@pytest.mark.parametrize('timeout, deadline', [(10**400, None), (Fraction(10**400), None),
                                               (1, 10**400), (Decimal('1e400'), None)])
def test_numbers_too_large_for_a_float_are_refused_as_too_long(tmp_path, timeout, deadline):
    """Adversary 7: a bare OverflowError."""
    with pytest.raises(data.DataArgumentError, match='at most 86400 seconds'):
        d2l.download_fashion_mnist(tmp_path / 'dl', base_url='http://127.0.0.1:9/',
                                   timeout=timeout, deadline=deadline)


def test_a_decimal_or_fraction_timeout_is_a_number_of_seconds(real_dir, tmp_path):
    """Adversary 9: Decimal('30') was "not a positive number of seconds"."""
    folder = d2l.download_fashion_mnist(tmp_path / 'dl', base_url=real_dir.as_uri(),
                                        timeout=Decimal('30'), deadline=Fraction(600))
    assert all((folder / name).is_file() for name in data.FILES)


@pytest.mark.parametrize('root, expected', [
    ('/dev/null', 'is a character device, not a folder'),
    ('plain file', 'is a regular file, not a folder'),
    ('missing', 'does not exist'), ('loop', 'is a symbolic link loop, not a folder'),
])
def test_a_root_that_is_no_folder_is_named_as_such(no_default_dirs, tmp_path, root, expected):
    """Adversary 15: each said "has none of the files"."""
    if root == 'plain file':
        root = tmp_path / 'plain'
        root.touch()
    elif root == 'missing':
        root = tmp_path / 'missing'
    elif root == 'loop':
        root = tmp_path / 'loop'
        root.symlink_to(root)
    with pytest.raises(data.DataError, match=re.escape(f'{root} (the root argument) {expected}')):
        data.find_fashion_mnist(root=root)


def test_a_variable_naming_a_device_is_not_a_folder(no_default_dirs, monkeypatch):
    monkeypatch.setenv('FASHION_MNIST_DIR', '/dev/zero')
    with pytest.raises(data.DataError, match=re.escape('/dev/zero (the FASHION_MNIST_DIR '
                                                       'variable) is a character device, '
                                                       'not a folder')):
        data.find_fashion_mnist()


def test_a_data_file_that_is_a_symlink_loop_is_named_so_not_as_missing(tmp_path):
    folder = make_complete_dir(tmp_path / 'data')
    (folder / LABELS).unlink()
    (folder / LABELS).symlink_to(folder / LABELS)
    with pytest.raises(data.DataError, match=re.escape(f'{folder / LABELS} is a symbolic link '
                                                       f'loop, not a regular file')):
        data.find_fashion_mnist(root=folder)
