"""d2lhelpers.explorer: the initialization explorer's measurement, formula, figure and widgets."""
import base64

import ipywidgets.widgets.widget as widget_module
import mxnet as mx
import numpy as np
import pytest
from mxnet import init
from mxnet.gluon import nn

import d2lhelpers as d2l
from d2lhelpers import explorer

INITIALIZERS = [init.Uniform(0.07), init.Normal(0.02), init.Xavier(),
                init.Xavier('gaussian', 'in', 2), init.Xavier('uniform', 'out', 5),
                init.MSRAPrelu(), init.MSRAPrelu('in', 0)]


@pytest.mark.parametrize('initializer', INITIALIZERS, ids=explorer._name)
def test_weight_variance_is_the_variance_the_initializer_draws(initializer):
    """A 300 x 200 weight (fan_in 200, fan_out 300): 60,000 draws, within 3%."""
    layer = nn.Dense(300, in_units=200)
    layer.initialize(initializer)
    drawn = layer.weight.data().asnumpy().astype(np.float64).var()
    assert drawn == pytest.approx(d2l.weight_variance(initializer, 200, 300), rel=0.03)


def test_weight_variance_names_the_initializers_it_knows():
    with pytest.raises(TypeError, match='Uniform, Normal, Xavier and MSRAPrelu, not Orthogonal'):
        d2l.weight_variance(init.Orthogonal(), 4, 4)


@pytest.mark.parametrize('bad, message', [
    ({'activation': 'gelu'}, "unknown activation 'gelu': choose one of none, relu"),
    ({'depth': 0}, 'depth must be a whole number of at least 1, not 0'),
    ({'width': 2.5}, 'width must be a whole number of at least 1, not 2.5'),
])
def test_spread_refuses_bad_settings_by_name(bad, message):
    with pytest.raises(ValueError, match=message):
        d2l.spread(init.Xavier(), **{'depth': 2, 'width': 8, **bad})


def test_make_initializer_refuses_an_unknown_name_and_lists_the_known_ones():
    with pytest.raises(ValueError, match='choose one of Uniform, Normal, Xavier, MSRAPrelu'):
        explorer.make_initializer('Zero')


def test_the_gradients_are_those_of_the_dense_outputs():
    """Two linear layers, so the gradients are known in closed form: R at the top, R W2 below."""
    result = d2l.spread(init.Normal(0.3), depth=2, width=5, activation='none', batch_size=7)
    rng = np.random.default_rng(0)
    X, R = rng.standard_normal((7, 5)), rng.standard_normal((7, 5))
    net = explorer.build_net(2, 5, 'none')
    mx.random.seed(0)
    net.initialize(init.Normal(0.3))
    W1, W2 = (layer.weight.data().asnumpy().astype(np.float64) for layer in net)
    assert result.output_std == pytest.approx([(X @ W1.T).std(), (X @ W1.T @ W2.T).std()],
                                              rel=1e-5)
    assert result.grad_std == pytest.approx([(R @ W2).std(), R.std()], rel=1e-5)


def test_the_same_settings_give_the_same_numbers_and_another_seed_others():
    first, again = (d2l.spread(init.Xavier(), 3, 32, 'tanh') for _ in range(2))
    other = d2l.spread(init.Xavier(), 3, 32, 'tanh', seed=1)
    assert first == again and first.output_std != other.output_std


def test_the_prediction_is_the_formula_from_the_input():
    """Normal(0.05) at width 64: fan_in Var(w) = 0.16; ReLU halves it; the top gradient gets g."""
    result = d2l.spread(init.Normal(0.05), depth=3, width=64, activation='relu')
    rng = np.random.default_rng(0)
    x_std, r_std = (rng.standard_normal((256, 64)).std() for _ in range(2))
    assert result.output_predicted == pytest.approx(
        [0.4 * x_std, 0.4 * 0.08 ** 0.5 * x_std, 0.4 * 0.08 * x_std], rel=1e-6)
    assert result.grad_predicted == pytest.approx(
        [0.5 ** 0.5 * 0.08 * r_std, 0.5 ** 0.5 * 0.08 ** 0.5 * r_std, 0.5 ** 0.5 * r_std],
        rel=1e-6)


def test_the_description_gives_first_and_last_layer_in_words():
    result = d2l.spread(init.Normal(0.01), depth=4, width=16, activation='relu')
    words = d2l.describe_spread(result)
    assert 'Normal(sigma=0.01), relu, 4 x 16' in words
    assert f'第 4 层 {result.output_std[-1]:.2e}（公式 {result.output_predicted[-1]:.2e}）' \
        in words
    assert f'梯度：第 1 层 {result.grad_std[0]:.2e}（公式 {result.grad_predicted[0]:.2e}）' \
        in words


def test_the_figure_leaves_out_what_a_log_axis_cannot_show():
    result = explorer.Spread([1.0, 0.0, float('inf')], [1.0, 0.1, 0.01], [2.0, 1.0, 0.5],
                             [2.0, 1.0, 0.5], 'test')
    fig = d2l.plot_spread(result)
    measured = fig.axes[0].lines[0].get_ydata()
    assert measured[0] == 1.0 and np.isnan(measured[1]) and np.isnan(measured[2])
    assert [ax.get_yscale() for ax in fig.axes] == ['log', 'log']


@pytest.fixture
def box():
    made = d2l.init_explorer(depth=3, width=32)
    yield made
    made.close_all()


def shown(box):
    return [name for name, control in box.controls.items()
            if control.layout.display != 'none']


def test_moving_the_depth_slider_redraws_the_figure_and_its_words(box):
    before = box.figure.value
    box.controls['depth'].value = 5
    assert len(box.result.output_std) == 5
    assert box.figure.value != before
    words = d2l.describe_spread(box.result).replace("'", '&#x27;')
    assert f'alt="{words}"' in box.figure.value and f'{words}</figcaption>' in box.figure.value
    png = box.figure.value.split('base64,', 1)[1].split('"', 1)[0]
    assert base64.b64decode(png).startswith(b'\x89PNG')


def test_the_explorer_shows_only_the_chosen_initializers_parameters(box):
    assert shown(box) == ['depth', 'width', 'initializer', 'activation', 'magnitude',
                          'rnd_type', 'factor_type']
    box.controls['initializer'].value = 'Normal'
    assert shown(box) == ['depth', 'width', 'initializer', 'activation', 'sigma']
    box.controls['sigma'].value = 0.1
    assert box.result.label.startswith('Normal(sigma=0.1')


def test_the_explorers_model_ids_are_counted_not_random(box):
    ids = [key for key in widget_module._instances if key.startswith('d2l-init-explorer-')]
    prefixes = {key.split('-')[3] for key in ids}
    assert box.model_id in ids and len(prefixes) == 1
    assert all(key in ids for key in [box.figure.model_id, box.figure.layout.model_id])
    second = d2l.init_explorer(depth=2, width=16)
    assert second.model_id.split('-')[3] == str(int(box.model_id.split('-')[3]) + 1)
    second.close_all()


def test_where_widgets_cannot_be_drawn_the_explorer_is_one_short_line(box):
    text = box._repr_mimebundle_()['text/plain']
    assert text.startswith('init_explorer: ') and 'JupyterLab' in text and len(text) <= 80



def test_a_narrow_range_keeps_its_minor_ticks_and_a_wide_one_drops_them():
    """Within a decade the log axis needs its minor ticks to say anything; over many decades
    they only cost drawing time."""
    narrow = explorer.Spread([1.0, 1.02], [0.99, 0.99], [1.0, 0.98], [1.0, 1.0], 'narrow')
    wide = explorer.Spread([1.0, 1e-9], [1.0, 1e-9], [1.0, 1e-9], [1.0, 1e-9], 'wide')
    for result, has_minor in [(narrow, True), (wide, False)]:
        fig = d2l.plot_spread(result)
        fig.canvas.draw()
        assert [len(ax.yaxis.get_minorticklocs()) > 0 for ax in fig.axes] == [has_minor] * 2


def test_sliders_redraw_when_a_drag_ends_not_during_it(box):
    """An update takes a few tenths of a second: updates during a drag would queue up."""
    sliders = [control for control in box.controls.values() if hasattr(control, 'readout')]
    assert len(sliders) == 6 and not any(slider.continuous_update for slider in sliders)
