"""What importing the package costs: finding, checking and downloading the data need no MXNet.

`import mxnet` (with d2lzh and matplotlib) takes about 1.5 s of CPU. `make data`, Binder's
postBuild and many test children only find, verify or download the files, so
``import d2lhelpers`` and ``d2lhelpers.data`` import MXNet only when a name that needs it is used.
"""
import subprocess
import sys

import pytest

import d2lhelpers as d2l

HEAVY = ('mxnet', 'd2lzh', 'matplotlib')
# The public names, as listed before they were imported on first use: none may be lost.
PUBLIC = [
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


def heavy_modules_after(code, heavy=HEAVY):
    """Which of ``heavy`` a fresh Python has imported after running ``code``."""
    report = f'\nimport sys\nprint(" ".join(m for m in {heavy!r} if m in sys.modules))'
    result = subprocess.run([sys.executable, '-c', code + report], capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_finding_and_verifying_the_real_files_imports_no_mxnet(real_dir):
    code = ('import d2lhelpers.data as data\n'
            'folder = data.find_fashion_mnist()\n'
            f'assert str(folder) == {str(real_dir)!r}, folder\n'
            'data.read_fashion_mnist_file(folder / "t10k-labels-idx1-ubyte.gz")\n'
            'assert data.load_fashion_mnist_arrays()[1].shape == (60000,)\n')
    assert heavy_modules_after(code) == []


@pytest.mark.parametrize('module', ['files', 'verify', 'cache', 'download'])
def test_every_module_of_the_data_package_but_batches_imports_no_mxnet(module):
    assert heavy_modules_after(f'import d2lhelpers.data.{module}') == []


def test_pooch_is_imported_by_a_download_not_with_the_package():
    """pooch, requests and tqdm cost 0.3 s more: importing the data helpers does not pay it."""
    libraries = ('pooch', 'requests', 'tqdm')
    assert heavy_modules_after('import d2lhelpers.data', libraries) == []
    download = ('import d2lhelpers, tempfile\n'
                'try:\n'
                '    d2lhelpers.download_fashion_mnist(tempfile.mkdtemp(), '
                'base_url="http://127.0.0.1:9/")\n'
                'except d2lhelpers.DataError:\n'  # nothing listens there
                '    pass\n')
    assert heavy_modules_after(download, libraries) == list(libraries)


def test_import_d2lhelpers_alone_imports_no_mxnet_until_a_name_needs_it(real_dir):
    assert heavy_modules_after('import d2lhelpers\nd2lhelpers.find_fashion_mnist()') == []
    assert 'mxnet' in heavy_modules_after('import d2lhelpers\nd2lhelpers.train_ch3')
    assert 'mxnet' in heavy_modules_after('import d2lhelpers\nd2lhelpers.data.to_tensor')
    assert 'd2lzh' in heavy_modules_after('from d2lhelpers import get_fashion_mnist_labels')


def test_all_lists_the_public_names():
    assert sorted(d2l.__all__) == sorted(PUBLIC)


@pytest.mark.parametrize('name', PUBLIC)
def test_every_public_name_is_reached_and_listed_by_dir(name):
    assert getattr(d2l, name).__name__.rsplit('.', 1)[-1] == name
    assert name in dir(d2l)  # what tab completion offers


@pytest.mark.parametrize('module', ['check', 'data', 'distributed', 'explorer', 'inspection',
                                    'plotting', 'training'])
def test_every_module_is_an_attribute_of_the_package(module):
    assert getattr(d2l, module).__name__ == f'd2lhelpers.{module}'
    assert module in dir(d2l)


def test_an_unknown_name_is_an_attribute_error_naming_it():
    with pytest.raises(AttributeError, match='no_such_helper'):
        d2l.no_such_helper  # noqa: B018
