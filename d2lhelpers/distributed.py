"""A local MXNet parameter-server group: a scheduler, servers and workers as processes on 127.0.0.1.

MXNet's distributed kvstore (``kvstore='dist_sync'``) is built into the mxnet
wheel. Each process learns its role from ``DMLC_*`` variables; the scheduler and
the servers are plain ``import mxnet`` with their role set, and they exit when
the workers finish. ``run_local_ps`` starts the group, waits a bounded time,
and always ends every process it started.
"""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

__all__ = ['WorkerResult', 'run_local_ps']


@dataclass
class WorkerResult:
    """What one worker process printed; ``index`` is its start order, not its kvstore rank."""
    index: int
    returncode: int
    stdout: str
    stderr: str


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def run_local_ps(worker_args, num_workers=2, num_servers=1, timeout=120, cwd=None):
    """Run ``python *worker_args`` as ``num_workers`` dist_sync workers; return their results.

    Raises ``TimeoutError`` if the workers are not done within ``timeout`` seconds
    and ``RuntimeError`` if one fails; in every case all processes are ended.
    The results are in start order; a worker's kvstore rank is assigned by the
    scheduler, so workers should report ``kv.rank`` themselves.
    """
    if num_workers < 1 or num_servers < 1:
        raise ValueError('run_local_ps needs at least one worker and one server.')
    env = {**os.environ, 'DMLC_PS_ROOT_URI': '127.0.0.1', 'DMLC_PS_ROOT_PORT': str(free_port()),
           'DMLC_NUM_SERVER': str(num_servers), 'DMLC_NUM_WORKER': str(num_workers)}

    logs = []

    def start(role, args):
        stdout, stderr = tempfile.TemporaryFile('w+'), tempfile.TemporaryFile('w+')
        logs.append((stdout, stderr))
        return subprocess.Popen([sys.executable, *args], env={**env, 'DMLC_ROLE': role},
                                cwd=cwd, stdout=stdout, stderr=stderr, text=True,
                                start_new_session=True)

    def output(index):
        stdout, stderr = logs[index]
        stdout.seek(0)
        stderr.seek(0)
        return stdout.read(), stderr.read()

    processes = [start('scheduler', ['-c', 'import mxnet'])]
    processes += [start('server', ['-c', 'import mxnet']) for _ in range(num_servers)]
    first_worker = len(processes)
    processes += [start('worker', list(worker_args)) for _ in range(num_workers)]
    deadline = time.monotonic() + timeout
    try:
        while True:
            codes = [p.poll() for p in processes[first_worker:]]
            failed = [i for i, code in enumerate(codes) if code not in (None, 0)]
            if failed:  # the others would wait for it forever
                _, stderr = output(first_worker + failed[0])
                raise RuntimeError(f'Worker {failed[0]} exited with code {codes[failed[0]]}:'
                                   f'\n{stderr[-2000:]}')
            if all(code == 0 for code in codes):
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f'The parameter-server workers did not finish within '
                                   f'{timeout} s; all processes were ended.')
            time.sleep(0.05)
        for process in processes[:first_worker]:  # they exit once the workers are done
            process.wait(timeout=max(deadline - time.monotonic(), 5))
        return [WorkerResult(i, 0, *output(first_worker + i)) for i in range(num_workers)]
    finally:
        for process in processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for stdout, stderr in logs:
            stdout.close()
            stderr.close()
