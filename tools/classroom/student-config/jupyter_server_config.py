# Each student's JupyterLab on the class hub, running as the student's own Linux account.
# A terminal runs a plain (not a login) shell, so it keeps the server's PATH, the class's
# environment first: `nbgrader submit` works there. Grading belongs to the instructor: the
# formgrader and the assignment editor are off for students, here on the server and in
# labconfig/page_config.json in JupyterLab (no Nbgrader menu, no Create Assignment panel).
c = get_config()  # noqa: F821 (given by Jupyter when it reads this file)
c.ServerApp.terminado_settings = {'shell_command': ['/bin/bash']}
c.ServerApp.jpserver_extensions = {'nbgrader.server_extensions.formgrader': False,
                                   'nbgrader.server_extensions.create_assignment': False}
