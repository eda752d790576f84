"""The class hub on one machine, as shipped and as tests/test_hub.py runs it.

Start it with `.venv/bin/python tools/classroom/course.py start` (README, "Teaching with it"),
after `course.py setup`, as root: every student's server runs as the student's own Linux
account (LocalProcessSpawner), from the class's Python environment, which holds no answers.
Students log in with their Linux password (PAM) and must be in the class's group; the
instructor is the hub's admin and grades in the formgrader. Idle servers are stopped
(jupyterhub-idle-culler). Everything listens on 127.0.0.1: put a TLS proxy in front for a
class that comes from other machines. Settings: tools/classroom/settings.py (their one home).
"""
import os
import secrets
import stat
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import settings  # noqa: E402 (the folder of this file is not a package)

c = get_config()  # noqa: F821 (given by JupyterHub when it reads this file)

try:  # a wrong language stops the hub before anything starts, saying what to set
    LANGUAGE = settings.class_language()
except settings.SettingError as e:
    sys.exit(f'jupyterhub_config: {e}')
HUB_DIR = settings.hub_dir()
PORT = int(settings.setting('CLASS_PORT'))
HUB_BIN = Path(sys.executable).parent  # the project's environment: the hub, the proxy, the culler
ENV_BIN = settings.student_env() / 'bin'
CONFIG = settings.server_config()

c.JupyterHub.ip = '127.0.0.1'
c.JupyterHub.port = PORT
c.JupyterHub.hub_ip = '127.0.0.1'
c.JupyterHub.hub_port = PORT + 1
c.ConfigurableHTTPProxy.api_url = f'http://127.0.0.1:{PORT + 2}'
c.ConfigurableHTTPProxy.command = [
    str(settings.PROXY) if settings.PROXY.exists() else 'configurable-http-proxy']


def private_file(path):
    """Make ``path`` (if missing) readable by the hub's user only, whatever the umask."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(path, 0o600)


def private_folder(path):
    """The hub's own folder, 0700. A folder of another user is refused, never changed."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    info = path.lstat()
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        sys.exit(f'jupyterhub_config: {path} is not a folder of this user: the hub keeps its '
                 f'tokens there and would make it private; set CLASS_HOME to a folder of its own.')
    os.chmod(path, 0o700)


def new_secret(path):
    """32 random bytes in hex, written by a temporary file and a rename (never half a key)."""
    temporary = path.with_name(f'.{path.name}.tmp-{os.getpid()}')
    try:
        with os.fdopen(os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), 'w') as f:
            f.write(secrets.token_hex(32) + '\n')
            f.flush()
            os.fsync(f.fileno())
        os.replace(temporary, path)
    finally:
        if temporary.exists():
            temporary.unlink()


def check_secret(path):
    """A secret cut short (a full disk) would be accepted by JupyterHub as a weak key: refuse it."""
    try:
        key = bytes.fromhex(path.read_text().strip())
    except ValueError:
        key = b''
    if len(key) < 32:
        sys.exit(f'jupyterhub_config: {path} holds {len(key)} bytes of key, not 32 (a write cut '
                 f'short?): delete it and start the hub again (everyone logs in again).')


# The database holds every user's tokens and the secret signs their cookies: on a shared
# machine nobody else may read them, whatever the umask. The folder is the hub's own (0700);
# SQLite gives its journal files the database's mode; an empty file is an empty database.
private_folder(HUB_DIR)
private_file(HUB_DIR / 'jupyterhub.sqlite')
SECRET = HUB_DIR / 'jupyterhub_cookie_secret'
if SECRET.exists():  # one written with the umask's mode (0644) would stop the hub
    os.chmod(SECRET, 0o600)
    check_secret(SECRET)
else:  # JupyterHub would write it with the umask's mode, then chmod it
    new_secret(SECRET)
c.JupyterHub.db_url = f'sqlite:///{HUB_DIR / "jupyterhub.sqlite"}'
c.JupyterHub.cookie_secret_file = str(SECRET)
c.JupyterHub.pid_file = str(HUB_DIR / 'jupyterhub.pid')
c.JupyterHub.cleanup_servers = True  # stopping the hub stops every user's server
c.JupyterHub.cleanup_proxy = True

# Real accounts: the Linux password, for the members of the class's group and the instructor.
INSTRUCTOR = settings.setting('CLASS_INSTRUCTOR')
c.JupyterHub.authenticator_class = 'pam'
c.PAMAuthenticator.open_sessions = False  # no login session (utmp, limits) for a web server
c.Authenticator.allowed_users = {INSTRUCTOR}
c.PAMAuthenticator.allowed_groups = {settings.setting('CLASS_GROUP')}
c.Authenticator.admin_users = {INSTRUCTOR}

c.JupyterHub.spawner_class = 'localprocess'  # each server as the user's own account (setuid)
c.Spawner.ip = '127.0.0.1'
c.Spawner.cmd = [str(ENV_BIN / 'jupyterhub-singleuser')]
c.Spawner.default_url = '/lab'
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120
# A server without a terminal asks "Shutdown this Jupyter server?" on SIGINT and goes on:
# stop it with SIGTERM after 1 s instead of 10 (the local spawner's SIGINT, SIGTERM, SIGKILL).
c.LocalProcessSpawner.interrupt_timeout = 1
c.LocalProcessSpawner.term_timeout = 10
# JupyterLab in the class's language for everyone: course.py setup writes the settings of each
# language (locale zh_CN from the language pack in requirements.txt, or en) under lab-settings/.
c.Spawner.args = [f'--LabApp.app_settings_dir={CONFIG / "lab-settings" / LANGUAGE}',
                  '--LabApp.news_url=None',
                  '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate']
c.Spawner.environment = {
    **settings.server_environment(),
    'PATH': os.pathsep.join([str(ENV_BIN), '/usr/local/bin:/usr/bin:/bin']),
    # nbgitpuller clones the course repository, which belongs to root: this file names it
    # safe (and includes the user's own ~/.gitconfig), course.py setup writes it.
    'GIT_CONFIG_GLOBAL': str(CONFIG / 'gitconfig'),
}
if os.environ.get('FASHION_MNIST_DIR'):
    c.Spawner.environment['FASHION_MNIST_DIR'] = os.environ['FASHION_MNIST_DIR']


def config_for_role(spawner):
    """Students get the students' configuration; the instructor the formgrader's."""
    role = 'instructor-config' if spawner.user.name == INSTRUCTOR else 'student-config'
    spawner.environment['JUPYTER_CONFIG_PATH'] = str(CONFIG / role)


c.Spawner.pre_spawn_hook = config_for_role
# A student running 05_exercises peaks at about 850 MiB, server and nbgrader included (README,
# Capacity): 1 GiB leaves a little room, not the kernel of a second notebook. Enforced by
# SystemdSpawner, DockerSpawner and KubeSpawner; the local spawner passes it on as MEM_LIMIT,
# which JupyterLab's resource display shows.
c.Spawner.mem_limit = settings.setting('CLASS_MEM_LIMIT')

# Servers idle for CLASS_IDLE_TIMEOUT seconds are stopped (their notebooks stay in the home).
c.JupyterHub.services = [{
    'name': 'idle-culler',
    'command': [sys.executable, '-m', 'jupyterhub_idle_culler',
                f'--timeout={int(settings.setting("CLASS_IDLE_TIMEOUT"))}'],
}]
c.JupyterHub.load_roles = [{
    'name': 'idle-culler', 'services': ['idle-culler'],
    'scopes': ['list:users', 'read:users:activity', 'read:servers', 'delete:servers'],
}]
