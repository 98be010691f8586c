"""The room's language: translated text from gettext catalogues, numbers and names by locale.

Messages are marked ``_("...")`` in the app's code and translated in
``webapp/locale/<language>/LC_MESSAGES/messages.po`` (gettext catalogues; ``messages.pot`` is
the template, extracted with Babel: see README). The .po files are read with Babel and compiled
in memory, once per process. Numbers, money and percentages are formatted with Babel for the
language's locale (``1,234`` in English, ``1.234`` in Vietnamese and Indonesian); country
names come from the Unicode CLDR through Babel.

The language of the current page is held in a context variable that ``use`` sets at the start
of every script run: Streamlit runs each session's script in its own thread, so two sessions in
two languages do not see each other's. Cached computations must not depend on it (they return
numbers; text is made afterwards).
"""

from __future__ import annotations

import datetime as dt
import functools
import gettext
import io
import math
import re
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import TypeVar

from babel import Locale
from babel.dates import format_skeleton
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_compact_decimal, format_decimal, format_percent

__all__ = [
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "LOCALE_DIR",
    "N_",
    "_",
    "country_name",
    "d3_number_locale",
    "decimal",
    "in_page_language",
    "language",
    "money",
    "month_year",
    "num",
    "pct",
    "points",
    "signed",
    "use",
]

#: Language code (gettext and CLDR) -> its name in that language, as the picker shows it.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "fil": "Filipino",
    "vi": "Tiếng Việt",
    "id": "Bahasa Indonesia",
    "th": "ไทย",
}
DEFAULT_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"
#: ISO 3166 alpha-3 -> alpha-2, for CLDR's country names (the ten ASEAN members).
ISO2 = {
    "BRN": "BN",
    "KHM": "KH",
    "IDN": "ID",
    "LAO": "LA",
    "MYS": "MY",
    "MMR": "MM",
    "PHL": "PH",
    "SGP": "SG",
    "THA": "TH",
    "VNM": "VN",
}

_language: ContextVar[str] = ContextVar("language", default=DEFAULT_LANGUAGE)


@functools.cache
def catalogue(code: str) -> gettext.NullTranslations:
    """The compiled catalogue of a language (English is the source text)."""
    if code == DEFAULT_LANGUAGE:
        return gettext.NullTranslations()
    path = LOCALE_DIR / code / "LC_MESSAGES" / f"{DOMAIN}.po"
    with path.open("rb") as handle:
        messages = read_po(handle, locale=code)
    compiled = io.BytesIO()
    write_mo(compiled, messages, use_fuzzy=False)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def use(code: str | None) -> str:
    """Make ``code`` the language of this script run (unknown codes: English); returns it."""
    chosen = code if code in LANGUAGES else DEFAULT_LANGUAGE
    _language.set(chosen)
    return chosen


def language() -> str:
    return _language.get()


T = TypeVar("T")


def in_page_language(build: Callable[[], T]) -> Callable[[], T]:
    """``build``, to be run later in the language of the page that makes it.

    A download button's callable (``st.download_button(data=callable)``) runs when the file is
    asked for, outside the page's script run, where the language is back to English: the
    language is captured now and set explicitly around the call.
    """
    code = language()

    @functools.wraps(build)
    def run() -> T:
        token = _language.set(code)
        try:
            return build()
        finally:
            _language.reset(token)

    return run


def _(message: str) -> str:
    """``message`` in the current language."""
    return catalogue(language()).gettext(message)


def N_(message: str) -> str:  # noqa: N802 - the gettext convention
    """Mark ``message`` for translation where it is defined; translate it where it is shown."""
    return message


def _locale() -> str:
    return language()


def _three_figures(value: float) -> float:
    """``value`` rounded to three significant figures (model output is not more precise)."""
    if value == 0 or not math.isfinite(value):
        return value
    digits = 2 - int(math.floor(math.log10(abs(value))))
    return round(value, digits)


def num(value: float | None) -> str:
    """A count of people or jobs: three significant figures, millions and more in words
    (``185,000``; ``2.55 million``; ``2,55 triệu``). None or NaN: "n/a"."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    rounded = _three_figures(float(value))
    if abs(rounded) >= 1e6:
        return format_compact_decimal(
            rounded, format_type="long", fraction_digits=2, locale=_locale()
        )
    return format_decimal(round(rounded), format="#,##0", locale=_locale())


def money(value: float | None, currency: str, short: bool = False) -> str:
    """An amount in a currency code: ``PHP 49.9 billion``, ``VND 1,25 nghìn tỷ``; ``short``
    for a key number: ``PHP 49.9B``, ``VND 1,25 N Tỷ`` (the locale's own abbreviations)."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    if short and abs(value) >= 1e6:
        return f"{currency} " + format_compact_decimal(
            _three_figures(value), format_type="short", fraction_digits=1, locale=_locale()
        )
    return f"{currency} {num(value)}"


def pct(value: float | None, digits: int = 1) -> str:
    """A share given in percent (``2.6`` -> ``2.6%``, ``2,6%``)."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    pattern = "#,##0." + "0" * digits + "%" if digits else "#,##0%"
    return format_percent(value / 100.0, format=pattern, locale=_locale())


def decimal(value: float | None, digits: int = 2) -> str:
    """A ratio or other plain number with ``digits`` decimals (``-0.02``, ``-0,02``)."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    pattern = "#,##0." + "0" * digits if digits else "#,##0"
    return format_decimal(value, format=pattern, locale=_locale())


def month_year(year: int, month: int) -> str:
    """A month in words for the locale: ``June 2028``, ``tháng 6 năm 2028``, ``Hunyo 2028``."""
    return format_skeleton("yMMMM", dt.date(year, month, 1), locale=_locale())


def signed(value: float | None) -> str:
    """A difference with its sign: ``+1,230``, ``-45``, ``0``."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    text = num(abs(value))
    if _three_figures(value) == 0:
        return text
    return ("+" if value > 0 else "\u2212") + text


def points(value: float | None, digits: int = 2) -> str:
    """A difference of two percentages, in percentage points (``+0.12 pts``)."""
    if value is None or not math.isfinite(value):
        return _("n/a")
    text = format_decimal(abs(value), format="0." + "0" * digits, locale=_locale())
    sign = "" if round(value, digits) == 0 else ("+" if value > 0 else "\u2212")
    unit = _("pts")
    return f"{sign}{text} {unit}"


@functools.cache
def _territories(code: str) -> dict[str, str]:
    return dict(Locale.parse(code).territories)


def country_name(iso3: str, english: str) -> str:
    """The country's name in the current language; ``english`` (the data's own name, as the
    ILO writes it) in English or where CLDR has none."""
    if language() == DEFAULT_LANGUAGE or iso3 not in ISO2:
        return english
    name = _territories(language()).get(ISO2[iso3], english)
    return re.sub(r"\s*\(.*\)$", "", name)  # "Myanmar (Burma)" -> "Myanmar"


def d3_number_locale() -> dict[str, object]:
    """The current locale's number conventions for Vega-Lite charts (``config.locale``)."""
    loc = Locale.parse(language())
    return {
        "decimal": loc.number_symbols["latn"]["decimal"],
        "thousands": loc.number_symbols["latn"]["group"],
        "grouping": [3],
        "currency": ["", ""],
    }
