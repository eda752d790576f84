"""The toolbox of the §4.2 notebooks, imported as ``import d2lhelpers as d2l``.

It offers what the book's ``d2lzh`` offers for this section, under the same
names and signatures, working offline and on current IPython:

- ``data``: Fashion-MNIST from local files (``load_data_fashion_mnist``);
- ``training``: ``train_ch3``, ``evaluate_accuracy``, ``sgd``;
- ``inspection``: statistics and gradient norms of a network's parameters;
- ``plotting``: ``use_svg_display``, ``show_fashion_mnist``, ``Animator``, histograms;
- ``distributed``: ``run_local_ps``, a parameter-server group of local processes;
- ``explorer``: each layer's signal and gradient spread, measured beside the variance
  formula, and the sliders that redraw it (``spread``, ``init_explorer``);
- ``check``: self-checks for the exercises (``d2l.check.init_table(...)`` and so on).
"""
from d2lzh import get_fashion_mnist_labels  # the book's own works as it is

from . import check
from .data import (
                   DataError,
                   download_fashion_mnist,
                   find_fashion_mnist,
                   load_data_fashion_mnist,
                   load_fashion_mnist_arrays,
)
from .distributed import run_local_ps
from .explorer import (
                   describe_spread,
                   init_explorer,
                   plot_spread,
                   spread,
                   weight_variance,
)
from .inspection import (
                   GradNormRecorder,
                   grad_norms,
                   layer_grad_stds,
                   layer_output_stds,
                   param_stats,
                   parameter_table,
                   print_parameter_table,
                   std,
)
from .plotting import Animator, show_fashion_mnist, show_histograms, use_svg_display
from .training import History, TrainingDiverged, evaluate_accuracy, sgd, train_ch3

__all__ = [
    'check',
    'DataError', 'download_fashion_mnist', 'find_fashion_mnist', 'get_fashion_mnist_labels',
    'load_data_fashion_mnist', 'load_fashion_mnist_arrays',
    'run_local_ps',
    'describe_spread', 'init_explorer', 'plot_spread', 'spread', 'weight_variance',
    'GradNormRecorder', 'grad_norms', 'layer_grad_stds', 'layer_output_stds', 'param_stats',
    'parameter_table', 'print_parameter_table', 'std',
    'Animator', 'show_fashion_mnist', 'show_histograms', 'use_svg_display',
    'History', 'TrainingDiverged', 'evaluate_accuracy', 'sgd', 'train_ch3',
]
__version__ = '0.1.0'
