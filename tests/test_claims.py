"""Every claim a learner reads, tested as it is written.

A claim is a sentence in a notebook's prose, a code comment or a self-check's hint that says how
MXNet or Gluon behaves, why something happens, what a number is, or what the book (原书) says. Each
test here:

- quotes its sentence with ``says(notebook, sentence)``, which fails when the sentence is no longer
  in the notebook (so a reworded sentence needs its test looked at again), and names the cell;
- then checks the sentence itself on MXNet 1.9.1: by running Gluon on a fresh object (never one a
  notebook cell changed), by reading the installed MXNet source, or, for what the book says, by
  reading the book's own v1 text kept in ``tests/book_v1/parameters.md``.

Break a claim (change the sentence's fact in the check) and its test fails. The README says how many
claims and tests there are (``CLAIMS`` below counts them).
"""
import functools
import inspect
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / 'notebooks'
BOOK_V1 = Path(__file__).resolve().parent / 'book_v1' / 'parameters.md'


def notebook_path(prefix):
    """The notebook whose file name starts with ``prefix`` ('05' for 05_exercises.ipynb)."""
    [path] = NOTEBOOKS.glob(f'{prefix}_*.ipynb')
    return path


def says(prefix, sentence):
    """The index of the one cell of notebook ``prefix`` that contains ``sentence``.

    Fails, naming the notebook, when no cell (or more than one) contains it: the test then no
    longer tests what the learner reads.
    """
    cells = nbformat.read(notebook_path(prefix), as_version=4).cells
    found = [index for index, cell in enumerate(cells) if sentence in cell.source]
    assert len(found) == 1, f'{prefix}: the sentence is in cells {found}, not in one: {sentence!r}'
    return found[0]


def book_says(sentence):
    """The book's v1 text contains ``sentence`` (white space folded)."""
    text = re.sub(r'\s+', '', BOOK_V1.read_text(encoding='utf-8'))
    assert re.sub(r'\s+', '', sentence) in text, f'the book (v1) does not say: {sentence!r}'


def mxnet_source(obj):
    """The installed MXNet 1.9.1 source of a function or class."""
    return inspect.getsource(obj)


@pytest.fixture(autouse=True)
def fresh_names():
    """Gluon's global name counter starts anew, so each test's parameter names are its own."""
    import mxnet as mx
    mx.name.NameManager._current.value = mx.name.NameManager()
    yield


# ---- 01 访问模型参数 ---------------------------------------------------------------------------

# ---- 02 初始化模型参数 -------------------------------------------------------------------------

# ---- 03 自定义初始化方法 -----------------------------------------------------------------------

# ---- 04 共享模型参数 ---------------------------------------------------------------------------

# ---- 05 练习 -----------------------------------------------------------------------------------

# The run record (``../shared/seed/d2l-zh-4.2-parameters.txt`` beside the repository, not in
# it): the lines of its answer to exercise 3 that the notebooks' 运行记录 sentences rest on,
# quoted unchanged.
RUN_RECORD_EXERCISE_3 = """\
import d2lzh as d2l
net = nn.Sequential()
shared = nn.Dense(256, activation='relu')
net.add(nn.Dense(256, activation='relu'),
        shared,
        nn.Dense(256, activation='relu', params=shared.params),
        nn.Dense(10))
net.initialize(init.Normal(sigma=0.01))
batch_size = 256
trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.5})
num_epochs = 5
d2l.train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size, None, None, trainer)
for i in range(4):
    print(net[i].params, net[i].weight.grad(), net[1].bias.grad())
epoch 1, loss 1.8528, train acc 0.268, test acc 0.659
epoch 4, loss 0.4628, train acc 0.826, test acc 0.842
epoch 5, loss 0.5414, train acc 0.803, test acc 0.839
"""


@functools.lru_cache(maxsize=None)
def fashion_arrays():
    """Fashion-MNIST as uint8 arrays (train images, labels, test images, labels), read once."""
    import d2lhelpers as d2l
    return d2l.load_fashion_mnist_arrays()


def book_exercises():
    """The book's text from its heading 练习 to the next heading."""
    text = BOOK_V1.read_text(encoding='utf-8')
    return text.split('## 练习', 1)[1].split('##', 1)[0]


def cell_source(prefix, index):
    """The source of cell ``index`` of notebook ``prefix``."""
    return nbformat.read(notebook_path(prefix), as_version=4).cells[index].source


def shared_mlp(units=8):
    """4.2.4's net: the second and third layers share their parameters."""
    from mxnet.gluon import nn
    net = nn.Sequential()
    shared = nn.Dense(units, activation='relu')
    net.add(nn.Dense(units, activation='relu'), shared,
            nn.Dense(units, activation='relu', params=shared.params), nn.Dense(10))
    return net


def weight_sample(initializer, shape=(256, 784)):
    """A fresh array of ``shape`` filled by ``initializer`` as Gluon calls it, as numpy."""
    from mxnet import init, nd
    data = nd.zeros(shape)
    initializer(init.InitDesc('probe_weight'), data)
    return data.asnumpy()


def test_05_init_has_14_initializers():
    """05 cell 3: "MXNet 1.9 的 `mxnet.init` 模块 … 提供了 14 个初始化器"."""
    from d2lhelpers.check import installed_initializers
    says('05', '提供了 14 个初始化器')
    assert len(installed_initializers()) == 14


def test_05_the_six_others_are_these():
    """05 cell 3: "其余 6 个（`Orthogonal`、`Bilinear`、`LSTMBias`、`FusedRNN`、`Mixed`、`Load`）
    "."""
    from d2lhelpers.check import installed_initializers
    says('05', '其余 6 个（`Orthogonal`、`Bilinear`、`LSTMBias`、`FusedRNN`、`Mixed`、`Load`）')
    eight = {'Uniform', 'Normal', 'Constant', 'Zero', 'One', 'Xavier', 'MSRAPrelu', 'Initializer'}
    assert installed_initializers() - eight == {
        'Orthogonal', 'Bilinear', 'LSTMBias', 'FusedRNN', 'Mixed', 'Load'}


def test_05_what_tour_a_checks():
    """05 cell 3: "拓展 A 用公式核对了前 7 个和 `Orthogonal` 的分布，并演示了 `Mixed` 和 `Load` 的用
    法"."""
    says('05', '拓展 A 用公式核对了前 7 个和 `Orthogonal` 的分布，并演示了 `Mixed` 和 `Load` 的用法'
               '')
    tour = nbformat.read(notebook_path('06'), as_version=4).cells
    checked = next(cell.source for cell in tour if 'predicted = {' in cell.source)
    for name in ['Uniform', 'Normal', 'Constant', 'Zero', 'One', 'Xavier', 'MSRAPrelu',
                 'Orthogonal']:
        assert f'init.{name}(' in checked, name
    code = '\n'.join(cell.source for cell in tour if cell.cell_type == 'code')
    assert 'init.Mixed(' in code and 'init.Load(' in code


def test_05_uniform_is_gluons_default():
    """05 cell 4: "Gluon 的 initialize() 不给初始化器时用它（scale=0.07）"."""
    from mxnet.gluon import nn
    says('05', 'Gluon 的 initialize() 不给初始化器时用它')
    default = inspect.signature(nn.Block.initialize).parameters['init'].default
    assert type(default).__name__ == 'Uniform' and default.scale == 0.07


def test_05_normal_001_is_the_run_records_not_the_books():
    """05 cell 4: "运行记录中练习 3 的解答用 sigma=0.01"."""
    says('05', '运行记录中练习 3 的解答用 sigma=0.01')
    assert 'net.initialize(init.Normal(sigma=0.01))' in RUN_RECORD_EXERCISE_3
    assert 'sigma' not in book_exercises()


def test_05_normal_001_signal_vanishes_with_depth():
    """05 cell 4: "层数一多信号会逐层消失（拓展 B）" (Normal(0.01), 256-unit ReLU layers)."""
    import mxnet as mx
    from mxnet import init, nd
    from mxnet.gluon import nn
    says('05', '层数一多信号会逐层消失（拓展 B）')
    mx.random.seed(0)
    X = nd.random.uniform(shape=(64, 784))
    stds = []
    for _ in range(6):
        layer = nn.Dense(256, activation='relu')
        layer.initialize(init.Normal(0.01))
        X = layer(X)
        stds.append(X.asnumpy().std())
    assert all(later < 0.2 * earlier for earlier, later in zip(stds, stds[1:]))


def test_05_constant_weights_keep_units_symmetric():
    """05 cell 4: "用于权重会让同一层的单元完全对称、学不出差别"."""
    import mxnet as mx
    from mxnet import autograd, gluon, init, nd
    from mxnet.gluon import nn
    says('05', '用于权重会让同一层的单元完全对称、学不出差别')
    mx.random.seed(0)
    net = nn.Sequential()
    net.add(nn.Dense(4, activation='relu', in_units=3), nn.Dense(2, in_units=4))
    net.initialize(init.Constant(0.3))
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
    X, y = nd.random.normal(shape=(8, 3)), nd.array([0, 1] * 4)
    for _ in range(3):
        with autograd.record():
            loss = gluon.loss.SoftmaxCrossEntropyLoss()(net(X), y)
        loss.backward()
        trainer.step(8)
    weight = net[0].weight.data().asnumpy()
    assert (weight == weight[0]).all() and (weight != 0.3).any()  # it learned, all rows alike


def test_05_dense_bias_defaults_to_zeros():
    """05 cell 4: "Dense 的偏差默认用它（bias_initializer='zeros'）"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('05', 'Dense 的偏差默认用它')
    assert inspect.signature(nn.Dense).parameters['bias_initializer'].default == 'zeros'
    assert isinstance(init.create('zeros'), init.Zero)


def test_05_batchnorm_gamma_defaults_to_ones():
    """05 cell 4: "例如批量归一化的缩放参数 gamma（gamma_initializer='ones'）"."""
    from mxnet.gluon import nn
    says('05', '例如批量归一化的缩放参数 gamma')
    assert inspect.signature(nn.BatchNorm).parameters['gamma_initializer'].default == 'ones'


def test_05_xavier_suits_near_linear_activations_and_is_small_for_relu():
    """05 cell 4: "使各层输出的方差大致不变；适合 tanh 这类在 0 附近近似线性的激活，用于 ReLU 则偏小
    "."""
    import mxnet as mx
    from mxnet import init, nd
    from mxnet.gluon import nn
    says('05', '适合 tanh 这类在 0 附近近似线性的激活，用于 ReLU 则偏小')
    mx.random.seed(0)
    X = nd.random.normal(shape=(512, 256))
    ratio = {}
    for activation in [None, 'relu']:
        layer = nn.Dense(256, activation=activation, in_units=256)
        layer.initialize(init.Xavier())
        ratio[activation] = layer(X).asnumpy().std() / X.asnumpy().std()
    assert abs(ratio[None] - 1) < 0.05 and ratio['relu'] < 0.75
    assert abs(nd.tanh(nd.array([1e-3])).asscalar() / 1e-3 - 1) < 1e-5  # linear near 0


def test_05_msraprelu_default_variance_is_188_times_xaviers_and_he_is_in_0():
    """05 cell 4: "默认 slope=0.25，方差是 Xavier() 的 1.88 倍；MSRAPrelu('in', 0) 才是 He 初始化（
    方差 2/fan_in）"."""
    import mxnet as mx
    from mxnet import init
    says('05', "默认 slope=0.25，方差是 Xavier() 的 1.88 倍；")
    says('05', "MSRAPrelu(\\'in\\', 0) 才是 He 初始化（方差 2/fan_in）")
    mx.random.seed(0)
    assert init.MSRAPrelu()._kwargs['slope'] == 0.25
    ratio = weight_sample(init.MSRAPrelu()).var() / weight_sample(init.Xavier()).var()
    assert abs(ratio / 1.88 - 1) < 0.02
    assert abs(weight_sample(init.MSRAPrelu('in', 0)).var() / (2 / 784) - 1) < 0.02


def test_05_initializer_subclass_with_init_weight():
    """05 cell 4: "所有初始化器的基类；继承它并实现 _init_weight 即可自定义（见 4.2.3 节）"."""
    from mxnet import init

    class Twos(init.Initializer):
        def _init_weight(self, name, data):
            data[:] = 2

    says('05', '继承它并实现 _init_weight 即可自定义（见 4.2.3 节）')
    book_says('通常，我们只需要实现`_init_weight`这个函数')
    assert (weight_sample(Twos(), (3, 4)) == 2).all()


def test_05_orthogonal_is_a_random_orthogonal_matrix():
    """05 cell 4: "'Orthogonal': '随机正交矩阵"."""
    import numpy as np
    from mxnet import init
    says('05', "'Orthogonal': '随机正交矩阵")
    W = weight_sample(init.Orthogonal(scale=1), (8, 8))
    assert np.abs(W @ W.T - np.eye(8)).max() < 1e-5


def test_05_bilinear_is_an_interpolation_kernel():
    """05 cell 4: "'Bilinear': '双线性插值核；用于转置卷积的上采样。'"."""
    import numpy as np
    from mxnet import init
    says('05', '双线性插值核；用于转置卷积的上采样')
    kernel = weight_sample(init.Bilinear(), (1, 1, 4, 4))[0, 0]
    tent = np.array([0.25, 0.75, 0.75, 0.25])  # upsampling by 2: the 1-D linear weights
    assert np.allclose(kernel, np.outer(tent, tent))


def test_05_lstmbias_sets_the_forget_gate():
    """05 cell 4: "LSTM 遗忘门的偏差设为 forget_bias（默认 1.0）"."""
    import numpy as np
    from mxnet import init, nd
    says('05', 'LSTM 遗忘门的偏差设为 forget_bias（默认 1.0）')
    bias = nd.zeros(12)  # as Gluon calls it for a parameter whose own init is LSTMBias()
    init.Uniform()(init.InitDesc('lstm_i2h_bias', {'__init__': init.LSTMBias()}), bias)
    assert np.array_equal(bias.asnumpy(), [0] * 3 + [1] * 3 + [0] * 6)  # gates i, f, c, o


def test_05_fusedrnn_initializes_the_unpacked_parts():
    """05 cell 4: "为融合的 RNN 层分别初始化其中各部分"."""
    from mxnet import init
    says('05', '为融合的 RNN 层分别初始化其中各部分')
    source = mxnet_source(init.FusedRNN._init_weight)
    assert 'unpack_weights' in source and 'pack_weights' in source


def test_05_mixed_is_not_for_gluons_initialize():
    """05 cell 4: "按参数名的正则表达式选初始化器；不是 Initializer 的子类，不能直接交给 Gluon 的
    initialize"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('05', '不是 Initializer 的子类，\'\n             \'不能直接交给 Gluon 的 initialize')
    assert not issubclass(init.Mixed, init.Initializer)
    layer = nn.Dense(2, in_units=3)
    with pytest.raises(AssertionError):
        layer.initialize(init.Mixed(['.*'], [init.One()]))


def test_05_load_from_dict_or_file_with_a_fallback(tmp_path):
    """05 cell 4: "从文件或字典加载参数值，缺的交给后备初始化器；也不是 Initializer 的子类"."""
    from mxnet import init, nd
    says('05', '从文件或字典加载参数值，缺的交给后备初始化器；也不是 Initializer 的子类')
    assert not issubclass(init.Load, init.Initializer)
    path = str(tmp_path / 'w.params')
    nd.save(path, {'w': nd.ones(3)})
    for source in [path, {'w': nd.ones(3)}]:
        loader = init.Load(source, default_init=init.Constant(2))
        loaded, missing = nd.zeros(3), nd.zeros(3)
        loader('w', loaded)
        loader('other_weight', missing)
        assert (loaded.asnumpy() == 1).all() and (missing.asnumpy() == 2).all()


def test_05_deferred_weights_but_biases_now():
    """05 cell 9: "`initialize()` 对形状里有 0 的参数（这里是四层的权重）只记下要用的初始化器，…
    形状已知的偏差 (8,) 和 (10,) 则在 `initialize()` 时当场就初始化了"."""
    from mxnet import gluon
    from mxnet.gluon.parameter import DeferredInitializationError
    says('05', '`initialize()` 对形状里有 0 的参数（这里是四层的权重）只记下要用的初始化器')
    says('05', '形状已知的偏差 (8,) 和 (10,) 则在 `initialize()` 时当场就初始化了')
    net = shared_mlp()
    net.initialize()
    assert [net[i].bias.data().shape for i in range(4)] == [(8,), (8,), (8,), (10,)]
    for i in range(4):
        assert net[i].weight.shape[1] == 0
        with pytest.raises(DeferredInitializationError):
            net[i].weight.data()
    assert 'if not shape_is_known(self.shape):' in mxnet_source(gluon.Parameter.initialize)


def test_05_shape_before_is_8_0():
    """05 cell 9: "形状是 (8, 0)：输出个数 8 在构造层时给出了，输入个数没有给出，记作 0"."""
    says('05', '形状是 (8, 0)：输出个数 8 在构造层时给出了，输入个数没有给出，记作 0')
    net = shared_mlp()
    net.initialize()
    assert net[0].weight.shape == (8, 0)


def test_05_input_count_comes_from_x():
    """05 cell 11: "第一层的输入个数 20 来自 `X`"."""
    from mxnet import nd
    says('05', '第一层的输入个数 20 来自 `X`')
    for features in [20, 13]:
        net = shared_mlp()
        net.initialize()
        net(nd.ones((2, features)))
        assert net[0].weight.shape == (8, features)


def test_05_in_units_means_no_deferral():
    """05 cell 15: "若构造层时用 `in_units` 指明输入个数，就不需要延后初始化，`initialize()` 之后马
    上可以读取"."""
    from mxnet.gluon import nn
    says('05', '若构造层时用 `in_units` 指明输入个数，就不需要延后初始化')
    layer = nn.Dense(8, in_units=20)
    layer.initialize()
    assert layer.weight.data().shape == (8, 20)


def print_init_run(capsys):
    """Run 05's PrintInit cell as written (fresh names), then two forward passes; the three
    outputs."""
    from mxnet import init, nd
    from mxnet.gluon import nn
    index = says('05', 'class PrintInit(init.Initializer):')
    namespace = {'init': init, 'nd': nd, 'nn': nn}
    exec(cell_source('05', index), namespace)
    at_initialize = capsys.readouterr().out.splitlines()
    namespace['net'](nd.ones((2, 20)))
    at_first_forward = capsys.readouterr().out.splitlines()
    namespace['net'](nd.ones((2, 20)))
    return at_initialize, at_first_forward, capsys.readouterr().out.splitlines()


def test_05_printinit_at_initialize_prints_the_three_biases(capsys):
    """05 cell 17: "打印的只有三个偏差，它们的形状已知，当场就用自己的初始化器 `'zeros'` 初始化了；
    权重的形状里还有 0，一个也没有初始化"; and "Gluon 每调用它一次，它就打印一行"."""
    says('05', "打印的只有三个偏差，它们的形状已知，当场就用自己的初始化器 `'zeros'` 初始化了")
    says('05', 'Gluon 每调用它一次，它就打印一行（参数名、形状、实际用哪个初始化器）')
    at_initialize, _, _ = print_init_run(capsys)
    assert len(at_initialize) == 3
    assert all(re.fullmatch(r'Init dense\d+_bias \(\d+,\) with zeros', line)
               for line in at_initialize), at_initialize


def test_05_printinit_weights_at_first_forward_shared_once(capsys):
    """05 cell 19: "第一次前向计算时，权重的形状推断出来了，初始化器才为它们被调用 … 共享的权重只初
    始化一次"."""
    says('05', '第一次前向计算时，权重的形状推断出来了，初始化器才为它们被调用')
    _, at_first_forward, _ = print_init_run(capsys)
    shapes = [re.fullmatch(r'Init dense\d+_weight (\(.*\)) with PrintInit', line).group(1)
              for line in at_first_forward]
    assert shapes == ['(8, 20)', '(8, 8)', '(10, 8)']  # three, not four: one shared weight


def test_05_second_forward_prints_nothing(capsys):
    """05 cell 21: "第二次前向计算不再初始化，什么也不打印"."""
    says('05', '第二次前向计算不再初始化，什么也不打印')
    _, _, at_second_forward = print_init_run(capsys)
    assert at_second_forward == []


def test_05_the_books_exercise_3_gives_no_model():
    """05 cell 23: "原书的这道练习只有一句话，没有给出模型"."""
    says('05', '原书的这道练习只有一句话，没有给出模型')
    exercises = [line for line in book_exercises().splitlines() if line.strip()]
    assert exercises[2] == ('* 构造一个含共享参数层的多层感知机并训练。'
                            '在训练过程中，观察每一层的模型参数和梯度。')
    assert len(exercises) == 3 and '```' not in book_exercises()


def test_05_the_model_is_the_run_records():
    """05 cell 23: "这里的模型与运行记录中的解答相同"."""
    says('05', '这里的模型与运行记录中的解答相同')
    index = says('05', 'net.initialize(init.Normal(sigma=0.01))')
    model = cell_source('05', index).split('### BEGIN SOLUTION\n')[1].split('### END')[0]
    assert model.strip() in RUN_RECORD_EXERCISE_3


def test_05_run_record_imports_d2lzh_and_the_signatures_match():
    """05 cell 23: "运行记录从 `d2lzh` 导入工具函数，这里换成 `d2lhelpers`。函数名和参数与 `d2lzh`
    的一样"
    (d2lzh 1.0: ``train_ch3(net, train_iter, test_iter, loss, num_epochs, batch_size, params=None,
    lr=None, trainer=None)``, ``load_data_fashion_mnist(batch_size, resize=None, root=...)``)."""
    import d2lhelpers as d2l
    says('05', '运行记录从 `d2lzh` 导入工具函数，这里换成 `d2lhelpers`。函数名和参数与 `d2lzh` 的一'
               '样')
    assert 'import d2lzh as d2l' in RUN_RECORD_EXERCISE_3
    assert list(inspect.signature(d2l.train_ch3).parameters)[:9] == [
        'net', 'train_iter', 'test_iter', 'loss', 'num_epochs', 'batch_size', 'params', 'lr',
        'trainer']
    assert list(inspect.signature(d2l.load_data_fashion_mnist).parameters)[:3] == [
        'batch_size', 'resize', 'root']


def test_05_discard_drops_96_and_keep_is_gluons_default():
    """05 cell 23: "默认丢掉每个周期最后不满一批的样本（`last_batch='discard'`：批量 256 时每个周期
    少用 96 个样本"
    and "`last_batch='keep'` 与 `d2lzh` 相同" (d2lzh builds a gluon DataLoader without
    last_batch)."""
    from mxnet import gluon, nd

    import d2lhelpers as d2l
    from d2lhelpers.data_batches import ArrayBatches
    says('05', "`last_batch='discard'`：批量 256 时每个周期少用 96 个样本")
    says('05', "`last_batch='keep'` 与 `d2lzh` 相同")
    assert inspect.signature(d2l.load_data_fashion_mnist).parameters['last_batch'].default == \
        'discard'
    assert len(fashion_arrays()[1]) % 256 == 96
    features, labels = nd.arange(10).reshape((10, 1)), nd.arange(10)
    assert [len(y) for _, y in ArrayBatches(features, labels, 4, last_batch='discard')] == [4, 4]
    kept = [len(y) for _, y in ArrayBatches(features, labels, 4, last_batch='keep')]
    gluon_default = [len(y) for _, y in gluon.data.DataLoader(
        gluon.data.ArrayDataset(features, labels), 4)]
    assert kept == gluon_default == [4, 4, 2]


def tiny_training(callback=None, epochs=2):
    """train_ch3 on 16 fixed examples in two batches: fast, for claims about the helpers."""
    import mxnet as mx
    from mxnet import gluon, nd
    from mxnet.gluon import nn

    import d2lhelpers as d2l
    from d2lhelpers.data_batches import ArrayBatches
    mx.random.seed(0)
    features, labels = nd.random.uniform(shape=(16, 1, 2, 2)), nd.array([0, 1] * 8)
    batches = ArrayBatches(features, labels, 8)
    net = nn.Sequential()
    net.add(nn.Dense(3, activation='relu'), nn.Dense(2))
    net.initialize()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 0.1})
    history = d2l.train_ch3(net, batches, batches, gluon.loss.SoftmaxCrossEntropyLoss(),
                            epochs, 8, None, None, trainer, callback=callback)
    return net, history


def test_05_train_ch3_has_callback_and_returns_history(capsys):
    """05 cell 23: "`train_ch3` 多了一个可选的参数 `callback`，并返回训练记录 `history`"."""
    import d2lhelpers as d2l
    says('05', '`train_ch3` 多了一个可选的参数 `callback`，并返回训练记录 `history`')
    assert inspect.signature(d2l.train_ch3).parameters['callback'].default is None
    epochs = []
    _, history = tiny_training(callback=lambda epoch, net, history: epochs.append(epoch))
    assert isinstance(history, d2l.History) and len(history) == 2 and epochs == [1, 2]


def test_05_hyperparameters_are_the_run_records():
    """05 cell 25: "数据与超参数也与运行记录相同：批量大小 256，学习率 0.5 的小批量随机梯度下降，训
    练 5 个周期"."""
    says('05', '数据与超参数也与运行记录相同：批量大小 256，学习率 0.5 的小批量随机梯度下降，训练 5'
               ' 个周期')
    for line in ['batch_size = 256', "'sgd', {'learning_rate': 0.5}", 'num_epochs = 5']:
        assert line in RUN_RECORD_EXERCISE_3
    assert 'batch_size, lr, num_epochs = 256, 0.5, 5' in cell_source(
        '05', says('05', 'batch_size, lr, num_epochs = 256, 0.5, 5'))


def test_05_gradnormrecorder_takes_the_last_batch(capsys):
    """05 cell 27: "用 `GradNormRecorder` 记下每个权重在该周期最后一个小批量上的梯度范数"."""
    import d2lhelpers as d2l
    says('05', '用 `GradNormRecorder` 记下每个权重在该周期最后一个小批量上的梯度范数')
    recorder = d2l.GradNormRecorder(select='.*weight')
    net, _ = tiny_training(callback=recorder)
    for layer in net:
        last = recorder.norms[layer.weight.name][-1]
        assert abs(last - layer.weight.grad().norm().asscalar()) < 1e-6
    assert len(recorder.norms) == 2 and all(len(norms) == 2 for norms in recorder.norms.values())


def test_05_train_ch3_prints_the_run_records_line(capsys):
    """05 cell 27: "`train_ch3` 照运行记录的格式每个周期打印一行"."""
    says('05', '`train_ch3` 照运行记录的格式每个周期打印一行')
    line = r'epoch \d+, loss \d+\.\d{4}, train acc \d\.\d{3}, test acc \d\.\d{3}'
    tiny_training()
    printed = capsys.readouterr().out.splitlines()
    recorded = [row for row in RUN_RECORD_EXERCISE_3.splitlines() if row.startswith('epoch')]
    assert len(printed) == 2 and all(re.fullmatch(line, row) for row in printed + recorded)


def test_05_no_accuracy_target_in_the_book_and_0839_in_the_record():
    """05 cell 29: "原书没有给出准确率的目标；本项目依据的运行记录中，第 5 个周期的测试准确率是
    0.839"."""
    from d2lhelpers import check
    says('05', '原书没有给出准确率的目标；本项目依据的运行记录中，第 5 个周期的测试准确率是 0.839')
    assert '准确率' not in BOOK_V1.read_text(encoding='utf-8')
    assert 'epoch 5, loss 0.5414, train acc 0.803, test acc 0.839' in RUN_RECORD_EXERCISE_3
    says('05', '测试准确率至少 0.78')
    says('05', '这个门槛比 0.839 低了约 6 个百分点')
    assert check.TARGET_ACCURACY == 0.78 and round((0.839 - 0.78) * 100) == 6


def test_05_the_record_prints_three_hundred_odd_lines(capsys):
    """05 cell 31: "运行记录在训练后用 `print(net[i].params, …)` 打印每一层的参数和梯度，四层一共三
    百多行数字"."""
    from mxnet import autograd, nd
    says('05', '四层一共三百多行数字')
    net = shared_mlp(256)
    net.initialize()
    with autograd.record():
        net(nd.ones((2, 784))).sum().backward()
    loop = RUN_RECORD_EXERCISE_3.split('for i in range(4):\n')[1].split('\nepoch')[0]
    exec(f'for i in range(4):\n{loop}', {'net': net})
    assert 300 <= len(capsys.readouterr().out.splitlines()) < 400


def test_05_net1_is_the_shared_layer():
    """05 cell 31: "循环四次打印的都是共享层偏差的梯度" and "`net[1]` 和 `net[2]` 打印的是同一个参数
    "."""
    says('05', '循环四次打印的都是共享层偏差的梯度')
    says('05', '`net[1]` 和 `net[2]` 打印的是同一个参数（名字相同、数值相同）')
    assert 'net[1].bias.grad()' in RUN_RECORD_EXERCISE_3
    net = shared_mlp()
    assert net[1].bias is net[2].bias and net[1].weight is net[2].weight


def test_05_a_shared_weight_has_one_gradient_the_sum():
    """05 cell 33: "共享的权重只有一条曲线（`net[1], net[2]`），因为它只有一个梯度数组，其中是两处使
    用的梯度之和"."""
    import mxnet as mx
    from mxnet import autograd, nd
    from mxnet.gluon import nn
    says('05', '因为它只有一个梯度数组，其中是两处使用的梯度之和')
    mx.random.seed(0)
    X = nd.random.uniform(shape=(4, 5))
    shared = shared_mlp()
    shared.initialize()
    with autograd.record():
        shared(X).sum().backward()
    separate = nn.Sequential()  # the same values, but each middle layer owns its copy
    separate.add(*[nn.Dense(8, activation='relu') for _ in range(3)], nn.Dense(10))
    separate.initialize()
    separate(X)
    for mine, theirs in zip(separate, shared):
        mine.weight.set_data(theirs.weight.data())
        mine.bias.set_data(theirs.bias.data())
    with autograd.record():
        separate(X).sum().backward()
    total = separate[1].weight.grad() + separate[2].weight.grad()
    assert len(shared[1].weight.list_grad()) == 1
    assert (shared[1].weight.grad() - total).abs().max().asscalar() < 1e-6


def test_05_relu_gradient_is_zero_at_and_below_zero():
    """05 cell 37: "**行**：ReLU 单元不活跃（输入不大于 0）时 $\\delta_{kj} = 0$"."""
    from mxnet import autograd, nd
    says('05', 'ReLU 单元不活跃（输入不大于 0）时')
    x = nd.array([-1.0, 0.0, 1.0])
    x.attach_grad()
    with autograd.record():
        nd.relu(x).sum().backward()
    assert x.grad.asnumpy().tolist() == [0, 0, 1]


def record_columns():
    """The pixels behind the columns a printed (256, 784) NDArray shows: numpy's edge items."""
    import numpy as np
    edge = np.get_printoptions()['edgeitems']
    return list(range(edge)) + list(range(784 - edge, 784))


def test_05_the_record_shows_the_corners_three_rows_and_columns(capsys):
    """05 cell 37: "运行记录打印的第一层权重梯度只显示了矩阵的四角：开头和结尾各三行，每行开头和结尾
    各三列。
    这 6 列是图像第一行最左边的三个像素和最后一行最右边的三个像素"."""
    from mxnet import nd
    says('05', '开头和结尾各三行，每行开头和结尾各三列。这 6 列是图像第一行最左边的三个像素和最后一'
               '行最右边的三个像素')
    print(nd.arange(256 * 784).reshape((256, 784)))
    rows = [row for row in capsys.readouterr().out.splitlines() if row.strip().startswith('[')]
    assert len(rows) == 6  # three first rows and three last rows, '...' between
    assert [(pixel // 28, pixel % 28) for pixel in record_columns()] == [
        (0, 0), (0, 1), (0, 2), (27, 25), (27, 26), (27, 27)]


def test_05_those_pixels_are_mostly_zero_but_none_always():
    """05 cell 39: "四个角上的像素在 99% 以上的图像里都是 0，运行记录显示的那 6 列像素也在 95% 以上
    的图像里是 0，
    但严格地说，没有哪一个像素在全部 60000 张图像里都是 0"; cell 37: "它们在 95% 以上的图像里是
    0"."""
    says('05', '四个角上的像素在 99% 以上的图像里都是 0，运行记录显示的那 6 列像素也在 95% 以上的图'
               '像里是 0')
    says('05', '没有哪一个像素在全部 60000 张图像里都是 0')
    says('05', '它们在 95% 以上的图像里是 0（下面核对），一个小批量里只有少数几张图像在这些位置不为'
               ' 0')
    images = fashion_arrays()[0].reshape((60000, 784))
    zero_fraction = (images == 0).mean(axis=0)
    assert (zero_fraction[[0, 27, 756, 783]] > 0.99).all()
    assert (zero_fraction[record_columns()] > 0.95).all()
    assert ((1 - zero_fraction[record_columns()]) * 256 < 13).all()  # a few of a batch of 256
    assert (zero_fraction < 1).all()


def test_05_an_entry_is_zero_when_its_unit_is_off_where_its_pixel_is_on():
    """05 cell 37: "梯度的元素 ∂L/∂W_ji 只要第 j 个单元在这几张图像上都不活跃就是 0，不必整行或整列
    全为 0"."""
    from mxnet import autograd, nd
    from mxnet.gluon import nn
    says('05', '只要第 $j$ 个单元在这几张图像上都不活跃就是 0，不必整行或整列全为 0')
    layer = nn.Dense(2, activation='relu', in_units=2)
    layer.initialize()
    layer.weight.set_data(nd.array([[1, -1], [1, 1]]))
    X = nd.array([[1, 0], [1, 2]])  # pixel 1 is on only in image 2, where unit 0 is off
    with autograd.record():
        layer(X).sum().backward()
    grad = layer.weight.grad().asnumpy()
    assert grad[0, 1] == 0 and grad[0].any() and grad[:, 1].any()

def test_05_record_loss_rose_in_epoch_5():
    """05 cell 43: "运行记录中第 5 个周期的损失从 0.4628 回升到 0.5414"."""
    says('05', '运行记录中第 5 个周期的损失从 0.4628 回升到 0.5414')
    assert 'epoch 4, loss 0.4628' in RUN_RECORD_EXERCISE_3
    assert 'epoch 5, loss 0.5414' in RUN_RECORD_EXERCISE_3


def test_05_a_failed_check_raises_checkfailed(capsys):
    """05 cell 0: "每道练习后面的检查单元格先打印结论和提示，没有通过时报错 `CheckFailed`"."""
    from d2lhelpers import check
    says('05', '每道练习后面的检查单元格先打印结论和提示，没有通过时报错 `CheckFailed`')
    with pytest.raises(check.CheckFailed):
        check.deferred_shapes(None, None, strict=True)
    assert capsys.readouterr().out.startswith('✗ 还没有完成：')


def test_05_summary_deferred_initialization():
    """05 cell 47: "`initialize()` 时只初始化形状已知的参数（如偏差），形状里有 0 的权重等到第一次前
    向计算"."""
    from mxnet import nd
    says('05', '`initialize()` 时只初始化形状已知的参数（如偏差），形状里有 0 的权重等到第一次前向'
               '计算')
    net = shared_mlp()
    net.initialize()
    assert net[0].bias.data().shape == (8,) and net[0].weight.shape == (8, 0)
    net(nd.ones((2, 20)))
    assert net[0].weight.data().shape == (8, 20)


# ---- 06 拓展 A -----------------------------------------------------------------------------------


def test_06_the_layer_has_784_by_256_weights():
    """06 cell 3: "它的权重形状为 (256, 784)，所以 `fan_in` = 784，`fan_out` = 256，一共 200704 个数
    "."""
    from mxnet import init
    from mxnet.gluon import nn
    says('06', '所以 `fan_in` = 784，`fan_out` = 256，一共 200704 个数')
    layer = nn.Dense(256, in_units=784)
    assert layer.weight.shape == (256, 784) and 256 * 784 == 200704
    assert 'fan_in, fan_out = shape[1] * hw_scale, shape[0] * hw_scale' in \
        mxnet_source(init.Xavier._init_weight)


def test_06_xavier_scale_uniform_and_gaussian():
    """06 cell 5: "先算 scale = sqrt(magnitude / factor) … 均匀分布在 [-scale, scale] 上采样（标准差
    scale/sqrt3），
    正态分布的标准差就是 scale"."""
    from mxnet import init
    says('06', '均匀分布在 $[-\\text{scale}, \\text{scale}]$ 上采样（标准差 $\\text{scale}/\\sqrt{3'
               '}$），正态分布的标准差就是 scale')
    source = mxnet_source(init.Xavier._init_weight)
    assert 'scale = np.sqrt(self.magnitude / factor)' in source
    assert 'uniform_fn(-scale, scale, arr.shape, out=arr)' in source
    assert 'normal_fn(0, scale, arr.shape, out=arr)' in source
    scale = (3 / 520) ** 0.5
    uniform = weight_sample(init.Xavier('uniform', 'avg', 3))
    assert abs(uniform.max() / scale - 1) < 0.01
    assert abs(uniform.std() / (scale / 3 ** 0.5) - 1) < 0.02
    assert abs(weight_sample(init.Xavier('gaussian', 'avg', 3)).std() / scale - 1) < 0.02


def test_06_default_xavier():
    """06 cell 5: "默认的 `Xavier()` 是 uniform、avg、magnitude=3，所以标准差为
    sqrt(2/(fan_in+fan_out))"."""
    from mxnet import init
    says('06', '默认的 `Xavier()` 是 uniform、avg、magnitude=3')
    xavier = init.Xavier()
    assert (xavier.rnd_type, xavier.factor_type, xavier.magnitude) == ('uniform', 'avg', 3)
    assert abs(weight_sample(xavier).std() / (2 / (784 + 256)) ** 0.5 - 1) < 0.02


def test_06_msraprelu_is_a_gaussian_xavier_and_he():
    """06 cell 5: "`MSRAPrelu(factor_type, slope)` 是 magnitude 为 2/(1+slope²) 的正态 Xavier；
    `slope=0` 且 `factor_type='in'` 就是 He 初始化 sqrt(2/fan_in)"."""
    from mxnet import init
    says('06', '`MSRAPrelu(factor_type, slope)` 是 magnitude 为 $2/(1+\\text{slope}^2)$ 的正态 Xavi'
               'er')
    msra = init.MSRAPrelu('out', 0.5)
    assert isinstance(msra, init.Xavier)
    assert (msra.rnd_type, msra.factor_type, msra.magnitude) == ('gaussian', 'out', 2 / 1.25)
    assert abs(weight_sample(init.MSRAPrelu('in', 0)).std() / (2 / 784) ** 0.5 - 1) < 0.02


def test_06_orthogonal_rows_and_mean_square():
    """06 cell 5: "`Orthogonal(scale=1.414)` 生成行向量两两正交、长度为 scale 的矩阵，每个元素的均方
    为 scale²/fan_in";
    cell 11: "256 行在 784 维空间里两两正交"."""
    import numpy as np
    from mxnet import init
    says('06', '生成行向量两两正交、长度为 scale 的矩阵，每个元素的均方为 $\\text{scale}^2/\\text{f'
               'an\\_in}$')
    says('06', '256 行在 784 维空间里两两正交')
    W = weight_sample(init.Orthogonal())
    assert init.Orthogonal().scale == 1.414
    assert np.abs(W @ W.T - 1.414 ** 2 * np.eye(256)).max() < 1e-4
    assert abs((W ** 2).mean() / (1.414 ** 2 / 784) - 1) < 1e-4


def test_06_normal_001_is_the_narrowest():
    """06 cell 7: "`Normal(0.01)` 最窄"."""
    from mxnet import init
    says('06', '`Normal(0.01)` 最窄')
    index = says('06', 'predicted = {  # name: (initializer, predicted mean, predicted std)')
    namespace = {'init': init, 'fan_in': 784, 'fan_out': 256}
    exec(cell_source('06', index).split('samples = ')[0], namespace)
    random = {name: weight_sample(initializer).std()
              for name, (initializer, _, std) in namespace['predicted'].items() if std > 0}
    assert min(random, key=random.get) == 'Normal(0.01)'


def test_06_orthogonal_entries_are_near_normal():
    """06 cell 7: "`Orthogonal` 的元素分布接近正态" (kurtosis 3 for a normal, 1.8 for a uniform)."""
    from mxnet import init
    says('06', '`Orthogonal` 的元素分布接近正态')
    W = weight_sample(init.Orthogonal()).ravel()
    kurtosis = ((W - W.mean()) ** 4).mean() / W.var() ** 2
    assert abs(kurtosis - 3) < 0.1


def test_06_sampling_errors_and_the_tenfold_margin():
    """06 cell 9: "样本标准差的相对误差约为 1/sqrt(2n) ≈ 0.16%，样本均值的误差约为 σ/sqrt(n) ≈
    0.22% σ"
    and "这比随机误差宽十倍"."""
    import numpy as np
    says('06', '样本标准差的相对误差约为 $1/\\sqrt{2n} \\approx 0.16\\%$，样本均值的误差约为 $\\sig'
               'ma/\\sqrt{n} \\approx 0.22\\%\\,\\sigma$')
    says('06', '这比随机误差宽十倍')
    n = 200704
    assert round(100 / (2 * n) ** 0.5, 2) == 0.16 and round(100 / n ** 0.5, 2) == 0.22
    rng = np.random.default_rng(0)
    samples = rng.standard_normal((20, n)).astype(np.float32)
    assert 0.0010 < samples.std(axis=1).std() < 0.0023  # about 0.0016 (sigma = 1)
    assert 8 < 0.02 / (1 / (2 * n) ** 0.5) < 13 and 8 < 0.02 / (1 / n ** 0.5) < 13


def test_06_mixed_docs_are_for_module_and_load_has_no_example():
    """06 cell 13: "它的文档示例是为早先的 Module API（`mxnet.module.Module`）写的（下面的 `Load` 的
    文档没有示例）"."""
    from mxnet import init
    says('06', '它的文档示例是为早先的 Module API（`mxnet.module.Module`）写的（下面的 `Load` 的文'
               '档没有示例）')
    assert "'mxnet.module.Module'" in init.Mixed.__doc__
    assert 'module.init_params' in init.Mixed.__doc__
    assert 'Example' not in init.Load.__doc__ and '>>>' not in init.Load.__doc__


def test_06_gluon_gets_its_initializer_from_create():
    """06 cell 13: "Gluon 用 `initializer.create` 取得初始化器（`gluon/parameter.py` 的
    `_finish_deferred_init`）"."""
    from mxnet import gluon
    says('06', 'Gluon 用 `initializer.create` 取得初始化器（`gluon/parameter.py` 的 `_finish_deferr'
               'ed_init`）')
    source = mxnet_source(gluon.Parameter._finish_deferred_init)
    assert 'initializer.create(default_init)(' in source


def test_06_what_create_accepts():
    """06 cell 13: "`create` 只接受 `Initializer` 的实例，或者一个写明已注册初始化器的字符串（名字或
    JSON）或字典；
    `Mixed` 和 `Load` 两样都不是（它们也没有注册），传进去就断言失败"."""
    from mxnet import init
    says('06', '只接受 `Initializer` 的实例，或者一个写明已注册初始化器的字符串（名字或 JSON）或字'
               '典')
    says('06', '`Mixed` 和 `Load` 两样都不是（它们也没有注册），传进去就断言失败')
    for spec in [init.Xavier(), 'xavier', '["xavier", {"magnitude": 2}]',
                 {'initializer': 'xavier', 'magnitude': 2}]:
        assert isinstance(init.create(spec), init.Xavier), spec
    for wrong in [init.Mixed(['.*'], [init.One()]), init.Load({}), 'mixed', 'load']:
        with pytest.raises(AssertionError):
            init.create(wrong)


def test_06_mixed_called_on_an_array_writes_it_in_place():
    """06 cell 17: "它们是可以直接调用的对象：`mixed(init.InitDesc(参数名), 数组)` 就地写入数组"."""
    from mxnet import init, nd
    says('06', '它们是可以直接调用的对象：`mixed(init.InitDesc(参数名), 数组)` 就地写入数组')
    mixed = init.Mixed(['first.*', '.*'], [init.Constant(0.5), init.One()])
    first, other = nd.zeros(3), nd.zeros(3)
    mixed(init.InitDesc('first_weight'), first)
    mixed(init.InitDesc('second_weight'), other)
    assert (first.asnumpy() == 0.5).all() and (other.asnumpy() == 1).all()


def test_06_load_reads_a_file_drops_prefixes_and_falls_back(tmp_path):
    """06 cell 23: "（或 `nd.save` 保存的文件：`Load.__init__` 遇到字符串就调用 `nd.load`，并去掉键
    前的 `arg:`、`aux:`）
    里取值；字典中没有的参数交给 `default_init`"."""
    from mxnet import init, nd
    says('06', '`Load.__init__` 遇到字符串就调用 `nd.load`，并去掉键前的 `arg:`、`aux:`）里取值；字'
               '典中没有的参数交给 `default_init`')
    path = str(tmp_path / 'saved.params')
    nd.save(path, {'arg:w': nd.ones(2), 'aux:m': nd.ones(2) * 3})
    loader = init.Load(path, default_init=init.Constant(7))
    w, m, other = nd.zeros(2), nd.zeros(2), nd.zeros(2)
    for name, array in [('w', w), ('m', m), ('other_weight', other)]:
        loader(name, array)
    assert [w.asnumpy().tolist(), m.asnumpy().tolist(), other.asnumpy().tolist()] == [
        [1, 1], [3, 3], [7, 7]]


def test_06_a_new_net_has_new_names():
    """06 cell 23: "新网络的层有新的编号，所以字典的键换成新网络的参数名"."""
    from mxnet.gluon import nn
    says('06', '新网络的层有新的编号')
    first, second = nn.Dense(2, in_units=3), nn.Dense(2, in_units=3)
    assert set(first.collect_params()).isdisjoint(second.collect_params())


def test_06_summary_msraprelu_magnitude_188_variance_188():
    """06 cell 27: "默认 `slope=0.25` 时 magnitude 约 1.88，比 `Xavier()` 的 3 还小，方差却是
    `Xavier()` 的 1.88 倍，
    因为正态分布的标准差就是 scale，均匀分布的只有 scale/sqrt3；`MSRAPrelu('in', 0)` 才是 He 初始化
    "."""
    from mxnet import init
    says('06', '默认 `slope=0.25` 时 magnitude 约 1.88，比 `Xavier()` 的 3 还小，方差却是 `Xavier()'
               '` 的 1.88 倍')
    says('06', "`MSRAPrelu('in', 0)` 才是 He 初始化")
    assert round(init.MSRAPrelu().magnitude, 2) == 1.88 < init.Xavier().magnitude == 3
    ratio = weight_sample(init.MSRAPrelu()).var() / weight_sample(init.Xavier()).var()
    assert abs(ratio / 1.88 - 1) < 0.02
    assert abs(weight_sample(init.MSRAPrelu('in', 0)).var() / (2 / 784) - 1) < 0.02


def test_06_summary_mixed_and_load_are_not_initializers():
    """06 cell 27: "`Mixed` 按参数名组合多个初始化器，`Load` 从已有的数值初始化；二者不是
    `Initializer`，要直接对数组调用"."""
    from mxnet import init
    says('06', '二者不是 `Initializer`，要直接对数组调用')
    assert not issubclass(init.Mixed, init.Initializer)
    assert not issubclass(init.Load, init.Initializer)
    assert callable(init.Mixed(['.*'], [init.One()])) and callable(init.Load({}))


# ---- 07 拓展 B -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=None)
def deep_mlp_stds(initializer_name):
    """07's 10-hidden-layer ReLU MLP on the first 256 test images (as 07 builds it, seed 0):
    each layer's output std, each weight gradient's std, the loss, and the net."""
    import mxnet as mx
    from mxnet import gluon, init, nd
    from mxnet.gluon import nn

    import d2lhelpers as d2l
    initializer = {'Normal(0.01)': init.Normal(0.01), 'Xavier()': init.Xavier(),
                   'MSRAPrelu()': init.MSRAPrelu()}[initializer_name]
    images, labels = fashion_arrays()[2:]
    X, y = d2l.data.to_tensor(images[:256]), nd.array(labels[:256])
    mx.random.seed(0)
    net = nn.Sequential()
    net.add(*[nn.Dense(256, activation='relu') for _ in range(10)], nn.Dense(10))
    net.initialize(initializer)
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    outputs = d2l.layer_output_stds(net, X)
    grads = d2l.layer_grad_stds(net, X, y, loss)
    return outputs, grads, loss(net(X), y).mean().asscalar(), net


def per_layer_factor(initializer, steps=6):
    """The mean factor by which a 256-to-256 ReLU layer scales the std of a ReLU output."""
    import mxnet as mx
    from mxnet import nd
    from mxnet.gluon import nn
    mx.random.seed(0)
    X = nd.relu(nd.random.normal(shape=(512, 256)))
    stds = [X.asnumpy().std()]
    for _ in range(steps):
        layer = nn.Dense(256, activation='relu', in_units=256)
        layer.initialize(initializer)
        X = layer(X)
        stds.append(X.asnumpy().std())
    return (stds[-1] / stds[0]) ** (1 / steps)


def test_07_the_book_points_to_numerical_stability():
    """07 cell 0: "道理在原书 [3.15 节“数值稳定性和模型初始化”](…numerical-stability-and-init.html)"
    ."""
    says('07', '道理在原书 [3.15 节“数值稳定性和模型初始化”]')
    book_says('[“数值稳定性和模型初始化”](../chapter_deep-learning-basics/numerical-stability-and-init.md)')


def test_07_normal_shrinks_each_layer_by_011():
    """07 cell 7: "`Normal(0.01)` 的每一层把信号缩小约 0.01 × sqrt(256/2) ≈ 0.11 倍"."""
    from mxnet import init
    says('07', '`Normal(0.01)` 的每一层把信号缩小约 $0.01 \\times \\sqrt{256/2} \\approx 0.11$ 倍')
    assert abs(per_layer_factor(init.Normal(0.01)) / (0.01 * 128 ** 0.5) - 1) < 0.1


def test_07_xavier_shrinks_each_layer_by_1_over_sqrt2():
    """07 cell 7: "`Xavier()` 没有考虑 ReLU 去掉的一半，每层缩小约 1/sqrt2 倍"."""
    from mxnet import init
    says('07', '`Xavier()` 没有考虑 ReLU 去掉的一半，每层缩小约 $1/\\sqrt{2}$ 倍')
    assert abs(per_layer_factor(init.Xavier()) / 0.5 ** 0.5 - 1) < 0.1


def test_07_msraprelu_variance_188_and_factor_097():
    """07 cell 7: "方差是 `Xavier()` 的 2/(1+0.25²) ≈ 1.88 倍，每层约 1/sqrt(1+0.25²) ≈ 0.97 倍"."""
    from mxnet import init
    says('07', '方差是 `Xavier()` 的 $2/(1+0.25^2) \\approx 1.88$ 倍，每层约 $1/\\sqrt{1+0.25^2} '
               '\\approx 0.97$ 倍')
    assert round(2 / (1 + 0.25 ** 2), 2) == 1.88 and round(1 / (1 + 0.25 ** 2) ** 0.5, 2) == 0.97
    ratio = weight_sample(init.MSRAPrelu(), (256, 256)).var() / \
        weight_sample(init.Xavier(), (256, 256)).var()
    assert abs(ratio / 1.88 - 1) < 0.03
    assert abs(per_layer_factor(init.MSRAPrelu()) / 0.97 - 1) < 0.1


def test_07_msraprelu_is_for_prelu_with_slope_025():
    """07 cell 7: "`MSRAPrelu()` 是 He 等人为 PReLU 设计的初始化，默认 `slope=0.25`（PReLU 斜率的初
    值，ReLU 相当于 `slope=0`）"."""
    from mxnet import init, nd
    from mxnet.gluon import nn
    says('07', '默认 `slope=0.25`（PReLU 斜率的初值，ReLU 相当于 `slope=0`）')
    assert init.MSRAPrelu()._kwargs['slope'] == 0.25
    prelu = nn.PReLU()
    prelu.initialize()
    assert prelu.alpha.data().asscalar() == 0.25
    x = nd.array([-2.0, 3.0])
    assert (nd.LeakyReLU(x, slope=0) == nd.relu(x)).min().asscalar() == 1


def test_07_weight_gradient_is_input_times_error():
    """07 cell 7: "第 l 层权重的梯度是第 l-1 层的输出 … 与第 l 层的误差 … 之积"."""
    import mxnet as mx
    from mxnet import autograd, nd
    from mxnet.gluon import nn
    says('07', '第 $l$ 层权重的梯度是第 $l-1$ 层的输出')
    mx.random.seed(0)
    layer = nn.Dense(3, in_units=4)
    layer.initialize()
    X, error = nd.random.normal(shape=(5, 4)), nd.random.normal(shape=(5, 3))
    with autograd.record():
        (layer(X) * error).sum().backward()  # error = dL/d(layer output)
    assert (layer.weight.grad() - nd.dot(error.T, X)).abs().max().asscalar() < 1e-5


def test_07_gradients_are_alike_across_layers_and_tiny_under_normal():
    """07 cell 7: "所以它在各层差不多大；但在 `Normal(0.01)` 下每一层都只有 10^-12 量级，学习率 0.1
    的更新几乎不改变参数；
    `Xavier()` 的梯度在每一层都比 `MSRAPrelu()` 小一个数量级以上"."""
    import math
    says('07', '但在 `Normal(0.01)` 下每一层都只有 $10^{-12}$ 量级，学习率 0.1 的更新几乎不改变参数'
               '')
    says('07', '`Xavier()` 的梯度在每一层都比 `MSRAPrelu()` 小一个数量级以上')
    grads = {name: deep_mlp_stds(name)[1][:10] for name in ['Normal(0.01)', 'Xavier()',
                                                           'MSRAPrelu()']}
    assert all(max(stds) < 2 * min(stds) for stds in grads.values())
    assert all(math.floor(math.log10(std)) == -12 for std in grads['Normal(0.01)'])
    assert 0.1 * max(grads['Normal(0.01)']) / 0.01 < 1e-9  # an update against weights of 0.01
    assert all(10 * x < m for x, m in zip(grads['Xavier()'], grads['MSRAPrelu()']))


def test_07_outputs_vanish_under_normal_and_keep_under_msraprelu():
    """07 cell 7: "到第 10 层只剩 10^-10 量级：信号消失了"; cell 11: "`Normal(0.01)` 的第 10 层输出
    比第 1 层小
    8 个数量级以上，`MSRAPrelu()` 则在 3 倍以内，`Xavier()` 介于两者之间"."""
    import math
    says('07', '到第 10 层只剩 $10^{-10}$ 量级：信号消失了')
    says('07', '`Normal(0.01)` 的第 10 层输出比第 1 层小 8 个数量级以上，`MSRAPrelu()` 则在 3 倍以'
               '内，`Xavier()` 介于两者之间')
    shrink = {}
    for name in ['Normal(0.01)', 'Xavier()', 'MSRAPrelu()']:
        outputs = deep_mlp_stds(name)[0]
        shrink[name] = outputs[0] / outputs[9]
        if name == 'Normal(0.01)':
            assert math.floor(math.log10(outputs[9])) == -10
    assert shrink['Normal(0.01)'] > 1e8 and 1 / 3 < shrink['MSRAPrelu()'] < 3
    assert shrink['MSRAPrelu()'] < shrink['Xavier()'] < shrink['Normal(0.01)']


def test_07_normal_loss_is_ln10_and_guessing_is_01():
    """07 cell 13: "`Normal(0.01)` 的损失停在 ln 10 ≈ 2.303，准确率 0.1，即随机猜测"."""
    import math

    import numpy as np

    says('07', '`Normal(0.01)` 的损失停在 $\\ln 10 \\approx 2.303$，准确率 0.1，即随机猜测')
    assert round(math.log(10), 3) == 2.303
    assert abs(deep_mlp_stds('Normal(0.01)')[2] - math.log(10)) < 1e-4
    test_labels = fashion_arrays()[3]
    assert (np.bincount(test_labels) == 1000).all()  # one class always: accuracy 0.1


def test_07_summary_he_is_msraprelu_in_0_and_msraprelu_is_188():
    """07 cell 19: "对 ReLU 网络要把方差再加倍，即 He 初始化（`MSRAPrelu('in', 0)`）。这里用的
    `MSRAPrelu()` 方差是
    `Xavier()` 的 1.88 倍"."""
    from mxnet import init
    says('07', "对 ReLU 网络要把方差再加倍，即 He 初始化（`MSRAPrelu('in', 0)`）。"
               "这里用的 `MSRAPrelu()` 方差是 `Xavier()` 的 1.88 倍")
    he = weight_sample(init.MSRAPrelu('in', 0), (256, 256)).var()
    xavier = weight_sample(init.Xavier(), (256, 256)).var()
    msra = weight_sample(init.MSRAPrelu(), (256, 256)).var()
    assert abs(he / xavier / 2 - 1) < 0.03 and abs(msra / xavier / 1.88 - 1) < 0.03


def test_07_summary_gradients_negligible_under_normal():
    """07 cell 19: "尺度太小（如深网络中的 `Normal(0.01)`），信号逐层消失，每一层权重的梯度都小得可
    以忽略，网络学不动"."""
    says('07', '信号逐层消失，每一层权重的梯度都小得可以忽略，网络学不动')
    outputs, grads, _, _ = deep_mlp_stds('Normal(0.01)')
    assert all(later < earlier for earlier, later in zip(outputs[:10], outputs[1:10]))
    assert max(grads) * 0.1 < 1e-9 * 0.01


def test_07_summary_exercise_3_has_4_layers_and_0839():
    """07 cell 19: "练习 3 的网络（照运行记录的解答）只有 4 层，`Normal(0.01)` 还能训练（练习 3 的测
    试准确率 0.839）"."""
    says('07', '练习 3 的网络（照运行记录的解答）只有 4 层，`Normal(0.01)` 还能训练（练习 3 的测试'
               '准确率 0.839）')
    model = RUN_RECORD_EXERCISE_3.split('net.initialize')[0]
    assert model.count('nn.Dense(') == 4 and 'init.Normal(sigma=0.01)' in RUN_RECORD_EXERCISE_3
    cells = nbformat.read(notebook_path('05'), as_version=4).cells
    training = next(cell for cell in cells if 'd2l.train_ch3(net' in cell.source)
    printed = ''.join(output.get('text', '') for output in training.outputs)
    assert re.search(r'epoch 5, .*, test acc 0\.839', printed)


# ---- 08 拓展 C -----------------------------------------------------------------------------------

# ---- 09 拓展 D -----------------------------------------------------------------------------------

# ---- 10 拓展 E -----------------------------------------------------------------------------------


def two_device_dense():
    """A fresh Dense layer initialized on cpu(0) and cpu(1), as 10 does."""
    import mxnet as mx
    from mxnet.gluon import nn
    layer = nn.Dense(3, in_units=4)
    layer.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    return layer


def test_10_a_copy_and_a_gradient_per_device():
    """10 cell 3: "`initialize` 的 `ctx` 参数给出设备列表，每个参数在每个设备上各分配一份数据和一份
    梯度"."""
    import mxnet as mx
    says('10', '每个参数在每个设备上各分配一份数据和一份梯度')
    layer = two_device_dense()
    for param in layer.collect_params().values():
        assert [d.context for d in param.list_data()] == [mx.cpu(0), mx.cpu(1)]
        assert [g.context for g in param.list_grad()] == [mx.cpu(0), mx.cpu(1)]


def test_10_values_made_once_on_cpu_then_copied():
    """10 cell 5: "初始化器只在 CPU 上生成一次数值，再复制到每个设备（`gluon/parameter.py` 的
    `_init_impl`：
    `self._data = [data.copyto(ctx) for ctx in self._ctx_list]`）"."""
    from mxnet import gluon
    says('10', '初始化器只在 CPU 上生成一次数值，再复制到每个设备')
    says('10', '`self._data = [data.copyto(ctx) for ctx in self._ctx_list]`')
    assert 'self._data = [data.copyto(ctx) for ctx in self._ctx_list]' in mxnet_source(
        gluon.Parameter._init_impl)
    assert "'ctx': context.cpu()" in mxnet_source(gluon.Parameter._finish_deferred_init)
    copy0, copy1 = two_device_dense().weight.list_data()
    assert (copy0.asnumpy() == copy1.asnumpy()).all()


def gradients_on_two_devices(layer, X0, X1):
    import mxnet as mx
    from mxnet import autograd
    with autograd.record():
        losses = [layer(X0.as_in_context(mx.cpu(0))).sum(),
                  layer(X1.as_in_context(mx.cpu(1))).sum()]
    for loss in losses:
        loss.backward()
    return [grad.asnumpy() for grad in layer.weight.list_grad()]


def test_10_gradients_differ_because_the_data_differ():
    """10 cell 7: "此时两个设备上的梯度不同，因为它们看到的数据不同"."""
    from mxnet import nd
    says('10', '此时两个设备上的梯度不同，因为它们看到的数据不同')
    layer = two_device_dense()
    same = gradients_on_two_devices(layer, nd.ones((2, 4)), nd.ones((2, 4)))
    differ = gradients_on_two_devices(layer, nd.ones((2, 4)), nd.ones((2, 4)) * 2)
    assert (same[0] == same[1]).all() and not (differ[0] == differ[1]).all()


def test_10_trainer_sums_on_the_kvstore_updates_once_and_pulls():
    """10 cell 9: "`Trainer.step` 把所有设备上的梯度推送（push）到 kvstore（这里是 `'device'` 类型）
    加起来，
    在 kvstore 上对参数做一次更新，再把更新后的参数拉回（pull）到每一份拷贝（`update_on_kvstore` 默
    认为真）"."""
    import numpy as np
    from mxnet import gluon, nd
    says('10', '在 kvstore 上对参数做一次更新，再把更新后的参数拉回（pull）到每一份拷贝（`update_on'
               '_kvstore` 默认为真）')
    layer = two_device_dense()
    before = layer.weight.data().asnumpy()
    grads = gradients_on_two_devices(layer, nd.ones((2, 4)), nd.ones((2, 4)) * 2)
    trainer = gluon.Trainer(layer.collect_params(), 'sgd', {'learning_rate': 0.5})
    trainer.step(4)
    assert trainer._kvstore.type == 'device' and trainer._update_on_kvstore is True
    copy0, copy1 = (data.asnumpy() for data in layer.weight.list_data())
    assert (copy0 == copy1).all()
    assert np.abs(copy0 - (before - 0.5 / 4 * (grads[0] + grads[1]))).max() < 1e-6
    assert 'pushpull' in mxnet_source(gluon.Trainer._allreduce_grads)


def test_10_the_halves_gradients_sum_to_the_whole_batch():
    """10 cell 11: "两半的梯度之和就是整个批量的梯度"."""
    import mxnet as mx
    from mxnet import autograd, nd
    from mxnet.gluon import nn
    says('10', '两半的梯度之和就是整个批量的梯度')
    mx.random.seed(0)
    X = nd.random.normal(shape=(6, 4))
    layer = nn.Dense(3, in_units=4)
    layer.initialize()
    grads = []
    for part in [X, X[:3], X[3:]]:
        with autograd.record():
            (layer(part) ** 2).sum().backward()
        grads.append(layer.weight.grad().asnumpy())
    assert abs(grads[0] - grads[1] - grads[2]).max() < 1e-5


def test_10_the_pip_package_has_the_distributed_kvstore():
    """10 cell 13: "MXNet 的 pip 包里已经包含了这套分布式 kvstore"."""
    import mxnet as mx
    says('10', 'MXNet 的 pip 包里已经包含了这套分布式 kvstore')
    assert mx.runtime.Features().is_enabled('DIST_KVSTORE')


def test_10_roles_come_from_dmlc_variables():
    """10 cell 13: "每个进程从 `DMLC_*` 环境变量得知自己的角色（scheduler、server 或 worker）、调度
    器的地址和进程数"."""
    import d2lhelpers.distributed as distributed
    says('10', '每个进程从 `DMLC_*` 环境变量得知自己的角色（scheduler、server 或 worker）、调度器的'
               '地址和进程数')
    source = inspect.getsource(distributed)
    for variable in ['DMLC_ROLE', 'DMLC_PS_ROOT_URI', 'DMLC_PS_ROOT_PORT', 'DMLC_NUM_WORKER',
                     'DMLC_NUM_SERVER']:
        assert variable in source, variable
    for role in ['scheduler', 'server', 'worker']:
        assert f"'{role}'" in source, role


def test_10_each_worker_takes_half_of_each_batch():
    """10 cell 13: "从一串固定的 Fashion-MNIST 小批量中取自己那一份（两个进程各取一半）"."""
    import sys
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import ps_worker
    finally:
        sys.path.remove(str(NOTEBOOKS))
    says('10', '从一串固定的 Fashion-MNIST 小批量中取自己那一份（两个进程各取一半）')
    assert 'images[batch][kv.rank::kv.num_workers]' in inspect.getsource(ps_worker.main)
    shares = [list(range(64))[rank::2] for rank in range(2)]
    assert [len(share) for share in shares] == [32, 32] and not set(shares[0]) & set(shares[1])


def test_10_trainer_inits_its_kvstore_at_the_first_step_by_broadcast():
    """10 cell 21: "`Trainer` 在第一次 `step` 时才初始化 kvstore，对每个参数调用
    `kvstore.broadcast`（`gluon/trainer.py` 的 `_init_params`）"."""
    from mxnet import gluon, nd
    says('10', '`Trainer` 在第一次 `step` 时才初始化 kvstore，对每个参数调用 `kvstore.broadcast`')
    layer = two_device_dense()
    trainer = gluon.Trainer(layer.collect_params(), 'sgd', {'learning_rate': 0.5})
    assert not trainer._kv_initialized and trainer._kvstore is None
    gradients_on_two_devices(layer, nd.ones((2, 4)), nd.ones((2, 4)))
    trainer.step(4)
    assert trainer._kv_initialized and trainer._kvstore is not None
    assert 'self._kvstore.broadcast(idx, param_arrays[0], param_arrays)' in mxnet_source(
        gluon.Trainer._init_params)


def test_10_broadcast_sends_rank_0s_value():
    """10 cell 21: "而 `broadcast` 把 0 号工作进程的值发给所有工作进程（`KVStore.broadcast` 的说明：
    “Broadcast the `value` NDArray at rank 0 to all ranks”）"."""
    import mxnet as mx
    says('10', '而 `broadcast` 把 0 号工作进程的值发给所有工作进程')
    says('10', '“Broadcast the `value` NDArray at rank 0 to all ranks”')
    doc = ' '.join(mx.kv.KVStore.broadcast.__doc__.split())
    assert 'Broadcast the `value` NDArray at rank 0 to all ranks' in doc


def test_10_the_first_gradient_comes_before_the_first_step():
    """10 cell 21: "第一步的梯度是在 `step` 之前算的，那时 1 号工作进程还用着自己的随机参数"."""
    import sys
    sys.path.insert(0, str(NOTEBOOKS))
    try:
        import ps_worker
    finally:
        sys.path.remove(str(NOTEBOOKS))
    says('10', '第一步的梯度是在 `step` 之前算的')
    source = inspect.getsource(ps_worker.main)
    assert "mx.random.seed(0 if seeds == 'same' else kv.rank)" in source
    assert source.index('batch_loss.backward()') < source.index('trainer.step(batch_size)')


# ---- d2lhelpers/check.py: the self-checks' hints ----------------------------------------------


def hint_of(check_call, capsys):
    """The line a (non-strict) self-check prints."""
    check_call()
    return capsys.readouterr().out


def test_check_hints_name_the_run_records_settings(capsys):
    """check.shared_mlp_training: "运行记录用 init.Normal(sigma=0.01)、学习率 0.5、批量大小 256"."""
    import d2lhelpers as d2l
    from d2lhelpers import check
    low = d2l.History(loss=[1.0] * 5, train_acc=[0.5] * 5, test_acc=[0.5] * 5, seconds=[1] * 5)
    out = hint_of(lambda: check.shared_mlp_training(shared_mlp(256), low), capsys)
    assert '运行记录用 init.Normal(sigma=0.01)、学习率 0.5、批量大小 256' in out
    for setting in ['init.Normal(sigma=0.01)', "'learning_rate': 0.5", 'batch_size = 256']:
        assert setting in RUN_RECORD_EXERCISE_3


def test_check_hint_five_epochs_is_the_run_records(capsys):
    """check.shared_mlp_training: "运行记录训练 5 个周期"."""
    import d2lhelpers as d2l
    from d2lhelpers import check
    short = d2l.History(loss=[1.0] * 2, train_acc=[0.8] * 2, test_acc=[0.8] * 2, seconds=[1] * 2)
    out = hint_of(lambda: check.shared_mlp_training(shared_mlp(256), short), capsys)
    assert '运行记录训练 5 个周期' in out and 'num_epochs = 5' in RUN_RECORD_EXERCISE_3


def test_check_hint_shared_params(capsys):
    """check.shared_mlp_training: "构造第三层时传入 params=shared.params" (as 4.2.4 of the book
    does)."""
    from mxnet.gluon import nn

    from d2lhelpers import check
    unshared = nn.Sequential()
    unshared.add(*[nn.Dense(8) for _ in range(4)])
    out = hint_of(lambda: check.shared_mlp_training(unshared, object()), capsys)
    assert '构造第三层时传入 params=shared.params' in out
    book_says("nn.Dense(8, activation='relu', params=shared.params)")


def test_check_hints_of_deferred_shapes(capsys):
    """check.deferred_shapes: "那时 Gluon 还不知道输入有多少个特征", "输出个数 8 已知，输入个数未知
    记作 0",
    "前向计算用的 X 形状为 (2, 20)，第一层的输入个数由它推断出来"."""
    from mxnet import nd

    from d2lhelpers import check
    assert '那时 Gluon 还不知道输入有多少个特征' in hint_of(
        lambda: check.deferred_shapes((8, 20), (8, 20)), capsys)
    assert '输出个数 8 已知，输入个数未知记作 0' in hint_of(
        lambda: check.deferred_shapes((0, 8), (8, 20)), capsys)
    assert '第一层的输入个数由它推断出来' in hint_of(
        lambda: check.deferred_shapes((8, 0), (8, 8)), capsys)
    net = shared_mlp()
    net.initialize()
    assert net[0].weight.shape == (8, 0)
    net(nd.ones((2, 20)))
    assert net[0].weight.shape == (8, 20)


def test_check_hint_of_the_init_table(capsys):
    """check.init_table: "别忘了 Mixed、Load 和基类 Initializer"."""
    from d2lhelpers import check
    out = hint_of(lambda: check.init_table({'Uniform': 'x'}), capsys)
    assert '别忘了 Mixed、Load 和基类 Initializer' in out
    assert {'Mixed', 'Load', 'Initializer'} <= check.installed_initializers()



def test_the_book_copy_is_the_v1_section():
    """The copy the claims are checked against is the book's section 4.2, with its exercise 3."""
    book_says('# 模型参数的访问、初始化和共享')
    book_says('构造一个含共享参数层的多层感知机并训练。在训练过程中，观察每一层的模型参数和梯度。')
