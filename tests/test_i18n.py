"""The app in the room's language: every message has every translation, placeholders intact;
numbers and country names follow the locale."""

from __future__ import annotations

import string
from pathlib import Path

import pytest

pytest.importorskip("babel")
from babel.messages.extract import extract_from_file  # noqa: E402
from babel.messages.pofile import read_po  # noqa: E402

from sim.data import SECTOR_LABELS  # noqa: E402
from sim.scenarios import list_scenarios, load_scenario  # noqa: E402
from webapp import i18n  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [ROOT / "app.py", *sorted((ROOT / "webapp").glob("*.py"))]
LANGUAGES = [code for code in i18n.LANGUAGES if code != i18n.DEFAULT_LANGUAGE]


def messages_in_code() -> set[str]:
    """Every string marked _("...") or N_("...") in the app's code (as `pybabel extract`)."""
    found = set()
    for path in SOURCES:
        for _line, message, _comments, _context in extract_from_file(
                "python", str(path), keywords={"_": None, "N_": None}):
            found.add(message)
    return found


def catalogue(code: str):
    with (i18n.LOCALE_DIR / code / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=code)


def fields(text: str) -> list[str]:
    return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name)


def test_the_template_holds_every_message_of_the_code():
    with (i18n.LOCALE_DIR / "messages.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    code = messages_in_code()
    assert code - template == set(), "run pybabel extract (see README)"
    assert template - code == set(), "messages no longer in the code"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_message_has_a_translation_with_the_same_placeholders(code):
    messages = {m.id: m for m in catalogue(code) if m.id}
    missing = messages_in_code() - set(messages)
    assert not missing, f"{code}: untranslated {sorted(missing)[:5]}"
    for message in messages.values():
        assert message.string and not message.fuzzy, (code, message.id)
        assert fields(message.string) == fields(message.id), (code, message.id, message.string)
        assert message.string != message.id or len(message.id) < 30 or "`" in message.id, \
            (code, "left in English", message.id)


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_page_speaks_the_language(code):
    i18n.use(code)
    try:
        text = i18n._("By the end of {year}").format(year=2035)
        assert text != "By the end of 2035" and "2035" in text
    finally:
        i18n.use("en")


@pytest.mark.parametrize(("code", "count", "share", "money"), [
    ("en", "185,000", "2.6%", "PHP 23.9 billion"),
    ("vi", "185.000", "2,6%", "PHP 23,9 tỷ"),
    ("id", "185.000", "2,6%", "PHP 23,9 miliar"),
    ("fil", "185,000", "2.6%", "PHP 23.9 na bilyon"),
    ("th", "185,000", "2.6%", "PHP 2.39 หมื่นล้าน"),
])
def test_numbers_follow_the_locale(code, count, share, money):
    i18n.use(code)
    try:
        assert i18n.num(185_167) == count
        assert i18n.pct(2.58) == share
        assert i18n.money(2.39e10, "PHP") == money
        assert i18n.num(float("nan")) == i18n._("n/a")
    finally:
        i18n.use("en")


def test_country_names_come_from_cldr_and_english_keeps_the_data_s_names():
    i18n.use("th")
    assert i18n.country_name("THA", "Thailand") == "ไทย"
    assert i18n.country_name("MMR", "Myanmar") == "เมียนมา"  # no "(Burma)" after it
    i18n.use("vi")
    assert i18n.country_name("VNM", "Viet Nam") == "Việt Nam"
    i18n.use("en")
    assert i18n.country_name("VNM", "Viet Nam") == "Viet Nam"


def test_translated_names_follow_the_sectors_and_the_scenario_files():
    from webapp.controls import SCENARIO_NAMES, SECTOR_NAMES

    assert SECTOR_NAMES == SECTOR_LABELS
    assert set(SCENARIO_NAMES) == set(list_scenarios())
    for name, title in SCENARIO_NAMES.items():
        assert load_scenario(name).name == title, name


def test_an_unknown_language_falls_back_to_english():
    assert i18n.use("xx") == "en"
    assert i18n._("Country") == "Country"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_page_names_each_figure_s_definition_in_the_language(code):
    """The informal share and underemployment rate name the definition they follow (a
    national one, the ILO's, or the status proxy), translated, with the agency kept."""
    from sim.inputs import CONCEPTS, Definition
    from webapp import headline

    wordings = {text for by_basis in CONCEPTS.values() for text in by_basis.values()}
    assert wordings <= set(headline.CONCEPTS), "mark sim.inputs.CONCEPTS in webapp.headline"
    summary = {"definitions": {
        "underemployment_rate": Definition("underemployment_rate", "national", "PSA"),
        "informal_share": Definition("informal_share", "status_proxy"),
    }}
    i18n.use(code)
    try:
        national = headline.definition(summary, "underemployment_rate")
        proxy = headline.definition(summary, "informal_share")
    finally:
        i18n.use("en")
    assert "PSA" in national and national != "national definition (PSA)"
    assert proxy != "status proxy (own-account + contributing family workers), a lower bound"
    assert headline.definition(summary, "underemployment_rate") == "national definition (PSA)"


PROGRAMMES = ["both programmes", "the reskilling programme", "the job-creation programme"]


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_programme_name_reads_in_every_sentence_that_takes_it(code):
    """The programme's name goes into four sentences; in Filipino "Sa ang programa ..." and
    "nahanap ang ang programa" were ungrammatical (the name carried its own article)."""
    i18n.use(code)
    try:
        templates = [m for m in messages_in_code() if "{programme}" in m]
        assert len(templates) == 4
        for template in templates:
            for name in PROGRAMMES:
                values = {f: "1" for f in fields(template)}
                values["programme"] = i18n._(name)
                text = i18n._(template).format(**values)
                assert i18n._(name) in text
                if code == "fil":
                    assert "Sa ang" not in text and "ang ang" not in text, text
    finally:
        i18n.use("en")


def test_the_filipino_sentence_of_a_programme_reads_correctly():
    pytest.importorskip("streamlit")
    from streamlit.testing.v1 import AppTest

    from webapp import story

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in {"lang": "fil", "run.replications": "2", "run.horizon_months": "36",
                       "levers.reskilling.enabled": "true",
                       "levers.reskilling.eligibility": "unemployed"}.items():
        at.query_params[key] = value
    at.run(timeout=300)
    assert not at.exception and not at.error
    page = " ".join(m.value for m in at.markdown)
    shown = at.session_state["last_good"][0]
    i18n.use("fil")
    try:
        sentence = story.sentence(shown)
    finally:
        i18n.use("en")
    assert sentence in page
    assert "Kapag may programa sa reskilling" in sentence or "programa sa reskilling" in sentence
    assert "Sa ang" not in page and "ang ang" not in page
