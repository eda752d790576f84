"""Build the reading version: a Jupyter Book of executed notebooks that works offline.

Usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR

The notebooks (already executed), in their reader's edition (tools/reader_edition.py: the
answered exercises without nbgrader's markers and hidden tests), and book/ are staged in a
work folder inside the output's own staging folder (beside OUT_HTML_DIR, never in /tmp),
MathJax is copied next to the pages, Jupyter Book renders the stored outputs, and the HTML
replaces OUT_HTML_DIR only when the build succeeded. OUT_HTML_DIR is only replaced if
build_book made it (see safe_output.py): never a folder that overlaps the notebooks, MathJax
or book/, nor the repository. Every source must be UTF-8 text (a file in another encoding is
named, with its encoding, before anything is built), every notebook a readable one, and
nothing in book/ or MathJax a device, pipe or socket (a link to /dev/zero would be copied
without end). Jupyter Book's temporary files (Sphinx's crash logs) stay in the work folder.
SIGINT, SIGTERM, SIGHUP and SIGQUIT stop the build and remove its work (one during the final
swap waits until it is done); what a SIGKILL leaves is marked as build_book's and removed by
the next run.
"""
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tool_safety  # noqa: E402  (modules beside this script)

if __name__ == '__main__':
    tool_safety.quiet_interrupt()  # before the slower imports below

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402

import safe_output  # noqa: E402

BOOK = Path(__file__).resolve().parent.parent / 'book'
TEXT_SUFFIXES = {'.md', '.yml', '.yaml', '.ipynb', '.bib', '.txt'}
EXAMPLE = 'build/html'
MATHJAX_EXTRA = '_mathjax'  # html_extra_path in book/_config.yml


def check_sources(notebook_dir, mathjax_dir):
    """Raise ``ToolError`` naming the first source that is not a file of UTF-8 text, not a
    readable notebook, or that must not be copied (a device, a pipe, a socket)."""
    notebooks = sorted(notebook_dir.glob('*.ipynb'))
    for path in notebooks:
        if not path.is_file():  # a named pipe would block the copy; a broken link fail it
            raise tool_safety.ToolError(
                f'{path} is not a regular file (a named pipe, a folder, or a symbolic link '
                f'that is broken or loops): remove it from {notebook_dir} or replace it by the '
                f'notebook it stands for.')
    for folder in (BOOK, mathjax_dir):
        for path in sorted(folder.rglob('*')):
            check_copyable(path, folder)
    for path in sorted(BOOK.rglob('*')):
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            tool_safety.check_utf8(path)
    for path in notebooks:
        tool_safety.read_notebook(path)  # an empty or cut-short one, named before Sphinx fails


def check_copyable(path, folder):
    """``ToolError`` unless ``path`` (followed if a link) is a regular file or a folder."""
    try:
        kind = safe_output.special_kind(os.stat(path).st_mode)
    except OSError as e:
        raise tool_safety.ToolError(f'{path} cannot be read ({e.strerror}; a broken symbolic '
                                    f'link?): remove it from {folder} or fix it.') from None
    if kind:
        raise tool_safety.ToolError(f'{path} is {kind}, not a file the book can copy (a device '
                                    f'such as /dev/zero never ends): remove it from {folder}.')


def build(notebook_dir, mathjax_dir, staging):
    """Render the book into ``staging``; raise ``CalledProcessError`` if Jupyter Book fails."""
    import reader_edition  # here: its nbgrader import takes 0.4 s, which a refused call skips
    work = staging / '.book-work'  # inside the staging folder: removed with it if killed
    source = work / 'book'
    shutil.copytree(BOOK, source)
    for notebook in sorted(notebook_dir.glob('*.ipynb')):  # as a reader gets them
        reader_edition.write_reader_edition(notebook, source / notebook.name)
    # MathJax reaches _static/mathjax through an extra path (_config.yml: html_extra_path), not
    # through book/_static: Jupyter Book makes every .js under _static a script of every page.
    shutil.copytree(mathjax_dir, source / MATHJAX_EXTRA / '_static' / 'mathjax')
    tmp = work / 'tmp'  # Sphinx leaves a crash log in TMPDIR: here it goes with the work
    tmp.mkdir()
    subprocess.run([str(Path(sys.executable).with_name('jupyter-book')), 'build',
                    '--warningiserror', '--path-output', str(work), str(source)], check=True,
                   preexec_fn=tool_safety.end_with_parent, env={**os.environ, 'TMPDIR': str(tmp)})
    for page in (work / '_build' / 'html').iterdir():
        page.rename(staging / page.name)
    shutil.rmtree(work)


def first_failure(error):
    """'SOURCE (why)' of the first file a ``shutil.Error`` of copytree lists (not the list)."""
    failures = error.args[0] if error.args else None
    if isinstance(failures, list) and failures and len(failures[0]) == 3:
        source, _, why = failures[0]
        return f'{source} ({why})'
    return str(error)


def main(argv):
    tool_safety.plain_console()
    if len(argv) != 3:
        sys.exit('usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR '
                 '(for example: build/notebooks build/html .venv/share/mathjax-3.2.2/es5)')
    notebook_dir, out_dir, mathjax_dir = map(Path, argv)
    if not notebook_dir.is_dir() or not any(notebook_dir.glob('*.ipynb')):
        sys.exit(f'build_book: {notebook_dir} is not a folder of notebooks: give the folder '
                 f'of executed notebooks, for example build/notebooks (make run writes it).')
    if not (mathjax_dir / 'tex-mml-chtml.js').is_file():
        sys.exit(f'build_book: MathJax not found in {mathjax_dir} (run make setup): '
                 f'without it the book would load MathJax from the network.')
    try:
        tool_safety.resolved_output(out_dir, EXAMPLE)
        check_sources(notebook_dir, mathjax_dir)
        with tool_safety.stopping_on_signals(), ExitStack() as swap_done:
            with safe_output.replacing(out_dir, 'build_book', [notebook_dir, mathjax_dir, BOOK],
                                       EXAMPLE) as staging:
                build(notebook_dir, mathjax_dir, staging)
                swap_done.enter_context(tool_safety.stops_held())  # never half a swap
    except safe_output.OutputError as e:
        sys.exit(f'build_book: {e}')
    except tool_safety.ToolError as e:  # found before anything was written
        sys.exit(f'build_book: {e}; {out_dir} is unchanged.')
    except tool_safety.Stopped as e:
        done = 'holds the new book' if e.completed else 'is unchanged'
        print(f'build_book: stopped by {e}; {out_dir} {done}', file=sys.stderr)
        sys.exit(e.exit_code)
    except shutil.Error as e:
        sys.exit(f'build_book: could not copy {first_failure(e)}; {out_dir} is unchanged.')
    except subprocess.CalledProcessError as e:
        sys.exit(f'build_book: jupyter-book failed with code {e.returncode} (its messages are '
                 f'above); {out_dir} is unchanged.')
    except OSError as e:
        sys.exit(f'build_book: could not write {out_dir} ({e}); the previous book, if any, '
                 f'is unchanged.')
    tool_safety.say(f'build_book: {out_dir / "index.html"}')


if __name__ == '__main__':
    main(sys.argv[1:])
