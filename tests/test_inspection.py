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
