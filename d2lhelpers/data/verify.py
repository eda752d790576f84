"""Verifying Fashion-MNIST: the one reader that checks a file by its content.

The *verify* part of ``d2lhelpers.data``. Reading a file found on disk and checking
a download both go through ``read_idx``, so both give the same diagnosis; only the
way the file is named and the fix offered differ.

A file is decompressed as a stream, and reading stops at the first byte beyond what
its IDX header announces, so a small gzip that inflates to gigabytes (a "gzip bomb",
or a damaged file) fails at once with memory bounded by the size of the real file.
"""
import gzip
import hashlib
import os
import stat
import zlib
from pathlib import Path

import numpy as np

from .files import (
    FILES,
    HOW_TO_GET,
    IMAGE_MAGIC,
    IMAGE_SIZE,
    LABEL_MAGIC,
    NUM_CLASSES,
    DataError,
    file_kind,
    special_file,
)

CHUNK = 1 << 20  # bytes decompressed per step: bounds the reader's working memory


class _Invalid(Exception):
    """What is wrong with a file's content; ``read_idx`` adds which file and the fix."""


def header_length(magic):
    """IDX header bytes: magic and count, plus height and width for images."""
    return 16 if magic == IMAGE_MAGIC else 8


def item_shape(magic, count):
    """The array shape of ``count`` images ``(count, 28, 28)`` or labels ``(count,)``."""
    return (count, IMAGE_SIZE, IMAGE_SIZE) if magic == IMAGE_MAGIC else (count,)


def decompressed_size(magic, count):
    """The exact size of the decompressed file: header plus one byte per pixel or label."""
    return header_length(magic) + int(np.prod(item_shape(magic, count)))


def max_compressed_size(magic, count):
    """More bytes than any gzip of the file can have, even stored without compression.

    Deflate's worst case adds 5 bytes per 64 KiB block, gzip some header bytes;
    0.1% plus 64 KiB is ample. A larger file or download is not Fashion-MNIST.
    """
    size = decompressed_size(magic, count)
    return size + size // 1000 + 64 * 1024


def validate_header(header, magic, count):
    """Raise ``_Invalid`` unless ``header`` is the IDX header of ``count`` items of ``magic``."""
    if len(header) < header_length(magic):
        raise _Invalid('is too short to hold an IDX header')
    fields = np.frombuffer(header, dtype='>u4')
    if fields[0] != magic:
        kind = 'images' if magic == IMAGE_MAGIC else 'labels'
        raise _Invalid(f'has IDX magic number {fields[0]}, expected {magic} ({kind})')
    if fields[1] != count:
        raise _Invalid(f'holds {fields[1]} items, expected {count}')
    if magic == IMAGE_MAGIC and tuple(fields[2:]) != (IMAGE_SIZE, IMAGE_SIZE):
        raise _Invalid(f'has images of {fields[2]}x{fields[3]}, expected 28x28')


def _read_into(stream, view):
    """Fill ``view`` from ``stream`` in chunks; return how many bytes it held."""
    filled = 0
    while filled < len(view):
        got = stream.readinto(view[filled:filled + CHUNK])
        if not got:
            break
        filled += got
    return filled


def open_regular_file(path):
    """Open ``path`` for reading; anything but a regular file is ``_Invalid``, by its type.

    The type is checked before opening (a FIFO's open would block), and again on the
    open file, which is opened without blocking in case it was swapped in between.
    """
    kind = special_file(path)
    if kind:
        raise _Invalid(f'is {kind}, not a regular file')
    file = os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY), 'rb')
    mode = os.fstat(file.fileno()).st_mode
    if not stat.S_ISREG(mode):
        file.close()
        raise _Invalid(f'is {file_kind(mode)}, not a regular file')
    return file


def _decompress_checked(path, magic, count):
    """Decompress ``path`` and check its structure; return the decompressed bytes.

    Raises ``_Invalid`` for anything that is not the announced IDX file, and lets
    ``PermissionError`` and ``MemoryError`` through for the caller to name.
    """
    with open_regular_file(path) as file:
        size, limit = os.fstat(file.fileno()).st_size, max_compressed_size(magic, count)
        if size > limit:
            raise _Invalid(f'is {size} bytes, more than any gzip of this file can be ({limit})')
        return _decompress_open(file, magic, count)


def _decompress_open(file, magic, count):
    """The body of ``_decompress_checked``, on the open regular file."""
    raw = None
    try:
        with gzip.GzipFile(fileobj=file, mode='rb') as stream:
            header = stream.read(header_length(magic))
            validate_header(header, magic, count)
            raw = bytearray(decompressed_size(magic, count))
            raw[:len(header)] = header
            data_bytes = len(raw) - len(header)
            got = _read_into(stream, memoryview(raw)[len(header):])
            if got < data_bytes:
                raise _Invalid(f'has {got} bytes of data, expected {data_bytes}: '
                               f'it is truncated')
            # One byte more than announced is enough to reject it: nothing else is inflated.
            # Reading to the end also makes gzip check the file's CRC and length.
            if stream.read(1):
                raise _Invalid(f'holds more than the {data_bytes} bytes of data its header '
                               f'announces: it is padded or not the original file')
    except PermissionError:
        raise
    except (OSError, EOFError, zlib.error) as e:
        raise _Invalid(f'is not a complete gzip file ({e})') from None
    return raw


def read_idx(path, magic, count, sha256=None, source=None, fix=None):
    """Read and check a gzip-compressed IDX file; return ``(array, SHA-256 of its content)``.

    The SHA-256 is of the decompressed bytes. The array is read-only uint8,
    ``(count, 28, 28)`` for images (``magic`` 2051) or ``(count,)`` for labels
    (2049, each 0-9). With ``sha256`` the content must also be exactly that.
    Every problem raises ``DataError`` naming the file (or ``source``, e.g. the
    URL it came from), what is wrong and what to do (``fix``).

    Used in: every notebook that loads data (through ``load_fashion_mnist_arrays``),
    and by ``download_fashion_mnist`` to check each download before keeping it.
    """
    path = Path(path)
    source = source or str(path)
    # A description such as 'the download of URL' opens a sentence; a path keeps its case.
    subject = source if source == str(path) else source[:1].upper() + source[1:]
    fix = fix or f'Delete {path} and get the file again. {HOW_TO_GET}'
    try:
        raw = _decompress_checked(path, magic, count)
    except _Invalid as e:
        raise DataError(f'{subject} {e}. {fix}') from None
    except PermissionError:
        raise DataError(f'{subject} cannot be read: check its permissions.') from None
    except MemoryError:
        megabytes = decompressed_size(magic, count) / 2**20
        raise DataError(f'Not enough memory to read {source} ({megabytes:.0f} MiB once '
                        f'decompressed): close other notebooks or programs, or raise the '
                        f'memory limit, and try again.') from None
    data = np.frombuffer(raw, dtype=np.uint8, offset=header_length(magic))
    data = data.reshape(item_shape(magic, count))
    data.flags.writeable = False  # the arrays are cached and shared between callers
    if magic == LABEL_MAGIC and data.size and data.max() >= NUM_CLASSES:
        raise DataError(f'{subject} has label {data.max()}, outside 0-9. {fix}')
    digest = hashlib.sha256(raw).hexdigest()
    if sha256 is not None and digest != sha256:
        raise DataError(f'{subject} is well formed but its content differs from the '
                        f'published Fashion-MNIST (SHA-256 {digest}). {fix}')
    return data, digest


def read_fashion_mnist_file(path, name=None, source=None, fix=None):
    """Read one of the four files and check it is the published one; return its array.

    ``name`` says which of the four it is (default: the file's own name; a
    download's temporary file passes it); ``source`` and ``fix`` as in ``read_idx``.

    Used in: every notebook that loads data (through ``load_fashion_mnist_arrays``), and postBuild.
    """
    path = Path(path)
    magic, count, sha256 = FILES[name or path.name]
    return read_idx(path, magic, count, sha256, source=source, fix=fix)[0]
