"""Write the student edition with nbgrader, after checking the teacher's notebooks closely.

Usage: python tools/make_student.py NOTEBOOK_DIR OUT_DIR [--course COURSE_DIR]
       (make student: notebooks build/student, course folder build/course)

1. Lint, before anything is written. The answers are marked with nbgrader's convention:
   ``### BEGIN SOLUTION`` / ``### END SOLUTION`` in a code cell, hidden tests between
   ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, and cells tagged ``solution``
   (the worked discussion of an answer) left out whole. It fails closed: a line that looks
   like a marker but is not exactly one, a marker in a markdown or raw cell or in a file
   copied as it is, an unbalanced or nested block, a tag that looks like ``solution`` but
   is not, an nbgrader solution cell without markers, or a notebook that cannot be read is
   an error naming the notebook, the cell (counted from 0) and the line, and nothing is
   written. A notebook holding solutions is part of the assignment (nbgrader's source
   version); every other file is reading material.
2. COURSE_DIR becomes nbgrader's course folder: ``nbgrader_config.py`` (from
   tools/classroom/), ``source/exercises/`` (the assignment notebooks, answers included),
   and what ``nbgrader generate_assignment exercises`` makes of them: ``release/exercises/``
   (answers replaced by a prompt, hidden tests and ``solution`` cells left out, outputs
   cleared, the book's text and the checks locked) and ``gradebook.db``. The teacher runs
   nbgrader's other commands there (release_assignment, collect, autograde, feedback).
3. OUT_DIR becomes the student edition, what students get (by an nbgitpuller link): the
   reading notebooks with every cell locked (outputs kept), the other files, and the
   release in ``exercises/``. Hidden files such as ``.ipynb_checkpoints`` (Jupyter's copies
   of the teacher's notebooks, answers included) are never copied.

Both folders are replaced only as a whole and only when everything succeeded; a previous
edition is left as it was otherwise. See safe_output.py for which output folders are
replaced at all: a course folder that nbgrader has since written to (submissions, grades)
is refused, so a second ``make student`` in the middle of a course destroys nothing.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
import safe_output  # noqa: E402  (a module beside this script)

ASSIGNMENT = 'exercises'  # nbgrader's assignment, and its folder in the student edition
CONFIG = Path(__file__).resolve().parent / 'classroom' / 'nbgrader_config.py'
NBGRADER_TIMEOUT = 300  # seconds generate_assignment may take
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


def lint_notebook(nb, name):
    """Whether ``nb`` holds solutions (so is an assignment); fail closed on anything doubtful.

    Raises ``StudentError`` listing every problem found, each with its cell and line.
    """
    errors, has_solutions = [], False
    for index, cell in enumerate(nb.cells):
        where = f'{name}, cell {index}'
        try:
            if SOLUTION_TAG in tags_of(cell, where):
                has_solutions = True
                continue  # left out whole of the release (TagRemovePreprocessor, first)
            if cell.cell_type == 'code':
                strip_solution(cell.source, where)  # only for its checks
                grade_cell = cell.get('metadata', {}).get('nbgrader', {}).get('grade')
                lines = [line.lstrip() for line in cell.source.splitlines()]
                if BEGIN_HIDDEN in lines and not grade_cell:
                    raise ValueError(f'{where}, line {lines.index(BEGIN_HIDDEN) + 1}: hidden '
                                     f'tests in a cell that is not an autograded test cell '
                                     f'(nbgrader metadata grade: true): move them into the '
                                     f"exercise's test cell.")
                if any(line.lstrip() in BLOCKS for line in cell.source.splitlines()):
                    has_solutions = True
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
    if errors:
        raise StudentError('\n'.join(errors))
    return has_solutions


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


def lint(notebook_dir):
    """Check every file of the teacher's folder before anything is written.

    Returns ``(assignment, reading)``: the notebooks holding solutions (nbgrader's source
    version) and every other file, as paths relative to ``notebook_dir``.
    """
    errors, assignment, reading = [], [], []
    for path in sorted(notebook_dir.rglob('*')):
        relative = path.relative_to(notebook_dir)
        if is_hidden(relative) or path.is_dir():
            continue
        try:
            if path.suffix != '.ipynb':
                check_plain_file(path, relative.as_posix())
                reading.append(relative)
            elif lint_notebook(read_notebook(path, relative.as_posix()), relative.as_posix()):
                assignment.append(relative)
            else:
                reading.append(relative)
        except StudentError as e:
            errors.append(str(e))
    if errors:
        raise StudentError('\n'.join(errors))
    if not assignment:
        raise StudentError(f'{notebook_dir}: no notebook holds a solution ({BEGIN}): there is '
                           f'no assignment to make.')
    if any(relative.parent != Path('.') for relative in assignment):
        raise StudentError('an assignment notebook in a subfolder ('
                           + ', '.join(r.as_posix() for r in assignment)
                           + '): keep the exercises beside the other notebooks.')
    return assignment, reading


def nbgrader(course, *args):
    """Run one nbgrader command in the course folder; StudentError with its output on failure."""
    command = [sys.executable, '-m', 'nbgrader', *args]
    # nbgrader runs `alembic` (its database migrations) from PATH: this environment's own.
    env = {**os.environ, 'PATH': os.pathsep.join([os.path.dirname(sys.executable),
                                                  os.environ.get('PATH', '')])}
    try:
        result = subprocess.run(command, cwd=course, capture_output=True, text=True,
                                timeout=NBGRADER_TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        raise StudentError(f'nbgrader {args[0]} did not finish in {NBGRADER_TIMEOUT} s.') from None
    log = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or '[ERROR]' in log:
        raise StudentError(f'nbgrader {" ".join(args)} failed (exit {result.returncode}):\n'
                           + '\n'.join(log.splitlines()[-30:]))
    return log


def lock(nb):
    """Every cell read-only and undeletable in JupyterLab (as nbgrader locks its cells)."""
    for cell in nb.cells:
        cell.metadata['editable'] = False
        cell.metadata['deletable'] = False
    return nb


def write_course(notebook_dir, assignment, course):
    """Lay out nbgrader's course folder and generate the release with nbgrader itself."""
    shutil.copy(CONFIG, course / 'nbgrader_config.py')
    source = course / 'source' / ASSIGNMENT
    source.mkdir(parents=True)
    for relative in assignment:
        shutil.copy(notebook_dir / relative, source / relative.name)
    nbgrader(course, 'generate_assignment', ASSIGNMENT, '--force')
    release = course / 'release' / ASSIGNMENT
    for relative in assignment:
        if not (release / relative.name).is_file():
            raise StudentError(f'nbgrader wrote no release of {relative} in {release}.')
    return release


def write_edition(notebook_dir, reading, release, staging):
    """The student edition: reading material (cells locked, outputs kept) and the release."""
    for relative in reading:
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.suffix == '.ipynb':
            nbformat.write(lock(nbformat.read(notebook_dir / relative, as_version=4)), target)
        elif relative.suffix == '.md':  # links to an exercise notebook: now in its folder
            text = (notebook_dir / relative).read_text(encoding='utf-8')
            for name in sorted(p.name for p in release.glob('*.ipynb')):
                text = text.replace(f']({name})', f']({ASSIGNMENT}/{name})')
            target.write_text(text, encoding='utf-8')
        else:
            shutil.copy(notebook_dir / relative, target)
    shutil.copytree(release, staging / ASSIGNMENT)
    for path in sorted((staging / ASSIGNMENT).glob('*.ipynb')):
        print(f'make_student: {ASSIGNMENT}/{path.name} (released by nbgrader: no solutions)')


def main(argv):
    parser = argparse.ArgumentParser(
        description='Write the student edition with nbgrader (see the docstring).')
    parser.add_argument('notebook_dir', type=Path, help="the teacher's notebooks, e.g. notebooks")
    parser.add_argument('out_dir', type=Path, help='the student edition, e.g. build/student')
    parser.add_argument('--course', type=Path, default=None,
                        help="nbgrader's course folder (default: course beside OUT_DIR)")
    args = parser.parse_args(argv)
    notebook_dir, out_dir = args.notebook_dir, args.out_dir
    course_dir = args.course or out_dir.parent / 'course'
    if not notebook_dir.is_dir() or not any(notebook_dir.glob('*.ipynb')):
        sys.exit(f'make_student: {notebook_dir} is not a folder of notebooks: give the '
                 f"teacher's notebook folder, for example notebooks.")
    if Path(os.path.abspath(course_dir)) == Path(os.path.abspath(out_dir)):
        sys.exit('make_student: the course folder and the student edition must differ.')
    try:
        # The folder the teacher named is judged first, so that a refusal names it.
        safe_output.validate_output(out_dir, 'make_student', [notebook_dir, course_dir],
                                    'build/student')
        assignment, reading = lint(notebook_dir)  # fail closed before anything is written
        with safe_output.replacing(course_dir, 'make_student', [notebook_dir, out_dir],
                                   'build/course') as course, \
                safe_output.replacing(out_dir, 'make_student', [notebook_dir, course_dir],
                                      'build/student') as staging:
            release = write_course(notebook_dir, assignment, course)
            write_edition(notebook_dir, reading, release, staging)
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
    print(f'make_student: the student edition is in {out_dir}, '
          f"nbgrader's course folder (with the solutions and the gradebook) in {course_dir}")


if __name__ == '__main__':
    main(sys.argv[1:])
