"""The book's training and evaluation loops (chapter 3), with a history and a per-epoch hook.

``train_ch3`` keeps d2lzh's signature and per-epoch line, but adds up loss and
accuracy on the device and reads them once per epoch instead of once per
batch, returns a ``History`` to plot, and calls ``callback(epoch, net, history)``
after every epoch so a notebook can look at parameters and gradients while training.

It says plainly when training goes wrong: labels that the net's output cannot score
(a net with 5 outputs for labels 0-9, a label 42 or -1) are an error before the
first update, and a loss that is no longer finite stops training after printing
that epoch's line, with ``TrainingDiverged``. None of these checks draws a random
number or changes a parameter, so valid runs train exactly as before.
"""
import math
import time
from dataclasses import dataclass, field

import mxnet as mx
from d2lzh import sgd  # the book's own mini-batch SGD works as it is
from mxnet import autograd, gluon, nd
from mxnet.gluon.parameter import DeferredInitializationError

from .data import validate_batch_size

__all__ = ['History', 'TrainingDiverged', 'evaluate_accuracy', 'sgd', 'train_ch3']


@dataclass
class History:
    """Per-epoch training record: mean loss, train accuracy, test accuracy, seconds.

    Used in: 05_exercises, 07_why_initialization_matters, 09_saving_parameters
    (returned by train_ch3).
    """
    loss: list = field(default_factory=list)
    train_acc: list = field(default_factory=list)
    test_acc: list = field(default_factory=list)
    seconds: list = field(default_factory=list)

    def __len__(self):
        return len(self.loss)


class TrainingDiverged(FloatingPointError):
    """The mean loss of an epoch is nan or infinite; ``history`` includes that epoch.

    Used in: 05_exercises.
    """

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


def evaluate_accuracy(data_iter, net, ctx=mx.cpu()):
    """Fraction of examples in ``data_iter`` whose predicted class equals the label.

    ``ctx`` is a context or a list of contexts (each batch is split across them).

    Used in: 09_saving_parameters, 05_exercises (a hidden test), and through train_ch3.
    """
    contexts = [ctx] if isinstance(ctx, mx.Context) else list(ctx)
    correct, bad_labels, n = nd.zeros(1, ctx=mx.cpu()), nd.zeros(1, ctx=mx.cpu()), 0
    for X, y in data_iter:
        parts = contexts[:X.shape[0]]  # a last batch smaller than the device count
        Xs = gluon.utils.split_and_load(X, parts, even_split=False)
        ys = gluon.utils.split_and_load(y, parts, even_split=False)
        for X_part, y_part in zip(Xs, ys):
            y_hat = net(X_part)
            validate_output_shape(y_hat, y_part)
            hits = y_hat.argmax(axis=1) == y_part.astype('float32')
            correct += hits.sum().as_in_context(mx.cpu())
            bad_labels += count_bad_labels(y_part, y_hat.shape[1]).as_in_context(mx.cpu())
        n += y.shape[0]
    if n == 0:
        raise ValueError('evaluate_accuracy got an iterator that yields no batches.')
    if bad_labels.asscalar() > 0:
        raise ValueError(label_error(int(bad_labels.asscalar()), 'the evaluated data', y_hat))
    return correct.asscalar() / n


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size,
              params=None, lr=None, trainer=None, callback=None):
    """Train ``net`` and print the book's line per epoch; return the ``History``.

    Either pass a gluon ``trainer``, or ``params`` and ``lr`` for the book's
    ``sgd``. ``callback(epoch, net, history)``, if given, runs after each epoch
    (epochs count from 1), while the last batch's gradients are still in place.

    Used in: 05_exercises, 07_why_initialization_matters, 09_saving_parameters.
    """
    validate_train_args(net, num_epochs, batch_size, params, lr, trainer)
    history = History()
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        loss_sum, correct, bad_labels, n = nd.zeros(1), nd.zeros(1), nd.zeros(1), 0
        for X, y in train_iter:
            with autograd.record():
                y_hat = net(X)
                validate_output_shape(y_hat, y)
                batch_loss = loss(y_hat, y).sum()
            # Labels the net cannot score are clipped silently by the loss: count them on
            # the device (no wait), and look at the very first batch before any update.
            bad_labels += count_bad_labels(y, y_hat.shape[1])
            if epoch == 1 and n == 0 and bad_labels.asscalar() > 0:
                raise ValueError(label_error(int(bad_labels.asscalar()), 'the first batch',
                                             y_hat, y))
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
        if bad_labels.asscalar() > 0:
            raise ValueError(label_error(int(bad_labels.asscalar()), f'epoch {epoch}', y_hat))
        test_acc = evaluate_accuracy(test_iter, net)
        history.loss.append(loss_sum.asscalar() / n)
        history.train_acc.append(correct.asscalar() / n)
        history.test_acc.append(test_acc)
        history.seconds.append(time.perf_counter() - start)
        print(f'epoch {epoch}, loss {history.loss[-1]:.4f}, '
              f'train acc {history.train_acc[-1]:.3f}, test acc {test_acc:.3f}')
        if callback is not None:
            callback(epoch, net, history)
        if not math.isfinite(history.loss[-1]):  # the line above shows it; then stop
            raise TrainingDiverged(diverged_message(epoch, history.loss[-1], lr, trainer),
                                   history)
    return history


def validate_train_args(net, num_epochs, batch_size, params, lr, trainer):
    """Reject arguments that would make ``train_ch3`` fail late or silently."""
    if isinstance(num_epochs, bool) or not isinstance(num_epochs, int):
        raise TypeError(f'num_epochs must be a whole number, got {num_epochs!r}.')
    if num_epochs < 0:
        raise ValueError(f'num_epochs must be 0 or more, got {num_epochs}.')
    validate_batch_size(batch_size)
    if trainer is None and (params is None or lr is None):
        raise ValueError('train_ch3 needs a way to update the parameters: pass '
                         'trainer=gluon.Trainer(...), or both params and lr for sgd.')
    validate_initialized(net)


def validate_initialized(net):
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


def count_bad_labels(y, num_classes):
    """How many labels are not a whole number in 0..num_classes-1 (nan included), on the device."""
    y = y.astype('float32')
    good = (y >= 0) * (y < num_classes) * (y == y.floor())
    return y.shape[0] - good.sum()


def label_error(count, where, y_hat, y=None):
    """The message for labels outside the classes the net's output scores."""
    classes = y_hat.shape[1]
    seen = ''
    if y is not None:
        y = y.astype('float32')
        seen = f' (they range from {y.min().asscalar():g} to {y.max().asscalar():g})'
    return (f'{count} labels in {where} are not class numbers 0 to {classes - 1}{seen}, but the '
            f'net gives {classes} scores per example: give the last layer one output per '
            f'class (for Fashion-MNIST, nn.Dense(10)), and labels that count classes from 0.')


def diverged_message(epoch, loss, lr, trainer):
    rate = lr if trainer is None else getattr(trainer, 'learning_rate', None)
    used = f' (it was {rate:g})' if isinstance(rate, (int, float)) else ''
    return (f'Training diverged in epoch {epoch}: the mean loss is {loss}, and the parameters '
            f'are no longer usable. Re-initialize the net and train with a smaller learning '
            f'rate{used}, for example half of it.')


def validate_output_shape(y_hat, y):
    """The net must give one row of class scores per label."""
    if y.ndim != 1 or y_hat.ndim != 2 or y_hat.shape[0] != y.shape[0]:
        raise ValueError(f'Expected net(X) of shape (batch, classes) and labels of shape '
                         f'(batch,), got {y_hat.shape} and {y.shape}: check what the '
                         f'iterator yields and the last layer of the net.')
