"""d2lhelpers.inspection: parameter statistics and gradient norms, shared parameters once."""
import numpy as np
from mxnet import autograd, init, nd
from mxnet.gluon import nn

import d2lhelpers as d2l


def shared_net():
    net = nn.Sequential()
    shared = nn.Dense(3, in_units=3)
    net.add(nn.Dense(3, in_units=2), shared, nn.Dense(3, in_units=3, params=shared.params))
    net.initialize(init.Constant(0.5))
    return net


def test_param_stats_are_mean_and_std_of_the_data():
    net = nn.Dense(2, in_units=3)
    net.initialize()
    net.weight.set_data(nd.array([[1, 2, 3], [4, 5, 6]]))
    mean, std = d2l.param_stats(net)[net.weight.name]
    assert np.isclose(mean, 3.5) and np.isclose(std, np.std(np.arange(1, 7)))


def test_grad_norms_list_a_shared_parameter_once_with_its_norm():
    net = shared_net()
    with autograd.record():
        net(nd.ones((4, 2))).sum().backward()
    norms = d2l.grad_norms(net, '.*weight')
    assert list(norms) == [net[0].weight.name, net[1].weight.name]
    assert np.isclose(norms[net[1].weight.name], np.linalg.norm(net[1].weight.grad().asnumpy()))


def test_grad_norm_recorder_keeps_one_value_per_epoch():
    net = shared_net()
    recorder = d2l.GradNormRecorder()
    for epoch in (1, 2, 3):
        with autograd.record():
            (net(nd.ones((4, 2))) * epoch).sum().backward()
        recorder(epoch, net, None)
    values = recorder.norms[net[0].weight.name]
    assert len(values) == 3 and np.allclose(np.array(values) / values[0], [1, 2, 3])


def test_parameter_table_counts_a_shared_parameter_once_and_names_its_users(capsys):
    net = shared_net()
    rows = d2l.parameter_table(net)
    assert [row['used_by'] for row in rows] == [['0'], ['0'], ['1', '2'], ['1', '2']]
    assert sum(row['count'] for row in rows) == 2 * 3 + 3 + 3 * 3 + 3
    d2l.print_parameter_table(net)
    out = capsys.readouterr().out
    assert 'net[1], net[2]' in out
    assert out.splitlines()[-1] == ('total: 21 parameters in 4 arrays '
                                    '(shared by several layers, counted once: 2)')


def test_parameter_table_walks_nested_blocks():
    inner = nn.Sequential()
    inner.add(nn.Dense(2, in_units=2))
    net = nn.Sequential()
    net.add(inner, nn.Dense(1, in_units=2))
    assert [row['used_by'] for row in d2l.parameter_table(net)] == [['0.0'], ['0.0'], ['1'], ['1']]


def test_layer_stds_follow_the_signal_through_each_layer():
    net = nn.Sequential()
    net.add(nn.Dense(4, in_units=4, use_bias=False), nn.Dense(4, in_units=4, use_bias=False))
    net.initialize(init.Constant(0.5))  # 4 inputs x 0.5: each layer doubles the spread
    X = nd.array([[1, 1, 1, 1], [-1, -1, -1, -1]])
    assert np.allclose(d2l.layer_output_stds(net, X), [2, 4])


def test_layer_grad_stds_match_gradients_worked_out_by_hand():
    """Two layers W1 = I, W2 = 2I on x = (1, 2), L2 loss to 0 (gluon's: mean of (p - y)^2 / 2).

    pred = (2, 4), dL/dpred = pred / 2 = (1, 2); dL/dW2 = dL/dpred (x) h1 = [[1, 2], [2, 4]];
    dL/dW1 = (W2^T dL/dpred) (x) x = (2, 4) (x) (1, 2) = [[2, 4], [4, 8]].
    """
    from mxnet.gluon import loss as gloss
    net = nn.Sequential()
    net.add(nn.Dense(2, in_units=2, use_bias=False), nn.Dense(2, in_units=2, use_bias=False))
    net.initialize()
    net[0].weight.set_data(nd.array([[1, 0], [0, 1]]))
    net[1].weight.set_data(nd.array([[2, 0], [0, 2]]))
    # The same example twice: the loss is averaged over the batch, so the gradients are as for one.
    X = nd.array([[1, 2], [1, 2]])
    grad_stds = d2l.layer_grad_stds(net, X, nd.zeros((2, 2)), gloss.L2Loss())
    assert np.allclose(grad_stds, [np.std([[2, 4], [4, 8]]), np.std([[1, 2], [2, 4]])])
