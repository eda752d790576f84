"""The language the helpers speak to the learner in: one setting, ``D2L_LANGUAGE``.

``zh`` (the default, also when the variable is unset or empty) or ``en``. The text a learner
reads (the self-checks' verdicts and hints, the explorer's description of its figure) is
written in Chinese in the code, marked ``_('…')``: the Chinese is the gettext msgid, and the
English lives in the catalog ``d2lhelpers/locale/en/LC_MESSAGES/d2lhelpers.po`` (made and
refreshed by ``make english-catalogs``, translated in any PO editor). The catalog is read with
polib and served by the standard library's ``gettext``, so nothing compiled is kept in git.

The variable is read at every message, not at import: the English notebooks' kernel,
``d2l-mxnet-en`` (tools/project_kernel.py), sets it, and a reader may switch in a running
kernel (``%env D2L_LANGUAGE=en``). Any other value is an error that names the choices.

Used in: 05_exercises (through ``check``), 11_init_explorer (through ``explorer``).
"""
import functools
import gettext
import io
import os
from pathlib import Path

VARIABLE = 'D2L_LANGUAGE'
DEFAULT = 'zh'  # the language the messages are written in (the msgids)
LANGUAGES = ('zh', 'en')
DOMAIN = 'd2lhelpers'
LOCALE_DIR = Path(__file__).resolve().parent / 'locale'


class LanguageError(ValueError):
    """``D2L_LANGUAGE`` names a language the helpers do not speak."""


def current():
    """The language chosen by ``D2L_LANGUAGE``: 'zh' or 'en'."""
    value = os.environ.get(VARIABLE, '').strip() or DEFAULT
    if value not in LANGUAGES:
        raise LanguageError(f'{VARIABLE}={value!r}: the helpers speak {" and ".join(LANGUAGES)}; '
                            f'set {VARIABLE} to one of them (unset, it is {DEFAULT})')
    return value


def catalog_path(language):
    """Where the catalog of ``language`` is (gettext's layout: LANG/LC_MESSAGES/DOMAIN.po)."""
    return LOCALE_DIR / language / 'LC_MESSAGES' / f'{DOMAIN}.po'


@functools.lru_cache(maxsize=None)
def translations(language):
    """gettext's translations into ``language``; the msgids themselves for the default."""
    if language == DEFAULT:
        return gettext.NullTranslations()
    import polib  # only when a translation is asked for

    catalog = polib.pofile(str(catalog_path(language)))
    # Only translated entries reach the .mo image (not fuzzy or empty ones), as msgfmt does.
    return gettext.GNUTranslations(io.BytesIO(catalog.to_binary()))


def _(message):
    """``message`` (a Chinese msgid) in the language of ``D2L_LANGUAGE``."""
    return translations(current()).gettext(message)
