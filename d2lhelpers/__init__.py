"""The toolbox of the §4.2 notebooks, imported as ``import d2lhelpers as d2l``.

It offers what the book's ``d2lzh`` offers for this section, under the same
names and signatures, working offline and on current IPython:

- ``data``: Fashion-MNIST from local files: ``find_fashion_mnist``, ``download_fashion_mnist``,
  ``load_fashion_mnist_arrays`` (no MXNet needed), and ``load_data_fashion_mnist``;
- ``training``: ``train_ch3``, ``evaluate_accuracy``, ``sgd``;
- ``inspection``: statistics and gradient norms of a network's parameters;
- ``plotting``: ``use_svg_display``, ``show_fashion_mnist``, ``Animator``, histograms;
- ``distributed``: ``run_local_ps``, a parameter-server group of local processes;
- ``explorer``: each layer's signal and gradient spread, measured beside the variance
  formula, and the sliders that redraw it (``spread``, ``init_explorer``);
- ``check``: self-checks for the exercises (``d2l.check.init_table(...)`` and so on);
- ``arguments``: the checks of numeric arguments that the modules above share.
"""
# Each public name and the module it comes from. `import d2lhelpers` imports none of them:
# a module is imported when one of its names is first used (PEP 562's module __getattr__),
# because MXNet, d2lzh and matplotlib take 1.5 s to import and finding or downloading the
# data (make data, Binder's postBuild, the tests' child processes) needs none of them.
_MODULE_OF = {
    'DataError': '.data', 'download_fashion_mnist': '.data', 'find_fashion_mnist': '.data',
    'get_fashion_mnist_labels': 'd2lzh',  # the book's own works as it is
    'load_data_fashion_mnist': '.data', 'load_fashion_mnist_arrays': '.data',
    'run_local_ps': '.distributed',
    'describe_spread': '.explorer', 'init_explorer': '.explorer', 'plot_spread': '.explorer',
    'spread': '.explorer', 'weight_variance': '.explorer',
    'GradNormRecorder': '.inspection', 'grad_norms': '.inspection',
    'layer_grad_stds': '.inspection', 'layer_output_stds': '.inspection',
    'param_stats': '.inspection', 'parameter_table': '.inspection',
    'print_parameter_table': '.inspection', 'std': '.inspection',
    'Animator': '.plotting', 'show_fashion_mnist': '.plotting',
    'show_histograms': '.plotting', 'use_svg_display': '.plotting',
    'History': '.training', 'TrainingDiverged': '.training', 'evaluate_accuracy': '.training',
    'sgd': '.training', 'train_ch3': '.training',
}
_MODULES = ('arguments', 'check', 'data', 'distributed', 'explorer', 'inspection',
            'plotting', 'training')

__all__ = ['check', *_MODULE_OF]
__version__ = '0.1.0'


def __getattr__(name):
    from importlib import import_module
    if name in _MODULES:
        return import_module(f'.{name}', __name__)
    if name in _MODULE_OF:
        return getattr(import_module(_MODULE_OF[name], __name__), name)
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


def __dir__():
    return sorted({*globals(), *_MODULES, *_MODULE_OF})
