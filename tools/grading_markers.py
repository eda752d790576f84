"""What marks the teacher's notebook as nbgrader's source version: the one home of these strings.

tools/classroom/make_source_version.py writes them into notebooks/05_exercises.ipynb,
tools/make_student.py takes the answers out by them (the student edition) and
tools/reader_edition.py takes the markers themselves out (the reader's edition: the book
and ``make run``).
"""
import functools
import re
from pathlib import Path

# nbgrader's convention, each marker alone on its line of a code cell.
BEGIN, END = '### BEGIN SOLUTION', '### END SOLUTION'
BEGIN_HIDDEN, END_HIDDEN = '### BEGIN HIDDEN TESTS', '### END HIDDEN TESTS'
# The paragraph the first cell gets on how the exercises are graded.
GRADING = ('作为 nbgrader 作业时，三道练习共 10 分，每道的分数写在它的标题里。'
           '每道练习后面的检查单元格打印结论和提示（`✓ 正确` 或 `✗ 还没有完成`），'
           '不会打断“运行全部单元格”；'
           '评分时，没有通过的检查报错 `CheckFailed`（只显示结论和提示），这道题就不得分。'
           '评分时还会运行几项你看不到的测试（例如练习 1 的每条说明至少 8 个字、各不相同；'
           '练习 3 在测试集上重新计算准确率，与训练记录核对）：'
           '它们用到的变量，除了题目给定的，'
           '只有题目要你给出的（如 `when_to_use`、`net`、`history`），'
           '所以请用题目里的名字。')
# An exercise heading, with its points at the end once graded: "## 练习 2：…（3 分）".
HEADING = re.compile(r'^(## 练习 (\d+)：.*?)(（\d+ 分）)?$', re.M)
# Its English is the catalog's (translations/en/05_exercises.po), the one home of every
# translation: grading_paragraph_en() reads it there.
CATALOG_EN = Path(__file__).resolve().parent.parent / 'translations' / 'en' / '05_exercises.po'
HEADING_EN = re.compile(r'^(## Exercise (\d+): .*?)( \(\d+ points?\))?$', re.M)
# A check cell's first line: the check, which raises only under nbgrader (d2lhelpers/check.py).
CHECK_CALL = re.compile(r'^d2l\.check\.(\w+)\((.*?)\)$')


@functools.lru_cache(maxsize=None)
def grading_paragraph_en(catalog=CATALOG_EN):
    """The English of GRADING, read from its cell's translation in the catalog (a path).

    The reader's edition of notebooks/en/05_exercises.ipynb takes it out as it takes out
    GRADING, so when the translation is reworded, the book follows with no copy to update.
    """
    if not Path(catalog).is_file():  # polib would parse the path itself as a catalog
        raise ValueError(f'{catalog} is missing: the English reader\'s edition takes its grading '
                         f'paragraph from there (restore translations/en from the repository)')
    import polib  # only the English reader's edition needs it

    try:
        paragraph = grading_paragraph_in(polib.pofile(str(catalog)))
    except ValueError as e:
        raise ValueError(f'{catalog}: {e}') from None
    if paragraph is None:
        raise ValueError(f'{catalog} has no translation of the grading paragraph: run '
                         f'make english-catalogs and translate it')
    return paragraph


def grading_paragraph_in(entries):
    """The translation of GRADING among a catalog's entries (None if no msgid holds GRADING).

    It is the paragraph at GRADING's place in its cell's translation (paragraphs may be added
    after it, not before), and it must keep every code name of GRADING (`CheckFailed`,
    `when_to_use`, ...: code is not translated), with no other paragraph of the cell naming one
    or nbgrader: make english refuses anything else, so that the book, which leaves this
    paragraph out, never shows a part of it.
    """
    code_names = [name for name in re.findall(r'`([^`]+)`', GRADING) if name.isascii()]
    for entry in entries:
        chinese = [paragraph.strip() for paragraph in entry.msgid.split('\n\n')]
        if GRADING not in chinese:
            continue
        place, english = chinese.index(GRADING), [p.strip() for p in entry.msgstr.split('\n\n')]
        paragraph = english[place] if place < len(english) else ''
        others = english[:place] + english[place + 1:]
        if not all(f'`{name}`' in paragraph for name in code_names) or any(
                'nbgrader' in other or f'`{name}`' in other for other in others
                for name in code_names):
            raise ValueError(f'the translation of the grading paragraph must be paragraph '
                             f'{place + 1} of its cell, whole, naming all of {code_names} (the '
                             f'English book leaves that paragraph out); no other paragraph of the '
                             f'cell may name them or nbgrader')
        return paragraph
    return None
