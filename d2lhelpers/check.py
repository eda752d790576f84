"""Self-checks for the exercises of 05_exercises.ipynb, used as ``d2l.check.<name>(...)``.

Each check prints one line in the reader's language (``D2L_LANGUAGE``, Chinese by default;
d2lhelpers/language.py): ``✓ 正确：…`` (``✓ Correct: …``) when the answer is right, or
``✗ 还没有完成：…`` (``✗ Not done yet: …``) with a hint when it is missing or wrong. The text
is written in Chinese below, marked ``_('…')``; its English is in the helpers' gettext
catalog. In a student's own run
(JupyterLab, nbconvert, nbval) it never raises, so *Run All* reaches every exercise even
when an earlier one is unfinished. It returns nothing, so that a check cell shows only its
verdict.

Under nbgrader (autograde and validate set ``NBGRADER_EXECUTION``), or with
``strict=True``, a check prints the same verdict and then raises ``CheckFailed`` (an
``AssertionError``) when the answer is not right: nbgrader gives that test cell no points,
and goes on with the next cell. The error shows only the verdict and its hint:
IPython renders it through ``_render_traceback_``, so no line of this module (where the
expected values stand) is shown, nor stored in the graded notebook or the feedback page.

A verdict longer than the page (80 columns, a Chinese character taking two) is wrapped,
its later lines indented, both where it is printed and where the error shows it.
"""
import inspect
import os

import wcwidth
from mxnet import init

from .language import _

__all__ = ['init_table', 'deferred_shapes', 'shared_mlp_training', 'CheckFailed']

TARGET_ACCURACY = 0.78
PAGE_COLUMNS = 80  # the notebooks' page width (tests/test_notebook_form.py)


class CheckFailed(AssertionError):
    """A check under grading found the answer missing or wrong (nbgrader: no points).

    Used in: 05_exercises (raised by its check cells when nbgrader grades them).
    """

    def _render_traceback_(self):
        # IPython shows (and stores) these lines instead of the traceback: the verdict only.
        return fit_the_page(f'{type(self).__name__}: {self}').splitlines()


def fit_the_page(text):
    """``text`` in lines of at most 80 display columns (wcwidth counts a Chinese character
    as two), the later lines indented by two spaces."""
    return '\n'.join(wcwidth.wrap(text, PAGE_COLUMNS, subsequent_indent='  '))


def grading():
    """Whether nbgrader runs this kernel (autograde or validate)."""
    return bool(os.environ.get('NBGRADER_EXECUTION'))


def report(ok, success, problem, hint, strict=None):
    """Print the verdict; under grading (or strict) raise it when the answer is not right."""
    details = {'success': success, 'problem': problem, 'hint': hint}
    verdict = _('✓ 正确：{success}') if ok else _('✗ 还没有完成：{problem} 提示：{hint}')
    print(fit_the_page(verdict.format(**details)))
    if not ok and (grading() if strict is None else strict):
        raise CheckFailed(_('还没有完成：{problem} 提示：{hint}').format(**details))


def is_shared_mlp(net):
    """Whether ``net`` has 4 layers and its 2nd and 3rd share one weight (False for any other)."""
    try:
        return len(net) == 4 and net[1].weight is net[2].weight
    except (TypeError, AttributeError, IndexError):
        return False


def installed_initializers():
    """The initializer classes of the installed ``mxnet.init`` (``InitDesc`` is a name, not one)."""
    return {name for name, obj in vars(init).items()
            if inspect.isclass(obj) and obj.__module__ == 'mxnet.initializer'
            and name != 'InitDesc'}


def init_table(when_to_use, strict=None):
    """Exercise 1: ``when_to_use`` maps every initializer of ``mxnet.init`` to a sentence.

    Only the list is checked (no name missing or extra, no empty text): the
    verdict says so, since the sentences themselves cannot be graded here.

    Used in: 05_exercises.
    """
    expected = installed_initializers()
    if not when_to_use:
        return report(False, '', _('when_to_use 还是空的。'),
                      _('用 inspect 找出 mxnet.init 中定义的初始化器类'
                        '（InitDesc 只是参数的描述，不算），为每一个写一句“何时使用”。'),
                      strict=strict)
    missing = sorted(expected - set(when_to_use))
    extra = sorted(set(when_to_use) - expected)
    empty = sorted(name for name, text in when_to_use.items() if not str(text).strip())
    problem = _('；').join(part for part in [
        _('还缺 {count} 个初始化器').format(count=len(missing)) if missing else '',
        _('{names} 不是 mxnet.init 中的初始化器').format(names=', '.join(extra)) if extra else '',
        _('{names} 还没有说明').format(names=', '.join(empty)) if empty else ''] if part)
    return report(not problem,
                  _('名单齐全：列出了 mxnet.init 的全部 {count} 个初始化器，每个都有说明。'
                    '这里只核对名单和说明不空，说明写得对不对，请对照文档自己判断。'
                    ).format(count=len(expected)),
                  _('{problems}。').format(problems=problem),
                  _('对照 MXNet 文档中 mxnet.init 的初始化器，'
                    '别忘了 Mixed、Load 和基类 Initializer。'), strict=strict)


def deferred_shapes(net, shape_before, shape_after, strict=None):
    """Exercise 2: the network ``net`` of 4.2.4 and its first layer's weight shape before and
    after the first forward pass.

    Used in: 05_exercises.
    """
    if net is None:
        return report(False, '', _('还没有给出 net。'),
                      _('照 4.2.4 节构造网络，记作 net，再调用 net.initialize()。'), strict=strict)
    if not is_shared_mlp(net):
        return report(False, '', _('net 应是 4.2.4 节的网络：4 层，第二层和第三层共享同一个权重。'),
                      _('构造第三层时传入 params=shared.params。'), strict=strict)
    if shape_before is None or shape_after is None:
        return report(False, '', _('还没有给出 shape_before 和 shape_after。'),
                      _('在 net.initialize() 之后读一次 net[0].weight.shape，'
                        '做一次前向计算之后再读一次。'), strict=strict)
    shape_before, shape_after = tuple(shape_before), tuple(shape_after)
    if shape_before == (8, 20):
        return report(False, '', _('shape_before 已经是完整的形状 (8, 20)。'),
                      _('要在第一次前向计算之前读取：那时 Gluon 还不知道输入有多少个特征。'),
                      strict=strict)
    if shape_before != (8, 0):
        return report(False, '', _('shape_before 是 {shape}，不是前向计算前的形状。'
                                   ).format(shape=shape_before),
                      _('读的是第一层 net[0] 的权重吗？输出个数 8 已知，输入个数未知记作 0。'),
                      strict=strict)
    if shape_after != (8, 20):
        return report(False, '', _('shape_after 是 {shape}。').format(shape=shape_after),
                      _('前向计算用的输入形状为 (2, 20)，第一层的输入个数由它推断出来。'),
                      strict=strict)
    return report(True, _('前向计算之前形状是 (8, 0)（延后初始化），之后是 (8, 20)。'), '', '',
                  strict=strict)


def shared_mlp_training(net, history, strict=None):
    """Exercise 3: a 4-layer MLP whose 2nd and 3rd layers share parameters, trained to >= 0.78.

    Used in: 05_exercises.
    """
    if net is None or history is None:
        return report(False, '', _('还没有训练好的 net 和 train_ch3 返回的 history。'),
                      _('照 4.2.4 节的方法构造含共享层的多层感知机，用 d2l.train_ch3 训练 5 个周期'
                        '（运行记录的周期数），保存它的返回值。'), strict=strict)
    if not is_shared_mlp(net):
        return report(False, '', _('网络应有 4 层，且第二层和第三层共享同一个权重。'),
                      _('构造第三层时传入 params=shared.params。'), strict=strict)
    if len(history) < 5:
        return report(False, '', _('只训练了 {epochs} 个周期。').format(epochs=len(history)),
                      _('运行记录训练 5 个周期。'), strict=strict)
    accuracy = history.test_acc[-1]
    if accuracy < TARGET_ACCURACY:
        return report(False, '', _('最后的测试准确率是 {accuracy:.3f}，低于 {target}。').format(
                          accuracy=accuracy, target=TARGET_ACCURACY),
                      _('运行记录用 init.Normal(sigma=0.01)、学习率 0.5、批量大小 256。'),
                      strict=strict)
    return report(True, _('共享层的网络训练了 {epochs} 个周期，测试准确率 {accuracy:.3f}。').format(
                      epochs=len(history), accuracy=accuracy), '', '', strict=strict)
