"""d2lhelpers.distributed: a local dist_sync group runs, agrees, and never outlives its call."""
import subprocess
import time

import pytest

import d2lhelpers as d2l

WORKER = '''
import mxnet as mx
from mxnet import nd
kv = mx.kv.create('dist_sync')
kv.init('w', nd.zeros(3))
kv.push('w', nd.ones(3) * (kv.rank + 1))  # the server sums the pushes of all workers
out = nd.zeros(3)
kv.pull('w', out=out)
print(kv.rank, kv.num_workers, out.asnumpy().tolist())
'''


def no_processes_left(folder):
    """No scheduler, server (``python -c import mxnet``) or worker (a script in ``folder``) runs."""
    found = subprocess.run(['pgrep', '-f', f'import mxnet|{folder}'], capture_output=True, text=True)
    return found.stdout.strip() == ''


def test_two_workers_see_the_sum_of_their_pushes(tmp_path):
    (tmp_path / 'worker.py').write_text(WORKER)
    results = d2l.run_local_ps([str(tmp_path / 'worker.py')], num_workers=2, timeout=60)
    lines = sorted(r.stdout.split('\n')[0] for r in results)
    assert lines == ['0 2 [3.0, 3.0, 3.0]', '1 2 [3.0, 3.0, 3.0]']
    assert no_processes_left(tmp_path)


def test_a_failing_worker_is_reported_and_everything_is_ended(tmp_path):
    (tmp_path / 'worker.py').write_text('raise SystemExit("broken worker")')
    with pytest.raises(RuntimeError, match='broken worker'):
        d2l.run_local_ps([str(tmp_path / 'worker.py')], cwd=tmp_path, timeout=30)
    assert no_processes_left(tmp_path)


def test_one_failing_worker_is_reported_at_once_though_the_other_waits(tmp_path):
    (tmp_path / 'worker.py').write_text(
        'import os, sys, time\n'
        'if not os.path.exists("claimed"):  # the first worker to get here fails\n'
        '    open("claimed", "w").close()\n'
        '    sys.exit("one worker broke")\n'
        'time.sleep(60)\n')
    start = time.monotonic()
    with pytest.raises(RuntimeError, match='one worker broke'):
        d2l.run_local_ps([str(tmp_path / 'worker.py')], cwd=tmp_path, timeout=30)
    assert time.monotonic() - start < 10
    assert no_processes_left(tmp_path)


def test_a_stuck_group_times_out_and_everything_is_ended(tmp_path):
    (tmp_path / 'worker.py').write_text('import time\ntime.sleep(60)')
    with pytest.raises(TimeoutError, match='within 2 s'):
        d2l.run_local_ps([str(tmp_path / 'worker.py')], timeout=2)
    assert no_processes_left(tmp_path)


def test_at_least_one_worker_and_server():
    with pytest.raises(ValueError, match='at least one worker'):
        d2l.run_local_ps(['worker.py'], num_workers=0)
