# Each student's JupyterLab on the class hub. A terminal runs a plain (not a login) shell, so
# it keeps the server's PATH, the project's environment first: `nbgrader submit` works there.
c = get_config()  # noqa: F821 (given by Jupyter when it reads this file)
c.ServerApp.terminado_settings = {'shell_command': ['/bin/bash']}
