"""Write the student edition with nbgrader, after checking the teacher's notebooks closely.

Usage: python tools/make_student.py NOTEBOOK_DIR OUT_DIR [--course COURSE_DIR] [--language LANG]
       (make student: notebooks build/student, course folder build/course;
        make student CLASS_LANGUAGE=en: notebooks/en build/student-en, build/course-en)

The course is in the language of its notebooks: the kernel the assignment notebook names
(d2l-mxnet, or d2l-mxnet-en for the English edition, tools/project_kernel.py) says which, and
--language, when given, must agree. The released check cells speak it (the kernel sets
D2L_LANGUAGE), and so does nbgrader's course folder: its ``course_language`` file makes
nbgrader_config.py pick the prompt, the notes and the feedback page of that language. Another
edition's folder inside NOTEBOOK_DIR (notebooks/en beside the Chinese notebooks) is not part of
this one: it is neither read nor copied.

1. Lint, before anything is written. The answers are marked with nbgrader's convention:
   ``### BEGIN SOLUTION`` / ``### END SOLUTION`` in a code cell, hidden tests between
   ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``, and cells tagged ``solution``
   (the worked discussion of an answer) left out whole. It fails closed: a line that looks
   like a marker but is not exactly one, a marker in a markdown or raw cell or in a file
   copied as it is, an unbalanced or nested block, a tag that looks like ``solution`` but
   is not, an nbgrader solution cell without markers, or a notebook that cannot be read is
   an error naming the notebook, the cell (counted from 0) and the line, and nothing is
   written. "Looks like" is judged on what a line looks like, not on its code points
   (see ``skeleton``): full-width letters (a Chinese input method), zero-width and other
   invisible characters, look-alike letters of other scripts (Unicode's confusables, the
   right-to-left ones too), accents, any case or spacing, colour codes, letters in the
   order they are shown (right-to-left runs) or reversed, and a letter or two wrong; a bidi
   control character (U+202A-U+202E, U+2066-U+2069) anywhere is an error. Every string of a
   notebook is checked, not only its sources: outputs (tracebacks, JSON), metadata, text
   attachments. nbgrader's written answers, task cells and mark schemes are not supported
   (an error), nor is nbgrader grading metadata in a notebook without solutions. A notebook
   holding solutions is part of the assignment (nbgrader's source version); every other
   file is reading material. Every file is read once, by type: a FIFO, socket, device (or a
   link to one), a file of /proc, /sys or /dev, a link to a folder or to nothing, a folder
   or file that cannot be read, a name that is not UTF-8 and a file that is not UTF-8 text
   (a GBK or Latin-1 file, a picture, an archive) is refused, since it cannot be checked
   for answers; what is copied is the very bytes that were checked.
2. COURSE_DIR becomes nbgrader's course folder: ``nbgrader_config.py`` and ``templates/``
   (the feedback page's, from tools/classroom/), ``source/exercises/`` (the assignment
   notebooks, answers included), and what ``nbgrader generate_assignment exercises``
   makes of them: ``release/exercises/`` (answers replaced by a prompt, hidden tests and
   ``solution`` cells left out, outputs cleared, the book's text and the checks locked)
   and ``gradebook.db``. The teacher runs nbgrader's other commands there
   (release_assignment, collect, autograde, feedback).
   The folder is private (0700): it holds the answers and the gradebook. nbgrader runs
   with that configuration only: no personal or system Jupyter configuration is read
   (``JUPYTER_NO_CONFIG``), nor Python's environment variables or user site (``-I``).
   What it released is checked before anything is published: no marker, no output, no
   cell tagged ``solution`` and no line of an answer in any field (a line of a solution
   block, of the hidden tests or of a ``solution`` cell that appears nowhere else in the
   teacher's folder).
3. OUT_DIR becomes the student edition, what students get (by an nbgitpuller link): the
   reading notebooks with every cell locked (outputs kept), the other files, and the
   release in ``exercises/``. In Markdown files, links to the exercises go into
   ``exercises/``, and a table row linking them describes the release with its opening
   paragraph (the teacher's row may name what only the answered notebook shows). Hidden
   files such as ``.ipynb_checkpoints`` (Jupyter's copies of the teacher's notebooks,
   answers included) are never copied.

Both folders are replaced only as a whole and only when everything succeeded; a previous
edition is left as it was otherwise. See safe_output.py for which output folders are
replaced at all: a course folder that nbgrader has since written to (submissions, grades)
is refused, so a second ``make student`` in the middle of a course destroys nothing.
"""
import argparse
import base64
import functools
import html
import io
import os
import re
import shutil
import subprocess
import sys
import unicodedata
import zipfile
from pathlib import Path

import nbformat
from confusable_homoglyphs import confusables
from rapidfuzz.distance import Levenshtein

sys.path.insert(0, str(Path(__file__).resolve().parent))
import project_kernel  # noqa: E402  (a module beside this script: the editions' kernels)
import safe_output  # noqa: E402
from grading_markers import BEGIN, BEGIN_HIDDEN, END, END_HIDDEN  # noqa: E402

from d2lhelpers import language as helpers_language  # noqa: E402

ASSIGNMENT = 'exercises'  # nbgrader's assignment, and its folder in the student edition
CONFIG = Path(__file__).resolve().parent / 'classroom' / 'nbgrader_config.py'
sys.path.insert(0, str(CONFIG.parent))
import settings  # noqa: E402  (tools/classroom/settings.py: the class's languages)

COURSE_LANGUAGE = 'course_language'  # in the course folder; nbgrader_config.py reads it
# Folders of NOTEBOOK_DIR that hold another edition (notebooks/en): never part of this one.
OTHER_EDITIONS = set(helpers_language.LANGUAGES) - {helpers_language.DEFAULT}
NBGRADER_TIMEOUT = 300  # seconds generate_assignment may take
BLOCKS = {BEGIN: END, BEGIN_HIDDEN: END_HIDDEN}
PROMPT = '# YOUR CODE HERE：在这里写出你的解答，然后运行下面的检查'
SOLUTION_TAG = 'solution'
# Anything a hurried teacher might have meant as a marker, matched on a line's skeleton
# (lower case, look-alikes mapped): other spacing, '#'s, underscores, text after it
# ("### BEGIN SOLUTION (exercise 1)"), "END OF SOLUTION", "SOLUTION BEGIN".
LOOKS_LIKE_MARKER = re.compile(
    r'\b(begin|end|start|stop)[\W_]*(of[\W_]*)?(the[\W_]*)?(solution|hidden[\W_]*test)'
    r'|(solution|hidden[\W_]*tests?)[\W_]*(begin|end|start|stop)\b'
    r'|mark[\W_]*scheme')  # nbgrader's written-answer mark schemes: not supported here
# ... and a letter or two wrong ("BEGIN SOLUTON", "S0LUTI0N"): the words of a line, joined
# in runs of up to four, within this edit distance of a marker's words. Before comparing,
# the letters and digits that look alike are folded together (0 and o; 1, l, | and i).
FOLD = str.maketrans('01l|', 'oiii')
MARKER_WORDS = ['beginsolution', 'endsolution', 'beginhiddentests', 'endhiddentests',
                'beginmarkscheme', 'endmarkscheme']
TYPOS = 2
# Each marker word cut in TYPOS + 1 pieces (see _looks_like_marker).
PARTS = TYPOS + 1
MARKER_PIECES = {word.translate(FOLD)[len(word) * i // PARTS:len(word) * (i + 1) // PARTS]
                 for word in MARKER_WORDS for i in range(PARTS)}
# Explicit bidi embeddings, overrides and isolates: they make text show in another order
# than it is stored ('#\u202eNOITULOS NIGEB ##' shows as '### BEGIN SOLUTION').
BIDI_CONTROL = re.compile('[\u202a-\u202e\u2066-\u2069]')
ANSI_ESCAPE = re.compile(r'\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])')


# A Latin letter whose name says which letter it is drawn as ('LATIN LETTER SMALL CAPITAL B').
LATIN_LETTER = re.compile(
    r'LATIN (?:CAPITAL |SMALL )?LETTER (?:SMALL CAPITAL )?([A-Z])(?: WITH .*)?')


@functools.lru_cache(maxsize=None)
def ascii_confusables():
    """{character: the ASCII letter or digit it is confusable with}, from Unicode's table.

    The library stores right-to-left characters wrapped in direction marks (U+200E), which
    its own lookup never matches: they are taken off here (Hebrew vav looks like l).
    """
    table = {}
    for key, found in confusables.confusables_data.items():
        for glyph in found:
            pair = [''.join(c for c in text if unicodedata.category(c) != 'Cf')
                    for text in (key, glyph['c'])]
            ascii_side = [text for text in pair if text.isascii() and text.isalnum()]
            other = [text for text in pair if len(text) == 1 and not text.isascii()]
            if len(ascii_side) == 1 and len(ascii_side[0]) == 1 and other:
                table.setdefault(other[0], ascii_side[0])
    return table


@functools.lru_cache(maxsize=None)
def latin_look_alike(char):
    """The ASCII letters or digits ``char`` looks like, else ``char`` itself.

    From the character's name for Latin letters (small capitals, letters with a bar or
    a hook), else from Unicode's confusables, directly or through a Latin look-alike
    (Cyrillic в looks like the small capital ʙ).
    """
    if char.isascii():
        return char
    named = LATIN_LETTER.fullmatch(unicodedata.name(char, ''))
    if named:
        return named.group(1)
    if char in ascii_confusables():
        return ascii_confusables()[char]
    glyphs = [glyph['c'] for found in confusables.is_confusable(char, greedy=True) or []
              for glyph in found['homoglyphs']]
    ascii_glyphs = [glyph for glyph in glyphs if glyph.isascii() and glyph.isalnum()]
    named = [LATIN_LETTER.fullmatch(unicodedata.name(glyph, '')) for glyph in glyphs
             if len(glyph) == 1]
    return (ascii_glyphs + [match.group(1) for match in named if match] + [char])[0]


def displayed(text):
    """``text`` in the order it is shown left to right: each run of right-to-left letters
    (Hebrew, Arabic, NKo, with what lies between them) reversed, as Unicode's bidi
    algorithm does without control characters (those are refused, see BIDI_CONTROL)."""
    if not any(unicodedata.bidirectional(char) in ('R', 'AL') for char in set(text)):
        return text  # the common case, checked once per distinct character
    out, run, pending = [], [], []  # pending: neutral characters after a right-to-left one
    for char in text:
        kind = unicodedata.bidirectional(char)
        if kind in ('R', 'AL'):
            run += pending + [char]
            pending = []
        elif run and kind != 'L':
            pending.append(char)
        else:
            out += run[::-1] + pending + [char]
            run, pending = [], []
    return ''.join(out + run[::-1] + pending)


def skeleton(text):
    """What ``text`` looks like, in lower-case ASCII as far as it can be.

    NFKC (full-width and mathematical letters, ligatures), invisible format characters
    (Unicode category Cf: zero-width spaces, soft hyphens, direction marks) dropped,
    look-alike letters of other scripts mapped to Latin ones, case folded, accents
    dropped, and every kind of space (ideographic, non-breaking, line separator) a space.
    """
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize('NFKC', text)
    text = ''.join(latin_look_alike(char) for char in text
                   if unicodedata.category(char) != 'Cf')
    text = unicodedata.normalize('NFKD', text.casefold())
    text = ''.join(char for char in text if not unicodedata.combining(char))
    return re.sub(r'\s', ' ', text)


def looks_like_marker(line):
    """Whether ``line`` looks like an nbgrader marker (solution, hidden tests, mark scheme).

    Judged on what it shows: colour codes (ANSI) taken out, in stored and in displayed
    order (right-to-left letters), and reversed; a bidi control character always counts.
    """
    line = ANSI_ESCAPE.sub('', line)
    if BIDI_CONTROL.search(line):
        return True
    shown = line if line.isascii() else displayed(line)
    if shown == line:  # no right-to-left letter: shown as stored, whatever the direction
        return _looks_like_marker(line)
    return any(_looks_like_marker(order) for order in (line, shown, line[::-1]))


def _looks_like_marker(line):
    shape = skeleton(line)
    if LOOKS_LIKE_MARKER.search(shape):
        return True
    letters = re.findall(r'[a-z]+', shape.translate(FOLD))
    # Cheap and exact pre-filter: a run of words within TYPOS edits of a marker holds one
    # of its TYPOS + 1 pieces unchanged, so a line holding none of them cannot be one.
    joined = ''.join(letters)
    if not any(piece in joined for piece in MARKER_PIECES):
        return False
    return any(close_to(''.join(letters[start:start + count]), MARKER_WORDS)
               for start in range(len(letters)) for count in range(1, 5))


def close_to(word, targets):
    return any(Levenshtein.distance(word, target.translate(FOLD), score_cutoff=TYPOS) <= TYPOS
               for target in targets)


def looks_like_solution_tag(tag):
    """Whether ``tag`` looks like ``solution`` (in displayed order and reversed too)."""
    if BIDI_CONTROL.search(tag):
        return True
    for order in (tag, displayed(tag), tag[::-1]):
        letters = ''.join(re.findall(r'[a-z]+', skeleton(order).translate(FOLD)))
        if 'soiution' in letters or close_to(letters, [SOLUTION_TAG]):
            return True
    return False


def exact_marker(line):
    """The marker ``line`` is (indentation is fine, anything else around it is not), or None.

    nbgrader finds a marker anywhere in a line; so does ``looks_like_marker``, which makes
    every other line holding one an error.
    """
    marker = line.lstrip()
    return marker if marker in BLOCKS or marker in BLOCKS.values() else None


class StudentError(Exception):
    """The teacher's notebooks cannot be turned into a student edition safely."""


def strip_solution(source, where):
    """Replace each solution block of a code cell's source with the prompt, drop hidden tests.

    Raises ``ValueError`` naming ``where`` and the line for anything that is not exactly
    a marker but looks like one, and for unbalanced or nested blocks.
    """
    out, open_block = [], None  # open_block: (begin marker, its line number)
    for number, line in enumerate(source.split('\n'), 1):  # nbgrader's lines
        marker = exact_marker(line)
        if marker in BLOCKS:
            if open_block:
                raise ValueError(f'{where}, line {number}: {marker} inside another block '
                                 f'(opened by {open_block[0]} on line {open_block[1]}): '
                                 f'close each block before opening the next.')
            open_block = (marker, number)
            if marker == BEGIN:
                out.append(line.replace(BEGIN, PROMPT))
        elif marker:
            begin = next(b for b, e in BLOCKS.items() if e == marker)
            if not open_block:
                raise ValueError(f'{where}, line {number}: {marker} without {begin} '
                                 f'before it: add the {begin} line, or remove this one.')
            if open_block[0] != begin:
                raise ValueError(f'{where}, line {number}: {marker} does not close '
                                 f'{open_block[0]} (line {open_block[1]}): close it with '
                                 f'{BLOCKS[open_block[0]]}.')
            open_block = None
        elif looks_like_marker(line):
            raise ValueError(f'{where}, line {number}: {line!r} looks like a solution '
                             f'marker but is not exactly one (look-alike or invisible '
                             f'characters, other spelling or text around it): write {BEGIN!r} '
                             f'or {END!r} (or {BEGIN_HIDDEN!r} / {END_HIDDEN!r}) in plain ASCII '
                             f'alone on its line, or reword it.')
        elif not open_block:
            out.append(line)
    if open_block:
        raise ValueError(f'{where}, line {open_block[1]}: {open_block[0]} without '
                         f'{BLOCKS[open_block[0]]}: close the block.')
    return '\n'.join(out)


def tags_of(cell, where):
    """The cell's tags; a tag that looks like ``solution`` but is not exactly it is an error."""
    tags = cell.get('metadata', {}).get('tags', [])
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise ValueError(f'{where}: metadata.tags must be a list of strings, got {tags!r}.')
    for tag in tags:
        if tag != SOLUTION_TAG and looks_like_solution_tag(tag):
            raise ValueError(f'{where}: tag {tag!r} looks like {SOLUTION_TAG!r} but is not '
                             f'exactly it, so the cell would be kept: tag it {SOLUTION_TAG!r}.')
        if ANSWER_WORD.search(tag):
            raise ValueError(f'{where}: tag {tag!r} says the cell is an answer, but only a cell '
                             f'tagged {SOLUTION_TAG!r} is left out of what students get: tag it '
                             f'{SOLUTION_TAG!r}.')
    return tags


# A tag a teacher might put on an answer, expecting it hidden (an adversary's finding).
ANSWER_WORD = re.compile(r'answer|答案|解答', re.IGNORECASE)


def nbgrader_metadata(cell, where):
    """The cell's nbgrader metadata (a mapping), or ``ValueError`` naming the cell."""
    value = cell.get('metadata', {}).get('nbgrader', {})
    if not isinstance(value, dict):
        raise ValueError(f'{where}: metadata.nbgrader must be a mapping (as nbgrader writes '
                         f'it), got {value!r}: remove that metadata or let nbgrader set it.')
    return value


GRADING_KEYS = ('solution', 'grade', 'task')  # nbgrader metadata that make a cell graded


def check_grading_metadata(cell, where):
    """Written answers and task cells (nbgrader's markdown kinds) are not supported here."""
    graded = [key for key in GRADING_KEYS if nbgrader_metadata(cell, where).get(key)]
    if graded and cell.cell_type != 'code':
        raise ValueError(f'{where}: an nbgrader {"/".join(graded)} {cell.cell_type} cell (a '
                         f'written answer or task), which this tool cannot check for answers: '
                         f'write the answer in a code cell between {BEGIN} / {END}, or tag '
                         f'the cell {SOLUTION_TAG!r} to leave it out.')
    return bool(graded)


def lint_notebook(nb, name):
    """Whether ``nb`` holds solutions (so is an assignment); fail closed on anything doubtful.

    Raises ``StudentError`` listing every problem found, each with its cell and line.
    """
    errors, has_solutions, graded = [], False, []
    errors += bidi_problems(nb, name)
    errors += field_problems(nb.get('metadata', {}), f'{name}, notebook metadata')
    for index, cell in enumerate(nb.cells):
        where = f'{name}, cell {index}'
        try:
            if check_grading_metadata(cell, where):
                graded.append(index)
            if SOLUTION_TAG in tags_of(cell, where):
                has_solutions = True
                continue  # left out whole of the release (TagRemovePreprocessor, first)
            if cell.cell_type == 'code':
                strip_solution(cell.source, where)  # only for its checks
                grade_cell = nbgrader_metadata(cell, where).get('grade')
                lines = [exact_marker(line) for line in cell.source.split('\n')]
                if BEGIN_HIDDEN in lines and not grade_cell:
                    raise ValueError(f'{where}, line {lines.index(BEGIN_HIDDEN) + 1}: hidden '
                                     f'tests in a cell that is not an autograded test cell '
                                     f'(nbgrader metadata grade: true): move them into the '
                                     f"exercise's test cell.")
                if any(marker in BLOCKS for marker in lines):
                    has_solutions = True
                elif nbgrader_metadata(cell, where).get('solution'):
                    raise ValueError(f'{where}: an nbgrader solution cell without '
                                     f'{BEGIN} / {END}: mark the answer, or tag the cell '
                                     f'{SOLUTION_TAG!r} to leave it out.')
            else:
                for number, line in enumerate(cell.source.split('\n'), 1):
                    if looks_like_marker(line):
                        raise ValueError(
                            f'{where}, line {number}: a solution marker in a '
                            f'{cell.cell_type} cell ({line.strip()!r}), where it would be '
                            f'copied as it is: put the answer in a code cell, or tag the '
                            f'cell {SOLUTION_TAG!r} to leave it out.')
        except ValueError as e:
            errors.append(str(e))
        errors += field_problems({key: value for key, value in cell.items() if key != 'source'},
                                 where)
    if graded and not has_solutions:
        errors.append(f'{name}, cell {graded[0]}: nbgrader grading metadata (solution, grade or '
                      f'task) in a notebook with no {BEGIN}, which would be copied whole as '
                      f'reading material: mark its answers, or remove that metadata.')
    if errors:
        raise StudentError('\n'.join(errors))
    return has_solutions


TEXT_TYPES = ('application/json', 'application/javascript', 'image/svg+xml')


def is_text_type(mime):
    """Whether output data or an attachment of this MIME type is text (else base64 bytes)."""
    return mime.startswith('text/') or mime in TEXT_TYPES or mime.endswith(('+json', '+xml'))


def strings_in(value, field):
    """(field, string) for every string (keys too) in a notebook's JSON value.

    Output data and attachments of a text type are read as text (an attachment decoded from
    base64); a picture's bytes are not text and are skipped, like the figures of outputs.
    """
    if isinstance(value, str):
        yield field, value
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from strings_in(item, f'{field}[{index}]')
    elif isinstance(value, dict):
        bundle = MIME_BUNDLE.fullmatch(field)  # {MIME type: content}
        for key, item in value.items():
            yield f'{field}.{key} (a key)', str(key)
            inner = f'{field}.{key}' if field else str(key)
            if bundle and not is_text_type(str(key)):
                continue  # a picture: its bytes say nothing that can be checked
            if bundle and bundle.group('attachment'):
                item = decoded_attachment(item, inner)
            yield from strings_in(item, inner)


# Where a notebook holds {MIME type: content}: an output's data, a cell's attachment.
MIME_BUNDLE = re.compile(r'(cells\[\d+\]\.)?(outputs\[\d+\]\.data|(?P<attachment>attachments\..+))')


def decoded_attachment(data, field):
    """The text of a text attachment (base64 in the notebook), or ``ValueError``."""
    try:
        chunks = data if isinstance(data, list) else [data]
        return base64.b64decode(''.join(chunks), validate=True).decode('utf-8')
    except (ValueError, TypeError):
        raise ValueError(f'{field}: an attachment that is not base64 UTF-8 text, so it '
                         f'cannot be checked for answers: remove it.') from None


def field_problems(value, where):
    """Errors for each marker in any field but the source: metadata, outputs (error
    tracebacks, JSON), attachments. They are copied as they are, so none may hold one."""
    problems = []
    try:
        for field, text in strings_in(value, ''):
            for number, line in enumerate(text.split('\n'), 1):
                if looks_like_marker(line):
                    shown = ANSI_ESCAPE.sub('', line).strip()[:60]
                    problems.append(
                        f'{where}, {field.lstrip(".")}, line {number}: a solution marker '
                        f'({shown!r}) in a field that is copied as it is (output, '
                        f'metadata or attachment): clear the output (do not print '
                        f'answers), remove the metadata or attachment, or tag the cell '
                        f'{SOLUTION_TAG!r} to leave it out.')
                    break
    except ValueError as e:
        problems.append(f'{where}, {e}')
    return problems


def bidi_problems(nb, name):
    """A bidi control character anywhere in the notebook is an error: it hides what text says."""
    problems = []
    try:
        strings = list(strings_in(nb, ''))
    except ValueError:
        strings = []  # an attachment that is not text: field_problems names it
    for field, text in strings:
        control = BIDI_CONTROL.search(text)
        if control:
            problems.append(f'{name}, {field.lstrip(".")}: a bidi control character '
                            f'(U+{ord(control.group()):04X}), which shows text in another order '
                            f'than it is stored, so a marker or an answer could hide behind '
                            f'it: remove it.')
    return problems


def read_notebook(data, name):
    """Parse and validate a notebook's bytes, or raise ``StudentError`` saying what is wrong."""
    try:
        nb = nbformat.reads(data.decode('utf-8'), as_version=4)
        nbformat.validate(nb)
    except Exception as e:  # JSON, encoding, schema, version: all mean "not a notebook"
        reason = ' '.join(str(getattr(e, 'message', e)).split())[:300]
        place = list(getattr(e, 'absolute_path', []))  # where the schema check failed
        if place[:1] == ['cells'] and len(place) > 1:
            reason = f'cell {place[1]}, {".".join(map(str, place[2:]))}: {reason}'
        raise StudentError(f'{name}: not a valid notebook ({type(e).__name__}: {reason}): '
                           f'repair it (open and save it in Jupyter) or remove it.') from None
    return nb


def text_of_plain_file(data, name):
    """The text of a file copied as it is; StudentError if it cannot be checked as text."""
    if zipfile.is_zipfile(io.BytesIO(data)):
        raise StudentError(f'{name}: an archive (zip), whose files cannot be checked for '
                           f'answers, so it is not copied: put what students need in the '
                           f'folder unpacked (it is then checked), or move the archive out.')
    try:
        text = data.decode('utf-8')
        if '\x00' in text:
            raise ValueError('it holds NUL bytes, as binary files do')
    except ValueError as e:  # UnicodeDecodeError is one
        raise StudentError(f'{name}: not UTF-8 text ({e}), so it cannot be checked for answers '
                           f'and is not copied: save it as UTF-8 (a GBK file: iconv -f GBK -t '
                           f'UTF-8), or move it out of the folder (a figure belongs in a '
                           f'notebook).') from None
    return text


def check_plain_file(data, name):
    """A file copied as it is must not hold solution markers: only notebooks are stripped."""
    for number, line in enumerate(text_of_plain_file(data, name).split('\n'), 1):
        control = BIDI_CONTROL.search(line)
        if control:
            raise StudentError(f'{name}, line {number}: a bidi control character '
                               f'(U+{ord(control.group()):04X}), which shows text in another '
                               f'order than it is stored, so a marker could hide behind it: '
                               f'remove it.')
        if looks_like_marker(line):
            raise StudentError(f'{name}, line {number}: a solution marker ({line.strip()!r}) in a '
                               f'file that is copied as it is (only notebooks are stripped): '
                               f'move the answer into a notebook, or the file out of the folder.')


def is_hidden(relative):
    return any(part.startswith('.') or part == '__pycache__' for part in relative.parts)


def is_other_edition(relative, entry):
    """Whether ``relative`` is another edition's folder (en/ beside the Chinese notebooks)."""
    return (str(relative) in OTHER_EDITIONS
            and entry.is_dir(follow_symlinks=False))


def course_language(assignment, files, wanted=None):
    """The language of the assignment's notebooks, from the kernel they name ('zh', 'en').

    ``StudentError`` if they differ, or differ from ``wanted`` (--language, CLASS_LANGUAGE).
    """
    kernels = {relative: nbformat.reads(files[relative].decode('utf-8'), as_version=4)
               .metadata.get('kernelspec', {}).get('name', '') for relative in assignment}
    found = {relative: project_kernel.edition_of(kernel) for relative, kernel in kernels.items()}
    languages = set(found.values())
    named = ', '.join(f'{relative.as_posix()} ({kernels[relative] or "no kernel"}: '
                      f'{found[relative]})' for relative in assignment)
    if len(languages) > 1:
        raise StudentError(f'the assignment notebooks are in different languages: {named}; '
                           f'a course has one language: keep one edition in the folder.')
    language = languages.pop()
    if wanted and language != wanted:
        raise StudentError(f'the course is to be in {wanted!r} (CLASS_LANGUAGE or --language), '
                           f'but its notebooks are in {language!r}: {named}; give the notebooks '
                           f'of {wanted!r}: {settings.notebook_folder(wanted)}.')
    return language


def teacher_paths(notebook_dir, errors, folder=None):
    """The files of the teacher's folder but hidden ones, relative to it, without opening any.

    A folder that cannot be listed, and a link to a folder, are added to ``errors``.
    """
    folder = folder or notebook_dir
    try:
        with os.scandir(folder) as scan:
            entries = sorted(scan, key=lambda entry: entry.name)
    except OSError as e:
        errors.append(f'{Path(folder).relative_to(notebook_dir).as_posix()}/: the folder cannot '
                      f'be read ({e.strerror}), so its files cannot be checked for answers: '
                      f'make it readable, or move it out of {notebook_dir}.')
        return []
    paths = []
    for entry in entries:
        relative = Path(entry.path).relative_to(notebook_dir)
        if is_hidden(relative) or is_other_edition(relative, entry):
            continue  # never opened, never copied
        if entry.is_dir(follow_symlinks=False):
            paths += teacher_paths(notebook_dir, errors, entry.path)
        elif entry.is_symlink() and os.path.isdir(entry.path):
            errors.append(f'{relative.as_posix()}: a link to a folder ({os.readlink(entry.path)}),'
                          f' whose files would not be checked: copy the folder in, or remove '
                          f'the link.')
        else:
            paths.append(relative)
    return paths


def check_file_name(name):
    """A name that is not UTF-8 (os.fsdecode's surrogates) breaks nbgrader and the browser."""
    try:
        name.encode('utf-8')
    except UnicodeEncodeError:
        raise StudentError(f'{os.fsencode(name)!r}: a file name that is not UTF-8 (GBK, as an '
                           f'archive made on Windows leaves it?), which nbgrader and the '
                           f"students' browsers cannot handle: rename it in UTF-8 (convmv -f "
                           f'GBK -t UTF-8 --notest NAME).') from None


def read_teacher_file(notebook_dir, relative):
    """The bytes of one file, read by type (no FIFO, socket or device is opened)."""
    name = relative.as_posix()
    path = notebook_dir / relative
    try:
        return safe_output.read_regular_file(path)
    except FileNotFoundError:
        raise StudentError(f'{name}: a link to {os.readlink(path)}, which does not exist: '
                           f'remove the link.') from None
    except OSError as e:
        raise StudentError(f'{name}: the file cannot be read ({e.strerror}), so it cannot be '
                           f'checked for answers: make it readable, or move it out of the '
                           f'folder.') from None
    except ValueError as e:
        link = f' (a link to {os.readlink(path)})' if path.is_symlink() else ''
        raise StudentError(f'{name}{link}: {e}, which cannot be checked for answers and is '
                           f'not copied: remove it from the folder.') from None


def lint(notebook_dir):
    """Check every file of the teacher's folder before anything is written.

    Returns ``(assignment, files)``: the notebooks holding solutions (nbgrader's source
    version), as paths relative to ``notebook_dir``, and ``{relative path: bytes}`` of
    every file, the assignment included: what was checked, and so what is written.
    """
    errors, assignment, files = [], [], {}
    for relative in teacher_paths(notebook_dir, errors):
        name = relative.as_posix()
        try:
            check_file_name(name)
            data = read_teacher_file(notebook_dir, relative)
            if relative.suffix != '.ipynb':
                check_plain_file(data, name)
            elif lint_notebook(read_notebook(data, name), name):
                assignment.append(relative)
            files[relative] = data
        except StudentError as e:
            errors.append(str(e))
    if errors:
        raise StudentError('\n'.join(errors))
    if not assignment:
        raise StudentError(f'{notebook_dir}: no notebook holds a solution ({BEGIN}): there is '
                           f'no assignment to make.')
    if any(relative.parent != Path('.') for relative in assignment):
        raise StudentError('an assignment notebook in a subfolder ('
                           + ', '.join(r.as_posix() for r in assignment)
                           + '): keep the exercises beside the other notebooks.')
    return assignment, files


def nbgrader_environment():
    """os.environ, but Jupyter reads no configuration folder (personal or system-wide).

    With JUPYTER_NO_CONFIG, JUPYTER_CONFIG_DIR, JUPYTER_CONFIG_PATH, ~/.jupyter and
    /etc/jupyter are all ignored; nbgrader then reads only the course folder's
    nbgrader_config.py (the course folder is also its current folder).
    """
    env = {name: value for name, value in os.environ.items()
           if name not in ('JUPYTER_CONFIG_DIR', 'JUPYTER_CONFIG_PATH')}
    env['JUPYTER_NO_CONFIG'] = '1'
    # nbgrader runs `alembic` (its database migrations) from PATH: this environment's own.
    env['PATH'] = os.pathsep.join([os.path.dirname(sys.executable), env.get('PATH', '')])
    return env


def nbgrader(course, *args):
    """Run one nbgrader command in the course folder; StudentError with its output on failure."""
    # -I: no PYTHON* variables and no user site-packages (a sitecustomize there could
    # change what nbgrader does).
    command = [sys.executable, '-I', '-m', 'nbgrader', *args]
    try:
        result = subprocess.run(command, cwd=course, capture_output=True, text=True,
                                timeout=NBGRADER_TIMEOUT, env=nbgrader_environment())
    except subprocess.TimeoutExpired:
        raise StudentError(f'nbgrader {args[0]} did not finish in {NBGRADER_TIMEOUT} s.') from None
    log = (result.stdout + result.stderr).strip()
    if result.returncode != 0 or '[ERROR]' in log:
        raise StudentError(f'nbgrader {" ".join(args)} failed (exit {result.returncode}):\n'
                           + '\n'.join(log.splitlines()[-30:]))
    return log


def lines_by_block(cell):
    """(line, inside) for each line of the cell's source but its markers: ``inside`` says whether
    the line is in a solution block or hidden tests (markers count in code cells only)."""
    inside = False
    for line in cell.source.split('\n'):
        marker = exact_marker(line) if cell.cell_type == 'code' else None
        if marker:  # markers are looked for on their own
            inside = marker in BLOCKS
        else:
            yield line, inside


def answer_lines(files, assignment):
    """The lines of the answers that appear nowhere else in the teacher's folder (stripped).

    Answers: the lines of solution blocks and hidden tests, and of cells tagged
    ``solution``. None of them may be in what nbgrader released.
    """
    answers, public = set(), set()
    for relative, data in files.items():
        if relative.suffix != '.ipynb':
            public.update(line.strip() for line in data.decode('utf-8').split('\n'))
            continue
        for cell in nbformat.reads(data.decode('utf-8'), as_version=4).cells:
            hidden = relative in assignment and SOLUTION_TAG in cell.metadata.get('tags', [])
            for line, inside in lines_by_block(cell):
                (answers if hidden or inside else public).add(line.strip())
            public.update(line.strip() for output in cell.get('outputs', [])
                          for line in output_text(output).split('\n'))
    return answers - public - {''}


# A line of an answer this long (letters and digits, punctuation and markup aside) is looked for in
# the other files: shorter ones, like "(8, 0)" or "'dense3_bias': (10,)", are common in any text.
SHOWN_ANSWER_MIN = 20


def plain_words(text):
    """``text`` as letters and digits only: markup, entities, punctuation and spaces removed, so
    that a line of a notebook is found in an HTML page or a Markdown file made from it."""
    return ''.join(re.findall(r'\w+', html.unescape(re.sub(r'<[^>]*>', ' ', text))))


def shown_answers(files, assignment):
    """{plain words: line} of what only the answered notebooks show when they are read or
    exported without their code: the text of the cells tagged ``solution``, and the outputs of
    those and of the cells that hold answers. (Their code is checked line by line in what
    nbgrader releases, and a copy with its markers is refused.) Lines that the released part of
    the notebooks shows as well are left out."""
    shown, public = {}, set()
    for relative in assignment:
        for cell in nbformat.reads(files[relative].decode('utf-8'), as_version=4).cells:
            hidden = SOLUTION_TAG in cell.metadata.get('tags', [])
            lines = list(lines_by_block(cell))
            answered = hidden or any(inside for _, inside in lines)
            for line, inside in lines:
                if hidden and cell.cell_type == 'markdown':
                    shown[plain_words(line)] = line.strip()
                elif not (hidden or inside):
                    public.add(plain_words(line))
            for output in cell.get('outputs', []):
                for line in output_text(output).split('\n'):
                    if answered:
                        shown[plain_words(line)] = line.strip()
                    else:
                        public.add(plain_words(line))
    return {words: line for words, line in shown.items()
            if len(words) >= SHOWN_ANSWER_MIN and words not in public}


def check_no_answer_shown(data, name, shown):
    """A file published beside the release (a reading notebook, an HTML export, a note) must not
    show an answer: StudentError naming the file and the answer's line."""
    words = plain_words(text_of_published(data, name))
    found = [line for answer, line in shown.items() if answer in words]
    if found:
        raise StudentError(
            f'{name}: shows what only the answered exercises show ({found[0][:60]!r}'
            f'{f" and {len(found) - 1} more" if len(found) > 1 else ""}): it is copied to the '
            f'students as it is (an export of the answered notebook?): move it out of the folder.')


def text_of_published(data, name):
    """Every string of a published notebook (sources, outputs, metadata, attachments), or the
    text of another file."""
    if not name.endswith('.ipynb'):
        return data.decode('utf-8', errors='replace')
    nb = nbformat.reads(data.decode('utf-8'), as_version=4)
    return '\n'.join(text for _, text in strings_in(nb, ''))


# A file beside the release with this many lines of the answers' code that no other file of the
# folder has is a copy of the answers (markers removed, say). The reading notebooks share at most
# 4 such lines with the exercises' answers (04, the book's shared-layer example) of their 72
# (Chinese) or 89 (English); a copy of one exercise's answer has more than 8.
ANSWER_CODE_LINES_MAX = 8


def answer_code_lines(files, assignment):
    """The stripped lines of the solution blocks and hidden tests (code)."""
    lines = set()
    for relative in assignment:
        for cell in nbformat.reads(files[relative].decode('utf-8'), as_version=4).cells:
            lines.update(line.strip() for line, inside in lines_by_block(cell)
                         if inside and line.strip())
    return lines


def check_no_answer_code(published, answers):
    """StudentError if a file to publish ({name: its text}) holds ANSWER_CODE_LINES_MAX or more
    answer lines that no other of them holds."""
    lines = {name: {line.strip() for line in text.split('\n')} & answers
             for name, text in published.items()}
    for name, found in lines.items():
        others = set().union(*(found_there for other, found_there in lines.items()
                               if other != name))
        own = sorted(found - others)
        if len(own) >= ANSWER_CODE_LINES_MAX:
            raise StudentError(
                f'{name}: holds {len(own)} lines of the answers\' code (such as {own[0][:60]!r}) '
                f'that no other file has: it is copied to the students as it is (the answers '
                f'without their markers?): move it out of the folder.')


def output_text(output):
    return output.get('text', '') + ''.join(str(value) for value in output.get('data', {}).values())


def check_release(release, answers):
    """What nbgrader wrote holds no marker, output, ``solution`` cell or answer line.

    Raises ``StudentError`` naming each, before anything is published.
    """
    problems = []
    for path in sorted(release.rglob('*')):
        if path.is_dir():
            continue
        name = path.relative_to(release.parent).as_posix()
        data = safe_output.read_regular_file(path)
        if path.suffix != '.ipynb':
            problems += line_problems(text_of_plain_file(data, name), name, answers)
            continue
        released = nbformat.reads(data.decode('utf-8'), as_version=4)
        if 'widgets' in released.metadata:
            problems.append(f'{name}: the widget state of the teacher\'s run was released')
        problems += released_field_problems(released.metadata, f'{name}, notebook metadata',
                                            answers)
        for index, cell in enumerate(released.cells):
            where = f'{name}, cell {index}'
            if cell.get('outputs'):
                problems.append(f'{where}: outputs of the teacher\'s run were released')
            if SOLUTION_TAG in cell.metadata.get('tags', []):
                problems.append(f'{where}: a cell tagged {SOLUTION_TAG!r} was released')
            problems += line_problems(cell.source, where, answers)
            problems += released_field_problems(
                {key: value for key, value in cell.items() if key != 'source'}, where, answers)
    if problems:
        raise StudentError(
            'nbgrader released what students must not see, so nothing was published:\n'
            + '\n'.join(problems[:20]) + ('\n...' if len(problems) > 20 else '')
            + f'\nnbgrader runs with {CONFIG} only: check that file (its delimiters, the '
            f'removal of cells tagged {SOLUTION_TAG!r}, ClearOutput) and the version of nbgrader.')


def released_field_problems(value, where, answers):
    """Markers and answer lines in the fields beside the source (metadata, attachments)."""
    try:
        return [problem for field, text in strings_in(value, '')
                for problem in line_problems(text, f'{where}, {field.lstrip(".")}', answers)]
    except ValueError as e:
        return [f'{where}, {e}']


def line_problems(text, where, answers):
    problems = []
    for number, line in enumerate(text.split('\n'), 1):
        if looks_like_marker(line):
            problems.append(f'{where}, line {number}: a marker was released ({line.strip()!r})')
        elif line.strip() in answers:
            problems.append(f'{where}, line {number}: an answer line was released '
                            f'({line.strip()[:60]!r})')
    return problems


def lock(nb):
    """Every cell read-only and undeletable in JupyterLab (as nbgrader locks its cells)."""
    for cell in nb.cells:
        cell.metadata['editable'] = False
        cell.metadata['deletable'] = False
    return nb


def without_widget_state(data):
    """The notebook without the widget state a run saved (``metadata.widgets``): it holds what
    the widgets showed, answers included, and nbgrader clears cell outputs only."""
    nb = nbformat.reads(data.decode('utf-8'), as_version=4)
    if 'widgets' not in nb.metadata:
        return data
    del nb.metadata['widgets']
    return nbformat.writes(nb).encode('utf-8')


def write_course(files, assignment, course, language):
    """Lay out nbgrader's course folder, generate the release with nbgrader, and check it."""
    shutil.copy(CONFIG, course / 'nbgrader_config.py')
    (course / COURSE_LANGUAGE).write_text(language + '\n', encoding='utf-8')
    shutil.copytree(CONFIG.parent / 'templates', course / 'templates')  # the feedback page's
    source = course / 'source' / ASSIGNMENT
    source.mkdir(parents=True)
    for relative in assignment:
        (source / relative.name).write_bytes(without_widget_state(files[relative]))
    nbgrader(course, 'generate_assignment', ASSIGNMENT, '--force')
    release = course / 'release' / ASSIGNMENT
    for relative in assignment:
        if not (release / relative.name).is_file():
            raise StudentError(f'nbgrader wrote no release of {relative} in {release}.')
    check_release(release, answer_lines(files, assignment))
    return release


HEADING = re.compile(r' {0,3}#{1,6}(\s|$)')
# How a list, a quote, a code fence, HTML or a table begins: not a paragraph to quote.
NOT_A_PARAGRAPH = re.compile(r'([-*+>`~<|]|\d+[.)]\s)')
UNESCAPED_PIPE = re.compile(r'(?<!\\)\|')


def one_line(lines):
    """A paragraph's lines joined as a reader sees them: by a space, but by nothing between two
    wide (Chinese) characters."""
    text = lines[0]
    for line in lines[1:]:
        wide = all(unicodedata.east_asian_width(char) in 'WF' for char in (text[-1], line[0]))
        text += ('' if wide else ' ') + line
    return text


def opening_paragraph(nb, name):
    """The first paragraph of the notebook's first markdown cell, its heading left out."""
    cell = next((cell for cell in nb.cells if cell.cell_type == 'markdown'), None)
    for block in re.split(r'\n\s*\n', cell.source) if cell else []:
        lines = [line.strip() for line in block.splitlines()
                 if line.strip() and not HEADING.match(line)]
        if lines and not NOT_A_PARAGRAPH.match(lines[0]):
            return one_line(lines)
        if lines:
            break
    raise StudentError(f'{name}: its first markdown cell does not open with a paragraph under its '
                       f'heading, which the student edition\'s README shows as the row of the '
                       f'exercises: begin that cell with a sentence saying what the exercises are.')


def described_as_released(text, readme, released):
    """A Markdown file's ``text`` (at ``readme`` in the teacher's folder) with its links to the
    released notebook going into ``exercises/``, and the table row that links it describing the
    release (its opening paragraph) instead of the teacher's notebook, whose row may name
    answers and demonstrations that the release leaves out. A row whose description cannot be
    told apart from its link is an error."""
    old = Path(os.path.relpath(released.name, readme.parent)).as_posix()
    new = Path(os.path.relpath(f'{ASSIGNMENT}/{released.name}', readme.parent)).as_posix()
    link = re.compile(rf'\]\((?:\./)?{re.escape(old)}\)')
    summary, lines = None, text.splitlines(keepends=True)
    for number, line in enumerate(lines, 1):
        if not link.search(line):
            continue
        body = line.rstrip('\r\n')
        ending = line[len(body):]
        cells = UNESCAPED_PIPE.split(body)
        if len(cells) > 1:  # a table row: the cells after the link's are its description
            at = next(index for index, cell in enumerate(cells) if link.search(cell))
            end = len(cells) - 1 if not cells[-1].strip() else len(cells)
            if at + 1 >= end:
                raise StudentError(f'{readme}, line {number}: a table row links {released.name} '
                                   f'with no cell after the link for its description: write it '
                                   f'as | [{released.stem}]({old}) | what it is |.')
            if summary is None:
                summary = UNESCAPED_PIPE.sub(r'\\|', opening_paragraph(
                    nbformat.read(released, as_version=4), released.name))
            cells[at + 1:end] = [f' {summary} '] + [' '] * (end - at - 2)
            body = '|'.join(cells)
        lines[number - 1] = link.sub(f']({new})', body) + ending
    return ''.join(lines)


def write_edition(files, assignment, release, staging):
    """The student edition: reading material (cells locked, outputs kept) and the release."""
    shown, published = shown_answers(files, assignment), {}
    for relative, data in files.items():
        if relative in assignment:
            continue
        if relative.suffix == '.md':  # links to the exercises, and their table rows
            text = data.decode('utf-8')
            for released in sorted(release.glob('*.ipynb')):
                text = described_as_released(text, relative, released)
            data = text.encode('utf-8')
        elif relative.suffix == '.ipynb':
            data = without_widget_state(data)
        check_no_answer_shown(data, relative.as_posix(), shown)
        published[relative] = data
    check_no_answer_code({relative.as_posix(): text_of_published(data, relative.as_posix())
                          for relative, data in published.items()},
                         answer_code_lines(files, assignment))
    for relative, data in published.items():
        target = staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative.suffix == '.ipynb':
            nbformat.write(lock(nbformat.reads(data.decode('utf-8'), as_version=4)), target)
        else:
            target.write_bytes(data)
    shutil.copytree(release, staging / ASSIGNMENT)
    for path in sorted((staging / ASSIGNMENT).glob('*.ipynb')):
        print(f'make_student: {ASSIGNMENT}/{path.name} (released by nbgrader: checked, '
              f'no solutions)')


def main(argv):
    parser = argparse.ArgumentParser(
        description='Write the student edition with nbgrader (see the docstring).')
    parser.add_argument('notebook_dir', type=Path, help="the teacher's notebooks, e.g. notebooks")
    parser.add_argument('out_dir', type=Path, help='the student edition, e.g. build/student')
    parser.add_argument('--course', type=Path, default=None,
                        help="nbgrader's course folder (default: course beside OUT_DIR)")
    parser.add_argument('--language', default=None,
                        help='the language the course must be in (zh or en): its notebooks\' '
                             'must agree (default: theirs)')
    args = parser.parse_args(argv)
    # A path that is not UTF-8 (a GBK folder name) is printed escaped, not a crash at the end.
    sys.stdout.reconfigure(errors='backslashreplace')
    notebook_dir, out_dir = args.notebook_dir, args.out_dir
    course_dir = args.course or out_dir.parent / 'course'
    try:
        if args.language is not None:
            settings.check_language(args.language)
    except settings.SettingError as e:
        sys.exit(f'make_student: {e}')
    if not notebook_dir.is_dir() or not any(notebook_dir.glob('*.ipynb')):
        sys.exit(f'make_student: {notebook_dir} is not a folder of notebooks: give the '
                 f"teacher's notebook folder, for example notebooks.")
    if Path(os.path.abspath(course_dir)) == Path(os.path.abspath(out_dir)):
        sys.exit('make_student: the course folder and the student edition must differ.')
    try:
        # The folder the teacher named is judged first, so that a refusal names it.
        safe_output.validate_output(out_dir, 'make_student', [notebook_dir, course_dir],
                                    'build/student')
        assignment, files = lint(notebook_dir)  # fail closed before anything is written
        language = course_language(assignment, files, args.language)
        with safe_output.replacing(course_dir, 'make_student', [notebook_dir, out_dir],
                                   'build/course', private=True) as course, \
                safe_output.replacing(out_dir, 'make_student', [notebook_dir, course_dir],
                                      'build/student') as staging:
            release = write_course(files, assignment, course, language)
            write_edition(files, assignment, release, staging)
    except safe_output.OutputError as e:
        sys.exit(f'make_student: {e}')
    except StudentError as e:
        kept = ('the previous edition there is unchanged (it is from the last successful run)'
                if out_dir.exists() else 'nothing was written')
        sys.exit(f'make_student: no student edition written to {out_dir} ({kept}), '
                 f'because:\n{e}')
    except OSError as e:
        sys.exit(f'make_student: could not write {out_dir} ({e}); the previous edition, '
                 f'if any, is unchanged.')
    print(f'make_student: the student edition is in {out_dir}, '
          f"nbgrader's course folder (with the solutions and the gradebook) in {course_dir}; "
          f'the course is in {language}')


if __name__ == '__main__':
    main(sys.argv[1:])
