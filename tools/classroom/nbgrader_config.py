# nbgrader's configuration of the course folder that `make student` lays out (build/course).
# The teacher runs every nbgrader command in that folder (see README, "Teaching with it").
# make_student.py runs generate_assignment with this file only (JUPYTER_NO_CONFIG: no personal
# or system-wide Jupyter configuration) and checks the release it makes; the commands a teacher
# runs by hand also read ~/.jupyter and JUPYTER_CONFIG_DIR, so keep the delimiters and the
# "solution" tag there as they are here.
import datetime
import os
import pwd
import re
import shutil
import stat
import subprocess
import tempfile

from jupyter_client.manager import AsyncKernelManager
from nbconvert.exporters import HTMLExporter
from nbconvert.filters import clean_html
from nbconvert.preprocessors import Preprocessor, TagRemovePreprocessor
from nbformat.v4 import new_markdown_cell
from nbgrader.api import Gradebook
from nbgrader.converters import Autograde, GenerateAssignment
from nbgrader.exchange.abc.exchange import ExchangeError
from nbgrader.exchange.default import ExchangeCollect
from nbgrader.preprocessors import Execute, OverwriteCells
from nbgrader.utils import ignore_patterns

c = get_config()  # noqa: F821 (given by nbgrader when it reads this file)

# The course's language: make_student.py writes it beside this file in the course folder, from
# the kernel its notebooks name (zh, or en for notebooks/en); a folder without it is Chinese.
# It chooses the prompt in each answer, the notes on restored test cells and the feedback page.
HERE = os.path.dirname(os.path.abspath(__file__))
LANGUAGE_FILE = os.path.join(HERE, 'course_language')
LANGUAGE = (open(LANGUAGE_FILE, encoding='utf-8').read().strip()
            if os.path.exists(LANGUAGE_FILE) else 'zh')
TEXTS = {
    'zh': {
        'code_stub': '# YOUR CODE HERE：在这里写出你的解答，然后运行下面的检查',
        'exercise': '练习 {number} 的', 'check_cell': '检查单元格（`{grade_id}`）',
        'deleted': '**注意**：提交的笔记本里没有{what}（被删掉了）。评分时按原样把它加了回来，'
                   '照常评分。',
        'altered': '**注意**：提交的笔记本里，{what}被改动过。评分时用的是原来的检查单元格，'
                   '照常评分。',
        'missing': '评分时加回的检查单元格 {cell_id}（提交里被删掉了）\n\n',
        'feedback': 'feedback_zh',
    },
    'en': {
        'code_stub': '# YOUR CODE HERE: write your answer here, then run the check below',
        'exercise': 'exercise {number}\'s ', 'check_cell': 'check cell (`{grade_id}`)',
        'deleted': '**Note**: the submitted notebook has no {what} (it was deleted). It was put '
                   'back as released for grading, and graded as usual.',
        'altered': '**Note**: in the submitted notebook, {what} was altered. Grading used the '
                   'original check cell, as usual.',
        'missing': 'Check cell {cell_id}, put back for grading (it was deleted from the '
                   'submission)\n\n',
        'feedback': 'feedback_en',
    },
}
if LANGUAGE not in TEXTS:
    raise ValueError(f'{LANGUAGE_FILE} says {LANGUAGE!r}: a course is in one of '
                     f'{", ".join(TEXTS)}: write one of them there (make_student.py does).')
TEXT = TEXTS[LANGUAGE]

# On the class hub, course.py and the servers pass the class's id (CLASS_COURSE_ID, whose home is
# tools/classroom/settings.py): it must win over this file, which nbgrader reads last. A teacher
# grading without the hub gets the same default (tests/test_hub.py checks that they agree).
c.CourseDirectory.course_id = os.environ.get('CLASS_COURSE_ID') or 'd2l-4.2'
# Where students submit and the teacher collects: a folder every user of the hub can write to.
# The default of nbgrader is /srv/nbgrader/exchange; tests pass --Exchange.root=<a temp folder>.
# c.Exchange.root = '/srv/nbgrader/exchange'

# The release keeps the line before each answer (when_to_use = {}, net = None, ...), so an
# unanswered exercise reaches its check, which then says what is missing, in the course's language.
c.ClearSolutions.code_stub = {'python': TEXT['code_stub']}
# Cells tagged "solution" (the worked discussion of the answers) are left out of the release
# before anything else happens, so they are neither released nor in the gradebook.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {'solution'}
c.GenerateAssignment.preprocessors = (
    [TagRemovePreprocessor] + GenerateAssignment.class_traits()['preprocessors'].default())
# Seconds one cell may run in autograding (the exercise's training takes about 10 s here).
c.Execute.timeout = 300


class OverwriteCellsWithNotes(OverwriteCells):
    """nbgrader's OverwriteCells (a deleted test cell is put back, an altered one restored), and
    a line in the course's language above each test cell it restored, which the feedback shows.

    A test cell's checksum differs in every submission (the release has no hidden tests), so
    "altered" means: its source differs from the source version's without the hidden tests.
    """

    def preprocess(self, nb, resources):
        submitted = {cell.metadata.get('nbgrader', {}).get('grade_id'): cell.source
                     for cell in nb.cells}
        nb, resources = super().preprocess(nb, resources)
        self.put_back_deleted_test_cells(nb, resources)
        for index in reversed(range(len(nb.cells))):
            cell = nb.cells[index]
            grade_id = cell.metadata.get('nbgrader', {}).get('grade_id')
            if not cell.metadata.get('nbgrader', {}).get('grade') or cell.cell_type != 'code':
                continue
            note = (DELETED if grade_id not in submitted else
                    ALTERED if visible(submitted[grade_id]) != visible(cell.source) else None)
            if note:
                nb.cells.insert(index, new_markdown_cell(note.format(what=what(grade_id))))
        return nb, resources


    def put_back_deleted_test_cells(self, nb, resources):
        """nbgrader's add_missing_cells, placing a cell after the nearest earlier cell of the
        source version that is still there (nbgrader 0.9.6 fails when that is a locked one)."""
        with Gradebook(resources['nbgrader']['db_url']) as gradebook:
            source_nb = gradebook.find_notebook(resources['nbgrader']['notebook'],
                                                resources['nbgrader']['assignment'])
            order = [cell.name for cell in source_nb.source_cells]
            for grade_cell in source_nb.grade_cells:
                ids = [cell.metadata.get('nbgrader', {}).get('grade_id') for cell in nb.cells]
                if grade_cell.name in ids:
                    continue
                source_cell = source_nb.source_cells[order.index(grade_cell.name)]
                earlier = [ids.index(name) for name in order[:order.index(grade_cell.name)]
                           if name in ids]
                nb.cells.insert(max(earlier, default=-1) + 1,
                                self.missing_cell_transform(source_cell, grade_cell.max_score))


def visible(source):
    """A test cell's source as released: without its hidden tests, blank lines aside."""
    source = re.sub(r'^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[ \t]*$', '',
                    source, flags=re.M | re.S)
    return [line.rstrip() for line in source.splitlines() if line.strip()]


def what(grade_id):
    """'练习 2 的检查单元格（ex2_check）', "exercise 2's check cell (ex2_check)" for
    make_source_version's grade ids."""
    number = re.fullmatch(r'ex(\d+)_check', grade_id)
    return ((TEXT['exercise'].format(number=number[1]) if number else '')
            + TEXT['check_cell'].format(grade_id=grade_id))


DELETED, ALTERED = TEXT['deleted'], TEXT['altered']
# A deleted test cell is put back and graded (not a silent 0), its first line a comment.
c.OverwriteCells.missing_cell_notification = TEXT['missing']
c.Autograde.sanitize_preprocessors = [
    OverwriteCellsWithNotes if pp is OverwriteCells else pp
    for pp in Autograde.class_traits()['sanitize_preprocessors'].default()]


class FeedbackExporter(HTMLExporter):
    """The exporter of generate_feedback alone: a class of its own, so that its template is not
    the formgrader's too (which, set on HTMLExporter, could not open a submission)."""


# The feedback page: nbgrader's, in the course's language and loading nothing from another host
# (templates/feedback_zh, feedback_en; make_student.py copies templates/ beside this file).
c.GenerateFeedback.exporter_class = FeedbackExporter
c.FeedbackExporter.extra_template_basedirs = [os.path.join(HERE, 'templates')]
c.FeedbackExporter.template_name = TEXT['feedback']


class EscapeMarkdownHTML(Preprocessor):
    """A Markdown cell's HTML made text (nbconvert's clean_html): nbgrader's formgrade template
    renders Markdown cells without sanitizing them, which sanitize_html does only in nbconvert's
    own templates."""

    def preprocess_cell(self, cell, resources, index):
        if cell.cell_type == 'markdown':
            cell.source = clean_html(cell.source)
        return cell, resources


# A submission's Markdown cells and HTML outputs are the student's: in the formgrader, the
# teacher's page, a script among them would run with the teacher's rights (her files, her
# terminals). The feedback page is the student's own and keeps her Markdown as written.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.preprocessors = [EscapeMarkdownHTML]
c.FeedbackExporter.preprocessors = []



class LinkRefusingCollect(ExchangeCollect):
    """nbgrader's collect, copying only the regular files and folders of a submission.

    Students write their submissions into the exchange, and collect copies them as the teacher:
    nbgrader's copy follows links, so a link in a submission to the teacher's source notebook
    made its answers the student's "submission", graded and returned as feedback. Here every
    entry is opened without following links (each folder by its descriptor, so that no part of
    a path can be swapped for a link meanwhile); a submission holding a link, a device or a
    pipe is not collected, and the log names it. So is an entry whose name nbgrader cannot read
    (which stopped nbgrader's collect for everyone), and one named for a student who has an
    account but made by another account (nbgrader only warned, and the newest entry under a
    name is the one collected), and one whose timestamp.txt does not hold the time in its name.
    """

    def _path_to_record(self, path):
        try:
            record = super()._path_to_record(path)
        except (ExchangeError, ValueError, OverflowError) as e:
            return self.refused(path, f'its name is not one nbgrader submit writes ({e})')
        try:
            owner = os.lstat(path).st_uid
            named = pwd.getpwnam(record['username']).pw_uid
        except OSError as e:  # removed meanwhile
            return self.refused(path, os_problem(e))
        except KeyError:
            return record  # no such account: nbgrader's own check warns when it is copied
        if owner != named:
            return self.refused(path, f'it is named for {record["username"]}, but account '
                                      f'{owner} made it')
        return record

    def refused(self, path, problem):
        """A record init_src drops: the entry is not collected, and the log says why."""
        self.log.error(one_line(COLLECT_REFUSED.format(submission=path, problem=problem)))
        return {'username': None, 'filename': os.path.basename(path),
                'timestamp': datetime.datetime.min}  # naive, as parse_utc gives

    def init_src(self):
        super().init_src()
        self.src_records = [record for record in self.src_records
                            if record['username'] is not None]

    def do_copy(self, src, dest, log=None):
        try:
            src_fd = os.open(src, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW)
        except OSError as e:  # the submission itself a link (ELOOP, ENOTDIR), or gone
            self.log.error(one_line(COLLECT_REFUSED.format(submission=src, problem=os_problem(e))))
            return
        made = False
        try:
            size = self.get_size(src)  # nbgrader's limit on a submission, as in its own copy
            if size > 1000 * self.coursedir.max_dir_size:
                raise NotCopied(f'{size} bytes, more than CourseDirectory.max_dir_size allows')
            ignore = ignore_patterns(exclude=self.coursedir.ignore,
                                     include=self.coursedir.include,
                                     max_file_size=self.coursedir.max_file_size, log=self.log)
            os.mkdir(dest)  # nbgrader removed an earlier copy first
            made = True
            copy_folder(src_fd, src, dest, ignore)
            check_timestamp(os.path.basename(src), dest)
        except (NotCopied, OSError) as e:  # OSError: changed while it was copied
            if made:  # only the folder made here is removed; one student's entry stops no other's
                shutil.rmtree(dest, ignore_errors=True)
            self.log.error(one_line(COLLECT_REFUSED.format(
                submission=src, problem=os_problem(e) if isinstance(e, OSError) else e)))
        finally:
            os.close(src_fd)


class NotCopied(Exception):
    """A submission entry that collect does not copy, and why."""


def check_timestamp(entry, copy):
    """The copy's timestamp.txt holds the time in the entry's name, as nbgrader submit writes
    them. The student owns her entry and can edit the file: a time nbgrader cannot read stopped
    every later collect (it compares a new submission's time with the copy's), and a time other
    than the name's would be the one the gradebook records. The copy is the teacher's, so what
    is checked here is what autograde reads."""
    named = entry.rsplit('+', 3)[2]  # as nbgrader reads it: a user name may hold a +
    try:
        with open(os.path.join(copy, 'timestamp.txt'), encoding='utf-8') as file:
            written = file.read(200)
    except (OSError, UnicodeDecodeError):
        written = None
    if written != named:
        raise NotCopied(f'its timestamp.txt does not hold the time in its name ({named})')


def os_problem(error):
    return f'{error.filename}: {error.strerror}' if error.filename else error.strerror


def one_line(text):
    """``text`` with each character that is not printed as itself (a newline, a control or format
    character, a byte of a name that is not UTF-8) written as its Python escape: a name that a
    student chose cannot begin a line of its own in the teacher's log."""
    return ''.join(char if char.isprintable() else repr(char)[1:-1] for char in text)


COLLECT_REFUSED = ('Not collected: {submission}: {problem}. A submission is what nbgrader submit '
                   'writes, files and folders only; ask the student to submit again.')


def copy_folder(src_fd, src_name, dest, ignore):
    """Copy the folder open as ``src_fd`` into the new folder ``dest``, never following a link."""
    names = sorted(os.listdir(src_fd))
    ignored = ignore(src_name, names)
    for name in names:
        if name in ignored:
            continue
        mode = os.stat(name, dir_fd=src_fd, follow_symlinks=False).st_mode
        if stat.S_ISDIR(mode):
            sub_fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=src_fd)
            try:
                os.mkdir(os.path.join(dest, name))
                copy_folder(sub_fd, os.path.join(src_name, name), os.path.join(dest, name),
                            ignore)
            finally:
                os.close(sub_fd)
        elif stat.S_ISREG(mode):
            # O_NOFOLLOW: a file swapped for a link since the stat above fails here (ELOOP)
            fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=src_fd)
            with open(fd, 'rb') as source, open(os.path.join(dest, name), 'xb') as target:
                if not stat.S_ISREG(os.fstat(fd).st_mode):
                    raise NotCopied(f'{os.path.join(src_name, name)} is not a regular file')
                shutil.copyfileobj(source, target)
        else:
            kind = 'a link' if stat.S_ISLNK(mode) else 'not a regular file'
            raise NotCopied(f'{os.path.join(src_name, name)} is {kind}')


c.ExchangeFactory.collect = LinkRefusingCollect


# Grading in an account of its own. `course.py autograde` runs nbgrader as root and names the
# class's grader account in D2L_GRADER; each submission's kernel then runs as that account
# (setpriv), which can read nothing of the course folder (0700, the instructor's) or of the
# teacher's checkout: a submission's code can neither print the answers into its feedback nor
# change a grade in the gradebook. A teacher who runs `nbgrader autograde` by hand, without
# D2L_GRADER, grades as before, in kernels of her own account (README, "Teaching with it").
class GraderKernelManager(AsyncKernelManager):
    """A grading kernel run as the grader account in a PID namespace of its own (unshare): when
    the kernel stops or is killed, every process in it stops too, whatever it did (a daemon, a
    renamed process, a loop of forks, a kernel that left its process group), so nothing of one
    submission watches the next; its /proc shows it only its own processes, and its System V
    shared memory ends with it. At most 1024 processes of the account (prlimit). Its
    connection file (the account's) lies in a new folder of root's the account may pass through
    but not change; its working directory and home are a new folder of the account's inside it; its
    output goes nowhere (not into nbgrader's log, which the teacher reads); the folder is
    removed once the kernel has stopped."""

    def grader(self):
        if os.geteuid() != 0:
            raise RuntimeError('D2L_GRADER is set: autograde must run as root, which starts '
                               'each kernel as that account (course.py autograde does)')
        grader = pwd.getpwnam(os.environ['D2L_GRADER'])
        if grader.pw_uid == 0:
            raise RuntimeError(f'D2L_GRADER={grader.pw_name} is root: name the class\'s grader')
        return grader

    @staticmethod
    def as_grader(grader):
        """The command prefix that runs what follows as the account, with no other group."""
        return ['setpriv', f'--reuid={grader.pw_uid}', f'--regid={grader.pw_gid}',
                '--clear-groups', '--no-new-privs', '--']

    def end_grader_processes(self, grader):
        """Kill every process of the account (kill -1 as the account itself: no list to
        outrun, no name to misread): what a grading that nbgrader did not end left running."""
        subprocess.run([*self.as_grader(grader), 'kill', '-KILL', '-1'],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    async def _async_pre_start_kernel(self, **kw):
        grader = self.grader()
        self.end_grader_processes(grader)
        self.private = tempfile.mkdtemp(prefix='d2l-grading-')
        os.chmod(self.private, 0o711)
        home = os.path.join(self.private, 'home')
        os.mkdir(home, 0o700)
        os.chown(home, grader.pw_uid, grader.pw_gid)
        self.connection_file = os.path.join(self.private, 'kernel.json')
        kernel_cmd, kw = await super()._async_pre_start_kernel(**kw)  # writes it, 0600
        os.chown(self.connection_file, grader.pw_uid, grader.pw_gid)
        env = {**kw.get('env', os.environ), 'HOME': home, 'TMPDIR': home,
               'USER': grader.pw_name, 'LOGNAME': grader.pw_name,
               'IPYTHONDIR': os.path.join(home, '.ipython')}
        env.pop('JUPYTER_RUNTIME_DIR', None)  # root's, set by course.py for nbgrader itself
        kw.update(cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # The namespace's first process is a shell of root's that waits for the kernel: root's,
        # so that unshare's kill-on-exit holds (a change of user would clear it), and a kernel
        # that leaves its process group and refuses to stop still ends with it; it ignores
        # SIGINT, which interrupts the kernel only. Its own /proc shows it only its own processes,
        # and its own System V IPC namespace ends with it (no shared memory left behind).
        confined = ['unshare', '--pid', '--fork', '--kill-child', '--mount-proc', '--ipc', '--',
                    '/bin/sh', '-c', 'trap "" INT; "$@" & wait "$!"', 'grading-kernel',
                    'prlimit', '--nproc=1024:1024', '--', *self.as_grader(grader),
                    # ipykernel would stop at once, taking the shell (its parent, PID 1 here)
                    # for a sign that nbgrader had gone: no parent to watch
                    'env', '-u', 'JPY_PARENT_PID']
        return confined + kernel_cmd, kw

    async def _async_cleanup_resources(self, restart=False):
        await super()._async_cleanup_resources(restart=restart)
        if not restart:
            self.end_grader_processes(self.grader())  # should anything have left the namespace
            shutil.rmtree(self.private, ignore_errors=True)


class GraderExecute(Execute):
    """nbgrader's Execute with grading kernels run as the grader account."""

    def __init__(self, **kwargs):
        kwargs['kernel_manager_class'] = GraderKernelManager  # Execute's own default otherwise
        super().__init__(**kwargs)


if os.environ.get('D2L_GRADER'):
    c.Autograde.autograde_preprocessors = [
        GraderExecute if pp is Execute else pp
        for pp in Autograde.class_traits()['autograde_preprocessors'].default()]
