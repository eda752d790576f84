"""d2lhelpers.check: right answers pass, missing and wrong ones get a hint, nothing raises."""
import pytest
from mxnet.gluon import nn

import d2lhelpers as d2l
from d2lhelpers.training import History


def full_table():
    return {name: '一句说明' for name in d2l.check.installed_initializers()}


def shared_mlp(shared_ok=True):
    net = nn.Sequential()
    shared = nn.Dense(4, activation='relu')
    third = nn.Dense(4, activation='relu', params=shared.params if shared_ok else None)
    net.add(nn.Dense(4, activation='relu'), shared, third, nn.Dense(10))
    return net


def history(epochs=5, last_acc=0.84):
    return History(loss=[0.5] * epochs, train_acc=[0.8] * epochs,
                   test_acc=[0.8] * (epochs - 1) + [last_acc], seconds=[1.0] * epochs)


@pytest.mark.parametrize('call, ok, expected', [
    (lambda: d2l.check.init_table(full_table()), True,
     '名单齐全：列出了 mxnet.init 的全部 14 个初始化器'),
    (lambda: d2l.check.init_table({}), False, 'when_to_use 还是空的'),
    (lambda: d2l.check.init_table({k: v for k, v in list(full_table().items())[1:]}), False,
     '还缺 1 个初始化器'),
    (lambda: d2l.check.init_table({**full_table(), 'Kaiming': 'x'}), False,
     'Kaiming 不是 mxnet.init 中的初始化器'),
    (lambda: d2l.check.deferred_shapes((8, 0), (8, 20)), True, '(8, 0)（延后初始化）'),
    (lambda: d2l.check.deferred_shapes(None, None), False, '还没有给出'),
    (lambda: d2l.check.deferred_shapes((8, 20), (8, 20)), False, '要在 net(X) 之前读取'),
    (lambda: d2l.check.deferred_shapes((10, 0), (8, 20)), False, '读的是第一层'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history()), True, '测试准确率 0.840'),
    (lambda: d2l.check.shared_mlp_training(None, None), False, '还没有训练好的 net'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(shared_ok=False), history()), False,
     'params=shared.params'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history(epochs=3)), False,
     '只训练了 3 个周期'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history(last_acc=0.1)), False,
     '训练发散了'),
])
def test_each_check_says_right_or_not_yet_with_a_hint(capsys, call, ok, expected):
    assert call() is None
    line = capsys.readouterr().out.strip()
    assert line.startswith('✓ 正确：' if ok else '✗ 还没有完成：') and expected in line, line
    if not ok:
        assert '提示：' in line
