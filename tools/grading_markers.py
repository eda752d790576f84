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
    """The English of GRADING, read from its cell's translation in the catalog.

    It is the one paragraph of that translation that keeps every code name of GRADING
    (`CheckFailed`, `when_to_use`, ...: code is not translated). The reader's edition of
    notebooks/en/05_exercises.ipynb takes it out as it takes out GRADING, so when the
    translation is reworded, the book follows with no copy to update.
    """
    import polib  # only the English reader's edition needs it

    if not Path(catalog).is_file():  # polib would parse the path itself as a catalog
        raise ValueError(f'{catalog} is missing: the English reader\'s edition takes its grading '
                         f'paragraph from there (restore translations/en from the repository)')
    code_names = [name for name in re.findall(r'`([^`]+)`', GRADING) if name.isascii()]
    for entry in polib.pofile(str(catalog)):
        if GRADING in (paragraph.strip() for paragraph in entry.msgid.split('\n\n')):
            found = [paragraph.strip() for paragraph in entry.msgstr.split('\n\n')
                     if all(f'`{name}`' in paragraph for name in code_names)]
            if len(found) != 1:
                raise ValueError(f'{catalog}: {len(found)} paragraphs of the translation of the '
                                 f'grading paragraph\'s cell name all of {code_names}, not one')
            return found[0]
    raise ValueError(f'{catalog} has no translation of the grading paragraph: run '
                     f'make english-catalogs and translate it')
