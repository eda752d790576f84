# The students' nbgrader configuration on the class hub (jupyterhub_config.py puts this folder
# on each student's JUPYTER_CONFIG_PATH): which course they submit to, and where the exchange is.
# Both come from the hub (tools/classroom/settings.py is their one home).
import os

c = get_config()  # noqa: F821 (given by nbgrader when it reads this file)
c.CourseDirectory.course_id = os.environ['CLASS_COURSE_ID']
c.Exchange.root = os.environ['CLASS_EXCHANGE']
