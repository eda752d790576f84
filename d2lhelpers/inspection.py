"""Looking inside a network: its parameters, their statistics and their gradients.

Shared parameters are counted once: ``collect_params()`` lists a ``Parameter``
once by name however many layers use it, and ``parameter_table`` says which
layers use each one.
"""
import numpy as np
from mxnet import autograd, nd

__all__ = ['GradNormRecorder', 'grad_norms', 'layer_grad_stds', 'layer_output_stds',
           'param_stats', 'parameter_table', 'print_parameter_table', 'std']


def std(x):
    """Population standard deviation of all elements of an NDArray, as a float.

    Used in: 06_init_tour (and through layer_output_stds, layer_grad_stds).
    """
    return nd.sqrt(((x - x.mean()) ** 2).mean()).asscalar()


def param_stats(net, select=None):
    """Mean and standard deviation of each parameter: ``{name: (mean, std)}``.

    ``select`` is the regular expression of ``collect_params`` (for example ``'.*weight'``).

    Used in: none of these notebooks directly; a quick look at a net's parameters.
    """
    return {name: (param.data().mean().asscalar(), std(param.data()))
            for name, param in net.collect_params(select).items()}


def grad_norms(net, select=None):
    """The L2 norm of each parameter's current gradient: ``{name: norm}``.

    Used in: 05_exercises (through GradNormRecorder).
    """
    return {name: param.grad().norm().asscalar()
            for name, param in net.collect_params(select).items()
            if param.grad_req != 'null'}


class GradNormRecorder:
    """A ``train_ch3`` callback that records each parameter's gradient norm per epoch.

    After training, ``recorder.norms[name]`` is the list of norms, one per epoch,
    taken from the gradient of the epoch's last mini-batch.

    Used in: 05_exercises.
    """

    def __init__(self, select='.*weight'):
        self.select = select
        self.norms = {}

    def __call__(self, epoch, net, history):
        for name, norm in grad_norms(net, self.select).items():
            self.norms.setdefault(name, []).append(norm)


def parameter_table(net):
    """One row per distinct parameter: ``{'name', 'shape', 'count', 'used_by'}``.

    ``used_by`` lists the paths of the blocks holding the parameter (``'1'`` is
    ``net[1]``, ``'0.2'`` is ``net[0][2]``); a shared parameter has several.

    Used in: 09_saving_parameters (and through print_parameter_table).
    """
    usage = {}

    def visit(block, path):
        for param in block._reg_params.values():
            usage.setdefault(param, []).append(path or '(net)')
        for name, child in block._children.items():
            visit(child, f'{path}.{name}' if path else name)

    visit(net, '')
    return [{'name': param.name, 'shape': param.shape,
             'count': int(np.prod(param.shape)), 'used_by': paths}
            for param, paths in usage.items()]


def print_parameter_table(net):
    """Print ``parameter_table(net)`` with a total that counts shared parameters once.

    Used in: 08_tied_weights, 09_saving_parameters.
    """
    rows = parameter_table(net)
    print(f'{"parameter":<20}{"shape":<14}{"count":>10}  used by')
    for row in rows:
        print(f'{row["name"]:<20}{str(row["shape"]):<14}{row["count"]:>10}  '
              f'{", ".join("net[" + p.replace(".", "][") + "]" for p in row["used_by"])}')
    shared = [row for row in rows if len(row['used_by']) > 1]
    print(f'total: {sum(row["count"] for row in rows)} parameters in {len(rows)} arrays '
          f'(shared by several layers, counted once: {len(shared)})')


def layer_output_stds(net, X):
    """Standard deviation of each layer's output, feeding ``X`` through a ``Sequential``.

    Used in: 07_why_initialization_matters.
    """
    stds = []
    for layer in net:
        X = layer(X)
        stds.append(std(X))
    return stds


def layer_grad_stds(net, X, y, loss):
    """Standard deviation of each layer's weight gradient after one backward pass.

    Used in: 07_why_initialization_matters.
    """
    with autograd.record():
        batch_loss = loss(net(X), y).mean()
    batch_loss.backward()
    return [std(layer.weight.grad()) for layer in net]
