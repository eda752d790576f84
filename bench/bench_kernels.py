"""What the project kernel's pins cost: seconds per epoch with native and pinned CPU kernels.

The notebooks run on the project's kernel, whose environment (kernel/<name>/kernel.json)
pins oneDNN and OpenBLAS to their AVX2 kernels, numpy below AVX-512 and OpenMP to one
thread, so that stored numbers reproduce on every x86-64 CPU with AVX2. Those variables
are read when the libraries load, so each measurement runs in a child process started
with the pinned environment or without it (the machine's native kernels), alternating
round by round so that machine noise hits both. Each child times the floor and
d2lhelpers' ``train_ch3`` of bench_train.py on the exercise's model. The last line is
the summary that the README quotes.
"""
import argparse
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / 'tools'))
import project_kernel  # noqa: E402  (tools/project_kernel.py: the kernel's one home)


def pinned_environment():
    """The kernel's own variables, read from its kernelspec: the one place they are set."""
    return dict(project_kernel.ENV)


def cpu_name():
    for line in Path('/proc/cpuinfo').read_text().splitlines():
        if line.startswith('model name'):
            return line.split(':', 1)[1].strip()
    return platform.processor() or 'unknown CPU'


def measure_in_child(pinned, epochs):
    """Seconds per epoch of (floor, helpers) in a fresh process, pinned or native."""
    env = {k: v for k, v in os.environ.items() if k not in pinned_environment()}
    if pinned:
        env.update(pinned_environment())
    result = subprocess.run([sys.executable, __file__, '--child', '--epochs', str(epochs)],
                            env=env, capture_output=True, text=True, check=True, timeout=1800)
    return json.loads(result.stdout.strip().splitlines()[-1])


def child(epochs):
    import contextlib
    import io

    sys.path.insert(0, str(HERE))
    import bench_train

    import d2lhelpers

    iters = d2lhelpers.load_data_fashion_mnist(bench_train.BATCH_SIZE)
    floor = bench_train.train_floor(iters, epochs, seed=0)
    with contextlib.redirect_stdout(io.StringIO()):
        helpers, _ = bench_train.train_with(d2lhelpers, iters, epochs, seed=0)
    print(json.dumps({'floor': floor, 'helpers': helpers}))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--epochs', type=int, default=2, help='timed epochs per child')
    parser.add_argument('--rounds', type=int, default=2, help='alternating rounds')
    parser.add_argument('--child', action='store_true', help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.epochs)

    results = {'native': [], 'pinned': []}
    for round_ in range(args.rounds):
        for kind in results:
            seconds = measure_in_child(kind == 'pinned', args.epochs)
            results[kind].append(seconds)
            print(f'round {round_ + 1}: {kind:6s} floor {seconds["floor"]:.3f} s/epoch, '
                  f'helpers {seconds["helpers"]:.3f} s/epoch', flush=True)
    best = {kind: {way: min(r[way] for r in runs) for way in ('floor', 'helpers')}
            for kind, runs in results.items()}
    print(f'CPU: {cpu_name()}, {os.cpu_count()} cores; best of {args.rounds} rounds '
          f'of {args.epochs} epochs')
    print(f"bench: native_floor_s_per_epoch={best['native']['floor']:.3f} "
          f"pinned_floor_s_per_epoch={best['pinned']['floor']:.3f} "
          f"native_helpers_s_per_epoch={best['native']['helpers']:.3f} "
          f"pinned_helpers_s_per_epoch={best['pinned']['helpers']:.3f} "
          f"pinned_over_native_floor={best['pinned']['floor'] / best['native']['floor']:.2f} "
          f"pinned_over_native_helpers={best['pinned']['helpers'] / best['native']['helpers']:.2f}")


if __name__ == '__main__':
    main()
