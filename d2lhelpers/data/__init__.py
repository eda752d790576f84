"""Fashion-MNIST, read offline from its original IDX files and served as mini-batches.

The book's ``d2lzh.load_data_fashion_mnist`` downloads the data through mxnet's
``FashionMNIST``, which trusts only the exact gzip files of its own mirror. Here
the work is split by job, one module each:

- ``data_files``: the four files, their published content, and where they are looked for
  (``find_fashion_mnist``);
- ``data_verify``: the one content check (IDX header, counts, label range, SHA-256 of
  the decompressed bytes, decompressed as a bounded stream), used both for files on
  disk and for downloads; parsed arrays are kept in memory (``load_fashion_mnist_arrays``);
- ``data_download``: ``download_fashion_mnist``, through a temporary file, with a
  per-read timeout and an overall deadline;
- ``data_batches``: ``load_data_fashion_mnist`` and its mini-batches.

This module gathers their public names, so ``d2lhelpers.data.X`` keeps working.
"""
from d2lzh import get_fashion_mnist_labels  # noqa: F401  the book's own works as it is

from .batches import (  # noqa: F401
                           MAX_BATCH_BYTES,
                           MAX_BATCH_SIZE,
                           ArrayBatches,
                           load_data_fashion_mnist,
                           real_number,
                           resize_images,
                           short_repr,
                           to_tensor,
                           validate_batch_memory,
                           validate_batch_size,
                           validate_last_batch,
                           validate_resize,
                           whole_number,
)
from .download import (  # noqa: F401
                           DEADLINE_PER_TIMEOUT,
                           download_fashion_mnist,
                           part_prefix,
                           process_is_running,
                           remove_parts_of_ended_downloads,
)
from .files import (  # noqa: F401
                           DEBIAN_DIR,
                           DEBIAN_PACKAGE,
                           DOWNLOAD_URL,
                           FILES,
                           HOW_TO_GET,
                           IMAGE_MAGIC,
                           IMAGE_SIZE,
                           LABEL_MAGIC,
                           NUM_CLASSES,
                           DataArgumentError,
                           DataError,
                           candidate_dirs,
                           default_download_dir,
                           find_fashion_mnist,
)
from .verify import clear_cache, load_fashion_mnist_arrays, read_fashion_mnist_file, read_idx  # noqa: F401
