"""make's set-up on a machine without Python 3.11: uv is asked for one, else the ways are named.

This machine reaches PyPI but not github.com, where uv fetches its managed Pythons from: so uv is
installed (into a temporary folder) and asked, its download fails, and make must stop with the ways
to get a 3.11, having created nothing in the checkout. ``PYTHON=`` (empty) stands for "no 3.11 on
PATH": make then takes the same branch a machine without one takes.
"""
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # installs uv from PyPI and waits for its download to fail

ROOT = Path(__file__).resolve().parent.parent
OUTER_ONLY = ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'VIRTUAL_ENV')


def test_without_python_3_11_make_names_the_ways_and_creates_nothing(tmp_path):
    checkout = tmp_path / 'checkout'
    checkout.mkdir()
    for name in ('Makefile', 'requirements.txt', 'constraints.txt', 'pyproject.toml'):
        shutil.copy(ROOT / name, checkout)
    shutil.copytree(ROOT / 'tools', checkout / 'tools')
    before = sorted(p.relative_to(checkout) for p in checkout.rglob('*'))
    env = {k: v for k, v in os.environ.items() if k not in OUTER_ONLY}
    result = subprocess.run(['make', 'setup', 'PYTHON='], cwd=checkout, env=env,
                            stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0, result.stdout
    said = result.stderr
    assert 'asking uv 0.13.9 (from PyPI) for a managed one' in said  # uv was installed and asked
    assert 'no Python 3.11 found, and uv could not fetch one' in said, said
    for way in ('sudo apt-get install python3.11-venv', 'ppa:deadsnakes/ppa',
                'uv python install 3.11', 'conda env create -f environment.yml'):
        assert way in said, said
    assert sorted(p.relative_to(checkout) for p in checkout.rglob('*')) == before
