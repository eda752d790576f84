"""A class under load: ten students at once through the shipped hub (make bench-class, as root).

With the README's commands (tools/classroom/course.py, settings from the environment) a class of
STUDENTS accounts made for this run is set up, the hub started and the exercises released. Then
every student at once: logs in on the hub's login page (HTTP, the PAM password), which starts
their server as their account; fetches the assignment (`nbgrader fetch_assignment`), writes the
teacher's answers into it (so that exercise 3 trains, the heaviest case), executes it in a kernel
of their own account (nbconvert, the project's kernel) and submits. Then the instructor collects
and autogrades everything. Printed: each student's peak memory (every process of the account,
sampled), the slowest student's time from login to submission, the time to autograde, and
failures (a student without a submission or a grade). The accounts, group and class folder are
removed at the end, also on failure. Not a test: nothing here is asserted about time.
"""
import csv
import os
import pwd
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import nbformat
import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
sys.path.insert(0, str(ROOT / "tools" / "classroom"))
import project_kernel  # noqa: E402  (tools/project_kernel.py: the kernel's one home)
import settings  # noqa: E402  (tools/classroom/settings.py: the class's settings' one home)

STUDENTS = int(os.environ.get('STUDENTS', '10'))
ASSIGNMENT, NOTEBOOK = 'exercises', '05_exercises'
SOLUTION = re.compile(r'^\s*### (BEGIN|END) SOLUTION\s*$')


def course(*args, env):
    result = subprocess.run([sys.executable, 'tools/classroom/course.py', *args], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f'course.py {" ".join(args)}:\n{result.stdout}{result.stderr}')
    return result.stdout


def rss_of(uid):
    """Resident memory (bytes) of every process of ``uid``."""
    total = 0
    for proc in Path('/proc').iterdir():
        try:
            status = (proc / 'status').read_text()
        except OSError:
            continue
        fields = dict(line.split(':', 1) for line in status.splitlines() if ':' in line)
        if fields.get('Uid', '').split()[:1] == [str(uid)] and 'VmRSS' in fields:
            total += int(fields['VmRSS'].split()[0]) * 1024
    return total


def end_processes_of(name):
    """SIGKILL, by pid, every process of the account ``name`` (one this run made)."""
    try:
        uid = str(pwd.getpwnam(name).pw_uid)
    except KeyError:
        return
    for proc in Path('/proc').iterdir():
        try:
            uids = (proc / 'status').read_text().split('\nUid:')[1].split()[:1]
            if proc.name.isdigit() and uids == [uid]:
                os.kill(int(proc.name), 9)
        except (OSError, IndexError):
            continue


def with_answers(release, source):
    """The release with the teacher's answers in its solution cells (matched by grade_id)."""
    answers = {c.metadata.get('nbgrader', {}).get('grade_id'): c.source for c in source.cells}
    for cell in release.cells:
        grade_id = cell.metadata.get('nbgrader', {}).get('grade_id')
        if cell.metadata.get('nbgrader', {}).get('solution') and grade_id in answers:
            cell.source = '\n'.join(line for line in answers[grade_id].splitlines()
                                    if not SOLUTION.match(line))
    return release


def student_run(student, password, base, home, course_dir):
    """One student's work, login to submission; returns seconds."""
    start = time.monotonic()
    account = pwd.getpwnam(student)
    session = requests.Session()
    session.get(f'{base}/hub/login', timeout=60)
    session.post(f'{base}/hub/login', timeout=300, data={
        'username': student, 'password': password, '_xsrf': session.cookies.get('_xsrf')})
    deadline = time.monotonic() + 300
    lab = f'{base}/user/{student}/lab'
    while True:  # the hub's spawn page until the server is up, then JupyterLab (after OAuth)
        reply = session.get(lab, timeout=60)
        if reply.status_code == 200 and reply.url == lab:
            break
        if time.monotonic() > deadline:
            raise RuntimeError(f'the server of {student} did not start')
        time.sleep(0.5)
    env = {'HOME': account.pw_dir, 'USER': student, 'LANG': 'C.UTF-8',
           'PATH': f'{home / "env" / "bin"}:/usr/bin:/bin',
           'CLASS_EXCHANGE': str(home / 'exchange'),
           'CLASS_COURSE_ID': settings.DEFAULTS['CLASS_COURSE_ID'],
           'JUPYTER_CONFIG_PATH': str(home / 'config' / 'student-config')}
    if os.environ.get('FASHION_MNIST_DIR'):
        env['FASHION_MNIST_DIR'] = os.environ['FASHION_MNIST_DIR']

    def as_student(*command):
        result = subprocess.run(command, cwd=account.pw_dir, env=env, user=account.pw_uid,
                                group=account.pw_gid, extra_groups=[], capture_output=True,
                                text=True)
        if result.returncode != 0:
            raise RuntimeError(f'{student}: {" ".join(command)}:\n{result.stderr[-2000:]}')
    python = str(home / 'env' / 'bin' / 'python')
    as_student(python, '-m', 'nbgrader', 'fetch_assignment', ASSIGNMENT)
    path = Path(account.pw_dir) / ASSIGNMENT / f'{NOTEBOOK}.ipynb'
    source = nbformat.read(course_dir / 'source' / ASSIGNMENT / f'{NOTEBOOK}.ipynb', 4)
    nbformat.write(with_answers(nbformat.read(path, 4), source), path)
    os.chown(path, account.pw_uid, account.pw_gid)
    as_student(python, '-m', 'jupyter', 'nbconvert', '--to', 'notebook', '--execute',
               '--inplace', f'--ExecutePreprocessor.kernel_name={project_kernel.NAME}',
               '--ExecutePreprocessor.timeout=600', str(path))
    as_student(python, '-m', 'nbgrader', 'submit', ASSIGNMENT)
    return time.monotonic() - start


def main():
    if os.geteuid() != 0:
        sys.exit('bench_class.py: run as root (it makes accounts and runs the hub)')
    tag = secrets.token_hex(3)
    students = [f'd2l{tag}s{i:02d}' for i in range(STUDENTS)]
    instructor, group, grader = f'd2l{tag}t', f'd2l{tag}g', f'd2l{tag}x'
    home = Path(tempfile.mkdtemp(prefix='d2l class bench '))
    home.chmod(0o755)
    roster = home / 'hub-roster.csv'
    roster.write_text('id,first_name,last_name,email\n' + ''.join(f'{s},,,\n' for s in students))
    env = {**os.environ, 'CLASS_HOME': str(home), 'CLASS_PORT': os.environ.get('PORT', '18700'),
           'CLASS_INSTRUCTOR': instructor, 'CLASS_GROUP': group, 'CLASS_GRADER': grader}
    peaks, stop = {}, threading.Event()
    try:
        course('setup', str(roster), env=env)
        passwords = dict(csv.reader((home / 'hub' / 'initial-passwords.csv').open()))
        course('start', env=env)
        course('release', env=env)
        uids = {s: pwd.getpwnam(s).pw_uid for s in students}

        def sample():
            while not stop.is_set():
                for s, uid in uids.items():
                    peaks[s] = max(peaks.get(s, 0), rss_of(uid))
                stop.wait(0.5)
        sampler = threading.Thread(target=sample)
        sampler.start()
        base = f'http://127.0.0.1:{env["CLASS_PORT"]}'
        course_dir = Path(pwd.getpwnam(instructor).pw_dir) / 'course'
        with ThreadPoolExecutor(len(students)) as pool:
            futures = {s: pool.submit(student_run, s, passwords[s], base, home, course_dir)
                       for s in students}
        stop.set()
        sampler.join()
        times, failures = {}, []
        for s, future in futures.items():
            try:
                times[s] = future.result()
            except Exception as e:  # reported, not hidden: the count is the result
                failures.append(f'{s}: {e}')
        course('collect', env=env)
        start = time.monotonic()
        course('autograde', env=env)
        grading = time.monotonic() - start
        course('export', env=env)
        grades = {r['student_id']: float(r['score'])
                  for r in csv.DictReader((course_dir / 'grades.csv').open())}
        lost = [s for s in times if s not in grades or grades[s] < 10]
        mib = sorted(p / 2**20 for p in peaks.values())
        print(f'{len(students)} students at once on {os.cpu_count()} cores: '
              f'peak memory per student {mib[0]:.0f}-{mib[-1]:.0f} MiB '
              f'(median {mib[len(mib) // 2]:.0f}); slowest student '
              f'{max(times.values(), default=float("nan")):.0f} s from login to submission; '
              f'autograding all {grading:.0f} s; failures {len(failures)}; '
              f'submissions lost or not 10/10: {len(lost)}')
        for failure in failures:
            print('  ', failure)
    finally:
        stop.set()
        try:
            course('stop', env=env)
        finally:
            for name in [*students, instructor, grader]:
                end_processes_of(name)
                subprocess.run(['userdel', '--remove', name], capture_output=True)
            subprocess.run(['groupdel', group], capture_output=True)
            shutil.rmtree(home, ignore_errors=True)


if __name__ == '__main__':
    main()
