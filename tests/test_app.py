"""The Streamlit app driven headless with AppTest: what a facilitator or an analyst would do."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.scenarios import list_scenarios  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SEATS = "w:levers.reskilling.seats_per_100k"
RESKILL = "w:levers.reskilling.enabled"


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def number(text: str) -> float:
    """'PHP 49.9 bn' -> 4.99e10; '578,000' -> 578000; 'n/a' -> nan."""
    found = re.search(r"(-?[\d,.]+)\s*(bn|M)?", text.replace("PHP", ""))
    if not found or text.strip() == "n/a":
        return float("nan")
    value = float(found[1].replace(",", ""))
    return value * {"bn": 1e9, "M": 1e6, None: 1}[found[2]]


def pick(at: AppTest, start_of_label: str) -> str:
    for label, value in metrics(at).items():
        if label.startswith(start_of_label):
            return value
    raise AssertionError(f"no metric starting {start_of_label!r}: {list(metrics(at))}")


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_app_starts_with_headlines_and_banded_charts():
    at = start()
    assert_clean(at)
    assert at.selectbox(key="w:country").value == "PHL"
    assert at.selectbox(key="w:scenario").value == "baseline"
    assert number(pick(at, "Jobs removed by end-2030")) > 0
    assert number(pick(at, "Jobs removed by end-2035")) > number(pick(at, "Jobs removed by "
                                                                       "end-2030"))
    charts = at.get("vega_lite_chart")
    assert len(charts) == 8
    # Every chart has a title, and the band (low/high) is drawn from the data.
    import json
    for chart in charts:
        spec = json.loads(chart.proto.spec)
        assert spec.get("title", {}).get("text"), spec.get("title")
        assert "low" in json.dumps(spec) and "high" in json.dumps(spec)


def test_reskilling_lever_raises_training_and_cost():
    at = start()
    assert number(pick(at, "In reskilling")) == 0
    assert number(pick(at, "Programme cost")) == 0
    assert pick(at, "Cost per extra") == "n/a"
    at.toggle(key=RESKILL).set_value(True)
    # The baseline's automation removes jobs through hires foregone, not layoffs: open the
    # programme to every unemployed person so that it has people to train.
    at.selectbox(key="w:levers.reskilling.eligibility").set_value("unemployed")
    at.select_slider(key=SEATS).set_value(5.0)
    at.run()
    assert_clean(at)
    in_training = number(pick(at, "In reskilling"))
    cost = number(pick(at, "Programme cost"))
    assert in_training > 0 and cost > 0
    # More seats: more people in training, more spent (while seats are the binding limit).
    at.select_slider(key=SEATS).set_value(100.0)
    at.run()
    assert number(pick(at, "In reskilling")) > in_training
    assert number(pick(at, "Programme cost")) > cost
    # The comparison with no policy is shown next to the numbers.
    assert any(m.delta and "vs no policy" in m.delta for m in at.metric)
    # ... and the link now carries the changed levers.
    assert at.query_params["levers.reskilling.enabled"] == "true"
    assert at.query_params["levers.reskilling.seats_per_100k"] == "100"
    assert at.query_params["levers.reskilling.eligibility"] == "unemployed"


@pytest.mark.parametrize("name", list_scenarios())
def test_every_preset_renders(name):
    at = start()
    at.selectbox(key="w:scenario").set_value(name).run()
    assert_clean(at)
    assert len(at.metric) == 8
    assert at.query_params["scenario"] == name


def test_choosing_a_preset_sets_its_levers_and_reset_restores_them():
    at = start()
    at.selectbox(key="w:scenario").set_value("reskilling_push").run()
    assert at.toggle(key=RESKILL).value is True
    at.toggle(key=RESKILL).set_value(False).run()
    assert at.toggle(key=RESKILL).value is False
    at.button(key="reset").click().run()
    assert at.toggle(key=RESKILL).value is True
    assert_clean(at)


@pytest.mark.parametrize("content, expected", [
    (b"name = 'x'\nthis is not toml", "not valid TOML"),
    (b"name = 'x'\n[uncertainties]\nadoption_pase = 2.0\n", "unknown key"),
    (b"name = 'x'\n[uncertainties]\nadoption_pace = 99\n", "adoption_pace"),
    (b"\xff\xfe bad bytes", "not UTF-8"),
    (b"name = 'x'\n" + b"#" * (300 * 1024), "larger than 256 KiB"),
])
def test_bad_upload_shows_a_message(content, expected):
    at = start()
    at.file_uploader(key="upload").upload("mine.toml", content, "application/toml")
    at.run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any(expected in m and "mine.toml" in m for m in messages), messages
    assert len(at.metric) == 8  # the page keeps working on the preset


def test_good_upload_becomes_the_scenario():
    at = start()
    # Open to every unemployed person: the Philippine baseline removes jobs through hires
    # foregone rather than layoffs, so a programme for the laid-off would have nobody to train.
    text = b'extends = "reskilling_push"\nname = "Our <b>plan</b>"\n' \
           b'[levers.reskilling]\nseats_per_100k = 50.0\neligibility = "unemployed"\n'
    at.file_uploader(key="upload").upload("plan.toml", text, "application/toml")
    at.run()
    assert_clean(at)
    assert at.select_slider(key=SEATS).value == 50.0
    assert at.toggle(key=RESKILL).value is True
    assert number(pick(at, "Programme cost")) > 0


def test_uploaded_heavy_settings_are_capped_for_the_shared_server():
    at = start()
    text = b'name = "Heavy"\ncountries = ["BRN"]\n[run]\nreplications = 500\n'
    at.file_uploader(key="upload").upload("heavy.toml", text, "application/toml")
    at.run()
    assert_clean(at)
    assert at.number_input(key="w:run.replications").value == 50
    assert any("above the app's limit of 50" in w.value for w in at.warning)


def test_impossible_setting_shows_a_message_and_keeps_the_last_result():
    at = start()
    at.selectbox(key="w:scenario").set_value("reskilling_push").run()
    before = metrics(at)
    at.multiselect(key="w:levers.reskilling.target_sectors").set_value([]).run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any("target_sectors needs at least one sector" in m for m in messages), messages
    assert metrics(at) == before  # the last good result stays on screen


def test_country_specific_preset_for_another_country_is_refused_plainly():
    at = start()
    at.selectbox(key="w:scenario").set_value("phl_bpo").run()
    assert_clean(at)
    at.selectbox(key="w:country").set_value("VNM").run()
    assert not at.exception
    assert any("PHL" in e.value for e in at.error)


def test_query_params_restore_the_settings():
    at = start(country="VNM", scenario="reskilling_push",
               **{"levers.reskilling.seats_per_100k": "50",
                  "uncertainties.adoption_pace": "1.5",
                  "focus": "retail_trade,manufacturing"})
    assert_clean(at)
    assert not at.warning
    assert at.selectbox(key="w:country").value == "VNM"
    assert at.selectbox(key="w:scenario").value == "reskilling_push"
    assert at.select_slider(key=SEATS).value == 50.0
    assert at.slider(key="w:uncertainties.adoption_pace").value == 1.5
    assert at.multiselect(key="w:focus").value == ["retail_trade", "manufacturing"]
    assert pick(at, "Programme cost").startswith("VND")


def test_invalid_query_params_fall_back_with_a_note():
    at = start(country="XXX", scenario="nope",
               **{"levers.reskilling.seats_per_100k": "lots",
                  "uncertainties.adoption_pace": "99", "levers.bogus": "1"})
    assert not at.exception
    assert not at.error
    notes = " ".join(w.value for w in at.warning)
    for bad in ("'nope'", "'XXX'", "seats_per_100k", "adoption_pace", "levers.bogus"):
        assert bad in notes, notes
    assert at.selectbox(key="w:country").value == "PHL"
    assert at.slider(key="w:uncertainties.adoption_pace").value == 1.0
    assert len(at.metric) == 8


def test_widget_ranges_and_help_come_from_the_schema():
    from sim.scenarios.schema import Reskilling, Uncertainties
    at = start()
    pace = at.slider(key="w:uncertainties.adoption_pace")
    field = Uncertainties.model_fields["adoption_pace"]
    assert pace.value == field.default
    assert (pace.min, pace.max) == (0.0, 5.0)
    assert field.description in pace.help
    seats = at.select_slider(key=SEATS)
    assert seats.value == Reskilling.model_fields["seats_per_100k"].default
    assert float(seats.options[-1]) == 5000.0


def test_exports_are_offered():
    at = start()
    labels = [b.label for b in at.get("download_button")]
    assert any("HTML brief" in label for label in labels)
    assert sum(label.startswith("CSV") for label in labels) >= 9


def test_html_brief_carries_the_numbers_on_the_page():
    import app  # the page's own brief builder, on the bundle the page drew

    at = start()
    at.selectbox(key="w:scenario").set_value("reskilling_push").run()
    assert_clean(at)
    page = app.build_brief(at.session_state["last_good"])
    for label, value in metrics(at).items():
        if label.startswith(("Jobs removed", "Laid off", "Programme cost", "In reskilling")):
            assert html.escape(value) in page, (label, value)


def test_sources_panel_compares_the_model_with_observed_data():
    at = start(country="THA")
    at.button(key="validate").click().run()
    assert_clean(at)
    table = at.dataframe[-1].value
    rows = table.set_index("indicator")
    assert rows.loc["unemployment rate", "result"] == "pass"
    assert rows.loc["employment in GenAI-exposed occupations", "result"] == "FAIL"
