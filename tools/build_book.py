"""Build the reading version: a Jupyter Book of executed notebooks that works offline.

Usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR

The notebooks (already executed) and book/ are staged in a temporary folder,
MathJax is copied next to the pages, Jupyter Book renders the stored outputs,
and the HTML replaces OUT_HTML_DIR only when the build succeeded.
"""
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

BOOK = Path(__file__).resolve().parent.parent / 'book'


def main(notebook_dir, out_dir, mathjax_dir):
    notebook_dir, out_dir, mathjax_dir = Path(notebook_dir), Path(out_dir), Path(mathjax_dir)
    if not (mathjax_dir / 'tex-mml-chtml.js').is_file():
        sys.exit(f'build_book: MathJax not found in {mathjax_dir} (run make setup): '
                 f'without it the book would load MathJax from the network.')
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, 'book')
        shutil.copytree(BOOK, source)
        for notebook in sorted(notebook_dir.glob('*.ipynb')):
            shutil.copy(notebook, source)
        shutil.copytree(mathjax_dir, source / '_static' / 'mathjax')
        subprocess.run([str(Path(sys.executable).with_name('jupyter-book')), 'build', '--warningiserror',
                        '--path-output', tmp, str(source)], check=True)
        if out_dir.exists():
            shutil.rmtree(out_dir)
        shutil.copytree(Path(tmp, '_build', 'html'), out_dir)
    print(f'build_book: {out_dir / "index.html"}')


if __name__ == '__main__':
    main(*sys.argv[1:])
