"""Loading Fashion-MNIST once: the four verified arrays, kept in memory per process and folder.

The *load* part of ``d2lhelpers.data``: ``files`` finds the folder, ``verify`` checks each
file by content, and the arrays are kept, so a notebook that loads the data many times reads
and hashes the 55 MB once. ``download_fashion_mnist`` forgets them after each download.
"""
from functools import lru_cache

from .files import FILES, find_fashion_mnist
from .verify import read_fashion_mnist_file


@lru_cache(maxsize=4)
def _load_arrays(folder):
    return tuple(read_fashion_mnist_file(folder / name) for name in FILES)


def clear_cache():
    """Forget the arrays read so far, so the next load reads (and checks) the files again.

    Used in: none of these notebooks; by ``download_fashion_mnist`` after each download.
    """
    _load_arrays.cache_clear()


def load_fashion_mnist_arrays(root=None):
    """Return ``(train_images, train_labels, test_images, test_labels)`` as read-only uint8 arrays.

    Parsed and verified once per process and folder; later calls are free.

    Used in: 05_exercises, 10_parameters_across_devices (and its ps_worker.py).
    """
    return _load_arrays(find_fashion_mnist(root).resolve())
