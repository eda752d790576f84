"""A class hub on one machine, as tests/test_hub.py runs it (README: "Teaching with it").

Every address is 127.0.0.1. The values that differ between runs come from the environment:
    CLASS_HUB_DIR        a folder for the hub's database, cookie secret and the users' homes
    CLASS_HUB_PORT       the port students open (the proxy's); the hub and the proxy's API
                         take the next two ports
    CLASS_STUDENTS       students' user names, comma-separated
    CLASS_INSTRUCTORS    instructors' user names, comma-separated (hub admins)
    CLASS_PASSWORD       the one password of the dummy authenticator (tests only)
    CLASS_EXCHANGE       nbgrader's exchange, a folder every user can write to (the teacher's
                         course folder is graded with the same --Exchange.root)
    CLASS_EXTRA_CONFIG   (optional) one more folder of Jupyter/nbgrader configuration for
                         every server (the test's: see tests/test_hub.py)
    CHP                  the configurable-http-proxy program (make proxy installs it in .venv)

For a real class, keep the rest and replace two lines: the authenticator (your school's
OAuth/LDAP, or jupyterhub-nativeauthenticator) and the spawner (SystemdSpawner or
DockerSpawner, which also enforce mem_limit; SimpleLocalProcessSpawner runs every user's
server as the hub's own user, with no isolation, which is only right for a test).
"""
import os
import secrets
import sys
from pathlib import Path

c = get_config()  # noqa: F821 (given by JupyterHub when it reads this file)

HERE = Path(__file__).resolve().parent
HUB_DIR = Path(os.environ['CLASS_HUB_DIR'])
PORT = int(os.environ['CLASS_HUB_PORT'])
BIN = Path(sys.executable).parent  # the project's environment: jupyterhub-singleuser, nbgrader

c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f'http://127.0.0.1:{PORT + 2}'
c.ConfigurableHTTPProxy.command = [os.environ.get('CHP', 'configurable-http-proxy')]


def private_file(path):
    """Make ``path`` (if missing) readable by the hub's user only, whatever the umask."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


# The database holds every user's tokens and the secret signs their cookies: on a shared
# machine nobody else may read them, whatever the umask. The folder is the hub's own (0700);
# SQLite gives its journal files the database's mode; an empty file is an empty database.
HUB_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
os.chmod(HUB_DIR, 0o700)
private_file(HUB_DIR / 'jupyterhub.sqlite')
SECRET = HUB_DIR / 'jupyterhub_cookie_secret'
if SECRET.exists():  # one written with the umask's mode (0644) would stop the hub
    os.chmod(SECRET, 0o600)
else:  # JupyterHub would write it with the umask's mode, then chmod it
    private_file(SECRET)
    SECRET.write_text(secrets.token_hex(32) + '\n')
c.JupyterHub.db_url = f'sqlite:///{HUB_DIR / "jupyterhub.sqlite"}'
c.JupyterHub.cookie_secret_file = str(SECRET)
c.JupyterHub.pid_file = str(HUB_DIR / 'jupyterhub.pid')
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True

students = [u for u in os.environ.get('CLASS_STUDENTS', '').split(',') if u]
instructors = [u for u in os.environ.get('CLASS_INSTRUCTORS', '').split(',') if u]
c.JupyterHub.authenticator_class = 'dummy'
c.DummyAuthenticator.password = os.environ['CLASS_PASSWORD']
c.Authenticator.allow_all = False
c.Authenticator.allowed_users = set(students + instructors)
c.Authenticator.admin_users = set(instructors)

c.JupyterHub.spawner_class = 'simple'
c.SimpleLocalProcessSpawner.home_dir_template = str(HUB_DIR / 'home' / '{username}')
c.Spawner.ip = '127.0.0.1'
c.Spawner.cmd = [str(BIN / 'jupyterhub-singleuser')]
c.Spawner.default_url = '/lab'
c.Spawner.start_timeout = 120
# A server without a terminal asks "Shutdown this Jupyter server?" on SIGINT and goes on:
# stop it with SIGTERM after 1 s instead of 10 (the local spawner's SIGINT, SIGTERM, SIGKILL).
c.LocalProcessSpawner.interrupt_timeout = 1
c.LocalProcessSpawner.term_timeout = 10
c.Spawner.http_timeout = 120
# JupyterLab in Simplified Chinese for everyone (the language pack is in requirements.txt).
c.Spawner.args = [f'--LabApp.app_settings_dir={HERE / "lab-settings"}',
                  '--LabApp.news_url=None',
                  '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
if os.geteuid() == 0:  # the test runs as root on CI; a real hub never runs servers as root
    c.Spawner.args.append('--allow-root')
c.Spawner.environment = {
    # nbgrader's course id and exchange, for `nbgrader submit` and the Assignments tab.
    'JUPYTER_CONFIG_PATH': os.pathsep.join(
        [str(HERE / 'student-config')] + ([os.environ['CLASS_EXTRA_CONFIG']]
                                          if os.environ.get('CLASS_EXTRA_CONFIG') else [])),
    'PATH': os.pathsep.join([str(BIN), os.environ.get('PATH', '/usr/bin:/bin')]),
}
for name in ('CLASS_EXCHANGE', 'FASHION_MNIST_DIR', 'PYTHONPATH'):
    if os.environ.get(name):
        c.Spawner.environment[name] = os.environ[name]
# 05_exercises peaks at 612 MiB (README, Benchmark): 1 GiB per student leaves room for the
# kernel of one more notebook. Enforced by SystemdSpawner, DockerSpawner and KubeSpawner;
# the local spawner used by the test only passes it on as MEM_LIMIT.
c.Spawner.mem_limit = '1G'
