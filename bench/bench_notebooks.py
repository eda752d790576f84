"""Peak memory and wall time of each notebook, executed in a fresh kernel; and how long
notebook 11's initialization explorer takes to follow a slider.

Each notebook runs through ``jupyter nbconvert --execute`` in a child process;
the peak resident memory of its kernel is read from the child's resource usage
(``RUSAGE_CHILDREN`` takes the largest of the waited-for descendants).

The explorer is timed in a child process with the project kernel's environment (its pins,
one OpenMP thread), as JupyterLab runs it: each update is a slider's new value, that is
building and initializing the net, one forward and backward pass (``d2l.spread``) and
drawing the figure into its PNG; the browser's part (sending and showing it) is not included.
"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_MIB = 1024
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import project_kernel  # noqa: E402  (tools/project_kernel.py: the kernel's one home)

EXPLORER_ROUNDS = 10
TIME_UPDATES = r'''
import json, sys, time
import d2lhelpers as d2l
box = d2l.init_explorer(depth=int(sys.argv[1]), width=int(sys.argv[2]))
depth, seconds = box.controls['depth'], []
for value in [depth.value - 1, depth.value] * (int(sys.argv[3]) // 2):
    start = time.perf_counter()
    depth.value = value
    seconds.append(time.perf_counter() - start)
print(json.dumps(seconds))
'''
MEASURE = r'''
import resource, subprocess, sys
subprocess.run([sys.executable, '-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute',
                '--output-dir', sys.argv[2], sys.argv[1]], check=True, capture_output=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
'''


def measure(path, out_dir):
    start = time.perf_counter()
    result = subprocess.run([sys.executable, '-c', MEASURE, str(path), out_dir],
                            capture_output=True, text=True, check=True)
    return float(result.stdout), time.perf_counter() - start


def explorer_seconds_per_update(depth, width, rounds=EXPLORER_ROUNDS):
    """Median seconds per depth-slider update of the explorer at this setting."""
    result = subprocess.run([sys.executable, '-c', TIME_UPDATES, str(depth), str(width),
                             str(rounds)], env={**os.environ, **project_kernel.ENV},
                            capture_output=True, text=True, check=True, timeout=600)
    return statistics.median(json.loads(result.stdout.strip().splitlines()[-1]))


def main():
    notebooks = sorted(ROOT.glob('notebooks/*.ipynb'))
    peaks = {}
    width = max(len(path.name) for path in notebooks)
    with tempfile.TemporaryDirectory() as out_dir:
        for path in notebooks:
            peak_mib, seconds = measure(path, out_dir)
            peaks[path.name] = peak_mib
            print(f'{path.name:{width}s} peak {peak_mib:6.0f} MiB  {seconds:5.1f} s', flush=True)
    worst = max(peaks, key=peaks.get)
    print(f'notebooks: max_peak_mib={peaks[worst]:.0f} ({worst}) limit_mib={LIMIT_MIB} '
          f'{"ok" if peaks[worst] < LIMIT_MIB else "OVER"}')
    default, largest = explorer_seconds_per_update(10, 256), explorer_seconds_per_update(20, 512)
    print(f'explorer (11): median seconds per update {default:.2f} at depth 10, width 256; '
          f'{largest:.2f} at depth 20, width 512 (one thread, {EXPLORER_ROUNDS} updates each)')


if __name__ == '__main__':
    main()
