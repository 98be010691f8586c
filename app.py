"""Streamlit front end: a live policy workshop and a ministry dashboard.

Widgets -> a validated ``Scenario`` -> ``sim`` runs (cached) -> Altair charts and headline
numbers. No model logic lives here: every number comes from the ``sim`` package (runner,
metrics, report helpers), every default and range from ``sim/scenarios/schema.py``.

Run with ``streamlit run app.py``.
"""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import typing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from sim import vocabulary
from sim.brief import html_brief
from sim.data import SECTOR_LABELS, SECTORS, load_data
from sim.errors import ScenarioError, SimError, one_line
from sim.flows import load_calibration
from sim.io import safe_csv
from sim.provenance import code_version, sources_table
from sim.results import (
    DERIVED,
    HEADLINE,
    CostPerWorker,
    Results,
    breakdown_band,
    compare,
    cost_per_reemployed,
    median_band,
    series_band,
)
from sim.runner import run_scenario, warm_up
from sim.scenarios import (
    PARAMETERS,
    Scenario,
    check_countries,
    list_scenarios,
    load_scenario,
    parameter_table,
    parse_scenario_bytes,
    with_overrides,
)
from sim.scenarios.schema import Levers
from sim.validate import validate

# -- app settings ---------------------------------------------------------------------------------

DEFAULT_COUNTRY = "PHL"
DEFAULT_SCENARIO = "baseline"
#: Simulated workers per country in the app (the scale k is employment / APP_AGENTS). Chosen so
#: a lever change redraws in under 0.5 s with 5 replications on 2 cores (benchmarks/app_speed.py).
APP_AGENTS = 25_000
BAND = vocabulary.BAND
YEARS = vocabulary.HEADLINE_YEARS
UPLOADED = "__uploaded__"
JS_MAX_INT = 2**53 - 1

UNCERTAINTY_KEYS = (
    "uncertainties.adoption_pace",
    "uncertainties.exposure_assumption",
    "uncertainties.displacement_elasticity",
    "uncertainties.adoption_ceiling",
    "uncertainties.adoption_midpoint_month",
    "uncertainties.new_jobs_ratio",
)
RESKILLING_KEYS = (
    "levers.reskilling.enabled",
    "levers.reskilling.seats_per_100k",
    "levers.reskilling.duration_months",
    "levers.reskilling.target_sectors",
    "levers.reskilling.eligibility",
    "levers.reskilling.start_month",
)
JOB_KEYS = (
    "levers.job_creation.enabled",
    "levers.job_creation.jobs_per_100k",
    "levers.job_creation.sectors",
    "levers.job_creation.duration_months",
    "levers.job_creation.start_month",
)
RUN_KEYS = ("run.replications", "run.horizon_months", "run.seed")
#: The simulator's headline rows plus the laid-off people back in regular work (formal or
#: informal), which the page shows as a key number.
HEADLINE_ROWS = [*HEADLINE, ("People laid off by automation, back in regular work",
                             "displaced_employed", "focus")]
CONTROL_KEYS = UNCERTAINTY_KEYS + RESKILLING_KEYS + JOB_KEYS + RUN_KEYS
ss = st.session_state


# -- schema introspection (defaults, ranges and help text are read, never retyped) --------------

#: Tighter upper bounds than the schema's for the shared workshop server: one session's
#: 1,000 replications over 600 months would hold both cores for minutes (the CLI and sweeps
#: take the full ranges).
APP_MAX = {"run.replications": 50, "run.horizon_months": 240}


def bounds(dotted: str) -> tuple[Any, Any]:
    """(ge, le) of a numeric scenario field, within the app's own limits."""
    lo, hi = PARAMETERS[dotted].minimum, PARAMETERS[dotted].maximum
    if dotted in APP_MAX and hi is not None:
        hi = min(hi, APP_MAX[dotted])
    return lo, hi


def value_at(scenario: Scenario, dotted: str) -> Any:
    node: Any = scenario
    for part in dotted.split("."):
        node = getattr(node, part)
    return list(node) if isinstance(node, list) else node


def help_text(dotted: str) -> str:
    return PARAMETERS[dotted].help(*bounds(dotted))


def label_of(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1].replace("_", " ").replace("per 100k", "per 100k").capitalize()


def kind_of(dotted: str) -> str:
    """Which widget fits a field: toggle, choice, sectors, number, wide (1-2-5 steps) or slider."""
    annotation = PARAMETERS[dotted].annotation
    if annotation is bool:
        return "toggle"
    if PARAMETERS[dotted].choices is not None:
        return "choice"
    if typing.get_origin(annotation) is list:
        return "sectors"
    if dotted in ("run.replications", "run.seed"):
        return "number"
    lo, hi = bounds(dotted)
    default = PARAMETERS[dotted].default
    if lo is not None and hi is not None and (hi - lo) > 100 * max(abs(default), 1):
        return "wide"
    return "slider"


def nice_steps(dotted: str, *extra: float | None) -> list[float]:
    """1-2-5 steps across a wide schema range (plus values in use), for a select slider."""
    lo, hi = bounds(dotted)
    steps = {float(lo)} if lo <= 0 else set()
    decade = 1.0
    while decade <= hi:
        steps.update(v for v in (decade, 2 * decade, 5 * decade) if lo <= v <= hi)
        decade *= 10
    steps.update(float(v) for v in extra if v is not None)
    return sorted(steps)


# -- presets, query parameters and widget state --------------------------------------------------

@st.cache_resource
def presets() -> dict[str, Scenario]:
    """The shipped scenario files, validated once per server process."""
    return {name: load_scenario(name) for name in list_scenarios()}


def base_scenario(name: str) -> Scenario:
    if name == UPLOADED and ss.get("uploaded") is not None:
        return ss["uploaded"]
    return presets().get(name) or presets()[DEFAULT_SCENARIO]


def apply_preset(scenario: Scenario) -> None:
    """Set every widget from a scenario (used by preset choice, upload and Reset)."""
    for key in CONTROL_KEYS:
        value = value_at(scenario, key)
        if key in APP_MAX and value > APP_MAX[key]:
            ss["limit_note"] = (f"{key} = {value} is above the app's limit of {APP_MAX[key]}; "
                                f"using {APP_MAX[key]} (the `sim` command runs any value).")
            value = APP_MAX[key]
        ss[f"w:{key}"] = value
    ss["w:focus"] = list(scenario.focus_sectors) or list(SECTORS)
    if "countries" in scenario.model_fields_set and scenario.countries[0] in load_data(
    ).iso3_codes:
        ss["w:country"] = scenario.countries[0]


def parse_query_value(dotted: str, text: str) -> Any:
    kind = kind_of(dotted)
    if kind == "toggle":
        if text.lower() not in {"true", "false", "1", "0"}:
            raise ValueError("expected true or false")
        return text.lower() in {"true", "1"}
    if kind == "sectors":
        return [part for part in text.split(",") if part]
    if kind == "choice":
        return text
    return int(text) if PARAMETERS[dotted].numeric == "int" else float(text)


def encode_query_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(value)
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def init_state() -> None:
    """First run of a session: start from the URL's settings, falling back to defaults."""
    if ss.get("initialised"):
        return
    notes: list[str] = []
    query = {key: st.query_params[key] for key in st.query_params}
    name = query.pop("scenario", DEFAULT_SCENARIO)
    if name not in presets():
        notes.append(f"Unknown scenario {name!r} in the link; showing {DEFAULT_SCENARIO!r}.")
        name = DEFAULT_SCENARIO
    ss["w:scenario"] = name
    preset = presets()[name]
    ss["w:country"] = DEFAULT_COUNTRY
    apply_preset(preset)
    country = (query.pop("country", None) or "").upper()
    if country:
        if country in load_data().iso3_codes:
            ss["w:country"] = country
        else:
            notes.append(f"Unknown country {country!r} in the link; showing {ss['w:country']}.")
    focus = query.pop("focus", None)
    if focus is not None:
        picked = [s for s in focus.split(",") if s]
        if picked and all(s in SECTORS for s in picked):
            ss["w:focus"] = picked
        else:
            notes.append(f"Ignored focus={focus!r} from the link: not sector ids.")
    for key, text in query.items():
        if key not in CONTROL_KEYS:
            notes.append(f"Ignored unknown setting {key!r} in the link.")
            continue
        try:
            value = parse_query_value(key, text)
            with_overrides(preset, {key: value}, origin="link")
            if kind_of(key) == "slider" and PARAMETERS[key].numeric == "int":
                value = int(value)
        except (ValueError, ScenarioError) as exc:
            notes.append(f"Ignored {key}={text!r} from the link ({exc}); using the preset value.")
            continue
        ss[f"w:{key}"] = value
    ss["link_notes"] = notes
    ss["initialised"] = True


def sync_query_params(base: Scenario, scenario_name: str) -> None:
    """Put the settings that differ from the preset into the URL, so a link reopens them."""
    wanted = {"country": ss["w:country"]}
    if scenario_name != UPLOADED:
        wanted["scenario"] = scenario_name
    default_focus = list(base.focus_sectors) or list(SECTORS)
    if ss["w:focus"] != default_focus:
        wanted["focus"] = ",".join(ss["w:focus"])
    for key in CONTROL_KEYS:
        value = ss[f"w:{key}"]
        if value != value_at(base, key):
            wanted[key] = encode_query_value(value)
    current = {key: st.query_params.get(key) for key in st.query_params}
    if current != wanted:
        st.query_params.from_dict(wanted)


def on_preset_change() -> None:
    apply_preset(base_scenario(ss["w:scenario"]))


def on_reset() -> None:
    apply_preset(base_scenario(ss["w:scenario"]))


def handle_upload() -> None:
    """Validate a newly uploaded scenario file; remember it or the error."""
    uploaded = ss.get("upload")
    if uploaded is None:
        if ss.get("uploaded_id") is not None:
            ss["uploaded_id"] = None
            ss["upload_error"] = None
        return
    if ss.get("uploaded_id") == uploaded.file_id:
        return
    ss["uploaded_id"] = uploaded.file_id
    try:
        scenario = parse_scenario_bytes(uploaded.name, uploaded.getvalue())
    except ScenarioError as exc:
        ss["upload_error"] = str(exc)
        return
    except Exception as exc:  # noqa: BLE001 - never show a traceback for a bad file
        ss["upload_error"] = f"{uploaded.name}: could not be read ({type(exc).__name__})"
        return
    ss["upload_error"] = None
    ss["uploaded"] = scenario
    ss["w:scenario"] = UPLOADED
    apply_preset(scenario)


# -- widgets --------------------------------------------------------------------------------------

def sector_name(sector: str) -> str:
    return SECTOR_LABELS.get(sector, sector)


def control(dotted: str, where: Any) -> Any:
    key = f"w:{dotted}"
    kind = kind_of(dotted)
    label = label_of(dotted)
    helptext = help_text(dotted)
    if kind == "toggle":
        return where.toggle(label, key=key, help=helptext)
    if kind == "choice":
        options = list(PARAMETERS[dotted].choices or ())
        return where.selectbox(label, options, key=key, help=helptext)
    if kind == "sectors":
        return where.multiselect(label, list(SECTORS), key=key, help=helptext,
                                 format_func=sector_name)
    lo, hi = bounds(dotted)
    if kind == "number":
        # A browser number holds integers exactly only up to 2**53 - 1.
        return where.number_input(label, min_value=lo, max_value=min(hi, JS_MAX_INT), step=1,
                                  key=key, help=helptext)
    if kind == "wide":
        options = nice_steps(dotted, ss.get(key), value_at(base_scenario(ss["w:scenario"]),
                                                              dotted))
        ss[key] = float(ss[key])
        return where.select_slider(label, options=options, key=key, help=helptext,
                                   format_func=lambda v: f"{v:g}")
    if PARAMETERS[dotted].numeric == "int":
        return where.slider(label, min_value=int(lo), max_value=int(hi), step=1, key=key,
                            help=helptext)
    span = float(hi) - float(lo)
    step = 0.05 if span <= 1 else 0.1
    ss[key] = float(ss[key])
    return where.slider(label, min_value=float(lo), max_value=float(hi), step=step, key=key,
                        help=helptext)


def sidebar() -> None:
    side = st.sidebar
    top = side.container()
    with side.expander("Upload a custom scenario (TOML)"):
        st.file_uploader("Scenario file", type=["toml"], key="upload",
                         help="A scenario TOML (at most 256 KiB), validated like the shipped "
                              "ones; it may start from a shipped one with extends = \"name\".")
        handle_upload()
        if ss.get("upload_error"):
            st.error(f"Upload rejected: {ss['upload_error']}")
        elif ss.get("uploaded") is not None:
            st.success(f"Loaded: {ss['uploaded'].name}")
    tables = load_data()
    names = {code: tables.country(code).name for code in tables.iso3_codes}
    top.selectbox("Country", list(tables.iso3_codes), key="w:country",
                  format_func=lambda c: f"{c} · {names.get(c, c)}",
                  help="The ten ASEAN member states in data/sectors.csv and countries.csv")
    options = list(presets()) + ([UPLOADED] if ss.get("uploaded") is not None else [])
    if ss.get("w:scenario") not in options:
        ss["w:scenario"] = DEFAULT_SCENARIO
    top.selectbox(
        "Scenario preset", options, key="w:scenario", on_change=on_preset_change,
        format_func=lambda n: (f"Uploaded: {ss['uploaded'].name}" if n == UPLOADED
                               else presets()[n].name),
        help="The shipped scenario files (sim/scenarios/*.toml). Choosing one resets the "
             "controls below to it.")
    base = base_scenario(ss["w:scenario"])
    top.caption(base.description.strip() or "(no description)")
    top.button("Reset to preset", key="reset", on_click=on_reset, width="stretch",
               help="Put every control back to the chosen scenario's values")
    top.multiselect("Sectors in focus", list(SECTORS), key="w:focus", format_func=sector_name,
                    help="Displacement and employment figures refer to these sectors")

    side.header("Policy levers")
    side.caption("What a ministry chooses.")
    with side.expander("Reskilling programme", expanded=True):
        for key in RESKILLING_KEYS:
            control(key, st)
    with side.expander("Job-creation programme", expanded=True):
        for key in JOB_KEYS:
            control(key, st)
    side.header("Uncertainties")
    side.caption("What nobody controls: vary them to see how robust a policy is.")
    with side.expander("Adoption, exposure and displacement", expanded=False):
        for key in UNCERTAINTY_KEYS:
            control(key, st)
    with side.expander("Run settings", expanded=False):
        for key in RUN_KEYS:
            control(key, st)


# -- running (cached) -----------------------------------------------------------------------------

@st.cache_resource
def worker_pool() -> ProcessPoolExecutor | None:
    """Worker processes for replications (both cores); None runs serially in the server."""
    workers = int(os.environ.get("SIM_APP_WORKERS", min(2, os.cpu_count() or 1)))
    if workers < 2:
        return None
    pool = ProcessPoolExecutor(max_workers=workers, initializer=warm_up,
                               mp_context=multiprocessing.get_context("spawn"))
    return pool


def frozen(scenario: Scenario) -> str:
    """A plain hashable key for a scenario: its canonical JSON."""
    return json.dumps(scenario.model_dump(mode="json"), sort_keys=True)


#: Result caches are shared by every session and keyed by settings. An entry's size grows with
#: replications and months, both in the sidebar (one 40-replication run pickles to ~25 MB), so
#: a count limit alone does not bound memory: each cache also has a byte limit (pickled size;
#: least recently used entries go first).
RUN_CACHE: dict[str, Any] = {"max_entries": 48, "max_size": "256MB"}
DERIVE_CACHE: dict[str, Any] = {"max_entries": 48, "max_size": "64MB"}


@st.cache_data(**RUN_CACHE, show_spinner=False)
def run_cached(scenario_json: str) -> Results:
    """One country's run of a scenario; cached on the scenario's canonical JSON."""
    scenario = Scenario.model_validate_json(scenario_json)
    pool = worker_pool() if scenario.run.replications > 1 else None
    try:
        return run_scenario(scenario, executor=pool)
    except BrokenProcessPool:
        worker_pool.clear()
        return run_scenario(scenario)


def app_scale(iso3: str) -> int:
    employment = float(load_data().country(iso3).employment.sum())
    return max(1, int(round(employment / APP_AGENTS)))


def build_scenarios(base: Scenario) -> tuple[Scenario, Scenario]:
    """(policy, no policy): the widgets' settings on the preset, and the same with no levers."""
    iso3 = ss["w:country"]
    check_countries(base, [iso3])  # a scenario holding one country's figures runs there only
    overrides: dict[str, Any] = {key: ss[f"w:{key}"] for key in CONTROL_KEYS}
    overrides["countries"] = [iso3]
    overrides["focus_sectors"] = list(ss["w:focus"])
    if base.run.scale is None:
        overrides["run.scale"] = app_scale(iso3)
    policy = with_overrides(base, overrides, origin="settings")
    no_policy = with_overrides(policy, {"levers": Levers().model_dump()}, origin="settings")
    return policy, no_policy


# -- numbers for the page -------------------------------------------------------------------------

def fmt(value: float | None, currency: str = "") -> str:
    if value is None or not np.isfinite(value):
        return "n/a"
    sign = "-" if value < 0 else ""
    v = abs(value)
    if v >= 1e12:
        text = f"{v / 1e12:,.3g} tn"
    elif v >= 1e9:
        text = f"{v / 1e9:.3g} bn"
    elif v >= 1e6:
        text = f"{v / 1e6:.3g} M"
    elif v >= 1000:
        text = f"{float(f'{v:.3g}'):,.0f}"
    else:
        text = f"{v:.3g}"
    return f"{sign}{currency + ' ' if currency else ''}{text}"


COMPARE_ON = {
    "Unemployed, whole economy (workers)": ("unemployed", False),
    "Long-term unemployed, whole economy (workers)": ("long_term_unemployed", False),
    "People laid off by automation, back in regular work": ("displaced_employed", True),
    "People laid off by automation, unemployed": ("displaced_unemployed", True),
}


def metric_values(res: Results, metric: str, iso3: str, sectors: list[str] | None
                  ) -> np.ndarray:
    """A recorded metric, or a sum of them (``sim.results.DERIVED``), as [replication, month]."""
    return np.sum([res.values(part, iso3, sectors) for part in DERIVED.get(metric, (metric,))],
                  axis=0)


def compute(base: Scenario) -> dict[str, Any]:
    """Everything the page draws for the current widgets (runs and summaries are cached)."""
    policy_s, none_s = build_scenarios(base)
    label = ss.get("w:compare")
    if label not in COMPARE_ON:
        label = next(iter(COMPARE_ON))
    with st.spinner("Running the simulation ..."):
        return derive(frozen(policy_s), frozen(none_s), label)


@st.cache_data(**DERIVE_CACHE, show_spinner=False)
def derive(policy_json: str, none_json: str, compare_label: str) -> dict[str, Any]:
    """Run (or fetch) the policy and no-policy runs; summarise them for the page.

    Cached on plain strings, so a cached redraw only unpickles small tables and chart specs.
    """
    policy = run_cached(policy_json)
    has_policy = policy_json != none_json
    no_policy = run_cached(none_json) if has_policy else policy
    policy_s = policy.scenario
    iso3 = policy_s.countries[0]
    focus = list(policy_s.focus_sectors) or None
    dates = [f"{d}-01" for d in policy.dates.strftime("%Y-%m")]
    country = load_data().country(iso3)

    def band(res: Results, metric: str, series: str, sectors=None, factor: float = 1.0):
        return series_band(metric_values(res, metric, iso3, sectors) * factor, dates, series,
                           BAND)

    charts: dict[str, pd.DataFrame] = {
        "losses_monthly": pd.concat([
            band(policy, "hires_foregone", "Hires foregone (jobs not created)", focus),
            band(policy, "automation_job_losses", "Layoffs (jobs destroyed)", focus)],
            ignore_index=True),
        "losses_cumulative": pd.concat([
            band(policy, "hires_foregone_cumulative", "Hires foregone (jobs not created)",
                 focus),
            band(policy, "automation_job_losses_cumulative", "Layoffs (jobs destroyed)",
                 focus)], ignore_index=True),
        "unemployment_rate": band(policy, "unemployment_rate", "Unemployment rate",
                                  factor=100.0),
        "long_term": band(policy, "long_term_unemployed", "Long-term unemployed (12+ months)"),
        "employment": pd.concat([band(policy, "employed", sector_name(s), [s])
                                 for s in (focus or SECTORS)], ignore_index=True),
        "programmes": pd.concat([band(policy, "in_training", "In reskilling"),
                                 band(policy, "programme_jobs", "In programme jobs")],
                                ignore_index=True),
    }
    metric, by_focus = COMPARE_ON[compare_label]
    secs = focus if by_focus else None
    charts["policy_vs_none"] = pd.concat([band(policy, metric, "policy", secs),
                                          band(no_policy, metric, "no policy", secs)],
                                         ignore_index=True)
    month = policy.month_of(YEARS[-1])
    at = len(dates) - 1 if month is None else month
    table = policy.breakdown(months=[at])
    table["metric"] = table["metric"].replace(
        dict.fromkeys(DERIVED["displaced_employed"], "displaced_employed"))
    reached = [y for y in YEARS if policy.month_of(y) is not None]  # others show "n/a"
    breakdown = breakdown_band(
        table, {"automation_job_losses_cumulative": "Laid off by automation",
                "displaced_employed": "Back in regular work"}, focus, BAND)
    breakdown["sector_label"] = breakdown["sector"].map(sector_name)
    breakdown["date"] = str(policy.dates[at])
    charts["breakdown"] = breakdown

    cost_note = CostPerWorker(None, None, None, f"the run ends before {YEARS[-1]}")
    training_now = None
    if month is not None:
        cost = (policy.values("reskilling_cost_cumulative", iso3)
                + policy.values("job_creation_cost_cumulative", iso3))[:, month]
        cost_note = cost_per_reemployed(
            cost, metric_values(policy, "displaced_employed", iso3, focus)[:, month],
            metric_values(no_policy, "displaced_employed", iso3, focus)[:, month], BAND)
        training_now = median_band(policy.values("in_training", iso3)[:, month], BAND)
    bundle = {
        "scenario": policy_s, "iso3": iso3, "country": country, "has_policy": has_policy,
        "charts": charts, "focus": focus, "compare_label": compare_label,
        "headline": policy.headline(focus, reached, band=BAND, country=iso3, rows=HEADLINE_ROWS),
        "comparison": compare(no_policy, policy, band=BAND, sectors=focus, years=reached,
                              rows=HEADLINE_ROWS),
        "cost_per_worker": cost_note, "training_now": training_now,
        "breakdown_date": str(policy.dates[at]), "provenance": dict(policy.provenance),
    }
    bundle["specs"] = all_charts(bundle)
    bundle["csv"] = {key: safe_csv(frame) for key, frame in charts.items()}
    return bundle


# -- charts ---------------------------------------------------------------------------------------

SUBTITLE = "Line: median of replications. Shaded: 5-95% of replications."


def styled(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """Large fonts, readable from the back of a room."""
    return (chart.configure_axis(labelFontSize=15, titleFontSize=17, grid=True)
            .configure_title(fontSize=21, subtitleFontSize=14, anchor="start")
            .configure_legend(labelFontSize=15, titleFontSize=15, orient="bottom",
                              labelLimit=320)
            .configure_view(strokeWidth=0))


DATA = alt.Data(name="table")  # the chart's rows go into the spec's "datasets" at draw time


def with_rows(template: dict[str, Any], df: pd.DataFrame) -> dict[str, Any]:
    """A chart spec: a cached template plus this run's rows as inline data."""
    spec = dict(template)
    spec["datasets"] = {"table": json.loads(df.to_json(orient="records"))}
    return spec


@st.cache_resource(max_entries=256, show_spinner=False)  # survives reruns; never mutated
def band_template(title: str, y_title: str, legend: str | None, height: int, note: str
                  ) -> dict[str, Any]:
    """Median line + 5-95% band over time (building Altair objects is slow: do it once)."""
    base = alt.Chart(DATA).encode(
        x=alt.X("date:T", title="Month", axis=alt.Axis(format="%Y", tickCount="year")))
    color = alt.Color("series:N", title=legend, legend=alt.Legend() if legend else None)
    area = base.mark_area(opacity=0.22).encode(
        y=alt.Y("low:Q", title=y_title, axis=alt.Axis(format="~s")), y2="high:Q", color=color)
    line = base.mark_line(strokeWidth=3).encode(
        y="median:Q", color=color,
        tooltip=[alt.Tooltip("date:T", format="%Y-%m", title="Month"), "series:N",
                 alt.Tooltip("median:Q", format=",.0f"), alt.Tooltip("low:Q", format=",.0f"),
                 alt.Tooltip("high:Q", format=",.0f")])
    chart = styled((area + line).properties(
        title=alt.TitleParams(title, subtitle=[note, SUBTITLE] if note else SUBTITLE),
        height=height, width="container"))
    return chart.to_dict()


def band_chart(df: pd.DataFrame, title: str, y_title: str, legend: str | None = None,
               height: int = 320, note: str = "") -> dict[str, Any]:
    return with_rows(band_template(title, y_title, legend, height, note), df)


@st.cache_resource(max_entries=64, show_spinner=False)  # survives reruns; never mutated
def breakdown_template(date: str) -> dict[str, Any]:
    base = alt.Chart(DATA).encode(
        y=alt.Y("sector_label:N", title="Sector (where the job was lost)"),
        yOffset=alt.YOffset("measure:N"),
        color=alt.Color("measure:N", title=None))
    bars = base.mark_bar().encode(
        x=alt.X("median:Q", title="Workers (median)", axis=alt.Axis(format="~s")),
        tooltip=["sector_label:N", "sex:N", "measure:N",
                 alt.Tooltip("median:Q", format=",.0f"), alt.Tooltip("low:Q", format=",.0f"),
                 alt.Tooltip("high:Q", format=",.0f")])
    rules = base.mark_rule(color="black", strokeWidth=2).encode(x="low:Q", x2="high:Q")
    chart = alt.layer(bars, rules, data=DATA).properties(width=360).facet(
        column=alt.Column("sex:N", title="Sex", header=alt.Header(labelFontSize=17,
                                                                   titleFontSize=17)))
    return styled(chart.properties(title=alt.TitleParams(
        f"Who is displaced and who is back in work, by {date}",
        subtitle="Bars: median of replications. Black lines: 5-95% of replications."))
    ).to_dict()


def breakdown_chart(df: pd.DataFrame, date: str) -> dict[str, Any]:
    return with_rows(breakdown_template(date), df)


def all_charts(bundle: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    c = bundle["charts"]
    where = ("Sectors in focus: " + ", ".join(sector_name(s) for s in bundle["focus"])
             if bundle["focus"] else "All sectors")
    if len(where) > 110:
        where = f"{len(bundle['focus'])} sectors in focus (see the sidebar)"
    return {
        "losses_monthly": ("Jobs removed by automation each month",
                           band_chart(c["losses_monthly"],
                                      "Jobs removed by automation each month",
                                      "Jobs per month", legend="How", note=where)),
        "losses_cumulative": ("Cumulative jobs lost to automation",
                              band_chart(c["losses_cumulative"],
                                         "Jobs removed by automation, cumulative",
                                         "Jobs (cumulative)", legend="How", note=where)),
        "unemployment_rate": ("Unemployment rate",
                              band_chart(c["unemployment_rate"],
                                         "Unemployment rate",
                                         "% of the labour force", note="Whole economy")),
        "long_term": ("Long-term unemployed",
                      band_chart(c["long_term"], "Long-term unemployed",
                                 "Workers", note="Unemployed 12 months or more, whole economy")),
        "employment": ("Employment by sector",
                       band_chart(c["employment"], "Employment by sector", "Workers employed",
                                  legend="Sector", height=420, note=where)),
        "programmes": ("People in reskilling and in programme jobs",
                       band_chart(c["programmes"], "People in reskilling and in programme jobs",
                                  "Workers", legend="Status")),
        "policy_vs_none": ("Policy against no policy",
                           band_chart(c["policy_vs_none"],
                                      "Policy vs no policy",
                                      bundle["compare_label"].rsplit("(", 1)[-1].rstrip(")")
                                      .capitalize(), legend="Run",
                                      note=bundle["compare_label"].rsplit(" (", 1)[0])),
        "breakdown": ("Laid off and back in work by sector and sex",
                      breakdown_chart(c["breakdown"], bundle["breakdown_date"])),
    }


# -- page sections --------------------------------------------------------------------------------

def headline_section(bundle: dict[str, Any]) -> None:
    h = bundle["headline"]
    comp = bundle["comparison"]
    cur = bundle["country"].currency

    def row(metric: str, year: int) -> pd.Series | None:
        found = h[(h["metric"] == metric) & (h["year"] == year)]
        return None if found.empty else found.iloc[0]

    def diff(metric: str, year: int) -> pd.Series | None:
        found = comp[(comp["metric"] == metric) & (comp["year"] == year)]
        return None if found.empty else found.iloc[0]

    def show(col, label: str, r: pd.Series | None, currency: str = "", delta: pd.Series | None
             = None, inverse: bool = False, helptext: str = "") -> None:
        if r is None:
            col.metric(label, "n/a", help=f"The run ends before this year. {helptext}")
            col.caption("horizon too short")
            return
        d = None
        if delta is not None and bundle["has_policy"]:
            d = f"{fmt(delta['difference'], currency)} vs no policy"
        col.metric(label, fmt(r["median"], currency), delta=d,
                   delta_color="inverse" if inverse else "normal",
                   help=f"{helptext} Median of replications; 5-95% band "
                        f"{fmt(r['low'], currency)} to {fmt(r['high'], currency)}.")
        col.caption(f"5-95%: {fmt(r['low'], currency)} – {fmt(r['high'], currency)}")

    focus_txt = "sectors in focus" if bundle["focus"] else "all sectors"
    y0, y1 = YEARS
    cols = st.columns(4)
    removed = (f"Formal positions in the {focus_txt} that automation removed, cumulative: "
               "hires foregone (jobs not created) plus layoffs (jobs destroyed).")
    show(cols[0], f"Jobs removed by end-{y0}", row("automation_cut_cumulative", y0),
         helptext=removed)
    show(cols[1], f"Jobs removed by end-{y1}", row("automation_cut_cumulative", y1),
         helptext=removed)
    show(cols[2], f"Laid off, back in work, end-{y1}", row("displaced_employed", y1),
         delta=diff("displaced_employed", y1),
         helptext=f"People laid off by automation in the {focus_txt} who are in regular "
                  "(formal or informal) work again.")
    show(cols[3], f"Long-term unemployed, end-{y1}", row("long_term_unemployed", y1),
         delta=diff("long_term_unemployed", y1), inverse=True,
         helptext="Unemployed 12 months or more, whole economy.")
    cols = st.columns(4)
    t = bundle["training_now"]
    if t is None:
        cols[0].metric(f"In reskilling, end-{y1}", "n/a")
    else:
        cols[0].metric(f"In reskilling, end-{y1}", fmt(t[0]),
                       help="People in a reskilling programme (all sectors).")
        cols[0].caption(f"5-95%: {fmt(t[1])} – {fmt(t[2])}")
    show(cols[1], f"Programme cost to end-{y1}", row("programme_cost_cumulative", y1),
         currency=cur, helptext=f"Reskilling and job-creation costs committed, in {cur}.")
    cpw: CostPerWorker = bundle["cost_per_worker"]
    label = f"Cost per extra re-employed, end-{y1}"
    cols[2].metric(label, fmt(cpw.median, cur),
                   help="Programme cost divided by the extra displaced workers back in a "
                        "regular job compared with no policy (same seeds).")
    if cpw.median is None:
        cols[2].caption(f"n/a: {cpw.note}")
    else:
        hi = "unbounded" if cpw.high is None else fmt(cpw.high, cur)
        cols[2].caption(f"5-95%: {fmt(cpw.low, cur)} – {hi}" + (f". {cpw.note}" if cpw.note
                                                                   else ""))
    unemp = row("unemployment_rate", y1)
    unemp_diff = diff("unemployment_rate", y1)
    if unemp is not None:
        cols[3].metric(f"Unemployment rate, end-{y1}", f"{unemp['median']:.1f}%",
                       delta=(f"{unemp_diff['difference']:+.2f} pts vs no policy")
                       if bundle["has_policy"] and unemp_diff is not None else None,
                       delta_color="inverse", help="Whole economy.")
        cols[3].caption(f"5-95%: {unemp['low']:.1f}% – {unemp['high']:.1f}%")


def sources_section(bundle: dict[str, Any]) -> None:
    iso3 = bundle["iso3"]
    scenario: Scenario = bundle["scenario"]
    st.subheader(f"Scenario: {scenario.name}")
    st.write(scenario.description.strip())
    st.subheader("Parameters (this run) with units and references")
    st.dataframe(parameters_frame(scenario), hide_index=True, width="stretch")
    st.subheader(f"Data sources for {bundle['country'].name}")
    src = sources_table(load_data(), iso3)
    src["sector"] = src["sector"].map(lambda s: sector_name(s) if s else "(country)")
    st.dataframe(src, hide_index=True, width="stretch")
    st.subheader("Calibrated labour flows (data/calibration.csv)")
    cal = load_calibration().loc[iso3]
    st.dataframe(pd.DataFrame({"field": cal.index, "value": cal.astype(str).to_numpy()}),
                 hide_index=True, width="stretch")
    st.subheader("Model vs observed (`sim validate`)")
    st.caption("The calibrated baseline with no automation, measured as a labour-force survey "
               "would, against ILOSTAT and the ILO's published exposure figures. What fails "
               "says so; data/README.md explains each gap.")
    if st.button("Compare with observed data (about 1 s)", key="validate") or \
            ss.get("validated") == iso3:
        ss["validated"] = iso3
        st.dataframe(validation_table(iso3), hide_index=True, width="stretch")


@st.cache_data(max_entries=16, show_spinner="Running the calibrated baseline ...")
def validation_table(iso3: str) -> pd.DataFrame:
    """sim validate for one country, formatted for the page."""
    frame = validate([iso3])
    percent = ~frame["indicator"].str.contains("spell")
    for column in ("model", "observed", "gap"):
        frame[column] = [("-" if v != v else (f"{v * 100:.2f}%" if p else f"{v:.2f}"))
                         for v, p in zip(frame[column], percent, strict=True)]
    return frame.drop(columns=["country"])


def parameters_frame(scenario: Scenario) -> pd.DataFrame:
    table = pd.DataFrame(parameter_table())
    values = []
    for key in table["key"]:
        try:
            v = value_at(scenario, key)
        except AttributeError:
            v = ""
        values.append(json.dumps(v) if isinstance(v, dict | list) else str(v))
    table.insert(1, "value", values)
    table["default"] = table["default"].map(str)
    table["min"] = table["min"].map(lambda v: "" if v is None else str(v))
    table["max"] = table["max"].map(lambda v: "" if v is None else str(v))
    return table


def export_section(bundle: dict[str, Any]) -> None:
    iso3 = bundle["iso3"]
    slug = f"{iso3}_{bundle['scenario'].name}".replace(" ", "_")[:60]
    st.write("Every file is built from the current run. CSV cells that a spreadsheet could "
             "read as a formula are prefixed with an apostrophe.")
    cols = st.columns(2)
    for i, (key, (title, _)) in enumerate(bundle["specs"].items()):
        cols[i % 2].download_button(
            f"CSV: {title}", bundle["csv"][key],
            file_name=f"{slug}_{key}.csv", mime="text/csv", key=f"dl:{key}",
            on_click="ignore", width="stretch")
    cols = st.columns(2)
    cols[0].download_button("CSV: headline numbers", safe_csv(bundle["headline"]),
                            file_name=f"{slug}_headline.csv", mime="text/csv", key="dl:headline",
                            on_click="ignore", width="stretch")
    cols[1].download_button("CSV: policy vs no policy", safe_csv(bundle["comparison"]),
                            file_name=f"{slug}_comparison.csv", mime="text/csv",
                            key="dl:comparison", on_click="ignore", width="stretch")

    def brief() -> str:
        return build_brief(bundle)

    st.download_button("HTML brief (opens offline)", brief, file_name=f"{slug}_brief.html",
                       mime="text/html", key="dl:brief", on_click="ignore", type="primary")


def build_brief(bundle: dict[str, Any]) -> str:
    scenario: Scenario = bundle["scenario"]
    cur = bundle["country"].currency
    head = bundle["headline"].copy()
    is_cost = head["metric"] == "programme_cost_cumulative"
    head["value"] = [fmt(v, cur if c else "") for v, c in zip(head["median"], is_cost, strict=True)]
    head["5-95%"] = [f"{fmt(lo, cur if c else '')} – {fmt(hi, cur if c else '')}"
                     for lo, hi, c in zip(head["low"], head["high"], is_cost, strict=True)]
    cpw: CostPerWorker = bundle["cost_per_worker"]
    extra = pd.DataFrame([{
        "year": YEARS[-1], "date": "", "indicator": "Cost per extra worker re-employed vs "
        "no policy", "value": fmt(cpw.median, cur),
        "5-95%": cpw.note if cpw.median is None else
        f"{fmt(cpw.low, cur)} – {'unbounded' if cpw.high is None else fmt(cpw.high, cur)}"}])
    t = bundle["training_now"]
    if t is not None:  # the page's own key number: everyone in reskilling, all sectors
        extra = pd.concat([extra, pd.DataFrame([{
            "year": YEARS[-1], "date": "", "indicator": "In reskilling (all sectors)",
            "value": fmt(t[0]), "5-95%": f"{fmt(t[1])} – {fmt(t[2])}"}])])
    head = pd.concat([head[["year", "date", "indicator", "value", "5-95%"]], extra])
    prov = dict(bundle["provenance"])
    prov.pop("scenario_parameters", None)
    prov["scale (real workers per simulated worker)"] = scenario.run.scale
    prov["generated"] = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    src = sources_table(load_data(), bundle["iso3"])
    return html_brief(
        title=f"{scenario.name}: {bundle['country'].name}",
        scenario_name=scenario.name, description=scenario.description.strip(),
        country=f"{bundle['country'].name} ({bundle['iso3']})", headline=head,
        charts=list(bundle["specs"].values()),
        parameters=parameters_frame(scenario), sources=src, provenance=prov,
        notes=[f"Seed {scenario.run.seed}, {scenario.run.replications} replications, one "
               f"simulated worker stands for {scenario.run.scale:,} real workers. Medians with "
               "5-95% bands over replications; 'no policy' is the same run with both levers "
               f"off and the same seeds. Simulator version {code_version()}."])


def page(bundle: dict[str, Any]) -> None:
    scenario: Scenario = bundle["scenario"]
    country = bundle["country"]
    st.caption(
        f"{scenario.run.replications} replications · seed {scenario.run.seed} · one simulated "
        f"worker = {scenario.run.scale:,} real workers (about {APP_AGENTS:,} simulated workers, "
        "chosen so a slider redraws in under half a second; the CLI runs any scale) · "
        f"money in {country.currency}")
    headline_section(bundle)
    specs = bundle["specs"]
    tabs = st.tabs(["Displacement", "Unemployment", "Sectors", "Policy vs no policy",
                    "Who is affected", "Sources & assumptions", "Export"])

    def draw(key: str) -> None:
        st.vega_lite_chart(specs[key][1], width="stretch", theme=None)

    with tabs[0]:
        c1, c2 = st.columns(2)
        with c1:
            draw("losses_monthly")
        with c2:
            draw("losses_cumulative")
    with tabs[1]:
        c1, c2 = st.columns(2)
        with c1:
            draw("unemployment_rate")
        with c2:
            draw("long_term")
        draw("programmes")
    with tabs[2]:
        draw("employment")
    with tabs[3]:
        st.selectbox("Compare on", list(COMPARE_ON), key="w:compare")
        st.caption("'policy' is the chosen scenario with its levers; 'no policy' is the same "
                   "settings with both levers off and the same seeds.")
        draw("policy_vs_none")
    with tabs[4]:
        draw("breakdown")
    with tabs[5]:
        sources_section(bundle)
    with tabs[6]:
        export_section(bundle)


def main() -> None:
    st.set_page_config(page_title="ASEAN automation & jobs simulator", layout="wide")
    st.title("AI, automation and jobs in ASEAN")
    try:
        init_state()
        for note in ss.get("link_notes", []):
            st.warning(note)
        sidebar()
        if ss.get("limit_note"):
            st.warning(ss.pop("limit_note"))
        base = base_scenario(ss["w:scenario"])
        sync_query_params(base, ss["w:scenario"])
    except Exception as exc:  # noqa: BLE001 - never show a traceback in front of a room
        st.error(f"The controls could not be set up ({type(exc).__name__}: {exc}). "
                 "Reload the page without the link's settings.")
        return
    bundle = None
    try:
        bundle = compute(base)
        ss["last_good"] = bundle
    except SimError as exc:
        st.error(f"These settings can't be run: {one_line(exc)}")
    except Exception as exc:  # noqa: BLE001
        st.error(f"The simulation failed ({type(exc).__name__}: {exc}). Showing the last "
                 "result that worked, if any.")
    if bundle is None:
        bundle = ss.get("last_good")
        if bundle is None:
            return
        st.info("Showing the last settings that ran.")
    try:
        page(bundle)
    except Exception as exc:  # noqa: BLE001
        st.error(f"Could not draw the results ({type(exc).__name__}: {exc}).")


if __name__ == "__main__":
    main()
