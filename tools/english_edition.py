"""The English edition: ``notebooks/en/NN_name.ipynb`` built from the Chinese notebook and its
gettext catalog ``translations/en/NN_name.po`` (``make english``).

A catalog holds one message per cell to translate, read and written with polib: the Chinese
source of a markdown cell, whole; of a code cell that holds Chinese (comments, strings), whole;
and of a figure's text alternative (MyST-NB's ``alt``). A message's msgctxt names the notebook
and the cell's id (stable when cells move); its reference (``#:``) and comment (``#.``) give
the cell's position, so a translator in any PO editor sees where it is.

Building copies the Chinese notebook (outputs, metadata, ids: same code, same numbers) and puts
in the translations; its metadata names the English kernel, ``d2l-mxnet-en``
(tools/project_kernel.py), on which the helpers speak English (``D2L_LANGUAGE=en``). It fails
closed, before anything is written: a message without a current translation (missing, empty or
fuzzy), in a notebook's catalog or in the helpers' (below), a catalog entry for a cell that no
longer exists, a translated code cell whose code differs (comments and Chinese strings aside),
or a Chinese character left anywhere is an error naming the notebook, the cell and the first
words of the Chinese text. An English notebook is replaced (by temporary file and rename) only
if this tool made it and no one edited it since: it records a hash of its cells' text (sources
and metadata, not outputs, which make store rewrites) in its metadata.

A code cell whose output is text in the reader's language (``language_reasons``: its code has
Chinese strings, which are translated, or it calls a helper that speaks the reader's language,
such as ``d2l.check``) cannot take the Chinese output: its English output comes from a real run
of the English notebook (``make store NOTEBOOKS=notebooks/en/NN_name.ipynb``, on the English
kernel). The builder keeps that stored output while the cell's English source and execution
count are unchanged and the output still fits the Chinese one (the same kinds of output, no
Chinese, and, for a helper's text, the same numbers); otherwise it clears the output and says
which notebook to run make store on. nbval runs those English notebooks (pyproject.toml), and
no other: their outputs are their own.

The helpers' text (d2lhelpers: the self-checks' verdicts, the explorer's description) is
marked ``_('…')`` in their code; its catalog is
``d2lhelpers/locale/en/LC_MESSAGES/d2lhelpers.po`` (d2lhelpers/language.py reads it). Its
messages are found in the code by ``helper_messages``; ``--update-catalogs`` (without
notebooks) refreshes it as well.

``--update-catalogs`` refreshes the catalogs from the Chinese notebooks, as gettext's msgmerge
does: a new cell's message is untranslated; a changed cell's message keeps the old translation,
marked fuzzy, with the old Chinese as ``#| msgid`` so the translator sees what changed; the
entry of a removed cell becomes obsolete (``#~``), its translation kept for reuse. The helpers'
catalog is refreshed the same way, a changed message matched to the most similar old one.

    python tools/english_edition.py [--update-catalogs] [NOTEBOOK.ipynb ...]

Without notebooks: every Chinese notebook that has a catalog. Naming a notebook without a
catalog with ``--update-catalogs`` starts its catalog.
"""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tool_safety  # noqa: E402  (a module beside this script)

if __name__ == '__main__':
    tool_safety.quiet_interrupt()  # before the slow imports below

import argparse  # noqa: E402
import ast  # noqa: E402
import copy  # noqa: E402
import difflib  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import re  # noqa: E402
import string  # noqa: E402
import tokenize  # noqa: E402
from collections import Counter  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import nbformat  # noqa: E402
import polib  # noqa: E402
import project_kernel  # noqa: E402  (beside this script: the editions' kernels)
import safe_output  # noqa: E402  (beside this script: reads a file by its type)
from grading_markers import (  # noqa: E402
    BEGIN,
    BEGIN_HIDDEN,
    END,
    END_HIDDEN,
    HEADING,
    HEADING_EN,
    grading_paragraph_in,
)

from d2lhelpers import language  # noqa: E402  (the helpers' language setting and catalogs)

ROOT = Path(__file__).resolve().parent.parent
CHINESE_DIR = ROOT / 'notebooks'
EDITION_DIR = CHINESE_DIR / 'en'
CATALOG_DIR = ROOT / 'translations' / 'en'

# Han ideographs and their radicals, CJK punctuation (。、「」 and the ideographic space), kana,
# and the full-width forms (，：（）): none of them belongs in English text.
CJK = re.compile('[\u2e80-\u2fdf\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff'
                 '\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff]')
MARK = 'english_edition'  # the notebook-metadata key of what this tool made
WRAP = 78  # polib's line width for the catalogs (gettext's default is 79)
EDITION = 'en'
HELPERS_DIR = ROOT / 'd2lhelpers'
HELPER_CATALOG = language.catalog_path(EDITION)
# Code that prints text in the reader's language, and why: a cell calling it prints the English
# in the English notebook (tests/test_english.py lets these cells' outputs differ, and no other).
SPEAKING_HELPERS = {
    'd2l.check.': "it prints a self-check's verdict (d2l.check), which is in the reader's "
                  "language",
    'd2l.describe_spread(': "it prints d2l.describe_spread's words, which are in the reader's "
                            "language",
}
TRANSLATED_STRINGS = 'it may print the Chinese strings of its code, which are translated'
NUMBER = re.compile(r'\d+(?:\.\d+)?(?:e[-+]?\d+)?')


class EditionError(tool_safety.ToolError):
    """Translations missing or stale, or an output that must not be replaced; nothing written."""


@dataclass(frozen=True)
class Message:
    """One text to translate: where it is, and its Chinese source."""
    context: str  # msgctxt: notebook and cell id (plus ' alt' for a figure's text alternative)
    text: str  # msgid: the Chinese source
    index: int  # the cell's position, 0-based as the other tools count
    kind: str  # 'markdown', 'code' or 'alt text'

    def where(self, notebook):
        words = first_words(self.text)
        return f'{notebook}, cell {self.index} ({self.kind}) «{words}»'


def first_words(text, size=30):
    line = next((line.strip('# ').strip() for line in text.splitlines() if line.strip()), '')
    return line if len(line) <= size else line[:size] + '…'


def has_chinese(text):
    return bool(CJK.search(text))


def figure_alt(cell):
    return cell.metadata.get('mystnb', {}).get('image', {}).get('alt')


def messages(nb, name):
    """The messages of notebook ``nb`` (file stem ``name``), in reading order."""
    found = []
    for index, cell in enumerate(nb.cells):
        context = f'{name} cell {cell.get("id") or index}'
        if cell.cell_type == 'markdown' and cell.source.strip():
            found.append(Message(context, cell.source, index, 'markdown'))
        elif cell.cell_type == 'code' and has_chinese(cell.source):
            found.append(Message(context, cell.source, index, 'code'))
        alt = figure_alt(cell)
        if alt:
            found.append(Message(context + ' alt', alt, index, 'alt text'))
    return found


# --- reading and writing catalogs ---

def read_catalog(path):
    """The catalog at ``path`` (polib.POFile); ``EditionError`` naming what is wrong with it."""
    tool_safety.check_utf8(path)
    text = Path(path).read_text(encoding='utf-8')
    try:
        return polib.pofile(text, wrapwidth=WRAP, check_for_duplicates=True)
    except (OSError, ValueError) as e:
        raise EditionError(f'{path} is not a readable gettext catalog ({e}): fix it (msgfmt -c '
                           f'{path} names the line) or restore it (git checkout -- {path}).'
                           ) from None


def catalog_header(name):
    return (f'English translation of notebooks/{name}.ipynb (d2l-zh 4.2, runnable edition).\n'
            f'Made and refreshed by tools/english_edition.py --update-catalogs (make '
            f'english-catalogs);\ntranslate each msgstr and clear the fuzzy flags, then run make '
            f'english.\nA code cell: translate its comments and Chinese strings only; the code '
            f'stays the same.')


def new_catalog(name):
    catalog = polib.POFile(wrapwidth=WRAP)
    catalog.header = catalog_header(name)
    catalog.metadata = {'Project-Id-Version': f'd2l-4.2 {name}', 'Language': 'en',
                        'MIME-Version': '1.0', 'Content-Type': 'text/plain; charset=UTF-8',
                        'Content-Transfer-Encoding': '8bit'}
    return catalog


def updated_catalog(nb, name, old):
    """The catalog of ``nb`` merged with ``old`` (a POFile or None), as msgmerge would."""
    catalog = new_catalog(name)
    if old is not None:
        catalog.metadata = dict(old.metadata)
    unused = list(old) + list(old.obsolete_entries()) if old is not None else []
    unused = [entry for entry in unused if entry.msgid]  # not the header
    for message in messages(nb, name):
        entry, unused = merged_entry(message, unused)
        entry.occurrences = [(f'notebooks/{name}.ipynb', str(message.index))]
        entry.comment = f'cell {message.index}, {message.kind}'
        catalog.append(entry)
    for entry in unused:  # cells no longer in the notebook: translations kept for reuse
        if entry.msgstr:
            entry.obsolete, entry.occurrences, entry.comment = True, [], ''
            catalog.append(entry)
    return catalog


def merged_entry(message, unused):
    """(the entry for ``message``, the old entries still unused): the old entry of the same
    cell and text; else a fuzzy one from the old translation of the same cell or the same
    text (``#|`` shows what it was); else an untranslated one."""
    def take(test):
        found = next((entry for entry in unused if test(entry)), None)
        return found, [entry for entry in unused if entry is not found]

    same, rest = take(lambda e: e.msgctxt == message.context and e.msgid == message.text)
    if same:
        same.obsolete = False
        return same, rest
    entry = polib.POEntry(msgctxt=message.context, msgid=message.text, msgstr='')
    for test in (lambda e: e.msgctxt == message.context, lambda e: e.msgid == message.text):
        old, rest = take(test)
        if old is None:
            continue
        unused = rest  # an old entry serves one message only
        if old.msgstr:
            entry.msgstr, entry.flags = old.msgstr, ['fuzzy']
            entry.previous_msgctxt = old.msgctxt if old.msgctxt != message.context else None
            entry.previous_msgid = old.msgid if old.msgid != message.text else None
            break
    return entry, unused


# --- checking the translations ---

def catalog_problems(nb, notebook, name, catalog):
    """What keeps the catalog from translating ``nb``: one line per problem, naming the
    notebook (``notebook``, as shown to the user), the cell and the Chinese text's first words."""
    active = {(entry.msgctxt, entry.msgid): entry for entry in catalog if entry.msgid}
    by_context = {entry.msgctxt: entry for entry in catalog if entry.msgid}
    problems = []
    wanted = messages(nb, name)
    for message in wanted:
        entry = active.get((message.context, message.text))
        if entry is None:
            changed = message.context in by_context
            problems.append(f'{message.where(notebook)}: ' + (
                'the Chinese text changed since it was translated' if changed
                else 'no translation in the catalog'))
        elif 'fuzzy' in entry.flags:
            problems.append(f'{message.where(notebook)}: the translation is marked fuzzy (the '
                            f'Chinese changed, or it is a guess): check it, then clear the flag')
        elif not entry.msgstr.strip():
            problems.append(f'{message.where(notebook)}: not translated yet (empty msgstr)')
    contexts = {message.context for message in wanted}  # a changed cell is named above
    problems += [f'{notebook}: the catalog has an entry for a cell no longer in the notebook '
                 f'({context!r} «{first_words(text)}»): refresh it (make english-catalogs)'
                 for context, text in active if context not in contexts]
    return problems


def code_difference(chinese, english):
    """None if the two code cells are the same code, comments and Chinese strings aside;
    else what differs. Compared token by token (tokenize), without comments and line breaks
    outside statements, so a translated comment may be longer or wrap; nbgrader's markers must
    stay where they are, and no answer line may be repeated outside the answer."""
    try:
        ours, theirs = code_tokens(chinese), code_tokens(english)
    except (tokenize.TokenError, SyntaxError) as e:
        return f'the code cannot be read as Python ({e})'
    for number, (a, b) in enumerate(zip(ours, theirs), 1):
        if a != b and not (a[0] == b[0] == tokenize.STRING and has_chinese(a[1])):
            return f'token {number} is {b[1]!r} where the Chinese cell has {a[1]!r}'
    if len(ours) != len(theirs):
        return f'{len(theirs)} tokens where the Chinese cell has {len(ours)}'
    repeated = answer_lines_repeated_outside(english) - answer_lines_repeated_outside(chinese)
    if repeated:  # a comment of the translation would carry the answer to the students
        return f'a line of the answer is repeated outside it: {sorted(repeated)[0]!r}'
    return None


# nbgrader's markers are comments, but they decide what students never see: they stay code.
MARKERS = {BEGIN, END, BEGIN_HIDDEN, END_HIDDEN}


def code_tokens(source):
    """(type, text) of the tokens that make the code: no comments (but nbgrader's markers, in
    their places), no non-logical newlines."""
    tokens = tokenize.generate_tokens(io.StringIO(source).readline)
    return [(token.type, token.string) for token in tokens if token.type != tokenize.NL
            and (token.type != tokenize.COMMENT or token.string.strip() in MARKERS)]


def answer_lines_repeated_outside(source):
    """The code lines of a cell's answers (solution blocks, hidden tests) that the cell repeats
    outside them, in code or in a comment."""
    inside, outside, in_block = set(), set(), False
    for line in (line.strip() for line in source.split('\n')):
        if line in MARKERS:
            in_block = line in (BEGIN, BEGIN_HIDDEN)
        elif in_block and not line.startswith('#'):
            inside.add(line)
        elif not in_block:
            outside.add(line.lstrip('#').strip())
    return (inside & outside) - {''}


def chinese_left(nb, notebook):
    """Where ``nb`` still holds a Chinese character: sources, outputs, metadata."""
    places = [(f'cell {index}, {part}', value) for index, cell in enumerate(nb.cells)
              for part, value in [('source', cell.source),
                                  ('outputs', cell.get('outputs', [])),
                                  ('metadata', cell.metadata)]]
    places.append(('the notebook metadata', nb.metadata))
    return [f'{notebook}, {where}: Chinese left ({match.group()!r} in '
            f'«{first_words(text[max(0, match.start() - 20):], 40)}»)'
            for where, value in places
            for text in [value if isinstance(value, str) else json.dumps(value,
                                                                          ensure_ascii=False)]
            for match in [CJK.search(text)] if match]


# --- the helpers' catalog: d2lhelpers' _('…') messages ---

@dataclass(frozen=True)
class HelperMessage:
    """A text of the helper package: its Chinese msgid, and where it is (file, function)."""
    text: str
    path: str  # relative to the repository, as the catalog's reference shows it
    function: str  # the function (dotted for a nested one) that holds it; '' at module level


def docstrings(tree):
    """The string constants of ``tree`` that are docstrings (not text a learner reads)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


class _HelperText(ast.NodeVisitor):
    """Walks a module: the messages marked ``_('…')``, and Chinese text that is not marked."""

    def __init__(self, path, tree):
        self.path, self.functions = path, []
        self.messages, self.unmarked = [], []
        self.skip = docstrings(tree)

    def visit_FunctionDef(self, node):
        self.functions.append(node.name)
        self.generic_visit(node)
        self.functions.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node):
        if isinstance(node.func, ast.Name) and node.func.id == '_':
            [argument] = node.args or [None]
            if not (isinstance(argument, ast.Constant) and isinstance(argument.value, str)):
                self.unmarked.append((node.lineno, "_() of something other than one string "
                                                   "literal (gettext cannot find it)"))
            else:
                self.skip.add(id(argument))
                self.messages.append(HelperMessage(argument.value, self.path,
                                                   '.'.join(self.functions)))
        self.generic_visit(node)

    def visit_Constant(self, node):
        if isinstance(node.value, str) and has_chinese(node.value) and id(node) not in self.skip:
            self.unmarked.append((node.lineno, f'Chinese text not marked _(…): '
                                               f'«{first_words(node.value)}»'))

    def visit_JoinedStr(self, node):  # an f-string: gettext cannot translate its parts
        parts = [part for part in node.values if isinstance(part, ast.Constant)]
        self.skip.update(id(part) for part in parts)  # named once, as the f-string
        text = ''.join(part.value for part in parts)
        if has_chinese(text):
            self.unmarked.append((node.lineno, f'Chinese text in an f-string (use _(…).format): '
                                               f'«{first_words(text)}»'))
        self.generic_visit(node)


def helper_text(package_dir=HELPERS_DIR):
    """(the messages of the helper package, in file and line order; what is wrong: lines
    naming the file and line of Chinese text that gettext cannot find)."""
    messages, problems = [], []
    for path in sorted(Path(package_dir).rglob('*.py')):
        tree = ast.parse(path.read_text(encoding='utf-8'), str(path))
        walker = _HelperText(display(path), tree)
        walker.visit(tree)
        messages += walker.messages
        problems += [f'{walker.path}:{line}: {what}' for line, what in walker.unmarked]
    return messages, problems


def helper_messages(package_dir=HELPERS_DIR):
    """The helpers' messages; ``EditionError`` where Chinese text is not marked ``_('…')``."""
    messages, problems = helper_text(package_dir)
    if problems:
        raise EditionError('\n'.join(problems + ["Mark each text a learner reads _('…') "
                                                 "(d2lhelpers/language.py), then run make "
                                                 "english-catalogs."]))
    return messages


def placeholders(text):
    """The names of the ``str.format`` fields of ``text`` (a message must keep them all)."""
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field is not None)


def helper_entries(messages):
    """{msgid: (its references, its functions)}, in the order first met."""
    found = {}
    for message in messages:
        paths, functions = found.setdefault(message.text, ([], []))
        if message.path not in paths:
            paths.append(message.path)
        if message.function and message.function not in functions:
            functions.append(message.function)
    return found


def updated_helper_catalog(messages, old):
    """The helpers' catalog for ``messages`` merged with ``old`` (a POFile or None): a kept
    message keeps its translation; a changed one takes the most similar old translation,
    fuzzy (``#|`` shows the old Chinese); a new one is untranslated; an unused translation
    becomes obsolete."""
    catalog = new_catalog('d2lhelpers')
    catalog.header = ('English translation of the helper package d2lhelpers: what a learner '
                      'reads (self-checks,\nthe explorer), marked _(...) in its code. Made and '
                      'refreshed by tools/english_edition.py\n--update-catalogs (make '
                      'english-catalogs); translate each msgstr, keep every {field}\nand '
                      'number, clear the fuzzy flags.')
    if old is not None:
        catalog.metadata = dict(old.metadata)
    unused = [e for e in (list(old) + list(old.obsolete_entries()) if old else []) if e.msgid]
    for text, (paths, functions) in helper_entries(messages).items():
        same = next((e for e in unused if e.msgid == text), None)
        if same is None:
            same = polib.POEntry(msgid=text, msgstr='')
            close = difflib.get_close_matches(text, [e.msgid for e in unused if e.msgstr], 1, 0.6)
            if close:
                same = next(e for e in unused if e.msgid == close[0])
                same = polib.POEntry(msgid=text, msgstr=same.msgstr, flags=['fuzzy'],
                                     previous_msgid=same.msgid)
                unused = [e for e in unused if e.msgid != close[0]]
        else:
            unused = [e for e in unused if e is not same]
            same.obsolete = False
        same.occurrences = [(path, '') for path in paths]
        same.comment = ', '.join(functions)
        same.flags = [flag for flag in same.flags if flag != 'python-brace-format']
        if placeholders(text):
            same.flags.append('python-brace-format')
        catalog.append(same)
    for entry in unused:
        if entry.msgstr:
            entry.obsolete, entry.occurrences, entry.comment = True, [], ''
            catalog.append(entry)
    return catalog


def helper_catalog_problems(catalog, messages):
    """What keeps the helpers' catalog from translating every message: one line each."""
    entries = {entry.msgid: entry for entry in catalog if entry.msgid}
    problems = []
    for text, (paths, functions) in helper_entries(messages).items():
        where = f'{", ".join(paths)} ({", ".join(functions)}) «{first_words(text)}»'
        entry = entries.get(text)
        if entry is None:
            problems.append(f'{where}: no translation in {display(HELPER_CATALOG)}')
        elif 'fuzzy' in entry.flags:
            problems.append(f'{where}: the translation is marked fuzzy: check it, then clear '
                            f'the flag')
        elif not entry.msgstr.strip():
            problems.append(f'{where}: not translated yet (empty msgstr)')
        elif placeholders(entry.msgstr) != placeholders(text):
            problems.append(f'{where}: the translation has the fields '
                            f'{placeholders(entry.msgstr)}, the Chinese {placeholders(text)}')
        elif has_chinese(entry.msgstr):
            problems.append(f'{where}: Chinese left in the translation')
    return problems


def update_helper_catalog(path=HELPER_CATALOG, package_dir=HELPERS_DIR):
    """Refresh (or start) the helpers' catalog at ``path`` from the package's code."""
    messages = helper_messages(package_dir)
    old = read_catalog(path) if Path(path).exists() else None
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    write_catalog(updated_helper_catalog(messages, old), path)


# --- cells whose output is in the reader's language ---

def language_reasons(source):
    """Why the output of a code cell with this (Chinese) source is in the reader's language:
    [] for a cell whose output is the same in both editions."""
    tokens = code_tokens(source)
    reasons = [TRANSLATED_STRINGS] * any(kind == tokenize.STRING and has_chinese(text)
                                         for kind, text in tokens)
    code = ''.join(text for _, text in tokens)
    return reasons + [reason for call, reason in SPEAKING_HELPERS.items() if call in code]


def output_text(outputs):
    """The text of a cell's outputs that a reader sees: streams, plain text, errors."""
    parts = []
    for output in outputs:
        parts.append(output.get('text', ''))
        parts.append(output.get('data', {}).get('text/plain', ''))
        parts += [output.get('ename', ''), output.get('evalue', '')]
    return ''.join(part if isinstance(part, str) else ''.join(part) for part in parts)


def output_kinds(outputs):
    """What a cell's outputs are, text aside: (type, stream name, the MIME types shown)."""
    return [(o.output_type, o.get('name'), sorted(o.get('data', {}))) for o in outputs]


def printed_numbers(cell, strings):
    """The numbers in ``cell``'s outputs but those that come from ``strings`` (the cell's
    translated strings, whose numbers a translation may word differently), as a multiset."""
    numbers = Counter(NUMBER.findall(output_text(cell.outputs)))
    return numbers - Counter(NUMBER.findall(''.join(strings)))


def misfit(chinese_cell, english_cell):
    """Why ``english_cell``'s stored outputs cannot stand for ``chinese_cell``'s in English,
    or None when they can: the same kinds of output, no Chinese, the same numbers (but those
    of the strings the translation changed)."""
    if output_kinds(chinese_cell.outputs) != output_kinds(english_cell.outputs):
        return (f'its outputs are {output_kinds(english_cell.outputs)}, the Chinese cell\'s '
                f'{output_kinds(chinese_cell.outputs)}')
    if has_chinese(output_text(english_cell.outputs)):
        return 'its output has Chinese in it'
    pairs = [(a[1], b[1]) for a, b in zip(code_tokens(chinese_cell.source),
                                          code_tokens(english_cell.source))
             if a[0] == tokenize.STRING and has_chinese(a[1])]
    chinese_numbers = printed_numbers(chinese_cell, [a for a, _ in pairs])
    english_numbers = printed_numbers(english_cell, [b for _, b in pairs])
    if chinese_numbers != english_numbers:
        return (f'it prints the numbers {sorted(english_numbers.elements())}, the Chinese cell '
                f'{sorted(chinese_numbers.elements())}')
    return None


def stored_outputs(chinese_cell, english_cell, previous):
    """The outputs and execution count of a language-dependent cell: those of the previous
    English notebook's cell if they still fit, else none (make store gives them)."""
    old = next((cell for cell in previous.cells if cell.get('id') == chinese_cell.get('id')),
               None) if previous is not None else None
    if (old is not None and old.cell_type == 'code' and old.source == english_cell.source
            and old.execution_count == chinese_cell.execution_count
            and misfit(chinese_cell, old) is None):
        return copy.deepcopy(old.outputs), old.execution_count
    return [], None


def waiting_for_a_run(chinese, english):
    """The indexes of the code cells whose output is in the reader's language and that the
    English notebook ``english`` of ``chinese`` has not stored yet (the builder cleared it)."""
    return [index for index, (a, b) in enumerate(zip(chinese.cells, english.cells))
            if a.cell_type == 'code' and language_reasons(a.source)
            and a.execution_count is not None and b.execution_count is None]


def points_problems(message, text, notebook):
    """An exercise heading with its points ("（3 分）") must keep them in the form the reader's
    edition takes out of the English book, " (3 points)" (grading_markers.HEADING_EN)."""
    if message.kind != 'markdown':
        return []
    points = [match[2] for match in HEADING.finditer(message.text) if match[3]]
    english = [match[2] for match in HEADING_EN.finditer(text) if match[3]]
    if points == english:
        return []
    return [f'{message.where(notebook)}: the exercise headings give their points as '
            f'"## Exercise N: ... (P points)" in English (the book leaves them out), for '
            f'exercises {points}; found them for {english}']


# --- building ---

def translate(nb, notebook, name, catalog, previous=None):
    """(the English notebook of ``nb``, []), or (None, the problems: one line each).

    ``previous`` is the English notebook as it is now (or None): the outputs of its cells in
    the reader's language are kept where they still fit (``stored_outputs``)."""
    problems = catalog_problems(nb, notebook, name, catalog)
    try:
        grading_paragraph_in(entry for entry in catalog if entry.msgid)
    except ValueError as e:  # the reader's edition could not leave it out
        problems.append(f'{notebook}: {e}')
    if problems:
        return None, problems
    table = {(entry.msgctxt, entry.msgid): entry.msgstr for entry in catalog if entry.msgid}
    english = copy.deepcopy(nb)
    english.metadata['kernelspec'] = project_kernel.metadata(EDITION)
    for message in messages(nb, name):
        text = table[(message.context, message.text)]
        cell = english.cells[message.index]
        if message.kind == 'alt text':
            cell.metadata.mystnb.image.alt = text
            continue
        if message.kind == 'code':
            difference = code_difference(message.text, text)
            if difference:
                problems.append(f'{message.where(notebook)}: the translation changes the code '
                                f'({difference}): translate only comments and strings')
        cell.source = text
        problems += points_problems(message, text, notebook)
    for chinese_cell, cell in zip(nb.cells, english.cells):
        if cell.cell_type == 'code' and language_reasons(chinese_cell.source):
            cell.outputs, cell.execution_count = stored_outputs(chinese_cell, cell, previous)
    problems += chinese_left(english, f'{notebook} in English')
    if problems:
        return None, problems
    english.metadata[MARK] = {'source': f'../{name}.ipynb',
                              'catalog': f'../../translations/en/{name}.po',
                              'cells_sha256': cells_hash(english)}
    return english, []


ADVICE = ('Nothing was written. Refresh the catalogs (make english-catalogs), translate what is '
          'untranslated or fuzzy in a PO editor (clear the fuzzy flag when done), then run '
          'make english.')


def cells_hash(nb):
    """A hash of the cells' text (sources, metadata), not of their outputs: make store
    rewrites those of an English notebook whose cells print the reader's language."""
    cells = [{key: value for key, value in cell.items() if key not in ('outputs',
                                                                        'execution_count')}
             for cell in nb.cells]
    text = json.dumps(cells, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def hash_with_outputs(nb):
    """The hash recorded before the outputs were left out of it (English notebooks built
    before the helpers spoke English), accepted so that they can be rebuilt."""
    text = json.dumps(nb.cells, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode('utf-8')).hexdigest()


def notebook_text(nb):
    return nbformat.writes(nb) + '\n'  # as make store writes them


def previous_edition(path):
    """The English notebook at ``path`` as a notebook, or None when it is absent."""
    if not path.exists():
        return None
    try:
        return nbformat.reads(safe_output.read_regular_file(path).decode('utf-8'), as_version=4)
    except Exception as e:  # noqa: BLE001 (unreadable, not JSON, not a notebook: all refused)
        raise EditionError(f'{path} cannot be replaced: it is not a notebook this tool made '
                           f'({e}); move it elsewhere, then run again.') from None


def check_replaceable(path, new_text):
    """``EditionError`` unless the file at ``path`` may be replaced: absent, or an English
    notebook this tool made whose cells' text no one changed since."""
    if not path.exists():
        return
    try:
        old_text = safe_output.read_regular_file(path).decode('utf-8')  # a FIFO is not opened
        if old_text == new_text:
            return
        old = nbformat.reads(old_text, as_version=4)
        recorded = old.metadata.get(MARK, {}).get('cells_sha256')
    except Exception as e:  # noqa: BLE001 (unreadable, not JSON, not a notebook: all refused)
        raise EditionError(f'{path} cannot be replaced: it is not a notebook this tool made '
                           f'({e}); move it elsewhere, then run again.') from None
    if recorded is None:
        raise EditionError(f'{path} was not made by tools/english_edition.py (no {MARK} '
                           f'metadata): move it elsewhere, then run again.')
    if recorded not in (cells_hash(old), hash_with_outputs(old)):
        raise EditionError(
            f'{path} was edited by hand since make english wrote it: the English text lives in '
            f'the catalog ({old.metadata[MARK].get("catalog")}, relative to the notebook). Move '
            f'the edits into its msgstr entries, restore the notebook (git checkout -- {path}), '
            f'then run make english.')


def source_name(path):
    """The file stem of a Chinese notebook, or ``EditionError`` for anything else."""
    path = Path(path)
    if path.suffix != '.ipynb' or not path.is_file():
        raise EditionError(f'{path} is not a notebook file (.ipynb): give Chinese notebooks, '
                           f'for example notebooks/01_accessing_parameters.ipynb.')
    return path.stem


def default_notebooks(catalog_dir, chinese_dir=CHINESE_DIR):
    """The Chinese notebooks that have a catalog; ``EditionError`` for a catalog without one."""
    catalogs = sorted(Path(catalog_dir).glob('*.po'))
    orphans = [c.name for c in catalogs if not (chinese_dir / f'{c.stem}.ipynb').is_file()]
    if orphans:
        raise EditionError(f'{", ".join(orphans)} in {catalog_dir}: no Chinese notebook of that '
                           f'name in {chinese_dir}: rename the catalog after its notebook, or '
                           f'remove it.')
    return [chinese_dir / f'{catalog.stem}.ipynb' for catalog in catalogs]


def english_file(path, catalog_dir, out_dir):
    """(the English notebook's path, its text, []) for the Chinese notebook at ``path``,
    or (None, None, the problems)."""
    name, shown = source_name(path), display(path)
    if Path(path).resolve().parent == out_dir:
        return None, None, [f'{shown}: the output folder {out_dir} is its own folder, so its '
                            f'English notebook would replace it: choose another output folder.']
    catalog_path = Path(catalog_dir) / f'{name}.po'
    if not catalog_path.is_file():
        return None, None, [f'{shown}: no catalog {display(catalog_path)}: start it with python '
                            f'tools/english_edition.py --update-catalogs {shown}']
    nb = tool_safety.read_notebook(path)
    target = out_dir / f'{name}.ipynb'
    try:
        previous = previous_edition(target)
    except EditionError as e:
        return None, None, [str(e)]
    english, problems = translate(nb, shown, name, read_catalog(catalog_path), previous)
    if english is None:
        return None, None, problems
    text = notebook_text(english)
    try:
        check_replaceable(target, text)
    except EditionError as e:
        return None, None, [str(e)]
    for index in waiting_for_a_run(nb, english):
        reasons = '; '.join(language_reasons(nb.cells[index].source))
        tool_safety.say(f'english: {display(target)}, cell {index}: its output is in the '
                        f'reader\'s language ({reasons}) and not stored yet: run make store '
                        f'NOTEBOOKS={display(target)}')
    return target, text, []


def build(notebooks, catalog_dir=CATALOG_DIR, out_dir=EDITION_DIR):
    """Write the English notebook of each Chinese notebook, or none if any has a problem."""
    out_dir = tool_safety.resolved_output(out_dir, 'notebooks/en')
    results = []
    problems = helper_catalog_problems(read_catalog(HELPER_CATALOG), helper_messages())
    for path in notebooks:
        target, text, found = english_file(path, catalog_dir, out_dir)
        problems += found
        if target:
            results.append((target, text))
    if problems:
        shown = problems[:30] + [f'... and {len(problems) - 30} more'] * (len(problems) > 30)
        raise EditionError('\n'.join(shown + [ADVICE]))
    out_dir.mkdir(parents=True, exist_ok=True)
    for target, text in results:
        changed = not target.exists() or target.read_text(encoding='utf-8') != text
        if changed:
            tool_safety.write_atomically(target, text)
        tool_safety.say(f'english: {display(target)} {"written" if changed else "unchanged"}')


def update_catalogs(notebooks, catalog_dir=CATALOG_DIR):
    """Refresh (or start) the catalog of each notebook; report what needs a translator."""
    Path(catalog_dir).mkdir(parents=True, exist_ok=True)
    for path in notebooks:
        name = source_name(path)
        nb = tool_safety.read_notebook(path)
        catalog_path = Path(catalog_dir) / f'{name}.po'
        old = read_catalog(catalog_path) if catalog_path.exists() else None
        write_catalog(updated_catalog(nb, name, old), catalog_path)


def write_catalog(catalog, path):
    """Write ``catalog`` to ``path`` if it changed; report what needs a translator."""
    text = str(catalog).rstrip('\n') + '\n'
    if not Path(path).exists() or Path(path).read_text(encoding='utf-8') != text:
        tool_safety.write_atomically(path, text)
    todo = len(catalog.untranslated_entries()) + len(catalog.fuzzy_entries())
    tool_safety.say(f'english: {display(path)}: {len(catalog.translated_entries())} '
                    f'translated, {todo} to translate or check, '
                    f'{len(catalog.obsolete_entries())} obsolete')


def display(path):
    """``path`` relative to the repository where it lies inside it (as the user typed it)."""
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return str(path)


def parse(argv):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('notebooks', nargs='*', type=Path,
                        help='Chinese notebooks (default: every one that has a catalog)')
    parser.add_argument('--update-catalogs', action='store_true',
                        help='refresh the catalogs from the Chinese notebooks instead of building')
    parser.add_argument('--catalogs', type=Path, default=CATALOG_DIR, help=argparse.SUPPRESS)
    parser.add_argument('--out', type=Path, default=EDITION_DIR, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv=None):
    tool_safety.plain_console()
    args = parse(argv)
    try:
        with tool_safety.stopping_on_signals():
            notebooks = args.notebooks or default_notebooks(args.catalogs)
            if args.update_catalogs:
                update_catalogs(notebooks, args.catalogs)
                if not args.notebooks:  # make english-catalogs: the helpers' too
                    update_helper_catalog()
            else:
                build(notebooks, args.catalogs, args.out)
    except tool_safety.Stopped as e:
        print(f'english: stopped by {e}; every file not reported above is as it was',
              file=sys.stderr)
        return e.exit_code
    except tool_safety.ToolError as e:
        print(f'english: {e}', file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
