"""Execute notebooks into a folder of their own, for reading: the first half of ``make run``.

    python tools/run_notebooks.py OUT_DIR NOTEBOOK.ipynb ... [--english NOTEBOOK.ipynb ...]

Each notebook runs top to bottom in a fresh kernel of the project's kernelspec, as ``make
store`` runs it (store_notebooks.execute), and is written to OUT_DIR under its own name (the
English ones, given after --english, to OUT_DIR/en, where tools/build_book.py reads them) in its
reader's edition (tools/reader_edition.py: the answered exercises without nbgrader's markers
and hidden tests); the notebooks themselves are not changed. It runs as the teacher wrote it,
so a wrong answer stops the run (its strict check or a hidden test raises); the outputs are
those of the reader's edition, since a passing check prints the same line either way and
hidden tests print nothing. OUT_DIR is replaced as a whole, only when every notebook
ran, and only if this tool made it (safe_output.py): a notebook of yours saved there
(build/notebooks/my_answers.ipynb) makes the tool refuse and change nothing. A signal
(SIGINT, SIGTERM, SIGHUP, SIGQUIT) stops the run and leaves OUT_DIR as it was; one that comes
while OUT_DIR is being swapped waits until the swap is done, and says so.
"""
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tool_safety  # noqa: E402  (modules beside this script)

if __name__ == '__main__':
    tool_safety.quiet_interrupt()  # before the slow imports below

import argparse  # noqa: E402

import nbformat  # noqa: E402
import safe_output  # noqa: E402
import store_notebooks  # noqa: E402
from build_book import ENGLISH  # noqa: E402  (OUT_DIR's folder that build_book reads them from)

EXAMPLE = 'build/notebooks'


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('out_dir', type=Path, help=f'the output folder, for example {EXAMPLE}')
    parser.add_argument('notebooks', nargs='+', type=Path)
    parser.add_argument('--english', nargs='+', type=Path, default=[], metavar='NOTEBOOK',
                        help=f'English notebooks (notebooks/en/*.ipynb), written to '
                             f'OUT_DIR/{ENGLISH}')
    parser.add_argument('--timeout', type=store_notebooks.positive_seconds, default=600,
                        help='seconds a single cell may run (default 600)')
    args = parser.parse_args(argv)
    for path in args.notebooks + args.english:
        if path.suffix != '.ipynb' or not path.is_file():
            parser.error(f'{path} is not a notebook file (.ipynb)')
    for notebooks, folder in ((args.notebooks, args.out_dir),
                              (args.english, args.out_dir / ENGLISH)):
        names = [path.name for path in notebooks]
        if len(set(names)) != len(names):
            parser.error('two notebooks have the same name; they would overwrite each other '
                         f'in {folder}: run them into separate folders')
    return args


def run_into(folder, notebooks, timeout):
    import reader_edition  # here: its nbgrader import takes 0.4 s, which a refused call skips
    for path in notebooks:
        tool_safety.say(f'run: {path}')
        executed = nbformat.reads(store_notebooks.execute(path, timeout), as_version=4)
        (folder / path.name).write_text(
            nbformat.writes(reader_edition.reader_edition(executed, path)), encoding='utf-8')


def run_and_replace(args):
    """Run the notebooks into a staging folder that then replaces ``args.out_dir``."""
    given = args.notebooks + args.english
    inputs = given + [path.parent for path in given]
    with tool_safety.stopping_on_signals(), ExitStack() as swap_done:
        with store_notebooks.private_runtime_dir(), safe_output.replacing(
                args.out_dir, 'run_notebooks', inputs, EXAMPLE) as staging:
            run_into(staging, args.notebooks, args.timeout)
            if args.english:
                (staging / ENGLISH).mkdir()
                run_into(staging / ENGLISH, args.english, args.timeout)
            # From here until the swap is over, a stop waits: never half a swap.
            swap_done.enter_context(tool_safety.stops_held())


def main(argv=None):
    tool_safety.plain_console()
    args = parse(argv)
    try:
        tool_safety.resolved_output(args.out_dir, EXAMPLE)
        run_and_replace(args)
    except (tool_safety.ToolError, safe_output.OutputError) as e:
        sys.exit(f'run_notebooks: {e}')
    except store_notebooks.StoreError as e:
        sys.exit(f'run_notebooks: {e}; {args.out_dir} is unchanged')
    except tool_safety.Stopped as e:
        done = 'holds the new notebooks' if e.completed else 'is unchanged'
        print(f'run_notebooks: stopped by {e}; {args.out_dir} {done}', file=sys.stderr)
        sys.exit(e.exit_code)
    except OSError as e:
        sys.exit(f'run_notebooks: could not write {args.out_dir} ({e}); the previous '
                 f'notebooks there, if any, are unchanged.')
    tool_safety.say(f'run_notebooks: {args.out_dir}')


if __name__ == '__main__':
    main()
