"""Build the reading version: a Jupyter Book of executed notebooks that works offline.

Usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR

The notebooks (already executed) and book/ are staged in a work folder inside the
output's own staging folder (beside OUT_HTML_DIR, never in /tmp), MathJax is copied next
to the pages, Jupyter Book renders the stored outputs, and the HTML replaces OUT_HTML_DIR
only when the build succeeded. OUT_HTML_DIR is only replaced if build_book made it (see
safe_output.py): never a folder that overlaps the notebooks, MathJax or book/, nor the
repository. Every source must be UTF-8 text (a file in another encoding is named, with its
encoding, before anything is built). SIGINT, SIGTERM and SIGHUP stop the build and remove
its work; what a SIGKILL leaves is marked as build_book's and removed by the next run.
"""
import shutil
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safe_output  # noqa: E402  (modules beside this script)
import tool_safety  # noqa: E402

BOOK = Path(__file__).resolve().parent.parent / 'book'
TEXT_SUFFIXES = {'.md', '.yml', '.yaml', '.ipynb', '.bib', '.txt'}
EXAMPLE = 'build/html'


def check_sources(notebook_dir):
    """Raise ``ToolError`` naming the first source that is not a file of UTF-8 text."""
    notebooks = sorted(notebook_dir.glob('*.ipynb'))
    for path in notebooks:
        if not path.is_file():  # a named pipe would block the copy; a broken link fail it
            raise tool_safety.ToolError(
                f'{path} is not a regular file (a named pipe, a folder, or a symbolic link '
                f'that is broken or loops): remove it from {notebook_dir} or replace it by the '
                f'notebook it stands for.')
    for path in sorted(BOOK.rglob('*')) + notebooks:
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            tool_safety.check_utf8(path)


def build(notebook_dir, mathjax_dir, staging):
    """Render the book into ``staging``; raise ``CalledProcessError`` if Jupyter Book fails."""
    work = staging / '.book-work'  # inside the staging folder: removed with it if killed
    source = work / 'book'
    shutil.copytree(BOOK, source)
    for notebook in sorted(notebook_dir.glob('*.ipynb')):
        shutil.copy(notebook, source)
    shutil.copytree(mathjax_dir, source / '_static' / 'mathjax')
    subprocess.run([str(Path(sys.executable).with_name('jupyter-book')), 'build',
                    '--warningiserror', '--path-output', str(work), str(source)], check=True,
                   preexec_fn=tool_safety.end_with_parent)
    for page in (work / '_build' / 'html').iterdir():
        page.rename(staging / page.name)
    shutil.rmtree(work)


def main(argv):
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
        check_sources(notebook_dir)
        with tool_safety.stopping_on_signals(), safe_output.replacing(
                out_dir, 'build_book', [notebook_dir, mathjax_dir, BOOK], EXAMPLE) as staging:
            build(notebook_dir, mathjax_dir, staging)
    except (safe_output.OutputError, tool_safety.ToolError) as e:
        sys.exit(f'build_book: {e}')
    except tool_safety.Stopped as e:
        print(f'build_book: stopped by {e}; {out_dir} is unchanged', file=sys.stderr)
        sys.exit(e.exit_code)
    except subprocess.CalledProcessError as e:
        sys.exit(f'build_book: jupyter-book failed with code {e.returncode} (its messages are '
                 f'above); {out_dir} is unchanged.')
    except OSError as e:
        sys.exit(f'build_book: could not write {out_dir} ({e}); the previous book, if any, '
                 f'is unchanged.')
    print(f'build_book: {out_dir / "index.html"}')


if __name__ == '__main__':
    main(sys.argv[1:])
