"""A class on the shipped JupyterHub, run with the README's commands only ("Teaching with it").

As root, exactly as a teaching assistant would: a roster of three students is written, then
`course.py setup roster.csv` (Linux accounts in a new group, the instructor's and the grader's
accounts, the course folder, the students' environment, the course repository), `course.py start`,
`course.py release` (whose printed link is the one shared). In headless Chromium each student
logs in on the hub's login page with the password setup gave them (PAM), opens the link
(nbgitpuller clones the course and opens the exercises in JupyterLab, in Simplified Chinese),
runs the notebook, saves and submits with `nbgrader submit` in a terminal of their own server,
which runs as their own account. The first student submits, the instructor collects, and she
answers two exercises and submits again: the second collect replaces the first submission.
The third student types a grading attack into an answer (it tries to open the answers and the
gradebook, and leaves a process behind). The instructor autogrades, exports, returns feedback
with course.py, and opens the formgrader in Chromium, which shows the grades and opens two
submissions (the attack's HTML output, with a script, shown sanitized); the attack's output shows
every attempt refused, as the grader account. Nothing is patched: nbgrader names
each submitter by the account. The accounts and group have names made for this run and are
removed at the end, with every process they ran, also on failure; the class's folder has a space
in its path.
"""
import os
import pwd
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from hub_support import (
    ASSIGNMENT,
    CHP,
    ENV,
    NOTEBOOK,
    ROOT,
    account_exists,
    as_user,
    class_on_the_hub,
    course,
    fetch_feedback,
    grades,
    hub_processes,
    instructor_tools,
    log_in,
    open_the_link,
    run,
    run_all_and_save,
    saved_notebook,
    screenshot,
    settings,
    submit,
    type_answer,
    typed_answers,
)
from os_support import processes_of

# A JupyterHub class driven through a browser. It makes Linux accounts and runs servers as them:
# as another user it is skipped, also in CI (tests/conftest.py); as root, as CI runs, it runs.
pytestmark = [pytest.mark.slow, pytest.mark.needs_root, pytest.mark.skipif(
    os.geteuid() != 0, reason='the class makes Linux accounts and runs servers as them: as root')]

ANSWERS = typed_answers('zh')  # exercises 1 and 2 answered: 5 of 10 points

if not os.access(CHP, os.X_OK):
    pytest.skip(f'no configurable-http-proxy at {CHP}: make proxy installs it with npm',
                allow_module_level=True)


@pytest.fixture(scope='module')
def classroom(tmp_path_factory):
    """The course set up, the hub started and the assignment released with course.py."""
    with class_on_the_hub(tmp_path_factory.mktemp('roster'), students=3) as classroom:
        yield classroom


def student_session(browser, classroom, student, between=None, typed=None):
    """Log in, open the link, type ``typed`` ({grade_id: line}), run, save and submit;
    ``between`` then answers and resubmits."""
    page = log_in(browser, classroom, student)
    labels, saved = classroom['labels'], saved_notebook(student)
    try:
        open_the_link(page, classroom)
        for grade_id, text in (typed or {}).items():
            type_answer(page, grade_id, text)
        run_all_and_save(page, labels, saved)
        submit(page, classroom, student)
        if between:
            between()  # the instructor collects the first submission
            page.locator('.lm-TabBar-tab:has-text("05_exercises")').first.click()
            for grade_id, text in ANSWERS.items():
                type_answer(page, grade_id, text)
            run_all_and_save(page, labels, saved)
            submit(page, classroom, student)
        screenshot(page, f'{student[-1]}-submitted')
        return nbformat.reads(saved.read_text('utf-8'), as_version=4)
    except Exception:
        screenshot(page, f'{student[-1]}-failed')
        raise
    finally:
        page.close()


def grading_attack(classroom):
    """One line a student types into an answer: it tries to read the answers (the course's
    source notebook and the teacher's checkout), to read and to write the gradebook, leaves a
    process behind (one that could watch the next submission's grading; named in bytes that are
    not UTF-8, which a reader of /proc that decodes text would skip), makes its kernel leave its
    process group and refuse to stop, says as whom it runs, makes System V shared memory (which
    would outlive it), counts the processes it can see, and shows HTML with a script, which would
    run in the formgrader's page of the submission, the instructor's.
    Graded as the instructor, all four would open and print into feedback."""
    course = classroom['course']
    targets = [(course / 'source' / ASSIGNMENT / f'{NOTEBOOK}.ipynb', 'O_RDONLY'),
               (ROOT / 'notebooks' / f'{NOTEBOOK}.ipynb', 'O_RDONLY'),
               (course / 'gradebook.db', 'O_RDONLY'), (course / 'gradebook.db', 'O_WRONLY')]
    program = ('import os, pwd, signal, time\n'
               'if os.fork() == 0:\n'  # a daemon with a name that is not UTF-8
               '    os.setsid()\n'
               '    open("/proc/self/comm", "wb").write(bytes([233]) + b"vil")\n'
               '    time.sleep(600)\n'
               'try:\n'  # the kernel leaves its process group and will not stop
               '    os.setsid()\n'
               'except OSError:\n'
               '    pass\n'  # already a group's leader (a student's own server)
               'signal.signal(signal.SIGTERM, signal.SIG_IGN)\n'
               'get_ipython().kernel.do_shutdown = lambda *args, **kwargs: time.sleep(3600)\n'
               f'for path, flag in {[(str(path), flag) for path, flag in targets]!r}:\n'
               '    try:\n'
               '        os.close(os.open(path, getattr(os, flag)))\n'
               '        print("opened", flag, path)\n'
               '    except OSError as error:\n'
               '        print("refused", flag, path, type(error).__name__)\n'
               'print("graded as", pwd.getpwuid(os.getuid()).pw_name)\n'
               # shared memory that would outlive the kernel, and the processes it can see
               'import ctypes\n'
               'made = ctypes.CDLL(None).shmget(0, 4096, 0o600)\n'  # IPC_PRIVATE: a new one
               'print("shared memory made:", made >= 0)\n'
               'seen = [p for p in os.listdir("/proc") if p.isdigit()]\n'
               'print("processes in view:", "few" if len(seen) < 10 else "all")\n'
               # HTML whose script would run in the formgrader, the instructor's page
               'from IPython.display import HTML, display\n'
               'display(HTML(\'<img src="x" onerror="document.body.dataset.xss = 1">\'))\n')
    return f'exec({program!r})', targets


def shared_memory_of(uid):
    """The ids of the System V shared memory segments that account ``uid`` owns."""
    lines = Path('/proc/sysvipc/shm').read_text().splitlines()[1:]
    return [line.split()[1] for line in lines if int(line.split()[7]) == uid]


def remove_shared_memory(uid):
    for segment in shared_memory_of(uid):
        subprocess.run(['ipcrm', '-m', segment], check=True)


@pytest.fixture(scope='module')
def submitted(classroom, browser, request):
    """The first student submits, is collected, answers and resubmits; the second submits
    without answers; the third types the grading attack into exercise 1's answer (whose shared
    memory, made in her own server, is removed afterwards)."""
    first, second, third = classroom['students']
    request.addfinalizer(lambda: remove_shared_memory(pwd.getpwnam(third).pw_uid))
    collect = lambda: course('collect', env=classroom['env'])  # noqa: E731
    attack, _ = grading_attack(classroom)
    return {first: student_session(browser, classroom, first, between=collect),
            second: student_session(browser, classroom, second),
            third: student_session(browser, classroom, third, typed={'ex1_answer1': attack})}


@pytest.fixture(scope='module')
def graded(classroom, submitted):
    """course.py collect, autograde, export and feedback: (grades.csv's rows, collect's log)."""
    return grades(classroom)


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
    # This hub's own culler, as root (another hub test may be running beside this one).
    root = processes_of({0})
    assert any(b'jupyterhub_idle_culler' in c and pid in root
               for pid, c in hub_processes(classroom).items())


def submission_id(classroom, student):
    """The gradebook's id of a student's graded notebook: the formgrader's page of it."""
    from nbgrader.api import Gradebook
    with Gradebook(f'sqlite:///{classroom["course"] / "gradebook.db"}') as gradebook:
        return gradebook.find_submission_notebook(NOTEBOOK, ASSIGNMENT, student).id


def test_a_class_of_three_submits_resubmits_and_gets_graded(classroom, submitted, graded,
                                                           browser):
    first = classroom['students'][0]
    sources = '\n'.join(c.source for c in submitted[first].cells)
    assert all(answer in sources for answer in ANSWERS.values())
    rows, out = graded
    assert 'Updating submission' in out or 'updat' in out.lower(), out
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
        # She opens a submission in the formgrader: the first's, and the third's, whose HTML
        # output carries a script, which must not run in her page.
        for student, shown in ((first, 'when_to_use'), (classroom['students'][2], 'graded as')):
            url = (f'{classroom["base"]}/user/{classroom["instructor"]}/formgrader/submissions/'
                   f'{submission_id(classroom, student)}/')
            assert page.goto(url, timeout=60_000).status == 200, url
            page.wait_for_function(f"() => document.body.innerText.includes('{shown}')",
                                   timeout=60_000)
            assert page.locator('img[onerror]').count() == 0
        screenshot(page, 'formgrader-submission')
    finally:
        page.close()
    # The first student fetches her feedback as herself, as README says: in ~/d2l-course.
    assert classroom['labels']['score'].format(score=5.0) in fetch_feedback(classroom, first)


def test_a_submission_runs_as_the_grader_and_reads_no_answer_and_no_grade(classroom, graded):
    """autograde ran the third student's code as the class's grader account: each of its
    attempts on the answers and the gradebook was refused, so its output (which her feedback
    shows) holds nothing of them; it left no process; the instructor's home, with the course
    folder, is all the instructor's."""
    third, grader = classroom['students'][2], classroom['grader']
    _, targets = grading_attack(classroom)
    autograded = classroom['course'] / 'autograded' / third / ASSIGNMENT / f'{NOTEBOOK}.ipynb'
    notebook = nbformat.read(autograded, as_version=4)
    [answer] = [cell for cell in notebook.cells
                if cell.metadata.get('nbgrader', {}).get('grade_id') == 'ex1_answer1']
    shown = ''.join(output.get('text', '') for output in answer.outputs)
    assert shown.splitlines() == [f'refused {flag} {path} PermissionError'
                                  for path, flag in targets] + [f'graded as {grader}',
                                                                'shared memory made: True',
                                                                'processes in view: few'], shown
    grader_uid = pwd.getpwnam(grader).pw_uid
    assert processes_of({grader_uid}) == {}
    assert shared_memory_of(grader_uid) == []
    instructor = pwd.getpwnam(classroom['instructor'])
    owners = {path: path.lstat().st_uid for path in Path(instructor.pw_dir).rglob('*')}
    assert {path for path, uid in owners.items() if uid != instructor.pw_uid} == set()


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


@pytest.mark.parametrize('grader', ['root', 'the instructor', 'a student'])
def test_setup_refuses_a_grader_that_is_root_the_instructor_or_a_student(tmp_path, grader):
    """Submissions run as CLASS_GRADER: setup names the problem and makes nothing if that is
    root, the instructor or a student of the roster."""
    roster = tmp_path / 'roster.csv'
    roster.write_text('id,first_name,last_name,email\nd2lrefused1,A,S,\n')
    name = {'root': 'root', 'the instructor': 'd2lrefusedt', 'a student': 'd2lrefused1'}[grader]
    env = {**ENV, 'CLASS_HOME': str(tmp_path / 'class'), 'CLASS_INSTRUCTOR': 'd2lrefusedt',
           'CLASS_GROUP': 'd2lrefusedg', 'CLASS_GRADER': name}
    result = subprocess.run([sys.executable, ROOT / 'tools' / 'classroom' / 'course.py', 'setup',
                             str(roster)], env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert f'CLASS_GRADER={name}: submissions are graded as this account' in result.stderr
    assert not (tmp_path / 'class').exists()
    assert not any(map(account_exists, ['d2lrefusedt', 'd2lrefused1']))
