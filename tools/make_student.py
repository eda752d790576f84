"""Write the student edition: the exercises without their solutions, each followed by its check.

Usage: python tools/make_student.py NOTEBOOK_DIR OUT_DIR

In every notebook (nbgrader's convention for marking answers):
- the lines from ``### BEGIN SOLUTION`` to ``### END SOLUTION`` in a code cell become a prompt;
  the line before the block leaves the answer's variable at ``None``, so the check after
  it says "not yet" instead of the notebook stopping with an error;
- the lines from ``### BEGIN HIDDEN TESTS`` to ``### END HIDDEN TESTS`` are left out;
- cells tagged ``solution`` (the worked discussion of an answer) are left out;
- a notebook that had any of these loses its stored outputs, which would give the answers away.
Other notebooks and files are copied as they are, except hidden ones such as
``.ipynb_checkpoints`` (Jupyter's copies of the teacher's notebooks, answers included).

It fails closed: a line that looks like a marker but is not exactly one, a marker in a
markdown or raw cell, an unbalanced or nested block, a tag that looks like ``solution``
but is not, or a notebook that cannot be read is an error naming the notebook, the cell
(counted from 0) and the line, and no new edition is written. A previous edition (made
by an earlier successful run, so without answers) is left as it was; see safe_output.py
for which output folders are replaced at all.
"""
import re
import shutil
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safe_output  # noqa: E402  (a module beside this script)

BEGIN, END = '### BEGIN SOLUTION', '### END SOLUTION'
BEGIN_HIDDEN, END_HIDDEN = '### BEGIN HIDDEN TESTS', '### END HIDDEN TESTS'
BLOCKS = {BEGIN: END, BEGIN_HIDDEN: END_HIDDEN}
PROMPT = '# YOUR CODE HERE：在这里写出你的解答，然后运行下面的检查'
SOLUTION_TAG = 'solution'
# Anything a hurried teacher might have meant as a marker: other case, spacing, '#'s,
# underscores, text after it ("### BEGIN SOLUTION (exercise 1)"), "END OF SOLUTION".
LOOKS_LIKE_MARKER = re.compile(
    r'\b(begin|end|start|stop)[\W_]*(of[\W_]*)?(the[\W_]*)?(solution|hidden[\W_]*test)'
    r'|(solution|hidden[\W_]*tests?)[\W_]*(begin|end|start|stop)\b', re.IGNORECASE)


class StudentError(Exception):
    """The teacher's notebooks cannot be turned into a student edition safely."""


def strip_solution(source, where):
    """Replace each solution block of a code cell's source with the prompt, drop hidden tests.

    Raises ``ValueError`` naming ``where`` and the line for anything that is not exactly
    a marker but looks like one, and for unbalanced or nested blocks.
    """
    out, open_block = [], None  # open_block: (begin marker, its line number)
    for number, line in enumerate(source.splitlines(), 1):
        marker = line.lstrip()  # indentation is fine; anything else around it is not
        if marker in BLOCKS:
            if open_block:
                raise ValueError(f'{where}, line {number}: {marker} inside another block '
                                 f'(opened by {open_block[0]} on line {open_block[1]}): '
                                 f'close each block before opening the next.')
            open_block = (marker, number)
            if marker == BEGIN:
                out.append(line.replace(BEGIN, PROMPT))
        elif marker in BLOCKS.values():
            begin = next(b for b, e in BLOCKS.items() if e == marker)
            if not open_block:
                raise ValueError(f'{where}, line {number}: {marker} without {begin} '
                                 f'before it: add the {begin} line, or remove this one.')
            if open_block[0] != begin:
                raise ValueError(f'{where}, line {number}: {marker} does not close '
                                 f'{open_block[0]} (line {open_block[1]}): close it with '
                                 f'{BLOCKS[open_block[0]]}.')
            open_block = None
        elif LOOKS_LIKE_MARKER.search(line):
            raise ValueError(f'{where}, line {number}: {line!r} looks like a solution '
                             f'marker but is not exactly one: write {BEGIN!r} or {END!r} '
                             f'(or {BEGIN_HIDDEN!r} / {END_HIDDEN!r}) alone on its line, '
                             f'or reword it.')
        elif not open_block:
            out.append(line)
    if open_block:
        raise ValueError(f'{where}, line {open_block[1]}: {open_block[0]} without '
                         f'{BLOCKS[open_block[0]]}: close the block.')
    return '\n'.join(out)


def tags_of(cell, where):
    """The cell's tags; a tag that looks like ``solution`` but is not exactly it is an error."""
    tags = cell.get('metadata', {}).get('tags', [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f'{where}: metadata.tags must be a list of strings, got {tags!r}.')
    for tag in tags:
        if tag != SOLUTION_TAG and 'solution' in tag.lower():
            raise ValueError(f'{where}: tag {tag!r} looks like {SOLUTION_TAG!r} but is not '
                             f'exactly it, so the cell would be kept: tag it {SOLUTION_TAG!r}.')
    return tags


def student_notebook(nb, name):
    """Return the student version of ``nb``, or None if it holds no solutions.

    Raises ``StudentError`` listing every problem found, each with its cell and line.
    """
    cells, errors, has_solutions = [], [], False
    for index, cell in enumerate(nb.cells):
        where = f'{name}, cell {index}'
        try:
            if SOLUTION_TAG in tags_of(cell, where):
                has_solutions = True
                continue  # left out whole: whatever it holds goes nowhere
            if cell.cell_type == 'code':
                source = strip_solution(cell.source, where)
                if any(line.lstrip() in BLOCKS for line in cell.source.splitlines()):
                    has_solutions = True
                    cell.source = source
                elif cell.get('metadata', {}).get('nbgrader', {}).get('solution'):
                    raise ValueError(f'{where}: an nbgrader solution cell without '
                                     f'{BEGIN} / {END}: mark the answer, or tag the cell '
                                     f'{SOLUTION_TAG!r} to leave it out.')
            else:
                for number, line in enumerate(cell.source.splitlines(), 1):
                    if LOOKS_LIKE_MARKER.search(line):
                        raise ValueError(
                            f'{where}, line {number}: a solution marker in a '
                            f'{cell.cell_type} cell ({line.strip()!r}), where it would be '
                            f'copied as it is: put the answer in a code cell, or tag the '
                            f'cell {SOLUTION_TAG!r} to leave it out.')
        except ValueError as e:
            errors.append(str(e))
        cells.append(cell)
    if errors:
        raise StudentError('\n'.join(errors))
    if not has_solutions:
        return None
    for cell in cells:
        if cell.cell_type == 'code':
            cell.outputs, cell.execution_count = [], None
    nb.cells = cells
    return nb


def read_notebook(path, name):
    """Read and validate a notebook, or raise ``StudentError`` saying what is wrong."""
    try:
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # JSON, encoding, schema, version: all mean "not a notebook"
        reason = ' '.join(str(getattr(e, 'message', e)).split())[:300]
        place = list(getattr(e, 'absolute_path', []))  # where the schema check failed
        if place[:1] == ['cells'] and len(place) > 1:
            reason = f'cell {place[1]}, {".".join(map(str, place[2:]))}: {reason}'
        raise StudentError(f'{name}: not a valid notebook ({type(e).__name__}: {reason}): '
                           f'repair it (open and save it in Jupyter) or remove it.') from None
    return nb


def check_plain_file(path, name):
    """A file copied as it is must not hold solution markers: only notebooks are stripped."""
    try:
        text = path.read_text(encoding='utf-8')
    except (UnicodeDecodeError, OSError):
        return  # not text: nothing a marker could be in
    for number, line in enumerate(text.splitlines(), 1):
        if LOOKS_LIKE_MARKER.search(line):
            raise StudentError(f'{name}, line {number}: a solution marker ({line.strip()!r}) in a '
                               f'file that is copied as it is (only notebooks are stripped): '
                               f'move the answer into a notebook, or the file out of the folder.')


def is_hidden(relative):
    return any(part.startswith('.') or part == '__pycache__' for part in relative.parts)


def write_edition(notebook_dir, staging):
    """Write the student edition of every file under ``notebook_dir`` into ``staging``."""
    errors = []
    for path in sorted(notebook_dir.rglob('*')):
        relative = path.relative_to(notebook_dir)
        if is_hidden(relative) or path.is_dir():
            continue
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if path.suffix != '.ipynb':
            try:
                check_plain_file(path, relative.as_posix())
            except StudentError as e:
                errors.append(str(e))
            shutil.copy(path, target)
            continue
        try:
            nb = read_notebook(path, relative.as_posix())
            student = student_notebook(nb, relative.as_posix())
        except StudentError as e:
            errors.append(str(e))
            continue
        if student is None:
            shutil.copy(path, target)  # byte for byte, outputs and all
        else:
            nbformat.write(student, target)
            print(f'make_student: {relative} (solutions replaced by prompts)')
    if errors:
        raise StudentError('\n'.join(errors))


def main(argv):
    if len(argv) != 2:
        sys.exit('usage: python tools/make_student.py NOTEBOOK_DIR OUT_DIR '
                 '(for example: notebooks build/student)')
    notebook_dir, out_dir = Path(argv[0]), Path(argv[1])
    if not notebook_dir.is_dir() or not any(notebook_dir.glob('*.ipynb')):
        sys.exit(f'make_student: {notebook_dir} is not a folder of notebooks: give the '
                 f"teacher's notebook folder, for example notebooks.")
    try:
        with safe_output.replacing(out_dir, 'make_student', [notebook_dir],
                                   'build/student') as staging:
            write_edition(notebook_dir, staging)
    except safe_output.OutputError as e:
        sys.exit(f'make_student: {e}')
    except StudentError as e:
        kept = ('the previous edition there is unchanged (it is from the last successful run)'
                if out_dir.exists() else 'nothing was written')
        sys.exit(f'make_student: no student edition written to {out_dir} ({kept}), '
                 f'because:\n{e}')
    except OSError as e:
        sys.exit(f'make_student: could not write {out_dir} ({e}); the previous edition, '
                 f'if any, is unchanged.')
    print(f'make_student: the student edition is in {out_dir}')


if __name__ == '__main__':
    main(sys.argv[1:])
