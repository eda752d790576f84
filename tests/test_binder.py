"""Binder-ready: environment.yml reads the same pins, and postBuild fetches verified data."""
import os
import subprocess
import sys
from pathlib import Path

import yaml

import d2lhelpers.data as data

ROOT = Path(__file__).resolve().parent.parent


def test_environment_yml_uses_python_3_11_and_the_pins_of_requirements_txt():
    env = yaml.safe_load((ROOT / 'environment.yml').read_text())
    dependencies = env['dependencies']
    assert 'python=3.11' in dependencies
    pip_section = next(d['pip'] for d in dependencies if isinstance(d, dict))
    assert pip_section == ['-r requirements.txt', '-e .']
    assert '-c constraints.txt' in (ROOT / 'requirements.txt').read_text()


def test_postbuild_downloads_verified_data_into_the_users_mxnet_folder(server, tmp_path):
    postbuild = ROOT / 'postBuild'
    assert os.access(postbuild, os.X_OK), 'repo2docker runs postBuild only if it is executable'
    # As on Binder, `python` is the environment's own.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ['PATH']])
    env = {**os.environ, 'PATH': path, 'HOME': str(tmp_path), 'FASHION_MNIST_URL': server.url,
           'MPLCONFIGDIR': str(tmp_path / 'mpl')}
    env.pop('MXNET_HOME', None)
    subprocess.run([str(postbuild)], cwd=ROOT, env=env, check=True, capture_output=True,
                   timeout=300)
    folder = tmp_path / '.mxnet' / 'datasets' / 'fashion-mnist'
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FILES)
    assert data.load_fashion_mnist_arrays(root=folder)[1].shape == (60000,)
