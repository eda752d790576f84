"""The initialization explorer: each layer's signal and gradient spread, measured and predicted.

A stack of ``depth`` square ``Dense(width)`` layers, each followed by an activation, is
initialized by a real MXNet initializer and fed a fixed random batch ``X``; the loss is
``(R * top_output).sum()`` for a fixed random ``R``, so the gradient that enters the top layer
is ``R``. ``spread`` measures, for every layer, the standard deviation of the Dense output
``y`` (before the activation) and of the loss's gradient with respect to it, and sets beside
them what the variance formula predicts, starting from the input alone:

    forward   Var(y_1) = fan_in * Var(w) * Var(X),  Var(y_l) = fan_in * Var(w) * g * Var(y_l-1)
    backward  Var(d_L) = g * Var(R),                Var(d_l) = fan_out * Var(w) * g * Var(d_l+1)

with g = 1 without an activation and 1/2 for ReLU (it keeps half of a symmetric input, and
passes half of the gradients back). The formula holds, up to the sampling noise of a finite
width, when the weights are independent with mean 0 and the biases are 0 (so for these two
activations). For tanh and sigmoid it is used with their slope at 0 squared, g = 1 and 1/16:
it holds for tanh only while the signals stay small, and fails for sigmoid, whose outputs
have mean 1/2, not 0.

Used in: 11_init_explorer.
"""
import base64
import io
import itertools
import json
from html import escape
from typing import NamedTuple

import ipywidgets as widgets
import mxnet as mx
import numpy as np
from matplotlib.figure import Figure
from matplotlib.ticker import NullLocator
from mxnet import autograd, init, nd
from mxnet.gluon import nn

from .language import _

__all__ = ['ACTIVATIONS', 'GAIN', 'Spread', 'describe_spread', 'init_explorer',
           'make_initializer', 'plot_spread', 'spread', 'weight_variance']


ACTIVATIONS = ('none', 'relu', 'tanh', 'sigmoid')
# The factor g of the formula: exact for none and ReLU, the squared slope at 0 for tanh, sigmoid.
GAIN = {'none': 1.0, 'relu': 0.5, 'tanh': 1.0, 'sigmoid': 1 / 16}


class Spread(NamedTuple):
    """Per layer (index 0 is layer 1): measured and predicted standard deviations."""
    output_std: list
    output_predicted: list
    grad_std: list
    grad_predicted: list
    label: str


def weight_variance(initializer, fan_in, fan_out):
    """The variance of the weights ``initializer`` draws for a layer of these fans.

    Read from the initializer's own settings, as MXNet 1.9.1 uses them (``Xavier`` and its
    subclass ``MSRAPrelu``: ``scale = sqrt(magnitude / factor)``, uniform on [-scale, scale]
    or normal with standard deviation ``scale``).

    Used in: 11_init_explorer.
    """
    if isinstance(initializer, init.Uniform):
        return initializer.scale ** 2 / 3
    if isinstance(initializer, init.Normal):
        return initializer.sigma ** 2
    if isinstance(initializer, init.Xavier):
        factor = {'avg': (fan_in + fan_out) / 2, 'in': fan_in,
                  'out': fan_out}[initializer.factor_type]
        variance = initializer.magnitude / factor
        return variance / 3 if initializer.rnd_type == 'uniform' else variance
    raise TypeError(f'weight_variance knows Uniform, Normal, Xavier and MSRAPrelu, not '
                    f'{type(initializer).__name__}: pass one of those')


def make_initializer(name, scale=0.07, sigma=0.01, magnitude=3.0, rnd_type='uniform',
                     factor_type='avg', slope=0.25):
    """One of the explorer's initializers by name, with its own parameters."""
    makers = {'Uniform': lambda: init.Uniform(scale), 'Normal': lambda: init.Normal(sigma),
              'Xavier': lambda: init.Xavier(rnd_type, factor_type, magnitude),
              'MSRAPrelu': lambda: init.MSRAPrelu(factor_type, slope)}
    if name not in makers:
        raise ValueError(f'unknown initializer {name!r}: choose one of {", ".join(makers)}')
    return makers[name]()


def _std(x):
    """Population standard deviation in float64 (a float32 square would overflow first)."""
    return float(x.asnumpy().astype(np.float64).std())


def _check(depth, width, activation, batch_size):
    if activation not in ACTIVATIONS:
        raise ValueError(f'unknown activation {activation!r}: choose one of '
                         f'{", ".join(ACTIVATIONS)}')
    for name, value in [('depth', depth), ('width', width), ('batch_size', batch_size)]:
        if not isinstance(value, (int, np.integer)) or value < 1:
            raise ValueError(f'{name} must be a whole number of at least 1, not {value!r}')


def build_net(depth, width, activation):
    """A Sequential of ``depth`` Dense(width) layers, each followed by the activation."""
    net = nn.Sequential()
    for _layer in range(depth):
        net.add(nn.Dense(width, in_units=width))
        if activation != 'none':
            net.add(nn.Activation(activation))
    return net


def _predictions(initializer, depth, width, activation, input_std, top_grad_std):
    """The formula's standard deviations, layer 1 to ``depth``, forward and backward."""
    var_w = weight_variance(initializer, width, width)
    gain = GAIN[activation]
    step = (width * var_w * gain) ** 0.5  # fan_in = fan_out = width
    first = (width * var_w) ** 0.5 * input_std
    forward = [first * step ** layer for layer in range(depth)]
    top = gain ** 0.5 * top_grad_std
    backward = [top * step ** (depth - 1 - layer) for layer in range(depth)]
    return forward, backward


def spread(initializer, depth=10, width=256, activation='relu', batch_size=256, seed=0):
    """Measure and predict each layer's output and gradient spread (see the module docstring).

    The input ``X`` and the top gradient ``R`` are drawn from ``seed`` by NumPy, the weights by
    MXNet after ``mx.random.seed(seed)``: the same arguments give the same numbers.

    Used in: 11_init_explorer.
    """
    _check(depth, width, activation, batch_size)
    rng = np.random.default_rng(seed)
    X = nd.array(rng.standard_normal((batch_size, width)))
    R = nd.array(rng.standard_normal((batch_size, width)))
    mx.random.seed(seed)
    net = build_net(depth, width, activation)
    net.initialize(initializer)
    # A zero added to each Dense output: its gradient is the gradient of that output.
    probes = [nd.zeros((batch_size, width)) for _layer in range(depth)]
    for probe in probes:
        probe.attach_grad()
    outputs = []
    with autograd.record():
        x = X
        for block in net:
            x = block(x)
            if isinstance(block, nn.Dense):
                x = x + probes[len(outputs)]
                outputs.append(x)
        loss = (x * R).sum()
    loss.backward()
    forward, backward = _predictions(initializer, depth, width, activation, _std(X), _std(R))
    return Spread([_std(y) for y in outputs], forward, [_std(p.grad) for p in probes],
                  backward, f'{_name(initializer)}, {activation}, {depth} x {width}')


def _name(initializer):
    """``Xavier(rnd_type='uniform', ...)``: the initializer as it would be written."""
    name, settings = json.loads(initializer.dumps())
    arguments = ', '.join(f'{key}={value!r}' for key, value in settings.items())
    return f'{type(initializer).__name__}({arguments})'


def describe_spread(result):
    """The figure in words: first and last layer, measured and predicted (its text alternative).

    In the reader's language (``D2L_LANGUAGE``, d2lhelpers/language.py); each sentence ends
    with the language's full stop, in English ``. `` (a space after it, also after the last),
    so that a notebook can print it a sentence per line, splitting on that full stop.

    Used in: 11_init_explorer (and in the explorer, as its figure's alt text and caption).
    """
    def line(what, measured, predicted):
        return _('{what}：第 1 层 {first:.2e}（公式 {first_formula:.2e}），'
                 '第 {last_layer} 层 {last:.2e}（公式 {last_formula:.2e}）。').format(
            what=what, first=measured[0], first_formula=predicted[0], last_layer=len(measured),
            last=measured[-1], last_formula=predicted[-1])
    return (_('{label} 的逐层标准差（对数纵轴）。').format(label=result.label)
            + line(_('输出'), result.output_std, result.output_predicted)
            + line(_('梯度'), result.grad_std, result.grad_predicted))


def _positive(values):
    """Values for a log axis: a 0 (float underflow) or inf is left out, not drawn at the edge."""
    values = np.asarray(values, dtype=np.float64)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def plot_spread(result, fig=None):
    """Two log-scale panels: output std and gradient std per layer, measured and formula.

    Used in: 11_init_explorer (and in the explorer, redrawn on every change).
    """
    fig = fig or Figure(figsize=(9, 3.2))
    fig.clear()
    axes = fig.subplots(1, 2)
    layers = np.arange(1, len(result.output_std) + 1)
    panels = [(result.output_std, result.output_predicted, 'std of Dense output'),
              (result.grad_std, result.grad_predicted, 'std of gradient of Dense output')]
    for ax, (measured, predicted, title) in zip(axes, panels):
        ax.plot(layers, _positive(measured), marker='o', label='measured')
        ax.plot(layers, _positive(predicted), linestyle='--', label='formula')
        ax.set_yscale('log')
        shown = np.concatenate([_positive(measured), _positive(predicted)])
        if np.nanmax(shown) > 100 * np.nanmin(shown):
            # Over many decades the minor ticks were most of the drawing time, and say little.
            ax.yaxis.set_minor_locator(NullLocator())
        ax.set_xlabel('layer')
        ax.set_title(title)
        ax.legend()
    fig.suptitle(result.label)
    fig.subplots_adjust(left=0.08, right=0.98, bottom=0.15, top=0.8, wspace=0.3)
    return fig


def _png(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format='png', metadata={'Software': None})
    return base64.b64encode(buffer.getvalue()).decode('ascii')


# Each initializer's own parameters: the explorer shows only the chosen one's.
PARAMETERS_OF = {'Uniform': ['scale'], 'Normal': ['sigma'],
                 'Xavier': ['rnd_type', 'factor_type', 'magnitude'],
                 'MSRAPrelu': ['factor_type', 'slope']}


def _figure_html(result, fig):
    """The figure as an HTML img whose alt text is its description, shown also as a caption."""
    words = escape(describe_spread(result))
    return (f'<figure style="margin:0"><img alt="{words}" '
            f'src="data:image/png;base64,{_png(plot_spread(result, fig))}">'
            f'<figcaption class="d2l-init-explorer-caption">{words}</figcaption></figure>')


class _Explorer(widgets.VBox):
    """The explorer's box; shown as one short line where widgets cannot be drawn."""

    def __repr__(self):
        return 'init_explorer: run this notebook in JupyterLab to move the sliders'


def _controls(make, depth, width, initializer, activation):
    """The explorer's sliders and menus by name; ``make(cls, key, **kwargs)`` creates one."""
    return {
        'depth': make(widgets.IntSlider, 'depth', value=depth, min=1, max=20,
                      description='depth'),
        'width': make(widgets.IntSlider, 'width', value=width, min=16, max=512, step=16,
                      description='width'),
        'initializer': make(widgets.Dropdown, 'initializer', value=initializer,
                            options=['Uniform', 'Normal', 'Xavier', 'MSRAPrelu'],
                            description='init'),
        'activation': make(widgets.Dropdown, 'activation', value=activation,
                           options=list(ACTIVATIONS), description='activation'),
        'scale': make(widgets.FloatLogSlider, 'scale', value=0.07, base=10, min=-3, max=0,
                      step=0.05, description='scale'),
        'sigma': make(widgets.FloatLogSlider, 'sigma', value=0.01, base=10, min=-3, max=0,
                      step=0.05, description='sigma'),
        'magnitude': make(widgets.FloatSlider, 'magnitude', value=3.0, min=0.5, max=12,
                          step=0.5, description='magnitude'),
        'rnd_type': make(widgets.Dropdown, 'rnd_type', value='uniform',
                         options=['uniform', 'gaussian'], description='rnd_type'),
        'factor_type': make(widgets.Dropdown, 'factor_type', value='avg',
                            options=['avg', 'in', 'out'], description='factor_type'),
        'slope': make(widgets.FloatSlider, 'slope', value=0.25, min=0, max=1, step=0.05,
                      description='slope'),
    }


_explorers = itertools.count(1)


def init_explorer(depth=10, width=256, initializer='Xavier', activation='relu'):
    """Sliders and menus over ``spread``, with its figure (alt text and caption) redrawn live.

    Every widget gets a model id made from a counter, not a random one, so that a notebook
    run from the top stores the same ids each time.

    Used in: 11_init_explorer.
    """
    prefix = f'd2l-init-explorer-{next(_explorers)}'

    def make(cls, key, **kwargs):
        extra = {'layout': widgets.Layout(model_id=f'{prefix}-{key}-layout')}
        if 'continuous_update' in cls.class_traits():
            # An update takes a few tenths of a second: redraw when a drag ends, not during it.
            extra['continuous_update'] = False
        if 'style' in cls.class_traits():
            style_class = cls.class_traits()['style'].klass
            extra['style'] = style_class(model_id=f'{prefix}-{key}-style')
        return cls(model_id=f'{prefix}-{key}', **extra, **kwargs)

    controls = _controls(make, depth, width, initializer, activation)
    figure = make(widgets.HTML, 'figure')
    fig = Figure(figsize=(9, 3.2))

    def update(change=None):
        chosen = controls['initializer'].value
        for name in ['scale', 'sigma', 'magnitude', 'rnd_type', 'factor_type', 'slope']:
            controls[name].layout.display = '' if name in PARAMETERS_OF[chosen] else 'none'
        kwargs = {name: controls[name].value for name in PARAMETERS_OF[chosen]}
        result = spread(make_initializer(chosen, **kwargs), controls['depth'].value,
                        controls['width'].value, controls['activation'].value)
        figure.value = _figure_html(result, fig)
        explorer.result = result

    for control in controls.values():
        control.observe(update, names='value')
    rows = [make(widgets.HBox, 'row1', children=[controls[k] for k in
                                                 ['depth', 'width', 'activation']]),
            make(widgets.HBox, 'row2', children=[controls[k] for k in
                                                 ['initializer', 'scale', 'sigma', 'magnitude',
                                                  'rnd_type', 'factor_type', 'slope']])]
    explorer = make(_Explorer, 'box', children=rows + [figure])
    explorer.controls, explorer.figure = controls, figure
    update()
    return explorer
