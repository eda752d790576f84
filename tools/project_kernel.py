"""The project's Jupyter kernel, read from its one home: ``kernel/<name>/kernel.json``.

The folder's name is the kernel's name, as for any kernelspec (``jupyter kernelspec install
kernel/<name>`` names it so); its kernel.json holds the display name and the pins (``env``) that
make the stored numbers reproduce on any AVX2 CPU. make store, the tests and the benchmarks read
them here instead of typing them again.
"""
import json
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
