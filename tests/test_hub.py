"""A class on a JupyterHub, end to end, on 127.0.0.1: the runbook of README "Teaching with it".

The teacher prepares the course with `make student`'s tool (build/course, build/student),
publishes it (nbgrader release_assignment; the student edition committed to a git
repository, here a local one) and starts the hub of tools/classroom/jupyterhub_config.py
(dummy authenticator: two students and one instructor; every server a local process; the
proxy from npm; homes and nbgrader's exchange in a temp folder). In headless Chromium, each
student logs in through the hub's login page, opens the nbgitpuller link, which clones the
course into their home and opens the exercises in JupyterLab, in Simplified Chinese; alice
types answers to exercises 1 and 2, bob changes nothing; each runs the notebook, saves, and
submits with `nbgrader submit` typed into a JupyterLab terminal, so it runs as that student
in their own server. The instructor then collects, autogrades, generates and returns
feedback, and finds each score (alice 2 + 3 = 5 of 10, bob 0); alice fetches her feedback.
Screenshots go to build/screenshots/hub-*.png. Every process the test started is ended at
the end, also on failure: the hub (which stops the servers and the proxy) and then any of
its descendants still alive.
"""
import csv
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import nbformat
import pytest

pytestmark = pytest.mark.slow  # a JupyterHub class driven through a browser

ROOT = Path(__file__).resolve().parent.parent
CLASSROOM = ROOT / 'tools' / 'classroom'
CHP = os.environ.get('CHP') or str(
    ROOT / '.venv' / 'share' / 'chp-5.3.0' / 'node_modules' / '.bin' / 'configurable-http-proxy')
SCREENSHOTS = ROOT / 'build' / 'screenshots'
COURSE, ASSIGNMENT, NOTEBOOK = 'd2l-4.2', 'exercises', '05_exercises'
STUDENTS, INSTRUCTOR, PASSWORD = ('alice', 'bob'), 'teacher', 'class-test-password'
ENV = {**os.environ, 'PATH': os.pathsep.join([str(Path(sys.executable).parent),
                                              os.environ.get('PATH', '')])}
# What alice types into the two solution cells (one line each: no auto-indentation involved).
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
EXPECTED = {'alice': {'ex1_check': 2, 'ex2_check': 3, 'ex3_check': 0},
            'bob': {'ex1_check': 0, 'ex2_check': 0, 'ex3_check': 0}}

HUB_USER_IS_THE_STUDENT = """\
import os
import nbgrader.exchange.default.fetch_feedback as fetch_feedback
import nbgrader.exchange.default.submit as submit
submit.get_username = fetch_feedback.get_username = lambda: os.environ['JUPYTERHUB_USER']
"""

if not os.access(CHP, os.X_OK):
    pytest.skip(f'no configurable-http-proxy at {CHP}: the hub test needs it from npm (make test '
                f'installs it with npm into .venv; Debian: apt-get install npm), or set CHP',
                allow_module_level=True)
if not shutil.which('git'):
    pytest.skip('git is not installed: nbgitpuller needs it', allow_module_level=True)


def free_port_block(size=3):
    """A port whose next size-1 ports are free too (hub, proxy API), on 127.0.0.1."""
    for _ in range(50):
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            port = s.getsockname()[1]
        if port + size < 65535 and all(_free(port + i) for i in range(size)):
            return port
    raise RuntimeError('no block of free ports on 127.0.0.1')


def _free(port):
    with socket.socket() as s:
        try:
            s.bind(('127.0.0.1', port))
            return True
        except OSError:
            return False


def run(command, cwd, env=ENV, timeout=300):
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True,
                            timeout=timeout)
    assert result.returncode == 0, f'{command}:\n{result.stdout}\n{result.stderr}'
    return result.stdout + result.stderr


def descendants(pid):
    """{pid: cmdline} of every process below ``pid`` (read from /proc, nothing else touched)."""
    children = {}
    for proc in Path('/proc').iterdir():
        if not proc.name.isdigit():
            continue
        try:
            ppid = int((proc / 'stat').read_text().rsplit(')', 1)[1].split()[1])
            cmdline = (proc / 'cmdline').read_bytes()
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append((int(proc.name), cmdline))
    found, todo = {}, [pid]
    while todo:
        for child, cmdline in children.get(todo.pop(), []):
            found[child] = cmdline
            todo.append(child)
    return found


def end_processes(processes):
    """SIGTERM, then SIGKILL, each process of ``processes`` still running the same command."""
    def alive(pid, cmdline):
        try:
            return Path(f'/proc/{pid}/cmdline').read_bytes() == cmdline
        except OSError:
            return False
    for sig in (signal.SIGTERM, signal.SIGKILL):
        for pid, cmdline in processes.items():
            if alive(pid, cmdline):
                os.kill(pid, sig)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(alive(*p) for p in processes.items()):
            time.sleep(0.2)
    return [pid for pid, cmdline in processes.items() if alive(pid, cmdline)]


@pytest.fixture(scope='module')
def classroom(tmp_path_factory):
    """The course prepared and published, and the hub running; everything ended afterwards."""
    from d2lhelpers.data import DataError, find_fashion_mnist
    try:
        data_dir = find_fashion_mnist()
    except DataError as e:
        pytest.skip(f'the real Fashion-MNIST is not on this machine: {e}')
    work = tmp_path_factory.mktemp('hub')
    hub_dir, exchange = work / 'hub', work / 'exchange'
    instructor_home = hub_dir / 'home' / INSTRUCTOR
    instructor_home.mkdir(parents=True)
    exchange.mkdir(mode=0o777)
    exchange.chmod(0o777)
    course = instructor_home / 'course'
    # Prepare: make student (the runbook's first step), into the instructor's home.
    run([sys.executable, str(ROOT / 'tools' / 'make_student.py'), str(ROOT / 'notebooks'),
         str(work / 'build' / 'student'), '--course', str(course)], ROOT)
    # Publish: the release into nbgrader's exchange, the student edition into a git repository.
    nbgrader(course, 'release_assignment', ASSIGNMENT, '--force', exchange=exchange)
    repo = work / 'd2l-course'
    shutil.copytree(work / 'build' / 'student', repo, ignore=shutil.ignore_patterns('.made-by-*'))
    git = ['git', '-c', 'user.name=Teacher', '-c', 'user.email=teacher@localhost']
    run(['git', 'init', '-q', '-b', 'main'], repo)
    run([*git, 'add', '-A'], repo)
    run([*git, 'commit', '-q', '-m', 'Student edition'], repo)
    # SimpleLocalProcessSpawner runs every server as the hub's own OS user, and nbgrader names
    # a submitter by the OS user (by JUPYTERHUB_USER only when that is "jovyan", as in the
    # containers of Zero to JupyterHub). So, for this test only, nbgrader takes JUPYTERHUB_USER.
    extra_config = work / 'test-config'
    extra_config.mkdir()
    (extra_config / 'nbgrader_config.py').write_text(HUB_USER_IS_THE_STUDENT)
    port = free_port_block()
    env = {**ENV, 'CLASS_HUB_DIR': str(hub_dir), 'CLASS_HUB_PORT': str(port),
           'CLASS_STUDENTS': ','.join(STUDENTS), 'CLASS_INSTRUCTORS': INSTRUCTOR,
           'CLASS_PASSWORD': PASSWORD, 'CLASS_EXCHANGE': str(exchange),
           'CLASS_EXTRA_CONFIG': str(extra_config),
           'CHP': CHP, 'FASHION_MNIST_DIR': str(data_dir)}
    log = open(work / 'jupyterhub.log', 'w')
    hub = subprocess.Popen([sys.executable, '-m', 'jupyterhub', '-f',
                            str(CLASSROOM / 'jupyterhub_config.py')],
                           cwd=hub_dir, env=env, stdout=log, stderr=subprocess.STDOUT,
                           start_new_session=True)
    base = f'http://127.0.0.1:{port}'
    started = {}
    try:
        deadline = time.monotonic() + 60
        while True:
            started.update(descendants(hub.pid))
            try:
                urllib.request.urlopen(f'{base}/hub/api/', timeout=2)
                break
            except OSError:
                if hub.poll() is not None or time.monotonic() > deadline:
                    log = (work / 'jupyterhub.log').read_text()
                    pytest.fail(f'JupyterHub did not start:\n{log}')
                time.sleep(0.3)
        yield {'base': base, 'repo': repo, 'course': course, 'exchange': exchange,
               'hub_dir': hub_dir, 'log': work / 'jupyterhub.log', 'extra_config': extra_config,
               'track': lambda: started.update(descendants(hub.pid))}
    finally:
        started.update(descendants(hub.pid))
        hub.send_signal(signal.SIGTERM)  # the hub stops every user's server and the proxy
        try:
            hub.wait(timeout=30)
        except subprocess.TimeoutExpired:
            hub.kill()
            hub.wait(timeout=10)
        left = end_processes(started)  # anything the hub left behind, by pid and command
        log.close()
        assert left == [], f'processes of the hub test still running: {left}'


def nbgrader(course, *args, exchange):
    return run([sys.executable, '-m', 'nbgrader', *args, f'--Exchange.root={exchange}'], course)


def screenshot(page, name):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f'hub-{name}.png'))


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


RUN_IS_OVER = """() => {
    const panel = document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden)');
    if (!panel) return false;
    const prompts = [...panel.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(e => e.textContent.trim());
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return prompts.length > 0 && prompts[0] === '[1]:' && !prompts.includes('[*]:')
        && indicator !== null && indicator.dataset.status === 'idle';
}"""


def student_session(browser, classroom, student):
    """Log in, pull the course, work on the exercises, save and submit, as ``student``."""
    page = browser.new_page(viewport={'width': 1400, 'height': 1000}, locale='zh-CN')
    try:
        page.goto(f'{classroom["base"]}/hub/login', timeout=60_000)
        page.fill('input[name=username]', student)
        page.fill('input[name=password]', PASSWORD)
        page.click('input[type=submit], button[type=submit]')
        page.wait_for_url(f'**/user/{student}/lab**', timeout=120_000)
        classroom['track']()
        # The link a teacher shares: nbgitpuller clones the course and opens the exercises.
        query = urllib.parse.urlencode({
            'repo': f'file://{classroom["repo"]}', 'branch': 'main',
            'urlpath': f'lab/tree/d2l-course/{ASSIGNMENT}/{NOTEBOOK}.ipynb'})
        page.goto(f'{classroom["base"]}/hub/user-redirect/git-pull?{query}', timeout=60_000)
        page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=120_000)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]',
                               timeout=120_000)
        menus = page.locator('.lm-MenuBar-itemLabel').all_inner_texts()
        assert '文件' in menus and '运行' in menus, menus  # JupyterLab in Simplified Chinese
        # The kernel is up when the status bar says so ("空闲": idle); a Run All before that
        # would ask which kernel to start.
        page.wait_for_function("""() => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
            .some(e => /MXNet.*\\| 空闲/.test(e.textContent))""", timeout=120_000, polling=500)
        if student == 'alice':
            for grade_id, text in ANSWERS.items():
                type_answer(page, grade_id, text)
        page.click('.lm-MenuBar-itemLabel:text-is("运行")')
        page.click('.lm-Menu-itemLabel:text-is("运行所有单元格")')
        page.wait_for_timeout(1500)
        page.wait_for_function(RUN_IS_OVER, timeout=120_000, polling=500)
        page.keyboard.press('Control+s')
        saved = classroom['hub_dir'] / 'home' / student / 'd2l-course' / ASSIGNMENT / \
            f'{NOTEBOOK}.ipynb'
        deadline = time.monotonic() + 30
        while '"execution_count": 1' not in saved.read_text('utf-8'):
            assert time.monotonic() < deadline, 'the notebook was not saved'
            time.sleep(0.3)
        page.locator('.jp-Notebook .jp-Cell').nth(5).scroll_into_view_if_needed()
        page.locator('.jp-Notebook .jp-Cell').nth(3).scroll_into_view_if_needed()
        screenshot(page, f'{student}-exercises')
        # Submit from a terminal of the student's own JupyterLab: nbgrader runs as that user.
        page.click('.lm-MenuBar-itemLabel:text-is("文件")')
        page.click('.lm-Menu-itemLabel:text-is("新建")')
        page.click('.lm-Menu-itemLabel:text-is("终端")')
        page.wait_for_selector('.jp-Terminal .xterm-screen', timeout=60_000)
        page.wait_for_timeout(2000)  # the shell's prompt
        page.locator('.jp-Terminal .xterm-screen').last.click()
        page.wait_for_timeout(1000)
        page.keyboard.type(f'cd ~/d2l-course && nbgrader submit {ASSIGNMENT} --course {COURSE}'
                           f' && echo SUBMITTED-OK\n')
        inbound = classroom['exchange'] / COURSE / 'inbound'
        deadline = time.monotonic() + 120
        while not any(p.name.startswith(f'{student}+{ASSIGNMENT}+')
                      for p in (inbound.iterdir() if inbound.is_dir() else [])):
            assert time.monotonic() < deadline, f'no submission of {student} in {inbound}'
            time.sleep(0.5)
        page.wait_for_timeout(1000)
        screenshot(page, f'{student}-submitted')
        return nbformat.reads(saved.read_text('utf-8'), as_version=4)
    except Exception:
        screenshot(page, f'{student}-failed')
        raise
    finally:
        page.close()


@pytest.fixture(scope='module')
def submitted(classroom, browser):
    return {student: student_session(browser, classroom, student) for student in STUDENTS}


def test_students_log_in_pull_the_course_in_chinese_work_and_submit(classroom, submitted):
    alice, bob = submitted['alice'], submitted['bob']
    sources = '\n'.join(c.source for c in alice.cells)
    assert all(answer in sources for answer in ANSWERS.values())
    checks = [c for c in alice['cells'] if c['metadata'].get('nbgrader', {}).get('grade')]
    verdicts = [''.join(o.get('text', '') for o in c['outputs']) for c in checks]
    assert verdicts[0].startswith('✓ 正确') and verdicts[1].startswith('✓ 正确')
    assert verdicts[2].startswith('✗ 还没有完成')  # exercise 3 left as it was
    bob_checks = [c for c in bob['cells'] if c['metadata'].get('nbgrader', {}).get('grade')]
    assert ''.join(o.get('text', '') for o in bob_checks[0]['outputs']).startswith('✗ 还没有完成')
    for student in STUDENTS:  # nbgitpuller put the whole course into each home
        home = classroom['hub_dir'] / 'home' / student / 'd2l-course'
        assert (home / '04_sharing_parameters.ipynb').is_file()
        assert (SCREENSHOTS / f'hub-{student}-exercises.png').is_file()


def test_the_instructor_collects_grades_and_returns_feedback(classroom, submitted):
    course, exchange = classroom['course'], classroom['exchange']
    nbgrader(course, 'collect', ASSIGNMENT, exchange=exchange)
    nbgrader(course, 'autograde', ASSIGNMENT, exchange=exchange)
    nbgrader(course, 'generate_feedback', ASSIGNMENT, exchange=exchange)
    nbgrader(course, 'release_feedback', ASSIGNMENT, exchange=exchange)
    nbgrader(course, 'export', '--to', str(course / 'grades.csv'), exchange=exchange)
    rows = {r['student_id']: r for r in csv.DictReader((course / 'grades.csv').open())}
    assert {s: float(rows[s]['score']) for s in STUDENTS} == \
        {s: sum(EXPECTED[s].values()) for s in STUDENTS}
    from nbgrader.api import Gradebook
    with Gradebook(f'sqlite:///{course / "gradebook.db"}') as gb:
        for student, expected in EXPECTED.items():
            assert {g: gb.find_grade(g, NOTEBOOK, ASSIGNMENT, student).score
                    for g in expected} == expected
    # alice fetches her feedback as herself (as the Assignments tab would)
    home = classroom['hub_dir'] / 'home' / 'alice'
    env = {**ENV, 'HOME': str(home), 'JUPYTERHUB_USER': 'alice', 'CLASS_EXCHANGE': str(exchange),
           'JUPYTER_CONFIG_PATH': os.pathsep.join([str(CLASSROOM / 'student-config'),
                                                   str(classroom['extra_config'])])}
    run([sys.executable, '-m', 'nbgrader', 'fetch_feedback', ASSIGNMENT, '--course', COURSE],
        home / 'd2l-course', env=env)
    feedback = list((home / 'd2l-course' / ASSIGNMENT / 'feedback').glob(f'*/{NOTEBOOK}.html'))
    assert len(feedback) == 1 and 'Score: 5.0 / 10.0' in feedback[0].read_text('utf-8')
