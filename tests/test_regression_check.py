"""The nbval regression check can fail, and what it checks holds beyond this machine.

Copies of a notebook with one thing changed (an output edited by hand, another seed)
must fail nbval in a subprocess, while the unchanged copy passes. The project kernel
must pin the CPU kernels whatever the caller sets, every notebook must name it and be
stored executed, and every claim must hold on the machine's native kernels too.
"""
import os
import re
import subprocess
from pathlib import Path

import nbformat
import project_kernel  # tools/, put on the path by conftest.py
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / 'notebooks'
SHARING = NOTEBOOKS / '04_sharing_parameters.ipynb'


def copy_with(tmp_path, change):
    nb = nbformat.read(SHARING, as_version=4)
    change(nb)
    path = tmp_path / SHARING.name
    nbformat.write(nb, path)
    return path


def code_cell(nb, starting_with):
    return next(c for c in nb.cells if c.cell_type == 'code' and c.source.startswith(starting_with))


def make_check(path):
    """The README's `make check NOTEBOOKS=...`: nbval on one notebook, nothing stored."""
    env = {k: v for k, v in os.environ.items()
           if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES')}
    result = subprocess.run(['make', 'check', f'NOTEBOOKS={path}'], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=900)
    return result.returncode, result.stdout + result.stderr


@pytest.mark.slow
def test_the_unchanged_notebook_passes_make_check(tmp_path):
    path = copy_with(tmp_path, lambda nb: None)
    code, out = make_check(path)
    assert code == 0 and re.search(r'^\d+ passed', out, re.MULTILINE), out


@pytest.mark.slow
def test_a_hand_edited_output_fails_make_check_and_stays_as_it_was(tmp_path):
    def edit(nb):
        output = code_cell(nb, '(net[1].weight is net[2].weight').outputs[0]
        output['data']['text/plain'] = '(True, True, False)'
    path = copy_with(tmp_path, edit)
    before = path.read_bytes()
    code, out = make_check(path)
    assert code != 0 and '1 failed' in out, out
    assert path.read_bytes() == before  # check stores nothing


@pytest.mark.slow
def test_a_changed_seed_fails(tmp_path, run_nbval):
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


def run_in_project_kernel(code, **env):
    """Run ``code`` in a fresh project kernel; return all it printed, fd output included."""
    from jupyter_client.manager import start_new_kernel
    # ipykernel forwards file-descriptor output only outside pytest: hide that it is inside.
    outside_pytest = {k: v for k, v in os.environ.items() if k != 'PYTEST_CURRENT_TEST'}
    manager, client = start_new_kernel(kernel_name=project_kernel.NAME,
                                       env={**outside_pytest, **env})
    try:
        client.execute(code)
        # Output written to file descriptor 1 by C++ code (oneDNN's verbose lines) is
        # forwarded by a thread of the kernel, possibly after the cell ends: a second,
        # short cell gives it time, and stream output of either cell is kept.
        last = client.execute('import time; time.sleep(1)')
        printed = []
        while True:
            message = client.get_iopub_msg(timeout=120)
            if message['msg_type'] == 'stream':
                printed.append(message['content']['text'])
            if message['msg_type'] == 'error':
                printed.append('\n'.join(message['content']['traceback']))
            if (message['parent_header'].get('msg_id') == last and message['msg_type'] == 'status'
                    and message['content']['execution_state'] == 'idle'):
                return ''.join(printed)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


CPU_KERNELS_IN_USE = """
import ctypes, glob, os
import mxnet, numpy
from mxnet import nd
from mxnet.gluon import nn
from numpy.core._multiarray_umath import __cpu_features__
layer = nn.Dense(2)
layer.initialize()
layer(nd.ones((1, 3))).wait_to_read()
mxnet_blas = ctypes.CDLL(os.path.join(os.path.dirname(mxnet.__file__), 'libopenblas.so.0'))
mxnet_blas.openblas_get_corename.restype = ctypes.c_char_p
numpy_blas = ctypes.CDLL(glob.glob(os.path.join(os.path.dirname(numpy.__file__), '..',
                                                'numpy.libs', 'libopenblas*'))[0])
numpy_blas.openblas_get_corename64_.restype = ctypes.c_char_p
# One write per line: print('a', b) writes its parts one by one, and the kernel's thread that
# forwards oneDNN's verbose lines from file descriptor 1 can write between them.
print(f'mxnet openblas: {mxnet_blas.openblas_get_corename().decode()}')
print(f'numpy openblas: {numpy_blas.openblas_get_corename64_().decode()}')
print(f"numpy AVX512F dispatch: {__cpu_features__['AVX512F']}")
print(f"openmp threads: {ctypes.CDLL('libgomp.so.1').omp_get_max_threads()}")
"""


def test_the_project_kernel_pins_the_cpu_kernels_whatever_the_caller_sets():
    """Inside the notebooks' kernel, oneDNN, both OpenBLAS copies, numpy and OpenMP run as pinned.

    oneDNN reports the instruction set it uses with ``DNNL_VERBOSE``; OpenBLAS names
    its core type; numpy says whether it dispatches to AVX-512. The caller asks for
    other values, as a user's shell might: the kernel's own must win.
    """
    printed = run_in_project_kernel(CPU_KERNELS_IN_USE, DNNL_VERBOSE='1', OMP_NUM_THREADS='2',
                                    DNNL_MAX_CPU_ISA='AVX512_CORE', OPENBLAS_CORETYPE='SkylakeX')
    assert 'isa:Intel AVX2' in printed, printed
    assert 'mxnet openblas: Haswell' in printed and 'numpy openblas: Haswell' in printed, printed
    assert 'numpy AVX512F dispatch: False' in printed, printed
    assert 'openmp threads: 1' in printed, printed
    # numpy's notice about features this CPU lacks is muted:
    assert 'Warning' not in printed, printed


def test_every_notebook_names_the_project_kernel():
    for path in sorted(NOTEBOOKS.glob('*.ipynb')):
        kernelspec = nbformat.read(path, as_version=4).metadata.kernelspec
        assert kernelspec == project_kernel.METADATA, path
