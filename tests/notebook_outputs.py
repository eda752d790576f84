"""Compare two runs of a notebook by nbval's own rules, for runs that nbval did not make.

The JupyterLab UI test executes every notebook through the browser; comparing what it
saved with the stored notebook makes that run a second strict regression check,
without executing the series once more. The rules are nbval 0.11's (``IPyNbCell.
compare_outputs``): streams of one name are joined, the same keys are skipped
(tracebacks, metadata, PNG and JPEG images, ...), the sanitize file applies to both
sides, and the outputs that share a key must be equal in order.
"""
import copy
import re
from collections import defaultdict

from nbval.plugin import coalesce_streams, get_sanitize_patterns, transform_streams_for_comparison

SKIPPED = {'metadata', 'traceback', 'prompt_number', 'output_type', 'name', 'execution_count',
           'application/vnd.jupyter.widget-view+json', 'image/png', 'image/jpeg'}


def read_sanitize_rules(path):
    return get_sanitize_patterns(path.read_text(encoding='utf-8'))


def comparable(outputs, rules):
    """Outputs as nbval compares them: key -> list of sanitized values."""
    def sanitize(value):
        if isinstance(value, str):
            for regex, replace in rules:
                value = re.sub(regex, replace, value)
        return value

    flat = defaultdict(list)
    outputs = coalesce_streams(copy.deepcopy(outputs))  # it joins streams in place
    for output in transform_streams_for_comparison(outputs):
        for key, value in output.items():
            if key == 'data':
                for mime, content in value.items():
                    if mime not in SKIPPED:
                        flat[mime].append(sanitize(content))
            elif key not in SKIPPED:
                flat[key].append(sanitize(value))
    return dict(flat)


def differing_cells(stored, executed, rules):
    """Indexes (among code cells) whose outputs differ, with both sides, as a list of tuples."""
    stored_cells = [c for c in stored.cells if c.cell_type == 'code']
    executed_cells = [c for c in executed.cells if c.cell_type == 'code']
    assert len(stored_cells) == len(executed_cells), 'the two notebooks have other cells'
    differences = []
    for index, (old, new) in enumerate(zip(stored_cells, executed_cells)):
        if old.execution_count is None:  # nbval executes such a cell without comparing it
            continue
        expected, got = comparable(old.outputs, rules), comparable(new.outputs, rules)
        if expected != got:
            differences.append((index, expected, got))
    return differences
