"""Every notebook runs through the real JupyterLab UI, in headless Chromium, on the project kernel;
so do the English notebooks whose outputs are their own (05 and 11, on d2l-mxnet-en).

JupyterLab is started from this environment on 127.0.0.1 over a copy of
notebooks/. In one JupyterLab page per worker, Playwright (driving Debian's /usr/bin/chromium;
no browser is downloaded) opens each notebook as a reader does (File > Open from Path…), waits
for its fresh kernel, clicks Run > Run All Cells, waits until every cell has run, saves, takes
a screenshot into build/screenshots/, and closes it with File > Close and Shut Down Notebook,
which must leave the server no kernel.
The saved file must have every code cell executed in order, no error except in
cells tagged raises-exception, and the stored outputs, compared by nbval's rules
(tests/notebook_outputs.py). In notebook 11, the explorer's cell first shows the message the
notebook announces for a notebook not yet run (UNRUN_CHECKS); after the run and before the
save, the explorer is used as a reader would: a slider moved from the keyboard and a menu
changed, and its figure and words checked against the formula (INTERACTIVE_CHECKS).

The server runs in an environment whose every pin contradicts the project kernel's
(``SERVER_ENV``: AVX-512 kernels, another OpenBLAS core, two OpenMP threads, no NumPy
feature switched off): the kernel that JupyterLab starts must carry kernel.json's own
values, which only kernel.json can give it, so this run is also the strict check that
the stored numbers come back whatever the user's environment says.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import english_edition  # tools/, put on the path by conftest.py
import nbformat
import project_kernel
import pytest
from notebook_outputs import differing_cells, read_sanitize_rules
from os_support import free_port, process_table, wait_for

pytestmark = pytest.mark.slow  # executes notebooks, builds the book or drives a browser

ROOT = Path(__file__).resolve().parent.parent
CHINESE = sorted(p.name for p in (ROOT / 'notebooks').glob('*.ipynb'))


def has_outputs_of_its_own(name):
    """Whether the English edition of notebook ``name`` has a cell whose output is in the
    reader's language (a self-check's verdict): its outputs come from its own run, on its kernel."""
    cells = nbformat.read(ROOT / 'notebooks' / name, as_version=4).cells
    return any(cell.cell_type == 'code' and english_edition.language_reasons(cell.source)
               for cell in cells)


# Every Chinese notebook, and the English ones whose outputs are their own (05, 11): the others
# have the Chinese notebooks' code and outputs (tests/test_english.py), so running them here
# would check nothing new.
NOTEBOOKS = CHINESE + [f'en/{name}' for name in CHINESE if has_outputs_of_its_own(name)]
SCREENSHOTS = ROOT / 'build' / 'screenshots'
SANITIZE = ROOT / 'tests' / 'nbval-sanitize.cfg'
KERNEL_ENV = project_kernel.ENV  # tools/project_kernel.py, read from kernel/<name>/kernel.json
SERVER_ENV = {'DNNL_MAX_CPU_ISA': 'AVX512_CORE', 'OPENBLAS_CORETYPE': 'SkylakeX',
              'OMP_NUM_THREADS': '2', 'NPY_DISABLE_CPU_FEATURES': '', 'PYTHONWARNINGS': '',
              # a language the helpers do not speak: a kernel that took it would fail at its first
              # self-check, so only the kernel's own value (zh, or en for d2l-mxnet-en) passes
              'D2L_LANGUAGE': 'fr'}
assert all(SERVER_ENV[name] != KERNEL_ENV[name] for name in KERNEL_ENV)  # each pin is contradicted
TOKEN = 'd2l-jupyterlab-test'



@pytest.fixture(scope='session')
def lab(tmp_path_factory):
    """A JupyterLab server over a copy of notebooks/, with its own config and no news.

    One per worker process: make test spreads the notebooks over its workers (conftest.py).
    """
    work = tmp_path_factory.mktemp('jupyterlab')
    root = work / 'notebooks'
    shutil.copytree(ROOT / 'notebooks', root)
    settings = work / 'settings' / '@jupyterlab' / 'apputils-extension'
    settings.mkdir(parents=True)
    (settings / 'notification.jupyterlab-settings').write_text('{"fetchNews": "false"}')
    env = {**os.environ, **SERVER_ENV,
           'JUPYTER_CONFIG_DIR': str(work / 'config'),
           # a user's data folder of its own: no notebook is trusted yet, as on a fresh machine
           'JUPYTER_DATA_DIR': str(work / 'data'),
           'JUPYTER_RUNTIME_DIR': str(work / 'runtime'),
           'JUPYTERLAB_SETTINGS_DIR': str(work / 'settings'),
           'JUPYTERLAB_WORKSPACES_DIR': str(work / 'workspaces')}
    port = free_port()
    command = [sys.executable, '-m', 'jupyter', 'lab', '--no-browser', '--ip=127.0.0.1',
               f'--port={port}', f'--IdentityProvider.token={TOKEN}',
               f'--ServerApp.root_dir={root}', '--LabApp.news_url=None',
               '--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate',
               '--LabApp.extension_manager=readonly',
               # On a loaded machine, after "Restart Kernel" replaced a stale websocket, the server
               # sometimes parsed a message of the v1 websocket protocol as a legacy one (its log:
               # "struct.error: unpack requires a buffer") and the run stalled: jupyter_server
               # decides per message by asking tornado for the socket's subprotocol, and takes
               # legacy when it gets no answer. With the legacy protocol, which JupyterLab also
               # speaks, both sides always agree.
               '--ZMQChannelsWebsocketConnection.kernel_ws_protocol=']
    if os.geteuid() == 0:
        command.append('--allow-root')
    log = open(work / 'jupyterlab.log', 'w')
    server = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f'http://127.0.0.1:{port}'
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f'{base}/api/status?token={TOKEN}', timeout=2)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail(f'JupyterLab exited:\n{(work / "jupyterlab.log").read_text()}')
                time.sleep(0.2)
        else:
            pytest.fail(f'JupyterLab did not answer:\n{(work / "jupyterlab.log").read_text()}')
        yield {'base': base, 'root': root, 'runtime': work / 'runtime'}
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()


def kernel_processes(runtime_dir):
    """(command line, environment) of each kernel this server started (by its connection file)."""
    kernels = []
    for pid, _, _, cmdline in process_table():
        argv = [os.fsdecode(a) for a in cmdline.split(b'\0') if a]  # may not be UTF-8
        if any(a.startswith(str(runtime_dir)) for a in argv) and 'ipykernel_launcher' in argv:
            try:
                environ = Path(f'/proc/{pid}/environ').read_bytes().split(b'\0')
            except OSError:
                continue  # it ended meanwhile
            env = dict(os.fsdecode(item).split('=', 1) for item in environ if b'=' in item)
            kernels.append((argv, env))
    return kernels


def sessions(base):
    with urllib.request.urlopen(f'{base}/api/sessions?token={TOKEN}', timeout=30) as response:
        return json.load(response)


def end_sessions(base):
    """Shut down the server's kernels: a page closed after a failure leaves its kernel running
    (about 0.6 GiB)."""
    for session in sessions(base):
        request = urllib.request.Request(f'{base}/api/sessions/{session["id"]}?token={TOKEN}',
                                         method='DELETE')
        urllib.request.urlopen(request, timeout=60).close()


# The run is over when the first cell has run, no cell is queued ([*]) and the kernel is
# idle: after an error, Run All stops and the cells left show [ ]: the checks below see that.
RUN_IS_OVER = """() => {
    const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]
        .map(e => e.textContent.trim());
    const indicator = document.querySelector('.jp-Notebook-ExecutionIndicator');
    return prompts.length > 0 && prompts[0] === '[1]:' && !prompts.includes('[*]:')
        && indicator !== null && indicator.dataset.status === 'idle';
}"""


class LabWindow:
    """One JupyterLab page per worker, in which each notebook is opened in turn as a reader
    opens it (File > Open from Path…) and closed with File > Close and Shut Down Notebook.
    A page costs Chromium about 4 CPU-seconds to load, an opened notebook far less. After a
    test that did not end cleanly the page is closed, and the next test loads a new one."""

    def __init__(self, lab, browser):
        self.lab, self.browser, self.page = lab, browser, None

    def get(self):
        if self.page is None:
            self.page = self.browser.new_page(viewport={'width': 1400, 'height': 1000})
            self.page.goto(f'{self.lab["base"]}/lab?token={TOKEN}&reset')
            self.page.wait_for_selector('.lm-MenuBar-itemLabel:text-is("File")', timeout=60_000)
        return self.page

    def discard(self):
        if self.page is not None:
            self.page.close()
            self.page = None


@pytest.fixture(scope='session')
def lab_window(lab, browser):
    window = LabWindow(lab, browser)
    yield window
    window.discard()


def open_from_path(page, name):
    page.click('.lm-MenuBar-itemLabel:text-is("File")')
    page.click('.lm-Menu-itemLabel:text-is("Open from Path…")')
    page.fill('.jp-Dialog input', name)
    page.click('.jp-Dialog-button.jp-mod-accept')


def close_and_shut_down(page, base):
    """File > Close and Shut Down Notebook, confirmed; returns once the server has no session."""
    page.click('.lm-MenuBar-itemLabel:text-is("File")')
    page.click('.lm-Menu-itemLabel:text-matches("^Close and Shut Down")')
    page.click('.jp-Dialog-button.jp-mod-accept')
    page.wait_for_selector('.jp-NotebookPanel', state='detached', timeout=30_000)
    wait_for(lambda: not sessions(base), 30, 'Close and Shut Down left the kernel running')


@pytest.mark.parametrize('name', NOTEBOOKS)
def test_notebook_runs_through_the_jupyterlab_ui(lab, lab_window, name):
    edition = 'en' if name.startswith('en/') else 'zh'  # the kernel the notebook names
    page, ended_cleanly = lab_window.get(), False
    try:
        saved_at = (lab['root'] / name).stat().st_mtime
        open_from_path(page, name)
        page.wait_for_selector('.jp-Notebook .jp-CodeCell', timeout=60_000)
        page.wait_for_selector('.jp-Notebook-ExecutionIndicator[data-status="idle"]',
                               timeout=60_000)
        # Opening the notebook started a fresh kernel of its own; once the status bar shows it
        # idle, Run All runs it top to bottom from [1]. (Restart Kernel and Run All, used before,
        # replaced the kernel's websocket and, on a loaded machine, sometimes hit a race in
        # jupyter_server that stalled the run.)
        page.wait_for_function("""shown => [...document.querySelectorAll('.jp-StatusBar-TextItem')]
            .some(e => e.textContent.includes(shown + ' | Idle'))""",
                               arg=project_kernel.metadata(edition)['display_name'],
                               timeout=120_000, polling=500)
        if name in UNRUN_CHECKS:
            UNRUN_CHECKS[name](page)
        page.click('.lm-MenuBar-itemLabel:text-is("Run")')
        page.click('.lm-Menu-itemLabel:text-is("Run All Cells")')
        page.wait_for_timeout(1500)  # every cell is queued ([*]) before the first one ends
        page.wait_for_function(RUN_IS_OVER, timeout=300_000, polling=500)
        kernels = kernel_processes(lab['runtime'])
        if name in INTERACTIVE_CHECKS:
            INTERACTIVE_CHECKS[name](page)
        page.keyboard.press('Control+s')
        wait_for(lambda: (lab['root'] / name).stat().st_mtime != saved_at, 30,
                 'the notebook was not saved')
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f'{name[:-len(".ipynb")].replace("/", "-")}.png'))
        close_and_shut_down(page, lab['base'])
        ended_cleanly = True
    finally:
        if not ended_cleanly:
            lab_window.discard()
        end_sessions(lab['base'])

    assert kernel_processes(lab['runtime']) == [], 'a kernel outlived its notebook'
    # This environment's Python, with the project kernel's pins (kernel/<name>) in force.
    assert len(kernels) == 1 and kernels[0][0][0] == sys.executable, kernels
    kernel_env = project_kernel.spec(edition)['env']
    assert all({name: env.get(name) for name in kernel_env} == kernel_env for _, env in kernels)
    notebook = json.loads((lab['root'] / name).read_text(encoding='utf-8'))
    code = [cell for cell in notebook['cells'] if cell['cell_type'] == 'code']
    assert [cell['execution_count'] for cell in code] == list(range(1, len(code) + 1))
    unexpected = [(cell['execution_count'], output['ename'], output['evalue'][:200])
                  for cell in code for output in cell['outputs']
                  if output['output_type'] == 'error'
                  and 'raises-exception' not in cell['metadata'].get('tags', [])]
    assert unexpected == []
    assert notebook['metadata']['kernelspec']['name'] == project_kernel.name(edition)
    stored = nbformat.read(ROOT / 'notebooks' / name, as_version=4)
    executed = nbformat.reads(json.dumps(notebook), as_version=4)
    assert differing_cells(stored, executed, read_sanitize_rules(SANITIZE)) == []


def caption_numbers(text, what):
    """(measured, formula) of the first and the last layer, from the explorer's words."""
    number = r'([0-9.]+e[+-][0-9]+)'
    match = re.search(rf'{what}：第 1 层 {number}（公式 {number}），第 \d+ 层 {number}'
                      rf'（公式 {number}）', text)
    assert match, text
    first, first_formula, last, last_formula = map(float, match.groups())
    return (first, first_formula), (last, last_formula)


def check_the_init_explorer(page):
    """Notebook 11's explorer, after Run All: the depth slider moved from the keyboard and the
    activation menu redraw the figure, whose words (its alt text and caption) give the formula's
    per-layer factor (1/sqrt(2) with ReLU, 1 without) and measurements within 11's margins."""
    caption = page.locator('.d2l-init-explorer-caption')
    figure = page.locator('.jp-Notebook img[alt*="的逐层标准差（对数纵轴）"]')
    error = '.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"] .ansi-red-fg'
    page.wait_for_selector(f'.d2l-init-explorer-caption, {error}', timeout=60_000)
    if caption.count() == 0:
        errors = page.locator(error)
        pytest.fail(f'the explorer was not drawn; Run All stopped at: '
                    f'{[e.inner_text()[:200] for e in errors.all()]}')
    assert 'relu, 10 x 256' in caption.inner_text()
    before = figure.get_attribute('src')

    handle = page.locator('.widget-slider', has=page.locator('label', has_text='depth')) \
        .locator('.noUi-handle')
    assert handle.get_attribute('tabindex') == '0'  # reachable with Tab
    handle.focus()
    for _ in range(3):
        page.keyboard.press('ArrowLeft')
    page.wait_for_function("""() => document.querySelector('.d2l-init-explorer-caption')
        .textContent.includes('relu, 7 x 256')""", timeout=60_000, polling=200)
    relu = caption.inner_text()
    assert figure.get_attribute('alt') == relu and figure.get_attribute('src') != before
    for what in ['输出', '梯度']:
        (first, first_formula), (last, last_formula) = caption_numbers(relu, what)
        # 6 layers apart, each a factor sqrt(1/2) (printed to 3 digits)
        low, high = sorted([first_formula, last_formula])
        assert low / high == pytest.approx(0.5 ** 3, rel=0.01)
        assert all(abs(m / f - 1) < 0.3 for m, f in [(first, first_formula), (last, last_formula)])

    menu = page.locator('.widget-dropdown', has=page.locator('label', has_text='activation'))
    menu.locator('select').select_option('none')
    page.wait_for_function("""() => document.querySelector('.d2l-init-explorer-caption')
        .textContent.includes('none, 7 x 256')""", timeout=60_000, polling=200)
    linear = caption.inner_text()
    for what in ['输出', '梯度']:
        (first, first_formula), (last, last_formula) = caption_numbers(linear, what)
        assert last_formula == pytest.approx(first_formula, rel=0.01)  # a factor of 1
        assert all(abs(m / f - 1) < 0.1 for m, f in [(first, first_formula), (last, last_formula)])


def check_the_unrun_explorer_says_what_11_says(page):
    """Before the run, the explorer's cell shows what notebook 11 tells the reader it shows."""
    page.locator('.jp-Notebook .jp-CodeCell').first.click()
    page.keyboard.press('Escape')
    page.keyboard.press('Control+End')  # JupyterLab draws only the cells near the view
    explorer_cell = page.locator('.jp-Notebook .jp-CodeCell').last
    explorer_cell.scroll_into_view_if_needed()
    page.wait_for_function("""() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
        .pop().textContent.includes(
            'init_explorer: run this notebook in JupyterLab to move the sliders')""",
                           timeout=30_000, polling=200)
    page.keyboard.press('Control+Home')  # back to the top, where the run's checks read [1]


# Checks of a notebook's interactive parts, made in its run above (no second kernel or page):
# before Run All, and after it (before the save).
UNRUN_CHECKS = {'11_init_explorer.ipynb': check_the_unrun_explorer_says_what_11_says}
INTERACTIVE_CHECKS = {'11_init_explorer.ipynb': check_the_init_explorer}
