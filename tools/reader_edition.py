"""The reader's edition of the notebooks: the answered exercises without nbgrader's machinery.

notebooks/05_exercises.ipynb is the teacher's source version for nbgrader (see
tools/classroom/make_source_version.py). A reader of the book, or of ``make run``'s
executed notebooks, gets the same notebook as a worked answer, made here in memory by two
nbconvert preprocessors:

- nbgrader's own ``ClearHiddenTests`` leaves out the hidden tests
  (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``);
- ``ReaderPreprocessor`` removes the lines ``### BEGIN SOLUTION`` / ``### END SOLUTION``
  (the answer between them is kept, the code otherwise identical), takes out the paragraph
  on grading and the points in the exercise headings (in Chinese, and in English for
  notebooks/en/05_exercises.ipynb), and drops nbgrader's metadata and the
  ``solution`` tag (make student's mark for a worked discussion). The checks stay as they are:
  a reader's call, which raises only under nbgrader (d2lhelpers/check.py).

Every other notebook passes through unchanged. The stored outputs stay true: hidden tests
print nothing, and marker lines are comments.
It fails closed: a marker string left anywhere in a cell (one not alone on its line, which
make student refuses too) or unbalanced hidden tests is a ``ToolError`` naming the notebook,
the cell and the line. The markers come from their one home, tools/grading_markers.py.
"""
import copy
import sys
from pathlib import Path

import nbformat
from nbconvert.preprocessors import Preprocessor
from nbgrader.preprocessors import ClearHiddenTests

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tool_safety  # noqa: E402  (modules beside this script)
from grading_markers import (  # noqa: E402
    BEGIN,
    BEGIN_HIDDEN,
    END,
    END_HIDDEN,
    GRADING,
    HEADING,
    HEADING_EN,
    grading_paragraph_en,
)

SOLUTION_TAG = 'solution'


class ReaderPreprocessor(Preprocessor):
    """Everything of nbgrader's source version a reader should not see, except hidden tests."""

    def preprocess(self, nb, resources):
        nb.metadata.pop('celltoolbar', None)  # nbgrader's toolbar in the classic notebook
        return super().preprocess(nb, resources)

    def preprocess_cell(self, cell, resources, index):
        cell.metadata.pop('nbgrader', None)
        if SOLUTION_TAG in cell.metadata.get('tags', []):
            cell.metadata['tags'].remove(SOLUTION_TAG)
            if not cell.metadata['tags']:
                del cell.metadata['tags']
        if cell.cell_type == 'code':
            cell.source = '\n'.join(line for line in cell.source.split('\n')
                                    if line.strip() not in (BEGIN, END))
        elif cell.cell_type == 'markdown':
            for heading in (HEADING, HEADING_EN):
                cell.source = heading.sub(lambda match: match[1], cell.source)
            grading = (GRADING, grading_paragraph_en())
            cell.source = '\n\n'.join(paragraph for paragraph in cell.source.split('\n\n')
                                       if paragraph.strip() not in grading)
        return cell, resources


def reader_edition(nb, name):
    """A copy of the notebook ``nb`` as a reader gets it; ``ToolError`` naming ``name``."""
    nb = copy.deepcopy(nb)
    hidden = ClearHiddenTests(begin_test_delimeter=BEGIN_HIDDEN,
                              end_test_delimeter=END_HIDDEN, enforce_metadata=False)
    try:
        hidden.preprocess(nb, {})
    except RuntimeError as e:  # nbgrader's words for a nested or unclosed block
        raise tool_safety.ToolError(
            f'{name}: {e} ({BEGIN_HIDDEN} / {END_HIDDEN}): close each block, as make '
            f'student requires too') from None
    ReaderPreprocessor().preprocess(nb, {})
    check_no_marker_left(nb, name)
    return nb


def check_no_marker_left(nb, name):
    """``ToolError`` for a marker string still in a cell (one with text around it)."""
    for index, cell in enumerate(nb.cells):
        for number, line in enumerate(cell.source.split('\n'), 1):
            marker = next((m for m in (BEGIN, END, BEGIN_HIDDEN, END_HIDDEN) if m in line), None)
            if marker:
                raise tool_safety.ToolError(
                    f'{name}, cell {index} (counted from 0), line {number}: {marker!r} is not '
                    f'alone on its line, so the reader\'s edition would show it: put it on a '
                    f'line of its own (make student requires that too)')


def write_reader_edition(source, target):
    """Write the reader's edition of the notebook file ``source`` to ``target``."""
    nb = reader_edition(tool_safety.read_notebook(source), source)
    Path(target).write_text(nbformat.writes(nb), encoding='utf-8')
