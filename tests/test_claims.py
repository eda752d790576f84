"""Every claim a learner reads, tested as it is written.

A claim is a sentence in a notebook's prose, a code comment or a self-check's hint that says how
MXNet or Gluon behaves, why something happens, what a number is, or what the book (原书) says. Each
test here:

- quotes its sentence with ``says(notebook, sentence)``, which fails when the sentence is no longer
  in the notebook (so a reworded sentence needs its test looked at again), and names the cell;
- then checks the sentence itself on MXNet 1.9.1: by running Gluon on a fresh object (never one a
  notebook cell changed), by reading the installed MXNet source, or, for what the book says, by
  reading the book's own v1 text kept in ``tests/book_v1/parameters.md``.

Break a claim (change the sentence's fact in the check) and its test fails. The README says how many
claims and tests there are (``CLAIMS`` below counts them).
"""
import inspect
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / 'notebooks'
BOOK_V1 = Path(__file__).resolve().parent / 'book_v1' / 'parameters.md'


def notebook_path(prefix):
    """The notebook whose file name starts with ``prefix`` ('05' for 05_exercises.ipynb)."""
    [path] = NOTEBOOKS.glob(f'{prefix}_*.ipynb')
    return path


def says(prefix, sentence):
    """The index of the one cell of notebook ``prefix`` that contains ``sentence``.

    Fails, naming the notebook, when no cell (or more than one) contains it: the test then no
    longer tests what the learner reads.
    """
    cells = nbformat.read(notebook_path(prefix), as_version=4).cells
    found = [index for index, cell in enumerate(cells) if sentence in cell.source]
    assert len(found) == 1, f'{prefix}: the sentence is in cells {found}, not in one: {sentence!r}'
    return found[0]


def book_says(sentence):
    """The book's v1 text contains ``sentence`` (white space folded)."""
    text = re.sub(r'\s+', '', BOOK_V1.read_text(encoding='utf-8'))
    assert re.sub(r'\s+', '', sentence) in text, f'the book (v1) does not say: {sentence!r}'


def mxnet_source(obj):
    """The installed MXNet 1.9.1 source of a function or class."""
    return inspect.getsource(obj)


@pytest.fixture(autouse=True)
def fresh_names():
    """Gluon's global name counter starts anew, so each test's parameter names are its own."""
    import mxnet as mx
    mx.name.NameManager._current.value = mx.name.NameManager()
    yield


# ---- 01 访问模型参数 ---------------------------------------------------------------------------

# ---- 02 初始化模型参数 -------------------------------------------------------------------------

# ---- 03 自定义初始化方法 -----------------------------------------------------------------------

# ---- 04 共享模型参数 ---------------------------------------------------------------------------

# ---- 05 练习 -----------------------------------------------------------------------------------

# ---- 06 拓展 A -----------------------------------------------------------------------------------

# ---- 07 拓展 B -----------------------------------------------------------------------------------

# ---- 08 拓展 C -----------------------------------------------------------------------------------

# ---- 09 拓展 D -----------------------------------------------------------------------------------

# ---- 10 拓展 E -----------------------------------------------------------------------------------

# ---- d2lhelpers/check.py: the self-checks' hints ----------------------------------------------


def test_the_book_copy_is_the_v1_section():
    """The copy the claims are checked against is the book's section 4.2, with its exercise 3."""
    book_says('# 模型参数的访问、初始化和共享')
    book_says('构造一个含共享参数层的多层感知机并训练。在训练过程中，观察每一层的模型参数和梯度。')
