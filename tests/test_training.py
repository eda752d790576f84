"""d2lhelpers.training: train_ch3 learns, keeps d2lzh's interface, reports, rejects bad input."""
import inspect
from decimal import Decimal
from fractions import Fraction

import d2lzh
import mxnet as mx
import numpy as np
import pytest
from mxnet import gluon, init, nd
from mxnet.gluon import loss as gloss
from mxnet.gluon import nn

import d2lhelpers as d2l
from d2lhelpers.data import ArrayBatches


def blobs(n=400, seed=0):
    """Two well separated Gaussian blobs in 4 dimensions, labels 0 and 1."""
    rng = np.random.RandomState(seed)
    labels = rng.randint(0, 2, size=n)
    features = rng.normal(size=(n, 4)) + 3 * labels[:, None]
    return nd.array(features), nd.array(labels, dtype='int32')


def linear_net(outputs=2):
    mx.random.seed(0)
    net = nn.Dense(outputs, in_units=4)
    net.initialize(init.Normal(sigma=0.01))
    return net


def test_train_ch3_learns_a_small_problem_and_returns_its_history(capsys):
    features, labels = blobs()
    train_iter = ArrayBatches(features, labels, 50, shuffle=True)
    test_iter = ArrayBatches(*blobs(seed=1), 50)
    net = linear_net()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.5})
    seen = []
    history = d2l.train_ch3(net, train_iter, test_iter, gloss.SoftmaxCrossEntropyLoss(),
                            4, 50, trainer=trainer,
                            callback=lambda epoch, net, h: seen.append((epoch, len(h))))
    assert len(history) == 4 and len(history.seconds) == 4
    assert history.loss[-1] < history.loss[0]
    assert history.test_acc[-1] > 0.95
    assert seen == [(1, 1), (2, 2), (3, 3), (4, 4)]
    lines = capsys.readouterr().out.splitlines()
    # d2lzh's own format string, kept as the book writes it.
    assert lines[0] == ('epoch 1, loss %.4f, train acc %.3f, test acc %.3f'  # noqa: UP031
                        % (history.loss[0], history.train_acc[0], history.test_acc[0]))
    assert len(lines) == 4


def test_train_ch3_with_the_book_sgd_and_params():
    features, labels = blobs()
    net = linear_net()
    params = [p.data() for p in net.collect_params().values()]
    for p in params:
        p.attach_grad()

    class Raw:  # a net over raw NDArrays, as in the book's from-scratch chapters
        def collect_params(self):
            return net.collect_params()

        def __call__(self, X):
            return nd.dot(X, params[0].T) + params[1]

    history = d2l.train_ch3(Raw(), ArrayBatches(features, labels, 50),
                            ArrayBatches(features, labels, 50),
                            gloss.SoftmaxCrossEntropyLoss(), 3, 50, params, 0.5)
    assert history.train_acc[-1] > 0.95


def test_signatures_match_d2lzh():
    for name in ['train_ch3', 'evaluate_accuracy', 'load_data_fashion_mnist', 'sgd',
                 'get_fashion_mnist_labels', 'show_fashion_mnist', 'use_svg_display']:
        ours = list(inspect.signature(getattr(d2l, name)).parameters)
        theirs = list(inspect.signature(getattr(d2lzh, name)).parameters)
        assert ours[:len(theirs)] == theirs, name
    assert d2l.sgd is d2lzh.sgd
    assert d2l.get_fashion_mnist_labels is d2lzh.get_fashion_mnist_labels


def test_evaluate_accuracy_counts_correct_predictions():
    net = nn.Dense(2, use_bias=False, in_units=2)
    net.initialize(init.Constant(0), ctx=[mx.cpu(0), mx.cpu(1)])
    net.weight.set_data(nd.array([[1, 0], [0, 1]]))  # predicts the larger coordinate
    X = nd.array([[1, 0], [0, 1], [1, 0], [0, 1]])
    y = nd.array([0, 1, 1, 1], dtype='int32')
    assert d2l.evaluate_accuracy(ArrayBatches(X, y, 3), net) == 0.75
    assert d2l.evaluate_accuracy(ArrayBatches(X, y, 3), net, [mx.cpu(0), mx.cpu(1)]) == 0.75


def good_args(**changes):
    features, labels = blobs(n=20)
    net = linear_net()
    args = dict(net=net, train_iter=ArrayBatches(features, labels, 10),
                test_iter=ArrayBatches(features, labels, 10),
                loss=gloss.SoftmaxCrossEntropyLoss(), num_epochs=1, batch_size=10,
                trainer=gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1}))
    args.update(changes)
    return args


def uninitialized():
    return nn.Dense(2)


@pytest.mark.parametrize('changes, error, expected', [
    (dict(batch_size=0), ValueError, 'batch_size must be at least 1'),
    (dict(batch_size=2.5), TypeError, 'batch_size must be a whole number'),
    (dict(num_epochs=-1), ValueError, 'num_epochs must be 0 or more'),
    (dict(trainer=None), ValueError, 'pass trainer='),
    (dict(net=nn.Sequential()), ValueError, 'net has no parameters'),
    (dict(net=uninitialized()), ValueError, 'call net.initialize()'),
    (dict(net=lambda X: X), TypeError, 'net must be a gluon Block'),
    (dict(train_iter=ArrayBatches(nd.ones((4, 4)), nd.ones((4, 2)), 2)), ValueError,
     'labels of shape'),
    (dict(train_iter=[]), ValueError, 'yields no batches'),
])
def test_train_ch3_rejects_bad_arguments_clearly(changes, error, expected):
    with pytest.raises(error, match=expected):
        d2l.train_ch3(**good_args(**changes))


def test_zero_epochs_trains_nothing():
    assert len(d2l.train_ch3(**good_args(num_epochs=0))) == 0


def test_deferred_initialization_is_accepted():
    net = nn.Dense(2)  # no in_units
    net.initialize()  # shapes come with the first batch
    args = good_args(net=net, trainer=gluon.Trainer(net.collect_params(), 'sgd',
                                                    {'learning_rate': 0.1}))
    assert len(d2l.train_ch3(**args)) == 1


def test_evaluate_accuracy_rejects_an_empty_iterator_and_wrong_shapes():
    net = linear_net()
    with pytest.raises(ValueError, match='yields no batches'):
        d2l.evaluate_accuracy([], net)
    with pytest.raises(ValueError, match='labels of shape'):
        d2l.evaluate_accuracy([(nd.ones((2, 4)), nd.ones((2, 1)))], net)


# --- training that goes wrong is said plainly ---

def weights(net):
    return [p.data().asnumpy().copy() for p in net.collect_params().values()]


def same_weights(before, net):
    return all((a == b).all() for a, b in zip(before, weights(net)))


def test_a_nan_loss_stops_training_after_printing_that_epoch(capsys):
    args = good_args(num_epochs=5)
    args['net'].weight.set_data(nd.full((2, 4), float('nan')))
    with pytest.raises(d2l.training.TrainingDiverged,
                       match='(?s)diverged in epoch 1.*smaller learning rate.*was 0.1') as info:
        d2l.train_ch3(**args)
    assert isinstance(info.value, FloatingPointError)
    assert len(info.value.history) == 1 and np.isnan(info.value.history.loss[0])
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1 and lines[0].startswith('epoch 1, loss nan')


def test_an_infinite_loss_is_divergence_too_and_the_book_sgd_names_its_rate():
    features, labels = blobs(n=20)
    net = linear_net()
    params = [p.data() for p in net.collect_params().values()]
    for p in params:
        p.attach_grad()
    def infinite(y_hat, y):
        return gloss.SoftmaxCrossEntropyLoss()(y_hat, y) + float('inf')

    with pytest.raises(d2l.training.TrainingDiverged, match='(?s)loss is inf.*was 0.5'):
        d2l.train_ch3(net, ArrayBatches(features, labels, 10), ArrayBatches(features, labels, 10),
                      infinite, 3, 10, params, 0.5)


@pytest.mark.parametrize('rate, shown', [(1.0, '1.0'), (0.5, '0.5'), (0.1, '0.1'),
                                          (np.float32(0.1), '0.1'), (2.0, '2.0'), (1, '1'),
                                          (1e-05, '1e-05')])
def test_the_message_shows_a_float_rate_as_a_float_and_a_whole_number_as_given(rate, shown):
    """05's divergence demo trains at 1.0: the message must not say "it was 1"."""
    assert d2l.training.rate_used(rate, None) == f' (it was {shown})'
    trainer = gluon.Trainer(linear_net().collect_params(), 'sgd', {'learning_rate': rate})
    assert d2l.training.rate_used(None, trainer) == f' (it was {shown})'


def test_a_learning_rate_far_too_large_diverges_with_a_clear_error():
    args = good_args(num_epochs=3)
    args['trainer'] = gluon.Trainer(args['net'].collect_params(), 'sgd',
                                    {'learning_rate': 1e38})
    with pytest.raises(d2l.training.TrainingDiverged, match='smaller learning rate'):
        d2l.train_ch3(**args)


def ten_class_batches(labels):
    features = nd.array(np.random.RandomState(0).normal(size=(len(labels), 4)))
    return ArrayBatches(features, nd.array(labels, dtype='int32'), 10)


@pytest.mark.parametrize('outputs, labels, seen', [
    (5, list(range(10)) * 2, 'from 0 to 9'),          # 5 outputs for 10 classes
    (2, [0, 1] * 4 + [42, 1] + [0, 1] * 5, 'to 42'),  # a label 42 from a custom iterator
    (2, [-1] + [0, 1] * 9 + [0], 'from -1'),
])
def test_labels_the_net_cannot_score_are_an_error_before_the_first_update(outputs, labels,
                                                                          seen, capsys):
    net = linear_net(outputs)
    before = weights(net)
    args = good_args(net=net, train_iter=ten_class_batches(labels),
                     trainer=gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1}))
    with pytest.raises(ValueError, match=f'(?s)class numbers 0 to {outputs - 1}.*{seen}.*'
                                         f'one output per class'):
        d2l.train_ch3(**args)
    assert same_weights(before, net)  # no step was taken
    assert capsys.readouterr().out == ''


@pytest.mark.parametrize('bad', [2.5, float('nan')])
def test_labels_that_are_not_class_numbers_are_an_error(bad):
    features, labels = blobs(n=20)
    labels = labels.astype('float32')
    labels[3] = bad
    with pytest.raises(ValueError, match='not class numbers'):
        d2l.train_ch3(**good_args(train_iter=ArrayBatches(features, labels, 10)))


def opaque_batches(labels, kind):
    """Batches of 10 whose labels train_ch3 cannot see up front."""
    batches = list(ten_class_batches(labels))
    if kind == 'list':
        return batches
    features, labels = ten_class_batches(labels).features, ten_class_batches(labels).labels
    dataset = gluon.data.ArrayDataset(features, labels).transform(lambda x, y: (x, y))
    return gluon.data.DataLoader(dataset, 10)


@pytest.mark.parametrize('kind', ['list', 'DataLoader with transform'])
def test_a_bad_label_in_a_later_batch_of_an_opaque_iterator_stops_before_that_batch_updates(
        capsys, kind):
    """Adversary 13: the error came after a whole epoch of updates. Labels the iterator does
    not expose are checked batch by batch, each before its update."""
    labels = [0, 1] * 30
    labels[45] = 42  # in the fifth batch of 10
    net, twin = linear_net(), linear_net()
    with pytest.raises(ValueError, match=r'1 labels in a batch of epoch 1 \(after 40 examples\) '
                                         r'are not class numbers 0 to 1'):
        d2l.train_ch3(**good_args(net=net, train_iter=opaque_batches(labels, kind),
                                  trainer=trainer_with(net)))
    assert capsys.readouterr().out == ''
    # The twin trains on the first four batches only: the fifth was never applied.
    d2l.train_ch3(**good_args(net=twin, train_iter=list(ten_class_batches(labels))[:4],
                              trainer=trainer_with(twin)))
    assert same_weights(weights(twin), net)


def in_a_data_loader(labels, first_transform=False):
    features = np.random.RandomState(0).normal(size=(len(labels), 4)).astype('float32')
    dataset = gluon.data.ArrayDataset(features, np.array(labels, dtype='int32'))
    if first_transform:  # as d2lzh's loader does with ToTensor
        dataset = dataset.transform_first(lambda x: x * 1)
    return gluon.data.DataLoader(dataset, 10)


@pytest.mark.parametrize('make_iter', [
    ten_class_batches,
    in_a_data_loader,
    lambda labels: in_a_data_loader(labels, first_transform=True),
], ids=['ArrayBatches', 'DataLoader', 'DataLoader over transform_first'])
def test_a_label_42_in_batch_5_is_an_error_before_the_first_update(make_iter, capsys):
    """Issue 20: it raised only after an epoch of updates."""
    labels = [0, 1] * 30
    labels[45] = 42  # in the fifth batch of 10
    net = linear_net()
    before = weights(net)
    args = good_args(net=net, train_iter=make_iter(labels),
                     trainer=gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1}))
    with pytest.raises(ValueError, match=r'1 labels in the training data are not class numbers '
                                         r'0 to 1 \(they range from 0 to 42\)'):
        d2l.train_ch3(**args)
    assert same_weights(before, net)  # no step was taken
    assert capsys.readouterr().out == ''


def test_bad_labels_in_the_test_data_are_an_error():
    with pytest.raises(ValueError, match='the evaluated data'):
        d2l.train_ch3(**good_args(test_iter=ten_class_batches([0, 1, 7, 1])))


def test_the_divergence_demo_of_the_exercises_fails_clearly_with_its_history(real_dir, capsys):
    """05_exercises: the shared-layer MLP at learning rate 1.0, as the notebook runs it."""
    mx.random.seed(3)
    np.random.seed(3)
    net = nn.Sequential()
    shared = nn.Dense(256, activation='relu')
    net.add(nn.Dense(256, activation='relu'), shared,
            nn.Dense(256, activation='relu', params=shared.params), nn.Dense(10))
    net.initialize(init.Normal(sigma=0.01))
    train_iter, test_iter = d2l.load_data_fashion_mnist(256)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0})
    try:
        diverged = d2l.train_ch3(net, train_iter, test_iter, gloss.SoftmaxCrossEntropyLoss(),
                                 5, 256, None, None, trainer)
    except d2l.training.TrainingDiverged as error:
        print(error)
        diverged = error.history
    assert not np.isfinite(diverged.loss[-1]) and diverged.test_acc[-1] < 0.5
    out = capsys.readouterr().out
    assert 'loss nan' in out and 'Training diverged in epoch' in out and '(it was 1.0)' in out


# --- what the loss does not show: parameters that are no longer numbers ---

def test_a_nan_feature_row_hidden_by_relu_stops_training_naming_the_parameter(capsys):
    """Issue 20: ReLU turned the nan into 0, the loss stayed finite, every weight of the first
    layer became nan, and train_ch3 returned normally."""
    features, labels = blobs(n=40)
    features[7] = float('nan')
    mx.random.seed(0)
    net = nn.Sequential()
    net.add(nn.Dense(8, activation='relu', in_units=4), nn.Dense(2, in_units=8))
    net.initialize(init.Normal(sigma=0.1))
    args = good_args(net=net, num_epochs=3, train_iter=ArrayBatches(features, labels, 10),
                     trainer=gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1}))
    with pytest.raises(d2l.training.TrainingDiverged,
                       match=f'(?s)epoch 1: parameters? (.*, )?{net[0].weight.name}\\b.*'
                             f'holds? nan.*'
                             f'though the mean loss is .*nan or infinite features') as info:
        d2l.train_ch3(**args)
    assert np.isfinite(info.value.history.loss).all()  # the loss alone would not have told
    assert len(info.value.history) == 1
    assert len(capsys.readouterr().out.splitlines()) == 1  # that epoch's line, then the error


def test_finite_parameters_after_a_finite_loss_train_on():
    assert len(d2l.train_ch3(**good_args(num_epochs=2))) == 2


# --- learning rates and counts of any numeric type ---

def trainer_with(net, **hyper):
    return gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1, **hyper})


@pytest.mark.parametrize('rate', [float('nan'), float('inf'), -float('inf'), -0.1, 0,
                                  np.float32('nan')])
def test_a_learning_rate_that_is_not_finite_and_positive_is_refused_before_training(rate, capsys):
    """Issue 20: nan or inf gave a raw MXNetError; a negative rate trained uphill."""
    net = linear_net()
    before = weights(net)
    with pytest.raises(ValueError, match=r"learning rate \(the trainer's learning_rate\) must "
                                         r'be a finite number above 0'):
        d2l.train_ch3(**good_args(net=net, trainer=trainer_with(net, learning_rate=rate)))
    with pytest.raises(ValueError, match=r'learning rate \(lr\) must be a finite number above 0'):
        d2l.train_ch3(**good_args(net=net, trainer=None,
                                  params=[p.data() for p in net.collect_params().values()],
                                  lr=rate))
    assert same_weights(before, net) and capsys.readouterr().out == ''


@pytest.mark.parametrize('hyper', [dict(wd=float('nan')), dict(momentum=float('inf')),
                                   dict(clip_gradient=float('nan'))])
def test_a_trainer_with_a_non_finite_optimizer_setting_is_refused(hyper):
    net = linear_net()
    with pytest.raises(ValueError, match=f'optimizer has {next(iter(hyper))}='):
        d2l.train_ch3(**good_args(net=net, trainer=trainer_with(net, **hyper)))


@pytest.mark.parametrize('changes, error', [(dict(lr='0.1'), TypeError),
                                            (dict(lr=True), TypeError),
                                            (dict(trainer='sgd'), TypeError)])
def test_a_learning_rate_or_trainer_of_the_wrong_type_is_refused(changes, error):
    net = linear_net()
    args = good_args(net=net, trainer=None,
                     params=[p.data() for p in net.collect_params().values()], lr=0.1)
    args.update(changes)
    with pytest.raises(error, match='learning rate|trainer must be a gluon.Trainer'):
        d2l.train_ch3(**args)


class Count:
    """An integral type that only has ``__index__``, as some array libraries' scalars."""

    def __init__(self, value):
        self.value = value

    def __index__(self):
        return self.value

    def __lt__(self, other):
        return self.value < other


@pytest.mark.parametrize('count', [np.int64(2), np.int32(2), np.uint8(2), Count(2)],
                         ids=['int64', 'int32', 'uint8', '__index__'])
def test_num_epochs_and_batch_size_of_any_integral_type_are_accepted(count):
    """Issue 20: num_epochs=np.int64(2) was rejected as "must be a whole number, got 2"."""
    assert len(d2l.train_ch3(**good_args(num_epochs=count))) == 2
    assert len(d2l.train_ch3(**good_args(batch_size=count))) == 1


@pytest.mark.parametrize('count', [True, np.True_, 2.0, '2'])
def test_num_epochs_that_is_not_a_whole_number_is_refused(count):
    with pytest.raises(TypeError, match='num_epochs must be a whole number'):
        d2l.train_ch3(**good_args(num_epochs=count))


# --- issue 20 follow-up: what an adversary found ---

class WithSpareLayer(nn.Block):
    """A student's net with a layer defined but never called in forward."""

    def __init__(self):
        super().__init__()
        self.hidden = nn.Dense(4, activation='relu')
        self.out = nn.Dense(2)
        self.spare = nn.Dense(7)  # never initialized: it never sees an input

    def forward(self, x):
        return self.out(self.hidden(x))


def test_a_layer_never_used_in_forward_does_not_stop_training_with_sgd():
    """Regression: the parameter check read the never-initialized spare layer and raised
    DeferredInitializationError after epoch 1."""
    mx.random.seed(0)
    net = WithSpareLayer()
    net.initialize()
    net(nd.ones((1, 4)))
    params = [p.data() for layer in (net.hidden, net.out)
              for p in layer.collect_params().values()]
    history = d2l.train_ch3(**good_args(net=net, trainer=None, params=params, lr=0.1,
                                        num_epochs=2))
    assert len(history) == 2


class WithAttributeParameter(nn.Block):
    """A Parameter assigned as a Block attribute: gluon leaves it out of collect_params()."""

    def __init__(self):
        super().__init__()
        self.w = gluon.Parameter('w', shape=(4, 8))
        self.out = nn.Dense(2, in_units=8)

    def forward(self, x):  # this ReLU, like Dense's, turns nan into 0
        return self.out(nd.Activation(nd.dot(x, self.w.data()), act_type='relu'))


def test_a_nan_in_a_parameter_given_to_sgd_but_not_collected_stops_training():
    features, labels = blobs(n=20)
    features[7] = float('nan')  # ReLU hides it from the loss
    mx.random.seed(0)
    net = WithAttributeParameter()
    net.initialize()
    net.w.initialize(init.Normal(0.1))
    assert 'w' not in net.collect_params().keys()
    params = [net.w.data(), net.out.weight.data(), net.out.bias.data()]
    with pytest.raises(d2l.training.TrainingDiverged, match=r'params\[0\] holds? nan'):
        d2l.train_ch3(**good_args(net=net, trainer=None, params=params, lr=0.1,
                                  train_iter=ArrayBatches(features, labels, 10)))
    assert not np.isfinite(net.w.data().asnumpy()).all()


def test_nan_features_that_make_the_loss_nan_are_named_as_the_cause(capsys):
    features, labels = blobs(n=20)
    features[7, 1] = float('nan')  # a linear net: nothing hides it
    with pytest.raises(d2l.training.TrainingDiverged) as info:
        d2l.train_ch3(**good_args(train_iter=ArrayBatches(features, labels, 10)))
    message = str(info.value)
    assert 'the mean loss is nan' in message
    assert '1 example in the training data has nan or infinite features' in message
    assert 'train with a smaller learning rate' not in message


def test_nan_features_only_in_the_test_data_are_an_error_not_an_accuracy(capsys):
    features, labels = blobs(n=20)
    broken = features.copy()
    broken[:] = float('nan')
    with pytest.raises(ValueError, match='20 examples in the evaluated data have nan or '
                                         'infinite features'):
        d2l.evaluate_accuracy(ArrayBatches(broken, labels, 10), linear_net())
    with pytest.raises(ValueError, match='20 examples in the test data have nan or infinite'):
        d2l.train_ch3(**good_args(test_iter=ArrayBatches(broken, labels, 10)))


@pytest.mark.parametrize('where', ['lr', 'trainer', 'batch_size'])
def test_a_number_too_large_for_a_float_is_refused_clearly(where):
    net = linear_net()
    args = good_args(net=net, trainer=None, lr=0.1,
                     params=[p.data() for p in net.collect_params().values()])
    if where == 'lr':
        args['lr'] = 10**400
    elif where == 'trainer':
        args.update(trainer=trainer_with(net, learning_rate=10**400), params=None, lr=None)
    else:
        args['batch_size'] = 10**400
    expected = ('batch_size must be at most' if where == 'batch_size'
                else 'must be a finite number above 0, got an int of 401 digits')
    with pytest.raises(ValueError, match=expected):
        d2l.train_ch3(**args)


def test_a_batch_size_beyond_any_array_is_refused():
    with pytest.raises(ValueError, match='batch_size must be at most 2147483647'):
        d2l.train_ch3(**good_args(batch_size=np.uint64(2**64 - 1)))


@pytest.mark.parametrize('rate', [Fraction(1, 10), Decimal('0.1')], ids=['Fraction', 'Decimal'])
def test_a_fraction_or_decimal_learning_rate_trains_like_its_float(rate):
    def train(lr):
        net = linear_net()
        d2l.train_ch3(**good_args(net=net, trainer=None, lr=lr,
                                  params=[p.data() for p in net.collect_params().values()]))
        return weights(net)
    assert all((a == b).all() for a, b in zip(train(rate), train(0.1)))


def test_a_decimal_learning_rate_in_a_trainer_is_refused_before_training():
    net = linear_net()
    before = weights(net)
    with pytest.raises(TypeError, match='give it as a float'):
        d2l.train_ch3(**good_args(net=net, trainer=trainer_with(net,
                                                                learning_rate=Decimal('0.1'))))
    assert same_weights(before, net)


def test_a_negative_weight_decay_is_refused_like_a_negative_learning_rate():
    net = linear_net()
    before = weights(net)
    with pytest.raises(ValueError, match='wd=-1000'):
        d2l.train_ch3(**good_args(net=net, trainer=trainer_with(net, wd=-1000)))
    assert same_weights(before, net)


def test_a_frozen_parameter_given_to_sgd_is_refused_before_any_update():
    net = nn.Sequential()
    net.add(nn.Dense(3, in_units=4), nn.Dense(2, in_units=3))
    net.initialize()
    net[1].collect_params().setattr('grad_req', 'null')
    before = weights(net)
    with pytest.raises(ValueError, match=r"params\[2\] has no gradient"):
        d2l.train_ch3(**good_args(net=net, trainer=None, lr=0.1,
                                  params=[p.data() for p in net.collect_params().values()]))
    assert same_weights(before, net)


def test_numpy_labels_are_refused_with_what_to_give():
    features, labels = blobs(n=20)
    batches = [(features[:10], labels[:10].asnumpy()), (features[10:], labels[10:].asnumpy())]
    net = linear_net()
    before = weights(net)
    with pytest.raises(TypeError, match=r'labels \(y\) as an mxnet NDArray, got numpy.ndarray'):
        d2l.train_ch3(**good_args(net=net, train_iter=batches,
                                  trainer=trainer_with(net)))
    assert same_weights(before, net)


def test_a_bad_label_the_sampler_never_yields_does_not_stop_training():
    labels = [0, 1] * 10
    labels[17] = 42  # outside the 16 examples the sampler yields
    features = np.random.RandomState(0).normal(size=(20, 4)).astype('float32')
    dataset = gluon.data.ArrayDataset(features, np.array(labels, dtype='int32'))
    loader = gluon.data.DataLoader(dataset, 4, sampler=gluon.data.SequentialSampler(16))
    assert len(d2l.train_ch3(**good_args(train_iter=loader, batch_size=4))) == 1
