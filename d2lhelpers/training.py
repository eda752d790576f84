"""The book's training and evaluation loops (chapter 3), with a history and a per-epoch hook.

``train_ch3`` keeps d2lzh's signature and per-epoch line, but adds up loss and
accuracy on the device and reads them once per epoch instead of once per
batch, returns a ``History`` to plot, and calls ``callback(epoch, net, history)``
after every epoch so a notebook can look at parameters and gradients while training.
"""
import time
from dataclasses import dataclass, field

import mxnet as mx
from d2lzh import sgd  # the book's own mini-batch SGD works as it is
from mxnet import autograd, gluon, nd
from mxnet.gluon.parameter import DeferredInitializationError

from .data import check_batch_size

__all__ = ['History', 'evaluate_accuracy', 'sgd', 'train_ch3']


@dataclass
class History:
    """Per-epoch training record: mean loss, train accuracy, test accuracy, seconds."""
    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    def __len__(self):
        return len(self.loss)


def evaluate_accuracy(data_iter, net, ctx=mx.cpu()):
    """Fraction of examples in ``data_iter`` whose predicted class equals the label.

    ``ctx`` is a context or a list of contexts (each batch is split across them).
    """
    contexts = [ctx] if isinstance(ctx, mx.Context) else list(ctx)
    correct, n = nd.zeros(1, ctx=mx.cpu()), 0
    for X, y in data_iter:
        parts = contexts[:X.shape[0]]  # a last batch smaller than the device count
        Xs = gluon.utils.split_and_load(X, parts, even_split=False)
        ys = gluon.utils.split_and_load(y, parts, even_split=False)
        for X_part, y_part in zip(Xs, ys):
            y_hat = net(X_part)
            check_output_shape(y_hat, y_part)
            hits = y_hat.argmax(axis=1) == y_part.astype('float32')
            correct += hits.sum().as_in_context(mx.cpu())
        n += y.shape[0]
    if n == 0:
        raise ValueError('evaluate_accuracy got an iterator that yields no batches.')
    return correct.asscalar() / n


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size,
              params=None, lr=None, trainer=None, callback=None):
    """Train ``net`` and print the book's line per epoch; return the ``History``.

    Either pass a gluon ``trainer``, or ``params`` and ``lr`` for the book's
    ``sgd``. ``callback(epoch, net, history)``, if given, runs after each epoch
    (epochs count from 1), while the last batch's gradients are still in place.
    """
    check_train_args(net, num_epochs, batch_size, params, lr, trainer)
    history = History()
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        loss_sum, correct, n = nd.zeros(1), nd.zeros(1), 0
        for X, y in train_iter:
            with autograd.record():
                y_hat = net(X)
                check_output_shape(y_hat, y)
                batch_loss = loss(y_hat, y).sum()
            batch_loss.backward()
            if trainer is None:
                sgd(params, lr, batch_size)
            else:
                trainer.step(batch_size)
            loss_sum += batch_loss
            correct += (y_hat.argmax(axis=1) == y.astype('float32')).sum()
            n += y.shape[0]
        if n == 0:
            raise ValueError('train_ch3 got a train_iter that yields no batches.')
        test_acc = evaluate_accuracy(test_iter, net)
        history.loss.append(loss_sum.asscalar() / n)
        history.train_acc.append(correct.asscalar() / n)
        history.test_acc.append(test_acc)
        history.seconds.append(time.perf_counter() - start)
        print('epoch %d, loss %.4f, train acc %.3f, test acc %.3f'
              % (epoch, history.loss[-1], history.train_acc[-1], test_acc))
        if callback is not None:
            callback(epoch, net, history)
    return history


def check_train_args(net, num_epochs, batch_size, params, lr, trainer):
    """Reject arguments that would make ``train_ch3`` fail late or silently."""
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int):
        raise TypeError(f'num_epochs must be a whole number, got {num_epochs!r}.')
    if num_epochs < 0:
        raise ValueError(f'num_epochs must be 0 or more, got {num_epochs}.')
    check_batch_size(batch_size)
    if trainer is None and (params is None or lr is None):
        raise ValueError('train_ch3 needs a way to update the parameters: pass '
                         'trainer=gluon.Trainer(...), or both params and lr for sgd.')
    check_initialized(net)


def check_initialized(net):
    """Raise ``ValueError`` unless ``net`` has parameters and ``initialize()`` was called."""
    if not hasattr(net, 'collect_params'):
        raise TypeError(f'net must be a gluon Block, got {type(net).__name__}.')
    parameters = list(net.collect_params().values())
    if not parameters:
        raise ValueError('net has no parameters: add layers to it before training.')
    for param in parameters:
        try:
            param.data()
        except DeferredInitializationError:
            pass  # shapes are set by the first forward pass; that is fine
        except RuntimeError:
            raise ValueError(f'Parameter {param.name} is not initialized: call '
                             f'net.initialize() before training.') from None


def check_output_shape(y_hat, y):
    """The net must give one row of class scores per label."""
    if y.ndim != 1 or y_hat.ndim != 2 or y_hat.shape[0] != y.shape[0]:
        raise ValueError(f'Expected net(X) of shape (batch, classes) and labels of shape '
                         f'(batch,), got {y_hat.shape} and {y.shape}: check what the '
                         f'iterator yields and the last layer of the net.')
