"""Fashion-MNIST, read offline from its original IDX files and served as mini-batches.

The book's ``d2lzh.load_data_fashion_mnist`` downloads the data through mxnet's
``FashionMNIST``, which trusts only the exact gzip files of its own mirror. Here the work
is split by job, one module each, in the order a file meets them:

- ``files``: the four files, their published content (``FILES``), and where they are
  looked for (``find_fashion_mnist``); nothing is opened there;
- ``verify``: the one content check (IDX header, counts, label range, SHA-256 of the
  decompressed bytes, decompressed as a bounded stream), for files on disk and downloads
  alike (``read_fashion_mnist_file``, ``read_idx``);
- ``cache``: the four verified arrays, read once per process (``load_fashion_mnist_arrays``);
- ``download``: ``download_fashion_mnist``, on pooch's HTTP downloader (imported by the
  first download), through a temporary file, with a per-read timeout and an overall deadline;
- ``batches``: ``load_data_fashion_mnist`` and its mini-batches (``ArrayBatches``,
  ``to_tensor``): the only one that imports MXNet.

Only the names that notebooks, tools and tests use are gathered here; the rest are reached
through their module (``d2lhelpers.data.download.part_prefix``).
"""
from .cache import clear_cache, load_fashion_mnist_arrays
from .download import download_fashion_mnist
from .files import DOWNLOAD_URL, FILES, DataArgumentError, DataError, find_fashion_mnist
from .verify import read_fashion_mnist_file, read_idx

# Imported from `batches` when first used (PEP 562's module __getattr__), because importing
# MXNet costs 1.5 s: finding, checking and downloading the files (make data, postBuild) need none.
_NEED_MXNET = ('ArrayBatches', 'load_data_fashion_mnist', 'to_tensor')

__all__ = ['DOWNLOAD_URL', 'FILES', 'DataArgumentError', 'DataError', 'clear_cache',
           'download_fashion_mnist', 'find_fashion_mnist', 'load_fashion_mnist_arrays',
           'read_fashion_mnist_file', 'read_idx', *_NEED_MXNET]


def __getattr__(name):
    if name in _NEED_MXNET:
        from . import batches
        return getattr(batches, name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted({*globals(), *_NEED_MXNET})
