"""d2lhelpers.plotting: the book's display helpers on current IPython, and the live Animator."""
import matplotlib
import pytest
from IPython.core.interactiveshell import InteractiveShell
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from mxnet import nd

import d2lhelpers as d2l

matplotlib.use('Agg')


def test_use_svg_display_works_on_the_installed_ipython():
    formatters = InteractiveShell.instance().display_formatter.formatters
    d2l.use_svg_display()
    assert Figure in formatters['image/svg+xml'].type_printers
    formatters['image/svg+xml'].type_printers.pop(Figure)


def test_show_fashion_mnist_titles_each_image():
    d2l.show_fashion_mnist([nd.zeros((1, 28, 28))] * 3, d2l.get_fashion_mnist_labels([0, 9, 5]))
    axes = plt.gcf().axes
    assert [ax.get_title() for ax in axes] == ['t-shirt', 'ankle boot', 'sandal']


def test_show_histograms_draws_one_panel_per_array():
    d2l.show_histograms([nd.ones(10), [1, 2, 3]], ['a', 'b'], bins=5)
    axes = plt.gcf().axes
    assert [ax.get_title() for ax in axes] == ['a', 'b']
    assert sum(p.get_height() for p in axes[0].patches) == 10


def test_show_histograms_wraps_into_rows_and_hides_empty_panels():
    d2l.show_histograms([[1, 2]] * 5, list('abcde'), ncols=3)
    axes = plt.gcf().axes
    assert len(axes) == 6 and [ax.get_title() for ax in axes[:5]] == list('abcde')
    assert not axes[5].axison


def test_animator_keeps_every_point_of_every_curve():
    animator = d2l.Animator(xlabel='epoch', legend=['loss', 'acc'], xlim=[1, 3])
    for epoch in (1, 2, 3):
        animator.add(epoch, (1 / epoch, 0.5 + epoch / 10))
    lines = animator.ax.get_lines()
    assert [list(line.get_xdata()) for line in lines] == [[1, 2, 3]] * 2
    assert list(lines[1].get_ydata()) == pytest.approx([0.6, 0.7, 0.8])
    assert [t.get_text() for t in animator.ax.get_legend().get_texts()] == ['loss', 'acc']
