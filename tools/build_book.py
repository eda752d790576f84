"""Build the reading version: a Jupyter Book of executed notebooks that works offline, in
Chinese and in English, each page linking to its counterpart in the other language.

Usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR

Two books, one output: the Chinese book (book/, the notebooks of NOTEBOOK_DIR) at
OUT_HTML_DIR, whose index.html is the entry, and the English book (book/en, whose _config.yml
holds only what differs from book/_config.yml; the notebooks of NOTEBOOK_DIR/en) at
OUT_HTML_DIR/en. Both tables of contents must list the same notebooks in the same order, and
each edition must hold every notebook its table lists: so every page has its counterpart,
which the language switch in its header links to (book/_templates/language-switch.html).
The notebooks (already executed), in their reader's edition (tools/reader_edition.py: the
answered exercises without nbgrader's markers and hidden tests), and book/ are staged in a
work folder inside the output's own staging folder (beside OUT_HTML_DIR, never in /tmp),
MathJax is copied next to the Chinese pages (the English ones load the same copy), Jupyter
Book renders the stored outputs, and the HTML of both books replaces OUT_HTML_DIR only when
both builds succeeded. OUT_HTML_DIR is only replaced if
build_book made it (see safe_output.py): never a folder that overlaps the notebooks, MathJax
or book/, nor the repository. Every source must be UTF-8 text (a file in another encoding is
named, with its encoding, before anything is built), every notebook a readable one, and
nothing in book/ or MathJax a device, pipe or socket (a link to /dev/zero would be copied
without end). Jupyter Book's temporary files (Sphinx's crash logs) stay in the work folder.
SIGINT, SIGTERM, SIGHUP and SIGQUIT stop the build and remove its work (one during the final
swap waits until it is done); what a SIGKILL leaves is marked as build_book's and removed by
the next run.
"""
import sys
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import tool_safety  # noqa: E402  (modules beside this script)

if __name__ == '__main__':
    tool_safety.quiet_interrupt()  # before the slower imports below

import os  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
from dataclasses import dataclass  # noqa: E402

import safe_output  # noqa: E402

BOOK = Path(__file__).resolve().parent.parent / 'book'
TEXT_SUFFIXES = {'.md', '.yml', '.yaml', '.ipynb', '.bib', '.txt'}
EXAMPLE = 'build/html'
MATHJAX_EXTRA = '_mathjax'  # html_extra_path in book/_config.yml
# The English edition: its notebooks in NOTEBOOK_DIR/en (run_notebooks --english writes them
# there), its book's sources in book/en, its pages in OUT_HTML_DIR/en (book/en/_config.yml's
# links to the Chinese pages and to MathJax count on that place).
ENGLISH = 'en'
SHARED = ('_templates', '_static')  # parts of book/ that the English book uses too


@dataclass(frozen=True)
class Edition:
    """One language's book: its sources in ``book``, its notebooks in ``notebooks``, its pages
    in the output's subfolder ``place`` ('' for the Chinese book, at the top)."""
    book: Path
    notebooks: Path
    place: str


def editions(notebook_dir):
    return [Edition(BOOK, notebook_dir, ''),
            Edition(BOOK / ENGLISH, notebook_dir / ENGLISH, ENGLISH)]


def check_sources(notebook_dir, mathjax_dir):
    """Raise ``ToolError`` naming the first source that is not a file of UTF-8 text, not a
    readable notebook, or that must not be copied (a device, a pipe, a socket), and a page
    without its counterpart in the other language."""
    notebooks = [path for edition in editions(notebook_dir)
                 for path in sorted(edition.notebooks.glob('*.ipynb'))]
    for path in notebooks:
        if not path.is_file():  # a named pipe would block the copy; a broken link fail it
            raise tool_safety.ToolError(
                f'{path} is not a regular file (a named pipe, a folder, or a symbolic link '
                f'that is broken or loops): remove it from {notebook_dir} or replace it by the '
                f'notebook it stands for.')
    for folder in (BOOK, mathjax_dir):
        for path in sorted(folder.rglob('*')):
            check_copyable(path, folder)
    for path in sorted(BOOK.rglob('*')):
        if path.suffix in TEXT_SUFFIXES and path.is_file():
            tool_safety.check_utf8(path)
    for path in notebooks:
        tool_safety.read_notebook(path)  # an empty or cut-short one, named before Sphinx fails
    english_config()  # its YAML and the Chinese book's, which it changes
    check_counterparts(notebook_dir)


def check_counterparts(notebook_dir):
    """``ToolError`` unless both tables of contents list the same pages in the same order and
    each edition holds every page its table lists (the language switch links them)."""
    chinese, english = editions(notebook_dir)
    pages = {edition: toc_pages(edition.book / '_toc.yml') for edition in (chinese, english)}
    if pages[chinese] != pages[english]:
        raise tool_safety.ToolError(
            f'{english.book / "_toc.yml"} lists {", ".join(pages[english])}, but '
            f'{chinese.book / "_toc.yml"} lists {", ".join(pages[chinese])}: the two tables of '
            f'contents must list the same pages in the same order, since every page links to '
            f'its counterpart in the other language; make them the same')
    for edition in pages:
        missing = [page for page in pages[edition] if not (
            (edition.book / f'{page}.md').is_file()
            or (edition.notebooks / f'{page}.ipynb').is_file())]
        if missing:
            raise tool_safety.ToolError(
                f'{edition.book / "_toc.yml"} lists {missing[0]}, but there is no '
                f'{edition.notebooks / missing[0]}.ipynb (nor {edition.book / missing[0]}.md): '
                f'give the folder of executed notebooks that make run writes, build/notebooks, '
                f'with the English ones in build/notebooks/{ENGLISH} (make english builds '
                f'notebooks/{ENGLISH} from its catalogs)')


def toc_pages(toc):
    """The pages a Jupyter Book table of contents lists, in order: its root, then every
    ``file`` of its parts, chapters and sections."""
    entry = read_yaml(toc)
    pages = [entry['root']] if isinstance(entry, dict) and 'root' in entry else []
    return pages + listed_files(entry)


def listed_files(entry):
    """Every ``file`` under the parts, chapters and sections of a table-of-contents entry."""
    if not isinstance(entry, dict):
        return []
    children = [child for key in ('parts', 'chapters', 'sections')
                for child in entry.get(key) or [] if isinstance(child, dict)]
    return [name for child in children
            for name in ([child['file']] if 'file' in child else []) + listed_files(child)]


def check_copyable(path, folder):
    """``ToolError`` unless ``path`` (followed if a link) is a regular file or a folder."""
    try:
        kind = safe_output.special_kind(os.stat(path).st_mode)
    except OSError as e:
        raise tool_safety.ToolError(f'{path} cannot be read ({e.strerror}; a broken symbolic '
                                    f'link?): remove it from {folder} or fix it.') from None
    if kind:
        raise tool_safety.ToolError(f'{path} is {kind}, not a file the book can copy (a device '
                                    f'such as /dev/zero never ends): remove it from {folder}.')


def build(notebook_dir, mathjax_dir, staging):
    """Render both books into ``staging``; raise ``CalledProcessError`` if Jupyter Book fails."""
    work = staging / '.book-work'  # inside the staging folder: removed with it if killed
    for edition in editions(notebook_dir):
        source = work / (edition.place or 'zh') / 'book'
        stage_sources(edition, source)
        if not edition.place:
            # MathJax reaches _static/mathjax through an extra path (_config.yml:
            # html_extra_path), not through book/_static: Jupyter Book makes every .js under
            # _static a script of every page.
            shutil.copytree(mathjax_dir, source / MATHJAX_EXTRA / '_static' / 'mathjax')
        render(source, staging / edition.place)
    shutil.rmtree(work)


def stage_sources(edition, source):
    """Copy an edition's book sources and its notebooks, as a reader gets them, to ``source``."""
    import reader_edition  # here: its nbgrader import takes 0.4 s, which a refused call skips
    if edition.place:
        shutil.copytree(edition.book, source)
        for part in SHARED:
            shutil.copytree(BOOK / part, source / part)
        (source / '_config.yml').write_text(yaml_text(english_config()), encoding='utf-8')
    else:  # the Chinese book is book/ itself, without the English book's folder
        shutil.copytree(BOOK, source, ignore=lambda folder, names:
                        [ENGLISH] if Path(folder) == BOOK else [])
    for notebook in sorted(edition.notebooks.glob('*.ipynb')):
        try:
            reader_edition.write_reader_edition(notebook, source / notebook.name)
        except ValueError as e:  # the grading paragraph's translation (grading_markers.py)
            raise tool_safety.ToolError(f'{notebook.name}: {e}') from None


def render(source, pages):
    """Jupyter Book's HTML of the staged ``source``, moved into the folder ``pages``."""
    work = source.parent
    tmp = work / 'tmp'  # Sphinx leaves a crash log in TMPDIR: here it goes with the work
    tmp.mkdir()
    subprocess.run([str(Path(sys.executable).with_name('jupyter-book')), 'build',
                    '--warningiserror', '--path-output', str(work), str(source)], check=True,
                   preexec_fn=tool_safety.end_with_parent, env={**os.environ, 'TMPDIR': str(tmp)})
    pages.mkdir(exist_ok=True)
    for page in (work / '_build' / 'html').iterdir():
        page.rename(pages / page.name)


def english_config():
    """The English book's Jupyter Book configuration: the Chinese book's, changed by
    book/en/_config.yml."""
    base, changes = (read_yaml(folder / '_config.yml') for folder in (BOOK, BOOK / ENGLISH))
    if not (isinstance(base, dict) and isinstance(changes, dict)):
        raise tool_safety.ToolError(f'{BOOK / "_config.yml"} and {BOOK / ENGLISH / "_config.yml"}'
                                    f' must each be a mapping of settings (key: value)')
    return merged(base, changes)


def read_yaml(path):
    """The data of the YAML file ``path``; ``ToolError`` naming it if it cannot be read."""
    import yaml  # here: Jupyter Book's own dependency, loaded only when sources are checked
    try:
        return yaml.safe_load(path.read_text(encoding='utf-8')) or {}
    except (OSError, yaml.YAMLError) as e:
        raise tool_safety.ToolError(f'{path} cannot be read as YAML ({e}): fix or restore it '
                                    f'(git checkout -- {path})') from None


def yaml_text(data):
    import yaml
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def merged(base, changes):
    """``base`` with the keys of ``changes`` put in their place, nested mappings key by key."""
    result = dict(base)
    for key, value in changes.items():
        both_mappings = isinstance(value, dict) and isinstance(result.get(key), dict)
        result[key] = merged(result[key], value) if both_mappings else value
    return result


def first_failure(error):
    """'SOURCE (why)' of the first file a ``shutil.Error`` of copytree lists (not the list)."""
    failures = error.args[0] if error.args else None
    if isinstance(failures, list) and failures and len(failures[0]) == 3:
        source, _, why = failures[0]
        return f'{source} ({why})'
    return str(error)


def main(argv):
    tool_safety.plain_console()
    if len(argv) != 3:
        sys.exit('usage: python tools/build_book.py NOTEBOOK_DIR OUT_HTML_DIR MATHJAX_ES5_DIR '
                 '(for example: build/notebooks build/html .venv/share/mathjax-3.2.2/es5)')
    notebook_dir, out_dir, mathjax_dir = map(Path, argv)
    if not notebook_dir.is_dir() or not any(notebook_dir.glob('*.ipynb')):
        sys.exit(f'build_book: {notebook_dir} is not a folder of notebooks: give the folder '
                 f'of executed notebooks, for example build/notebooks (make run writes it).')
    if not (mathjax_dir / 'tex-mml-chtml.js').is_file():
        sys.exit(f'build_book: MathJax not found in {mathjax_dir} (run make setup): '
                 f'without it the book would load MathJax from the network.')
    try:
        tool_safety.resolved_output(out_dir, EXAMPLE)
        check_sources(notebook_dir, mathjax_dir)
        with tool_safety.stopping_on_signals(), ExitStack() as swap_done:
            with safe_output.replacing(out_dir, 'build_book', [notebook_dir, mathjax_dir, BOOK],
                                       EXAMPLE) as staging:
                build(notebook_dir, mathjax_dir, staging)
                swap_done.enter_context(tool_safety.stops_held())  # never half a swap
    except safe_output.OutputError as e:
        sys.exit(f'build_book: {e}')
    except tool_safety.ToolError as e:  # found before anything was written
        sys.exit(f'build_book: {e}; {out_dir} is unchanged.')
    except tool_safety.Stopped as e:
        done = 'holds the new book' if e.completed else 'is unchanged'
        print(f'build_book: stopped by {e}; {out_dir} {done}', file=sys.stderr)
        sys.exit(e.exit_code)
    except shutil.Error as e:
        sys.exit(f'build_book: could not copy {first_failure(e)}; {out_dir} is unchanged.')
    except subprocess.CalledProcessError as e:
        sys.exit(f'build_book: jupyter-book failed with code {e.returncode} (its messages are '
                 f'above); {out_dir} is unchanged.')
    except OSError as e:
        sys.exit(f'build_book: could not write {out_dir} ({e}); the previous book, if any, '
                 f'is unchanged.')
    tool_safety.say(f'build_book: {out_dir / "index.html"}')


if __name__ == '__main__':
    main(sys.argv[1:])
