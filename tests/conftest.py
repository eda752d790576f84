"""Shared fixtures: small IDX files written by the tests, and the real data when present."""
import gzip
import shutil

import numpy as np
import pytest

import d2lhelpers.data as data


def write_idx(path, magic, array, count=None, compress=True):
    """Write ``array`` (uint8) as an IDX file with the given header; gzip it unless told not to."""
    array = np.asarray(array, dtype=np.uint8)
    dims = [count if count is not None else array.shape[0], *array.shape[1:]]
    raw = np.array([magic, *dims], dtype='>u4').tobytes() + array.tobytes()
    opener = gzip.open if compress else open
    with opener(path, 'wb') as f:
        f.write(raw)
    return path


@pytest.fixture(scope='session')
def real_dir():
    """The folder of the real Fashion-MNIST; tests that need it are skipped without it."""
    try:
        return data.find_fashion_mnist()
    except data.DataError as e:
        pytest.skip(f'the real Fashion-MNIST is not on this machine: {e}')


@pytest.fixture
def real_copy(real_dir, tmp_path):
    """A private copy of the real files that a test may damage."""
    folder = tmp_path / 'fashion-mnist'
    folder.mkdir()
    for name in data.FILES:
        shutil.copy(real_dir / name, folder / name)
    data._load_arrays.cache_clear()
    yield folder
    data._load_arrays.cache_clear()
