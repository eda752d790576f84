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


def book_first_mlp():
    """The book's first network (4.2, n=1), built anew: Dense(256, relu), Dense(10), default
    init."""
    from mxnet.gluon import nn
    net = nn.Sequential()
    net.add(nn.Dense(256, activation='relu'))
    net.add(nn.Dense(10))
    net.initialize()
    return net


def cell_code_saying(prefix, sentence):
    """The source of the code cell of notebook ``prefix`` that contains ``sentence``."""
    cells = nbformat.read(notebook_path(prefix), as_version=4).cells
    cell = cells[says(prefix, sentence)]
    assert cell.cell_type == 'code', cell.source
    return cell.source


def test_01_the_first_code_is_the_books():
    """01, cell 3: "下面是原书的第一段代码" (cell 4 is the book's code block n=1, as written)."""
    index = says('01', '下面是原书的第一段代码')
    code = nbformat.read(notebook_path('01'), as_version=4).cells[index + 1].source
    book_says(code)


def test_01_the_input_size_is_inferred_at_the_first_forward():
    """01, cell 3: "输入的特征数 20 在构造层时没有给出，要到这次前向计算时才推断出来"."""
    from mxnet import nd
    says('01', '输入的特征数 20 在构造层时没有给出，要到这次前向计算时才推断出来')
    net = book_first_mlp()
    assert net[0].weight.shape == (256, 0)
    net(nd.ones((2, 20)))
    assert net[0].weight.shape == (256, 20)


def test_01_params_is_a_parameterdict_of_the_layers_parameters():
    """01, cell 5: "`params` 属性给出该层所含的全部参数，它是一个由参数名映射到 `Parameter`
    实例的字典，类型为 `ParameterDict`"."""
    from mxnet import gluon
    says('01', '`params` 属性给出该层所含的全部参数，它是一个由参数名映射到 `Parameter` '
               '实例的字典，类型为 `ParameterDict`')
    net = book_first_mlp()
    params = net[0].params
    assert type(params) is gluon.ParameterDict
    assert {name: type(p) for name, p in params.items()} == {
        'dense0_weight': gluon.Parameter, 'dense0_bias': gluon.Parameter}


def test_01_the_weight_is_units_by_inputs():
    """01, cell 5: "注意看权重的形状 (256, 20)：输出 256 个单元，每个单元对应 20 个输入特征"."""
    from mxnet import nd
    says('01', '注意看权重的形状 (256, 20)：输出 256 个单元，每个单元对应 20 个输入特征')
    net = book_first_mlp()
    hidden = net[0](nd.ones((2, 20)))
    assert net[0].weight.shape == (256, 20) and hidden.shape == (2, 256)


def test_01_layer_names_come_from_a_global_counter():
    """01, cell 7: "Gluon 用一个全局计数器给层编号：本笔记本中第一个 `Dense` 层是 `dense0`，
    第二个是 `dense1`，以后再构造的层依次是 `dense2`、`dense3`……"
    and "同一个内核里把单元格重复运行，编号会继续增长"."""
    says('01', 'Gluon 用一个全局计数器给层编号：本笔记本中第一个 `Dense` 层是 `dense0`')
    says('01', '同一个内核里把单元格重复运行，编号会继续增长')
    first, again = book_first_mlp(), book_first_mlp()
    assert [layer.name for layer in first] == ['dense0', 'dense1']
    assert [layer.name for layer in again] == ['dense2', 'dense3']


def test_01_by_name_and_by_attribute_is_one_object():
    """01, cells 7 and 9: "两者是同一个对象" / "用 `is` 核对它们确实是同一个对象，
    而不只是两个相等的拷贝"."""
    says('01', '也可以直接用层的 `weight` 属性，两者是同一个对象')
    net = book_first_mlp()
    assert net[0].params['dense0_weight'] is net[0].weight


def test_01_the_default_initializer_is_blocks_uniform():
    """01, cell 11: "`net.initialize()` 不给初始化器时用的是 `init.Uniform()`（MXNet 源码
    `gluon/block.py` 中 `Block.initialize` 的默认参数 `init=initializer.Uniform()`）"."""
    from mxnet import init
    from mxnet.gluon import Block
    says('01', '（MXNet 源码 `gluon/block.py` 中 `Block.initialize` 的默认参数 '
               '`init=initializer.Uniform()`）')
    assert 'def initialize(self, init=initializer.Uniform(),' in mxnet_source(Block.initialize)
    assert type(inspect.signature(Block.initialize).parameters['init'].default) is init.Uniform


def test_01_uniform_samples_within_0_07():
    """01, cells 11 and 13: "它在 [-0.07, 0.07] 上均匀采样（`Uniform` 的默认 `scale=0.07`）" and
    "核对：第一层 5120 个权重的绝对值都不超过 0.07"."""
    from mxnet import init, nd
    says('01', '它在 [-0.07, 0.07] 上均匀采样（`Uniform` 的默认 `scale=0.07`）')
    says('01', '核对：第一层 5120 个权重的绝对值都不超过 0.07')
    assert inspect.signature(init.Uniform).parameters['scale'].default == 0.07
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    weight = net[0].weight.data()
    assert weight.size == 5120 and weight.abs().max().asscalar() <= 0.07
    assert weight.abs().max().asscalar() > 0.069  # the whole range is used, not a narrower one


def test_01_the_gradient_is_a_zero_array_made_with_the_data_at_the_first_forward():
    """01, cell 15: "分配参数的数值数组时，MXNet 同时为它分配一个填 0 的梯度数组（`Parameter._init_i
    mpl` 调用 `_init_grad`）；
    这一层的权重要等到前向计算推断出输入个数 20 时才分配"."""
    from mxnet import nd
    from mxnet.gluon import Parameter
    says('01', '分配参数的数值数组时，MXNet 同时为它分配一个填 0 的梯度数组（`Parameter._init_impl`'
               ' 调用 `_init_grad`）')
    says('01', '这一层的权重要等到前向计算推断出输入个数 20 时才分配')
    assert 'self._init_grad()' in mxnet_source(Parameter._init_impl)
    assert 'zeros(' in mxnet_source(Parameter._init_grad)
    net = book_first_mlp()
    assert net[0].weight._data is None and net[0].weight._grad is None  # nothing yet
    net(nd.ones((2, 20)))
    assert net[0].weight.grad().shape == (256, 20) and net[0].weight.grad().abs().sum() == 0


def test_01_backward_writes_the_gradient():
    """01, cell 17: "做一次前向计算并在 `autograd.record()` 下调用 `backward()`，梯度就写进去了"."""
    from mxnet import autograd, nd
    says('01', '做一次前向计算并在 `autograd.record()` 下调用 `backward()`，梯度就写进去了')
    net = book_first_mlp()
    X = nd.random.uniform(shape=(2, 20))
    net(X)
    with autograd.record():
        Y = net(X).sum()
    Y.backward()
    assert net[0].weight.grad().abs().sum().asscalar() > 0


def test_01_the_bias_has_its_own_zeros_initializer_which_wins():
    """01, cell 19: "`nn.Dense` 构造偏差时给了它自己的初始化器 `bias_initializer='zeros'`，
    而参数自己的初始化器优先于 `initialize()` 给出的那个"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('01', "`nn.Dense` 构造偏差时给了它自己的初始化器 `bias_initializer='zeros'`，"
               "而参数自己的初始化器优先于 `initialize()` 给出的那个")
    assert inspect.signature(nn.Dense).parameters['bias_initializer'].default == 'zeros'
    layer = nn.Dense(10, in_units=4)
    layer.initialize(init.Constant(5))
    assert layer.bias.init == 'zeros' and layer.bias.data().abs().sum() == 0
    assert (layer.weight.data() == 5).min() == 1


def test_01_collect_params_gathers_nested_children_under_the_outer_prefix():
    """01, cell 21: "`collect_params()` 返回整个网络（包括嵌套的子块）所有参数组成的
    `ParameterDict`。字典的前缀 `sequential0_` 是外层 `Sequential` 的名字"."""
    from mxnet.gluon import nn
    says('01', '`collect_params()` 返回整个网络（包括嵌套的子块）所有参数组成的 `ParameterDict`。'
               '字典的前缀 `sequential0_` 是外层 `Sequential` 的名字')
    net = book_first_mlp()
    params = net.collect_params()
    assert params.prefix == net.prefix == 'sequential0_'
    outer = nn.Sequential()
    outer.add(net)  # nested one level deeper: still every parameter
    assert list(outer.collect_params().keys()) == list(params.keys()) == [
        'dense0_weight', 'dense0_bias', 'dense1_weight', 'dense1_bias']


def test_01_collect_params_selects_by_regular_expression():
    """01, cell 23: "`collect_params` 还可以用正则表达式挑选参数，例如只要权重"."""
    says('01', '`collect_params` 还可以用正则表达式挑选参数，例如只要权重')
    net = book_first_mlp()
    assert list(net.collect_params('.*weight').keys()) == ['dense0_weight', 'dense1_weight']


def test_01_three_ways_to_one_parameter_and_full_names_only():
    """01, cells 25 and 27: "下面核对三种写法得到的是同一个对象" and "键必须是完整的参数名，只写
    `weight` 会得到 `KeyError`"."""
    says('01', '于是取同一个参数有三种写法')
    says('01', '键必须是完整的参数名，只写 `weight` 会得到 `KeyError`')
    net = book_first_mlp()
    by_name = net.collect_params()['dense0_weight']
    assert net[0].weight is by_name is net.collect_params('dense0_.*')['dense0_weight']
    with pytest.raises(KeyError):
        net.collect_params()['weight']


def test_01_names_depend_on_the_order_of_construction():
    """01, cell 27: "缺点是名字取决于构造顺序（见上文的全局计数器）"."""
    from mxnet.gluon import nn
    says('01', '缺点是名字取决于构造顺序（见上文的全局计数器）')
    nn.Dense(3)  # one layer built before: the book's net gets other names
    assert 'dense0_weight' not in book_first_mlp().collect_params().keys()


def nested_rgnet():
    """01, cell 30: block2 (four block1) and an output layer, as the notebook builds it."""
    from mxnet.gluon import nn

    def block1():
        net = nn.Sequential()
        net.add(nn.Dense(32, activation='relu'))
        net.add(nn.Dense(16, activation='relu'))
        return net

    def block2():
        net = nn.Sequential()
        for _ in range(4):
            net.add(block1())
        return net

    rgnet = nn.Sequential()
    rgnet.add(block2())
    rgnet.add(nn.Dense(10))
    rgnet.initialize()
    return rgnet


def test_01_the_nested_net_has_nine_dense_layers_and_eighteen_parameters():
    """01, cell 31: "4 个 `block1` 各有两层，再加上输出层，一共 9 个 `Dense` 层、18 个参数。
    参数名按构造顺序从 `dense2` 开始"."""
    from mxnet import nd
    says('01', '一共 9 个 `Dense` 层、18 个参数。')
    says('01', '参数名按构造顺序从 `dense2` 开始，因为 `dense0` 和 `dense1` 已经被上面的 `net` '
               '用掉了')
    book_first_mlp()
    rgnet = nested_rgnet()
    rgnet(nd.ones((2, 20)))
    names = list(rgnet.collect_params().keys())
    assert len(names) == 18 and names[0] == 'dense2_weight' and names[-1] == 'dense10_bias'


def test_01_nested_indexing():
    """01, cell 33: "`rgnet[0][1][0]` 是：第一个子块（`block2`）里的第二个 `block1`，
    再取其中的第一层。它的偏差是 32 个 0"."""
    from mxnet import nd
    says('01', '`rgnet[0][1][0]` 是：第一个子块（`block2`）里的第二个 `block1`，再取其中的第一层。'
               '它的偏差是 32 个 0')
    rgnet = nested_rgnet()
    rgnet(nd.ones((2, 20)))
    layer = rgnet[0][1][0]
    assert layer is rgnet[0]._children['1']._children['0'] and layer._units == 32
    bias = layer.bias.data()
    assert bias.shape == (32,) and bias.abs().sum() == 0


def test_01_initialize_on_one_layer_touches_only_that_layer_and_needs_force_reinit():
    """01, cell 35: "`initialize` 也可以只作用于一个层（它的 `collect_params()`）" and
    "不加它，MXNet 只发出警告、不改动参数"."""
    from mxnet import init, nd
    says('01', '`initialize` 也可以只作用于一个层（它的 `collect_params()`）')
    says('01', '不加它，MXNet 只发出警告、不改动参数（4.2.2 节演示）')
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    first = net[0].weight.data().copy()
    with pytest.warns(UserWarning, match='already initialized'):
        net[1].initialize(init=init.Constant(42))
    assert (net[1].weight.data() == 42).sum() == 0
    net[1].initialize(init=init.Constant(42), force_reinit=True)
    assert (net[1].weight.data() == 42).min() == 1 and (net[0].weight.data() == first).min() == 1

# ---- 02 初始化模型参数 -------------------------------------------------------------------------


def test_02_the_default_is_uniform_0_07_and_zero_biases():
    """02, cell 0: "`initialize()` 默认把权重在 [-0.07, 0.07] 上均匀采样，偏差则是 0"."""
    from mxnet import nd
    says('02', '`initialize()` 默认把权重在 [-0.07, 0.07] 上均匀采样，偏差则是 0')
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    weight = net[0].weight.data()
    assert 0.069 < weight.abs().max().asscalar() <= 0.07
    assert net[0].bias.data().abs().sum() == 0 and net[1].bias.data().abs().sum() == 0


def test_02_section_3_15_comes_before_4_2():
    """02, cell 0: "道理在前面的 [3.15 节“数值稳定性和模型初始化”](…chapter_deep-learning-basics/num
    erical-stability-and-init.html) 中讲过":
    the book points back to it, in the chapter before (deep-learning-basics, chapter 3)."""
    says('02', '道理在前面的 [3.15 节“数值稳定性和模型初始化”](https://zh-v1.d2l.ai/chapter_deep-le'
               'arning-basics/numerical-stability-and-init.html) 中讲过')
    book_says('我们在[“数值稳定性和模型初始化”](../chapter_deep-learning-basics/numerical-stability'
              '-and-init.md)一节中描述了模型的默认初始化方法')


def test_02_initialize_again_warns_once_per_parameter_and_changes_nothing():
    """02, cell 5: "再调用 `initialize()` 时，MXNet 不改动参数，只给出警告（每个参数一条
    `UserWarning`；源码 …
    `Parameter.initialize` 开头的 `if self._data is not None and not force_reinit`）"."""
    import warnings

    from mxnet import init, nd
    from mxnet.gluon import Parameter
    says('02', '一个已经初始化过的网络再调用 `initialize()` 时，MXNet 不改动参数，'
               '只给出警告（每个参数一条 `UserWarning`；')
    says('02', '- 对已初始化的参数再次初始化要用 `force_reinit=True`，否则 MXNet 只发出警告、'
               '不改动参数。')
    assert 'if self._data is not None and not force_reinit:' in mxnet_source(Parameter.initialize)
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    before = [p.data().copy() for p in net.collect_params().values()]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        net.initialize(init=init.Normal(sigma=0.01))
    assert [w.category for w in caught] == [UserWarning] * 4
    assert all((p.data() == b).min() == 1 for p, b in zip(net.collect_params().values(), before))


def test_02_normal_0_01_has_sample_std_near_0_01_and_leaves_biases_zero():
    """02, cells 7 and 9: "偏差依然是 0，原因与 4.2.1 节相同：偏差自己的初始化器 `'zeros'` 优先" and
    "权重的样本标准差确实接近 0.01（第一层有 256×20 = 5120 个数）"."""
    from mxnet import init, nd
    says('02', "偏差依然是 0，原因与 4.2.1 节相同：偏差自己的初始化器 `'zeros'` 优先")
    says('02', '权重的样本标准差确实接近 0.01（第一层有 256×20 = 5120 个数）')
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    net.initialize(init=init.Normal(sigma=0.01), force_reinit=True)
    weight = net[0].weight.data().asnumpy()
    assert weight.size == 256 * 20 == 5120 and 0.0095 < weight.std() < 0.0105
    assert net[1].bias.data().abs().sum() == 0


def test_02_constant_1_sets_every_weight_to_1_but_not_the_biases():
    """02, cells 11 and 13: "用常数初始化，所有权重都等于 1" / "但偏差没有变成 1，仍然是 0"."""
    from mxnet import init, nd
    says('02', '用常数初始化，所有权重都等于 1')
    says('02', '但偏差没有变成 1，仍然是 0。')
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    net.initialize(init=init.Constant(1), force_reinit=True)
    assert all((net[i].weight.data() == 1).min() == 1 for i in (0, 1))
    assert all(net[i].bias.data().abs().sum() == 0 for i in (0, 1))


def test_02_the_given_initializer_is_called_for_every_parameter_but_decides_only_some():
    """02, cell 13: "`net.initialize(init)` 给的初始化器只决定**自己没有初始化器**的参数的值（它的
    `__call__` 对每个参数都会被调用，但遇到参数自己的初始化器就交给那一个"."""
    from mxnet import init, nd
    says('02', '给的初始化器只决定**自己没有初始化器**的参数的值（它的 `__call__` '
               '对每个参数都会被调用，但遇到参数自己的初始化器就交给那一个')
    called = []

    class Recording(init.Constant):
        def __call__(self, desc, arr):
            called.append(str(desc))
            super().__call__(desc, arr)

    net = book_first_mlp()
    net(nd.ones((2, 20)))
    net.initialize(Recording(3), force_reinit=True)
    assert called == ['dense0_weight', 'dense0_bias', 'dense1_weight', 'dense1_bias']
    assert (net[1].weight.data() == 3).min() == 1 and net[1].bias.data().abs().sum() == 0


def test_02_default_init_and_the_parameters_own_init_in_the_source():
    """02, cell 13: "`ParameterDict.initialize` 把它作为 `default_init` 交给每个参数，
    `Parameter.initialize` 中 `init = default_init if self.init is None else self.init`"
    and "`Dense` 的权重没有自己的初始化器（`weight_initializer=None`），偏差有（`bias_initializer='z
    eros'`，`gluon/nn/basic_layers.py`）"."""
    from mxnet.gluon import Parameter, ParameterDict, nn
    says('02', '`ParameterDict.initialize` 把它作为 `default_init` 交给每个参数，'
               '`Parameter.initialize` 中 `init = default_init if self.init is None else '
               'self.init`')
    says('02', "`Dense` 的权重没有自己的初始化器（`weight_initializer=None`），"
               "偏差有（`bias_initializer='zeros'`，`gluon/nn/basic_layers.py`）")
    hand_on = 'v.initialize(None, ctx, init, force_reinit=force_reinit)'
    assert hand_on in mxnet_source(ParameterDict.initialize)
    assert inspect.signature(Parameter.initialize).parameters.keys() >= {'init', 'default_init'}
    choice = 'init = default_init if self.init is None else self.init'
    assert choice in mxnet_source(Parameter.initialize)
    defaults = inspect.signature(nn.Dense).parameters
    assert defaults['weight_in'
                    'itializer'].default is None and defaults['bias_initializer'].default == 'zeros'
    assert inspect.getsourcefile(nn.Dense).endswith('gluon/nn/basic_layers.py')
    layer = nn.Dense(10, in_units=4)
    assert layer.weight.init is None and layer.bias.init == 'zeros'


def test_02_xavier_is_uniform_within_its_bound_for_20_inputs_and_256_outputs():
    """02, cells 15, 17 and 19: "MXNet 默认的 Xavier 是均匀分布，范围 ±sqrt(3 / ((20 + 256) / 2)) ≈
    ±0.147" and
    "Xavier 也是平顶，但更宽，宽度由输入个数 20 和输出个数 256 决定"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('02', 'MXNet 默认的 Xavier 是均匀分布，范围 ±sqrt(3 / ((20 + 256) / 2)) ≈ ±0.147')
    says('02', 'Xavier 也是平顶，但更宽，宽度由输入个数 20 和输出个数 256 决定')
    xavier = init.Xavier()
    assert (xavier.rnd_type, xavier.factor_type, xavier.magnitude) == ('uniform', 'avg', 3)
    bound = (3 / ((20 + 256) / 2)) ** 0.5
    assert round(bound, 3) == 0.147

    def widest(in_units, units=256):
        layer = nn.Dense(units, in_units=in_units)
        layer.initialize(init.Xavier())
        return layer.weight.data().abs().max().asscalar()

    assert bound * 0.99 < widest(20) <= bound
    assert widest(200) < 0.9 * bound  # another input count, another width


def test_02_normal_is_narrower_than_uniform():
    """02, cell 19: "默认的均匀分布是 [-0.07, 0.07] 上的平顶；正态分布是钟形且窄得多"."""
    from mxnet import init, nd
    says('02', '默认的均匀分布是 [-0.07, 0.07] 上的平顶；正态分布是钟形且窄得多')
    data = nd.zeros((256, 20))
    init.Normal(sigma=0.01)._init_weight('w', data)
    normal = data.asnumpy()
    init.Uniform()._init_weight('w', data)
    uniform = data.asnumpy()
    assert normal.std() < uniform.std() / 3
    # bell: most of the normal sample within one sigma; flat: uniform about evenly spread
    assert 0.6 < (abs(normal) < 0.01).mean() < 0.75 and 0.45 < (abs(uniform) < 0.035).mean() < 0.55

# ---- 03 自定义初始化方法 -----------------------------------------------------------------------


def my_init_class():
    """03, cell 6: the book's ``MyInit``, as the notebook defines it (its code cell, run)."""
    from mxnet import init, nd
    namespace = {'init': init, 'nd': nd}
    code = cell_code_saying('03', 'class MyInit(init.Initializer):')
    exec(code.split('\n\nnet.initialize')[0], namespace)  # the class only, not the cell's net
    return namespace['MyInit']


def test_03_the_example_is_the_books():
    """03, cell 0: "本笔记本实现原书的例子：令权重有一半概率初始化为 0，有另一半概率初始化为 [-10,
    -5] 和 [5, 10] 两个区间里均匀分布的随机数"."""
    says('03', '本笔记本实现原书的例子：令权重有一半概率初始化为 0，有另一半概率初始化为 [-10, -5] '
               '和 [5, 10] 两个区间里均匀分布的随机数')
    book_says('令权重有一半概率初始化为0，有另一半概率初始化为$[-10,-5]$和$[5,10]$两个区间里均匀分'
              '布的随机数')


def test_03_my_init_prints_once_per_weight_and_never_for_biases():
    """03, cells 5 and 9: "它的 `_init_weight` 每被调用一次就打印参数名和形状 …：两层的权重各一次"
    and
    "注意只打印了两行，偏差没有经过 `MyInit` 的 `_init_weight`"."""
    from mxnet import nd
    says('03', '它的 `_init_weight` 每被调用一次就打印参数名和形状，'
               '所以能看到它给哪些参数算出了数值：两层的权重各一次')
    says('03', '注意只打印了两行，偏差没有经过 `MyInit` 的 `_init_weight`')
    import contextlib
    import io
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        net.initialize(my_init_class()(), force_reinit=True)
    assert printed.getvalue().splitlines() == ['Init dense0_weight'
                                               ' (256, 20)', 'Init dense1_weight (10, 256)']
    assert net[0].bias.data().abs().sum() == 0 and net[1].bias.data().abs().sum() == 0


def test_03_my_init_zeroes_about_half_and_keeps_5_to_10():
    """03, cells 5, 18 and 20: "先在 [-10, 10] 上均匀采样，再把绝对值小于 5 的数置 0" and
    "0 处一根高柱（大约一半的权重），两侧各一个平顶，(-5, 5) 之间除了 0 以外是空的"."""
    from mxnet import nd
    says('03', '先在 [-10, 10] 上均匀采样，再把绝对值小于 5 的数置 0')
    says('03', '0 处一根高柱（大约一半的权重），两侧各一个平顶，(-5, 5) 之间除了 0 以外是空的')
    says('03', '0 的比例接近 1/2，其余的数绝对值都在 [5, 10) 内')
    import contextlib
    import io
    data = nd.zeros((256, 20))
    with contextlib.redirect_stdout(io.StringIO()):
        my_init_class()()._init_weight('dense0_weight', data)
    values = abs(data.asnumpy())
    nonzero = values[values > 0]
    assert 0.45 < (values == 0).mean() < 0.55
    assert nonzero.min() >= 5 and nonzero.max() < 10
    # flat on each side: the two halves [5, 7.5) and [7.5, 10) hold about as many
    assert 0.9 < (nonzero < 7.5).sum() / (nonzero >= 7.5).sum() < 1.1


def test_03_minus_zero_is_a_negative_times_zero_and_equals_zero():
    """03, cell 9: "输出里的 `-0.` 是负零：`data *= data.abs() >= 5` 把绝对值小于 5 的数乘以
    0（MXNet 的比较运算给出与输入同类型的 1. 和 0.），负数乘以 0 得到浮点数的 -0.，它与 0 相等"."""
    import numpy as np
    from mxnet import nd
    says('03', '输出里的 `-0.` 是负零：`data *= data.abs() >= 5` 把绝对值小于 5 的数乘以 0'
               '（MXNet 的比较运算给出与输入同类型的 1. 和 0.），'
               '负数乘以 0 得到浮点数的 -0.，它与 0 相等')
    data = nd.array([-3.0, 3.0, -6.0])
    mask = data.abs() >= 5
    assert mask.dtype == data.dtype and mask.asnumpy().tolist() == [0.0, 0.0, 1.0]
    data *= mask
    assert np.signbit(data.asnumpy()).tolist() == [True, False, True]
    assert (data[:2] == 0).min() == 1 and '-0.' in str(data)


def test_03_parameters_own_init_decides_its_values():
    """03, cell 11: "而 `net.initialize(MyInit())` 中的 `MyInit()`
    只给自己没有初始化器的参数算数值（`gluon/parameter.py`：`init = default_init if self.init is
    None else self.init`）。所以偏差由 `'zeros'` 初始化，仍然全是 0"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('03', '中的 `MyInit()` 只给自己没有初始化器的参数算数值（`gluon/parameter.py`：`init = '
               'default_init if self.init is None else self.init`）。所以偏差由 `\'zeros\'` '
               '初始化，仍然全是 0')
    layer = nn.Dense(3, in_units=2)
    layer.initialize(init.Constant(9))
    assert (layer.weight.data() == 9).min() == 1 and layer.bias.data().abs().sum() == 0


def test_03_gluon_calls_the_default_initializer_with_the_parameters_own_as_init():
    """03, cell 11: "Gluon 初始化一个参数时执行的是 `initializer.create(default_init)(initializer.In
    itDesc(self.name, {'__init__': init}), data)`（`gluon/parameter.py` 的 `_finish_deferred_init`）
    " and
    "所以 `initialize()` 给出的初始化器的 `__call__` 对**每个**参数都会被调用"."""
    from mxnet import init
    from mxnet.gluon import Parameter, nn
    says('03', "`initializer.create(default_init)(initializer.InitDesc(self.name, {'__init__': "
               "init}), data)`（`gluon/parameter.py` 的 `_finish_deferred_init`）")
    says('03', '所以 `initialize()` 给出的初始化器的 `__call__` 对**每个**参数都会被调用')
    source = re.sub(r'\s+', '', mxnet_source(Parameter._finish_deferred_init))
    call = ("initializer.create(default_init)"
            "(initializer.InitDesc(self.name,{'__init__':init}),data)")
    assert call in source
    seen = []

    class Spy(init.Uniform):
        def __call__(self, desc, arr):
            seen.append((str(desc), desc.attrs['__init__']))
            super().__call__(desc, arr)

    spy = Spy()
    layer = nn.Dense(3, in_units=2)
    layer.initialize(spy)
    assert seen == [('dense0_weight', spy), ('dense0_bias', 'zeros')]


def test_03_call_with_init_goes_to_init_weight_whatever_the_name():
    """03, cell 11: "`Initializer.__call__`（`initializer.py`）看到 `__init__` 就调用 **`init` 的
    `_init_weight`**，不论参数叫 `weight` 还是 `bias`。
    按名字后缀分派到 `_init_weight`、`_init_bias` 的那段代码只在没有 `__init__` 时才走到，而 Gluon
    的参数总是带着它"."""
    from mxnet import init, nd
    says('03', '看到 `__init__` 就调用 **`init` 的 `_init_weight`**，不论参数叫 `weight` 还是 '
               '`bias`')
    says('03', '按名字后缀分派到 `_init_weight`、`_init_bias` 的那段代码只在没有 `__init__` '
               '时才走到，而 Gluon 的参数总是带着它')
    assert 'create(init)._init_weight(desc, arr)' in mxnet_source(init.Initializer.__call__)
    calls = []

    class Which(init.Initializer):
        def _init_weight(self, name, arr):
            calls.append(('_init_weight', str(name)))

        def _init_bias(self, name, arr):
            calls.append(('_init_bias', str(name)))

    which = Which()
    which(init.InitDesc('layer_bias', {'__init__': which}), nd.zeros(2))
    which(init.InitDesc('layer_bias'), nd.zeros(2))  # no __init__: dispatched by the name
    assert calls == [('_init_weight', 'layer_bias'), ('_init_bias', 'layer_bias')]


def verbose_init_class():
    """03, cell 12: ``VerboseInit`` as the notebook defines it (the class part of its cell)."""
    from mxnet import init
    namespace = {'init': init}
    code = cell_code_saying('03', 'class VerboseInit(init.Initializer):')
    exec(code.split('\n\nlayer = ')[0], namespace)
    return namespace['VerboseInit']


def run_printing(function):
    """What ``function()`` prints, as a list of lines (its value is dropped)."""
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        function()
    return [' '.join(line.split()) for line in printed.getvalue().splitlines()]


def test_03_a_bias_with_own_zeros_is_cleared_by_zeros_init_weight(monkeypatch):
    """03, cell 13: "`VerboseInit` 的 `__call__` 对两个参数都被调用了，但只有权重经过了它的
    `_init_weight`：偏差带着自己的 `__init__ = zeros`，`__call__` 就把它交给 `init.Zero()` 的
    `_init_weight` 清零"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('03', '`VerboseInit` 的 `__call__` 对两个参数都被调用了，但只有权重经过了它的 '
               '`_init_weight`：'
               '偏差带着自己的 `__init__ = zeros`，'
               '`__call__` 就把它交给 `init.Zero()` 的 `_init_weight` 清零')
    zeroed = []
    original = init.Zero._init_weight

    def spy(self, name, arr):
        zeroed.append(str(name))
        original(self, name, arr)

    monkeypatch.setattr(init.Zero, '_init_weight', spy)
    layer = nn.Dense(3, in_units=2)
    lines = run_printing(lambda: layer.initialize(verbose_init_class()()))
    assert lines == ['__call__ dense0_weight __init__ = VerboseInit', '_init_weight dense0_weight',
                     '__call__ dense0_bias __init__ = zeros']
    assert zeroed == ['dense0_bias'] and layer.bias.data().abs().sum() == 0


def test_03_without_its_own_initializer_the_bias_gets_init_weight_not_init_bias():
    """03, cell 13: "这时偏差也交给 `VerboseInit`，但调用的是 `_init_weight`，`_init_bias`
    一次也没有被调用，偏差成了 1 而不是 7"."""
    from mxnet.gluon import nn
    says('03', '这时偏差也交给 `VerboseInit`，但调用的是 `_init_weight`，`_init_bias` '
               '一次也没有被调用，偏差成了 1 而不是 7')
    layer = nn.Dense(3, in_units=2, bias_initializer=None)
    lines = run_printing(lambda: layer.initialize(verbose_init_class()()))
    assert not any(line.startswith('_init_bias') for line in lines)
    assert '_init_weight dense0_bias' in lines and (layer.bias.data() == 1).min() == 1


def test_03_a_bias_initializer_or_initializing_the_bias_works_init_bias_does_not():
    """03, cell 15: "要在构造层时给出 `bias_initializer`（例如 `bias_initializer=init.Constant(7)`）
    ，或者对偏差这个参数单独调用 `initialize(init=..., force_reinit=True)`；在自定义初始化器里写
    `_init_bias` 没有用"."""
    from mxnet import init
    from mxnet.gluon import nn
    says('03', '或者对偏差这个参数单独调用 `initialize(init=..., force_reinit=True)`；'
               '在自定义初始化器里写 `_init_bias` 没有用')
    VerboseInit = verbose_init_class()
    built = nn.Dense(3, in_units=2, bias_initializer=init.Constant(7))
    run_printing(lambda: built.initialize(VerboseInit()))
    later = nn.Dense(3, in_units=2)
    run_printing(lambda: later.initialize(VerboseInit()))
    assert later.bias.data().abs().sum() == 0  # VerboseInit._init_bias (7) was not used
    later.bias.initialize(init=init.Constant(7), force_reinit=True)
    assert (built.bias.data() == 7).min() == 1 and (later.bias.data() == 7).min() == 1


def test_03_set_data_adds_one_so_zeros_become_ones():
    """03, cell 22: "把第一层的全部权重加 1，原来的 0 都变成了 1"."""
    from mxnet import nd
    says('03', '例如把第一层的全部权重加 1，原来的 0 都变成了 1')
    net = book_first_mlp()
    net(nd.ones((2, 20)))
    run_printing(lambda: net.initialize(my_init_class()(), force_reinit=True))
    before = net[0].weight.data().copy()
    net[0].weight.set_data(net[0].weight.data() + 1)
    after = net[0].weight.data()
    assert ((after - before) == 1).min() == 1 and ((before == 0) == (after == 1)).min() == 1

# ---- 04 共享模型参数 ---------------------------------------------------------------------------


def book_shared_mlp():
    """The book's shared-layer network (4.2.4, n=14), built anew and initialized; and its
    ``shared``."""
    from mxnet.gluon import nn
    net = nn.Sequential()
    shared = nn.Dense(8, activation='relu')
    net.add(nn.Dense(8, activation='relu'),
            shared,
            nn.Dense(8, activation='relu', params=shared.params),
            nn.Dense(10))
    net.initialize()
    return net, shared


def test_04_sharing_means_shared_in_forward_and_backward_as_the_book_says():
    """04, cell 0: "如果不同层使用同一份参数，那么它们在前向计算和反向传播时都会共享相同的参数"
    (the book's sentence)."""
    from mxnet import autograd, nd
    says('04', '如果不同层使用同一份参数，那么它们在前向计算和反向传播时都会共享相同的参数')
    book_says('如果不同层使用同一份参数，那么它们在前向计算和反向传播时都会共享相同的参数')
    net, _ = book_shared_mlp()
    with autograd.record():
        loss = net(nd.random.uniform(shape=(2, 20))).sum()
    loss.backward()
    assert net[1].weight.data() is net[2].weight.data()
    assert net[1].weight.grad() is net[2].weight.grad()


def test_04_the_books_example_compares_row_0():
    """04, cell 3: "原书的例子 …" and "原书比较的是两层权重的第一行（`[0]`），逐元素比较的结果全是
    1（相等）"."""
    from mxnet import nd
    index = says('04', '原书比较的是两层权重的第一行（`[0]`），逐元素比较的结果全是 1（相等）')
    code = nbformat.read(notebook_path('04'), as_version=4).cells[index + 1].source
    book_says(code.split('\n\n', 1)[1])  # all but the cell's import lines
    net, _ = book_shared_mlp()
    net(nd.random.uniform(shape=(2, 20)))
    assert (net[1].weight.data()[0] == net[2].weight.data()[0]).asnumpy().tolist() == [1.0] * 8


def test_04_one_parameter_one_data_array_one_gradient_array():
    """04, cell 5: "两层持有的是**同一个** `Parameter` 对象，因而只有一份数据数组和一份梯度数组"."""
    from mxnet import nd
    says('04', '两层持有的是**同一个** `Parameter` 对象，因而只有一份数据数组和一份梯度数组')
    net, shared = book_shared_mlp()
    net(nd.ones((2, 20)))
    assert net[1].weight is net[2].weight is shared.weight
    assert net[1].weight.list_data() == net[2].weight.list_data()
    assert len(net[2].weight.list_data()) == 1
    assert net[1].weight.grad() is net[2].weight.grad()


def test_04_six_parameters_named_by_construction_order():
    """04, cell 7: "所以整个网络只有 6 个参数而不是 8 个。注意编号：`shared` 比第一层先构造，
    所以它叫 `dense0`，第一层叫 `dense1`；
    第三层（`dense2`）没有自己的参数，它用的是 `shared` 的 `dense0_weight` 和 `dense0_bias`"."""
    says('04', '所以整个网络只有 6 个参数而不是 8 个。注意编号：`shared` 比第一层先构造，所以它叫 '
               '`dense0`，第一层叫 `dense1`')
    says('04', '第三层（`dense2`）没有自己的参数，它用的是 `shared` 的 `dense0_weight` 和 '
               '`dense0_bias`')
    net, shared = book_shared_mlp()
    assert [layer.name for layer in net] == ['dense1', 'dense0', 'dense2', 'dense3']
    assert list(net[2].params.keys()) == ['dense0_weight', 'dense0_bias']
    assert net[2].weight is shared.weight and net[2].bias is shared.bias
    assert len(net.collect_params().keys()) == 6


def test_04_changing_one_element_changes_the_other_layer():
    """04, cell 9: "改动一层权重的一个元素，另一层跟着变，因为它们是同一块内存"."""
    from mxnet import nd
    says('04', '改动一层权重的一个元素，另一层跟着变，因为它们是同一块内存')
    net, _ = book_shared_mlp()
    net(nd.ones((2, 20)))
    net[1].weight.data()[0, 0] = 100
    assert net[2].weight.data()[0, 0].asscalar() == 100


def test_04_the_books_sentence_on_accumulated_gradients_and_what_the_run_record_adds():
    """04, cell 11: "原书在这个例子后写道：“因为模型参数里包含了梯度，所以在反向传播计算时，
    第二隐藏层和第三隐藏层的梯度都会被累加在`shared.params.grad()`里。”"
    and "这句话不是原书正文" (the run record's "…梯度也相同")."""
    says('04', '原书在这个例子后写道：“因为模型参数里包含了梯度，所以在反向传播计算时，'
               '第二隐藏层和第三隐藏层的梯度都会被累加在`shared.params.grad()`里。”')
    says('04', '这句话不是原书正文')
    book_says('因为模型参数里包含了梯度，所以在反向传播计算时，'
              '第二隐藏层和第三隐藏层的梯度都会被累加在`shared.params.grad()`里。')
    assert '梯度也相同' not in BOOK_V1.read_text(encoding='utf-8')


def test_04_parameterdict_has_no_grad():
    """04, cell 11: "原书写的 `shared.params.grad()` 在 MXNet 1.9.1 中并不存在（`ParameterDict`
    没有 `grad` 方法），应读作 `shared.weight.grad()` 和 `shared.bias.grad()`"."""
    from mxnet import nd
    says('04', '原书写的 `shared.params.grad()` 在 MXNet 1.9.1 中并不存在（`ParameterDict` 没有 '
               '`grad` 方法），应读作 `shared.weight.grad()` 和 `shared.bias.grad()`')
    net, shared = book_shared_mlp()
    net(nd.ones((2, 20)))
    with pytest.raises(AttributeError):
        shared.params.grad()
    assert shared.weight.grad().shape == (8, 8) and shared.bias.grad().shape == (8,)


def test_04_the_gradient_check_runs_on_a_net_built_anew():
    """04, cell 13: "上面为了演示，把 `net` 的一个权重改成了 100；为了在没有改动过的网络上验证，
    先重新构造一个同样的共享网络"."""
    index = says('04', '上面为了演示，把 `net` 的一个权重改成了 100；为了在没有改动过的网络上验证，'
                       '先重新构造一个同样的共享网络')
    cells = nbformat.read(notebook_path('04'), as_version=4).cells
    assert any('[0, 0] = 100' in c.source for c in cells[:index] if c.cell_type == 'code')
    check = cells[index + 1].source
    assert check.index('net = '
                       'nn.Sequentia'
                       'l()') < check.index('net.initialize()') < check.index('backward()')
    assert not any('= 100' in c.source for c in cells[index:] if c.cell_type == 'code')


def test_04_the_shared_gradient_is_the_sum_of_both_uses_and_far_from_either():
    """04, cells 11, 15 and 17: ∂L/∂W = ∂L/∂W⁽²⁾ + ∂L/∂W⁽³⁾; "两个网络计算的是同一个函数";
    "共享权重的梯度等于它们的和 …，
    而与任何一个单独的梯度都明显不同：差的最大值与梯度本身的最大值是同一个量级"."""
    from mxnet import autograd, nd
    from mxnet.gluon import nn
    says('04', '两个网络计算的是同一个函数，输出应当一致')
    says('04', '而与任何一个单独的梯度都明显不同：差的最大值与梯度本身的最大值是同一个量级')
    net, _ = book_shared_mlp()
    X = nd.random.uniform(shape=(2, 20))
    with autograd.record():
        net(X).sum().backward()
    shared_grad = net[1].weight.grad().copy()
    untied = nn.Sequential()
    untied.add(*[nn.Dense(8, activation='relu') for _ in range(3)], nn.Dense(10))
    untied.initialize()
    untied(X)
    for copy, source in zip(untied, net):
        copy.weight.set_data(source.weight.data())
        copy.bias.set_data(source.bias.data())
    assert (untied(X) - net(X)).abs().max().asscalar() < 1e-6
    with autograd.record():
        untied(X).sum().backward()
    second, third = untied[1].weight.grad(), untied[2].weight.grad()
    assert (shared_grad - (second + third)).abs().max().asscalar() < 1e-6
    scale = shared_grad.abs().max().asscalar()
    for alone in (second, third):
        assert (shared_grad - alone).abs().max().asscalar() > 0.1 * scale


def test_04_a_trainer_updates_a_shared_parameter_once_by_the_summed_gradient():
    """04, cell 21: "共享参数每一步只更新一次（`Trainer` 拿到的是 `collect_params()`，
    上面看到其中每个共享参数只出现一次），更新量由两处的梯度之和决定"."""
    from mxnet import autograd, gluon, nd
    says('04', '共享参数每一步只更新一次（`Trainer` 拿到的是 `collect_params()`，'
               '上面看到其中每个共享参数只出现一次），更新量由两处的梯度之和决定')
    net, shared = book_shared_mlp()
    X = nd.random.uniform(shape=(2, 20))
    net(X)
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': 1.0})
    assert sum(p is shared.weight for p in trainer._params) == 1
    before = shared.weight.data().copy()
    with autograd.record():
        net(X).sum().backward()
    summed = shared.weight.grad().copy()
    trainer.step(1)
    assert (shared.weight.data() - (before - summed)).abs().max().asscalar() < 1e-7

# ---- 05 练习 -----------------------------------------------------------------------------------

# ---- 06 拓展 A -----------------------------------------------------------------------------------

# ---- 07 拓展 B -----------------------------------------------------------------------------------

# ---- 08 拓展 C -----------------------------------------------------------------------------------


def tied_decoder_class():
    """08, cell 6: the notebook's ``TiedDecoder``, defined by running its code cell."""
    from mxnet import init, nd
    from mxnet.gluon import nn
    namespace = {'init': init, 'nd': nd, 'nn': nn}
    exec(cell_code_saying('08', 'class TiedDecoder(nn.Block):'), namespace)
    return namespace['TiedDecoder']


def test_08_params_refuses_a_parameter_of_another_shape_at_construction():
    """08, cell 3: "把编码器的参数交给解码器，`ParameterDict.get` 发现同名参数的形状不符，
    构造层时就拒绝了"."""
    import traceback

    from mxnet.gluon import nn
    says('08', '把编码器的参数交给解码器，`ParameterDict.get` 发现同名参数的形状不符，'
               '构造层时就拒绝了')
    encoder = nn.Dense(64, activation='sigmoid', in_units=784)
    with pytest.raises(AssertionError, match="attribute 'shape'") as info:
        nn.Dense(784, in_units=64, params=encoder.params)
    assert traceback.extract_tb(info.tb)[-1].name == 'get'


def test_08_an_assigned_parameter_goes_to_reg_params_not_to_collect_params():
    """08, cells 5 and 7: "`Block.__setattr__` 把赋给属性的 `Parameter` 记在块的 `_reg_params`
    里（`gluon/block.py`）" …
    "但它**不**因此成为解码器 `collect_params()` 中的参数：`collect_params()` 只收集块的
    `self.params` 和子块的参数，不看 `_reg_params`"
    and "于是偏差叫 `tieddecoder0_bias`"."""
    from mxnet.gluon import Block, nn
    says('08', '`Block.__setattr__` 把赋给属性的 `Parameter` 记在块的 `_reg_params` '
               '里（`gluon/block.py`）')
    says('08', '`collect_params()` 只收集块的 `self.params` 和子块的参数，不看 `_reg_params`')
    says('08', '于是偏差叫 `tieddecoder0_bias`')
    assert 'self._reg_params[name] = value' in mxnet_source(Block.__setattr__)
    collect = mxnet_source(Block.collect_params)
    assert 'ret.update(self.params)' in collect and '_reg_params' not in collect
    encoder = nn.Dense(64, activation='sigmoid', in_units=784)
    decoder = tied_decoder_class()(encoder)
    assert decoder._reg_params['weight'] is encoder.weight
    assert list(decoder.collect_params().keys()) == ['tieddecoder0_bias']


def test_08_a_decoder_alone_neither_initializes_nor_trains_the_weight():
    """08, cell 7: "单独用解码器时，`decoder.initialize()` 不会初始化这个权重，
    `gluon.Trainer(decoder.collect_params(), ...)` 也永远不会更新它"."""
    from mxnet import gluon
    from mxnet.gluon import nn
    says('08', '所以单独用解码器时，`decoder.initialize()` 不会初始化这个权重，'
               '`gluon.Trainer(decoder.collect_params(), ...)` 也永远不会更新它')
    encoder = nn.Dense(4, in_units=6)
    decoder = tied_decoder_class()(encoder)
    decoder.initialize()
    assert encoder.weight._data is None and decoder.bias._data is not None
    trainer = gluon.Trainer(decoder.collect_params(), 'sgd', {'learning_rate': 1.0})
    assert encoder.weight not in trainer._params


def test_08_the_autoencoder_trains_the_weight_through_the_encoder_child():
    """08, cell 14: "这个自编码器能照常初始化和训练，是因为编码器是同一个 `Sequential` 的子块：
    `net.collect_params()` 经由 `net[0]` 收到了这个权重" …
    "（若只把解码器交给 `Trainer`，这个权重就不会被更新）" and "只有 3 个参数数组"."""
    from mxnet import autograd, gluon, init, nd
    from mxnet.gluon import nn
    says('08', '是因为编码器是同一个 `Sequential` 的子块：`net.collect_params()` 经由 `net[0]` '
               '收到了这个权重')
    says('08', '若只把解码器交给 `Trainer`，这个权重就不会被更新')
    X = nd.random.uniform(shape=(5, 6))

    def one_step(params_of):
        encoder = nn.Dense(4, activation='sigmoid', in_units=6)
        net = nn.Sequential()
        net.add(encoder, tied_decoder_class()(encoder))
        net.initialize(init.Xavier())
        trainer = gluon.Trainer(params_of(net), 'sgd', {'learning_rate': 1.0})
        before = encoder.weight.data().copy()
        with autograd.record():
            ((net(X) - X) ** 2).sum().backward()
        trainer.step(1, ignore_stale_grad=True)
        return net, (encoder.weight.data() - before).abs().max().asscalar()

    net, moved = one_step(lambda net: net.collect_params())
    assert len(net.collect_params().keys()) == 3 and moved > 0
    _, moved_decoder_only = one_step(lambda net: net[1].collect_params())
    assert moved_decoder_only == 0


def test_08_name_scope_names_children_by_the_block_and_only_children():
    """08, cell 9: "它不影响 `self.params.get` 创建的参数（那些已经带着块的前缀），
    管的是在它里面**构造的子块**：
    子块从这个块的计数器取名，名字前加上块的前缀；在它外面构造的子块则从全局计数器取名" and
    "（原书的代码没有用它）"."""
    from mxnet.gluon import nn
    says('08', '它不影响 `self.params.get` 创建的参数（那些已经带着块的前缀），'
               '管的是在它里面**构造的子块**')
    says('08', '子块从这个块的计数器取名，名字前加上块的前缀；在它外面构造的子块则从全局计数器取名')
    says('08', '（原书的代码没有用它）')
    assert 'name_scope' not in BOOK_V1.read_text(encoding='utf-8')
    namespace = {'nn': nn}
    exec(cell_code_saying('08', 'class WithScope(nn.Block):').rsplit('\n\n', 1)[0], namespace)
    nn.Dense(3)  # a layer built outside first: the global counter moves on
    with_scope, without = namespace['WithScope'](), namespace['WithoutScope']()
    assert list(with_scope.collect_params().keys()) == [
        'withscope0_bias', 'withscope0_dense0_weight', 'withscope0_dense0_bias']
    assert list(without.collect_params().keys()) == ['withoutscope'
                                                     '0_bias', 'dense1_weight', 'dense1_bias']


def test_08_without_name_scope_names_do_not_clash_either():
    """08, cell 11: "编号也只在块内计数，不受块外构造了多少层的影响" and
    "名字同样不会冲突（全局计数器保证每个名字只用一次），只是看不出它属于哪个块"."""
    from mxnet.gluon import nn
    says('08', '编号也只在块内计数，不受块外构造了多少层的影响')
    says('08', '名字同样不会冲突（全局计数器保证每个名字只用一次），只是看不出它属于哪个块')
    namespace = {'nn': nn}
    exec(cell_code_saying('08', 'class WithScope(nn.Block):').rsplit('\n\n', 1)[0], namespace)
    names = [name for _ in range(3) for name in namespace['WithoutScope']().collect_params().keys()]
    assert len(names) == len(set(names)) == 9
    for _ in range(2):
        nn.Dense(3)
    assert 'withscope0_dense0_weight' in namespace['WithScope']().collect_params().keys()


def test_08_the_output_is_a_logit_and_the_loss_applies_the_sigmoid():
    """08, cell 12: "输出的是 logit，经 sigmoid 后才是像素值" (the loss takes logits:
    ``from_sigmoid=False``)."""
    from mxnet import nd
    from mxnet.gluon import loss as gloss
    says('08', '输出的是 logit，经 sigmoid 后才是像素值')
    logit, pixel = nd.array([[0.3, -2.0]]), nd.array([[0.9, 0.1]])
    p = logit.sigmoid()
    by_hand = -(pixel * p.log() + (1 - pixel) * (1 - p).log()).mean()
    assert abs(gloss.SigmoidBinaryCrossEntropyLoss()(logit, pixel) - by_hand).asscalar() < 1e-6


def test_08_tied_gradient_is_encoder_plus_decoder_transposed():
    """08, cells 22 and 24: "绑定的权重只有一个梯度数组，其中是两处使用的梯度之和：编码器处的梯度，
    加上解码器处梯度的**转置**" and
    "而不等于其中任何一个"."""
    from mxnet import autograd, init, nd
    from mxnet.gluon import nn
    says('08', '绑定的权重只有一个梯度数组，其中是两处使用的梯度之和：编码器处的梯度，'
               '加上解码器处梯度的**转置**')
    says('08', '绑定权重的梯度等于编码器梯度加上解码器梯度的转置，而不等于其中任何一个')
    X = nd.random.uniform(shape=(5, 6))
    encoder = nn.Dense(4, activation='sigmoid', in_units=6)
    net = nn.Sequential()
    net.add(encoder, tied_decoder_class()(encoder))
    net.initialize(init.Xavier())
    untied = nn.Sequential()
    untied.add(nn.Dense(4, activation='sigmoid', in_units=6), nn.Dense(6, in_units=4))
    untied.initialize()
    untied[0].weight.set_data(encoder.weight.data())
    untied[1].weight.set_data(encoder.weight.data().T)
    for model in (net, untied):
        with autograd.record():
            ((model(X) - X) ** 2).sum().backward()
    tied, enc, dec = net[0].weight.grad(), untied[0].weight.grad(), untied[1].weight.grad()
    # float32 rounding of values up to about 7: a relative 1e-6
    assert (tied - (enc + dec.T)).abs().max().asscalar() < 1e-5
    assert min((tied - enc).abs().max().asscalar(), (tied - dec.T).abs().max().asscalar()) > 1e-3


def test_08_tying_halves_the_weights():
    """08, cells 14 and 26: "若不绑定，解码器还要一个 784 × 64 的权重" and
    "绑定权重让权重的参数个数减半"."""
    from mxnet.gluon import nn
    says('08', '若不绑定，解码器还要一个 784 × 64 的权重')
    says('08', '绑定权重让权重的参数个数减半')
    encoder = nn.Dense(64, activation='sigmoid', in_units=784)
    tied = nn.Sequential()
    tied.add(encoder, tied_decoder_class()(encoder))
    untied = nn.Sequential()
    untied.add(nn.Dense(64, activation='sigmoid', in_units=784), nn.Dense(784, in_units=64))

    def weights(net):
        matrices = [p for p in net.collect_params().values() if len(p.shape) == 2]
        return sum(p.shape[0] * p.shape[1] for p in matrices)

    assert untied[1].weight.shape == (784, 64) and weights(untied) == 2 * weights(tied)

# ---- 09 拓展 D -----------------------------------------------------------------------------------


def small_shared_mlp(hidden=16, hybrid=False):
    """09, cell 4's ``shared_mlp``, smaller: Dense(hidden) on 784 inputs, a shared pair,
    Dense(10)."""
    from mxnet.gluon import nn
    net = nn.HybridSequential() if hybrid else nn.Sequential()
    shared = nn.Dense(hidden, activation='relu')
    net.add(nn.Dense(hidden, activation='relu', in_units=784),
            shared,
            nn.Dense(hidden, activation='relu', params=shared.params),
            nn.Dense(10))
    return net


def ready_shared_mlp(hidden=16, hybrid=False, **initialize):
    """``small_shared_mlp`` initialized and run once, so that every shape is known."""
    from mxnet import nd
    net = small_shared_mlp(hidden, hybrid)
    net.initialize(**initialize)
    net(nd.ones((1, 784)))
    return net


def test_09_nd_load_returns_a_list_for_an_array_or_a_list_and_a_dict_for_a_dict(tmp_path):
    """09, cell 7: "保存单个数组，读回的是只有一个元素的列表；列表读回列表；字典读回字典"."""
    from mxnet import nd
    says('09', '保存单个数组，读回的是只有一个元素的列表；列表读回列表；字典读回字典')
    x, y = nd.arange(4), nd.zeros(4)
    nd.save(str(tmp_path / 'x'), x)
    nd.save(str(tmp_path / 'xy'), [x, y])
    nd.save(str(tmp_path / 'd'), {'x': x, 'y': y})
    one, both, named = (nd.load(str(tmp_path / name)) for name in ('x', 'xy', 'd'))
    assert type(one) is list and len(one) == 1 and type(both) is list and len(both) == 2
    assert type(named) is dict and sorted(named) == ['x', 'y']


def test_09_save_parameters_names_by_structure_and_stores_shared_ones_per_layer(tmp_path):
    """09, cells 9 and 11: "`save_parameters` 按网络结构给每个参数起名：`0.weight` 是 `net[0]`
    的权重" …
    "默认情况下，共享的参数在**每个**使用它的层下各存一次 …；加上 `deduplicate=True`，
    共享的参数只存一次" and
    "两个文件相差的正是一份 256 × 256 的权重和 256 个偏差（float32，每个数 4 字节），
    再加上文件中两个条目的名字等少量开销"."""
    import os

    from mxnet import nd
    says('09', '`save_parameters` 按网络结构给每个参数起名：`0.weight` 是 `net[0]` 的权重')
    says('09', '默认情况下，共享的参数在**每个**使用它的层下各存一次')
    says('09', '两个文件相差的正是一份 256 × 256 的权重和 256 个偏差（float32，每个数 4 字节），'
               '再加上文件中两个条目的名字等少量开销')
    net = ready_shared_mlp()
    plain, dedup = str(tmp_path / 'plain.params'), str(tmp_path / 'dedup.params')
    net.save_parameters(plain)
    net.save_parameters(dedup, deduplicate=True)
    loaded = nd.load(plain)
    assert sorted(loaded) == [f'{i}.{kind}' for i in range(4) for kind in ('bias', 'weight')]
    assert (loaded['0.weight'] == net[0].weight.data()).min() == 1
    assert sorted(nd.load(dedup)) == ['0.bias', '0.wei'
                                                'ght', '2.bias', '2.weight', '3.bias', '3.weight']
    extra = os.path.getsize(plain) - os.path.getsize(dedup) - (16 * 16 + 16) * 4
    assert 0 <= extra < 200


def test_09_a_new_net_loads_without_initializing_predicts_identically_and_keeps_sharing(tmp_path):
    """09, cells 13 and 15: "构造一个同样结构的新网络，直接 `load_parameters`（不需要先初始化）。
    对同一批测试图像，它的输出与原网络逐元素**完全相等**"
    and "共享关系由网络结构决定，而不是由文件决定 … 从不去重的文件加载也一样"."""
    from mxnet import init, nd
    says('09', '构造一个同样结构的新网络，直接 `load_parameters`（不需要先初始化）。'
               '对同一批测试图像，它的输出与原网络逐元素**完全相等**')
    says('09', '共享关系由网络结构决定，而不是由文件决定：加载后 `clone[1]` 和 `clone[2]` '
               '仍然持有同一个参数。从不去重的文件加载也一样')
    net = ready_shared_mlp(init=init.Normal(sigma=0.5))
    X = nd.random.uniform(shape=(3, 784))
    for dedup in (True, False):
        path = str(tmp_path / f'{dedup}.params')
        net.save_parameters(path, deduplicate=dedup)
        clone = small_shared_mlp()
        clone.load_parameters(path)
        assert (clone(X) == net(X)).min() == 1 and clone[1].weight is clone[2].weight


def test_09_loading_into_another_shape_names_the_parameter_and_both_shapes(tmp_path):
    """09, cell 17: "参数的形状对不上，MXNet 拒绝加载，并在错误信息中指出是哪个参数、
    期望的形状和文件里的形状"."""
    says('09', '参数的形状对不上，MXNet 拒绝加载，并在错误信息中指出是哪个参数、'
               '期望的形状和文件里的形状')
    net = ready_shared_mlp()
    path = str(tmp_path / 'net.params')
    net.save_parameters(path)
    smaller = small_shared_mlp(hidden=8)
    with pytest.raises(AssertionError) as info:
        smaller.load_parameters(path)
    assert re.search(r"Parameter 'dense\d+_weight'.*expected \(8, 784\) vs saved \(16, 784\)",
                     str(info.value))


def test_09_export_needs_a_forward_and_writes_one_shared_weight(tmp_path):
    """09, cells 19 and 23: "`hybridize()` 之后做一次前向计算，`export`
    写出计算图（`-symbol.json`）和参数（`-0000.params`）两个文件" and
    "参数名是原来的全局名字，而不是 `1.weight`。共享的权重在文件里和块里都只有一个" and "（`export`
    给它们加上前缀 `arg:`）"."""
    import os

    from mxnet import gluon, nd
    says('09', '`hybridize()` 之后做一次前向计算，`export` 写出计算图（`-symbol.json`）和参数（`-00'
               '00.params`）两个文件')
    says('09', '参数名是原来的全局名字，而不是 `1.weight`。共享的权重在文件里和块里都只有一个')
    says('09', '（`export` 给它们加上前缀 `arg:`）')
    net = small_shared_mlp(hybrid=True)
    net.initialize()
    net.hybridize()
    prefix = str(tmp_path / 'mlp')
    with pytest.raises(RuntimeError, match='forward'):
        net.export(prefix)  # not yet run: no graph to write
    X = nd.random.uniform(shape=(2, 784))
    net(X)
    net.export(prefix)
    assert sorted(os.listdir(tmp_path)) == ['mlp-0000.params', 'mlp-symbol.json']
    names = [p.name for p in (net[0].weight, net[1].weight, net[3].weight)]
    assert sorted(nd.load(prefix + '-0000.params')) == sorted(
        f'arg:{n[:-len("weight")]}{end}' for n in names for end in ('weight', 'bias'))
    imported = gluon.SymbolBlock.imports(prefix + '-symbol.json', ['data'])
    imported.load_parameters(prefix + '-0000.params')
    assert sorted(imported.collect_params().keys()) == sorted(
        n[:-len('weight')] + end for n in names for end in ('weight', 'bias'))
    assert (imported(X) == net(X)).min() == 1


def test_09_data_is_one_copy_set_data_writes_every_copy():
    """09, cell 27: "`data()` 只返回一个设备上的拷贝，就地写入只改这一份；`set_data`
    写入每个设备上的拷贝（… `for arr in self._check_and_get(self._data, list): arr[:] = data`）"."""
    import mxnet as mx
    from mxnet import nd
    from mxnet.gluon import Parameter, nn
    says('09', '`data()` 只返回一个设备上的拷贝，就地写入只改这一份；`set_data` '
               '写入每个设备上的拷贝')
    every_copy = 'for arr in self._check_and_get(self._data, list):\n            arr[:] = data'
    assert every_copy in mxnet_source(Parameter.set_data)
    layer = nn.Dense(2, in_units=3)
    layer.initialize(ctx=[mx.cpu(0), mx.cpu(1)])
    layer.weight.data(mx.cpu(0))[:] = 1
    assert [(copy == 1).min().asscalar() for copy in layer.weight.list_data()] == [1, 0]
    layer.weight.set_data(nd.ones((2, 3)))
    assert [(copy == 1).min().asscalar() for copy in layer.weight.list_data()] == [1, 1]


def test_09_set_data_during_deferred_initialization_keeps_the_value_for_later():
    """09, cell 29: "参数还在延后初始化时，它记下数值，等初始化时使用"."""
    from mxnet import nd
    from mxnet.gluon import nn
    says('09', '参数还在延后初始化时，它记下数值，等初始化时使用')
    layer = nn.Dense(2)
    layer.initialize()
    layer.weight.set_data(nd.ones((2, 3)))
    assert layer.weight._data is None  # still deferred
    layer(nd.ones((1, 3)))
    assert (layer.weight.data() == 1).min() == 1


def kvstore_trainer(layer):
    """A Trainer that updates ``layer`` on a (local) kvstore, as a ``dist_sync`` Trainer does."""
    import mxnet as mx
    from mxnet import gluon
    return gluon.Trainer(layer.collect_params(), 'sgd', {'learning_rate': 0.0},
                         kvstore=mx.kv.create('local'), update_on_kvstore=True)


def train_step(layer, trainer):
    from mxnet import autograd, nd
    with autograd.record():
        layer(nd.ones((1, 3))).sum().backward()
    trainer.step(1)


def test_09_a_kvstore_trainer_overwrites_an_in_place_write_at_the_next_step():
    """09, cell 29: "这样的 `Trainer` 每一步 `step` 都从 kvstore 取回参数（`_allreduce_grads` 中的
    `pushpull(..., out=param.list_data())`），
    所以就地写入的数值到下一步就被 kvstore 中那份没有改过的参数（更新之后）覆盖了"."""
    from mxnet import gluon
    from mxnet.gluon import nn
    says('09', '这样的 `Trainer` 每一步 `step` 都从 kvstore 取回参数（`_allreduce_grads` 中的 '
               '`pushpull(..., out=param.list_data())`）')
    says('09', '所以就地写入的数值到下一步就被 kvstore 中那份没有改过的参数（更新之后）覆盖了')
    pull = 'pushpull(i, grad_list, out=param.list_data(), priority=-i)'
    assert pull in mxnet_source(gluon.Trainer._allreduce_grads)
    layer = nn.Dense(2, in_units=3)
    layer.initialize()
    trainer = kvstore_trainer(layer)
    train_step(layer, trainer)
    kept = layer.weight.data().copy()
    layer.weight.data()[:] = 1
    train_step(layer, trainer)  # learning rate 0: the kvstore's copy comes back unchanged
    assert (layer.weight.data() == kept).min() == 1


def test_09_set_data_resets_the_kvstore_and_a_distributed_one_cannot_be_reset():
    """09, cell 29: "它让 `Trainer` 重新初始化 kvstore（`gluon/trainer.py` 的 `_reset_kvstore`）"
    and
    "分布式的 kvstore 不能重置：这时 `set_data` 报错"."""
    from mxnet import gluon, nd
    from mxnet.gluon import nn
    says('09', '它让 `Trainer` 重新初始化 kvstore（`gluon/trainer.py` 的 `_reset_kvstore`）')
    says('09', '而分布式的 kvstore 不能重置：这时 `set_data` 报错')
    source = mxnet_source(gluon.Trainer._reset_kvstore)
    assert "if self._kvstore and 'dist' in self._kvstore.type:" in source
    assert 'raise RuntimeError("Cannot reset distributed KVStore.")' in source
    layer = nn.Dense(2, in_units=3)
    layer.initialize()
    trainer = kvstore_trainer(layer)
    train_step(layer, trainer)
    assert trainer._kv_initialized
    layer.weight.set_data(nd.ones((2, 3)))
    assert not trainer._kv_initialized and trainer._kvstore is None


def test_09_a_single_device_trainer_builds_no_kvstore_and_then_in_place_equals_set_data():
    """09, cell 29: "只有一个设备、参数已经初始化、也没有交给在 kvstore 上更新参数的 `Trainer`
    时（单机单设备的 `Trainer` 默认不建 kvstore），就地写入与 `set_data` 一样"."""
    from mxnet import gluon, nd
    from mxnet.gluon import nn
    says('09', '（单机单设备的 `Trainer` 默认不建 kvstore），就地写入与 `set_data` 一样')
    results = []
    def in_place(param):
        param.data()[:] = 1

    def by_set_data(param):
        param.set_data(nd.ones((2, 3)))

    for write in (in_place, by_set_data):
        layer = nn.Dense(2, in_units=3)
        layer.initialize()
        trainer = gluon.Trainer(layer.collect_params(), 'sgd', {'learning_rate': 0.5})
        train_step(layer, trainer)
        assert trainer._kvstore is None and not trainer._update_on_kvstore
        write(layer.weight)
        train_step(layer, trainer)
        results.append(layer.weight.data().asnumpy())
    assert (results[0] == results[1]).all()


def summary_lines(net, X):
    """What ``net.summary(X)`` prints, as lines."""
    import contextlib
    import io
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        net.summary(X)
    return printed.getvalue().splitlines()


def test_09_summary_counts_shared_parameters_twice_and_lists_them():
    """09, cell 32: "`summary` 按前向计算逐层统计，所以共享层的参数在 `Total params` 中算了两次，
    下面 `Shared params` 一行列出了重复计入的数量，
    `Unique parameters in model` 与上面表格的合计相同"."""
    from mxnet import nd

    import d2lhelpers as d2l
    says('09', 'Gluon 自带的 `summary` 按前向计算逐层统计，所以共享层的参数在 `Total params` '
               '中算了两次')
    net = ready_shared_mlp()
    X = nd.ones((2, 784))
    lines = summary_lines(net, X)
    shared = 16 * 16 + 16
    unique = sum(row['count'] for row in d2l.parameter_table(net))
    assert f'   Total params: {unique + shared}' in lines
    assert f'Shared params in forward computation graph: {shared}' in lines
    assert f'Unique parameters in model: {unique}' in lines


def test_09_summary_rows_come_in_hook_order_activation_before_its_dense():
    """09, cell 32: "`summary` 在每个层的前向计算**结束**时记一行（`register_forward_hook`），而
    `Dense` 的激活函数是它的子块，在它里面先算完，
    所以 `Activation-1` 排在 `Dense-2` 前面，它是 `net[0]` 的 ReLU；`Dense-7`
    是没有激活函数的输出层"."""
    from mxnet import nd
    from mxnet.gluon import Block
    says('09', '所以 `Activation-1` 排在 `Dense-2` 前面，它是 `net[0]` 的 ReLU；`Dense-7` '
               '是没有激活函数的输出层')
    assert 'block.register_forward_hook(_summary_hook)' in mxnet_source(Block.summary)
    net = ready_shared_mlp()
    assert net[0].act is not None and net[0].act in net[0]._children.values() and net[3].act is None
    rows = [line.split()[0] for line in summary_lines(net, nd.ones((2, 784)))
            if re.match(r'\s+(Activation|Dense)-\d', line)]
    assert rows == ['A'
                    'c'
                    't'
                    'i'
                    'v'
                    'a'
                    't'
                    'i'
                    'o'
                    'n'
                    '-'
                    '1', 'Dense-2', 'Activation-3', 'Dense-4', 'Activation-5', 'Dense-6', 'Dense-7']

# ---- 10 拓展 E -----------------------------------------------------------------------------------

# ---- d2lhelpers/check.py: the self-checks' hints ----------------------------------------------


def test_the_book_copy_is_the_v1_section():
    """The copy the claims are checked against is the book's section 4.2, with its exercise 3."""
    book_says('# 模型参数的访问、初始化和共享')
    book_says('构造一个含共享参数层的多层感知机并训练。在训练过程中，观察每一层的模型参数和梯度。')
