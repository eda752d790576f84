"""Fashion-MNIST, read offline from its original IDX files and served as mini-batches.

The book's ``d2lzh.load_data_fashion_mnist`` downloads the data through mxnet's
``FashionMNIST``, which trusts only the exact gzip files of its own mirror. Here
the four files are looked up on disk (see ``find_fashion_mnist``), checked by
their *content* (IDX header, counts, label range, SHA-256 of the decompressed
bytes), parsed once per process and kept in memory, so an epoch costs only the
slicing of batches.
"""
import glob
import gzip
import http.client
import hashlib
import os
import shutil
import socket
import tempfile
import urllib.request
import zlib
from functools import lru_cache
from pathlib import Path

import mxnet as mx
import numpy as np
from d2lzh import get_fashion_mnist_labels  # noqa: F401  the book's own works as it is
from mxnet import nd

DEBIAN_PACKAGE = 'dataset-fashion-mnist'
DEBIAN_DIR = Path('/usr/share/datasets/fashion-mnist')
DOWNLOAD_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'

IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
IMAGE_SIZE = 28
NUM_CLASSES = 10

# file name -> (IDX magic number, number of items, SHA-256 of the decompressed file).
FILES = {
    'train-images-idx3-ubyte.gz': (
        IMAGE_MAGIC, 60000,
        'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888'),
    'train-labels-idx1-ubyte.gz': (
        LABEL_MAGIC, 60000,
        'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9'),
    't10k-images-idx3-ubyte.gz': (
        IMAGE_MAGIC, 10000,
        '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'),
    't10k-labels-idx1-ubyte.gz': (
        LABEL_MAGIC, 10000,
        '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34'),
}

HOW_TO_GET = (
    f"To get the files: `sudo apt-get install {DEBIAN_PACKAGE}` (Debian/Ubuntu, "
    f"installs them under {DEBIAN_DIR}), or put the four original files "
    f"({', '.join(FILES)}) in a folder and set FASHION_MNIST_DIR to it, "
    f"or, with network access, run `d2lhelpers.download_fashion_mnist()`.")


class DataError(RuntimeError):
    """A data file is missing, unreadable or not the Fashion-MNIST it should be."""


def default_download_dir():
    """Where mxnet keeps its data sets: ``$MXNET_HOME/datasets/fashion-mnist``."""
    mxnet_home = os.environ.get('MXNET_HOME', os.path.join('~', '.mxnet'))
    return Path(mxnet_home, 'datasets', 'fashion-mnist').expanduser()


def candidate_dirs(root=None):
    """The folders searched for the four files, as (folder, why it is searched)."""
    if root is not None:
        return [(Path(root).expanduser(), 'the root argument')]
    if os.environ.get('FASHION_MNIST_DIR'):
        return [(Path(os.environ['FASHION_MNIST_DIR']).expanduser(),
                 'the FASHION_MNIST_DIR variable')]
    return [(default_download_dir(), 'mxnet\'s data folder ($MXNET_HOME)'),
            (DEBIAN_DIR, f'the Debian package {DEBIAN_PACKAGE}')]


def find_fashion_mnist(root=None):
    """Return the first folder holding all four Fashion-MNIST files.

    Searched in order: ``root`` if given, else ``$FASHION_MNIST_DIR`` if set,
    else ``$MXNET_HOME/datasets/fashion-mnist`` and ``/usr/share/datasets/fashion-mnist``.
    An explicit ``root`` or ``FASHION_MNIST_DIR`` is the only place looked at.
    """
    problems = []
    for folder, why in candidate_dirs(root):
        if folder.is_dir() and not os.access(folder, os.R_OK | os.X_OK):
            problems.append(f'{folder} ({why}) cannot be read: check its permissions')
            continue
        missing = [name for name in FILES if not (folder / name).is_file()]
        if not missing:
            unreadable = [str(folder / name) for name in FILES
                          if not os.access(folder / name, os.R_OK)]
            if unreadable:
                raise DataError(f'{", ".join(unreadable)} cannot be read: check its '
                                f'permissions (found through {why}).')
            return folder
        if len(missing) < len(FILES):
            problems.append(f'{folder} ({why}) lacks {", ".join(missing)}')
        else:
            problems.append(f'{folder} ({why}) has none of the files')
    raise DataError('Fashion-MNIST not found: ' + '; '.join(problems) + '. ' + HOW_TO_GET)


def parse_idx(raw, magic, count):
    """Parse the decompressed bytes of an IDX file into a uint8 array.

    ``magic`` is 2051 for images (returned as ``(count, 28, 28)``) or 2049 for
    labels (returned as ``(count,)``). Raises ``ValueError`` saying what is wrong.
    """
    header_len = 16 if magic == IMAGE_MAGIC else 8
    if len(raw) < header_len:
        raise ValueError('is too short to hold an IDX header')
    header = np.frombuffer(raw, dtype='>u4', count=header_len // 4)
    if header[0] != magic:
        kind = 'images' if magic == IMAGE_MAGIC else 'labels'
        raise ValueError(f'has IDX magic number {header[0]}, expected {magic} ({kind})')
    if header[1] != count:
        raise ValueError(f'holds {header[1]} items, expected {count}')
    shape = (count, IMAGE_SIZE, IMAGE_SIZE) if magic == IMAGE_MAGIC else (count,)
    if magic == IMAGE_MAGIC and tuple(header[2:]) != (IMAGE_SIZE, IMAGE_SIZE):
        raise ValueError(f'has images of {header[2]}x{header[3]}, expected 28x28')
    expected_bytes = int(np.prod(shape))
    if len(raw) - header_len != expected_bytes:
        raise ValueError(f'has {len(raw) - header_len} bytes of data, expected '
                         f'{expected_bytes}: it is truncated or padded')
    data = np.frombuffer(raw, dtype=np.uint8, offset=header_len).reshape(shape)
    if magic == LABEL_MAGIC and data.max() >= NUM_CLASSES:
        raise ValueError(f'has label {data.max()}, outside 0-9')
    return data


def read_idx(path, magic, count):
    """Read a gzip-compressed IDX file; return ``(array, SHA-256 of the decompressed bytes)``.

    Every problem raises ``DataError`` naming the file, what is wrong and what to do.
    """
    path = Path(path)
    fix = f'Delete {path} and get the file again. {HOW_TO_GET}'
    try:
        with gzip.open(path, 'rb') as f:
            raw = f.read()
    except PermissionError:
        raise DataError(f'{path} cannot be read: check its permissions.') from None
    except (OSError, EOFError, zlib.error) as e:
        raise DataError(f'{path} is not a complete gzip file ({e}). {fix}') from None
    try:
        data = parse_idx(raw, magic, count)
    except ValueError as e:
        raise DataError(f'{path} {e}. {fix}') from None
    return data, hashlib.sha256(raw).hexdigest()


def read_fashion_mnist_file(path):
    """Read one of the four files by its name and check it is the published one."""
    path = Path(path)
    magic, count, sha256 = FILES[path.name]
    data, digest = read_idx(path, magic, count)
    if digest != sha256:
        raise DataError(f'{path} is well formed but its content differs from the '
                        f'published Fashion-MNIST (SHA-256 {digest}). '
                        f'Delete it and get the file again. {HOW_TO_GET}')
    return data


@lru_cache(maxsize=4)
def _load_arrays(folder):
    arrays = [read_fashion_mnist_file(folder / name) for name in FILES]
    return tuple(arrays)


def load_fashion_mnist_arrays(root=None):
    """Return ``(train_images, train_labels, test_images, test_labels)`` as uint8 numpy arrays.

    Parsed and verified once per process and folder; later calls are free.
    """
    return _load_arrays(find_fashion_mnist(root).resolve())


class ArrayBatches:
    """Mini-batches ``(X, y)`` over in-memory NDArrays, re-iterable once per epoch.

    With ``shuffle=True`` each pass draws a new order from numpy's global random
    generator (as gluon's ``DataLoader`` does), so ``np.random.seed`` makes it
    repeatable. ``last_batch`` says what happens to the examples left over after
    the full batches, as in ``DataLoader``: ``'keep'`` yields them as a smaller
    last batch (d2lzh's loader does), ``'discard'`` drops them (with shuffling,
    different ones each epoch).
    """

    def __init__(self, features, labels, batch_size, shuffle=False, last_batch='keep'):
        check_batch_size(batch_size)
        if features.shape[0] != labels.shape[0]:
            raise ValueError(f'features has {features.shape[0]} examples but labels '
                             f'has {labels.shape[0]}: they must match.')
        check_last_batch(last_batch)
        if last_batch == 'discard' and batch_size > features.shape[0]:
            raise ValueError(f'batch_size {batch_size} is larger than the {features.shape[0]} '
                             "examples, so last_batch='discard' would leave no batch: "
                             "use a smaller batch_size or last_batch='keep'.")
        self.features, self.labels = features, labels
        self.batch_size, self.shuffle, self.last_batch = batch_size, shuffle, last_batch

    def __len__(self):
        n = self.features.shape[0]
        return n // self.batch_size if self.last_batch == 'discard' else -(-n // self.batch_size)

    def __iter__(self):
        n = len(self) * self.batch_size if self.last_batch == 'discard' else self.features.shape[0]
        if self.shuffle:
            order = nd.array(np.random.permutation(self.features.shape[0]),
                             ctx=self.features.context)
        for start in range(0, n, self.batch_size):
            stop = min(start + self.batch_size, n)
            if self.shuffle:
                index = order[start:stop]
                yield nd.take(self.features, index), nd.take(self.labels, index)
            else:
                yield self.features[start:stop], self.labels[start:stop]


def check_batch_size(batch_size):
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, np.integer)):
        raise TypeError(f'batch_size must be a whole number, got {batch_size!r}.')
    if batch_size < 1:
        raise ValueError(f'batch_size must be at least 1, got {batch_size}.')


def check_last_batch(last_batch):
    if last_batch not in ('keep', 'discard'):
        raise ValueError(f"last_batch must be 'keep' or 'discard', got {last_batch!r}.")


def to_tensor(images, resize=None, ctx=None):
    """uint8 images ``(n, 28, 28)`` -> float32 NDArray ``(n, 1, h, w)`` scaled to [0, 1]."""
    X = nd.array(images, ctx=ctx or mx.cpu(), dtype='float32').expand_dims(axis=1) / 255
    if resize:
        height, width = (resize, resize) if np.isscalar(resize) else resize
        X = nd.contrib.BilinearResize2D(X, height=height, width=width)
    return X


def load_data_fashion_mnist(batch_size, resize=None, root=None, last_batch='discard'):
    """Return ``(train_iter, test_iter)`` over Fashion-MNIST, like d2lzh's function.

    Batches are ``X`` float32 in [0, 1] of shape ``(batch, 1, 28, 28)`` (or the
    ``resize`` size) and ``y`` int32 labels; the training set is reshuffled each epoch.

    Unlike d2lzh, training batches are all full by default (``last_batch='discard'``
    drops the 96 examples left over from 60,000 at batch size 256, different ones
    each epoch): MKLDNN's dense layer rounds a batch of another size differently
    with one OpenMP thread than with several, so a smaller last batch would make
    the training results depend on the machine's thread count. ``'keep'`` gives
    d2lzh's batches. The test iterator always keeps every example.
    """
    check_batch_size(batch_size)
    check_last_batch(last_batch)
    train_images, train_labels, test_images, test_labels = load_fashion_mnist_arrays(root)
    train_iter = ArrayBatches(to_tensor(train_images, resize),
                              nd.array(train_labels, dtype='int32'), batch_size,
                              shuffle=True, last_batch=last_batch)
    test_iter = ArrayBatches(to_tensor(test_images, resize),
                             nd.array(test_labels, dtype='int32'), batch_size)
    return train_iter, test_iter


def download_fashion_mnist(root=None, base_url=DOWNLOAD_URL, timeout=30):
    """Download the four files from the publisher into ``root`` (default: mxnet's data folder).

    Each file goes to a temporary name in the same folder, is verified by content,
    and only then renamed into place; on any failure nothing is left behind.
    Temporary files of a download whose process was killed (a kernel restarted
    in the middle) are removed by the next call. Files already present and valid
    are kept. Returns the folder.
    """
    folder = Path(root).expanduser() if root is not None else default_download_dir()
    folder.mkdir(parents=True, exist_ok=True)
    for name in FILES:
        remove_parts_of_ended_downloads(folder, name)
        target = folder / name
        if target.is_file():
            try:
                read_fashion_mnist_file(target)
                continue
            except DataError:
                pass  # a bad copy is replaced below
        fd, tmp_name = tempfile.mkstemp(prefix=f'{part_prefix(name)}{os.getpid()}.',
                                        suffix='.part', dir=folder)
        try:
            with os.fdopen(fd, 'wb') as tmp, \
                    urllib.request.urlopen(base_url + name, timeout=timeout) as response:
                shutil.copyfileobj(response, tmp)
                expected_bytes = response.headers.get('Content-Length')
                if expected_bytes is not None and tmp.tell() != int(expected_bytes):
                    raise DataError(f'Downloading {base_url + name} stopped after '
                                    f'{tmp.tell()} of {expected_bytes} bytes; nothing '
                                    f'was kept. Try again.')
            _verify_download(Path(tmp_name), base_url + name)
            os.replace(tmp_name, target)
        except (OSError, http.client.HTTPException) as e:
            raise DataError(f'Downloading {base_url + name} failed ({e}); nothing was '
                            f'written to {folder}. {HOW_TO_GET}') from None
        finally:
            if os.path.exists(tmp_name):
                os.remove(tmp_name)
    _load_arrays.cache_clear()
    return folder


def part_prefix(name):
    """Temporary download files are ``.<name>.<host>.<pid>.<random>.part``."""
    return f'.{name}.{socket.gethostname()}.'


def remove_parts_of_ended_downloads(folder, name):
    """Remove this host's temporary files of ``name`` whose process no longer runs.

    A live download elsewhere (another kernel on the same folder) keeps its file.
    """
    prefix = part_prefix(name)
    for part in folder.glob(glob.escape(prefix) + '*.part'):
        pid = part.name[len(prefix):].split('.')[0]
        if pid.isdigit() and not process_is_running(int(pid)):
            part.unlink(missing_ok=True)


def process_is_running(pid):
    try:
        os.kill(pid, 0)  # signal 0 only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it exists, as another user's process
    return True


def _verify_download(tmp_path, url):
    """Check a downloaded temporary file against the published content of ``url``."""
    magic, count, sha256 = FILES[url.rsplit('/', 1)[-1]]
    try:
        with gzip.open(tmp_path, 'rb') as f:
            raw = f.read()
        parse_idx(raw, magic, count)
    except (OSError, EOFError, zlib.error, ValueError) as e:
        raise DataError(f'The download of {url} is not valid Fashion-MNIST ({e}); '
                        f'nothing was kept.') from None
    if hashlib.sha256(raw).hexdigest() != sha256:
        raise DataError(f'The download of {url} differs from the published '
                        f'Fashion-MNIST (wrong SHA-256); nothing was kept.')
