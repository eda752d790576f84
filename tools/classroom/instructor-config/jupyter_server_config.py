# The instructor's JupyterLab on the class hub: a plain shell in the terminal (keeps PATH).
c = get_config()  # noqa: F821 (given by Jupyter when it reads this file)
c.ServerApp.terminado_settings = {'shell_command': ['/bin/bash']}
