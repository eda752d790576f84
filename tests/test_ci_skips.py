"""In CI a missing part is a failure, not a skip (the hooks at the end of tests/conftest.py)."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent

PROBES = {
    'in a test': "import pytest\n\ndef test_browser():\n    pytest.skip('no Chromium here')\n",
    'at collection': ("import pytest\npytest.skip('no proxy here', allow_module_level=True)\n\n"
                      "def test_hub():\n    pass\n"),
}


def run_probe(tmp_path, source, ci):
    (tmp_path / 'test_probe.py').write_text(source)
    env = {k: v for k, v in os.environ.items() if k != 'CI'}
    if ci:
        env['CI'] = 'true'
    env['PYTHONPATH'] = os.pathsep.join([str(TESTS), env.get('PYTHONPATH', '')])
    return subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'conftest', '-p',
                           'no:cacheprovider', '-p', 'no:xdist', str(tmp_path / 'test_probe.py')],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize('where', PROBES)
def test_a_skip_fails_in_ci_and_names_the_missing_part(tmp_path, where):
    result = run_probe(tmp_path, PROBES[where], ci=True)
    assert result.returncode != 0, result.stdout
    assert 'in CI every part must be there' in result.stdout and 'here' in result.stdout


@pytest.mark.parametrize('where', PROBES)
def test_a_skip_stays_a_skip_outside_ci(tmp_path, where):
    result = run_probe(tmp_path, PROBES[where], ci=False)
    # 5: pytest's "no tests ran", when the whole module was skipped
    assert result.returncode in (0, 5) and '1 skipped' in result.stdout, result.stdout
