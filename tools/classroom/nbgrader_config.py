# nbgrader's configuration of the course folder that `make student` lays out (build/course).
# The teacher runs every nbgrader command in that folder (see README, "Teaching with it").
# make_student.py runs generate_assignment with this file only (JUPYTER_NO_CONFIG: no personal
# or system-wide Jupyter configuration) and checks the release it makes; the commands a teacher
# runs by hand also read ~/.jupyter and JUPYTER_CONFIG_DIR, so keep the delimiters and the
# "solution" tag there as they are here.
from nbconvert.preprocessors import TagRemovePreprocessor
from nbgrader.converters import GenerateAssignment

c = get_config()  # noqa: F821 (given by nbgrader when it reads this file)

c.CourseDirectory.course_id = 'd2l-4.2'
# Where students submit and the teacher collects: a folder every user of the hub can write to.
# The default of nbgrader is /srv/nbgrader/exchange; tests pass --Exchange.root=<a temp folder>.
# c.Exchange.root = '/srv/nbgrader/exchange'

# The release keeps the line before each answer (when_to_use = {}, net = None, ...), so an
# unanswered exercise reaches its check, which then says what is missing, in Chinese.
c.ClearSolutions.code_stub = {'python': '# YOUR CODE HERE：在这里写出你的解答，然后运行下面的检查'}
# Cells tagged "solution" (the worked discussion of the answers) are left out of the release
# before anything else happens, so they are neither released nor in the gradebook.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {'solution'}
c.GenerateAssignment.preprocessors = (
    [TagRemovePreprocessor] + GenerateAssignment.class_traits()['preprocessors'].default())
# Seconds one cell may run in autograding (the exercise's training takes about 10 s here).
c.Execute.timeout = 300
