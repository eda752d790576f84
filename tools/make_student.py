"""Write the student edition: the exercises without their solutions, each followed by its check.

Usage: python tools/make_student.py NOTEBOOK_DIR OUT_DIR

In every notebook (nbgrader's convention for marking answers):
- the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` in a code cell become a prompt;
  the line before the block leaves the answer's variable at ``None``, so the check after
  it says "not yet" instead of the notebook stopping with an error;
- cells tagged ``solution`` (the worked discussion of an answer) are left out;
- a notebook that had either loses its stored outputs, which would give the answers away.
Other notebooks and files are copied as they are.
"""
import shutil
import sys
from pathlib import Path

import nbformat

BEGIN, END = '### BEGIN SOLUTION', '### END SOLUTION'
PROMPT = '# YOUR CODE HERE：在这里写出你的解答，然后运行下面的检查'


def strip_solution(source, where):
    """Replace each BEGIN/END block of a cell's source with the prompt."""
    lines, out, inside = source.splitlines(), [], False
    for number, line in enumerate(lines, 1):
        marker = line.strip()
        if marker == BEGIN:
            if inside:
                raise ValueError(f'{where}, line {number}: {BEGIN} inside another block')
            inside = True
            out.append(line.replace(BEGIN, PROMPT))
        elif marker == END:
            if not inside:
                raise ValueError(f'{where}, line {number}: {END} without {BEGIN}')
            inside = False
        elif not inside:
            out.append(line)
    if inside:
        raise ValueError(f'{where}: {BEGIN} without {END}')
    return '\n'.join(out)


def student_notebook(nb, name):
    """Return the student version of ``nb``, or None if it holds no solutions."""
    has_solutions = any('solution' in cell.metadata.get('tags', []) or BEGIN in cell.source
                        for cell in nb.cells)
    if not has_solutions:
        return None
    cells = []
    for index, cell in enumerate(nb.cells):
        if 'solution' in cell.metadata.get('tags', []):
            continue
        if cell.cell_type == 'code':
            cell.source = strip_solution(cell.source, f'{name}, cell {index}')
            cell.outputs, cell.execution_count = [], None
        cells.append(cell)
    nb.cells = cells
    return nb


def main(notebook_dir, out_dir):
    notebook_dir, out_dir = Path(notebook_dir), Path(out_dir)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(notebook_dir, out_dir)
    for path in sorted(out_dir.glob('*.ipynb')):
        student = student_notebook(nbformat.read(path, as_version=4), path.name)
        if student is not None:
            nbformat.write(student, path)
            print(f'make_student: {path} (solutions replaced by prompts)')
    print(f'make_student: the student edition is in {out_dir}')


if __name__ == '__main__':
    main(*sys.argv[1:])
