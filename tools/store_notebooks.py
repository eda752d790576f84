"""Store notebooks' outputs from a real run, top to bottom, in place: ``make store``.

Each notebook runs in a fresh kernel of the project's own kernelspec (kernel/<name>, read by
project_kernel.py: it pins the CPU kernels of oneDNN and OpenBLAS, so that the
stored numbers are the ones every machine reproduces), with a timeout per cell; an English
notebook (its metadata names <name>-en) on the English twin, whose helpers speak English.
Cell metadata other than tags, nbgrader's and MyST-NB's (a figure's text alternative) is dropped
(execution times), so that storing an unchanged notebook changes no byte.

The executed notebook is written to a temporary file beside the original and
renamed over it only when everything succeeded: a cell that raises (unless tagged
``raises-exception``) or never ends, or a write that fails (a full disk, a read-only
folder), leaves the notebook exactly as it was; the error is one line naming the notebook
(and the cell), and the other notebooks still run. The kernels' connection files go to a
private runtime folder, removed at the end, also when the run is stopped by a signal (and,
after a SIGKILL, by the next run). A stop (SIGINT, SIGTERM, SIGHUP, SIGQUIT) kills the kernel at
once; one that comes while a notebook is being written waits until it is written and reported,
so that every notebook not reported as stored is unchanged.

    python tools/store_notebooks.py [--timeout SECONDS] NOTEBOOK.ipynb ...
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tool_safety  # noqa: E402  (a module beside this script)

if __name__ == '__main__':
    tool_safety.quiet_interrupt()  # before the slow imports below

import argparse  # noqa: E402
import os  # noqa: E402
import shutil  # noqa: E402
import uuid  # noqa: E402
from contextlib import contextmanager  # noqa: E402

import project_kernel  # noqa: E402  (beside this script: the kernel's name and metadata)
from jupyter_client import AsyncKernelManager  # noqa: E402
from jupyter_core.paths import jupyter_runtime_dir  # noqa: E402
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError  # noqa: E402
from nbconvert.exporters import NotebookExporter  # noqa: E402
from nbconvert.preprocessors import CoalesceStreamsPreprocessor, ExecutePreprocessor  # noqa: E402
from traitlets.config import Config  # noqa: E402

RUNTIME_PREFIX = 'store_notebooks-'  # + the pid of the run that owns the folder


class StoreError(RuntimeError):
    """A notebook could not be run or stored; it was left unchanged."""


def describe(cell, index, count):
    first_line = next((line for line in cell.source.splitlines() if line.strip()), '')
    return f'cell {index + 1} of {count} (it starts "{first_line[:60]}")'


class NumberingExecutor(ExecutePreprocessor):
    """nbconvert's executor, whose errors say which cell failed and how."""

    def preprocess_cell(self, cell, resources, index):
        where = describe(cell, index, len(self.nb.cells))
        try:
            return super().preprocess_cell(cell, resources, index)
        except CellTimeoutError:
            raise StoreError(f'{where} was still running after the timeout of {self.timeout} s; '
                             f'make it faster or give a longer --timeout') from None
        except CellExecutionError as e:
            raise StoreError(f'{where} raised {e.ename}: {e.evalue}; run it in JupyterLab '
                             f'to see the traceback') from None
        except DeadKernelError:
            raise StoreError(f'the kernel died while running {where} (out of memory?)') from None


class EndedOnStopKernelManager(AsyncKernelManager):
    """nbclient's kernel manager, whose kernel is killed at once when the tool is stopped."""

    async def _async_launch_kernel(self, kernel_cmd, **kw):
        with tool_safety.stops_held():  # a stop waits until the kernel is known, to kill it
            await super()._async_launch_kernel(kernel_cmd, **kw)
            tool_safety.end_on_stop(self.provisioner.process)


def read_notebook(path):
    try:
        return tool_safety.read_notebook(path)
    except tool_safety.ToolError as e:
        raise StoreError(str(e)) from None


def execute(path, timeout):
    """The notebook at ``path`` executed in a fresh project kernel, as nbformat text."""
    nb = read_notebook(path)
    edition = project_kernel.edition_of(nb.metadata.get('kernelspec', {}).get('name'))
    nb.metadata['kernelspec'] = project_kernel.metadata(edition)
    resources = {'metadata': {'path': str(path.parent)}}
    kernel_config = Config()
    # In the run's private runtime folder, not a temporary file of jupyter_client's in /tmp
    # that nobody removes when the run is killed.
    kernel_config.KernelManager.connection_file = str(
        Path(jupyter_runtime_dir(), f'kernel-{uuid.uuid4()}.json'))
    # No widget state in the notebook's metadata: its model ids are the kernel's, and Jupyter Book
    # would load the widget libraries from a CDN to draw it; the cell's output stays.
    executor = NumberingExecutor(kernel_name=project_kernel.name(edition), timeout=timeout,
                                 config=kernel_config,
                                 kernel_manager_class=EndedOnStopKernelManager,
                                 store_widget_state=False)
    try:
        executor.preprocess(nb, resources)
    except StoreError as e:
        raise StoreError(f'{path} did not run to the end: {e}') from None
    except Exception as e:  # the kernel did not start, for example: nbclient's own errors
        raise StoreError(f'{path} did not run to the end ({type(e).__name__}: {e})') from None
    config = Config()
    config.ClearMetadataPreprocessor.enabled = True
    config.ClearMetadataPreprocessor.clear_notebook_metadata = False
    config.ClearMetadataPreprocessor.preserve_cell_metadata_mask = ['tags', 'nbgrader', 'mystnb']
    exporter = NotebookExporter(config=config)
    # Join the stream pieces that the kernel happened to flush separately, so that the
    # stored notebook does not depend on timing (nbval joins them too before comparing).
    exporter.register_preprocessor(CoalesceStreamsPreprocessor(enabled=True), enabled=True)
    text, _ = exporter.from_notebook_node(nb, resources)
    return text


def store(path, timeout):
    """Execute one notebook, store it and report it; a stop waits while it is written."""
    try:
        text = execute(path, timeout)
    except StoreError as e:
        raise StoreError(f'{e}; it is unchanged') from None
    with tool_safety.stops_held():
        try:
            changed = path.read_text(encoding='utf-8') != text
            if changed:
                tool_safety.write_atomically(path, text)
        except OSError as e:
            raise StoreError(f'could not write {path} ({e.strerror or e}); it is unchanged. '
                             f'Free some disk space or make its folder writable.') from None
        tool_safety.say(f'store: {path}: {"stored" if changed else "unchanged"}')


@contextmanager
def private_runtime_dir():
    """Point Jupyter's runtime folder (kernel connection files) at one of this run's own."""
    base = Path(jupyter_runtime_dir())
    for leftover in base.glob(RUNTIME_PREFIX + '*'):  # of runs ended by SIGKILL
        pid = leftover.name[len(RUNTIME_PREFIX):]
        if pid.isdigit() and not tool_safety.running(int(pid)) and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)
    folder = base / f'{RUNTIME_PREFIX}{os.getpid()}'
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise tool_safety.ToolError(f'could not make a runtime folder for the kernels ({e}): '
                                    f'set JUPYTER_RUNTIME_DIR to a writable folder') from None
    previous = os.environ.get('JUPYTER_RUNTIME_DIR')
    os.environ['JUPYTER_RUNTIME_DIR'] = str(folder)
    try:
        yield folder
    finally:
        tool_safety.end_children()  # a kernel still starting would write its file after this
        shutil.rmtree(folder, ignore_errors=True)
        if previous is None:
            del os.environ['JUPYTER_RUNTIME_DIR']
        else:
            os.environ['JUPYTER_RUNTIME_DIR'] = previous


def positive_seconds(text):
    """argparse type of --timeout: a whole number of seconds above zero (0 would mean none)."""
    try:
        seconds = int(text)
    except ValueError:
        seconds = 0
    if seconds <= 0:
        raise argparse.ArgumentTypeError(
            f'{text!r} is not a positive whole number of seconds (for example --timeout 600); '
            f'every cell must have a bound, so 0 and negative values are refused')
    return seconds


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebooks', nargs='+', type=Path)
    parser.add_argument('--timeout', type=positive_seconds, default=600,
                        help='seconds a single cell may run (default 600)')
    args = parser.parse_args(argv)
    for path in args.notebooks:
        if path.suffix != '.ipynb' or not path.is_file():
            parser.error(f'{path} is not a notebook file (.ipynb)')
    return args


def store_all(notebooks, timeout):
    """Store each notebook, reporting each failure on one line; returns how many failed."""
    failed = 0
    for path in notebooks:
        try:
            store(path, timeout)
        except StoreError as e:
            print(f'store: {e}', file=sys.stderr)
            failed += 1
    return failed


def main(argv=None):
    tool_safety.plain_console()
    args = parse(argv)
    try:
        with tool_safety.stopping_on_signals(), private_runtime_dir():
            failed = store_all(args.notebooks, args.timeout)
    except tool_safety.Stopped as e:
        print(f'store: stopped by {e}; every notebook not reported above as stored or '
              f'unchanged is as it was', file=sys.stderr)
        return e.exit_code
    except tool_safety.ToolError as e:
        print(f'store: {e}', file=sys.stderr)
        return 1
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
