"""Each helper's docstring names the notebooks that call it ("Used in: ..."), as d2l does."""
import re
from pathlib import Path

import pytest

import d2lhelpers as d2l

ROOT = Path(__file__).resolve().parent.parent
SOURCES = {path.stem: path.read_text(encoding='utf-8')
           for path in sorted((ROOT / 'notebooks').glob('*.ipynb'))}
SOURCES['ps_worker'] = (ROOT / 'notebooks' / 'ps_worker.py').read_text(encoding='utf-8')
# sgd and get_fashion_mnist_labels are d2lzh's own, re-exported as they are. The data package's
# names that d2l does not export too are checked as data.X (constants have no docstring).
HELPERS = sorted(set(d2l.__all__) - {'check', 'sgd', 'get_fashion_mnist_labels'}
                 | {f'check.{name}' for name in d2l.check.__all__}
                 | {f'data.{name}' for name in d2l.data.__all__
                    if name not in d2l.__all__ and not name.isupper()})


def helper(dotted):
    obj = d2l
    for part in dotted.split('.'):
        obj = getattr(obj, part)
    return obj


def is_helper(dotted):
    try:
        helper(dotted)
    except AttributeError:
        return False
    return True


@pytest.mark.parametrize('name', HELPERS)
def test_the_docstring_names_every_notebook_that_calls_the_helper(name):
    doc = helper(name).__doc__ or ''
    assert 'Used in:' in doc, f'{name} has no "Used in:" line'
    used_in = ' '.join(doc.split('Used in:', 1)[1].split())
    callers = [stem for stem, text in SOURCES.items()
               if re.search(rf'\bd2l\.{re.escape(name)}\b', text)]
    missing = [stem for stem in callers if stem not in used_in]
    assert missing == [], f'{name} is called in {missing}'
    named = re.findall(r'\b\d\d_\w+|\bps_worker\b', used_in)
    assert all(stem in SOURCES for stem in named), f'{name} names a notebook that does not exist'
    # A notebook that does not call it must call a helper that the line names in parentheses
    # as the way it is used there: "(returned by train_ch3)", "(through GradNormRecorder)".
    via = [word for note in re.findall(r'\(([^)]*)\)', used_in)
           for word in re.findall(r'[A-Za-z_][\w.]*\w', note) if is_helper(word)]
    stale = [stem for stem in named if stem not in callers and not any(
        re.search(rf'\bd2l\.{re.escape(word)}\b', SOURCES[stem]) for word in via)]
    assert stale == [], f'{name} says it is used in {stale}, which call neither it nor {via}'
