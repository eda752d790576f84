# The students' nbgrader configuration on the class hub (jupyterhub_config.py puts this folder
# on each server's JUPYTER_CONFIG_PATH): which course they submit to, and where the exchange is.
import os

c = get_config()  # noqa: F821 (given by nbgrader when it reads this file)
c.CourseDirectory.course_id = 'd2l-4.2'
c.Exchange.root = os.environ.get('CLASS_EXCHANGE', '/usr/local/share/nbgrader/exchange')
