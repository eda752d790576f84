"""Every claim of the series holds outside the project kernel, on the machine's native kernels."""
from pathlib import Path

import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / 'notebooks').glob('*.ipynb'))


@pytest.mark.slow
@pytest.mark.parametrize('notebook', NOTEBOOKS, ids=[path.stem for path in NOTEBOOKS])
def test_the_claims_hold_with_the_native_kernels(run_nbval, notebook):
    """Every assertion in the notebook holds outside the project kernel too.

    A student who runs a notebook on a plain Python kernel gets the kernels that
    oneDNN, OpenBLAS and numpy pick for this CPU (here AVX-512), which round
    differently, so printed training numbers differ in later digits and a strict
    comparison cannot apply. ``--nbval-lax`` still runs every cell and fails on
    any exception, so every claim a notebook asserts must hold there as well.
    """
    code, out = run_nbval(notebook, lax=True, native=True)
    assert code == 0, out
