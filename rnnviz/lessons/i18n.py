"""The Lesson page's interface strings in English and Croatian: gettext message catalogues.

The catalogues are the .po files under rnnviz/resources/locale/<lang>/LC_MESSAGES/rnnviz.po, the
standard format translators edit. They are compiled when first read, in memory, with Babel (the
same compiler as `pybabel compile`), and served by the standard library's GNUTranslations, so
there is no build step and no binary .mo file to keep in step with its source.

    _ = translator("hr")
    _("Next")  -> "Dalje"

A msgid without a translation falls back to the English text (gettext's rule); the tests check
that every msgid of the English catalogue has a Croatian translation.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Callable
from functools import cache
from importlib import resources

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

DOMAIN = "rnnviz"
Translate = Callable[[str], str]  # msgid -> the text in the reader's language
LANGUAGE_NAMES = {"en": "English", "hr": "Hrvatski"}  # each language in its own words


def N_(message: str) -> str:
    """Marks a msgid kept in a table for later translation (gettext's N_): returns it unchanged."""
    return message


def english(message: str) -> str:
    """The English translator (the msgid itself): the default of every view the Lesson reuses."""
    return message


def read_catalog(lang: str) -> Catalog:
    """The parsed .po catalogue of `lang` (Babel's Catalog: iterate for messages)."""
    path = resources.files("rnnviz.resources").joinpath(f"locale/{lang}/LC_MESSAGES/{DOMAIN}.po")
    with path.open("rb") as source:
        return read_po(source, locale=lang, domain=DOMAIN)


@cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (English, or an unknown code, gives the msgids unchanged)."""
    if lang not in LANGUAGE_NAMES or lang == "en":
        return gettext.NullTranslations()
    compiled = io.BytesIO()
    write_mo(compiled, read_catalog(lang))
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def translator(lang: str) -> Translate:
    """gettext for `lang`: msgid -> the translated text."""
    return translations(lang).gettext
