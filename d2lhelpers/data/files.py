"""Finding Fashion-MNIST: the four files, what they must contain, and where they are looked for.

The *find* part of ``d2lhelpers.data`` (the others: ``verify``, ``cache``, ``download``,
``batches``). Everything here is cheap: nothing is opened or parsed.
"""
import errno
import os
import stat
from pathlib import Path

DEBIAN_PACKAGE = 'dataset-fashion-mnist'
DEBIAN_DIR = Path('/usr/share/datasets/fashion-mnist')
DOWNLOAD_URL = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'

IMAGE_MAGIC, LABEL_MAGIC = 2051, 2049
IMAGE_SIZE = 28
NUM_CLASSES = 10

# file name -> (IDX magic number, number of items, SHA-256 of the decompressed file).
# The hash is of the decompressed bytes because Debian recompressed the files.
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
    """A data file is missing, unreadable or not the Fashion-MNIST it should be.

    Or a download of it failed. The message names the file (or URL, or folder) and the fix.

    Used in: every notebook that loads data, where it is raised instead of a bare OSError.
    """


class DataArgumentError(DataError, ValueError):
    """A bad argument to a data function: both a ``DataError`` and a ``ValueError``.

    Used in: none of these notebooks; raised for a bad ``root``, ``resize``, ``timeout`` or
    ``base_url`` of the loaders and ``download_fashion_mnist``.
    """


def default_download_dir():
    """Where mxnet keeps its data sets: ``$MXNET_HOME/datasets/fashion-mnist``.

    Used in: every notebook that loads data (through ``find_fashion_mnist``), and postBuild.
    """
    # An empty MXNET_HOME counts as unset: it would otherwise mean the current folder.
    mxnet_home = os.environ.get('MXNET_HOME') or os.path.join('~', '.mxnet')
    return Path(mxnet_home, 'datasets', 'fashion-mnist').expanduser()


def root_folder(root):
    """``root`` as a ``Path``; an empty or non-path ``root`` is a ``DataArgumentError``
    (an empty one would silently mean the current folder)."""
    if not isinstance(root, (str, os.PathLike)) or not str(root).strip():
        raise DataArgumentError(f'root must be the path of a folder, got {root!r}: give '
                                f'the folder holding the four files, or leave root out '
                                f'to use the usual places.')
    return Path(root).expanduser()


def special_file(path):
    """What ``path`` is if it exists but is no regular file (links followed), else None.

    Such a file is refused by its type before it is opened: opening a FIFO blocks until
    someone writes to it, and a device such as /dev/zero never ends.
    """
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return 'a link to a missing file' if os.path.islink(path) else None
    except OSError as e:
        if e.errno == errno.ELOOP:  # a link to itself, or links in a circle
            return 'a symbolic link loop'
        return None  # unreadable or not there: said elsewhere, in those words
    return None if stat.S_ISREG(mode) else file_kind(mode)


def file_kind(mode):
    """A non-regular file's kind in words, from its ``st_mode``."""
    kinds = [(stat.S_ISDIR, 'a folder'), (stat.S_ISFIFO, 'a FIFO (named pipe)'),
             (stat.S_ISSOCK, 'a socket'), (stat.S_ISCHR, 'a character device'),
             (stat.S_ISBLK, 'a block device')]
    return next((words for is_kind, words in kinds if is_kind(mode)), 'a special file')


def candidate_dirs(root=None):
    """The folders searched for the four files, as (folder, why it is searched).

    Used in: every notebook that loads data (through ``find_fashion_mnist``).
    """
    if root is not None:
        return [(root_folder(root), 'the root argument')]
    if os.environ.get('FASHION_MNIST_DIR'):
        return [(Path(os.environ['FASHION_MNIST_DIR']).expanduser(),
                 'the FASHION_MNIST_DIR variable')]
    return [(default_download_dir(), 'mxnet\'s data folder ($MXNET_HOME)'),
            (DEBIAN_DIR, f'the Debian package {DEBIAN_PACKAGE}')]


def folder_problem(folder):
    """Why ``folder`` cannot hold the files (``'does not exist'``, ...); None for a folder."""
    if folder.is_dir():
        return None
    kind = special_file(folder)
    if kind:
        return f'is {kind}, not a folder'
    if folder.exists():
        return 'is a regular file, not a folder'
    return 'does not exist'


def find_fashion_mnist(root=None):
    """Return the first folder holding all four Fashion-MNIST files.

    Searched in order: ``root`` if given, else ``$FASHION_MNIST_DIR`` if set,
    else ``$MXNET_HOME/datasets/fashion-mnist`` and ``/usr/share/datasets/fashion-mnist``.
    An explicit ``root`` or ``FASHION_MNIST_DIR`` is the only place looked at.
    Only presence and permissions are checked here; ``verify`` checks content.

    Used in: 05_exercises, 07_why_initialization_matters, 08_tied_weights,
    09_saving_parameters, 10_parameters_across_devices (through load_data_fashion_mnist
    and load_fashion_mnist_arrays).
    """
    problems = []
    for folder, why in candidate_dirs(root):
        not_a_folder = folder_problem(folder)
        if not_a_folder:
            problems.append(f'{folder} ({why}) {not_a_folder}')
            continue
        if not os.access(folder, os.R_OK | os.X_OK):
            problems.append(f'{folder} ({why}) cannot be read: check its permissions')
            continue
        special = [f'{folder / name} is {special_file(folder / name)}, not a regular file'
                   for name in FILES if special_file(folder / name)]
        if special:
            problems.append(f'{"; ".join(special)} ({why}): put the original file in its place')
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
