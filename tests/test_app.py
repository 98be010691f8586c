"""The Streamlit app driven headless with AppTest: what a facilitator or an analyst would do.

Runs are kept small where the point is the page, not the numbers (two replications, a short
horizon, through the share link); the key numbers are then read at the run's last month.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import pytest

pytest.importorskip("streamlit")
from streamlit.testing.v1 import AppTest  # noqa: E402

from sim.scenarios import list_scenarios  # noqa: E402
from webapp import compute  # noqa: E402

APP = str(Path(__file__).resolve().parent.parent / "app.py")
SEATS = "w:levers.reskilling.seats_per_100k"
RESKILL = "w:levers.reskilling.enabled"
QUICK = {"run.replications": "2", "run.horizon_months": "36"}


def start(**query: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=300)
    for key, value in query.items():
        at.query_params[key] = value
    at.run()
    return at


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def pick(at: AppTest, start_of_label: str) -> str:
    for label, value in metrics(at).items():
        if label.startswith(start_of_label):
            return value
    raise AssertionError(f"no metric starting {start_of_label!r}: {list(metrics(at))}")


def summary(at: AppTest) -> dict:
    return at.session_state["last_good"][0]


def texts(at: AppTest) -> str:
    return " ".join(m.value for m in at.markdown)


def assert_clean(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]


def test_the_page_opens_with_the_story_first():
    at = start()
    assert_clean(at)
    assert at.selectbox(key="w:country").value == "PHL"
    assert at.selectbox(key="w:scenario").value == "baseline"
    page = texts(at)
    assert "Philippines · Baseline: no policy" in page
    assert "By the end of 2035, automation removes about" in page
    numbers = summary(at)["key"]
    assert numbers["removed"]["median"] > 0
    # The sentence and the first key number say the same thing.
    assert pick(at, "Jobs removed by automation, by 2035") in page
    assert len(at.metric) == 4
    specs = charts(at)
    assert len(specs) >= 4
    for spec in specs:  # titled, banded, drawn as SVG, numbers in the page's locale
        assert spec["title"]["text"], spec.get("title")
        assert "low" in json.dumps(spec) and "high" in json.dumps(spec)
        assert spec["usermeta"]["embedOptions"]["renderer"] == "svg"
        assert spec["config"]["locale"]["number"]["thousands"] == ","


def test_one_engine_one_answer_the_cli_s_automatic_scale():
    """The page runs the scenario at the CLI's automatic scale (focus-sector floor included)
    and says so; its key numbers are the simulator's for the same settings."""
    from sim.runner import run_scenario
    from sim.scenarios import load_scenario, with_overrides

    at = start(scenario="phl_bpo", **QUICK)
    assert_clean(at)
    cli = run_scenario(with_overrides(load_scenario("phl_bpo"), {
        "run.replications": 2, "run.horizon_months": 36}))
    assert summary(at)["scale"] == sorted({int(k) for k in cli.scales[0]}) == [95]
    shown = summary(at)["key"]["removed"]["median"]
    assert shown == float(cli.headline(years=[2028])
                          .set_index("metric").loc["automation_cut_cumulative", "median"])
    assert "one simulated person stands for 95 real people (the automatic scale that sim run" in \
        " ".join(c.value for c in at.caption)


def test_reskilling_lever_shows_its_paired_effect_cost_and_link():
    at = start(**QUICK)
    assert "Extra people in work" not in " ".join(metrics(at))
    at.toggle(key=RESKILL).set_value(True).run()  # its settings come alive
    # The baseline's automation removes jobs through hires foregone, not layoffs: open the
    # programme to every unemployed person so that it has people to train.
    at.selectbox(key="w:levers.reskilling.eligibility").set_value("unemployed")
    at.select_slider(key=SEATS).set_value(5.0)
    at.run()
    assert_clean(at)
    low = summary(at)["key"]
    assert low["enrolled"]["median"] > 0 and low["cost"]["median"] > 0
    assert pick(at, "Extra people in work")
    at.select_slider(key=SEATS).set_value(100.0)
    at.run()
    high = summary(at)["key"]
    assert high["enrolled"]["median"] > low["enrolled"]["median"]
    assert high["cost"]["median"] > low["cost"]["median"]
    assert at.query_params["levers.reskilling.enabled"] == "true"
    assert at.query_params["levers.reskilling.seats_per_100k"] == "100"
    assert at.query_params["levers.reskilling.eligibility"] == "unemployed"
    # The policy charts show the paired difference with a zero line, not two lines.
    at.segmented_control(key="w:view").set_value("policy").run()
    assert_clean(at)
    diffs = [s for s in charts(at) if "paired by seed" in json.dumps(s.get("title"))]
    assert len(diffs) >= 5
    # trainees are outside the labour force in the survey count: a second chart counts them as
    # unemployed, so the programme's fall in unemployment is not all definitional
    assert any("Unemployed or in reskilling" in json.dumps(s.get("title")) for s in diffs)
    effects = summary(at)["effects"]
    assert effects["unemployed_or_training"]["at"]["median"] > effects["unemployed"]["at"][
        "median"]
    for spec in diffs:
        assert any(layer.get("data", {}).get("values") == [{"zero": 0}]
                   for layer in spec["layer"])


def test_a_change_that_is_noise_gets_no_coloured_arrow():
    """A paired difference whose band includes zero is 'no clear change', grey and without an
    arrow; a clear one is coloured by whether it is good, its arrow by its sign."""
    from streamlit.proto.Metric_pb2 import Metric

    at = start(**QUICK, **{"levers.reskilling.enabled": "true",
                           "levers.reskilling.eligibility": "unemployed",
                           "levers.reskilling.seats_per_100k": "1"})
    assert_clean(at)
    card = next(m for m in at.metric if m.label.startswith("Unemployment rate"))
    table = summary(at)["comparison"]
    change = table[table["metric"] == "unemployment_rate"].iloc[-1]
    if change["low"] > 0 or change["high"] < 0:
        rise = change["difference"] > 0
        assert card.proto.direction == (Metric.UP if rise else Metric.DOWN)
        assert card.proto.color == (Metric.RED if rise else Metric.GREEN)
    else:
        assert card.delta == "no clear change vs no programmes"
        assert card.proto.direction == Metric.NONE and card.proto.color == Metric.GRAY


@pytest.mark.parametrize("name", list_scenarios())
def test_every_preset_renders(name):
    at = start(scenario=name, **QUICK)
    assert_clean(at)
    assert len(at.metric) == 4
    assert at.query_params["scenario"] == name
    assert texts(at).count("By the end of") >= 1


def test_programme_settings_are_greyed_out_while_it_is_off():
    at = start(**QUICK)
    assert at.select_slider(key=SEATS).disabled
    assert at.slider(key="w:levers.reskilling.duration_months").disabled
    at.toggle(key=RESKILL).set_value(True).run()
    assert not at.select_slider(key=SEATS).disabled
    assert at.slider(key="w:levers.job_creation.duration_months").disabled


def test_controls_show_words_not_codes():
    at = start(**QUICK)
    who = at.selectbox(key="w:levers.reskilling.eligibility")
    shown = [who.format_func(option) for option in who.options]
    assert "People laid off by automation" in shown
    assert not any("_" in label for label in shown), shown


def test_seats_beyond_the_people_eligible_are_explained():
    at = start(scenario="reskilling_push", **QUICK, **{
        "levers.reskilling.eligibility": "long_term_unemployed",
        "levers.reskilling.seats_per_100k": "5000"})
    assert_clean(at)
    notes = " ".join(i.value for i in at.info)
    assert "of the reskilling seats are filled" in notes and "more seats change nothing" in notes


def test_a_programme_with_nobody_eligible_says_why():
    at = start(scenario="reskilling_push", **QUICK,
               **{"levers.reskilling.eligibility": "automation_displaced"})
    assert_clean(at)
    assert summary(at)["key"]["enrolled"]["median"] == 0  # no layoffs in this run
    assert any("finds nobody eligible" in i.value for i in at.info)


def test_choosing_a_preset_sets_its_levers_and_reset_restores_them():
    at = start(**QUICK)
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
    at = start(**QUICK)
    at.file_uploader(key="upload").upload("mine.toml", content, "application/toml")
    at.run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any(expected in m and "mine.toml" in m for m in messages), messages
    assert len(at.metric) == 4  # the page keeps working on the preset


def test_good_upload_becomes_the_scenario():
    at = start(**QUICK)
    # Open to every unemployed person: the Philippine baseline removes jobs through hires
    # foregone rather than layoffs, so a programme for the laid-off would have nobody to train.
    text = b'extends = "reskilling_push"\nname = "Our <b>plan</b>"\n' \
           b'[levers.reskilling]\nseats_per_100k = 50.0\neligibility = "unemployed"\n' \
           b"[run]\nreplications = 2\nhorizon_months = 36\n"
    at.file_uploader(key="upload").upload("plan.toml", text, "application/toml")
    at.run()
    assert_clean(at)
    assert at.select_slider(key=SEATS).value == 50.0
    assert at.toggle(key=RESKILL).value is True
    assert summary(at)["key"]["cost"]["median"] > 0
    assert "Uploaded: Our &lt;b&gt;plan&lt;/b&gt;" in texts(at)  # shown, never as markup


def test_uploaded_heavy_settings_are_capped_for_the_shared_server():
    at = start(**QUICK)
    text = b'name = "Heavy"\ncountries = ["BRN"]\n[run]\nreplications = 500\n' \
           b"horizon_months = 24\n"
    at.file_uploader(key="upload").upload("heavy.toml", text, "application/toml")
    at.run()
    assert_clean(at)
    assert at.number_input(key="w:run.replications").value == 50
    assert any("above the app's limit of 50" in w.value for w in at.warning)


@pytest.mark.parametrize(("key", "asked", "limit"), [
    ("run.replications", "60", 50), ("run.replications", "1000", 50),
    ("run.horizon_months", "600", 240)])
def test_link_values_beyond_the_app_s_limits_are_capped_with_a_note(key, asked, limit):
    at = AppTest.from_file(APP, default_timeout=300)
    at.query_params["country"] = "BRN"
    at.query_params[key] = asked
    if key == "run.horizon_months":
        at.query_params["run.replications"] = "1"
    else:
        at.query_params["run.horizon_months"] = "3"
    at.run()
    assert_clean(at)
    widget = at.number_input if key == "run.replications" else at.slider
    assert widget(key=f"w:{key}").value == limit
    note = " ".join(w.value for w in at.warning)
    assert f"{key} = {asked}, above the app's limit of {limit}" in note
    assert "The `sim` command runs any value" in note
    run = summary(at)["scenario"].run
    assert (run.replications if key == "run.replications" else run.horizon_months) == limit
    assert len(at.metric) == 4  # the page works


def test_work_above_the_bound_runs_coarser_with_a_note_naming_the_limit(monkeypatch):
    """One request may not take the shared server: above the bound (person-months, memory)
    the page runs at a coarser scale and says why, and how to run the full size."""
    monkeypatch.setattr(compute, "MAX_PERSON_MONTHS", 1e6)
    at = start(country="BRN", **{"run.replications": "2", "run.horizon_months": "24"})
    assert_clean(at)
    note = " ".join(w.value for w in at.warning)
    assert "simulated person-months" in note and "above what one request may take" in note
    assert "run the `sim` command for the full scale" in note
    bound = at.session_state["bound"]
    assert bound.used_scale > bound.asked_scale
    assert summary(at)["scale"] == [bound.used_scale]
    assert "coarser than sim run's" in " ".join(c.value for c in at.caption)


def test_bound_follows_the_model_s_own_size(tables):
    from sim.resources import run_size
    from sim.scenarios import load_scenario, with_overrides

    heavy = with_overrides(load_scenario("baseline"), {
        "countries": ["IDN"], "run.scale": 1, "run.replications": 50,
        "run.horizon_months": 240})
    scenario, size, bound = compute.bounded(heavy)
    assert bound is not None and bound.asked_scale == 1
    assert size.person_months <= compute.MAX_PERSON_MONTHS
    assert size.model_bytes <= compute.MAX_MODEL_BYTES
    assert run_size(scenario, "IDN", tables).scale == bound.used_scale
    light = with_overrides(load_scenario("baseline"), {"countries": ["IDN"]})
    assert compute.bounded(light)[2] is None


def test_cached_size_is_run_size_whatever_the_programmes(tables):
    """The size estimate is cached without the levers: it must be the model's own for a
    scenario with programmes on, and the same for every lever value."""
    from sim.resources import run_size
    from sim.scenarios import load_scenario, with_overrides

    base = with_overrides(load_scenario("combined"), {"countries": ["PHL"]})
    for seats in (10.0, 500.0):
        scenario = with_overrides(base, {"levers.reskilling.seats_per_100k": seats,
                                         "levers.job_creation.duration_months": 7})
        assert compute.bounded(scenario)[1] == run_size(scenario, "PHL", tables)


def test_impossible_setting_shows_a_message_keeps_the_result_and_the_link():
    at = start(scenario="reskilling_push", **QUICK)
    before, link = metrics(at), dict(at.query_params)
    at.multiselect(key="w:levers.reskilling.target_sectors").set_value([]).run()
    assert not at.exception
    messages = [e.value for e in at.error]
    assert any("target_sectors needs at least one sector" in m for m in messages), messages
    assert metrics(at) == before  # the last good result stays on screen
    assert dict(at.query_params) == link  # and the share link keeps what ran


def test_country_specific_preset_for_another_country_is_refused_plainly():
    at = start(scenario="phl_bpo", **QUICK)
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
    assert summary(at)["currency"] == "VND"


def test_invalid_query_params_fall_back_with_a_note():
    at = start(country="XXX", scenario="nope", lang="xx", compare="nothing",
               **{"levers.reskilling.seats_per_100k": "lots",
                  "uncertainties.adoption_pace": "99", "levers.bogus": "1", **QUICK})
    assert not at.exception
    assert not at.error
    notes = " ".join(w.value for w in at.warning)
    for bad in ("'nope'", "'XXX'", "seats_per_100k", "adoption_pace", "levers.bogus", "'xx'",
                "'nothing'"):
        assert bad in notes, notes
    assert at.selectbox(key="w:country").value == "PHL"
    assert at.slider(key="w:uncertainties.adoption_pace").value == 1.0
    assert len(at.metric) == 4


def test_widget_ranges_and_help_come_from_the_schema():
    from sim.scenarios.schema import Reskilling, Uncertainties
    at = start(**QUICK)
    pace = at.slider(key="w:uncertainties.adoption_pace")
    field = Uncertainties.model_fields["adoption_pace"]
    assert pace.value == field.default
    assert (pace.min, pace.max) == (0.0, 5.0)
    assert field.description in pace.help
    seats = at.select_slider(key=SEATS)
    assert seats.value == Reskilling.model_fields["seats_per_100k"].default
    assert float(seats.options[-1]) == 5000.0


def test_exports_are_offered_with_an_excel_file():
    at = start(view="export", **QUICK)
    assert_clean(at)
    labels = [b.label for b in at.get("download_button")]
    assert any("HTML brief" in label for label in labels)
    assert any(".xlsx" in label for label in labels)
    assert sum(label.startswith("CSV") for label in labels) >= 10


def test_the_first_section_waits_for_no_table_it_does_not_draw():
    """The page's top and its first section get a summary without the tables that only the
    other sections and the files draw; those get every table, in the files' order."""
    from webapp import exports

    at = start(**QUICK, **{"levers.reskilling.enabled": "true",
                           "levers.reskilling.eligibility": "unemployed"})
    assert_clean(at)
    core, _policy, _none, policy_json, none_json, _bound = at.session_state["last_good"]
    assert "breakdown" not in core and not set(compute.SECTION_CHARTS) & set(core["charts"])
    full = compute.summarise(policy_json, none_json, full=True)
    assert list(full["charts"]) == list(compute.CHARTS)
    assert full["key"] == core["key"] and full["charts"]["rates"].equals(core["charts"]["rates"])
    names = list(exports.tables(full, None))
    assert names[:3] == ["headline", "laid_off_status", "laid_off_by_sector_sex"]
    assert "evaluation" in names and "monthly_employment" in names
    for view in ("adjustment", "laid_off", "policy", "sectors"):
        at.segmented_control(key="w:view").set_value(view).run()
        assert_clean(at)


def test_the_brief_opens_with_the_page_s_heading_sentence_and_numbers():
    import app  # the page's own brief builder, on what the page drew
    from webapp import i18n, story

    at = start(scenario="fast_genai", view="export", **QUICK,
               **{"levers.reskilling.enabled": "true",
                  "levers.reskilling.eligibility": "unemployed"})
    assert_clean(at)
    i18n.use("en")
    shown, _policy, _none, policy_json, none_json, bound = at.session_state["last_good"]
    shown = compute.summarise(policy_json, none_json, full=True)  # as the export section has it
    page = app.brief_html(shown, none_json, "Fast generative-AI adoption (changed)",
                          ["levers.reskilling.enabled = true (preset: false)"], bound)
    assert "<h1>Philippines · Fast generative-AI adoption (changed)</h1>" in page
    assert html.escape(story.sentence(shown), quote=False) in page
    for label, value in metrics(at).items():
        if label.startswith(("Jobs removed", "People laid off")):
            assert html.escape(value) in page, (label, value)
    assert "levers.reskilling.enabled = true (preset: false)" in page
    assert page.count('<figure class="chart">') >= 5


def test_a_changed_preset_is_not_described_as_the_preset():
    at = start(scenario="reskilling_push", view="sources", **QUICK,
               **{"levers.reskilling.seats_per_100k": "50"})
    assert_clean(at)
    page = texts(at)
    assert "Scenario as run: Reskilling push (changed)" in page
    from sim.scenarios import load_scenario

    preset = load_scenario("reskilling_push").levers.reskilling.seats_per_100k
    assert f"levers.reskilling.seats_per_100k = 50 (preset: {preset:g})" in page


def test_side_by_side_shares_axes_and_reports_paired_differences():
    at = start(scenario="baseline", compare="fast_genai", **QUICK)
    assert_clean(at)
    specs = [s for s in charts(at) if "Jobs removed" in json.dumps(s["title"])]
    assert len(specs) == 2
    domains = [layer["encoding"]["y"]["scale"]["domain"] for s in specs
               for layer in s["layer"] if "y" in layer.get("encoding", {})]
    assert all(d == domains[0] for d in domains)
    assert any(m.label.startswith("Jobs removed by automation: right minus left")
               for m in at.metric)
    assert at.query_params["compare"] == "fast_genai"


def test_the_bpo_comparison_equals_the_cli_s(tmp_path):
    """The flagship comparison: the page's side-by-side figures for the Philippine BPO
    scenarios are `sim compare phl_bpo phl_bpo_reskilling`'s, same seed and replications."""
    import pandas as pd
    from typer.testing import CliRunner

    from sim.cli import app as cli
    from webapp import i18n

    out = tmp_path / "bpo.csv"
    done = CliRunner().invoke(cli, ["compare", "phl_bpo", "phl_bpo_reskilling", "-r", "2",
                                    "--out", str(out)])
    assert done.exit_code == 0, done.output
    expected = pd.read_csv(out, comment="#").set_index(["metric", "year"])
    at = start(scenario="phl_bpo", compare="phl_bpo_reskilling", **{"run.replications": "2"})
    assert_clean(at)
    shown = at.session_state["side_table"].set_index(["metric", "year"])
    # (the page's "employed" is the whole economy's, the CLI's the sectors in focus)
    common = shown.drop(index="employed", level="metric").index.intersection(expected.index)
    assert {"automation_cut_cumulative", "displaced_workers", "unemployment_rate",
            "programme_cost_cumulative"} <= set(common.get_level_values("metric"))
    for column in ("baseline", "policy", "difference", "low", "high"):
        assert shown.loc[common, column].to_numpy() == pytest.approx(
            expected.loc[common, column].to_numpy()), column
    # ... and the page writes those numbers.
    i18n.use("en")
    removed = expected.loc[("automation_cut_cumulative", 2035)]
    page = texts(at)
    assert i18n.num(removed["baseline"]) in page and i18n.num(removed["policy"]) in page


def test_one_click_comparison_sets_scenario_country_and_second_column():
    at = start(**QUICK)
    at.selectbox(key="w:quick").set_value("genai_pace").run()
    assert_clean(at)
    assert at.selectbox(key="w:scenario").value == "baseline"
    assert at.selectbox(key="w:compare").value == "fast_genai"


def test_the_room_s_language_is_chosen_and_carried_in_the_link():
    at = start(lang="vi", **QUICK)
    assert_clean(at)
    page = texts(at)
    assert "Philippines · Cơ sở: không có chính sách" in page
    number = pick(at, "Việc làm bị tự động hóa loại bỏ")
    assert "." in number or number == "0"  # Vietnamese groups thousands with dots
    assert at.query_params["lang"] == "vi"
    # (Switching the language with the widget is checked in a real browser: AppTest formats
    # the options outside the page's run, in English.)
    thai = start(lang="th", country="THA", **QUICK)
    assert_clean(thai)
    assert "ไทย · กรณีฐาน: ไม่มีนโยบาย" in texts(thai)


def test_sources_panel_compares_the_model_with_observed_data():
    at = start(country="THA", view="sources", **QUICK)
    at.button(key="validate").click().run()
    assert_clean(at)
    table = at.dataframe[-1].value
    rows = table.set_index("indicator")
    assert rows.loc["unemployment rate", "result"] == "pass"


def test_the_regional_view_shows_the_ten_countries_as_sim_region_does():
    """The AI-divide view: a readiness-exposure chart and small multiples with every country,
    and a table whose rows are `sim region`'s (same scenario, seeds, scales, replications)."""
    from sim.region import region_table, run_region

    at = start(view="region", **QUICK)
    assert_clean(at)
    titles = [json.dumps(spec["title"]) for spec in charts(at)]
    assert any("readiness" in t for t in titles) and any("AI-era vacancies" in t for t in titles)
    from webapp import region

    frame = compute.region_of(at.session_state["last_good"][3])
    (_, scatter), (_, multiples) = region.region_charts(frame, 2028)
    assert len(scatter["datasets"]["table"]) == 10
    assert len({row["country"] for row in multiples["datasets"]["table"]}) == 10
    table = at.dataframe[0].value
    assert len(table) == 10
    expected = region_table(run_region("baseline", ["BRN", "SGP"], replications=2,
                                       horizon_months=36), [2028])
    for iso3, name in (("BRN", "Brunei Darussalam"), ("SGP", "Singapore")):
        row = table[table["Country"] == name].iloc[0]
        want = expected[expected["country"] == iso3].iloc[0]
        assert row["Jobs removed by automation (%)"] == pytest.approx(
            round(want["formal positions removed (% of employment)"], 2))
        assert row["AI adoption (%)"] == pytest.approx(round(want["adoption (%)"], 2))
        assert row["AI readiness (0-100)"] == pytest.approx(want["AI readiness (0-100)"], abs=0.01)
    labels = [b.label for b in at.get("download_button")]
    assert "HTML brief of the regional view" in labels


def test_the_regional_brief_holds_both_charts_and_the_ten_countries():
    from webapp import exports, i18n, region

    at = start(view="region", **QUICK)
    assert_clean(at)
    i18n.use("en")
    shown = at.session_state["last_good"][0]
    frame = compute.region_of(at.session_state["last_good"][3])
    table = region.region_table_frame(frame, 2028)
    page = exports.region_brief(summary=shown, title="Baseline", table=table,
                                charts=region.region_charts(frame, 2028), record={}, year=2028)
    assert page.count('<figure class="chart">') + page.count('id="chart0"') >= 2
    for name in ("Singapore", "Viet Nam", "Myanmar", "Lao"):
        assert name in page, name


def test_a_one_country_preset_explains_why_there_is_no_regional_view():
    at = start(scenario="phl_bpo", view="region", **QUICK)
    assert not at.exception and not at.error
    assert any("one country's figures" in info.value for info in at.info)


# -- deferred downloads run in the page's language -------------------------------------------------


def deferred_downloads(monkeypatch) -> dict[str, object]:
    """The callables the page hands to st.download_button, by file name (Streamlit runs them
    when the file is asked for, outside the page's run)."""
    from streamlit.runtime.media_file_manager import MediaFileManager

    found: dict[str, object] = {}
    register = MediaFileManager.add_deferred

    def spy(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        found[file_name] = data_callable
        return register(self, data_callable, mimetype, coordinates, file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", spy)
    return found


def outside_the_page(build):
    """Run ``build`` as Streamlit does for a download: in another thread, a fresh context."""
    import threading

    out = {}
    worker = threading.Thread(target=lambda: out.setdefault("value", build()))
    worker.start()
    worker.join()
    return out["value"]


def test_the_brief_downloaded_from_a_thai_page_is_in_thai(monkeypatch):
    from webapp import i18n, story

    files = deferred_downloads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in dict(country="THA", scenario="fast_genai", view="export", lang="th",
                           **QUICK).items():
        at.query_params[key] = value
    at.run(timeout=300)
    assert_clean(at)
    name = next(n for n in files if n.endswith("_brief.html"))
    page = outside_the_page(files[name])
    i18n.use("th")
    try:
        thai = story.sentence(summary(at))
        cards = story.cards(summary(at))
    finally:
        i18n.use("en")
    assert thai in texts(at)  # the sentence the page shows
    assert html.escape(thai, quote=False) in page
    assert html.escape(cards[0].label, quote=False) in page
    assert "By the end of" not in page and "Jobs removed by automation" not in page
    assert 'lang="th"' in page
    assert i18n.language() == "en"  # the callable leaves the caller's language alone


def test_the_regional_brief_downloaded_from_a_vietnamese_page_is_in_vietnamese(monkeypatch):
    from webapp import i18n

    files = deferred_downloads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in dict(view="region", lang="vi", **QUICK).items():
        at.query_params[key] = value
    at.run(timeout=600)
    assert_clean(at)
    page = outside_the_page(files["asean_region_brief.html"])
    i18n.use("vi")
    try:
        wanted = [i18n._("AI readiness and exposure"),
                  i18n._("The ten countries by the end of {year} (medians)").format(year=2028),
                  i18n._("the ten ASEAN countries")]
    finally:
        i18n.use("en")
    for text in wanted:
        assert html.escape(text, quote=False) in page, text
    assert "AI readiness and exposure" not in page and 'lang="vi"' in page


# -- a run that stops mid-year is reported at its last month --------------------------------------


@pytest.mark.parametrize(("months", "lang", "expected"), [
    ("30", "en", "By June 2028"),
    ("1", "en", "By January 2026"),
    ("30", "vi", "Đến tháng 6 năm 2028"),
])
def test_a_run_that_stops_mid_year_is_reported_at_its_last_month(months, lang, expected):
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in {"run.horizon_months": months, "run.replications": "2",
                       "lang": lang}.items():
        at.query_params[key] = value
    at.run(timeout=300)
    assert_clean(at)
    shown = summary(at)
    assert shown["dates"][-1][:7] == shown["date"]  # read at the run's last month
    page = texts(at)
    assert expected in page
    assert "By the end of" not in page and "Đến cuối năm" not in page
    month = expected.split(" ", 1)[1]
    labels = list(metrics(at))
    assert all(month in label for label in labels), labels


def test_a_run_read_at_a_december_is_reported_by_the_end_of_its_year():
    at = start(**QUICK)  # 36 months: December 2028
    assert_clean(at)
    assert "By the end of 2028, automation" in texts(at)
    assert pick(at, "Jobs removed by automation, by 2028")


def test_every_table_downloads_as_parquet_with_its_provenance(monkeypatch):
    import io

    import pyarrow.parquet as pq

    from sim.io import PARQUET_KEY
    from webapp import exports

    files = deferred_downloads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in dict(view="export", **QUICK).items():
        at.query_params[key] = value
    at.run(timeout=300)
    assert_clean(at)
    labels = [b.label for b in at.get("download_button")]
    assert "Parquet: headline" in labels
    _core, _policy, _none, policy_json, none_json, _bound = at.session_state["last_good"]
    full = compute.summarise(policy_json, none_json, full=True)  # as the export section has it
    names = list(exports.tables(full, None))
    parquet = {n: f for n, f in files.items() if n.endswith(".parquet")}
    assert len(parquet) == len(names)
    name = next(n for n in parquet if n.endswith("_headline.parquet"))
    table = pq.read_table(io.BytesIO(outside_the_page(parquet[name])))
    assert table.to_pandas().equals(full["headline"].reset_index(drop=True))
    record = json.loads(table.schema.metadata[PARQUET_KEY])
    expected = json.loads(json.dumps(full["provenance"], default=str))
    assert {k: v for k, v in record.items() if k in expected} == expected
    assert record["changed_from_preset"].startswith("run.")  # as the CSV's record


def test_the_regional_files_record_the_settings_changed_from_the_preset(monkeypatch):
    from webapp import exports

    written = []
    csv_file = exports.csv_file
    monkeypatch.setattr(exports, "csv_file",
                        lambda frame, record: written.append(record) or csv_file(frame, record))
    files = deferred_downloads(monkeypatch)
    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in dict(country="PHL", scenario="baseline", view="region",
                           **{"uncertainties.adoption_pace": "1.5"}, **QUICK).items():
        at.query_params[key] = value
    at.run(timeout=600)
    assert_clean(at)
    assert written, "no regional CSV"
    change = "uncertainties.adoption_pace = 1.5 (preset: 1)"
    assert change in written[-1]["changed_from_preset"], written[-1]["changed_from_preset"]
    assert "nothing" not in written[-1]["changed_from_preset"]
    brief = outside_the_page(files["asean_region_brief.html"])
    assert html.escape(change, quote=False) in brief


def test_a_seed_too_large_for_the_browser_is_capped_with_a_note_not_silently_zeroed():
    from webapp.settings import JS_MAX_INT

    at = AppTest.from_file(APP, default_timeout=30)
    for key, value in {"run.seed": "9223372036854775807", "run.replications": "1",
                       "run.horizon_months": "3", "country": "BRN"}.items():
        at.query_params[key] = value
    at.run(timeout=300)
    assert_clean(at)
    assert at.number_input(key="w:run.seed").value == JS_MAX_INT
    assert summary(at)["scenario"].run.seed == JS_MAX_INT
    note = " ".join(w.value for w in at.warning)
    assert f"run.seed = 9223372036854775807, above the app's limit of {JS_MAX_INT}" in note
    assert at.query_params["run.seed"] == str(JS_MAX_INT)  # the link says what ran
    at.run()  # and it stays so
    assert summary(at)["scenario"].run.seed == JS_MAX_INT


def test_no_net_gain_is_said_of_the_whole_run_not_of_the_card_s_year():
    """A card read at one year (+27,800 in work) said "(no net gain in employment)" when the
    run's employment-months, summed, showed none: the caption says it is over the run."""
    from webapp import story

    at = start(country="THA", scenario="combined", **QUICK)
    assert_clean(at)
    shown = dict(summary(at))
    table = shown["cost_benefit"].copy()
    table.loc[table["indicator"].str.startswith("cost per net job-year"), "median"] = float("nan")
    shown["cost_benefit"] = table
    card = story.cards(shown)[-1]
    assert card.label.startswith("Extra people in work")
    assert card.caption.endswith("(no net gain in employment over the whole run)"), card.caption
    assert "n/a per net job-year" in card.caption


def test_the_cost_benefit_table_speaks_the_page_s_language():
    import re

    import app
    from webapp import i18n

    at = start(view="policy", lang="vi", **QUICK,
               **{"levers.reskilling.enabled": "true",
                  "levers.reskilling.eligibility": "unemployed"})
    assert_clean(at)
    table = next(d.value for d in at.dataframe if "chỉ số" in " ".join(map(str, d.value.columns))
                 or len(d.value) == 11)
    shown = " ".join(table.astype(str).to_numpy().ravel())
    for english in app.COST_BENEFIT_LABELS:
        assert english.split(" (")[0] not in shown, english
    assert "undefined in" not in shown and "n/a" not in shown
    ratios = table[table.iloc[:, 0].str.contains("tỷ số|trên mỗi đơn vị")]
    assert len(ratios) == 2
    for value in ratios.iloc[:, 1]:
        assert re.fullmatch(r"−?-?\d+,\d\d|không có", value), value  # a decimal comma
    # every indicator sim.evaluation writes has a translation
    _core, _p, _n, policy_json, none_json, _b = at.session_state["last_good"]
    cb = compute.summarise(policy_json, none_json, full=True)["cost_benefit"]
    i18n.use("vi")
    try:
        for name in cb["indicator"]:
            assert app.cost_benefit_label(name, "PHP") != name, name
        assert app.cost_benefit_note("undefined in 3 of 5 replications (no gain, or no cost)") \
            .startswith("không xác định ở 3 trên 5")
    finally:
        i18n.use("en")


@pytest.mark.parametrize("lang", ["en", "vi"])
def test_the_ten_country_table_is_in_the_small_multiples_order_by_name(lang):
    from webapp import i18n, region

    at = start(view="region", lang=lang, **QUICK)
    assert_clean(at)
    table = at.dataframe[0].value
    names = list(table.iloc[:, 0])
    assert names == sorted(names) and len(names) == 10
    i18n.use(lang)
    try:
        frame = compute.region_of(at.session_state["last_good"][3])
        (_, _scatter), (_, multiples) = region.region_charts(frame, 2028)
    finally:
        i18n.use("en")
    facets = list(dict.fromkeys(row["country"] for row in multiples["datasets"]["table"]))
    assert facets == names


def test_key_number_bands_and_chart_subtitles_wrap_instead_of_being_cut():
    """At 1280x720 a band under a key number was cut ("+PHP 23.9B to +PH…") and Filipino
    subtitles lost their ends (checked in a real browser: no metric delta overflows)."""
    import app
    from webapp import charts as chart_module

    assert 'stMetricDelta"] *' in app.CSS and "white-space: normal" in app.CSS
    at = start(lang="fil", **QUICK, **{"levers.reskilling.enabled": "true",
                                        "levers.reskilling.eligibility": "unemployed"})
    assert_clean(at)
    subtitles = [line for spec in charts(at)
                 for line in (spec.get("title", {}).get("subtitle") or [])]
    assert subtitles and all(len(line) <= chart_module.SUBTITLE_CHARS <= 50 for line in subtitles)


def test_the_cost_per_net_job_year_notes_speak_the_page_s_language():
    """The notes ``sim.bands.cost_per_gain`` writes for the cost per net job-year (its band
    unbounded, or the cost undefined) are translated, with their counts."""
    import numpy as np

    import app
    from sim.bands import cost_per_gain
    from webapp import i18n

    cost = np.full(5, 1e9)
    some = cost_per_gain(cost, np.array([10.0, 20.0, -5.0, 30.0, 15.0]), (0.05, 0.95),
                         unit="net job-year", no_gain="gains no net job-years")
    none = cost_per_gain(cost, np.array([-10.0, -20.0, 5.0, -30.0, -15.0]), (0.05, 0.95),
                         unit="net job-year", no_gain="gains no net job-years")
    i18n.use("vi")
    try:
        unbounded, undefined = app.cost_benefit_note(some.note), app.cost_benefit_note(none.note)
    finally:
        i18n.use("en")
    assert unbounded.startswith("không có cận trên") and "1 trên 5" in unbounded, unbounded
    assert undefined.startswith("chương trình không tạo thêm"), undefined
    assert "15" in undefined, undefined  # the median difference
