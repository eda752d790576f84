"""Build the reading version: a Jupyter Book of executed notebooks that works offline.

Usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR

The notebooks (already executed) and book/ are staged in a temporary folder,
MathJax is copied next to the pages, Jupyter Book renders the stored outputs,
and the HTML replaces OUT_HTML_DIR only when the build succeeded. OUT_HTML_DIR
is only replaced if build_book made it (see safe_output.py): never a folder
that overlaps the notebooks, MathJax or book/, nor the repository.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safe_output  # noqa: E402  (a module beside this script)

BOOK = Path(__file__).resolve().parent.parent / 'book'


def build(notebook_dir, mathjax_dir, staging):
    """Render the book into ``staging``; raise ``CalledProcessError`` if Jupyter Book fails."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, 'book')
        shutil.copytree(BOOK, source)
        for notebook in sorted(notebook_dir.glob('*.ipynb')):
            shutil.copy(notebook, source)
        shutil.copytree(mathjax_dir, source / '_static' / 'mathjax')
        subprocess.run([str(Path(sys.executable).with_name('jupyter-book')), 'build',
                        '--warningiserror', '--path-output', tmp, str(source)], check=True)
        shutil.copytree(Path(tmp, '_build', 'html'), staging, dirs_exist_ok=True)


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
        with safe_output.replacing(out_dir, 'build_book', [notebook_dir, mathjax_dir, BOOK],
                                   'build/html') as staging:
            build(notebook_dir, mathjax_dir, staging)
    except safe_output.OutputError as e:
        sys.exit(f'build_book: {e}')
    except subprocess.CalledProcessError as e:
        sys.exit(f'build_book: jupyter-book failed with code {e.returncode} (its messages are '
                 f'above); {out_dir} is unchanged.')
    except OSError as e:
        sys.exit(f'build_book: could not write {out_dir} ({e}); the previous book, if any, '
                 f'is unchanged.')
    print(f'build_book: {out_dir / "index.html"}')


if __name__ == '__main__':
    main(sys.argv[1:])
