"""The book's training and evaluation loops (chapter 3), with a history and a per-epoch hook.

``train_ch3`` keeps d2lzh's signature and per-epoch line, but adds up loss and
accuracy on the device and reads them once per epoch instead of once per
batch, returns a ``History`` to plot, and calls ``callback(epoch, net, history)``
after every epoch so a notebook can look at parameters and gradients while training.

It says plainly when training goes wrong: a learning rate that is not a positive
finite number is refused before anything runs; labels that the net's output cannot
score (a net with 5 outputs for labels 0-9, a label 42 or -1) are an error before the
first update when the iterator exposes its labels (``ArrayBatches``, or a gluon
``DataLoader`` over an ``ArrayDataset`` or a vision data set, with gluon's own sampler),
and otherwise each batch's labels are checked before that batch's update.
After each epoch, once its line is printed, a mean loss or a parameter that is no
longer finite stops training with ``TrainingDiverged``: parameters are checked once
per epoch, because ReLU turns nan into 0 and the loss alone can look normal. Examples
with a nan or infinite feature are counted on the device as they pass: in the training
data they are named as the cause instead of the learning rate; in the test data they are
a ``ValueError``, as their accuracy means nothing. None of these checks draws a random
number or changes a parameter, so valid runs train exactly as before.
"""
import math
import numbers
import time
from dataclasses import dataclass, field

import mxnet as mx
import numpy as np
from d2lzh import sgd  # the book's own mini-batch SGD works as it is
from mxnet import autograd, gluon, nd
from mxnet.gluon.parameter import DeferredInitializationError

from .arguments import real_number, short_repr, whole_number
from .data.batches import ArrayBatches, validate_batch_size

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
    """The mean loss of an epoch, or a parameter after it, is nan or infinite.

    ``history`` includes that epoch.

    Used in: 05_exercises.
    """

    def __init__(self, message, history):
        super().__init__(message)
        self.history = history


def evaluate_accuracy(data_iter, net, ctx=mx.cpu()):
    """Fraction of examples in ``data_iter`` whose predicted class equals the label.

    ``ctx`` is a context or a list of contexts (each batch is split across them).

    Examples with a nan or infinite feature are an error: their accuracy means nothing
    (ReLU can turn them into confident, finite scores).

    Used in: 09_saving_parameters, 05_exercises (a hidden test), and through train_ch3.
    """
    accuracy, bad_features = accuracy_and_bad_features(data_iter, net, ctx)
    if bad_features:
        raise ValueError(bad_features_error(bad_features, 'the evaluated data'))
    return accuracy


def accuracy_and_bad_features(data_iter, net, ctx=mx.cpu()):
    """``evaluate_accuracy``, and how many examples have a nan or infinite feature."""
    contexts = [ctx] if isinstance(ctx, mx.Context) else list(ctx)
    correct, bad_labels, n = nd.zeros(1, ctx=mx.cpu()), nd.zeros(1, ctx=mx.cpu()), 0
    bad_features = nd.zeros(1, ctx=mx.cpu())
    for X, y in data_iter:
        validate_batch_types(X, y)
        bad_features += count_bad_features(X).as_in_context(mx.cpu())
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
    return correct.asscalar() / n, int(bad_features.asscalar())


def train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size,
              params=None, lr=None, trainer=None, callback=None):
    """Train ``net`` and print the book's line per epoch; return the ``History``.

    Either pass a gluon ``trainer``, or ``params`` and ``lr`` for the book's
    ``sgd``. ``callback(epoch, net, history)``, if given, runs after each epoch
    (epochs count from 1), while the last batch's gradients are still in place.

    Used in: 05_exercises, 07_why_initialization_matters, 09_saving_parameters.
    """
    num_epochs, batch_size, lr = validate_train_args(net, num_epochs, batch_size, params, lr,
                                                     trainer)
    all_labels = exposed_labels(train_iter)
    history = History()
    for epoch in range(1, num_epochs + 1):
        start = time.perf_counter()
        loss_sum, correct, bad_labels, n = nd.zeros(1), nd.zeros(1), nd.zeros(1), 0
        bad_features = nd.zeros(1)
        for X, y in train_iter:
            validate_batch_types(X, y)
            bad_features += count_bad_features(X)  # on the device: only read if training fails
            with autograd.record():
                y_hat = net(X)
                validate_output_shape(y_hat, y)
                batch_loss = loss(y_hat, y).sum()
            # Labels the net cannot score are clipped silently by the loss: count them on
            # the device, and look at the very first batch before any update. Labels not
            # known up front are looked at batch by batch (a wait each) before its update.
            batch_bad_labels = count_bad_labels(y, y_hat.shape[1])
            bad_labels += batch_bad_labels
            if epoch == 1 and n == 0:
                check_labels_before_training(bad_labels, all_labels, y_hat, y)
            elif all_labels is None and batch_bad_labels.asscalar() > 0:
                raise ValueError(label_error(int(batch_bad_labels.asscalar()),
                                             f'a batch of epoch {epoch} (after {n} examples)',
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
        test_acc, bad_test_features = accuracy_and_bad_features(test_iter, net)
        history.loss.append(loss_sum.asscalar() / n)
        history.train_acc.append(correct.asscalar() / n)
        history.test_acc.append(test_acc)
        history.seconds.append(time.perf_counter() - start)
        print(f'epoch {epoch}, loss {history.loss[-1]:.4f}, '
              f'train acc {history.train_acc[-1]:.3f}, test acc {test_acc:.3f}')
        if callback is not None:
            callback(epoch, net, history)
        # the line above shows the epoch
        check_finite(epoch, net, history, lr, trainer, params, int(bad_features.asscalar()))
        if bad_test_features:
            raise ValueError(bad_features_error(bad_test_features, 'the test data'))
    return history


def validate_train_args(net, num_epochs, batch_size, params, lr, trainer):
    """Reject arguments that would make ``train_ch3`` fail late or silently.

    Returns ``(num_epochs, batch_size, lr)``: ints (they may come as numpy integers) and,
    for ``sgd``, ``lr`` as a float (mxnet cannot multiply a Fraction or a Decimal).
    """
    epochs = whole_number(num_epochs)
    if epochs is None:
        raise TypeError(f'num_epochs must be a whole number, got {num_epochs!r}.')
    if epochs < 0:
        raise ValueError(f'num_epochs must be 0 or more, got {epochs}.')
    batch_size = validate_batch_size(batch_size)
    if trainer is None and (params is None or lr is None):
        raise ValueError('train_ch3 needs a way to update the parameters: pass '
                         'trainer=gluon.Trainer(...), or both params and lr for sgd.')
    if trainer is None:
        lr = validate_learning_rate(lr, 'lr')
        validate_sgd_params(params)
    else:
        validate_trainer(trainer)
    validate_initialized(net)
    return epochs, batch_size, lr


def validate_learning_rate(rate, where):
    """A learning rate must be a finite number above 0 (a negative one climbs the loss).

    Returns it as a float.
    """
    value = real_number(rate)
    if value is None:
        raise TypeError(f'The learning rate ({where}) must be a number, got {short_repr(rate)}.')
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f'The learning rate ({where}) must be a finite number above 0, got '
                         f'{short_repr(rate)}: a typical one for this book is 0.1 to 0.5.')
    return value


def validate_sgd_params(params):
    """Every array given to ``sgd`` must be an NDArray with a gradient, checked before any
    update: ``sgd`` would stop at the first without one, the arrays before it already changed."""
    if isinstance(params, nd.NDArray) or not isinstance(params, (list, tuple)):
        raise TypeError(f'params must be a list of NDArrays (for example '
                        f'[p.data() for p in net.collect_params().values()]), got '
                        f'{type(params).__name__}.')
    for index, param in enumerate(params):
        if not isinstance(param, nd.NDArray):
            raise TypeError(f'params[{index}] must be an NDArray, got {type(param).__name__}.')
        if param.grad is None:
            raise ValueError(f"params[{index}] has no gradient (its Parameter's grad_req is "
                             f"'null', or attach_grad() was never called), so sgd cannot "
                             f"update it: leave frozen parameters out of params.")


def validate_trainer(trainer):
    """The trainer's rate, and its optimizer's numbers that mxnet or sgd would take as they are."""
    if not isinstance(trainer, gluon.Trainer):
        raise TypeError(f'trainer must be a gluon.Trainer, got {type(trainer).__name__}.')
    rate = trainer.learning_rate
    validate_learning_rate(rate, "the trainer's learning_rate")
    if not isinstance(rate, numbers.Real):  # a Decimal: mxnet's optimizer cannot use it
        raise TypeError(f"The trainer's learning_rate is a {type(rate).__name__}, which "
                        f"mxnet's optimizer cannot multiply: give it as a float, such as "
                        f"{float(rate):g}.")
    optimizer = trainer._optimizer  # no public accessor; the rate's is read from it too
    for name in ('wd', 'momentum', 'clip_gradient'):
        value = getattr(optimizer, name, None)
        number = real_number(value)
        if number is not None and not math.isfinite(number):
            raise ValueError(f"The trainer's optimizer has {name}={short_repr(value)}: give a "
                             f"finite number (or leave {name} out).")
    if real_number(optimizer.wd) is not None and optimizer.wd < 0:
        raise ValueError(f"The trainer's optimizer has wd={short_repr(optimizer.wd)}: weight "
                         f"decay must be 0 or more (a negative one makes the weights grow, like "
                         f"a negative learning rate); a typical one is 1e-4 to 1e-2.")


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


def validate_batch_types(X, y):
    """The iterator must yield mxnet NDArrays: mxnet's own error for numpy arrays is obscure."""
    for what, value in (('features (X)', X), ('labels (y)', y)):
        if isinstance(value, np.ndarray):
            raise TypeError(f'The iterator must yield the {what} as an mxnet NDArray, got '
                            f'numpy.ndarray: convert them with nd.array(...).')
    if not isinstance(y, nd.NDArray):
        raise TypeError(f'The iterator must yield the labels (y) as an mxnet NDArray, got '
                        f'{type(y).__name__}: convert them with nd.array(...).')


def count_bad_features(X):
    """How many examples of ``X`` have a nan or infinite feature, on the device (no wait)."""
    if not isinstance(X, nd.NDArray) or X.shape[0] == 0:
        return nd.zeros(1, ctx=getattr(X, 'context', mx.cpu()))
    finite = nd.contrib.isfinite(X.astype('float32', copy=False))
    finite = finite.reshape((X.shape[0], -1)).min(axis=1)
    return X.shape[0] - finite.sum()


def examples_with_bad_features(count, where):
    """``3 examples in the test data have``: the start of a message."""
    return (f'{count} example in {where} has' if count == 1
            else f'{count} examples in {where} have')


def bad_features_error(count, where):
    return (f'{examples_with_bad_features(count, where)} nan or infinite features, so an '
            f'accuracy on it means nothing: find them with np.isfinite(X).all(axis=...) and '
            f'drop or fix them.')


def count_bad_labels(y, num_classes):
    """How many labels are not a whole number in 0..num_classes-1 (nan included), on the device."""
    y = y.astype('float32')
    good = (y >= 0) * (y < num_classes) * (y == y.floor())
    return y.shape[0] - good.sum()


def exposed_labels(data_iter):
    """Every training label, as an NDArray, if ``data_iter`` holds them in memory; else None.

    Known: ``ArrayBatches``, and a gluon ``DataLoader`` over an ``ArrayDataset`` of
    (features, labels), or over MNIST/FashionMNIST/CIFAR without a ``transform`` (a
    ``transform_first`` keeps the labels). Any other iterator returns None.
    """
    if isinstance(data_iter, ArrayBatches):
        labels = data_iter.labels
    elif isinstance(data_iter, gluon.data.DataLoader):
        if not samples_whole_dataset(data_iter):
            return None  # labels it never yields must not stop training
        labels = dataset_labels(data_iter._dataset)  # gluon keeps it private
    else:
        return None
    if labels is None:
        return None
    labels = labels if isinstance(labels, nd.NDArray) else nd.array(np.asarray(labels))
    return labels if labels.ndim == 1 else None  # other shapes fail validate_output_shape


def samples_whole_dataset(loader):
    """Whether a ``DataLoader``'s sampler yields every example of its data set (gluon's
    defaults do; a sampler of the user's may yield only some)."""
    samplers = gluon.data.sampler
    batches = loader._batch_sampler
    if not isinstance(batches, samplers.BatchSampler):
        return False
    sampler = batches._sampler
    whole = getattr(sampler, '_length', None) == len(loader._dataset)
    if type(sampler) is samplers.SequentialSampler:
        return whole and sampler._start == 0
    return whole and type(sampler) is samplers.RandomSampler


def dataset_labels(dataset):
    """The labels of a gluon data set that keeps them unchanged in memory, or None."""
    data = gluon.data.dataset
    if isinstance(dataset, data.ArrayDataset) and len(dataset._data) == 2:
        return dataset._data[1]
    if isinstance(dataset, data._DownloadedDataset) and dataset._transform is None:
        return dataset._label
    if (isinstance(dataset, data._LazyTransformDataset)
            and isinstance(dataset._fn, data._TransformFirstClosure)):
        return dataset_labels(dataset._data)
    return None


def check_labels_before_training(bad_in_first_batch, all_labels, y_hat, y):
    """Before the first update: the first batch's labels, then every label known in memory."""
    if bad_in_first_batch.asscalar() > 0:
        raise ValueError(label_error(int(bad_in_first_batch.asscalar()), 'the first batch',
                                     y_hat, y))
    if all_labels is not None:
        bad = int(count_bad_labels(all_labels, y_hat.shape[1]).asscalar())
        if bad:
            raise ValueError(label_error(bad, 'the training data', y_hat, all_labels))


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


def check_finite(epoch, net, history, lr, trainer, params=None, bad_features=0):
    """Raise ``TrainingDiverged`` if the epoch's mean loss or any parameter is nan or infinite.

    ``bad_features`` is how many training examples of the epoch had a nan or infinite
    feature: if any did, they are named as the cause instead of the learning rate.
    """
    if not math.isfinite(history.loss[-1]):
        message = (diverged_message(epoch, history.loss[-1], lr, trainer) if not bad_features
                   else diverged_by_data_message(epoch, history.loss[-1], bad_features))
        raise TrainingDiverged(message, history)
    broken = non_finite_parameters(net, params)
    if broken:
        which = (f'parameter {broken[0]} holds' if len(broken) == 1
                 else f'parameters {", ".join(broken)} hold')
        cause = (f'Check the data for nan or infinite features (np.isfinite(X).all()); if '
                 f'they are finite, re-initialize the net and train with a smaller learning '
                 f'rate{rate_used(lr, trainer)}.' if not bad_features else
                 f'{examples_with_bad_features(bad_features, "the training data")} nan or '
                 f'infinite features: drop or fix them, then re-initialize the net.')
        raise TrainingDiverged(
            f'Training broke in epoch {epoch}: {which} nan or infinite values, though the '
            f'mean loss is {history.loss[-1]:.4f} (ReLU turns nan into 0, so the loss can look '
            f'normal). {cause}', history)


def non_finite_parameters(net, params=None):
    """Names of the parameters holding a nan or infinite value (one small read per parameter).

    The net's parameters, and the arrays given to ``sgd`` that it does not collect, named
    ``params[i]``. A parameter whose shape never came (a layer that forward never calls)
    holds nothing yet and is skipped.
    """
    def finite(data):
        return nd.contrib.isfinite(data).min().asscalar() == 1
    broken, seen = [], set()
    for param in net.collect_params().values():
        try:
            arrays = param.list_data()
        except DeferredInitializationError:
            continue
        seen.update(id(data) for data in arrays)
        if not all(finite(data) for data in arrays):
            broken.append(param.name)
    broken += [f'params[{index}]' for index, data in enumerate(params or [])
               if id(data) not in seen and not finite(data)]
    return broken


def rate_used(lr, trainer):
    """`` (it was 0.5)``: the learning rate, for the messages that suggest a smaller one.

    A float rate reads as a float (1.0, not 1), as the learner wrote it.
    """
    rate = lr if trainer is None else getattr(trainer, 'learning_rate', None)
    number = real_number(rate)
    if number is None:
        return ''
    shown = f'{number:g}'
    if not isinstance(rate, numbers.Integral) and shown.lstrip('-').isdigit():
        shown += '.0'
    return f' (it was {shown})'


def diverged_message(epoch, loss, lr, trainer):
    return (f'Training diverged in epoch {epoch}: the mean loss is {loss}, and the parameters '
            f'are no longer usable. Re-initialize the net and train with a smaller learning '
            f'rate{rate_used(lr, trainer)}, for example half of it.')


def diverged_by_data_message(epoch, loss, bad_features):
    return (f'Training diverged in epoch {epoch}: the mean loss is {loss}, and '
            f'{examples_with_bad_features(bad_features, "the training data")} nan or infinite '
            f'features, which make it so: a smaller learning rate will not help. Find them with '
            f'np.isfinite(X).all(axis=...), drop or fix them, then re-initialize the net.')


def validate_output_shape(y_hat, y):
    """The net must give one row of class scores per label."""
    if y.ndim != 1 or y_hat.ndim != 2 or y_hat.shape[0] != y.shape[0]:
        raise ValueError(f'Expected net(X) of shape (batch, classes) and labels of shape '
                         f'(batch,), got {y_hat.shape} and {y.shape}: check what the '
                         f'iterator yields and the last layer of the net.')
