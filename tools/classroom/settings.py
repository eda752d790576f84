"""The class's settings: the one place each has its default (README, "Teaching with it").

Read by the course command (course.py) and the hub (jupyterhub_config.py); the servers get
the values they need from the hub as environment variables (``CLASS_EXCHANGE``,
``CLASS_COURSE_ID``, ``CLASS_COURSE_DIR``), so no other file holds a default of its own.
Each setting can be overridden by an environment variable of the same name.
"""
import os
import pwd
import sys
from pathlib import Path

# JupyterHub's proxy, installed by `make proxy` into the project's environment (its version: the
# Makefile's CHP_VERSION); the hub runs from that environment, so sys.prefix is it.
PROXY = Path(sys.prefix) / 'share' / 'chp' / 'node_modules' / '.bin' / 'configurable-http-proxy'

DEFAULTS = {
    # The class's folder on this machine: the students' Python environment and configuration
    # (readable by everyone, no answers), the exchange, the course repository, the hub's state.
    'CLASS_HOME': '/srv/d2l-class',
    'CLASS_PORT': '8000',          # students open http://127.0.0.1:PORT; the hub takes PORT+1, +2
    'CLASS_INSTRUCTOR': 'teacher',  # the Linux account that owns the course folder and grades
    'CLASS_GROUP': 'd2l-class',    # the students' Linux group: who may log in to the hub
    'CLASS_COURSE_ID': 'd2l-4.2',  # nbgrader's course id
    'CLASS_IDLE_TIMEOUT': '3600',  # seconds without activity before a server is stopped
    'CLASS_MEM_LIMIT': '1G',       # per student: the server and one notebook's kernel
}


def setting(name):
    """The value of ``name``: the environment's, else the default above."""
    return os.environ.get(name) or DEFAULTS[name]


def class_home():
    return Path(setting('CLASS_HOME'))


def exchange():
    """nbgrader's exchange: students submit and the instructor collects here."""
    return class_home() / 'exchange'


def student_env():
    """The Python environment every server runs (a copy of the project's, without answers)."""
    return class_home() / 'env'


def server_config():
    """Jupyter configuration and JupyterLab settings the servers read (copied by setup)."""
    return class_home() / 'config'


def course_repo():
    """The course's git repository: the student edition, cloned by the nbgitpuller link."""
    return class_home() / 'd2l-course'


def hub_dir():
    """The hub's state (database, cookie secret, log, initial passwords): root's only."""
    return class_home() / 'hub'


def instructor_home():
    try:
        return Path(pwd.getpwnam(setting('CLASS_INSTRUCTOR')).pw_dir)
    except KeyError:  # before setup made the account
        return Path('/home') / setting('CLASS_INSTRUCTOR')


def course_dir():
    """nbgrader's course folder (answers, gradebook), in the instructor's home, private."""
    return instructor_home() / 'course'


def server_environment():
    """What every server needs to know about the class, as environment variables."""
    return {'CLASS_EXCHANGE': str(exchange()), 'CLASS_COURSE_ID': setting('CLASS_COURSE_ID'),
            'CLASS_COURSE_DIR': str(course_dir())}
