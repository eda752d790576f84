"""The class's language, one setting (CLASS_LANGUAGE in tools/classroom/settings.py): what the
hub gives each student's server for it, without starting a hub (tests/test_hub.py runs the
Chinese class).

The hub's configuration is loaded as JupyterHub loads it, and course.py's JupyterLab settings
are written into a scratch class folder: the folder the spawner names holds that language's
locale, and the servers' environment carries the self-checks' language (D2L_LANGUAGE).
"""
import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / 'tools' / 'classroom'
SPAWNER = ('import json, sys; from traitlets.config.loader import PyFileConfigLoader; '
           'c = PyFileConfigLoader("jupyterhub_config.py", path=sys.argv[1]).load_config(); '
           'print(json.dumps({"args": list(c.Spawner.args), '
           '"environment": dict(c.Spawner.environment)}))')


def spawner(tmp_path, **setting):
    """What the hub's configuration gives the spawner, with CLASS_HOME in ``tmp_path``."""
    env = {name: value for name, value in os.environ.items() if not name.startswith('CLASS_')}
    env.update(CLASS_HOME=str(tmp_path / 'class'), **setting)
    return subprocess.run([sys.executable, '-c', SPAWNER, str(CLASSROOM)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope='module')
def course():
    spec = importlib.util.spec_from_file_location('course', CLASSROOM / 'course.py')
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def lab_locale(settings_dir):
    overrides = json.loads((Path(settings_dir) / 'overrides.json').read_text('utf-8'))
    return overrides['@jupyterlab/translation-extension:plugin']['locale'], overrides


@pytest.mark.parametrize('language, locale', [('en', 'en'), ('zh', 'zh_CN'), (None, 'zh_CN')])
def test_the_hub_gives_each_server_the_classs_language(tmp_path, course, language, locale):
    result = spawner(tmp_path, **({'CLASS_LANGUAGE': language} if language else {}))
    assert result.returncode == 0, result.stderr
    given = json.loads(result.stdout)
    config = tmp_path / 'class' / 'config'
    [settings_dir] = [arg.split('=', 1)[1] for arg in given['args']
                      if arg.startswith('--LabApp.app_settings_dir=')]
    assert Path(settings_dir) == config / 'lab-settings' / (language or 'zh')
    assert given['environment']['D2L_LANGUAGE'] == (language or 'zh')
    # What course.py setup writes there: the shipped settings, with that language's locale.
    course.write_lab_settings(config)
    found, overrides = lab_locale(settings_dir)
    assert found == locale
    shipped = json.loads((CLASSROOM / 'lab-settings' / 'overrides.json').read_text('utf-8'))
    assert {k: v for k, v in overrides.items() if 'translation' not in k} == \
        {k: v for k, v in shipped.items() if 'translation' not in k}


def test_a_wrong_class_language_stops_the_hub_naming_the_choices(tmp_path):
    result = spawner(tmp_path, CLASS_LANGUAGE='english')
    assert result.returncode != 0
    assert "CLASS_LANGUAGE='english': the class is taught in one of zh, en" in result.stderr
    assert 'Traceback' not in result.stderr


def test_the_students_environment_has_both_kernels(tmp_path, course, monkeypatch):
    """course.py setup installs each edition's kernel into the students' environment."""
    # Everything but the kernels is left out: copying the environment takes seconds.
    monkeypatch.setattr(course, 'run', lambda *args, **kwargs: '')
    monkeypatch.setattr(course, 'use_public_python', lambda env: None)
    copytree = course.shutil.copytree
    monkeypatch.setattr(course.shutil, 'copytree', lambda source, *args, **kwargs: None
                        if Path(source) == ROOT / '.venv' else copytree(source, *args, **kwargs))
    monkeypatch.setattr(course, 'rewrite_script', lambda *args: None)
    env = tmp_path / 'env'
    (env / 'bin').mkdir(parents=True)
    (env / 'pyvenv.cfg').write_text(f'home = {env}\n')
    course.copy_environment(env, tmp_path / 'final')
    for kernel, language in (('d2l-mxnet', 'zh'), ('d2l-mxnet-en', 'en')):
        spec = json.loads((env / 'share' / 'jupyter' / 'kernels' / kernel / 'kernel.json')
                          .read_text('utf-8'))
        assert spec['env']['D2L_LANGUAGE'] == language


def test_setup_refuses_a_language_other_than_the_existing_courses(tmp_path, course, monkeypatch):
    """A course folder keeps its language: setup with the other one stops before touching it."""
    folder = tmp_path / 'course'
    folder.mkdir()
    (folder / 'course_language').write_text('zh\n')
    monkeypatch.setattr(course.settings, 'course_dir', lambda: folder)
    monkeypatch.setattr(course, 'nbgrader', lambda *args: pytest.fail('nbgrader ran'))
    monkeypatch.setenv('CLASS_LANGUAGE', 'en')
    with pytest.raises(course.CourseError, match=r"in 'zh', but CLASS_LANGUAGE is 'en'"):
        course.make_course(tmp_path / 'roster.csv')
    assert sorted(p.name for p in folder.iterdir()) == ['course_language']


def test_the_students_scripts_name_their_environment_when_the_venv_is_a_link(
        tmp_path, course, monkeypatch):
    """A git worktree's .venv linked to the main checkout's: the scripts' #! lines name that
    target, which students cannot run; they must name the students' environment instead."""
    real = tmp_path / 'main' / '.venv'
    (real / 'bin').mkdir(parents=True)
    (real / 'bin' / 'python').write_text('')
    (real / 'bin' / 'jupyterhub-singleuser').write_text(f'#!{real}/bin/python\nimport x\n')
    (real / 'pyvenv.cfg').write_text('home = /usr/bin\n')
    checkout = tmp_path / 'worktree'
    (checkout / 'd2lhelpers').mkdir(parents=True)
    (checkout / 'pyproject.toml').write_text('')
    (checkout / '.venv').symlink_to(real)
    monkeypatch.setattr(course, 'ROOT', checkout)
    monkeypatch.setattr(course, 'run', lambda *args, **kwargs: '')  # pip, chmod
    monkeypatch.setattr(course, 'use_public_python', lambda env: None)
    monkeypatch.setattr(course.project_kernel, 'install', lambda prefix: None)
    monkeypatch.setattr(course, 'environment_fingerprint', lambda: '')
    env, final = tmp_path / 'env', tmp_path / 'class' / 'env'
    course.copy_environment(env, final)
    script = (env / 'bin' / 'jupyterhub-singleuser').read_text()
    assert script == f'#!{final}/bin/python\nimport x\n'


def test_start_refuses_a_language_other_than_the_existing_courses(tmp_path, course, monkeypatch):
    """An English course started without CLASS_LANGUAGE=en would be served in Chinese
    JupyterLab: start stops before any hub is started, naming the setting."""
    folder = tmp_path / 'course'
    folder.mkdir()
    (folder / 'course_language').write_text('en\n')
    monkeypatch.setattr(course.settings, 'course_dir', lambda: folder)
    monkeypatch.setattr(course.settings, 'student_env', lambda: tmp_path)  # set up
    monkeypatch.setattr(course, 'hub_pid', lambda: None)
    monkeypatch.setattr(course.subprocess, 'Popen', lambda *a, **k: pytest.fail('a hub started'))
    monkeypatch.delenv('CLASS_LANGUAGE', raising=False)
    with pytest.raises(course.CourseError, match=r"in 'en', but CLASS_LANGUAGE is 'zh': set "
                                                 r"CLASS_LANGUAGE=en"):
        course.start()
