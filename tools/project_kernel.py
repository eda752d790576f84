"""The project's Jupyter kernels, read from their one home: ``kernel/<name>/kernel.json``.

The folder's name is the kernel's name, as for any kernelspec (``jupyter kernelspec install
kernel/<name>`` names it so); its kernel.json holds the display name and the pins (``env``) that
make the stored numbers reproduce on any AVX2 CPU. make store, the tests and the benchmarks read
them here instead of typing them again.

Each edition of the notebooks has its kernel, the same kernel.json with the language the helpers
speak in (``D2L_LANGUAGE``, d2lhelpers/language.py) added to its ``env``: ``d2l-mxnet`` for the
Chinese notebooks, ``d2l-mxnet-en`` for the English ones (notebooks/en, whose metadata names it).
So JupyterLab, nbval, make store and the book start each notebook in its own language, and the
English kernel's pins are the Chinese kernel's by construction. ``make setup`` (and Binder's
postBuild) installs both:

    python tools/project_kernel.py install
"""
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOUND = sorted(path.parent for path in (ROOT / 'kernel').glob('*/kernel.json'))
if len(FOUND) != 1:
    raise RuntimeError(f'the project has one kernel, {ROOT / "kernel" / "<name>" / "kernel.json"}; '
                       f'found {len(FOUND)}: restore it from git (git checkout -- kernel)')
KERNEL_DIR = FOUND[0]
NAME = KERNEL_DIR.name
SPEC = json.loads((KERNEL_DIR / 'kernel.json').read_text(encoding='utf-8'))
ENV = SPEC['env']
# What a notebook's metadata says of the kernel it runs on (make store writes it).
METADATA = {'display_name': SPEC['display_name'], 'language': SPEC['language'], 'name': NAME}

from d2lhelpers import language  # noqa: E402  (the setting's name and its languages)

# The language shown after the display name of a kernel other than the default's.
SHOWN_AS = {'en': 'English'}


def name(edition):
    """The kernel's name for an edition: 'd2l-mxnet' (zh, the default), 'd2l-mxnet-en'."""
    return NAME if edition == language.DEFAULT else f'{NAME}-{edition}'


def spec(edition):
    """The kernel.json of an edition's kernel: the project's, plus the helpers' language."""
    return {**SPEC, 'env': {**ENV, language.VARIABLE: edition},
            'display_name': metadata(edition)['display_name']}


def metadata(edition):
    """What a notebook of that edition says of its kernel (make english and make store write it)."""
    shown = METADATA['display_name']
    if edition != language.DEFAULT:
        shown = f'{shown}, {SHOWN_AS[edition]}'
    return {**METADATA, 'display_name': shown, 'name': name(edition)}


def edition_of(kernel_name):
    """The edition whose kernel is ``kernel_name``; the default for any other name."""
    return next((edition for edition in language.LANGUAGES if name(edition) == kernel_name),
                language.DEFAULT)


def install(prefix=sys.prefix):
    """Install every edition's kernel into ``prefix``'s Jupyter (as ``--sys-prefix`` does)."""
    from jupyter_client.kernelspec import KernelSpecManager
    manager = KernelSpecManager()
    for edition in language.LANGUAGES:
        with tempfile.TemporaryDirectory() as folder:
            (Path(folder) / 'kernel.json').write_text(json.dumps(spec(edition), indent=1,
                                                                 ensure_ascii=False) + '\n',
                                                      encoding='utf-8')
            where = manager.install_kernel_spec(folder, name(edition), prefix=prefix)
        print(f'kernel: {name(edition)} in {where}')


if __name__ == '__main__':
    if sys.argv[1:] != ['install']:
        sys.exit(f'usage: python {sys.argv[0]} install   (installs the kernels into {sys.prefix})')
    install()
