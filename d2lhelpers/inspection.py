"""Looking inside a network: its parameters, their statistics and their gradients.

Shared parameters are counted once: ``collect_params()`` lists a ``Parameter``
once by name however many layers use it.
"""
from mxnet import nd

__all__ = ['GradNormRecorder', 'grad_norms', 'param_stats']


def param_stats(net, select=None):
    """Mean and standard deviation of each parameter: ``{name: (mean, std)}``.

    ``select`` is the regular expression of ``collect_params`` (for example ``'.*weight'``).
    """
    stats = {}
    for name, param in net.collect_params(select).items():
        data = param.data()
        mean = data.mean()
        std = nd.sqrt(((data - mean) ** 2).mean())
        stats[name] = (mean.asscalar(), std.asscalar())
    return stats


def grad_norms(net, select=None):
    """The L2 norm of each parameter's current gradient: ``{name: norm}``."""
    return {name: param.grad().norm().asscalar()
            for name, param in net.collect_params(select).items()
            if param.grad_req != 'null'}


class GradNormRecorder:
    """A ``train_ch3`` callback that records each parameter's gradient norm per epoch.

    After training, ``recorder.norms[name]`` is the list of norms, one per epoch,
    taken from the gradient of the epoch's last mini-batch.
    """

    def __init__(self, select='.*weight'):
        self.select = select
        self.norms = {}

    def __call__(self, epoch, net, history):
        for name, norm in grad_norms(net, self.select).items():
            self.norms.setdefault(name, []).append(norm)
