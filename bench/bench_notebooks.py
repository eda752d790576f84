"""Peak memory and wall time of each notebook, executed in a fresh kernel.

Each notebook runs through ``jupyter nbconvert --execute`` in a child process;
the peak resident memory of its kernel is read from the child's resource usage
(``RUSAGE_CHILDREN`` takes the largest of the waited-for descendants).
"""
import subprocess
import sys
import tempfile
import time
from pathlib import Path

LIMIT_MIB = 1024
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


def main():
    notebooks = sorted(Path(__file__).resolve().parent.parent.glob('notebooks/*.ipynb'))
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


if __name__ == '__main__':
    main()
