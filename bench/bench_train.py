"""Seconds per epoch of the §4.2 exercise model, trained three ways side by side in one run.

(a) the book's d2lzh: ``load_data_fashion_mnist`` + ``train_ch3``, reading the same
    local files (mxnet's gzip SHA-1 check is replaced by d2lhelpers' content check,
    since Debian recompressed the files; nothing is downloaded);
(b) d2lhelpers: ``load_data_fashion_mnist`` + ``train_ch3``, keeping the smaller last
    batch as d2lzh does, so that (a) and (b) train on the same batches;
(c) a floor: the same model on batches sliced before timing, no bookkeeping.

Each way runs ``--epochs`` epochs, with a warm-up epoch before timing; (a) and (b)
alternate per round so that machine noise hits both. The peak memory of (b) is
measured in a child process of its own. The last line is the summary that the
README quotes.
"""
import argparse
import contextlib
import io
import multiprocessing
import resource
import time

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import loss as gloss
from mxnet.gluon import nn

import d2lhelpers

BATCH_SIZE, LR = 256, 0.5


def shared_mlp():
    """The exercise's model: Dense 256 -> shared Dense 256 used twice -> Dense 10."""
    net = nn.Sequential()
    shared = nn.Dense(256, activation='relu')
    net.add(nn.Dense(256, activation='relu'), shared,
            nn.Dense(256, activation='relu', params=shared.params), nn.Dense(10))
    net.initialize(init.Normal(sigma=0.01))
    return net


def new_model(seed):
    mx.random.seed(seed)
    np.random.seed(seed)
    net = shared_mlp()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': LR})
    return net, trainer, gloss.SoftmaxCrossEntropyLoss()


def d2lzh_iters():
    """d2lzh's own loader, pointed at the verified local files."""
    import d2lzh
    from mxnet.gluon.data.vision import datasets

    import d2lhelpers.data as data

    folder = data.find_fashion_mnist()
    data.load_fashion_mnist_arrays()  # verifies all four files by content

    def local_file(url, path=None, sha1_hash=None, **kwargs):
        return str(folder / url.rsplit('/', 1)[-1])

    datasets.download = local_file
    return d2lzh.load_data_fashion_mnist(BATCH_SIZE, root=str(folder))


def helpers_iters():
    return d2lhelpers.load_data_fashion_mnist(BATCH_SIZE, last_batch='keep')


def train_with(module, iters, epochs, seed):
    """Train with ``module.train_ch3``; return (seconds per epoch, final test accuracy)."""
    net, trainer, loss = new_model(seed)
    train_iter, test_iter = iters
    with contextlib.redirect_stdout(io.StringIO()):
        module.train_ch3(net, train_iter, test_iter, loss, 1, BATCH_SIZE, None, None, trainer)
        start = time.perf_counter()
        module.train_ch3(net, train_iter, test_iter, loss, epochs, BATCH_SIZE,
                         None, None, trainer)
        seconds = (time.perf_counter() - start) / epochs
    return seconds, d2lhelpers.evaluate_accuracy(test_iter, net)


def train_floor(iters, epochs, seed):
    """The same model and updates on pre-sliced batches: no shuffling, no metrics."""
    net, trainer, loss = new_model(seed)
    batches = [(X.copy(), y.copy()) for X, y in iters[0]]
    nd.waitall()

    def one_epoch():
        for X, y in batches:
            with autograd.record():
                batch_loss = loss(net(X), y).sum()
            batch_loss.backward()
            trainer.step(BATCH_SIZE)
        nd.waitall()

    one_epoch()
    start = time.perf_counter()
    for _ in range(epochs):
        one_epoch()
    return (time.perf_counter() - start) / epochs


def helpers_peak_memory(epochs, queue):
    """Child process: train with d2lhelpers and report its peak resident memory in MiB."""
    train_with(d2lhelpers, helpers_iters(), epochs, seed=0)
    queue.put(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--epochs', type=int, default=3, help='timed epochs per round')
    parser.add_argument('--rounds', type=int, default=2, help='alternating rounds of (a), (b)')
    args = parser.parse_args()

    import d2lzh
    queue = multiprocessing.get_context('spawn').Queue()
    child = multiprocessing.get_context('spawn').Process(
        target=helpers_peak_memory, args=(args.epochs, queue))
    child.start()
    peak_mib = queue.get()
    child.join()

    d2lzh_data, helpers_data = d2lzh_iters(), helpers_iters()
    results = {'d2lzh': [], 'helpers': [], 'floor': []}
    for round_ in range(args.rounds):
        results['d2lzh'].append(train_with(d2lzh, d2lzh_data, args.epochs, seed=round_))
        results['helpers'].append(train_with(d2lhelpers, helpers_data, args.epochs, seed=round_))
        results['floor'].append((train_floor(helpers_data, args.epochs, seed=round_), None))
        for way, runs in results.items():
            seconds, acc = runs[-1]
            print(f'round {round_ + 1}: {way:8s} {seconds:.3f} s/epoch'
                  + (f', test acc {acc:.3f}' if acc is not None else ''), flush=True)

    best = {way: min(seconds for seconds, _ in runs) for way, runs in results.items()}
    acc_gap = max(abs(a[1] - b[1]) for a, b in zip(results['d2lzh'], results['helpers']))
    print(f'peak memory of (b): {peak_mib:.0f} MiB; largest test-accuracy gap (a)-(b): '
          f'{acc_gap * 100:.2f} points; best of {args.rounds} rounds of {args.epochs} epochs')
    print(f"bench: d2lzh_s_per_epoch={best['d2lzh']:.3f} "
          f"helpers_s_per_epoch={best['helpers']:.3f} floor_s_per_epoch={best['floor']:.3f} "
          f"speedup={best['d2lzh'] / best['helpers']:.2f} "
          f"overhead={best['helpers'] / best['floor']:.2f}")


if __name__ == '__main__':
    main()
