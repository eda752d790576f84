"""Replace a tool's output folder without ever destroying what the tool did not make.

Both ``make_student.py`` and ``build_book.py`` write a whole folder. They use::

    with safe_output.replacing(out_dir, 'make_student', [notebook_dir], 'build/student') as staging:
        ...write everything into staging...

Before anything is written, the output folder is refused (``OutputError``) if it
is, contains or lies inside an input, is or contains the repository (or any
``.git``), is not a folder, or holds anything this tool did not write. The tool
knows what it wrote from the marker file ``.made-by-<tool>`` it leaves in every
output: a list of each file with its SHA-256, so a file added or edited by hand
(a teacher's ``grades.csv``) also blocks the replacement.

The new output is built in a hidden folder beside the target (same parent, so
renames never cross file systems) and swapped in only when complete: the old
output is renamed aside, the new one renamed in, then the old one removed. A
failure at any step leaves the previous output as it was (or no output), never
half of one.
"""
import hashlib
import json
import os
import shutil
import uuid
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class OutputError(Exception):
    """The output folder may not be replaced; the message names the folder and the fix."""


def marker_name(tool):
    return f'.made-by-{tool}'


def _building_name(tool):
    return f'.building-by-{tool}'  # in a staging folder until it is complete


def _manifest(folder, skip):
    """{relative path: sha256} of every file and symlink under ``folder`` except ``skip``."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = Path(dirpath, name)
            relative = path.relative_to(folder).as_posix()
            if relative == skip:
                continue
            if path.is_symlink():
                files[relative] = 'symlink:' + os.readlink(path)
            else:
                files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def _inside(path, folder):
    return path == folder or folder in path.parents


def validate_output(out_dir, tool, inputs, example):
    """Return the resolved output folder, or raise ``OutputError`` if it must not be replaced."""
    given = Path(out_dir)
    out = given.resolve()  # a symlink is judged by what it points to
    for source in [Path(p).resolve() for p in inputs]:
        if _inside(out, source) or _inside(source, out):
            raise OutputError(
                f'the output folder {given} ({out}) is, contains or lies inside the input '
                f'{source}: replacing it would destroy the input. Choose an output folder '
                f'outside it, for example {example}.')
    if _inside(ROOT, out) or '.git' in out.parts:
        raise OutputError(f'the output folder {given} ({out}) is or contains the repository '
                          f'{ROOT}, or lies inside a .git folder: choose a folder of its '
                          f'own, for example {example}.')
    if os.path.lexists(out) and not out.is_dir():
        raise OutputError(f'the output {given} exists and is not a folder: remove it or '
                          f'choose another output folder.')
    if not out.exists() or not any(out.iterdir()):
        return out
    if (out / '.git').exists():
        raise OutputError(f'the output folder {given} holds a git repository (.git), which '
                          f'{tool} would delete: choose another output folder (for example '
                          f'{example}) and copy the result into your checkout.')
    marker = out / marker_name(tool)
    try:
        recorded = json.loads(marker.read_text(encoding='utf-8'))['files']
    except (OSError, ValueError, KeyError, TypeError):
        raise OutputError(
            f'the output folder {given} holds files that {tool} did not write (it has no '
            f'readable {marker.name} marker): move them elsewhere or choose another, empty '
            f'output folder; {tool} only replaces folders it made itself.') from None
    found = _manifest(out, skip=marker.name)
    if found != recorded:
        changed = sorted(p for p in set(found) | set(recorded) if found.get(p) != recorded.get(p))
        shown = ', '.join(changed[:5]) + (', ...' if len(changed) > 5 else '')
        raise OutputError(
            f'the output folder {given} holds files added, changed or removed since {tool} '
            f'wrote it ({shown}): save what you need from it elsewhere and remove the folder, '
            f'or choose another output folder; nothing was changed.')
    return out


def _remove_leftovers(out, tool):
    """Remove staging or set-aside folders of this tool left by a run that was killed."""
    for sibling in out.parent.glob(f'.{out.name}.*-*'):
        if not sibling.is_dir() or sibling.is_symlink():
            continue
        building = sibling / _building_name(tool)
        if building.is_file() and _alive(building.read_text().strip()):
            continue  # another run is building there right now
        if building.is_file() or (sibling / marker_name(tool)).is_file():
            shutil.rmtree(sibling, ignore_errors=True)


def _alive(pid):
    try:
        os.kill(int(pid), 0)
    except (ValueError, ProcessLookupError):
        return False
    except PermissionError:
        return True
    return True


def _write_atomically(path, text):
    tmp = path.with_name(path.name + '.tmp')
    tmp.write_text(text, encoding='utf-8')
    os.replace(tmp, path)


@contextmanager
def replacing(out_dir, tool, inputs, example):
    """Yield an empty staging folder; when the block succeeds, it becomes ``out_dir``."""
    out = validate_output(out_dir, tool, inputs, example)
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out, tool)
    staging = out.parent / f'.{out.name}.tmp-{uuid.uuid4().hex[:12]}'
    staging.mkdir()
    # So that a killed run's leftover is known as ours (and a running one is left alone):
    (staging / _building_name(tool)).write_text(str(os.getpid()))
    try:
        yield staging
        (staging / _building_name(tool)).unlink()
        _write_atomically(staging / marker_name(tool), json.dumps(
            {'tool': tool, 'files': _manifest(staging, skip=marker_name(tool))},
            indent=0, sort_keys=True))
        validate_output(out_dir, tool, inputs, example)  # again: a file may have been added since
        _swap(staging, out)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)


def _swap(staging, out):
    """Rename the old output aside, the new one in, then remove the old one."""
    aside = None
    if os.path.lexists(out):
        aside = out.parent / f'.{out.name}.old-{uuid.uuid4().hex[:12]}'
        os.rename(out, aside)
    try:
        os.rename(staging, out)
    except BaseException:
        if aside is not None:
            os.rename(aside, out)  # put the previous output back as it was
        raise
    if aside is not None:
        shutil.rmtree(aside, ignore_errors=True)  # a leftover is removed by the next run
