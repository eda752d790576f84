"""One worker of the parameter-server demo in 10_parameters_across_devices.ipynb.

d2lhelpers.run_local_ps starts it with the DMLC_* variables of a local group.
Every worker builds the same small MLP, takes its share of each mini-batch of a
fixed stream of Fashion-MNIST images, and lets the parameter server add up the
gradients of all workers before each update. At the end it saves its weights
to OUT_DIR/worker-<rank>.params.

SEEDS is 'same' (every worker initializes from seed 0) or 'per-rank' (worker k
from seed k): the second shows why workers must start from the same weights.

Usage: python ps_worker.py OUT_DIR SEEDS [STEPS] [BATCH_SIZE]
"""
import os
import sys

import mxnet as mx
from mxnet import autograd, gluon, init, nd
from mxnet.gluon import loss as gloss
from mxnet.gluon import nn

import d2lhelpers as d2l

USAGE = 'usage: python ps_worker.py OUT_DIR same|per-rank [STEPS] [BATCH_SIZE]'


def small_mlp():
    net = nn.Sequential()
    net.add(nn.Dense(64, activation='relu', in_units=784),
            nn.Dense(10, in_units=64))
    return net


def main(out_dir, seeds, steps=20, batch_size=64):
    # This demo stays on this machine: the scheduler must be local, and this
    # worker listens on 127.0.0.1 (ps-lite would otherwise pick the network's
    # address).
    if os.environ.get('DMLC_PS_ROOT_URI') != '127.0.0.1':
        sys.exit('ps_worker: start it with d2lhelpers.run_local_ps '
                 '(a group on 127.0.0.1).')
    os.environ['DMLC_NODE_HOST'] = '127.0.0.1'
    kv = mx.kv.create('dist_sync')
    mx.random.seed(0 if seeds == 'same' else kv.rank)
    net = small_mlp()
    net.initialize(init.Xavier())
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1},
                            kvstore=kv)
    loss = gloss.SoftmaxCrossEntropyLoss()

    images, labels = d2l.load_fashion_mnist_arrays()[:2]
    share = len(range(kv.rank, batch_size, kv.num_workers))
    for step in range(steps):
        batch = slice(step * batch_size, (step + 1) * batch_size)
        # as the loader makes them
        X = d2l.data.to_tensor(images[batch][kv.rank::kv.num_workers])
        y = nd.array(labels[batch][kv.rank::kv.num_workers])
        with autograd.record():
            batch_loss = loss(net(X), y).sum()
        batch_loss.backward()
        # the whole batch: the server sums every worker's share
        trainer.step(batch_size)
    path = os.path.join(out_dir, f'worker-{kv.rank}.params')
    net.save_parameters(path + '.part')
    os.replace(path + '.part', path)  # a reader never sees half a file
    print(f'worker {kv.rank} of {kv.num_workers}: seeds {seeds}, '
          f'{steps} steps on {share} of every {batch_size} images')


def parse(args):
    """OUT_DIR, SEEDS and the optional STEPS and BATCH_SIZE, or exit with the usage line."""
    numbers = [int(a) if a.isdigit() and int(a) > 0 else None for a in args[2:]]
    if not 2 <= len(args) <= 4 or args[1] not in ('same', 'per-rank') or None in numbers \
            or not os.path.isdir(args[0]):
        sys.exit(f'{USAGE}\n(OUT_DIR an existing folder, STEPS and BATCH_SIZE positive '
                 f'whole numbers; got {args})')
    return [args[0], args[1], *numbers]


if __name__ == '__main__':
    main(*parse(sys.argv[1:]))
