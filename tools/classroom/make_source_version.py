"""Make notebooks/05_exercises.ipynb nbgrader's source version (idempotent: run it again any time).

    .venv/bin/python tools/classroom/make_source_version.py notebooks/05_exercises.ipynb
    .venv/bin/python tools/store_notebooks.py notebooks/05_exercises.ipynb

What it does, recognising the cells by their content (not their position), so it can be
re-applied after the text or the cells of the notebook were edited:
- each exercise heading ``## 练习 N：…`` ends with its points, ``（P 分）``;
- the first cell gets one paragraph on how the notebook is graded (once);
- a code cell with ``### BEGIN SOLUTION`` becomes an nbgrader solution cell (``exN_answerK``);
- a check cell ``d2l.check.NAME(...)`` becomes an autograded test cell (``exN_check``, P points).
  The check prints its Chinese verdict; under nbgrader (autograde, validate) a failed check
  raises CheckFailed, an AssertionError (d2lhelpers/check.py), so the exercise gets no
  points, while a student's Run All goes on to the next exercise. The hidden tests after it
  (``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, grading what a student could
  otherwise fake) are written in the notebook, their one home: this tool leaves them as
  they are, and they may read only the names the exercise asks for (and what the locked
  cells define);
- cells tagged ``solution`` (the worked discussion) get no nbgrader metadata: make student
  leaves them out of the release before nbgrader sees the notebook;
- every other cell (the book's text, the given code) becomes read-only (``locked``).
Outputs are left as they are (the tool changes no code that runs).
The notebook is rewritten through a temporary file in its folder and a rename: a full disk, a
read-only folder or a signal leaves it exactly as it was.
"""
import argparse
import sys
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import tool_safety  # noqa: E402  (tools/tool_safety.py)
from grading_markers import BEGIN, CHECK_CALL, GRADING, HEADING  # noqa: E402

# check function -> (exercise, points)
CHECKS = {'init_table': (1, 2), 'deferred_shapes': (2, 3), 'shared_mlp_training': (3, 5)}


def nbgrader(grade_id, solution=False, grade=False, locked=False, points=None):
    meta = {'grade': grade, 'grade_id': grade_id, 'locked': locked, 'schema_version': 3,
            'solution': solution, 'task': False}
    if points is not None:
        meta['points'] = points
    return meta


def points_of(exercise):
    points = [p for e, p in CHECKS.values() if e == exercise]
    if not points:
        raise tool_safety.ToolError(
            f'the heading "## 练习 {exercise}：…" names an exercise that has no check '
            f'(CHECKS has exercises {sorted(e for e, _ in CHECKS.values())}): add its check '
            f'function to CHECKS in {Path(__file__).name}, or write the heading without '
            f'"练习 {exercise}："')
    return points[0]


def convert(nb):
    exercise, answers = 0, {}
    if not nb.cells:
        raise tool_safety.ToolError('the notebook has no cells: give the teacher\'s notebook '
                                    'with the exercises, for example notebooks/05_exercises.ipynb')
    first = nb.cells[0]
    if first.cell_type == 'markdown' and GRADING not in first.source:
        first.source = first.source.rstrip('\n') + '\n\n' + GRADING
    for index, cell in enumerate(nb.cells):
        tags = cell.metadata.get('tags', [])
        cell.metadata.pop('nbgrader', None)
        if cell.cell_type == 'markdown':
            cell.source = HEADING.sub(lambda m: f'{m[1]}（{points_of(int(m[2]))} 分）', cell.source)
            found = HEADING.findall(cell.source)
            exercise = int(found[-1][1]) if found else exercise
        if 'solution' in tags:
            continue  # the worked discussion: left out of the release (make student)
        lines = cell.source.splitlines()
        if cell.cell_type == 'code' and BEGIN in [line.strip() for line in lines]:
            answers[exercise] = answers.get(exercise, 0) + 1
            cell.metadata['nbgrader'] = nbgrader(f'ex{exercise}_answer{answers[exercise]}',
                                                 solution=True)
        elif cell.cell_type == 'code' and CHECK_CALL.match(lines[0] if lines else ''):
            match = CHECK_CALL.match(lines[0])
            name = match[1]
            if name not in CHECKS:
                raise SystemExit(f'cell {index}: unknown check d2l.check.{name}: add it to CHECKS')
            number, points = CHECKS[name]
            if number != exercise:
                raise SystemExit(f'cell {index}: d2l.check.{name} belongs to exercise {number}, '
                                 f'but follows the heading of exercise {exercise}')
            cell.metadata['nbgrader'] = nbgrader(f'ex{number}_check', grade=True, locked=True,
                                                 points=points)
        else:
            cell.metadata['nbgrader'] = nbgrader(f'locked_{index}', locked=True)
    checked = {e for e, _ in CHECKS.values()}
    graded = {int(c.metadata['nbgrader']['grade_id'][2]) for c in nb.cells
              if c.metadata.get('nbgrader', {}).get('grade')}
    if graded != checked:
        raise SystemExit(f'exercises with a check cell: {sorted(graded)}, '
                         f'expected {sorted(checked)}')
    return nb


def read(path):
    """The notebook at ``path``; ``ToolError`` naming the problem if it cannot be read."""
    if not path.is_file():
        raise tool_safety.ToolError(f'{path} is not a notebook file: give the teacher\'s '
                                    f'notebook, for example notebooks/05_exercises.ipynb')
    return tool_safety.read_notebook(path)


def main(argv=None):
    tool_safety.plain_console()
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebook', type=Path)
    path = parser.parse_args(argv).notebook
    try:
        with tool_safety.stopping_on_signals():
            try:
                nb = convert(read(path))
            except tool_safety.ToolError as e:
                raise tool_safety.ToolError(f'{path}: {e}' if str(path) not in str(e)
                                            else str(e)) from None
            text = nbformat.writes(nb)
            tool_safety.write_atomically(path, text if text.endswith('\n') else text + '\n')
    except tool_safety.ToolError as e:
        sys.exit(f'make_source_version: {e}')
    except tool_safety.Stopped as e:
        # A stop during the write waits until the file is whole: it then holds the new version.
        done = 'was written just before' if e.completed else 'is unchanged'
        print(f'make_source_version: stopped by {e}; {path} {done}', file=sys.stderr)
        sys.exit(e.exit_code)
    except OSError as e:
        sys.exit(f'make_source_version: could not write {path} ({e.strerror or e}); it is '
                 f'unchanged. Free some disk space or make its folder writable.')


if __name__ == '__main__':
    main()
