"""Write the index page of the reading version: one link per notebook, in order.

Usage: python tools/html_index.py NOTEBOOK_DIR INDEX_HTML
Each notebook is listed under its first Markdown heading and links to the
HTML page that nbconvert wrote next to the index.
"""
import html
import sys
from pathlib import Path

import nbformat


def first_heading(path):
    for cell in nbformat.read(path, as_version=4).cells:
        if cell.cell_type == 'markdown':
            for line in cell.source.splitlines():
                if line.startswith('#'):
                    return line.lstrip('#').strip()
    return path.stem


def main(notebook_dir, index_path):
    items = '\n'.join(
        f'  <li><a href="{html.escape(path.stem)}.html">{html.escape(first_heading(path))}</a></li>'
        for path in sorted(Path(notebook_dir).glob('*.ipynb')))
    Path(index_path).write_text(f"""<!DOCTYPE html>
<html lang="zh">
<head><meta charset="utf-8"><title>4.2 模型参数的访问、初始化和共享</title></head>
<body>
<h1>4.2 模型参数的访问、初始化和共享</h1>
<p>《动手学深度学习》（MXNet 版）4.2 节的可运行版本。每一页都是执行过的笔记本。</p>
<ol>
{items}
</ol>
</body>
</html>
""", encoding='utf-8')


if __name__ == '__main__':
    main(*sys.argv[1:])
