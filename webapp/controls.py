"""The sidebar: language, country, scenario, comparison, levers, uncertainties, run settings.

Widgets are made from the scenario schema (``webapp.settings``): a lever's range and help come
from ``sim/scenarios/schema.py``. A programme's settings are greyed out while it is off. Labels
and choices are translated; the help texts (the schema's descriptions, with their references)
stay in English.
"""

from __future__ import annotations

import json
import urllib.parse
from typing import Any

import streamlit as st

from sim.data import SECTORS, load_data
from sim.errors import ScenarioError
from sim.scenarios import PARAMETERS, parse_scenario_bytes
from webapp import settings
from webapp.i18n import LANGUAGES, N_, _, country_name
from webapp.settings import (
    JOB_KEYS,
    JS_MAX_INT,
    NO_LEVERS,
    RESKILLING_KEYS,
    RUN_KEYS,
    UNCERTAINTY_KEYS,
    UPLOADED,
    apply_preset,
    base_scenario,
    bounds,
    kind_of,
    presets,
    ss,
    value_at,
)

#: Control labels (the schema's keys are for the CLI; these are for the room).
LABELS = {
    "uncertainties.adoption_pace": N_("Adoption pace (1 = central)"),
    "uncertainties.adoption_ceiling": N_("Adoption ceiling (share of exposed tasks)"),
    "uncertainties.adoption_midpoint_month": N_("Months until half of adoption"),
    "uncertainties.exposure_assumption": N_("Exposure estimate"),
    "uncertainties.displacement_elasticity": N_("Automated tasks that cost a job"),
    "uncertainties.new_jobs_ratio": N_("New AI-era jobs per job automated"),
    "uncertainties.adjustment_window_months": N_("Months of attrition firms wait for"),
    "levers.reskilling.enabled": N_("Reskilling programme on"),
    "levers.reskilling.seats_per_100k": N_("Seats a month per 100,000 in the labour force"),
    "levers.reskilling.eligibility": N_("Who may enrol"),
    "levers.reskilling.min_months_unemployed": N_("Months without work before enrolling"),
    "levers.reskilling.duration_months": N_("Course length (months)"),
    "levers.reskilling.target_sectors": N_("Sectors trained for"),
    "levers.reskilling.start_month": N_("Starts after (months)"),
    "levers.job_creation.enabled": N_("Job-creation programme on"),
    "levers.job_creation.jobs_per_100k": N_("Jobs a month per 100,000 in the labour force"),
    "levers.job_creation.targeting": N_("Who is hired"),
    "levers.job_creation.sectors": N_("Sectors of the programme jobs"),
    "levers.job_creation.duration_months": N_("Job length (months)"),
    "levers.job_creation.start_month": N_("Starts after (months)"),
    "run.replications": N_("Replications"),
    "run.horizon_months": N_("Months simulated"),
    "run.seed": N_("Random seed"),
}
CHOICES = {
    "automation_displaced": N_("People laid off by automation"),
    "focus_sectors": N_("Job seekers from the sectors in focus"),
    "long_term_unemployed": N_("People 12+ months without work"),
    "unemployed": N_("Any unemployed person"),
    "ilo_genai_2025": N_("ILO generative AI, 2025"),
    "ilo_genai_2023": N_("ILO generative AI, 2023"),
}
#: The sectors' names (``sim.vocabulary.SECTOR_LABELS``), marked here for translation.
SECTOR_NAMES = {
    "agriculture": N_("Agriculture, forestry & fishing"),
    "manufacturing": N_("Manufacturing, mining & utilities"),
    "construction": N_("Construction"),
    "retail_trade": N_("Wholesale & retail trade"),
    "logistics_transport": N_("Transport, logistics & storage"),
    "accommodation_food": N_("Accommodation & food services"),
    "bpo_business_services": N_("BPO & business services"),
    "ict_professional": N_("ICT & professional services"),
    "finance_real_estate": N_("Finance, insurance & real estate"),
    "public_administration": N_("Public administration & defence"),
    "education_health": N_("Education, health & social work"),
    "other_services": N_("Other services"),
}
SCENARIO_NAMES = {
    "baseline": N_("Baseline: no policy"),
    "reskilling_push": N_("Reskilling push"),
    "job_creation": N_("Job creation"),
    "combined": N_("Reskilling and job creation"),
    "fast_genai": N_("Fast generative-AI adoption"),
    "phl_bpo": N_("Philippine BPO under generative AI"),
    "phl_bpo_reskilling": N_("Philippine BPO with reskilling"),
}
#: Whose on/off switch greys out which settings.
PROGRAMMES = {
    "levers.reskilling.enabled": RESKILLING_KEYS[1:],
    "levers.job_creation.enabled": JOB_KEYS[1:],
}
UPLOAD_LIMIT = 256 * 1024


def sector_name(sector: str) -> str:
    return _(SECTOR_NAMES.get(sector, sector))


def scenario_title(name: str) -> str:
    """A preset's name in the current language (an uploaded file keeps its own name)."""
    if name == UPLOADED and ss.get("uploaded") is not None:
        return _("Uploaded: {name}").format(name=ss["uploaded"].name)
    if name in SCENARIO_NAMES:
        return _(SCENARIO_NAMES[name])
    return presets()[name].name if name in presets() else name


def help_text(dotted: str) -> str:
    return PARAMETERS[dotted].help(*bounds(dotted))


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


def control(dotted: str, where: Any, disabled: bool = False) -> Any:
    key = f"w:{dotted}"
    kind = kind_of(dotted)
    label = _(LABELS.get(dotted, dotted))
    helptext = help_text(dotted)
    common = {"key": key, "help": helptext, "disabled": disabled}
    if kind == "toggle":
        return where.toggle(label, **common)
    if kind == "choice":
        options = list(PARAMETERS[dotted].choices or ())
        return where.selectbox(
            label, options, format_func=lambda c: _(str(CHOICES.get(c, c))), **common
        )
    if kind == "sectors":
        return where.multiselect(label, list(SECTORS), format_func=sector_name, **common)
    lo, hi = bounds(dotted)
    if kind == "number":
        # A browser number holds integers exactly only up to 2**53 - 1.
        return where.number_input(
            label, min_value=lo, max_value=min(hi, JS_MAX_INT), step=1, **common
        )
    if kind == "wide":
        options = nice_steps(dotted, ss.get(key), value_at(base_scenario(ss["w:scenario"]), dotted))
        ss[key] = float(ss[key])
        return where.select_slider(label, options=options, format_func=lambda v: f"{v:g}", **common)
    if PARAMETERS[dotted].numeric == "int":
        return where.slider(label, min_value=int(lo), max_value=int(hi), step=1, **common)
    span = float(hi) - float(lo)
    step = 0.05 if span <= 1 else 0.1 if span <= 10 else 1.0
    ss[key] = float(ss[key])
    return where.slider(label, min_value=float(lo), max_value=float(hi), step=step, **common)


def on_language_change() -> None:
    """A new language reloads the page from its link (see ``relaunch_script``)."""
    ss["relaunch"] = True


def relaunch_script(query: dict[str, str]) -> str:
    """JavaScript that reopens the page at ``query``.

    The browser keeps what each widget shows, so options whose names changed language would
    still read in the old one; a fresh page from the share link (which holds every setting)
    draws every widget anew.
    """
    target = json.dumps("?" + urllib.parse.urlencode(query)).replace("<", "\\u003c")
    return f"<script>window.location.replace(window.location.pathname + {target});</script>"


def on_preset_change() -> None:
    apply_preset(base_scenario(ss["w:scenario"]), _("The scenario"))


def on_comparison_preset() -> None:
    """A one-click comparison: its scenario, its country and its second column."""
    chosen = ss.get("w:quick")
    if chosen not in settings.COMPARISONS:
        return
    _title, first, second, country = settings.COMPARISONS[chosen]
    ss["w:scenario"] = first
    apply_preset(presets()[first], _("The scenario"))
    if country:
        ss["w:country"] = country
    ss["w:compare"] = second
    ss["w:quick"] = None


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
        scenario = parse_scenario_bytes(uploaded.name, uploaded.getvalue(), limit=UPLOAD_LIMIT)
    except ScenarioError as exc:
        ss["upload_error"] = str(exc)
        return
    except Exception as exc:  # noqa: BLE001 - never show a traceback for a bad file
        ss["upload_error"] = f"{uploaded.name}: could not be read ({type(exc).__name__})"
        return
    ss["upload_error"] = None
    ss["uploaded"] = scenario
    ss["w:scenario"] = UPLOADED
    apply_preset(scenario, _("The uploaded file"))


def sidebar() -> None:
    side = st.sidebar
    title = _("AI, automation and jobs in ASEAN")
    side.markdown(f"**{title}**")
    top = side.container()
    levers = side.container()
    # The upload is read first (shown last): a new file sets the widgets made below.
    with side.expander(_("Upload a scenario (TOML)")):
        st.file_uploader(
            _("Scenario file"),
            type=["toml"],
            key="upload",
            help=_(
                "A scenario TOML (at most 256 KiB), validated like the shipped "
                "ones; it may start from a shipped one with extends = "
                '"name".'
            ),
        )
        handle_upload()
        if ss.get("upload_error"):
            st.error(_("Upload rejected: {reason}").format(reason=ss["upload_error"]))
        elif ss.get("uploaded") is not None:
            st.success(_("Loaded: {name}").format(name=ss["uploaded"].name))
    top.selectbox(
        "Language · Wika · Ngôn ngữ · Bahasa · ภาษา",
        list(LANGUAGES),  # type: ignore[arg-type]
        key="w:lang",
        format_func=lambda code: LANGUAGES.get(code, code),
        on_change=on_language_change,
    )
    tables = load_data()
    names = tables.country_names
    top.selectbox(
        _("Country"),
        list(tables.iso3_codes),
        key="w:country",
        format_func=lambda c: f"{country_name(c, names[c])} · {c}",
        help=_("The ten ASEAN member states in data/sectors.csv and countries.csv"),
    )
    options = list(presets()) + ([UPLOADED] if ss.get("uploaded") is not None else [])
    if ss.get("w:scenario") not in options:
        ss["w:scenario"] = settings.DEFAULT_SCENARIO
    top.selectbox(
        _("Scenario"),
        options,
        key="w:scenario",
        on_change=on_preset_change,
        format_func=scenario_title,
        help=_(
            "The shipped scenario files (sim/scenarios/*.toml). Choosing one "
            "resets the controls below to it."
        ),
    )
    top.selectbox(
        _("Side by side with"),
        settings.comparison_options(),
        key="w:compare",
        format_func=lambda n: (
            _("nothing (one scenario)")
            if n == ""
            else _("the same settings with no programmes")
            if n == NO_LEVERS
            else scenario_title(n)
        ),
        help=_("A second column with the same country, sectors, seeds and axes"),
    )
    top.selectbox(
        _("One-click comparisons"),
        [None, *settings.COMPARISONS],
        key="w:quick",
        on_change=on_comparison_preset,
        placeholder=_("Choose a comparison"),
        format_func=lambda c: _(settings.COMPARISONS[c][0]) if c else "",
    )
    top.button(
        _("Reset to the scenario"),
        key="reset",
        on_click=on_preset_change,
        width="stretch",
        help=_("Put every control back to the chosen scenario's values"),
    )
    top.multiselect(
        _("Sectors in focus"),
        list(SECTORS),
        key="w:focus",
        format_func=sector_name,
        help=_("Jobs removed and people laid off refer to these sectors"),
    )

    levers.header(_("Policy levers"))
    levers.caption(_("What a ministry chooses."))
    for title, keys in (
        (_("Reskilling programme"), RESKILLING_KEYS),
        (_("Job-creation programme"), JOB_KEYS),
    ):
        with levers.expander(title, expanded=True):
            control(keys[0], st)
            off = not ss[f"w:{keys[0]}"]
            if off:
                st.caption(_("Off: turn it on to change its settings."))
            for key in PROGRAMMES[keys[0]]:
                control(key, st, disabled=off)
    levers.header(_("Uncertainties"))
    levers.caption(_("What nobody controls: vary them to see how robust a policy is."))
    with levers.expander(_("Adoption, exposure and jobs"), expanded=False):
        for key in UNCERTAINTY_KEYS:
            control(key, st)
    with levers.expander(_("Run settings"), expanded=False):
        for key in RUN_KEYS:
            control(key, st)
