"""A class on the shipped JupyterHub, driven as a teaching assistant and students drive it (used by
test_hub, the Chinese class of three, and test_hub_english, the English class): the README's
course.py commands, accounts made for the run and removed at the end, and a student's session in
headless Chromium, in the class's language.
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
from contextlib import contextmanager
from pathlib import Path

import pytest
from os_support import alive, descendants, free_port, processes_of, wait_for

ROOT = Path(__file__).resolve().parent.parent
COURSE_PY = 'tools/classroom/course.py'  # as the README runs it, from the checkout
sys.path.insert(0, str(ROOT / 'tools' / 'classroom'))
import settings  # noqa: E402  (tools/classroom/settings.py: the class's one home for settings)

CHP = settings.PROXY  # make proxy installs it
SCREENSHOTS = ROOT / 'build' / 'screenshots'
ASSIGNMENT, NOTEBOOK = 'exercises', '05_exercises'
ENV = {**os.environ, 'PATH': os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get('PATH', '')])}
# What a student reads in JupyterLab in each language of the class: menus, the kernel's state
# in the status bar, the self-checks' verdict, the score line of the feedback page.
LABELS = {
    'zh': {'File': '文件', 'New': '新建', 'Terminal': '终端', 'Run': '运行',
           'Run All Cells': '运行所有单元格', 'Idle': '空闲', 'not yet': '✗ 还没有完成：',
           'score': '（得分：{score} / 10.0）'},
    'en': {'File': 'File', 'New': 'New', 'Terminal': 'Terminal', 'Run': 'Run',
           'Run All Cells': 'Run All Cells', 'Idle': 'Idle', 'not yet': '✗ Not done yet: ',
           'score': '(Score: {score} / 10.0)'},
}
# The solution cells' placeholder lines, the same code in both languages.
PLACEHOLDERS = {'ex1_answer1': 'when_to_use = {}', 'ex2_answer1': 'shape_before = None',
                'ex2_answer2': 'shape_after = None'}
# What a student types into those cells (one line each), for exercises 1 and 2: 5 of 10 points.
# Exercise 1's sentence, one for every initializer, is in the class's language.
WHEN_TO_USE = {'zh': "f'{name}：何时使用，见 MXNet 文档对 {name} 的说明'",
               'en': "f'{name}: when to use it, see the MXNet documentation'"}


def typed_answers(language):
    return {
        'ex1_answer1': "import inspect; "
                       f"when_to_use = {{name: {WHEN_TO_USE[language]} "
                       "for name, obj in vars(init).items() if inspect.isclass(obj) "
                       "and obj.__module__ == 'mxnet.initializer' and name != 'InitDesc'}",
        'ex2_answer1': "net = nn.Sequential(); shared = nn.Dense(8, activation='relu'); "
                       "net.add(nn.Dense(8, activation='relu'), shared, "
                       "nn.Dense(8, activation='relu', params=shared.params), nn.Dense(10)); "
                       "net.initialize(); shape_before = net[0].weight.shape",
        'ex2_answer2': "X = nd.random_uniform(shape=(2, 20)); net(X); "
                       "shape_after = net[0].weight.shape",
    }


def run(command, cwd, env=ENV, timeout=300):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f'{command}:\n{result.stdout}\n{result.stderr}'
    return result.stdout + result.stderr


def course(*args, env, timeout=600):
    """``.venv/bin/python tools/classroom/course.py ARGS``, as the README says."""
    return run([sys.executable, COURSE_PY, *args], ROOT, env=env, timeout=timeout)


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


def account_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def remove_accounts(names, group):
    """Every process of the run's accounts ended, then the accounts, homes and group removed."""
    uids = {pwd.getpwnam(n).pw_uid for n in names if account_exists(n)}
    left = end_processes(processes_of(uids))
    for name in names:
        if account_exists(name):
            subprocess.run(['userdel', '--remove', name], capture_output=True)
    subprocess.run(['groupdel', group], capture_output=True)
    return left + [n for n in names if account_exists(n)]


@contextmanager
def class_on_the_hub(roster_dir, students=3, language=None):
    """The course set up, the hub started and the assignment released with course.py, for
    ``students`` new accounts; ``language`` is set as CLASS_LANGUAGE for every command (unset:
    the default, Chinese). Yields what the tests need; at the end the hub is stopped and every
    process, account and folder of the run removed, also on failure."""
    from d2lhelpers.data import DataError, find_fashion_mnist
    try:
        data_dir = find_fashion_mnist()
    except DataError as e:  # a failure in CI (tests/conftest.py)
        pytest.skip(f'the real Fashion-MNIST is not on this machine: {e}')
    tag = secrets.token_hex(3)  # names no account of this machine has
    names = [f'd2l{tag}{c}' for c in 'abcdefgh'[:students]]
    instructor, group, grader = f'd2l{tag}t', f'd2l{tag}g', f'd2l{tag}x'
    roster = Path(roster_dir) / 'roster.csv'
    roster.write_text('id,first_name,last_name,email\n'
                      + ''.join(f'{s},{s[-1].upper()},Student,\n' for s in names))
    home = Path(tempfile.mkdtemp(prefix='d2l class '))  # a space in the path
    env = {**ENV, 'CLASS_HOME': str(home), 'CLASS_INSTRUCTOR': instructor,
           'CLASS_GROUP': group, 'CLASS_GRADER': grader, 'FASHION_MNIST_DIR': str(data_dir)}
    if language:
        env['CLASS_LANGUAGE'] = language
    try:
        home.chmod(0o755)
        course('setup', str(roster), env=env)
        passwords = dict(csv.reader((home / 'hub' / 'initial-passwords.csv').open()))
        # Chosen just before the hub takes it: other tests' servers and kernels take free ports
        # all the time, the other hub test's too.
        env['CLASS_PORT'] = str(free_port(block=3))
        course('start', env=env)
        link = course('release', env=env).strip().splitlines()[-1]
        yield {'env': env, 'home': home, 'students': names, 'instructor': instructor,
               'grader': grader,
               'passwords': passwords, 'link': link, 'labels': LABELS[language or 'zh'],
               'base': f'http://127.0.0.1:{env["CLASS_PORT"]}',
               'course': Path(pwd.getpwnam(instructor).pw_dir) / 'course'}
    finally:
        hub = home / 'hub' / 'jupyterhub.pid'
        hub_pid = int(hub.read_text()) if hub.exists() else None
        below_the_hub = descendants([hub_pid]) if hub_pid else {}
        try:
            course('stop', env=env)
        finally:
            left = end_processes(below_the_hub)
            left += remove_accounts([*names, instructor, grader], group)
            shutil.rmtree(home, ignore_errors=True)
        assert left == [], f'processes or accounts of the hub test left: {left}'


def hub_processes(classroom):
    """{pid: command line} of the class's hub and every process below it (the proxy, the
    culler, the students' servers and what they run)."""
    hub_pid = int((classroom['home'] / 'hub' / 'jupyterhub.pid').read_text())
    return {hub_pid: Path(f'/proc/{hub_pid}/cmdline').read_bytes(), **descendants([hub_pid])}


def server_of(classroom, student):
    """The pid and arguments of ``student``'s running JupyterLab server, and its environment."""
    uid = pwd.getpwnam(student).pw_uid
    [pid] = [pid for pid, cmdline in processes_of({uid}).items()
             if b'jupyterhub-singleuser' in cmdline]
    args = Path(f'/proc/{pid}/cmdline').read_bytes().decode().split('\0')
    environ = dict(entry.split('=', 1) for entry in
                   Path(f'/proc/{pid}/environ').read_bytes().decode().split('\0') if '=' in entry)
    return pid, args, environ


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f'hub-{name}.png'))


def log_in(browser, classroom, user):
    # A Chinese browser in either class: JupyterLab's language must come from the class.
    page = browser.new_page(viewport={'width': 1400, 'height': 1000}, locale='zh-CN')
    page.goto(f'{classroom["base"]}/hub/login', timeout=60_000)
    page.fill('input[name=username]', user)
    page.fill('input[name=password]', classroom['passwords'][user])
    page.click('input[type=submit], button[type=submit]')
    page.wait_for_url(f'**/user/{user}/**', timeout=120_000)
    return page


def menu(page, labels, *path):
    """Click through the menu bar: ``menu(page, labels, 'File', 'New', 'Terminal')``."""
    first, *rest = path
    page.click(f'.lm-MenuBar-itemLabel:text-is("{labels[first]}")')
    for item in rest:
        page.click(f'.lm-Menu-itemLabel:text-is("{labels[item]}")')


def type_answer(page, grade_id, text):
    """Click into the solution cell ``grade_id`` and type ``text`` on a new last line."""
    index = page.evaluate("""(placeholder) => {
        const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
        return [...panel.querySelectorAll('.jp-Cell')].findIndex(
            c => c.querySelector('.jp-InputArea-editor') && c.innerText.includes(placeholder));
    }""", PLACEHOLDERS[grade_id])
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


def run_all_and_save(page, labels, saved):
    last = max([int(p[1:-2]) for p in page.evaluate(PROMPTS) if p[1:-2].isdigit()] or [0])
    started = "(last) => [...document.querySelectorAll('.jp-NotebookPanel:not(.lm-mod-hidden) " \
              ".jp-InputArea-prompt')].some(e => /\\[(\\*|\\d+)\\]/.test(e.textContent) " \
              "&& !(parseInt(e.textContent.slice(1), 10) <= last))"
    for attempt in range(3):  # a menu clicked while JupyterLab is still settling does nothing
        menu(page, labels, 'Run', 'Run All Cells')
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
        menu(page, classroom['labels'], 'File', 'New', 'Terminal')
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


def open_the_link(page, classroom):
    """The release's link opened: the exercises in JupyterLab, in the class's language, with
    none of the instructor's tools, and the notebook's kernel idle."""
    labels = classroom['labels']
    page.goto(classroom['link'], timeout=60_000)
    page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=120_000)
    page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]',
                           timeout=120_000)
    menus = page.locator('.lm-MenuBar-itemLabel').all_inner_texts()
    assert labels['File'] in menus and labels['Run'] in menus, menus  # the class's language
    assert instructor_tools(page) == [], 'a student sees the instructor\'s nbgrader tools'
    page.wait_for_function(f"""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
        .some(e => /MXNet.*\\| {labels['Idle']}/.test(e.textContent))""",
                           timeout=120_000, polling=500)


def saved_notebook(student):
    return Path(pwd.getpwnam(student).pw_dir) / 'd2l-course' / ASSIGNMENT / f'{NOTEBOOK}.ipynb'


def as_user(name, command, cwd=None, **kwargs):
    """``command`` run as the account ``name``, in ``cwd`` (default: its home)."""
    account = pwd.getpwnam(name)
    return subprocess.run(command, user=account.pw_uid, group=account.pw_gid, extra_groups=[],
                          capture_output=True, text=True, cwd=cwd or account.pw_dir, **kwargs)


def fetch_feedback(classroom, student):
    """`nbgrader fetch_feedback` as the student, in ~/d2l-course as the README says; the text
    of the one feedback page fetched."""
    course_clone = Path(pwd.getpwnam(student).pw_dir) / 'd2l-course'
    result = as_user(student, [str(classroom['home'] / 'env' / 'bin' / 'python'), '-m',
                               'nbgrader', 'fetch_feedback', ASSIGNMENT], cwd=course_clone,
                     env={'HOME': pwd.getpwnam(student).pw_dir, 'PATH': '/usr/bin:/bin',
                          'CLASS_EXCHANGE': str(classroom['home'] / 'exchange'),
                          'CLASS_COURSE_ID': settings.DEFAULTS['CLASS_COURSE_ID'],
                          'JUPYTER_CONFIG_PATH': str(classroom['home'] / 'config' /
                                                     'student-config')})
    assert result.returncode == 0, result.stderr
    feedback = list((course_clone / ASSIGNMENT / 'feedback').glob(f'*/{NOTEBOOK}.html'))
    assert len(feedback) == 1, feedback
    return feedback[0].read_text('utf-8')


def grades(classroom):
    """course.py's collect, autograde, export and feedback; grades.csv's score of each student."""
    env = classroom['env']
    collected = course('collect', env=env)
    for step in ('autograde', 'export', 'feedback'):
        course(step, env=env)
    rows = {r['student_id']: float(r['score'])
            for r in csv.DictReader((classroom['course'] / 'grades.csv').open())}
    return rows, collected
