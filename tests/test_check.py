"""d2lhelpers.check: right answers pass, missing and wrong ones get a hint; nothing raises in a
student's run, and under nbgrader a failed check raises its verdict, no source. A verdict
fits the page: lines of at most 80 columns, a Chinese character counting two. It is in the
reader's language: Chinese by default, English with D2L_LANGUAGE=en (the English kernel's)."""
import re
import sys
import unicodedata
from pathlib import Path

import pytest
from mxnet.gluon import nn

import d2lhelpers as d2l
from d2lhelpers.training import History

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / 'tools'))
from english_edition import CJK  # noqa: E402  (what counts as Chinese in the English edition)


def columns(line):
    """Columns of ``line`` in a monospace font: wide and full-width characters take two."""
    return sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in line)


def unwrapped(text):
    """``text`` without its white space: a wrapped verdict and the one line it wraps compare
    equal, so a test sees its words whatever the line breaks."""
    return re.sub(r'\s+', '', text)


def full_table():
    return {name: '一句说明' for name in d2l.check.installed_initializers()}


def shared_mlp(shared_ok=True, units=4):
    net = nn.Sequential()
    shared = nn.Dense(units, activation='relu')
    third = nn.Dense(units, activation='relu', params=shared.params if shared_ok else None)
    net.add(nn.Dense(units, activation='relu'), shared, third, nn.Dense(10))
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
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), (8, 0), (8, 20)), True,
     '(8, 0)（延后初始化）'),
    (lambda: d2l.check.deferred_shapes(None, (8, 0), (8, 20)), False, '还没有给出 net'),
    (lambda: d2l.check.deferred_shapes(nn.Dense(8), (8, 0), (8, 20)), False, '4 层'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(False, 8), (8, 0), (8, 20)), False,
     'params=shared.params'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), None, None), False,
     '还没有给出 shape_before'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), (8, 20), (8, 20)), False,
     '要在第一次前向计算之前读取'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), (10, 0), (8, 20)), False,
     '读的是第一层'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history()), True, '测试准确率 0.840'),
    (lambda: d2l.check.shared_mlp_training(None, None), False, '还没有训练好的 net'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(shared_ok=False), history()), False,
     'params=shared.params'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history(epochs=3)), False,
     '只训练了 3 个周期'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history(last_acc=0.1)), False,
     '低于 0.78'),
])
def test_each_check_says_right_or_not_yet_with_a_hint(capsys, call, ok, expected):
    assert call() is None
    printed = capsys.readouterr().out.strip()
    assert printed.startswith('✓ 正确：' if ok else '✗ 还没有完成：'), printed
    assert unwrapped(expected) in unwrapped(printed), printed
    if not ok:
        assert '提示：' in printed


def test_a_long_verdict_is_wrapped_to_the_page_with_its_words_kept(capsys):
    """Exercise 1's verdict (134 columns in one line) is printed in lines of at most 80
    columns, the later ones indented; joined, they are the verdict's words."""
    d2l.check.init_table(full_table())
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) > 1 and all(columns(line) <= 80 for line in lines), lines
    assert all(line.startswith('  ') for line in lines[1:]), lines
    assert unwrapped(''.join(lines)) == unwrapped(
        '✓ 正确：名单齐全：列出了 mxnet.init 的全部 14 个初始化器，每个都有说明。'
        '这里只核对名单和说明不空，说明写得对不对，请对照文档自己判断。')


@pytest.fixture
def student_run(monkeypatch):
    """A student's own run (JupyterLab, nbconvert): nbgrader's variable is not set."""
    monkeypatch.delenv('NBGRADER_EXECUTION', raising=False)


@pytest.fixture(params=['autograde', 'validate'])
def nbgrader_run(monkeypatch, request):
    """What nbgrader's autograde and validate set in the kernel's environment."""
    monkeypatch.setenv('NBGRADER_EXECUTION', request.param)


def test_a_failed_check_does_not_raise_in_a_students_run(student_run, capsys):
    assert d2l.check.deferred_shapes(None, None, None) is None
    assert capsys.readouterr().out.startswith('✗ 还没有完成：')


def test_under_nbgrader_a_failed_check_raises_its_verdict_and_hint(nbgrader_run, capsys):
    with pytest.raises(d2l.check.CheckFailed) as failed:
        d2l.check.deferred_shapes(shared_mlp(units=8), (8, 20), (8, 20))
    printed = capsys.readouterr().out
    assert printed.startswith('✗ 还没有完成：')
    assert unwrapped(str(failed.value)) in unwrapped(printed)  # the same verdict and hint
    shown = failed.value._render_traceback_()
    assert all(columns(line) <= 80 for line in printed.splitlines() + shown), (printed, shown)
    assert unwrapped(''.join(shown)) == unwrapped(f'CheckFailed: {failed.value}')
    assert isinstance(failed.value, AssertionError)  # nbgrader: a failed test


def test_under_nbgrader_a_right_answer_passes(nbgrader_run, capsys):
    assert d2l.check.deferred_shapes(shared_mlp(units=8), (8, 0), (8, 20)) is None
    assert capsys.readouterr().out.startswith('✓ 正确：')


def test_strict_overrides_the_environment(student_run):
    with pytest.raises(d2l.check.CheckFailed):
        d2l.check.init_table({}, strict=True)


@pytest.fixture
def english(monkeypatch):
    """The English notebooks' kernel (d2l-mxnet-en) sets this."""
    monkeypatch.setenv('D2L_LANGUAGE', 'en')


@pytest.mark.parametrize('call, ok, expected', [
    (lambda: d2l.check.init_table(full_table()), True,
     'The list is complete: all 14 initializers of mxnet.init are listed'),
    (lambda: d2l.check.init_table({}), False, 'when_to_use is still empty.'),
    (lambda: d2l.check.init_table({k: v for k, v in list(full_table().items())[1:]}), False,
     'Initializers missing: 1.'),
    (lambda: d2l.check.init_table({**full_table(), 'Kaiming': 'x', 'Uniform': ' '}), False,
     'Not in mxnet.init: Kaiming. No description yet: Uniform.'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), (8, 0), (8, 20)), True,
     'Before the forward pass the shape is (8, 0) (deferred initialization), after it (8, 20).'),
    (lambda: d2l.check.deferred_shapes(None, (8, 0), (8, 20)), False, 'net is still None.'),
    (lambda: d2l.check.deferred_shapes(nn.Dense(8), (8, 0), (8, 20)), False, '4 layers'),
    (lambda: d2l.check.deferred_shapes(None, (8, 0), (8, 20)), False,
     'as in section 4.2.4 of the book (Chinese edition; "Tied Parameters" in the English '
     'book), name it net'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), None, (8, 20)), False,
     'shape_before or shape_after is still None.'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), (10, 0), (8, 20)), False,
     'shape_before is (10, 0), not the shape before the forward pass.'),
    (lambda: d2l.check.deferred_shapes(shared_mlp(units=8), (8, 0), (8, 8)), False,
     'shape_after is (8, 8).'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history()), True,
     'was trained for 5 epochs; test accuracy 0.840'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history(epochs=3)), False,
     'Too few epochs trained: 3. Hint: The run record trains for 5 epochs.'),
    (lambda: d2l.check.shared_mlp_training(shared_mlp(), history(last_acc=0.1)), False,
     'The last test accuracy is 0.100, below 0.78.'),
])
def test_with_d2l_language_en_each_check_says_it_in_english(english, capsys, call, ok,
                                                            expected):
    """The same verdicts, in English: no Chinese character, the same numbers, the same width."""
    assert call() is None
    printed = capsys.readouterr().out
    assert printed.startswith('✓ Correct: ' if ok else '✗ Not done yet: '), printed
    assert ' '.join(expected.split()) in ' '.join(printed.split()), printed
    assert ('Hint: ' in ' '.join(printed.split())) != ok  # a wrap may follow 'Hint:'
    assert not CJK.search(printed), printed
    assert all(columns(line) <= 80 for line in printed.splitlines()), printed


def test_under_nbgrader_an_english_check_raises_its_english_verdict(english, nbgrader_run,
                                                                     capsys):
    with pytest.raises(d2l.check.CheckFailed) as failed:
        d2l.check.init_table({})
    assert str(failed.value).startswith('Not done yet: when_to_use is still empty. Hint: ')
    assert not CJK.search(''.join(failed.value._render_traceback_()))
    assert unwrapped(str(failed.value)) in unwrapped(capsys.readouterr().out)


@pytest.mark.parametrize('value', [None, '', 'zh'])
def test_unset_empty_or_zh_the_verdict_is_the_chinese_one_as_stored_in_05(
        monkeypatch, capsys, value):
    """The Chinese notebooks' outputs do not change: 05's stored verdict of exercise 2."""
    if value is None:
        monkeypatch.delenv('D2L_LANGUAGE', raising=False)
    else:
        monkeypatch.setenv('D2L_LANGUAGE', value)
    d2l.check.deferred_shapes(shared_mlp(units=8), (8, 0), (8, 20))
    stored = '✓ 正确：前向计算之前形状是 (8, 0)（延后初始化），之后是 (8, 20)。\n'
    assert capsys.readouterr().out == stored
