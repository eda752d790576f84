"""What marks the teacher's notebook as nbgrader's source version: the one home of these strings.

tools/classroom/make_source_version.py writes them into notebooks/05_exercises.ipynb,
tools/make_student.py takes the answers out by them (the student edition) and
tools/reader_edition.py takes the markers themselves out (the reader's edition: the book
and ``make run``).
"""
import re

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
# Their English translation (translations/en/05_exercises.po), which the reader's edition of
# notebooks/en/05_exercises.ipynb takes out in the same way. Should the catalog's wording change
# and these not, the English book would show them: tests/test_book.py looks for "nbgrader" and
# the points on every page of both books.
GRADING_EN = ('As an nbgrader assignment, the three exercises are worth 10 points in all; '
              "each exercise's points are given in its heading. The check cell after each "
              'exercise prints a verdict and a hint (`✓ Correct` or `✗ Not done yet`) and '
              'does not interrupt "Run All Cells"; at grading, a check that does not pass '
              'raises `CheckFailed` (showing only the verdict and the hint), and the exercise '
              'earns no points. Grading also runs a few tests you cannot see (for example, '
              'that each description in exercise 1 is at least 8 characters long and that no '
              "two are the same; that exercise 3's accuracy, computed again on the test set, "
              'agrees with the training record): besides the variables the exercises give '
              'you, they use only those the exercises ask you for (such as `when_to_use`, '
              '`net`, `history`), so please use the names the exercises give.')
HEADING_EN = re.compile(r'^(## Exercise (\d+): .*?)( \(\d+ points?\))?$', re.M)
# A check cell's first line: the check, which raises only under nbgrader (d2lhelpers/check.py).
CHECK_CALL = re.compile(r'^d2l\.check\.(\w+)\((.*?)\)$')
