"""Figures for the notebooks: the book's display helpers, fixed, and a live training plot.

d2lzh's ``use_svg_display`` calls ``IPython.display.set_matplotlib_formats``,
which IPython 8 removed; the replacement lives in ``matplotlib_inline``.
The notebooks keep matplotlib's default PNG figures: nbval compares SVG
byte for byte but not PNG, so PNG figures do not make the checks fragile.
"""
from IPython import display
from matplotlib import pyplot as plt
from matplotlib.figure import Figure
from matplotlib_inline.backend_inline import set_matplotlib_formats

__all__ = ['Animator', 'show_fashion_mnist', 'show_histograms',
           'use_svg_display']


def use_svg_display():
    """Show matplotlib figures as SVG in Jupyter (the book's helper, working on IPython 8+).

    Used in: none of these notebooks (they store PNG); the book's d2lzh name, whose own
    version fails on IPython 8+.
    """
    set_matplotlib_formats('svg')


def show_fashion_mnist(images, labels):
    """Plot Fashion-MNIST images in one row, each titled with its label.

    Used in: none of these notebooks; the name of the book's d2lzh, kept for readers of its
    chapter 3.
    """
    _, axes = plt.subplots(1, len(images), figsize=(12, 12))
    for ax, img, label in zip(axes, images, labels):
        ax.imshow(img.reshape((28, 28)).asnumpy())
        ax.set_title(label)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)


def show_histograms(arrays, titles, bins=50, xlabel='value', figsize=None,
                    sharex=False, log=False, ncols=None):
    """One histogram per array, in a row (or rows of ``ncols``), to compare distributions.

    ``sharex=True`` puts all panels on one x scale, to compare widths;
    ``log=True`` uses a log count axis, so that rare values stay visible.

    Used in: 02_initializing_parameters, 03_custom_initialization, 06_init_tour.
    """
    ncols = ncols or len(arrays)
    nrows = -(-len(arrays) // ncols)
    figsize = figsize or (3 * ncols, 2.5 * nrows)
    fig, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, sharex=sharex)
    for ax, values, title in zip(axes.ravel(), arrays, titles):
        ax.hist(values.asnumpy().ravel() if hasattr(values, 'asnumpy') else values,
                bins=bins, log=log)
        ax.set_title(title)
        ax.set_xlabel(xlabel)
    for ax in axes.ravel()[len(arrays):]:
        ax.axis('off')
    fig.tight_layout()


class Animator:
    """Curves that are redrawn in place as points arrive, as in d2l's later editions.

    The figure is shown once and then updated through its display handle, so
    the cell keeps any printed lines and the notebook stores only the final figure.

    Used in: 05_exercises.
    """

    def __init__(self, xlabel=None, ylabel=None, legend=(), xlim=None, ylim=None,
                 figsize=(3.5, 2.5)):
        self.fig = Figure(figsize=figsize)
        self.ax = self.fig.add_subplot()
        self.xlabel, self.ylabel, self.legend = xlabel, ylabel, list(legend)
        self.xlim, self.ylim = xlim, ylim
        self.X, self.Y = [], []
        self.handle = None

    def add(self, x, ys):
        """Add one point per curve at ``x`` (``ys`` a number or a sequence) and redraw."""
        ys = list(ys) if hasattr(ys, '__len__') else [ys]
        if not self.Y:
            self.Y = [[] for _ in ys]
        self.X.append(x)
        for curve, y in zip(self.Y, ys):
            curve.append(y)
        self.draw()

    def draw(self):
        self.ax.cla()
        for curve, style in zip(self.Y, ('-', 'm--', 'g-.', 'r:')):
            self.ax.plot(self.X, curve, style)
        self.ax.set_xlabel(self.xlabel)
        self.ax.set_ylabel(self.ylabel)
        if self.xlim:
            self.ax.set_xlim(self.xlim)
        if self.ylim:
            self.ax.set_ylim(self.ylim)
        if self.legend:
            self.ax.legend(self.legend)
        self.ax.grid(True)
        self.fig.tight_layout()
        if self.handle is None:
            self.handle = display.display(self.fig, display_id=True)
        else:
            self.handle.update(self.fig)
