"""A local MXNet parameter-server group: a scheduler, servers and workers as processes on 127.0.0.1.

MXNet's distributed kvstore (``kvstore='dist_sync'``) is built into the mxnet
wheel. Each process learns its role from ``DMLC_*`` variables; the scheduler and
the servers are plain ``import mxnet`` with their role set, and they exit when
the workers finish. ``run_local_ps`` starts the group, waits a bounded time,
and always ends every process it started.

What keeps it on this machine: ps-lite (MXNet's parameter server) binds the
scheduler to ``DMLC_PS_ROOT_URI`` and every other node to ``DMLC_NODE_HOST``;
without the latter it picks the first network interface and listens there. Both
are set to 127.0.0.1, and the variables that would override them are removed:
``DMLC_USE_KUBERNETES`` (the scheduler binds 0.0.0.0), ``DMLC_INTERFACE``,
``PORT`` (one fixed port for every node), ``DMLC_LOCAL`` and the others.

What keeps it within the machine: every process imports mxnet (about 100 MiB; a
worker that trains, about 200), so a group larger than the available memory, or
more than ``PROCESSES_PER_CORE`` servers and workers per usable core, is refused
before any process starts. Memory and cores are what this process may use: the
smallest cgroup limit on its own cgroup and its parents (v1 or v2), and the CPU quota.
"""
import math
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .arguments import positive_seconds, short_repr, whole_number

__all__ = ['WorkerResult', 'run_local_ps']

LOOPBACK = '127.0.0.1'
GRACE = 5  # seconds the workers get to finish after the scheduler or a server exited
MIB_PER_PROCESS = 200  # a worker that trains a small net; `import mxnet` alone is ~95 MiB
PROCESSES_PER_CORE = 8  # beyond this they mostly queue for the CPU, each start taking seconds


@dataclass
class WorkerResult:
    """What one worker process printed; ``index`` is its start order, not its kvstore rank."""
    index: int
    stdout: str
    stderr: str


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def group_environment(num_workers, num_servers, port):
    """This process's environment with only our ``DMLC_*`` settings: all on 127.0.0.1."""
    env = {name: value for name, value in os.environ.items()
           if not name.startswith('DMLC_') and name != 'PORT'}
    env.update(DMLC_PS_ROOT_URI=LOOPBACK, DMLC_PS_ROOT_PORT=str(port), DMLC_NODE_HOST=LOOPBACK,
               DMLC_INTERFACE='lo', DMLC_NUM_SERVER=str(num_servers),
               DMLC_NUM_WORKER=str(num_workers))
    return env


def validate_arguments(worker_args, num_workers, num_servers, timeout, cwd):
    """Reject bad arguments before any process is started."""
    if isinstance(worker_args, (str, bytes, os.PathLike)) or not hasattr(worker_args, '__iter__'):
        raise TypeError(f'worker_args must be a list of arguments for python, such as '
                        f"['ps_worker.py', 'out', 'same'], got {worker_args!r}.")
    worker_args = [os.fspath(a) if isinstance(a, os.PathLike) else a for a in worker_args]
    if not worker_args or not all(isinstance(a, str) for a in worker_args):
        raise TypeError(f'worker_args must be a non-empty list of strings (the script and its '
                        f'arguments), got {worker_args!r}.')
    counts = []
    for name, value in [('num_workers', num_workers), ('num_servers', num_servers)]:
        counts.append(whole_number(value))
        if counts[-1] is None:
            raise TypeError(f'{name} must be a whole number, got {value!r}.')
    num_workers, num_servers = counts
    if num_workers < 1 or num_servers < 1:
        raise ValueError('run_local_ps needs at least one worker and one server.')
    validate_capacity(num_workers, num_servers)
    seconds = positive_seconds('timeout', timeout)
    if cwd is not None and not Path(cwd).is_dir():
        raise ValueError(f'cwd {cwd!r} is not a folder: give the folder the workers run in.')
    script = worker_args[0]
    if not script.startswith('-') and not Path(cwd or '.', script).is_file():
        raise FileNotFoundError(f'The worker script {script!r} was not found (looked in '
                                f'{Path(cwd or ".").resolve()}): give its path, or cwd=.')
    return worker_args, num_workers, num_servers, seconds


def validate_capacity(num_workers, num_servers):
    """Refuse a group larger than this machine's cores or available memory can hold."""
    cores = usable_cores()
    if num_workers + num_servers > PROCESSES_PER_CORE * cores:
        raise ValueError(f'{short_repr(num_workers)} workers and {short_repr(num_servers)} '
                         f'servers are more than this machine can run: at most '
                         f'{PROCESSES_PER_CORE * cores} together on its {cores} usable cores. '
                         f'Use fewer (10_parameters_across_devices uses 2 workers and 1 '
                         f'server).')
    processes = 1 + num_servers + num_workers  # and the scheduler
    available = available_memory()
    if available is not None and processes * MIB_PER_PROCESS * 2**20 > available:
        raise ValueError(f'The scheduler, {num_servers} servers and {num_workers} workers need '
                         f'about {processes * MIB_PER_PROCESS} MiB ({MIB_PER_PROCESS} MiB each), '
                         f'more than the {available // 2**20} MiB available: use fewer workers '
                         f'or servers, or close other notebooks or programs.')


def cgroup_paths(proc, controller):
    """This process's cgroup for ``controller`` ('' for v2), as given in /proc/self/cgroup."""
    try:
        with open(f'{proc}/self/cgroup') as f:
            lines = [line.rstrip('\n').split(':', 2) for line in f]
    except OSError:
        return None
    return next((path for _, controllers, path in (ln for ln in lines if len(ln) == 3)
                 if (controller in controllers.split(',') if controller else controllers == '')),
                None)


def cgroup_levels(root, path):
    """``root/path`` and each parent folder up to ``root``: a limit on any of them applies.

    In a container the hierarchy is often mounted at the process's own cgroup, so the
    deeper levels are simply missing there.
    """
    parts = [part for part in (path or '').split('/') if part]
    return [Path(root, *parts[:depth]) for depth in range(len(parts), -1, -1)]


def read_numbers(*files):
    """The whole numbers in ``files``, or None if one is missing or says 'max' (no limit)."""
    try:
        return [int(Path(file).read_text().split()[0]) for file in files]
    except (OSError, ValueError, IndexError):
        return None


def available_memory(proc='/proc', cgroup_fs='/sys/fs/cgroup'):
    """Bytes still available to this process: MemAvailable, or less under a cgroup limit.

    None if neither can be read. A container sees the host's MemAvailable, so the limit
    less the usage of its cgroup and of every parent is read too (cgroup v2 and v1).
    """
    found = []
    try:
        with open(f'{proc}/meminfo') as f:
            found += [int(line.split()[1]) * 1024 for line in f
                      if line.startswith('MemAvailable:')]
    except (OSError, ValueError, IndexError):
        pass
    levels = ([(level / 'memory.max', level / 'memory.current')
               for level in cgroup_levels(cgroup_fs, cgroup_paths(proc, ''))] +
              [(level / 'memory.limit_in_bytes', level / 'memory.usage_in_bytes')
               for level in cgroup_levels(f'{cgroup_fs}/memory', cgroup_paths(proc, 'memory'))])
    for limit_file, usage_file in levels:
        numbers_read = read_numbers(limit_file, usage_file)
        if numbers_read:
            found.append(numbers_read[0] - numbers_read[1])
    return min(found) if found else None


def usable_cores(proc='/proc', cgroup_fs='/sys/fs/cgroup'):
    """The cores this process may use: its CPU affinity, fewer under a cgroup CPU quota."""
    cores = len(os.sched_getaffinity(0))
    quotas = ([level / 'cpu.max' for level in cgroup_levels(cgroup_fs, cgroup_paths(proc, ''))],
              [(level / 'cpu.cfs_quota_us', level / 'cpu.cfs_period_us')
               for level in cgroup_levels(f'{cgroup_fs}/cpu', cgroup_paths(proc, 'cpu'))])
    for cpu_max in quotas[0]:
        try:
            quota, period = Path(cpu_max).read_text().split()[:2]
            cores = min(cores, math.ceil(int(quota) / int(period)))
        except (OSError, ValueError):  # missing, or 'max': no quota
            continue
    for quota_file, period_file in quotas[1]:
        numbers_read = read_numbers(quota_file, period_file)
        if numbers_read and numbers_read[0] > 0:  # -1: no quota
            cores = min(cores, math.ceil(numbers_read[0] / numbers_read[1]))
    return max(cores, 1)


def _stat(pid):
    """(parent pid, start time) of a process from /proc, or None if it is gone."""
    try:
        with open(f'/proc/{pid}/stat', 'rb') as f:
            fields = f.read().rsplit(b')', 1)[1].split()
        return int(fields[1]), int(fields[19])
    except (OSError, IndexError, ValueError):
        return None


def descendants(pids):
    """{pid: start time} of every live process below ``pids``, read from /proc.

    It finds children that left our process groups (``setsid``) while their parent lives.
    """
    children = {}
    for entry in os.listdir('/proc') if os.path.isdir('/proc') else []:
        stat = entry.isdigit() and _stat(entry)
        if stat:
            children.setdefault(stat[0], []).append((int(entry), stat[1]))
    found, todo = {}, list(pids)
    while todo:
        for child, started in children.get(todo.pop(), []):
            if child not in found:
                found[child] = started
                todo.append(child)
    return found


def _end(processes, strays):
    """Kill each started process's group (its children too) and any stray descendant."""
    strays = {**strays, **descendants([p.pid for p in processes])}
    for process in processes:
        try:
            os.killpg(process.pid, signal.SIGKILL)  # even if the leader is gone: its children
        except (ProcessLookupError, PermissionError):
            pass
    for pid, started in strays.items():
        stat = _stat(pid)
        if stat and stat[1] == started:  # the same process, not a new one with its pid
            try:
                os.kill(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
    for process in processes:
        process.wait()


def run_local_ps(worker_args, num_workers=2, num_servers=1, timeout=120, cwd=None):
    """Run ``python *worker_args`` as ``num_workers`` dist_sync workers; return their results.

    Raises ``TimeoutError`` if the workers are not done within ``timeout`` seconds
    and ``RuntimeError`` at once if any process (a worker, a server, the scheduler)
    fails, with its last output; in every case all processes, and the processes
    they started, are ended. The results are in start order; a worker's kvstore
    rank is assigned by the scheduler, so workers should report ``kv.rank`` themselves.

    Used in: 10_parameters_across_devices.
    """
    worker_args, num_workers, num_servers, timeout = validate_arguments(
        worker_args, num_workers, num_servers, timeout, cwd)
    env = group_environment(num_workers, num_servers, free_port())
    processes, logs, names, strays = [], [], [], {}

    def start(role, args):
        stdout = tempfile.TemporaryFile('w+', errors='replace')
        stderr = tempfile.TemporaryFile('w+', errors='replace')
        logs.append((stdout, stderr))
        names.append(role if role != 'worker' else f'worker {len(names) - 1 - num_servers}')
        # A session of its own: killing its process group also ends what it started.
        processes.append(subprocess.Popen([sys.executable, *args], env={**env, 'DMLC_ROLE': role},
                                          cwd=cwd, stdout=stdout, stderr=stderr, text=True,
                                          start_new_session=True))

    def output(index):
        stdout, stderr = logs[index]
        stdout.seek(0)
        stderr.seek(0)
        return stdout.read(), stderr.read()

    def failure(index, what):
        stdout, stderr = output(index)
        tail = (stderr.strip() or stdout.strip() or '(no output)')[-2000:]
        return RuntimeError(f'The parameter-server {names[index]} {what}; all processes were '
                            f'ended. Its last output:\n{tail}')

    try:
        start('scheduler', ['-c', 'import mxnet'])
        for _ in range(num_servers):
            start('server', ['-c', 'import mxnet'])
        first_worker = len(processes)
        for _ in range(num_workers):
            start('worker', worker_args)
        deadline, next_look, group_gone = time.monotonic() + timeout, 0, None
        while True:
            codes = [p.poll() for p in processes]
            for index, code in enumerate(codes):
                if code not in (None, 0):  # the others would wait for it forever
                    raise failure(index, f'exited with code {code}')
            if all(code == 0 for code in codes[first_worker:]):
                break
            if group_gone is None and any(code == 0 for code in codes[:first_worker]):
                group_gone = time.monotonic()  # normal at the very end, fatal before
            if group_gone is not None and time.monotonic() - group_gone > GRACE:
                index = next(i for i, code in enumerate(codes[:first_worker]) if code == 0)
                raise failure(index, 'exited before the workers finished')
            if time.monotonic() > deadline:
                raise TimeoutError(f'The parameter-server workers did not finish within '
                                   f'{timeout:g} s; all processes were ended.')
            if time.monotonic() > next_look:  # remember children that leave our groups
                strays.update(descendants([p.pid for p in processes]))
                next_look = time.monotonic() + 0.5
            time.sleep(0.05)
        for process in processes[:first_worker]:  # they exit once the workers are done
            try:
                process.wait(timeout=min(max(deadline - time.monotonic(), 1), GRACE))
            except subprocess.TimeoutExpired:
                pass  # the workers' results are complete; it is ended below
        return [WorkerResult(i, *output(first_worker + i)) for i in range(num_workers)]
    finally:
        _end(processes, strays)
        for stdout, stderr in logs:
            stdout.close()
            stderr.close()
