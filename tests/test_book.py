"""The reading version: a Jupyter Book of the stored notebooks, complete, in order, offline and
accessible (WCAG 2.1 AA: axe-core on every page, text for every figure, keyboard, zoom, math),
in Chinese and in English (build/html/en), each page linking to its counterpart."""
import html
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from english_edition import CJK  # tools/english_edition.py: what is not English text

pytestmark = pytest.mark.slow  # executes notebooks, builds the book or drives a browser

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted(p.stem for p in (ROOT / 'notebooks').glob('*.ipynb'))
ENGLISH = 'en'  # the English notebooks' folder in notebooks/, its book's in the book's output
LANGUAGES = {'': 'zh-CN', ENGLISH: 'en'}  # each book's place in the output: its <html lang>


@pytest.fixture(scope='module')
def book(tmp_path_factory, mathjax_dir):
    out = tmp_path_factory.mktemp('book') / 'html'
    subprocess.run([sys.executable, str(ROOT / 'tools' / 'build_book.py'),
                    str(ROOT / 'notebooks'), str(out), str(mathjax_dir)],
                   check=True, capture_output=True, text=True, timeout=600)
    return out


@pytest.mark.parametrize('place', LANGUAGES, ids=['zh', 'en'])
def test_the_index_links_every_chapter_in_order(book, place):
    """index.html is the entry (the Chinese book's; en/index.html the English book's)."""
    redirect = (book / place / 'index.html').read_text(encoding='utf-8')
    start = re.search(r'url=([\w.]+\.html)', redirect).group(1)
    index = (book / place / start).read_text(encoding='utf-8')
    positions = [index.find(f'href="{name}.html"') for name in NOTEBOOKS]
    assert -1 not in positions and positions == sorted(positions)


def stored_output_lines(notebook, starting_with):
    nb = nbformat.read(ROOT / 'notebooks' / f'{notebook}.ipynb', as_version=4)
    return [line for cell in nb.cells if cell.cell_type == 'code'
            for output in cell.outputs for line in output.get('text', '').splitlines()
            if line.startswith(starting_with)]


@pytest.mark.parametrize('place', LANGUAGES, ids=['zh', 'en'])
def test_each_page_shows_stored_outputs_and_figures(book, place):
    exercises = (book / place / '05_exercises.html').read_text(encoding='utf-8')
    last_epochs = stored_output_lines(f'{place}/05_exercises'.lstrip('/'), 'epoch 5, loss')
    assert last_epochs and all(line in exercises for line in last_epochs)
    assert re.search(r'<img [^>]*src="_images/', exercises)
    assert all((book / place / '_images' / Path(src).name).is_file()
               for src in re.findall(r'<img [^>]*src="(_images/[^"]+)"', exercises))


def test_nothing_is_loaded_from_the_network(book):
    """No script, stylesheet or image comes from another host; MathJax is local, one copy that
    the English pages load too."""
    for page in list(book.glob('*.html')) + list((book / ENGLISH).glob('*.html')):
        html = page.read_text(encoding='utf-8')
        remote = re.findall(r'<(?:script|link|img)\b[^>]*\b(?:src|href)="(https?:)?//[^"]*"', html)
        assert remote == [], page.name
    for place in LANGUAGES:
        sharing = book / place / '04_sharing_parameters.html'
        # One MathJax script: its other files load on demand (Jupyter Book would make every .js
        # under _static a script of every page, about a hundred of them).
        scripts = re.findall(r'<script\b[^>]*src="([^"?]*mathjax[^"?]*)',
                             sharing.read_text(encoding='utf-8'))
        assert [(sharing.parent / src).resolve() for src in scripts] == [
            book / '_static' / 'mathjax' / 'tex-mml-chtml.js'], place
    assert (book / '_static' / 'mathjax' / 'output' / 'chtml' / 'fonts' / 'woff-v2').is_dir()
    assert not (book / ENGLISH / '_static' / 'mathjax').exists()


# --- Two languages (issue 21) ---------------------------------------------------------------

def soup(path):
    from bs4 import BeautifulSoup  # Jupyter Book's own dependency
    return BeautifulSoup(path.read_text(encoding='utf-8'), 'html.parser')


def book_pages(folder):
    """The pages of one book (index.html only redirects to intro.html)."""
    return sorted(page for page in folder.glob('*.html') if page.name != 'index.html')


def test_every_page_links_its_counterpart_in_the_other_language(book):
    """Every page of each book has one language switch, in its header, to the same page of the
    other book, which exists; the link's text is in that language (lang, WCAG 3.1.2) and its
    hreflang is the target's <html lang>; the head names both versions (rel="alternate")."""
    names = {place: [page.name for page in book_pages(book / place)] for place in LANGUAGES}
    assert names[''] == names[ENGLISH] and len(names['']) >= len(NOTEBOOKS) + 1
    labels = {'': 'English', ENGLISH: '中文'}
    for place, other in (('', ENGLISH), (ENGLISH, '')):
        for page in book_pages(book / place):
            counterpart = book / other / page.name
            tree = soup(page)
            switches = tree.select('a.language-switch')
            assert len(switches) == 1 and switches[0].find_parent(class_='bd-header-article')
            switch = switches[0]
            assert (page.parent / switch['href']).resolve() == counterpart, page
            assert switch.get_text(strip=True) == labels[place], page
            assert switch['lang'] == switch['hreflang'] == LANGUAGES[other], page
            assert tree.html['lang'] == LANGUAGES[place], page
            assert soup(counterpart).html['lang'] == LANGUAGES[other], counterpart
            alternates = {link['hreflang']: (page.parent / link['href']).resolve()
                          for link in tree.select('link[rel=alternate][hreflang]')}
            assert alternates == {LANGUAGES[place]: page, LANGUAGES[other]: counterpart}, page


READ_ATTRIBUTES = ('alt', 'title', 'aria-label', 'data-bs-title', 'placeholder')


def test_the_english_book_is_in_english(book):
    """Every English page says lang="en" and has no Chinese character in what a reader sees or
    a screen reader reads (text, alt texts, labels), but for the switch's 中文; its search
    index neither."""
    found = {}
    for page in book_pages(book / ENGLISH):
        tree = soup(page)
        assert tree.html['lang'] == 'en', page.name
        tree.select_one('a.language-switch').decompose()
        read = [tree.get_text()] + [element[name] for name in READ_ATTRIBUTES
                                    for element in tree.find_all(attrs={name: True})]
        chinese = sorted({match for text in read for match in CJK.findall(text)})
        if chinese:
            found[page.name] = ''.join(chinese)[:40]
    index = (book / ENGLISH / 'searchindex.js').read_text(encoding='utf-8')
    assert found == {} and not CJK.search(index)


def test_the_english_table_of_contents_has_english_titles_in_order(book):
    """The English intro page lists the chapters in the Chinese book's order under their English
    titles: each notebook's heading, or book/en/_toc.yml's shorter title, which names the same
    Extra (A-F) as the notebook's heading."""
    toc = yaml.safe_load((ROOT / 'book' / ENGLISH / '_toc.yml').read_text(encoding='utf-8'))
    expected = []
    for chapter in toc['chapters']:
        nb = nbformat.read(ROOT / 'notebooks' / ENGLISH / f'{chapter["file"]}.ipynb', 4)
        heading = nb.cells[0].source.split('\n')[0].removeprefix('# ').replace('`', '')
        title = chapter.get('title', heading)
        extra = re.match(r'Extra [A-F]\b', title)
        assert bool(extra) == bool(re.match(r'Extra [A-F]\b', heading)), chapter['file']
        assert not extra or heading.startswith(extra[0]), (title, heading)
        expected.append((f'{chapter["file"]}.html', title))
    assert [name for name, _ in expected] == [f'{name}.html' for name in NOTEBOOKS]
    intro = soup(book / ENGLISH / 'intro.html')
    listed = [(link['href'], link.get_text(strip=True))
              for link in intro.select('#main-content .toctree-wrapper a')]
    assert listed == expected
    assert intro.h1.get_text(strip=True).startswith('4.2 Accessing, Initializing and Sharing')


def test_the_language_switch_is_reached_and_followed_with_the_keyboard(book, book_page):
    """Tab reaches the switch (with a focus ring) and Enter opens the same page in English."""
    book_page.set_viewport_size(DESKTOP)
    open_page(book_page, book / '07_why_initialization_matters.html')
    for _ in range(20):
        book_page.keyboard.press('Tab')
        if book_page.evaluate('() => document.activeElement.matches("a.language-switch")'):
            break
    style, width, element = focus_ring(book_page)
    assert 'language-switch' in element and style != 'none' and width >= 2, element
    with book_page.expect_navigation():
        book_page.keyboard.press('Enter')
    assert book_page.url == (book / ENGLISH / '07_why_initialization_matters.html').as_uri()
    assert book_page.evaluate('() => document.documentElement.lang') == 'en'


# --- Accessibility (issue 24) ---------------------------------------------------------------

def test_every_figure_is_rendered_with_its_text_alternative(book):
    """Each <img> of a figure carries the alt text set in its cell's metadata, in order: not the
    file name or hash that Jupyter Book writes when a figure has none; in both languages."""
    for place, notebook in ((place, notebook) for place in LANGUAGES for notebook in NOTEBOOKS):
        nb = nbformat.read(ROOT / 'notebooks' / place / f'{notebook}.ipynb', as_version=4)
        expected = [cell.metadata.get('mystnb', {}).get('image', {}).get('alt', '')
                    for cell in nb.cells if cell.cell_type == 'code'
                    for output in cell.outputs if 'image/png' in output.get('data', {})]
        page = (book / place / f'{notebook}.html').read_text(encoding='utf-8')
        rendered = [html.unescape(alt) for alt in
                    re.findall(r'<img [^>]*\balt="([^"]*)"[^>]*src="_images/', page)]
        assert all(expected) and rendered == expected, f'{place}/{notebook}'


@pytest.fixture(scope='module')
def axe_js():
    """axe-core, as make axe fetches it from npm (AXE_JS may name another copy)."""
    found = os.environ.get('AXE_JS') or next(
        (str(p) for p in sorted((ROOT / '.venv' / 'share').glob('axe-core-*/axe.min.js'))), None)
    if not found or not Path(found).is_file():
        pytest.skip('no axe-core: run the tests through make test, which fetches it (make axe), '
                    'or set AXE_JS=/path/to/axe.min.js')
    return Path(found).read_text(encoding='utf-8')


WCAG_21_AA = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']
# Nothing is excepted: the theme's buttons that axe found (label-content-name-mismatch) are
# overridden in book/_templates. An exception would be a (rule id, CSS selector) pair here,
# with the reason it cannot be fixed.
AXE_EXCEPTIONS = set()
# A 1280 x 800 window at 100 %, 200 % and 400 % zoom (WCAG 1.4.10's 320 CSS px), in CSS px.
DESKTOP = {'width': 1280, 'height': 800}
ZOOMED = {200: {'width': 640, 'height': 400}, 400: {'width': 320, 'height': 200}}


# The page as a reader sees it once it has settled: the theme's colour transitions (150 ms on
# its buttons, running when a page opens in the dark mode) have ended; an animation without end
# would never settle and is not waited for.
SETTLED = """() => Promise.all(document.getAnimations()
    .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
    .map(a => a.finished.catch(() => null))).then(() => true)"""


TWO_FRAMES = '() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))'


def open_page(page, path):
    """Load a book page and wait until MathJax (if the page has formulas) has typeset them and
    its transitions have ended (axe-core measures the colours of a settled page)."""
    page.goto(path.as_uri())
    page.wait_for_function('() => !document.querySelector("script[src*=mathjax]")'
                           ' || (window.MathJax && MathJax.startup && MathJax.startup.promise)')
    page.evaluate('() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null')
    page.evaluate(SETTLED)


def resize_window(page, viewport):
    """Give the window a new size and wait until the page has settled in it: at a smaller
    window the theme slides its sidebars away (four transitions), and a page measured or
    photographed before they end is still half in the old layout. Two frames first, so that
    a transition started by a script's answer to the resize has begun when SETTLED looks."""
    page.set_viewport_size(viewport)
    page.evaluate(TWO_FRAMES)
    page.evaluate(SETTLED)


def axe_violations(page, axe_js):
    """axe-core's WCAG 2.0/2.1 A and AA violations on the page: 'rule: selector' lines."""
    if not page.evaluate('() => !!window.axe'):
        page.add_script_tag(content=axe_js)
    result = page.evaluate('tags => axe.run(document, {runOnly: {type: "tag", values: tags},'
                           ' resultTypes: ["violations"]})', WCAG_21_AA)
    return [f'{rule["id"]}: {" ".join(node["target"])}' for rule in result['violations']
            for node in rule['nodes'] if (rule['id'], ' '.join(node['target']))
            not in AXE_EXCEPTIONS]


def screenshot(page, path):
    """A picture of the page for a person to look at (no check reads it), at its size in CSS px:
    at the device pixel ratio of 2, Chromium would encode four times the pixels (about 18 of the
    book test's CPU-seconds for its 51 pictures)."""
    page.screenshot(path=path, scale='css')


@pytest.fixture(scope='module')
def book_page(browser):
    """One browser page for all the book's checks (zoomed windows: fewer CSS px at twice the
    pixel density)."""
    context = browser.new_context(viewport=DESKTOP, device_scale_factor=2)
    yield context.new_page()
    context.close()


def test_every_page_passes_axe_core_at_wcag_21_aa_and_reflows_at_200_and_400_percent(
        book, book_page, axe_js, tmp_path):
    """axe-core finds nothing on any page of either book; at 200 % and 400 % zoom no page scrolls
    sideways (WCAG 1.4.4, 1.4.10; code blocks scroll inside themselves). Screenshots at 200 % in
    tmp_path."""
    found, wide = {}, {}
    for path in book_pages(book) + book_pages(book / ENGLISH):
        book_page.set_viewport_size(DESKTOP)
        open_page(book_page, path)
        name = path.relative_to(book).as_posix()
        found[name] = axe_violations(book_page, axe_js)
        for zoom, window in ZOOMED.items():
            resize_window(book_page, window)
            width = book_page.evaluate('() => document.documentElement.scrollWidth - innerWidth')
            if width > 0:
                wide[f'{name} at {zoom} %'] = width
            if zoom == 200:
                screenshot(book_page, tmp_path / f'{name.replace("/", "-")[:-5]}-200.png')
    assert len(found) >= 2 * (len(NOTEBOOKS) + 1)
    assert {name: v for name, v in found.items() if v} == {}
    assert wide == {}, 'pages wider than the zoomed window (CSS px)'


def test_the_dark_colour_mode_passes_axe_core_too(book, book_page, axe_js):
    """The theme follows the reader's system setting: its dark colours are checked on the two
    largest pages (prose, code, outputs, tables, formulas, figures), not on every page."""
    book_page.set_viewport_size(DESKTOP)
    book_page.emulate_media(color_scheme='dark')
    try:
        found = {}
        for name in ('05_exercises', '06_init_tour'):
            open_page(book_page, book / f'{name}.html')
            assert book_page.evaluate('() => document.documentElement.dataset.theme') == 'dark'
            found[name] = axe_violations(book_page, axe_js)
    finally:
        book_page.emulate_media(color_scheme='light')
    assert {name: v for name, v in found.items() if v} == {}


def focus_ring(page):
    """The focused element's outline (style, width in px) and its description."""
    return page.evaluate("""() => { const e = document.activeElement, s = getComputedStyle(e);
        return [s.outlineStyle, parseFloat(s.outlineWidth) || 0,
                e.outerHTML.slice(0, 80)] }""")


def test_the_book_is_usable_from_the_keyboard(book, book_page, tmp_path):
    """The first Tab shows the skip link, Enter moves on into the page's content, and every
    control that the next Tabs reach shows where the focus is (WCAG 2.4.1, 2.4.7)."""
    book_page.set_viewport_size(DESKTOP)
    open_page(book_page, book / '07_why_initialization_matters.html')
    book_page.keyboard.press('Tab')
    skip = book_page.locator('#pst-skip-link a')
    assert book_page.evaluate('() => document.activeElement.closest("#pst-skip-link") !== null')
    book_page.wait_for_function('() => document.querySelector("#pst-skip-link")'
                                '.getBoundingClientRect().top >= 0')  # it slides in
    screenshot(book_page, tmp_path / 'skip-link.png')
    style, width, _ = focus_ring(book_page)
    assert skip.is_visible() and style != 'none' and width >= 2
    book_page.keyboard.press('Enter')
    unringed = []
    for _ in range(12):
        book_page.keyboard.press('Tab')
        assert book_page.evaluate('() => document.querySelector("#main-content")'
                                  '.contains(document.activeElement)')
        style, width, element = focus_ring(book_page)
        if style == 'none' or width < 2:
            unringed.append(element)
    assert unringed == []


def test_formulas_carry_mathml_for_screen_readers(book, book_page):
    """MathJax's assistive MathML: every typeset formula has a hidden <math> that screen readers
    read (the CommonHTML glyphs are aria-hidden); the one for 0.01 × sqrt(256/2) ≈ 0.11 says so."""
    book_page.set_viewport_size(DESKTOP)
    open_page(book_page, book / '07_why_initialization_matters.html')
    formulas = book_page.locator('mjx-container')
    assert formulas.count() > 5
    assert book_page.locator('mjx-container mjx-assistive-mml math').count() == formulas.count()
    mathml = book_page.evaluate('() => [...document.querySelectorAll("mjx-assistive-mml")]'
                                '.map(m => m.innerHTML)')
    assert any('<msqrt><mn>256</mn>' in m and '<mn>0.11</mn>' in m for m in mathml), mathml[:3]


GRADING_MARKERS = ('BEGIN SOLUTION', 'END SOLUTION', 'HIDDEN TESTS', 'strict=True', 'nbgrader')


def page_text(html):
    """What a reader sees of a page: its text, the code without the highlighter's spans."""
    from bs4 import BeautifulSoup  # Jupyter Book's own dependency
    return BeautifulSoup(html, 'html.parser').get_text()


# An exercise heading's points: "（3 分）", "(3 points)".
POINTS = re.compile(r'（\d+ 分）|\(\d+ points?\)')


def test_no_page_shows_grading_markers(book):
    """Both books are the reader's edition (tools/reader_edition.py): no nbgrader machinery on
    a page, in the notebook a reader downloads from it (_sources) or in its search index."""
    found = []
    for folder in (book / place for place in LANGUAGES):
        pages = sorted(folder.glob('*.html'))
        assert {f'{name}.html' for name in NOTEBOOKS} <= {page.name for page in pages}
        for path in pages + sorted((folder / '_sources').iterdir()) + [folder / 'searchindex.js']:
            raw = path.read_text(encoding='utf-8')
            text = page_text(raw) if path.suffix == '.html' else raw
            name = path.relative_to(book).as_posix()
            found += [(name, marker) for marker in GRADING_MARKERS
                      if marker in text or marker.lower() in raw.lower()]
            found += [(name, points) for points in POINTS.findall(text)]
        exercises = page_text((folder / '05_exercises.html').read_text(encoding='utf-8'))
        assert 'd2l.check.init_table(when_to_use)' in exercises  # the check, as a reader calls it
    assert found == []


# A phone's viewport (CSS pixels); the laptop's is DESKTOP.
PHONE = {'width': 390, 'height': 844}
SMALLEST_CODE_FONT = 12  # px: below this, code on a phone is hard to read
PHONE_COLUMNS = 40  # a code line this long fits a phone's screen at that size
CODE_BLOCKS = """() => [...document.querySelectorAll('pre')].map(pre => ({
    scroll: pre.scrollWidth, client: pre.clientWidth, text: pre.textContent,
    font: parseFloat(getComputedStyle(pre).fontSize),
    overflow: getComputedStyle(pre).overflowX}))"""


def columns(line):
    """Columns of ``line`` in a monospace font; wide and full-width characters take two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(char) in 'WF' else 1 for char in line)


def widest(block):
    """The widest line of a code block, and its columns."""
    line = max(block['text'].splitlines() or [''], key=columns)
    return columns(line), line


def problems_at(device, blocks):
    """What is wrong with a page's code blocks on ``device``: on a laptop any sideways scroll;
    on a phone a font too small to read, or a scroll that a short line does not need or that
    cannot be scrolled (clipped)."""
    scrolling = [block for block in blocks if block['scroll'] > block['client']]
    if device == 'laptop':
        return [('scrolls', *widest(block)) for block in scrolling]
    too_small = [(f'{block["font"]}px font', *widest(block)) for block in blocks
                 if block['font'] < SMALLEST_CODE_FONT]
    return too_small + [('scrolls', *widest(block)) for block in scrolling
                        if widest(block)[0] <= PHONE_COLUMNS
                        or block['overflow'] not in ('auto', 'scroll')]


def test_code_blocks_fit_a_laptop_and_scroll_only_inside_themselves_on_a_phone(
        book, book_page, tmp_path):
    """At 1280 px no code block scrolls sideways (80 columns fit: book/_static/code-width.css
    shrinks the font with the column); at 390 px the code stays readable, short lines fit and
    a longer one scrolls inside its own block (that the page does not is checked at 320 px
    above). Screenshots of each page at both widths go to the test's folder."""
    problems = []
    for name in NOTEBOOKS:
        book_page.set_viewport_size(DESKTOP)
        open_page(book_page, book / f'{name}.html')
        for device, viewport in (('laptop', DESKTOP), ('phone', PHONE)):
            resize_window(book_page, viewport)
            screenshot(book_page, tmp_path / f'{name}-{device}.png')
            problems += [(name, device, *problem)
                         for problem in problems_at(device, book_page.evaluate(CODE_BLOCKS))]
    assert not problems, '\n'.join(map(str, problems))
