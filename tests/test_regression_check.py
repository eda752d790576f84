"""The nbval regression check can fail: edited outputs and changed seeds are caught.

Each test copies a notebook, changes one thing, runs nbval on the copy in a
subprocess, and expects it to fail on that cell; the unchanged copy passes.
"""
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = Path(__file__).resolve().parent.parent / 'notebooks'
SANITIZE = NOTEBOOKS / 'nbval-sanitize.cfg'
SHARING = NOTEBOOKS / '04_sharing_parameters.ipynb'


def run_nbval(*paths, mode='--nbval', **env):
    """Run nbval (``--nbval-lax``: exceptions only) on the notebooks in a fresh pytest.

    Returns its exit code and output.
    """
    result = subprocess.run(
        [sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider', mode,
         '--nbval-current-env', '--nbval-sanitize-with', str(SANITIZE), *map(str, paths)],
        cwd=paths[0].parent, capture_output=True, text=True, timeout=900,
        env={**os.environ, **env})
    return result.returncode, result.stdout


def copy_with(tmp_path, change):
    nb = nbformat.read(SHARING, as_version=4)
    change(nb)
    path = tmp_path / SHARING.name
    nbformat.write(nb, path)
    return path


def code_cell(nb, starting_with):
    return next(c for c in nb.cells if c.cell_type == 'code' and c.source.startswith(starting_with))


def test_the_unchanged_notebook_passes(tmp_path):
    code, out = run_nbval(copy_with(tmp_path, lambda nb: None))
    assert code == 0, out


def test_a_hand_edited_output_fails(tmp_path):
    def edit(nb):
        output = code_cell(nb, '(net[1].weight is net[2].weight').outputs[0]
        output['data']['text/plain'] = '(True, True, False)'
    code, out = run_nbval(copy_with(tmp_path, edit))
    assert code != 0 and '1 failed' in out, out


def test_a_changed_seed_fails(tmp_path):
    def reseed(nb):
        cell = code_cell(nb, 'import mxnet as mx')
        cell.source = cell.source.replace('mx.random.seed(0)', 'mx.random.seed(1)')
    code, out = run_nbval(copy_with(tmp_path, reseed))
    assert code != 0 and 'Cell outputs differ' in out, out


@pytest.mark.parametrize('path', sorted(NOTEBOOKS.glob('*.ipynb')), ids=lambda p: p.name)
def test_every_code_cell_is_stored_executed_in_order(path):
    """nbval does not compare a cell stored without execution: none may be left so."""
    cells = [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == 'code']
    counts = [c.execution_count for c in cells]
    assert None not in counts and counts == list(range(1, len(cells) + 1)), counts
    assert any(c.outputs for c in cells)


def test_the_series_passes_again_with_two_omp_threads():
    """Nothing a notebook leaves behind changes the next run, and the thread count changes nothing.

    ``make test`` runs tests/ first and then nbval over the series with one
    OpenMP thread, so the series runs twice in a row, with two threads and one.
    MKLDNN's dense layer rounds a batch of other than 256 rows differently with
    one thread than with two; the training batches are all full
    (``load_data_fashion_mnist`` discards the last partial one), so training is
    bit-identical either way. Only evaluation sees a smaller batch, and its last
    bits do not change a predicted class here.
    """
    code, out = run_nbval(*sorted(NOTEBOOKS.glob('*.ipynb')), OMP_NUM_THREADS='2')
    assert code == 0, out


AVX2 = {'DNNL_MAX_CPU_ISA': 'AVX2', 'OPENBLAS_CORETYPE': 'Haswell'}


def test_the_claims_hold_with_avx2_kernels():
    """Every assertion in the series holds on an AVX2 CPU, the common laptop, too.

    The stored outputs come from an AVX-512 machine. On other CPUs MKLDNN (oneDNN)
    and OpenBLAS run other kernels, which round differently, so printed training
    numbers differ in later digits and a strict comparison cannot apply there.
    ``--nbval-lax`` still runs every cell and fails on any exception, so every
    claim a notebook asserts must hold with AVX2 kernels (forced by ``AVX2``).
    """
    one_dense_layer = ('from mxnet import nd; from mxnet.gluon import nn; layer = nn.Dense(2); '
                       'layer.initialize(); layer(nd.ones((1, 3))).wait_to_read()')
    probe = subprocess.run([sys.executable, '-c', one_dense_layer], capture_output=True, text=True,
                           timeout=120, env={**os.environ, **AVX2, 'DNNL_VERBOSE': '1'})
    assert 'isa:Intel AVX2' in probe.stdout, probe.stdout + probe.stderr  # the cap took effect
    code, out = run_nbval(*sorted(NOTEBOOKS.glob('*.ipynb')), mode='--nbval-lax', **AVX2)
    assert code == 0, out
