"""The class's settings: the one place each has its default (README, "Teaching with it").

Read by the course command (course.py), the hub (jupyterhub_config.py) and make_student.py; the
servers get the values they need from the hub as environment variables (``CLASS_EXCHANGE``,
``CLASS_COURSE_ID``, ``CLASS_COURSE_DIR``, ``D2L_LANGUAGE``), so no other file holds a default of
its own. Each setting can be overridden by an environment variable of the same name.
"""
import os
import pwd
import sys
from pathlib import Path

from d2lhelpers import language as helpers_language

ROOT = Path(__file__).resolve().parents[2]

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
    'CLASS_GRADER': 'd2l-grader',  # the account submissions are graded as: reads no answers
    'CLASS_COURSE_ID': 'd2l-4.2',  # nbgrader's course id
    'CLASS_IDLE_TIMEOUT': '3600',  # seconds without activity before a server is stopped
    'CLASS_MEM_LIMIT': '1G',       # per student: the server and one notebook's kernel
    # The class's language: its course (notebooks, feedback), JupyterLab's and the self-checks'.
    'CLASS_LANGUAGE': helpers_language.DEFAULT,
}
# JupyterLab's locale for each language of the class: Chinese from the language pack in
# requirements.txt, English JupyterLab's own (no pack).
LAB_LOCALES = {'zh': 'zh_CN', 'en': 'en'}
LANGUAGES = helpers_language.LANGUAGES  # those the helpers' self-checks speak


class SettingError(ValueError):
    """A setting has a value the class cannot run with; the message names the choices."""


def setting(name):
    """The value of ``name``: the environment's, else the default above."""
    return os.environ.get(name) or DEFAULTS[name]


def check_language(value, name='CLASS_LANGUAGE'):
    """``value`` if it is a language of the class, else ``SettingError`` naming the choices."""
    if value not in LANGUAGES:
        raise SettingError(f'{name}={value!r}: the class is taught in one of '
                           f'{", ".join(LANGUAGES)} ({DEFAULTS["CLASS_LANGUAGE"]} when unset): '
                           f'set {name} to one of them.')
    return value


def class_language():
    """The class's language, 'zh' or 'en' (``SettingError`` for any other value)."""
    return check_language(setting('CLASS_LANGUAGE').strip())


def notebook_folder(language):
    """The teacher's notebooks of a language: notebooks/ (Chinese), notebooks/<language>."""
    folder = ROOT / 'notebooks'
    return folder if language == DEFAULTS['CLASS_LANGUAGE'] else folder / language


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
            'CLASS_COURSE_DIR': str(course_dir()),
            # the self-checks' language in any kernel (the notebooks' own kernel sets it too)
            helpers_language.VARIABLE: class_language()}
