"""Store notebooks' outputs from a real run, top to bottom, in place: ``make store``.

Each notebook runs in a fresh kernel of the project's own kernelspec (``d2l-mxnet``,
from tools/kernelspec: it pins the CPU kernels of oneDNN and OpenBLAS, so that the
stored numbers are the ones every machine reproduces), with a timeout per cell.
Cell metadata other than tags and nbgrader's (execution times) is dropped, so that storing an
unchanged notebook changes no byte.

The executed notebook is written to a temporary file beside the original and
renamed over it only when everything succeeded: a cell that raises (unless tagged
``raises-exception``) or never ends, or a write that fails (a full disk), leaves
the notebook exactly as it was.

    python tools/store_notebooks.py [--timeout SECONDS] NOTEBOOK.ipynb ...
"""
import argparse
import os
import sys
import tempfile
from pathlib import Path

import nbformat
from nbconvert.exporters import NotebookExporter
from nbconvert.preprocessors import CoalesceStreamsPreprocessor
from traitlets.config import Config

KERNEL = 'd2l-mxnet'
KERNELSPEC = {'display_name': 'd2l 4.2 (MXNet, reproducible)', 'language': 'python',
              'name': KERNEL}


class StoreError(RuntimeError):
    """A notebook could not be stored; it was left unchanged."""


def execute(path, timeout):
    """The notebook at ``path`` executed in a fresh project kernel, as nbformat text."""
    try:
        nb = nbformat.read(path, as_version=4)
    except Exception as e:  # nbformat raises several types for bad JSON or schema
        raise StoreError(f'{path} is not a readable notebook ({e}); fix or restore it '
                         f'(git checkout -- {path})') from e
    nb.metadata['kernelspec'] = KERNELSPEC
    config = Config()
    config.ExecutePreprocessor.enabled = True
    config.ExecutePreprocessor.kernel_name = KERNEL
    config.ExecutePreprocessor.timeout = timeout
    config.ClearMetadataPreprocessor.enabled = True
    config.ClearMetadataPreprocessor.clear_notebook_metadata = False
    config.ClearMetadataPreprocessor.preserve_cell_metadata_mask = ['tags', 'nbgrader']
    resources = {'metadata': {'path': str(path.parent)}}
    exporter = NotebookExporter(config=config)
    # Join the stream pieces that the kernel happened to flush separately, so that the
    # stored notebook does not depend on timing (nbval joins them too before comparing).
    exporter.register_preprocessor(CoalesceStreamsPreprocessor(enabled=True), enabled=True)
    try:
        text, _ = exporter.from_notebook_node(nb, resources)
    except Exception as e:  # a failing cell, a timeout or a dead kernel: nbclient's own errors
        first_line = str(e).strip().splitlines()[-1] if str(e).strip() else type(e).__name__
        raise StoreError(f'{path} did not run to the end ({type(e).__name__}: {first_line}); '
                         f'it is unchanged. Run it in JupyterLab to see the failing cell.') from e
    return text


def replace(path, text):
    """Write ``text`` over ``path`` by a temporary file in the same folder and a rename."""
    fd, tmp = tempfile.mkstemp(prefix=f'.{path.name}.', suffix='.tmp', dir=path.parent)
    try:
        with os.fdopen(fd, 'w', encoding='utf-8') as f:
            f.write(text)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    except BaseException as e:
        os.unlink(tmp)
        if isinstance(e, OSError):
            raise StoreError(f'could not write {path} ({e}); it is unchanged. '
                             f'Free some disk space or fix the folder\'s permissions.') from e
        raise


def store(path, timeout):
    """Execute one notebook and store it; returns whether its bytes changed."""
    text = execute(path, timeout)
    if path.read_text(encoding='utf-8') == text:
        return False
    replace(path, text)
    return True


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebooks', nargs='+', type=Path)
    parser.add_argument('--timeout', type=int, default=600,
                        help='seconds a single cell may run (default 600)')
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if path.suffix != '.ipynb' or not path.is_file():
            parser.error(f'{path} is not a notebook file (.ipynb)')
    failed = 0
    for path in args.notebooks:
        try:
            changed = store(path, args.timeout)
        except StoreError as e:
            print(f'store: {e}', file=sys.stderr)
            failed += 1
            continue
        print(f'store: {path}: {"stored" if changed else "unchanged"}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
