"""d2lhelpers.distributed: a local dist_sync group runs, agrees, stays on 127.0.0.1, and never
outlives its call.

The tests look only at processes they started: ``started`` records every process that
``run_local_ps`` starts, and the processes those start are found through /proc.
"""
import os
import socket
import subprocess
import sys
import threading
import time
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from os_support import alive, descendants

import d2lhelpers as d2l
import d2lhelpers.distributed as distributed

ROOT = Path(__file__).resolve().parent.parent

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


@pytest.fixture
def started(monkeypatch):
    """[(role, Popen)] of every process run_local_ps starts during the test."""
    processes, real_popen = [], subprocess.Popen

    def popen(*args, **kwargs):
        process = real_popen(*args, **kwargs)
        processes.append((kwargs.get('env', {}).get('DMLC_ROLE', '?'), process))
        return process

    monkeypatch.setattr(distributed.subprocess, 'Popen', popen)
    return processes


def none_alive(pids, wait=3):
    deadline = time.monotonic() + wait
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return [pid for pid in pids if alive(pid)] == []


def no_processes_left(started):
    assert started, 'run_local_ps started no process'
    return none_alive([process.pid for _, process in started])


def listening_addresses(pid):
    """'ip:port' of each TCP socket that process ``pid`` listens on (from /proc)."""
    try:
        inodes = {os.readlink(f'/proc/{pid}/fd/{fd}')[8:-1] for fd in os.listdir(f'/proc/{pid}/fd')
                  if os.readlink(f'/proc/{pid}/fd/{fd}').startswith('socket:[')}
    except OSError:  # it ended meanwhile
        return set()
    found = set()
    for table in ('tcp', 'tcp6'):
        try:
            lines = Path(f'/proc/{pid}/net/{table}').read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[3] == '0A' and fields[9] in inodes:  # 0A: LISTEN
                address, port = fields[1].split(':')
                raw = bytes.fromhex(address)
                # /proc prints each 32-bit word in host (little-endian) order
                raw = b''.join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
                family = socket.AF_INET if len(raw) == 4 else socket.AF_INET6
                found.add(f'{socket.inet_ntop(family, raw)}:{int(port, 16)}')
    return found


def test_two_workers_see_the_sum_of_their_pushes(tmp_path, started):
    (tmp_path / 'worker.py').write_text(WORKER)
    results = d2l.run_local_ps([str(tmp_path / 'worker.py')], num_workers=2, timeout=60)
    lines = sorted(r.stdout.split('\n')[0] for r in results)
    assert lines == ['0 2 [3.0, 3.0, 3.0]', '1 2 [3.0, 3.0, 3.0]']
    assert no_processes_left(started)


@pytest.mark.slow  # a whole parameter-server group, twice
@pytest.mark.parametrize('hostile', [False, True])
def test_every_process_listens_on_the_loopback_only(tmp_path, started, monkeypatch, hostile):
    """By default ps-lite listens on the machine's network address; also with variables set
    that would make it listen on every address."""
    if hostile:
        monkeypatch.setenv('DMLC_USE_KUBERNETES', '1')  # the scheduler would bind 0.0.0.0
        monkeypatch.setenv('DMLC_INTERFACE', 'eth0')
        monkeypatch.setenv('DMLC_NODE_HOST', '0.0.0.0')
    (tmp_path / 'worker.py').write_text(WORKER + 'import time\ntime.sleep(1.5)\n')
    seen, done = {}, threading.Event()

    def watch():  # sample the sockets of every process the helper started, and theirs
        while not done.is_set():
            for role, process in list(started):
                for pid in {process.pid} | set(descendants([process.pid])):
                    for address in listening_addresses(pid):
                        seen.setdefault(address, set()).add(f'{role} {process.pid}')
            time.sleep(0.1)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        d2l.run_local_ps([str(tmp_path / 'worker.py')], num_workers=2, num_servers=2,
                         timeout=60)
    finally:
        done.set()
        watcher.join()
    listeners = {owner for owners in seen.values() for owner in owners}
    assert sorted(owner.split()[0] for owner in listeners) == \
        ['scheduler', 'server', 'server', 'worker', 'worker'], seen
    assert [address for address in seen if not address.startswith('127.0.0.1:')] == [], seen
    assert no_processes_left(started)


def test_the_processes_a_worker_starts_are_ended_too(tmp_path, started):
    """A child in the worker's process group, and one that left it with setsid."""
    (tmp_path / 'worker.py').write_text(
        'import os, subprocess, sys, time\n'
        'sleeper = [sys.executable, "-c", "import time; time.sleep(60)"]\n'
        'a = subprocess.Popen(sleeper)\n'
        'b = subprocess.Popen(sleeper, start_new_session=True)\n'
        'open(f"pids-{os.getpid()}", "w").write(f"{a.pid} {b.pid}")\n'
        'time.sleep(1)\n' + WORKER)
    d2l.run_local_ps([str(tmp_path / 'worker.py')], cwd=tmp_path, timeout=60)
    pids = [int(pid) for path in tmp_path.glob('pids-*') for pid in path.read_text().split()]
    assert len(pids) == 4
    assert none_alive(pids)
    assert no_processes_left(started)


def test_a_failing_worker_is_reported_and_everything_is_ended(tmp_path, started):
    (tmp_path / 'worker.py').write_text(
        'import subprocess, sys\n'
        'child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])\n'
        'open("child", "w").write(str(child.pid))\n'
        'raise SystemExit("broken worker")')
    with pytest.raises(RuntimeError, match='broken worker'):
        d2l.run_local_ps([str(tmp_path / 'worker.py')], cwd=tmp_path, timeout=30)
    assert no_processes_left(started)
    assert none_alive([int(path.read_text()) for path in [tmp_path / 'child'] if path.exists()])


def test_one_failing_worker_is_reported_at_once_though_the_other_waits(tmp_path, started):
    (tmp_path / 'worker.py').write_text(
        'import os, sys, time\n'
        'if not os.path.exists("claimed"):  # the first worker to get here fails\n'
        '    open("claimed", "w").close()\n'
        '    sys.exit("one worker broke")\n'
        'time.sleep(600)\n')
    # The other worker sleeps far past the timeout: the failure is reported while it still runs,
    # or the call would end in a TimeoutError instead.
    with pytest.raises(RuntimeError, match='one worker broke'):
        d2l.run_local_ps([str(tmp_path / 'worker.py')], cwd=tmp_path, timeout=120)
    assert no_processes_left(started)


def test_a_scheduler_that_cannot_bind_fails_the_call_at_once_with_its_message(
        tmp_path, started, monkeypatch):
    (tmp_path / 'worker.py').write_text(WORKER)
    with socket.socket() as taken:  # the port the scheduler is told to use is in use
        taken.bind(('127.0.0.1', 0))
        taken.listen()
        monkeypatch.setattr(distributed, 'free_port', lambda: taken.getsockname()[1])
        # the workers would wait for the scheduler until a TimeoutError: the report comes first
        with pytest.raises(RuntimeError, match='(?s)scheduler.*bind failed'):
            d2l.run_local_ps([str(tmp_path / 'worker.py')], timeout=120)
    assert no_processes_left(started)


def test_a_stuck_group_times_out_and_everything_is_ended(tmp_path, started):
    (tmp_path / 'worker.py').write_text('import time\ntime.sleep(60)')
    with pytest.raises(TimeoutError, match='within 2 s'):
        d2l.run_local_ps([str(tmp_path / 'worker.py')], timeout=2)
    assert no_processes_left(started)


@pytest.mark.parametrize('changes, error, message', [
    (dict(num_workers=0), ValueError, 'at least one worker'),
    (dict(num_servers=0), ValueError, 'at least one worker and one server'),
    (dict(num_workers=2.5), TypeError, 'num_workers must be a whole number'),
    (dict(num_workers=True), TypeError, 'num_workers must be a whole number'),
    (dict(num_servers=2.0), TypeError, 'num_servers must be a whole number'),
    (dict(timeout=float('inf')), ValueError, 'timeout must be at most 86400 seconds'),
    (dict(timeout='60'), ValueError, 'timeout must be a positive number'),
    (dict(timeout=0), ValueError, 'timeout must be a positive number'),
    (dict(timeout=float('nan')), ValueError, 'timeout must be a positive number'),
    (dict(worker_args='worker.py'), TypeError, 'worker_args must be a list'),
    (dict(worker_args=[]), TypeError, 'non-empty list'),
    (dict(worker_args=['worker.py', 3]), TypeError, 'list of strings'),
    (dict(worker_args=['no_such_worker.py']), FileNotFoundError, 'no_such_worker.py'),
    (dict(cwd='/no/such/folder'), ValueError, 'is not a folder'),
])
def test_bad_arguments_are_rejected_before_any_process_starts(tmp_path, started, changes,
                                                              error, message):
    (tmp_path / 'worker.py').write_text(WORKER)
    arguments = dict(worker_args=['worker.py'], num_workers=2, num_servers=1, timeout=30,
                     cwd=tmp_path)
    arguments.update(changes)
    with pytest.raises(error, match=message):
        d2l.run_local_ps(**arguments)
    assert started == []


@pytest.fixture
def no_process_may_start(monkeypatch):
    """Any process run_local_ps tries to start is refused (and recorded): for groups that
    must be refused up front, so that a failing check cannot start a million processes."""
    tried = []

    def popen(*args, **kwargs):
        tried.append(args)
        raise AssertionError('run_local_ps started a process')

    monkeypatch.setattr(distributed.subprocess, 'Popen', popen)
    return tried


@pytest.mark.parametrize('num_workers, num_servers', [(10**6, 1), (2, 10**6)])
def test_a_group_larger_than_the_machine_is_refused_before_any_process_starts(
        tmp_path, no_process_may_start, num_workers, num_servers):
    """Issue 20: run_local_ps(num_workers=10**6) was accepted (each worker ~200 MB)."""
    (tmp_path / 'worker.py').write_text(WORKER)
    cores = len(os.sched_getaffinity(0))
    with pytest.raises(ValueError, match=f'more than this machine can run: at most '
                                         f'{8 * cores} together on its {cores} usable cores'):
        d2l.run_local_ps(['worker.py'], num_workers=num_workers, num_servers=num_servers,
                         cwd=tmp_path)
    assert no_process_may_start == []


def test_a_group_larger_than_the_available_memory_is_refused(tmp_path, no_process_may_start,
                                                             monkeypatch):
    (tmp_path / 'worker.py').write_text(WORKER)
    monkeypatch.setattr(distributed, 'available_memory', lambda: 500 * 2**20)
    with pytest.raises(ValueError, match=r'need about 800 MiB \(200 MiB each\), more than the '
                                         r'500 MiB available'):
        d2l.run_local_ps(['worker.py'], num_workers=2, num_servers=1, cwd=tmp_path)
    assert no_process_may_start == []


@pytest.mark.parametrize('cgroup, expected_mib', [
    ('v2 limit', 1024 - 256),  # the container's limit less its usage, not the host's memory
    ('v2 max', 4096),          # no limit: the host's MemAvailable
    ('v1 limit', 2048 - 1024),
    ('none', 4096),
])
def test_available_memory_is_the_smaller_of_the_host_and_the_cgroup(tmp_path, cgroup,
                                                                    expected_mib):
    proc, fs = tmp_path / 'proc', tmp_path / 'cgroup'
    (proc / 'self').mkdir(parents=True)
    (proc / 'meminfo').write_text('MemTotal: 8388608 kB\nMemAvailable: 4194304 kB\n')
    (proc / 'self' / 'cgroup').write_text('0::/user/session\n' if 'v2' in cgroup else '')
    files = {'v2 limit': {'user/session/memory.max': 2**30, 'user/session/memory.current': 2**28},
             'v2 max': {'user/session/memory.max': 'max', 'user/session/memory.current': 2**28},
             'v1 limit': {'memory/memory.limit_in_bytes': 2**31,
                          'memory/memory.usage_in_bytes': 2**30},
             'none': {}}[cgroup]
    for name, value in files.items():
        (fs / name).parent.mkdir(parents=True, exist_ok=True)
        (fs / name).write_text(f'{value}\n')
    assert distributed.available_memory(str(proc), str(fs)) == expected_mib * 2**20


def test_counts_of_any_integral_type_are_accepted(tmp_path, started):
    """Issue 20's kind: numpy integers were refused as not whole numbers."""
    (tmp_path / 'worker.py').write_text(WORKER)
    results = d2l.run_local_ps(['worker.py'], num_workers=np.int64(2), num_servers=np.int32(1),
                               timeout=np.float32(60), cwd=tmp_path)
    assert sorted(r.stdout.split('\n')[0] for r in results) == \
        ['0 2 [3.0, 3.0, 3.0]', '1 2 [3.0, 3.0, 3.0]']
    assert no_processes_left(started)


def test_variables_that_would_leave_the_loopback_are_not_passed_on(monkeypatch):
    for name, value in [('DMLC_USE_KUBERNETES', '1'), ('DMLC_INTERFACE', 'eth0'),
                        ('DMLC_NODE_HOST', '0.0.0.0'), ('PORT', '8888'), ('DMLC_LOCAL', '1'),
                        ('DMLC_PS_ROOT_URI', '10.0.0.1')]:
        monkeypatch.setenv(name, value)
    env = distributed.group_environment(2, 1, 12345)
    assert env['DMLC_NODE_HOST'] == env['DMLC_PS_ROOT_URI'] == '127.0.0.1'
    assert env['DMLC_INTERFACE'] == 'lo'
    assert 'DMLC_USE_KUBERNETES' not in env and 'PORT' not in env and 'DMLC_LOCAL' not in env


def test_the_notebooks_worker_refuses_to_run_outside_a_local_group(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith('DMLC_')}
    script = str(ROOT / 'notebooks' / 'ps_worker.py')
    usage = subprocess.run([sys.executable, script, str(tmp_path), 'sometimes'],
                           env=env, capture_output=True, text=True, timeout=60)
    assert usage.returncode != 0 and 'usage' in usage.stderr and 'Traceback' not in usage.stderr
    alone = subprocess.run([sys.executable, script, str(tmp_path), 'same'],
                           env={**env, 'DMLC_ROLE': 'worker', 'DMLC_PS_ROOT_URI': '192.0.2.1'},
                           capture_output=True, text=True, timeout=60)
    assert alone.returncode != 0 and 'run_local_ps' in alone.stderr


# --- issue 20 follow-up: what an adversary found ---

def write_files(root, files):
    for name, value in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(f'{value}\n')


@pytest.mark.parametrize('layout', ['v1 own cgroup', 'v2 parent'])
def test_a_memory_limit_on_this_process_own_cgroup_or_a_parent_counts(tmp_path, layout):
    """Adversary 17: v1 was read at the root only, v2 at the leaf only."""
    proc, fs = tmp_path / 'proc', tmp_path / 'cgroup'
    files = {'meminfo': 'MemTotal: 33554432 kB\nMemAvailable: 20971520 kB'}
    if layout == 'v1 own cgroup':  # as on this project's machines
        files['self/cgroup'] = '4:memory:/process_api/abc\n1:cpu:/\n0::/'
        cgroups = {'memory/memory.limit_in_bytes': 9223372036854771712,
                   'memory/memory.usage_in_bytes': 7 * 2**30,
                   'memory/process_api/abc/memory.limit_in_bytes': 512 * 2**20,
                   'memory/process_api/abc/memory.usage_in_bytes': 100 * 2**20}
    else:  # systemd: the limit on the slice, 'max' on the scope
        files['self/cgroup'] = '0::/user.slice/session.scope'
        cgroups = {'user.slice/memory.max': 512 * 2**20,
                   'user.slice/memory.current': 100 * 2**20,
                   'user.slice/session.scope/memory.max': 'max',
                   'user.slice/session.scope/memory.current': 50 * 2**20}
    write_files(proc, files)
    write_files(fs, cgroups)
    assert distributed.available_memory(str(proc), str(fs)) == 412 * 2**20


@pytest.mark.parametrize('layout, files, expected', [
    ('v2 quota of 1.5 cores on a parent',
     {'a/cpu.max': '150000 100000', 'a/b/cpu.max': 'max 100000'}, 2),
    ('v2 no quota', {'a/cpu.max': 'max 100000'}, 64),
    ('v1 quota of 1 core', {'cpu/a/b/cpu.cfs_quota_us': 100000,
                            'cpu/a/b/cpu.cfs_period_us': 100000}, 1),
    ('v1 no quota', {'cpu/cpu.cfs_quota_us': -1, 'cpu/cpu.cfs_period_us': 100000}, 64),
])
def test_usable_cores_follow_a_cpu_quota(tmp_path, monkeypatch, layout, files, expected):
    """Adversary 17: the process count was checked against the affinity mask only."""
    proc, fs = tmp_path / 'proc', tmp_path / 'cgroup'
    write_files(proc, {'self/cgroup': '1:cpu,cpuacct:/a/b\n0::/a/b' if 'v1' in layout
                       else '0::/a/b'})
    write_files(fs, files)
    monkeypatch.setattr(distributed.os, 'sched_getaffinity', lambda pid: set(range(64)))
    assert distributed.usable_cores(str(proc), str(fs)) == expected


def test_a_group_beyond_the_cpu_quota_is_refused(tmp_path, no_process_may_start, monkeypatch):
    (tmp_path / 'worker.py').write_text(WORKER)
    monkeypatch.setattr(distributed, 'usable_cores', lambda: 1)
    with pytest.raises(ValueError, match='at most 8 together on its 1 usable cores'):
        d2l.run_local_ps(['worker.py'], num_workers=8, num_servers=1, cwd=tmp_path)
    assert no_process_may_start == []


@pytest.mark.parametrize('timeout', [10**400, Fraction(10**400), 1e300],
                         ids=['10**400', 'Fraction(10**400)', '1e300'])
def test_a_timeout_too_large_is_refused_clearly(tmp_path, started, timeout):
    """Adversary 7: 10**400 gave a bare OverflowError."""
    (tmp_path / 'worker.py').write_text(WORKER)
    with pytest.raises(ValueError, match='timeout must be at most 86400 seconds'):
        d2l.run_local_ps(['worker.py'], timeout=timeout, cwd=tmp_path)
    assert started == []


def test_a_decimal_timeout_is_a_number_of_seconds(tmp_path, started):
    """Adversary 9: Decimal('10') was "not a positive number of seconds"."""
    with pytest.raises(FileNotFoundError, match='no_such_worker.py'):  # past the timeout check
        d2l.run_local_ps(['no_such_worker.py'], timeout=Decimal('10'), cwd=tmp_path)
    assert started == []


def test_a_count_of_401_digits_is_refused_in_a_short_message(tmp_path, no_process_may_start):
    (tmp_path / 'worker.py').write_text(WORKER)
    with pytest.raises(ValueError, match='an int of 401 digits workers') as info:
        d2l.run_local_ps(['worker.py'], num_workers=10**400, cwd=tmp_path)
    assert len(str(info.value)) < 400
    assert no_process_may_start == []
