# The instructor's nbgrader configuration on the class hub: the course folder (in the
# instructor's home, so that the formgrader can open it), the course id and the exchange,
# all from the hub (tools/classroom/settings.py is their one home).
import os

c = get_config()  # noqa: F821 (given by nbgrader when it reads this file)
c.CourseDirectory.root = os.environ['CLASS_COURSE_DIR']
c.CourseDirectory.course_id = os.environ['CLASS_COURSE_ID']
c.Exchange.root = os.environ['CLASS_EXCHANGE']
