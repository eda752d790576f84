"""A class on the shipped JupyterHub, run with the README's commands only ("Teaching with it").

As root, exactly as a teaching assistant would: a roster of three students is written, then
`course.py setup roster.csv` (Linux accounts in a new group, the instructor's account, the
course folder, the students' environment, the course repository), `course.py start`,
`course.py release` (whose printed link is the one shared). In headless Chromium each student
logs in on the hub's login page with the password setup gave them (PAM), opens the link
(nbgitpuller clones the course and opens the exercises in JupyterLab, in Simplified Chinese),
runs the notebook, saves and submits with `nbgrader submit` in a terminal of their own server,
which runs as their own account. The first student submits, the instructor collects, and she
answers two exercises and submits again: the second collect replaces the first submission.
The instructor autogrades, exports, returns feedback with course.py, and opens the formgrader
in Chromium, which shows the grades. Nothing is patched: nbgrader names each submitter by
the account. The accounts and group have names made for this run and are removed at the end,
with every process they ran, also on failure; the class's folder has a space in its path.
"""
import csv
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import pytest
from os_support import alive, descendants, free_port, processes_of, wait_for

# A JupyterHub class driven through a browser. It makes Linux accounts and runs servers as them:
# as another user it is skipped, also in CI (tests/conftest.py); as root, as CI runs, it runs.
pytestmark = [pytest.mark.slow, pytest.mark.needs_root, pytest.mark.skipif(
    os.geteuid() != 0, reason='the class makes Linux accounts and runs servers as them: as root')]

ROOT = Path(__file__).resolve().parent.parent
COURSE_PY = 'tools/classroom/course.py'  # as the README runs it, from the checkout
sys.path.insert(0, str(ROOT / 'tools' / 'classroom'))
import settings  # noqa: E402  (tools/classroom/settings.py: the class's one home for settings)

CHP = settings.PROXY  # make proxy installs it
SCREENSHOTS = ROOT / 'build' / 'screenshots'
ASSIGNMENT, NOTEBOOK = 'exercises', '05_exercises'
ENV = {**os.environ, 'PATH': os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get('PATH', '')])}
# What the first student types into the two solution cells (one line each).
ANSWERS = {
    'ex1_answer1': "import inspect; "
                   "when_to_use = {name: f'{name}：何时使用，见 MXNet 文档对 {name} 的说明' "
                   "for name, obj in vars(init).items() if inspect.isclass(obj) "
                   "and obj.__module__ == 'mxnet.initializer' and name != 'InitDesc'}",
    'ex2_answer1': "net = nn.Sequential(); shared = nn.Dense(8, activation='relu'); "
                   "net.add(nn.Dense(8, activation='relu'), shared, nn.Dense(8, activation='relu', "
                   "params=shared.params), nn.Dense(10)); net.initialize(); "
                   "shape_before = net[0].weight.shape",
    'ex2_answer2': "X = nd.random_uniform(shape=(2, 20)); net(X); "
                   "shape_after = net[0].weight.shape",
}

if not os.access(CHP, os.X_OK):
    pytest.skip(f'no configurable-http-proxy at {CHP}: make proxy installs it with npm',
                allow_module_level=True)


def run(command, cwd, env=ENV, timeout=300):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f'{command}:\n{result.stdout}\n{result.stderr}'
    return result.stdout + result.stderr


def end_processes(processes):
    """SIGTERM, then SIGKILL, each process of ``processes`` still running the same command."""
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid, cmdline in processes.items():
            if alive(pid, cmdline):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(*p) for p in processes.items()):
            time.sleep(0.2)
    return [pid for pid, cmdline in processes.items() if alive(pid, cmdline)]


def type_answer(page, grade_id, text):
    """Click into the solution cell ``grade_id`` and type ``text`` on a new last line."""
    index = page.evaluate("""(gradeId) => {
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        return [...panel.querySelectorAll('.jp-Cell')].findIndex(
            c => c.querySelector('.jp-InputArea-editor') &&
                 c.innerText.includes(gradeId === 'ex1_answer1' ? 'when_to_use = {}' :
                                      gradeId === 'ex2_answer1' ? 'shape_before = None' :
                                      'shape_after = None'));
    }""", grade_id)
    assert index >= 0, grade_id
    editor = page.locator('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-Cell').nth(index) \
        .locator('.cm-content')
    editor.click()
    page.keyboard.press('Control+End')
    page.keyboard.press('Enter')
    page.keyboard.press('Shift+Home')  # the new line unindented, whatever the last one was
    page.keyboard.type(text)
    page.keyboard.press('Home')  # scrolled back, so that the screenshot shows the cell
    page.keyboard.press('Escape')


PROMPTS = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    return [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(e => e.textContent.trim());
}"""
# Run All is over when a cell ran after ``last`` (the highest count before it), none is
# queued or running, and the kernel is idle. It stops at the first failed check, so later
# cells may not have run.
RUN_IS_OVER = """(last) => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(e => e.textContent.trim());
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return prompts.some(p => parseInt(p.slice(1), 10) > last) && !prompts.includes('[*]:')
        && indicator !== null && indicator.dataset.status === 'idle';
}"""


def course(*args, env, timeout=600):
    """``.venv/bin/python tools/classroom/course.py ARGS``, as the README says."""
    return run([sys.executable, COURSE_PY, *args], ROOT, env=env, timeout=timeout)


def remove_accounts(names, group):
    """Every process of the run's accounts ended, then the accounts, homes and group removed."""
    uids = {pwd.getpwnam(n).pw_uid for n in names if _exists(n)}
    left = end_processes(processes_of(uids))
    for name in names:
        if _exists(name):
            subprocess.run(['userdel', '--remove', name], capture_output=True)
    subprocess.run(['groupdel', group], capture_output=True)
    return left + [n for n in names if _exists(n)]


def _exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


@pytest.fixture(scope='module')
def classroom(tmp_path_factory):
    """The course set up, the hub started and the assignment released with course.py."""
    from d2lhelpers.data import DataError, find_fashion_mnist
    try:
        data_dir = find_fashion_mnist()
    except DataError as e:
        pytest.skip(f'the real Fashion-MNIST is not on this machine: {e}')
    tag = secrets.token_hex(3)  # names no account of this machine has
    students = [f'd2l{tag}{c}' for c in 'abc']
    instructor, group = f'd2l{tag}t', f'd2l{tag}g'
    home = Path(tempfile.mkdtemp(prefix='d2l class '))  # a space in the path
    home.chmod(0o755)
    roster = tmp_path_factory.mktemp('roster') / 'roster.csv'
    roster.write_text('id,first_name,last_name,email\n'
                      + ''.join(f'{s},{s[-1].upper()},Student,\n' for s in students))
    env = {**ENV, 'CLASS_HOME': str(home), 'CLASS_PORT': str(free_port(block=3)),
           'CLASS_INSTRUCTOR': instructor, 'CLASS_GROUP': group,
           'FASHION_MNIST_DIR': str(data_dir)}
    try:
        course('setup', str(roster), env=env)
        passwords = dict(csv.reader((home / 'hub' / 'initial-passwords.csv').open()))
        course('start', env=env)
        link = course('release', env=env).strip().splitlines()[-1]
        yield {'env': env, 'home': home, 'students': students, 'instructor': instructor,
               'passwords': passwords, 'link': link,
               'base': f'http://127.0.0.1:{env["CLASS_PORT"]}',
               'course': Path(pwd.getpwnam(instructor).pw_dir) / 'course'}
    finally:
        hub = home / 'hub' / 'jupyterhub.pid'
        hub_pid = int(hub.read_text()) if hub.exists() else None
        hub_processes = descendants([hub_pid]) if hub_pid else {}
        try:
            course('stop', env=env)
        finally:
            left = end_processes(hub_processes)
            left += remove_accounts([*students, instructor], group)
            shutil.rmtree(home, ignore_errors=True)
        assert left == [], f'processes or accounts of the hub test left: {left}'


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f'hub-{name}.png'))


def log_in(browser, classroom, user):
    page = browser.new_page(viewport={'width': 1400, 'height': 1000}, locale='zh-CN')
    page.goto(f'{classroom["base"]}/hub/login', timeout=60_000)
    page.fill('input[name=username]', user)
    page.fill('input[name=password]', classroom['passwords'][user])
    page.click('input[type=submit], button[type=submit]')
    page.wait_for_url(f'**/user/{user}/**', timeout=120_000)
    return page


def run_all_and_save(page, saved):
    last = max([int(p[1:-2]) for p in page.evaluate(PROMPTS) if p[1:-2].isdigit()] or [0])
    started = "(last) => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) " \
              ".jp-InputArea-prompt')].some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent) " \
              "&& !(parseInt(e.textContent.slice(1), 10) <= last))"
    for attempt in range(3):  # a menu clicked while JupyterLab is still settling does nothing
        page.click('.lm-MenuBar-itemLabel:text-is("运行")')
        page.click('.lm-Menu-itemLabel:text-is("运行所有单元格")')
        try:
            page.wait_for_function(started, arg=last, timeout=10_000, polling=200)
            break
        except Exception:
            assert attempt < 2, 'Run All did not start'
    page.wait_for_function(RUN_IS_OVER, arg=last, timeout=120_000, polling=500)
    before = saved.stat().st_mtime_ns
    page.keyboard.press('Control+s')
    wait_for(lambda: saved.stat().st_mtime_ns != before, 30, 'the notebook was not saved')


def submit(page, classroom, student):
    """`nbgrader submit` typed into the student's terminal; waits for the new submission."""
    inbound = classroom['home'] / 'exchange' / settings.DEFAULTS['CLASS_COURSE_ID'] / 'inbound'
    mine = lambda: [p for p in (inbound.iterdir() if inbound.is_dir() else [])  # noqa: E731
                    if p.name.startswith(f'{student}+{ASSIGNMENT}+')]
    before = len(mine())
    if not page.locator('.jp-Terminal').count():
        page.click('.lm-MenuBar-itemLabel:text-is("文件")')
        page.click('.lm-Menu-itemLabel:text-is("新建")')
        page.click('.lm-Menu-itemLabel:text-is("终端")')
        page.wait_for_selector('.jp-Terminal .xterm-screen', timeout=60_000)
    else:
        # the terminal's tab is titled by its shell (user@host: folder)
        page.locator(f'.lm-DockPanel-tabBar .lm-TabBar-tab:has-text("{student}@")').first.click()
    # Keys typed before the terminal's connection is up are lost, and xterm draws no DOM
    # text to wait for: type the command again until a submission appears (one extra
    # submission is harmless, collect takes the newest).
    deadline = time.monotonic() + 120
    while len(mine()) == before:
        assert time.monotonic() < deadline, f'no new submission of {student} in {inbound}'
        page.locator('.jp-Terminal .xterm-screen').last.click()
        page.keyboard.type(f'cd ~/d2l-course && nbgrader submit {ASSIGNMENT}\n')
        try:
            wait_for(lambda: len(mine()) > before, 15, '')
        except AssertionError:
            continue


def instructor_tools(page):
    """The instructor's parts of JupyterLab on the page: nbgrader's menu and assignment editor,
    and the extension manager (by its panel's id, in any language)."""
    menus = page.locator('.lm-MenuBar-itemLabel').all_inner_texts()
    panels = page.evaluate(
        "() => [...document.querySelectorAll('.lm-TabBar-tab')].map(t => t.title)")
    tools = [name for name in menus + panels if 'Nbgrader' in name]
    if page.locator('[data-id="extensionmanager.main-view"]').count() > 0:
        tools.append('Extension Manager')
    return tools


def student_session(browser, classroom, student, between=None):
    """Log in, open the link, run, save and submit; ``between`` then answers and resubmits."""
    page = log_in(browser, classroom, student)
    try:
        page.goto(classroom['link'], timeout=60_000)
        page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=120_000)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]',
                               timeout=120_000)
        menus = page.locator('.lm-MenuBar-itemLabel').all_inner_texts()
        assert '文件' in menus and '运行' in menus, menus  # JupyterLab in Simplified Chinese
        assert instructor_tools(page) == [], 'a student sees the instructor\'s nbgrader tools'
        page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
            .some(e => /MXNet.*\\| 空闲/.test(e.textContent))""", timeout=120_000, polling=500)
        saved = Path(pwd.getpwnam(student).pw_dir) / 'd2l-course' / ASSIGNMENT / \
            f'{NOTEBOOK}.ipynb'
        run_all_and_save(page, saved)
        submit(page, classroom, student)
        if between:
            between()  # the instructor collects the first submission
            page.locator('.lm-TabBar-tab:has-text("05_exercises")').first.click()
            for grade_id, text in ANSWERS.items():
                type_answer(page, grade_id, text)
            run_all_and_save(page, saved)
            submit(page, classroom, student)
        screenshot(page, f'{student[-1]}-submitted')
        return nbformat.reads(saved.read_text('utf-8'), as_version=4)
    except Exception:
        screenshot(page, f'{student[-1]}-failed')
        raise
    finally:
        page.close()


@pytest.fixture(scope='module')
def submitted(classroom, browser):
    first, *others = classroom['students']
    collect = lambda: course('collect', env=classroom['env'])  # noqa: E731
    notebooks = {first: student_session(browser, classroom, first, between=collect)}
    notebooks.update({s: student_session(browser, classroom, s) for s in others})
    return notebooks


def as_user(name, command, cwd=None, **kwargs):
    """``command`` run as the account ``name``, in ``cwd`` (default: its home)."""
    account = pwd.getpwnam(name)
    return subprocess.run(command, user=account.pw_uid, group=account.pw_gid, extra_groups=[],
                          capture_output=True, text=True, cwd=cwd or account.pw_dir, **kwargs)


def test_students_cannot_read_the_answers_and_run_as_themselves(classroom, submitted):
    student = classroom['students'][1]
    for answers in (ROOT / 'notebooks' / f'{NOTEBOOK}.ipynb',
                    ROOT / 'notebooks' / 'en' / f'{NOTEBOOK}.ipynb',
                    ROOT / 'translations' / 'en' / f'{NOTEBOOK}.po',  # translates the answers
                    classroom['course'] / 'source' / ASSIGNMENT / f'{NOTEBOOK}.ipynb'):
        assert as_user(student, ['cat', str(answers)]).returncode != 0, answers
    env_python = classroom['home'] / 'env' / 'bin' / 'python'
    assert as_user(student, [str(env_python), '-c', 'import d2lhelpers, nbgrader']).returncode == 0
    # Every student's server runs as the student (so does its terminal): none as root.
    for name in classroom['students']:
        servers = [c for c in processes_of({pwd.getpwnam(name).pw_uid}).values()
                   if b'jupyterhub-singleuser' in c]
        assert servers, f'no server of {name} running as {name}'
    assert not [c for c in processes_of({0}).values() if b'jupyterhub-singleuser' in c]
    assert any(b'jupyterhub_idle_culler' in c for c in processes_of({0}).values())


def test_a_class_of_three_submits_resubmits_and_gets_graded(classroom, submitted, browser):
    first = classroom['students'][0]
    sources = '\n'.join(c.source for c in submitted[first].cells)
    assert all(answer in sources for answer in ANSWERS.values())
    env = classroom['env']
    out = course('collect', env=env)
    assert 'Updating submission' in out or 'updat' in out.lower(), out
    course('autograde', env=env)
    course('export', env=env)
    course('feedback', env=env)
    rows = {r['student_id']: float(r['score'])
            for r in csv.DictReader((classroom['course'] / 'grades.csv').open())}
    # The re-submission replaced the first one (which had no answer: 0 points).
    assert rows == {s: (5.0 if s == first else 0.0) for s in classroom['students']}
    # The instructor sees the grades in the formgrader, in a browser.
    page = log_in(browser, classroom, classroom['instructor'])
    try:
        page.wait_for_selector('.lm-MenuBar-itemLabel', timeout=120_000)
        page.wait_for_function("""() => [...document.querySelectorAll('.lm-TabBar-tab')]
            .some(t => t.title.includes('Create Assignment'))""", timeout=60_000, polling=500)
        assert sorted(instructor_tools(page)) == ['Extension Manager', 'Nbgrader',
                                                  'Nbgrader Create Assignment']
        page.goto(f'{classroom["base"]}/user/{classroom["instructor"]}/formgrader/manage_students',
                  timeout=60_000)
        page.wait_for_function(f"() => document.body.innerText.includes('{first}')",
                               timeout=60_000)
        for student in classroom['students']:
            row = page.locator(f'tr:has-text("{student}")').first.inner_text()
            assert ('5 / 10' if student == first else '0 / 10') in row, row
        screenshot(page, 'formgrader')
    finally:
        page.close()
    # The first student fetches her feedback as herself, as README says: in ~/d2l-course.
    course_clone = Path(pwd.getpwnam(first).pw_dir) / 'd2l-course'
    result = as_user(first, [str(classroom['home'] / 'env' / 'bin' / 'python'), '-m', 'nbgrader',
                             'fetch_feedback', ASSIGNMENT], cwd=course_clone,
                     env={'HOME': pwd.getpwnam(first).pw_dir, 'PATH': '/usr/bin:/bin',
                          'CLASS_EXCHANGE': str(classroom['home'] / 'exchange'),
                          'CLASS_COURSE_ID': settings.DEFAULTS['CLASS_COURSE_ID'],
                          'JUPYTER_CONFIG_PATH': str(classroom['home'] / 'config' /
                                                     'student-config')})
    assert result.returncode == 0, result.stderr
    feedback = list((course_clone / ASSIGNMENT / 'feedback')
                    .glob(f'*/{NOTEBOOK}.html'))
    assert len(feedback) == 1 and '（得分：5.0 / 10.0）' in feedback[0].read_text('utf-8')


COURSE_ID_OF = ("import sys; from nbgrader.apps.listapp import ListApp; app = ListApp(); "
                "app.initialize([]); print(app.coursedir.course_id)")


def test_the_course_folders_nbgrader_uses_the_classs_course_id(tmp_path):
    """The course folder's nbgrader_config.py (read last, so it wins) takes the class's id from
    course.py's environment, and without one has settings.py's default: students submit to the
    course the instructor collects from, even with CLASS_COURSE_ID overridden."""
    shutil.copy(ROOT / 'tools' / 'classroom' / 'nbgrader_config.py', tmp_path)  # as make_student
    env = {**ENV, 'CLASS_COURSE_DIR': str(tmp_path), 'CLASS_EXCHANGE': str(tmp_path / 'exchange'),
           'JUPYTER_CONFIG_PATH': str(ROOT / 'tools' / 'classroom' / 'instructor-config')}
    env = {k: v for k, v in env.items() if k != 'CLASS_COURSE_ID'}
    shown = run([sys.executable, '-c', COURSE_ID_OF], tmp_path,
                env={**env, 'CLASS_COURSE_ID': 'another-course'})
    assert shown.split()[-1] == 'another-course'
    shown = run([sys.executable, '-c', COURSE_ID_OF], tmp_path,
                env={**env, 'JUPYTER_CONFIG_PATH': ''})
    assert shown.split()[-1] == settings.DEFAULTS['CLASS_COURSE_ID']


def test_every_setting_has_one_home_and_the_hub_starts_from_defaults(tmp_path):
    """The hub's configuration loads with nothing set but the class folder (no KeyError), and
    the exchange the README names is the one the hub gives the students' nbgrader."""
    script = ('import os, sys; from traitlets.config.loader import PyFileConfigLoader; '
              'c = PyFileConfigLoader("jupyterhub_config.py", path=sys.argv[1]).load_config(); '
              'print(c.JupyterHub.port, c.Spawner.environment["CLASS_EXCHANGE"], '
              'c.JupyterHub.authenticator_class, c.JupyterHub.spawner_class)')
    env = {k: v for k, v in ENV.items() if not k.startswith('CLASS_')}
    out = run([sys.executable, '-c', script, str(ROOT / 'tools' / 'classroom')], tmp_path,
              env={**env, 'CLASS_HOME': str(tmp_path / 'class')})
    assert out.split() == ['8000', str(tmp_path / 'class' / 'exchange'), 'pam', 'localprocess']
    readme = (ROOT / 'README.md').read_text('utf-8')
    assert f"`{settings.DEFAULTS['CLASS_HOME']}/exchange`" in readme
    # The students' and instructor's configurations have no default of their own.
    for config in (ROOT / 'tools' / 'classroom').glob('*-config/nbgrader_config.py'):
        text = config.read_text('utf-8')
        assert '/srv' not in text and '/usr' not in text and "os.environ['CLASS_EXCHANGE']" in text
