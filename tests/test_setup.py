"""make's set-up: without Python 3.11 uv is asked for one or the ways named; git diff by cells;
two apt-get installs at once (make test's data and browser, side by side) do not fail.

This machine reaches PyPI but not github.com, where uv fetches its managed Pythons from: so uv is
installed (into a temporary folder) and asked, its download fails, and make must stop with the ways
to get a 3.11, having created nothing in the checkout. ``PYTHON=`` (empty) stands for "no 3.11 on
PATH": make then takes the same branch a machine without one takes.
"""
import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from os_support import descendants

pytestmark = pytest.mark.slow  # installs uv from PyPI and waits for its download to fail

ROOT = Path(__file__).resolve().parent.parent
OUTER_ONLY = ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL', 'MAKEOVERRIDES', 'VIRTUAL_ENV')


def setup_checkout(checkout):
    """What make's set-up reads, copied to the new folder ``checkout``, as in a fresh clone."""
    checkout.mkdir()
    for name in ('Makefile', 'requirements.txt', 'constraints.txt', 'pyproject.toml'):
        shutil.copy(ROOT / name, checkout)
    shutil.copytree(ROOT / 'tools', checkout / 'tools')
    shutil.copytree(ROOT / 'kernel', checkout / 'kernel')
    return checkout


def test_without_python_3_11_make_names_the_ways_and_creates_nothing(tmp_path):
    checkout = setup_checkout(tmp_path / 'checkout')
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


def test_make_proxy_on_a_fresh_clone_sets_up_first(tmp_path):
    """The proxy goes into .venv/share: on a fresh clone `make proxy` first makes the set-up,
    rather than saying that npm is not installed because .venv is missing (make's plan, -n)."""
    checkout = setup_checkout(tmp_path / 'checkout')
    env = {k: v for k, v in os.environ.items() if k not in OUTER_ONLY}
    plan = subprocess.run(['make', '-n', 'proxy', 'PYTHON=python3.11'], cwd=checkout, env=env,
                          capture_output=True, text=True, check=True).stdout
    assert '-m venv .venv' in plan and 'configurable-http-proxy' in plan, plan
    assert plan.index('-m venv .venv') < plan.index('configurable-http-proxy'), plan


def git(repo, *args):
    return subprocess.run(['git', '-c', 'user.name=t', '-c', 'user.email=t@t', *args], cwd=repo,
                          capture_output=True, text=True, check=True).stdout


def test_after_setup_git_diff_shows_a_notebook_by_cells(tmp_path):
    """make setup runs tools/git-nbdiff.sh: git diff then shows nbdime's cell-by-cell diff."""
    assert 'bash tools/git-nbdiff.sh $(VENV)/bin' in (ROOT / 'Makefile').read_text()
    repo = tmp_path / 'repo'
    (repo / 'tools').mkdir(parents=True)
    shutil.copy(ROOT / '.gitattributes', repo)
    shutil.copy(ROOT / 'tools' / 'git-nbdiff.sh', repo / 'tools')
    notebook = ROOT / 'notebooks' / '01_accessing_parameters.ipynb'
    shutil.copy(notebook, repo)
    git(repo, 'init', '-q')
    git(repo, 'add', '.')
    git(repo, 'commit', '-qm', 'start')
    (repo / notebook.name).write_text(notebook.read_text(encoding='utf-8').replace(
        '（延后初始化', '（延迟初始化', 1), encoding='utf-8')
    assert '## modified /cells/' not in git(repo, 'diff')  # before: git's own text diff
    subprocess.run(['bash', 'tools/git-nbdiff.sh', str(ROOT / '.venv' / 'bin')], cwd=repo,
                   check=True)
    shown = git(repo, 'diff')
    assert '## modified /cells/' in shown and '延迟初始化' in shown, shown


# apt's own lock: the one Debian's apt-get takes first, and fails on at once when it is held.
DPKG_FRONTEND_LOCK = Path('/var/lib/dpkg/lock-frontend')


@pytest.mark.needs_root
@pytest.mark.skipif(os.geteuid() != 0 or not DPKG_FRONTEND_LOCK.exists(),
                    reason="holds Debian's dpkg lock: as root, on Debian")
def test_apt_install_waits_for_another_apt_instead_of_failing():
    """make test runs tools/get-data.sh and tools/get-browser.sh side by side (make -j4), each
    installing with tools/apt-install.sh: on a fresh machine two apt-gets run at once, and the
    second failed at once with "Could not get lock /var/lib/dpkg/lock-frontend". Here this test
    holds that lock as the other apt-get would: the script must wait until the lock is let go,
    then install. The package is one make test has installed (the data), so nothing changes."""
    installed = subprocess.run(['dpkg-query', '-W', '-f=${Status}', 'dataset-fashion-mnist'],
                               capture_output=True, text=True).stdout
    if installed != 'install ok installed':
        pytest.skip("Debian's dataset-fashion-mnist is not installed (make test installs it)")
    with DPKG_FRONTEND_LOCK.open('r+') as lock:
        fcntl.lockf(lock, fcntl.LOCK_EX)  # as apt does (fcntl), so apt sees it held
        script = subprocess.Popen(['bash', str(ROOT / 'tools' / 'apt-install.sh'),
                                   'dataset-fashion-mnist'], stdin=subprocess.DEVNULL)
        # Held until an apt-get of the script has run for 3 s: one that fails on the lock ends
        # at once, and so does the script, then, while the lock is still held.
        first_seen = {}
        while script.poll() is None:
            now = time.monotonic()
            for pid, cmdline in descendants([script.pid]).items():
                if b'apt-get' in cmdline and b'install' in cmdline:
                    first_seen.setdefault(pid, now)
            if any(now - seen >= 3 for seen in first_seen.values()):
                break
            time.sleep(0.1)
        gave_up_while_held = script.poll()
        fcntl.lockf(lock, fcntl.LOCK_UN)
    assert gave_up_while_held is None, 'apt-install.sh gave up while another apt held the lock'
    assert script.wait(timeout=120) == 0
