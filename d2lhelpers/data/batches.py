"""Batching Fashion-MNIST: the verified arrays served as d2lzh-style mini-batches.

The *batches* part of ``d2lhelpers.data``, and the only one that imports MXNet. The
images are converted to float32 once (an epoch then costs only the slicing of batches);
resizing, which can make the data many times larger, is done per batch, when the batch
is produced.
"""
import numbers

import mxnet as mx
import numpy as np
from mxnet import nd

from ..arguments import short_repr, whole_number
from .cache import load_fashion_mnist_arrays
from .files import DataArgumentError, DataError

MAX_BATCH_BYTES = 2**30  # a resized float32 batch larger than 1 GiB is refused up front
MAX_BATCH_SIZE = 2**31 - 1  # mxnet indexes arrays with int32: no batch can hold more examples


class ArrayBatches:
    """Mini-batches ``(X, y)`` over in-memory NDArrays, re-iterable once per epoch.

    With ``shuffle=True`` each pass draws a new order from numpy's global random
    generator (as gluon's ``DataLoader`` does), so ``np.random.seed`` makes it
    repeatable. ``last_batch`` says what happens to the examples left over after
    the full batches, as in ``DataLoader``: ``'keep'`` yields them as a smaller
    last batch (d2lzh's loader does), ``'discard'`` drops them (with shuffling,
    different ones each epoch). ``transform``, if given, is applied to each
    batch's ``X`` as it is produced (``load_data_fashion_mnist`` resizes with it).

    Used in: 05_exercises, 07_why_initialization_matters, 08_tied_weights,
    09_saving_parameters, 10_parameters_across_devices (through ``load_data_fashion_mnist``).
    """

    def __init__(self, features, labels, batch_size, shuffle=False, last_batch='keep',
                 transform=None):
        batch_size = validate_batch_size(batch_size)
        if features.shape[0] != labels.shape[0]:
            raise ValueError(f'features has {features.shape[0]} examples but labels '
                             f'has {labels.shape[0]}: they must match.')
        validate_last_batch(last_batch)
        if last_batch == 'discard' and batch_size > features.shape[0]:
            raise ValueError(f'batch_size {batch_size} is larger than the {features.shape[0]} '
                             "examples, so last_batch='discard' would leave no batch: "
                             "use a smaller batch_size or last_batch='keep'.")
        self.features, self.labels = features, labels
        self.batch_size, self.shuffle, self.last_batch = batch_size, shuffle, last_batch
        self.transform = transform

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
                X, y = nd.take(self.features, index), nd.take(self.labels, index)
            else:
                X, y = self.features[start:stop], self.labels[start:stop]
            yield (X if self.transform is None else self.transform(X)), y


def validate_batch_size(batch_size):
    """Return ``batch_size`` as an int; raise unless it is whole, from 1 to MAX_BATCH_SIZE."""
    size = whole_number(batch_size)
    if size is None:
        raise TypeError(f'batch_size must be a whole number, got {short_repr(batch_size)}.')
    if size < 1:
        raise ValueError(f'batch_size must be at least 1, got {size}.')
    if size > MAX_BATCH_SIZE:
        raise ValueError(f'batch_size must be at most {MAX_BATCH_SIZE} (the most examples an '
                         f'mxnet array can index), got {short_repr(size)}: give the number '
                         f'of examples in one batch, such as 256.')
    return size


def validate_last_batch(last_batch):
    """Raise unless ``last_batch`` is ``'keep'`` or ``'discard'``."""
    if last_batch not in ('keep', 'discard'):
        raise ValueError(f"last_batch must be 'keep' or 'discard', got {last_batch!r}.")


def validate_resize(resize):
    """Return ``resize`` as ``None`` or ``(height, width)``; raise ``DataArgumentError`` (a
    ``ValueError``) unless it is None, a positive int, or a pair of positive ints."""
    def positive_int(value):
        return (isinstance(value, numbers.Integral) and not isinstance(value, bool)
                and value > 0)
    if resize is None:
        return None
    if positive_int(resize):
        return int(resize), int(resize)
    if (isinstance(resize, (tuple, list)) and len(resize) == 2
            and all(positive_int(side) for side in resize)):
        return int(resize[0]), int(resize[1])
    raise DataArgumentError(f'resize must be None, a positive int (a square size such as '
                            f'224) or a pair of positive ints (height, width), got {resize!r}.')


def validate_batch_memory(batch_size, size):
    """Refuse a ``resize`` that would make each float32 batch larger than ``MAX_BATCH_BYTES``."""
    nbytes = batch_size * size[0] * size[1] * 4
    if nbytes > MAX_BATCH_BYTES:
        raise DataArgumentError(f'resize={size} with batch_size {batch_size} makes batches of '
                                f'{nbytes / 2**30:.1f} GiB, more than the '
                                f'{MAX_BATCH_BYTES / 2**30:g} GiB allowed: use a smaller '
                                f'resize or batch_size.')


def to_tensor(images, resize=None, ctx=None):
    """uint8 images ``(n, 28, 28)`` -> float32 NDArray ``(n, 1, h, w)`` scaled to [0, 1].

    Used in: every notebook that trains on Fashion-MNIST (through ``load_data_fashion_mnist``);
    directly in 10_parameters_across_devices and its ps_worker.
    """
    # uint8 images cross into MXNet as they are, a quarter of float32's bytes, and are converted
    # there: the same values, in half the time (0.3 s instead of 0.7 s for the 60,000 training
    # images; every notebook run that trains pays it once).
    dtype = 'uint8' if getattr(images, 'dtype', None) == np.uint8 else 'float32'
    X = nd.array(images, ctx=ctx or mx.cpu(), dtype=dtype).astype('float32', copy=False)
    X = X.expand_dims(axis=1) / 255
    size = validate_resize(resize)
    return X if size is None else resize_images(X, size)


def resize_images(X, size):
    """Bilinear resize of a float32 batch ``(n, 1, h, w)`` to ``size = (height, width)``."""
    return nd.contrib.BilinearResize2D(X, height=size[0], width=size[1])


def load_data_fashion_mnist(batch_size, resize=None, root=None, last_batch='discard'):
    """Return ``(train_iter, test_iter)`` over Fashion-MNIST, like d2lzh's function.

    Batches are ``X`` float32 in [0, 1] of shape ``(batch, 1, 28, 28)`` (or the
    ``resize`` size: an int for a square, or ``(height, width)``; each batch is
    resized when it is produced, so any size fits in memory) and ``y`` int32
    labels; the training set is reshuffled each epoch.

    Unlike d2lzh, training batches are all full by default (``last_batch='discard'``
    drops the 96 examples left over from 60,000 at batch size 256, different ones
    each epoch): MKLDNN's dense layer rounds a batch of another size differently
    with one OpenMP thread than with several, so a smaller last batch would make
    the training results depend on the machine's thread count. ``'keep'`` gives
    d2lzh's batches. The test iterator always keeps every example.

    Used in: 05_exercises, 07_why_initialization_matters, 08_tied_weights,
    09_saving_parameters, 10_parameters_across_devices.
    """
    batch_size = validate_batch_size(batch_size)
    validate_last_batch(last_batch)
    size = validate_resize(resize)
    if size is not None:
        validate_batch_memory(batch_size, size)
    transform = None if size is None else (lambda X: resize_images(X, size))
    train_images, train_labels, test_images, test_labels = load_fashion_mnist_arrays(root)
    train_X, test_X = float_images(train_images, test_images)
    train_iter = ArrayBatches(train_X, nd.array(train_labels, dtype='int32'),
                              batch_size, shuffle=True, last_batch=last_batch,
                              transform=transform)
    test_iter = ArrayBatches(test_X, nd.array(test_labels, dtype='int32'),
                             batch_size, transform=transform)
    return train_iter, test_iter


def float_images(*image_arrays):
    """``to_tensor`` of each array; running out of memory is a ``DataError`` saying so."""
    try:
        tensors = [to_tensor(images) for images in image_arrays]
        for X in tensors:
            X.wait_to_read()  # mxnet allocates lazily: fail here, not at the first batch
    except (MemoryError, mx.base.MXNetError) as e:
        if not isinstance(e, MemoryError) and 'allocate' not in str(e):
            raise
        mebibytes = sum(images.size for images in image_arrays) * 4 / 2**20
        raise DataError(f'Not enough memory to hold Fashion-MNIST as float32 '
                        f'({mebibytes:.0f} MiB): close other notebooks or programs, or raise '
                        f'the memory limit, and try again.') from None
    return tensors
